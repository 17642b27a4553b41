# goodput.gp -- an open-loop scenario's outcomes against offered load, one mode: goodput (2xx
# answers a second, solid) and rejected (503 answers a second, dashed, where the tool counts
# them apart), each model in its colour, medians of the ok repetitions. A design that queues
# holds its goodput flat at its bound past 100 %; one with admission control holds it too and
# refuses the rest, so its dashed line rises with the offered load; a fall is collapse.
# The capacity row (level 0) is the closed-loop run, not an offered load: it is left out.
# gnuplot -e "summary='...'; out='...'; scenario='overload'; mode='close'; models='a b'; runid='...'; tool='loadgen'; style='plots/style.gp'; levels='offered load (% of capacity)'" goodput.gp
load style
set output out
set title sprintf("Goodput (solid) and rejected (dashed) against %s, %s, %s mode, %s (run %s; medians)", levels, scenario, mode, tool, runid)
set ylabel "Answers a second (2xx solid, 503 dashed)"
set yrange [0:*]
set format y "%.0s%c"
offered(m) = mine(m) && column(xcol) > 0
# The marks as on every chart (style.gp), on the goodput points.
mark_y(i) = column("goodput_rps_median")
@EMPTY
plot for [i=1:words(models)] summary \
	using (offered(word(models, i)) ? column(xcol) : NaN):"goodput_rps_median" \
	with linespoints ls ls_of(i) title label(i), \
	@MARKS, \
	for [i=1:words(models)] summary \
	using (offered(word(models, i)) ? column(xcol) : NaN):"rejected_rps_median" \
	with linespoints ls ls_of(i) dt 2 notitle

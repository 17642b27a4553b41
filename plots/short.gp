# short.gp -- a mix's short requests against offered load, one mode: each model's short-request
# p99 (solid, its colour) beside the two laws of its own cell (report_apply_laws, docs/mixed.md):
# the mean response of a short request in arrival order, M/G/1 FCFS with Pollaczek-Khinchine's
# wait (dashed), and time-sliced, processor sharing's S / (1 - rho) (dotted). The laws are means:
# a p99 above its FCFS line is the tail of the same queue. Medians of the ok repetitions; the
# capacity row (level 0) is left out. Log y: FCFS and PS are decades apart.
# gnuplot -e "summary='...'; out='...'; scenario='mixed'; mode='keepalive'; models='a b'; runid='...'; tool='loadgen'; style='plots/style.gp'; levels='offered load (% of the mix capacity)'" short.gp
load style
set output out
set title sprintf("Short requests' p99 (solid) beside the FCFS (dashed) and PS (dotted) laws' means, %s, %s mode, %s (run %s)", scenario, mode, tool, runid)
set ylabel "Short-request latency (ms, log scale)"
set logscale y 10
offered(m) = mine(m) && column(xcol) > 0
known(c) = column(c) > 0 ? column(c) / 1000 : NaN
# The marks as on every chart (style.gp), on the short requests' p99.
mark_y(i) = known("short_p99_us_median")
@EMPTY
plot for [i=1:words(models)] summary \
	using (offered(word(models, i)) ? column(xcol) : NaN):(known("short_p99_us_median")) \
	with linespoints ls ls_of(i) title label(i), \
	for [i=1:words(models)] summary \
	using (offered(word(models, i)) ? column(xcol) : NaN):(known("fcfs_short_us")) \
	with linespoints ls ls_of(i) dt 2 lw 1 ps 0.6 notitle, \
	for [i=1:words(models)] summary \
	using (offered(word(models, i)) ? column(xcol) : NaN):(known("ps_short_us")) \
	with linespoints ls ls_of(i) dt 3 lw 1 ps 0.6 notitle, \
	NaN with lines lc rgb "black" dt 2 lw 1 title "FCFS law (P-K mean)", \
	NaN with lines lc rgb "black" dt 3 lw 1 title "PS law (mean)", \
	@MARKS

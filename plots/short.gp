# short.gp -- a mix's short requests against offered load, one mode: each model's short-request
# p99 (solid, its colour) beside the p99 the two disciplines give for its own cell's arrivals and
# service times (report_apply_laws, mixlaw_simulate, docs/mixed.md): one CPU serving in arrival
# order, M/G/1 FCFS (dashed), and time-sliced, processor sharing (dotted). p99 against p99: the
# laws' means (Pollaczek-Khinchine, S / (1 - rho)) are in report.md beside the measured means.
# Medians of the ok repetitions; the capacity row (level 0) is left out. Log y: FCFS and PS are
# decades apart.
# gnuplot -e "summary='...'; out='...'; scenario='mixed'; mode='keepalive'; models='a b'; runid='...'; tool='loadgen'; style='plots/style.gp'; levels='offered load (% of the mix capacity)'" short.gp
load style
set output out
set title sprintf("Short requests' p99 (solid) beside the p99 of FCFS (dashed) and PS (dotted), %s, %s mode, %s (run %s)", scenario, mode, tool, runid)
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
	using (offered(word(models, i)) ? column(xcol) : NaN):(known("fcfs_p99_us")) \
	with linespoints ls ls_of(i) dt 2 lw 1 ps 0.6 notitle, \
	for [i=1:words(models)] summary \
	using (offered(word(models, i)) ? column(xcol) : NaN):(known("ps_p99_us")) \
	with linespoints ls ls_of(i) dt 3 lw 1 ps 0.6 notitle, \
	NaN with lines lc rgb "black" dt 2 lw 1 title "FCFS p99 (M/G/1, simulated)", \
	NaN with lines lc rgb "black" dt 3 lw 1 title "PS p99 (simulated)", \
	@MARKS

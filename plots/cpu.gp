# cpu.gp -- server CPU time (user + sys, from wait4) per request against concurrency (or idle connections) for one
# mode: the cost of the model's design per answer, whatever the throughput. The values span
# two orders of magnitude (a few µs for an event loop, hundreds for fork per connection), so
# the y axis is logarithmic: equal ratios are equal distances.
# gnuplot -e "summary='...'; out='...'; scenario='hello'; mode='close'; models='a b'; runid='...'; tool='ab'; style='plots/style.gp'" cpu.gp
load style
set output out
set title sprintf("Server CPU per request against %s, %s, %s mode, %s (run %s; median of repetitions)", levels, scenario, mode, tool, runid)
set ylabel "Server CPU time per request (µs, user + sys, log scale)"
set logscale y 10
set mytics 10
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set yrange [*:*]
# A median of 0 µs (too few requests to measure) has no place on a log axis: left out.
plot for [i=1:words(models)] summary \
	using (mine(word(models, i)) ? column(xcol) : NaN):(column("cpu_us_per_req_median") > 0 ? column("cpu_us_per_req_median") : NaN) \
	with linespoints ls ls_of(i) title label(i)

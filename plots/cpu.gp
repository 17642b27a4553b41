# cpu.gp -- server CPU time (user + sys, from wait4) per request against concurrency for one
# mode: the cost of the model's design per answer, whatever the throughput.
# gnuplot -e "summary='...'; out='...'; mode='close'; models='a b'; runid='...'; tool='ab'; style='plots/style.gp'" cpu.gp
load style
set output out
set title sprintf("Server CPU per request against concurrency, %s mode, %s (run %s; median of repetitions)", mode, tool, runid)
set ylabel "Server CPU time per request (µs, user + sys)"
set yrange [0:*]
plot for [i=1:words(models)] summary \
	using (mine(word(models, i)) ? column("concurrency") : NaN):"cpu_us_per_req_median" \
	with linespoints ls ls_of(i) title label(i)

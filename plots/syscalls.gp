# syscalls.gp -- one stacked bar per model: the system calls one request cost, split by name
# (the counting pass's breakdown at one cell; harness/syscalls.c writes the data: a row per
# model, a column per call, "other" last). Read beside the CPU chart: the calls are where
# most of that CPU goes.
# gnuplot -e "data='...csv'; out='...png'; scenario='hello'; mode='keepalive'; level=32; runid='...'; ncols=N" syscalls.gp
set terminal pngcairo size 1200,700 noenhanced font "sans,11" linewidth 1.5
set output out
set datafile separator comma
set title sprintf("System calls per request by name, %s, %s mode, c=%d (run %s; the counting pass)", scenario, mode, level, runid)
set ylabel "System calls entered per completed request"
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border rgb "#444444"
set boxwidth 0.7
set grid ytics lc rgb "#dddddd"
set key outside right top vertical box opaque title "system call" invert
set xtics rotate by -30 left
set yrange [0:*]
# One colour per call (gnuplot's own cycle repeats after 8); "other", the last column, grey.
colors = "#1f77b4 #d62728 #2ca02c #ff7f0e #9467bd #8c564b #e377c2 #17becf #bcbd22 #393b79 #aec7e8 #ff9896 #98df8a #800000 #008080 #000080"
color(i) = i == ncols ? "#bbbbbb" : word(colors, (i - 2) % words(colors) + 1)
plot for [i=2:ncols] data using i:xtic(1) title columnhead(i) lc rgb color(i)

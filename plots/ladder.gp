# ladder.gp -- the ladder's chart (harness/ladder.c writes the data): one bar group per step
# (epoll, the references, then a model's variants in order), a bar per cell: the step's server
# CPU per request over epoll's median in the same cell, the repetitions' min-max as whiskers;
# epoll is the line at 1. Below the line a step costs less CPU per request than epoll.
# gnuplot -e "data='...csv'; out='...png'; runid='...'; ncells=N" ladder.gp
set terminal pngcairo size 1200,700 noenhanced font "sans,11" linewidth 1.5
set output out
set datafile separator comma
set datafile missing "NaN"
set title sprintf("Server CPU per request against epoll's, step by step (run %s; bar: median, whiskers: min-max)", runid)
set ylabel "Server CPU per request / epoll's median in the same cell"
set style data histograms
set style histogram errorbars gap 2 lw 1
set style fill solid 0.85 border rgb "#444444"
set boxwidth 0.9
set grid ytics lc rgb "#dddddd"
set key outside right top vertical box opaque title "cell"
set xtics rotate by -30 left
set yrange [0:*]
colors = "#1f77b4 #d62728 #2ca02c #ff7f0e #9467bd #8c564b #e377c2 #17becf #bcbd22 #393b79"
plot for [i=0:ncells-1] data using (column(2+3*i)):(column(3+3*i)):(column(4+3*i)):xtic(1) \
	title columnhead(2+3*i) lc rgb word(colors, i % words(colors) + 1), \
	1 with lines lc rgb "#000000" dt 2 lw 2 title "epoll (its median = 1)"

# files.gp -- the files scenarios' chart (issue 24): the hot clients' p99 beside the mix, warm
# (files-hot) and cold (files-cold), a bar pair per model. harness/report_files.c writes the
# data: model,warm,cold in ms (0: not measured), no header.
# gnuplot -e "data='...csv'; out='...png'; runid='...'" files.gp
set terminal pngcairo size 1200,700 noenhanced font "sans,11" linewidth 1.5
set output out
set datafile separator comma
set title sprintf("Hot-file p99 beside a paced SPECweb99 mix, the set cached (warm) or evicted (cold) (run %s)", runid)
set ylabel "p99 of the hot subset's requests (ms, log scale)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border rgb "#444444"
set boxwidth 0.9
set grid ytics lc rgb "#dddddd"
set key inside left top box opaque
set xtics rotate by -30 left
set logscale y
plot data using ($2 > 0 ? $2 : NaN):xtic(1) title "warm" lc rgb "#1f77b4", \
     '' using ($3 > 0 ? $3 : NaN) title "cold" lc rgb "#d62728"

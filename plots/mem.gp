# mem.gp -- memory per idle connection, one bar per model, log scale: the slope of the
# server's whole-tree PSS against the idle connections held in one run of an idle scenario.
# A reference server (ref-nginx) is the black bar: the yardstick.
# gnuplot -e "summary='...'; out='...'; scenario='idle'; mode='keepalive'; models='a b'; runid='...'; tool='wrk'; style='plots/style.gp'; first_level=0" mem.gp
load style
if (!exists("first_level")) first_level = 0
set output out
set title sprintf("Memory per idle connection, %s, %s mode, %s (run %s; PSS of the server tree, slope against N)", scenario, mode, tool, runid)
unset logscale x
set xlabel "model"
set ylabel "Bytes per idle connection (log scale)"
set logscale y 10
set yrange [1:*]
set style fill solid 0.8 border -1
set boxwidth 0.7
set xrange [0.3:words(models) + 0.7]
set xtics () rotate by -30
do for [i=1:words(models)] { set xtics add (label(i) i) }
# One row per model carries the slope: its cell at the lowest level.
slope(i) = mine(word(models, i)) && column("idle_conns") == first_level && column("mem_per_idle_conn_b") > 0 ? column("mem_per_idle_conn_b") : NaN
# A bar is a slope over all of a model's cells: it carries every mark any of them carries (the
# harness passes them per model, slope_marks: a 0/1 per mark), drawn on the bar's top.
if (!exists("slope_marks")) slope_marks = ""
marked(k, i) = substr(word(slope_marks, i), k, k) eq "1"
mark_x(i) = i
mark_y(i) = slope(i)
@EMPTY
plot for [i=1:words(models)] summary \
	using (i):(slope(i)) \
	with boxes ls ls_of(i) title label(i), \
	@MARKS

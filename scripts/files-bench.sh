#!/usr/bin/env bash
# scripts/files-bench.sh -- the files experiment of issue 24, run outside the harness: for each
# model, warm (the whole set cached) with sendfile and with read+write, then hot-file latency
# beside a SPECweb99 mix, warm and cold (the set evicted file by file, the hot subset kept).
#
#   scripts/files-bench.sh [--mib N] [--secs S] [--conns C] [--reps R] [--hot-only] [--out DIR]
#                          [MODEL...]
#
# The set is bin/tools/fileset's (default 2048 MiB, written if missing, in the cache directory).
# The load is wrk with harness/wrk/files.lua (-t C -c C: every reply's length checked, one in 16
# sampled for content); the server is pinned to the last CPU and wrk to the first, as the
# harness does below 4 CPUs. Server CPU is the model's rusage, children included, from
# /usr/bin/time after SIGTERM (the contract reaps every child). Per model and phase:
#   warm-sendfile, warm-read  the mix alone, C connections: req/s, MiB/s, CPU per request and
#                             per MiB; the read+write / sendfile ratio of CPU per MiB
#   warm-hot, cold-hot        the mix (C connections, each pausing 4 ms between requests)
#                             and, beside it, 2 connections asking only for the hot subset
#                             (pausing 2 ms; wrk --latency): the hot p99; cold runs after
#                             fileset --evict, with the disk's reads from /proc/diskstats
# The hot phases run R times (default 1), warm and cold alternating, so that a slow minute of a
# shared machine does not fall on one of them only; --hot-only skips the warm sendfile/read phases.
# One TSV row per model, phase and repetition in OUT/files.tsv (default
# /tmp/files-bench.<time>), printed as it comes; at the end, Markdown tables (OUT/files.md) with
# the median of the repetitions.
# Bounded: every run is S seconds (default 5) plus wrk's own 2 s socket timeout; every server is
# stopped (SIGTERM, SIGKILL after 3 s) before the next starts.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
MIB=2048 SECS=5 CONNS=8 HOT_CONNS=2 OUT= REPS=1 WARM_PHASES=1
# the hot phases pace their clients (ms between a reply and the next request): the client CPU
# stays below saturation, so the hot p99 is the server's; 8 x 1000/4 = 2,000 mix req/s at most
MIX_PAUSE=4 HOT_PAUSE=2
MODELS=()
while (($#)); do
	case $1 in
	--mib) MIB=$2; shift 2 ;;
	--secs) SECS=$2; shift 2 ;;
	--conns) CONNS=$2; shift 2 ;;
	--reps) REPS=$2; shift 2 ;;
	--hot-only) WARM_PHASES=0; shift ;;
	--out) OUT=$2; shift 2 ;;
	-h | --help) sed -n '2,29p' "$0"; exit 0 ;;
	-*) echo "files-bench: unknown option $1" >&2; exit 2 ;;
	*) MODELS+=("$1"); shift ;;
	esac
done
if ((${#MODELS[@]} == 0)); then
	for f in bin/*; do
		m=$(basename "$f")
		[[ -f $f && -x $f && $m != harness && $m != ref-* ]] && MODELS+=("$m")
	done
fi
OUT=${OUT:-/tmp/files-bench.$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" || exit 1
FILESET=bin/tools/fileset
LUA=harness/wrk/files.lua
CPUS=$(nproc)
SERVER_CPU=$((CPUS - 1)) CLIENT_CPU=0
DIRS=$(((MIB * 1048576 + 5119484 - 1) / 5119484))
DISK=$(df --output=source "$HOME" | tail -1 | sed 's|^/dev/||; s|[0-9]*$||')

DOCROOT=$("$FILESET" --mib "$MIB") || exit 1
echo "# set: $DOCROOT ($MIB MiB, $DIRS directories); disk $DISK; server CPU $SERVER_CPU, wrk CPU $CLIENT_CPU"
LATENCY=$("$FILESET" --mib "$MIB" --disk-latency 64) || exit 1
echo "# $LATENCY"
echo "$LATENCY" >"$OUT/disk-latency.txt"

TPID= PORT=
start() { # start MODEL ARGS...: the model under /usr/bin/time, pinned; sets PORT
	local m=$1
	shift
	: >"$OUT/log"
	/usr/bin/time -f '%U %S' -o "$OUT/cpu" taskset -c "$SERVER_CPU" \
		"bin/$m" --port 0 --docroot "$DOCROOT" "$@" >"$OUT/log" 2>"$OUT/err" &
	TPID=$!
	for _ in $(seq 100); do
		PORT=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$OUT/log")
		[[ -n $PORT ]] && return 0
		sleep 0.05
	done
	echo "files-bench: $m did not start: $(head -c 200 "$OUT/err")" >&2
	stop
	return 1
}
stop() { # SIGTERM the model (the child of time), SIGKILL after 3 s; prints its CPU seconds
	local pid
	pid=$(pgrep -P "$TPID" | head -1)
	[[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 30); do
		kill -0 "$TPID" 2>/dev/null || break
		sleep 0.1
	done
	[[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null
	wait "$TPID" 2>/dev/null
	awk '{ printf "%.3f", $1 + $2 }' "$OUT/cpu" 2>/dev/null
}
load() { # load MIX CONNS FILE [PAUSE_MS]: wrk for SECS seconds, its output in FILE
	taskset -c "$CLIENT_CPU" wrk -t "$2" -c "$2" -d "${SECS}s" --timeout 2s --latency -s "$LUA" \
		"http://127.0.0.1:$PORT" -- "$1" "$DIRS" "${4:-0}" >"$3" 2>&1
}
# wrk's fields: req/s, MiB read, p99 in ms, and the script's verdict ("ok" or what went wrong)
rps() { sed -n 's/^Requests\/sec: *//p' "$1"; }
mib() { awk '/requests in/ { v = $5; u = substr(v, length(v) - 1); v += 0;
	if (u == "GB") v *= 1024; else if (u == "KB") v /= 1024; else if (u != "MB") v /= 1048576;
	printf "%.1f", v }' "$1"; }
pct() { awk -v p="$2%" '$1 == p { v = $2 + 0; if ($2 ~ /us$/) v /= 1000; else if ($2 ~ /[0-9]s$/ && $2 !~ /ms$/) v *= 1000;
	printf "%.2f", v }' "$1"; }
verdict() {
	local l
	l=$(grep '^files:' "$1")
	[[ $l =~ ,\ 0\ wrong\ length.*,\ 0\ wrong\ content ]] && grep -q 'requests in' "$1" &&
		! grep -q 'Non-2xx\|Socket errors' "$1" && echo ok || echo "FAIL: ${l:-no files: line}"
}
diskstat() { awk -v d="$DISK" '$3 == d { print $4, $6, $7 }' /proc/diskstats; }

printf 'model\tphase\trep\treq_s\tMiB_s\tcpu_s\tcpu_us_per_req\tcpu_ms_per_MiB\thot_p50_ms\thot_p90_ms\thot_p99_ms\tdisk_reads_s\tdisk_MiB_s\tverify\n' |
	tee "$OUT/files.tsv"
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" | tee -a "$OUT/files.tsv"; }

for m in "${MODELS[@]}"; do
	"$FILESET" --mib "$MIB" --warm || exit 1 # reads every file: the set is warm
	((WARM_PHASES)) && for io in sendfile read; do
		start "$m" --file-io "$io" || continue
		load mix "$CONNS" "$OUT/$m.warm-$io.txt"
		cpu=$(stop)
		r=$(rps "$OUT/$m.warm-$io.txt") b=$(mib "$OUT/$m.warm-$io.txt")
		row "$m" "warm-$io" 1 "$r" "$(awk -v b="$b" -v s="$SECS" 'BEGIN { printf "%.1f", b / s }')" \
			"$cpu" "$(awk -v c="$cpu" -v r="$r" -v s="$SECS" 'BEGIN { if (r > 0) printf "%.1f", c * 1e6 / (r * s) }')" \
			"$(awk -v c="$cpu" -v b="$b" 'BEGIN { if (b > 0) printf "%.3f", c * 1000 / b }')" - - - - - \
			"$(verdict "$OUT/$m.warm-$io.txt")"
	done
	for run in $(seq $((2 * REPS))); do
		phase=warm-hot rep=$(((run + 1) / 2))
		((run % 2 == 0)) && phase=cold-hot
		if [[ $phase == cold-hot ]]; then
			"$FILESET" --mib "$MIB" --evict || exit 1
		elif ((run > 1)); then
			"$FILESET" --mib "$MIB" --warm || exit 1
		fi
		start "$m" || continue
		read -r r0 s0 _ < <(diskstat)
		load mix "$CONNS" "$OUT/$m.$phase-mix.txt" "$MIX_PAUSE" &
		lp=$!
		load hot "$HOT_CONNS" "$OUT/$m.$phase-hot.txt" "$HOT_PAUSE"
		wait "$lp"
		read -r r1 s1 _ < <(diskstat)
		cpu=$(stop)
		r=$(rps "$OUT/$m.$phase-mix.txt") b=$(mib "$OUT/$m.$phase-mix.txt")
		v=$(verdict "$OUT/$m.$phase-mix.txt")/$(verdict "$OUT/$m.$phase-hot.txt")
		row "$m" "$phase" "$rep" "$r" "$(awk -v b="$b" -v s="$SECS" 'BEGIN { printf "%.1f", b / s }')" "$cpu" - - \
			"$(pct "$OUT/$m.$phase-hot.txt" 50)" "$(pct "$OUT/$m.$phase-hot.txt" 90)" \
			"$(pct "$OUT/$m.$phase-hot.txt" 99)" "$(((r1 - r0) / SECS))" \
			"$(awk -v a="$s0" -v b="$s1" -v s="$SECS" 'BEGIN { printf "%.1f", (b - a) * 512 / 1048576 / s }')" "$v"
	done
done
# The tables: medians over the repetitions (one value per phase for the warm ones).
awk -F '\t' '
function med(key,   n, i, j, t, a) {
	n = split(list[key], a, " ")
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	return n ? a[int((n + 1) / 2)] : "-"
}
NR == 1 { next }
{
	if (!($1 in seen)) { seen[$1] = 1; order[++nm] = $1 }
	for (c = 4; c <= 13; c++) list[$1 SUBSEP $2 SUBSEP c] = list[$1 SUBSEP $2 SUBSEP c] " " $c
	if ($14 != "ok" && $14 != "ok/ok") bad[$1] = bad[$1] " " $2 ":" $14
}
END {
	print "| model | req/s sendfile | req/s read | CPU µs/req sendfile | read | CPU ms/MiB sendfile | read | read / sendfile |"
	print "|---|---:|---:|---:|---:|---:|---:|---:|"
	for (i = 1; i <= nm; i++) {
		m = order[i]; s = med(m SUBSEP "warm-sendfile" SUBSEP 4); r = med(m SUBSEP "warm-read" SUBSEP 4)
		if (s == "-" && r == "-") continue
		printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", m, med(m SUBSEP "warm-sendfile" SUBSEP 4), med(m SUBSEP "warm-read" SUBSEP 4),
			med(m SUBSEP "warm-sendfile" SUBSEP 7), med(m SUBSEP "warm-read" SUBSEP 7),
			med(m SUBSEP "warm-sendfile" SUBSEP 8), med(m SUBSEP "warm-read" SUBSEP 8),
			(med(m SUBSEP "warm-sendfile" SUBSEP 8) > 0 ? sprintf("%.2f", med(m SUBSEP "warm-read" SUBSEP 8) / med(m SUBSEP "warm-sendfile" SUBSEP 8)) : "-")
	}
	print ""
	print "| model | hot p50 warm → cold (ms) | hot p90 warm → cold | hot p99 warm → cold | p99 cold / warm | mix req/s warm → cold | disk reads/s cold |"
	print "|---|---|---|---|---:|---|---:|"
	for (i = 1; i <= nm; i++) {
		m = order[i]; w = med(m SUBSEP "warm-hot" SUBSEP 11); c = med(m SUBSEP "cold-hot" SUBSEP 11)
		printf "| %s | %s → %s | %s → %s | %s → %s | %s | %s → %s | %s |\n", m,
			med(m SUBSEP "warm-hot" SUBSEP 9), med(m SUBSEP "cold-hot" SUBSEP 9),
			med(m SUBSEP "warm-hot" SUBSEP 10), med(m SUBSEP "cold-hot" SUBSEP 10), w, c,
			(w > 0 ? sprintf("%.1f", c / w) : "-"), med(m SUBSEP "warm-hot" SUBSEP 4), med(m SUBSEP "cold-hot" SUBSEP 4),
			med(m SUBSEP "cold-hot" SUBSEP 12)
	}
	for (i = 1; i <= nm; i++) if (order[i] in bad) printf "\nverification failed: %s:%s\n", order[i], bad[order[i]]
}' "$OUT/files.tsv" | tee "$OUT/files.md"
echo "# rows in $OUT/files.tsv, tables in $OUT/files.md"

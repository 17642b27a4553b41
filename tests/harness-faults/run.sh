#!/usr/bin/env bash
# run.sh -- bin/harness against models that misbehave, against a missing ab and a SIGINT,
# the idle scenario's refusal (select), descriptor-limit skip, SIGINT and killed model,
# a targets=hello model skipped by name where the target is not /,
# --compare when the reference (ref-nginx) cannot run because nginx is missing, and make with
# a typo in MODELS=.
#   tests/harness-faults/run.sh BIN_DIR FAULT_DIR
# Each case must end in a clear status row or message, leave no process behind and keep
# every finished row. Prints ok/not ok lines and "N passed, N failed".
set -uo pipefail
bin=$1
faults=$2
tmp=$(mktemp -d /tmp/harness-faults.XXXXXX)
harness_pid=

cleanup() {
	[ -n "$harness_pid" ] && kill -KILL "$harness_pid" 2>/dev/null
	pkill -KILL -f "$tmp/" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT

. "$(dirname "$0")/../harness/check.sh"

# Nothing started from this run's temporary directory may still run. Every model runs from a
# copy there (mktemp makes the path this run's own): a pattern on FAULT_DIR, a path relative to
# the checkout, would match another checkout's run of this suite at the same time.
# ab's command line names no such path: a harness run in the background leads its own session
# (setsid; its children's process groups stay inside it), and with SID given, nothing of that
# session may run either (a zombie has exited: not counted).
no_leftovers() {
	[ -z "$(leftovers "${1:-}")" ]
}
# leftovers [SID]: what no_leftovers looks for, one process a line.
leftovers() {
	pgrep -af "$tmp/"
	[ -z "${1:-}" ] || ps -e -o sid=,stat=,pid=,args= | awk -v s="$1" '$1 == s && $2 !~ /^Z/'
}

# status MODEL CSV: the status column (22nd; served_conns and other_cpu_pct follow) of MODEL's row.
status() {
	awk -F, -v m="$1" 'NR > 1 && $2 == m { print $22 }' "$2"
}

# The fault models and a real one copied into tmp, so that their processes are told apart from
# anyone else's.
for m in crash silent mute busyport skip args; do
	cp "$faults/$m" "$tmp/$m" || exit 2
done
cp "$bin/single" "$tmp/single"

common=(--bin "$tmp/empty" --scenarios hello --modes close --levels 8 --reps 1 --duration 1 --no-warmup
	--start-wait 1500 --timeout 1 --results "$tmp/results" --plots "$tmp/plots")
models=()
for m in crash silent mute busyport skip; do
	models+=(--model-path "$m=$tmp/$m")
done
models+=(--model-path "single=$tmp/single")

start=$(date +%s)
"$bin/harness" "${common[@]}" "${models[@]}" >"$tmp/faults.out" 2>&1
rc=$?
took=$(($(date +%s) - start))
csv=$tmp/results/latest/results.csv
check "fault suite finishes (exit 0, ${took}s)" '[ "$rc" -eq 0 ]' "exit $rc: $(tail -3 "$tmp/faults.out")"
check "crash mid-run: status crashed" '[ "$(status crash "$csv")" = crashed ]' "got '$(status crash "$csv")'"
check "never prints listening: status no_start" '[ "$(status silent "$csv")" = no_start ]' "got '$(status silent "$csv")'"
check "accepts, never answers: status timeout" '[ "$(status mute "$csv")" = timeout ]' "got '$(status mute "$csv")'"
check "port already in use: status no_start" '[ "$(status busyport "$csv")" = no_start ]' "got '$(status busyport "$csv")'"
check "port in use: the bind error is shown" 'grep -q "busyport.*no_start.*exit 1" "$tmp/faults.out"' "$(grep busyport "$tmp/faults.out")"
check "exit 77 before listening: status skipped" '[ "$(status skip "$csv")" = skipped ]' "got '$(status skip "$csv")'"
check "a good model after the faults: status ok" '[ "$(status single "$csv")" = ok ]' "got '$(status single "$csv")'"
check "one row per run" '[ "$(($(wc -l <"$csv") - 1))" -eq 6 ]'
check "summary.csv written" '[ -s "$tmp/results/latest/summary.csv" ]'
check "faults leave no process behind" no_leftovers "$(leftovers)"

# WORKERS=: --workers N reaches every model and meta; without it nothing is passed.
for w in 3 ""; do
	"$bin/harness" "${common[@]}" --model-path "args=$tmp/args" ${w:+--workers $w} \
		--results "$tmp/workers$w" --plots "$tmp/workersplots" >"$tmp/workers$w.out" 2>&1
	errs=$(cat "$tmp/workers$w"/latest/raw/*args*.server.err 2>/dev/null)
	if [ -n "$w" ]; then
		check "--workers 3: the model gets --workers 3" '[[ "$errs" == *"args: --host 127.0.0.1 --port 0 --workers 3"* ]]' "$errs"
		check "--workers 3: in meta and the plan" 'grep -q "^workers: 3 " "$tmp/workers$w/latest/meta" && grep -q "; --workers 3$" "$tmp/workers$w.out"'
	else
		check "no --workers: the model gets none" '[[ "$errs" == *"args: --host 127.0.0.1 --port 0"* ]] && [[ "$errs" != *"--workers"* ]]' "$errs"
		check "no --workers: meta says not passed" 'grep -q "^workers: not passed" "$tmp/workers/latest/meta"'
	fi
done

# ab missing from PATH: a clear message, no run started.
out=$(env PATH=/nonexistent "$bin/harness" "${common[@]}" --model-path "single=$tmp/single" \
	--results "$tmp/noab" 2>&1)
rc=$?
check "ab missing from PATH: clear message" '[ "$rc" -ne 0 ] && [[ "$out" == *"ab not found in PATH"* ]]' "exit $rc: $out"
check "ab missing: no run directory" '[ ! -e "$tmp/noab/latest" ]'

# wrk asked for and missing: the same clear message, in either mode (wrk has both); a plan
# without --tool needs only ab.
mkdir -p "$tmp/abonly"
ln -s "$(command -v ab)" "$tmp/abonly/ab"
out=$(env PATH="$tmp/abonly" "$bin/harness" "${common[@]}" --model-path "single=$tmp/single" \
	--tool wrk --modes keepalive --results "$tmp/nowrk" 2>&1)
rc=$?
check "wrk missing from PATH: clear message" '[ "$rc" -ne 0 ] && [[ "$out" == *"wrk not found in PATH"* ]] && [ ! -e "$tmp/nowrk" ]' "exit $rc: $out"
out=$(env PATH="$tmp/abonly" "$bin/harness" "${common[@]}" --model-path "single=$tmp/single" \
	--tool wrk --modes close --dry-run 2>&1)
rc=$?
check "wrk missing, close mode only: clear message (wrk drives close mode too)" '[ "$rc" -ne 0 ] && [[ "$out" == *"wrk not found in PATH"* ]]' "exit $rc: $out"
out=$(env PATH="$tmp/abonly" "$bin/harness" "${common[@]}" --model-path "single=$tmp/single" \
	--modes close --dry-run 2>&1)
rc=$?
check "wrk missing, the default tool: runs with ab" '[ "$rc" -eq 0 ] && [[ "$out" != *"not found"* ]]' "exit $rc: $out"

# A non-loopback address without --allow-remote is refused before anything starts.
out=$("$bin/harness" "${common[@]}" --model-path "single=$tmp/single" --host 192.0.2.1 \
	--results "$tmp/remote" 2>&1)
rc=$?
check "non-loopback refused without --allow-remote" '[ "$rc" -eq 2 ] && [[ "$out" == *"--allow-remote"* ]] && [ ! -e "$tmp/remote" ]' "exit $rc: $out"

# The reference without nginx (REF_NGINX_BIN names a missing binary): --compare still runs
# our model, says once how to get nginx, records skipped rows and measures no verdict.
if [ -x "$bin/ref-nginx" ]; then
	out=$(env REF_NGINX_BIN=/nonexistent/nginx "$bin/harness" --bin "$bin" --compare \
		--models single --reps 1 --duration 1 --results "$tmp/noref" --plots "$tmp/norefplots" 2>&1)
	rc=$?
	f=$tmp/noref/latest/results.csv
	check "compare without nginx: exit 0" '[ "$rc" -eq 0 ]' "exit $rc: $(tail -3 <<<"$out")"
	check "compare without nginx: the message, once" '[ "$(grep -c "^ref-nginx skipped: nginx is not installed (OPTIONAL=1 scripts/install-deps.sh installs it)$" <<<"$out")" -eq 1 ]' "$out"
	check "compare without nginx: ref-nginx rows skipped" '[ "$(status ref-nginx "$f" | sort -u)" = skipped ] && [ "$(status ref-nginx "$f" | wc -l)" -eq 3 ]' "got '$(status ref-nginx "$f")'"
	check "compare without nginx: our rows ok" '[ "$(status single "$f" | sort -u)" = ok ]'
	check "compare without nginx: no verdict, the reason" 'grep -q "fastest keep-alive model: not measured (ref-nginx has no ok run: skipped:1; nginx is not installed" <<<"$out" && grep -q "not measured" "$tmp/noref/latest/compare.md"' "$out"
	check "compare without nginx: meta says not installed" 'grep -q "^reference ref-nginx: not installed" "$tmp/noref/latest/meta"'
fi

# A model whose Facts say targets=hello (ref-nginx answers Hello world to every target) runs
# where the target is / and gets a named status, no number and no server, where it is not.
mkdir -p "$tmp/models/hellonly"
echo "Facts: keepalive=yes parallel=1 workers=- targets=hello" >"$tmp/models/hellonly/README.md"
"$bin/harness" "${common[@]}" --scenarios "hello sleep" --models-dir "$tmp/models" \
	--model-path "hellonly=$tmp/single" --results "$tmp/targets" --plots "$tmp/targetsplots" \
	>"$tmp/targets.out" 2>&1
got=$(awk -F, 'NR > 1 { print $25 "=" $22 }' "$tmp/targets/latest/results.csv" | tr '\n' ' ')
check "targets=hello: hello runs, sleep skipped by name" '[ "$got" = "hello=ok sleep=skipped: hellonly serves only / " ]' "got '$got'; $(tail -3 "$tmp/targets.out")"
check "targets=hello: no server started for sleep" '! ls "$tmp/targets/latest/raw" | grep -q sleep' "$(ls "$tmp/targets/latest/raw")"

# A typo in MODELS= (issue 14): make names the model and the known ones and exits 2 before
# building or installing anything (BUILD and BIN point at directories that must stay absent).
want="unknown model 'epol' (known: "
for goal in bench-all bench-quick bench-compare; do
	out=$(make --no-print-directory "$goal" MODELS="epoll,epol" BUILD="$tmp/typo-build" BIN="$tmp/typo-bin" 2>&1)
	rc=$?
	check "make $goal MODELS=epol: exit 2, the message, nothing built" '[ "$rc" -eq 2 ] && [[ "$out" == *"$want"*epoll*single* ]] && [ ! -e "$tmp/typo-build" ] && [ ! -e "$tmp/typo-bin" ]' "exit $rc: ${out//\*/}"
done

# SIGINT mid-run: the run in progress stops, its server and ab go, finished rows stay.
setsid "$bin/harness" "${common[@]}" --model-path "single=$tmp/single" --levels "1 8" --reps 10 \
	--results "$tmp/int" --plots "$tmp/intplots" >"$tmp/int.out" 2>&1 &
harness_pid=$!
for _ in $(seq 100); do
	f=$(ls "$tmp"/int/*/results.csv 2>/dev/null | head -1)
	[ -n "$f" ] && [ "$(wc -l <"$f")" -ge 3 ] && break
	sleep 0.1
done
sleep 0.3 # into the next run
kill -INT "$harness_pid"
wait "$harness_pid"
rc=$?
sid=$harness_pid harness_pid=
f=$(ls "$tmp"/int/*/results.csv 2>/dev/null | head -1)
rows=$(($(wc -l <"$f") - 1))
check "SIGINT: harness exits 130" '[ "$rc" -eq 130 ]' "exit $rc"
check "SIGINT: finished rows kept ($rows)" '[ "$rows" -ge 2 ] && [ "$rows" -lt 20 ]'
check "SIGINT: every kept row is whole and ok" '[ "$(awk -F, "NR == 1 { n = NF } NR > 1 && NF == n && \$22 == \"ok\"" "$f" | wc -l)" -eq "$rows" ]'
check "SIGINT: summary drawn from the finished rows" '[ "$(($(wc -l <"$(dirname "$f")/summary.csv") - 1))" -ge 1 ]'
check "SIGINT: says it was interrupted" 'grep -q "interrupted" "$tmp/int.out"'
check "SIGINT: no server or ab left" 'no_leftovers "$sid"' "$(leftovers "$sid")"

# The idle scenario (issue 10): select refuses what it cannot watch, a level past the
# descriptor limit is skipped and named, Ctrl-C and a model killed while holding idle
# connections leave nothing behind.
cp "$bin/select" "$tmp/select"
cp "$bin/epoll" "$tmp/epoll"
# --count 0: the kill below must land on the timed run, not on the cell's counting run.
idle=(--bin "$tmp/empty" --scenarios idle --reps 1 --duration 1 --no-warmup --start-wait 1500
	--count 0)
"$bin/harness" "${idle[@]}" --levels "0 1200" --model-path "select=$tmp/select" \
	--results "$tmp/idle" --plots "$tmp/idleplots" >"$tmp/idle.out" 2>&1
f=$tmp/idle/latest/results.csv
got=$(awk -F, 'NR > 1 { print $26 "=" $22 }' "$f" | sort -n | tr '\n' ' ')
check "idle: select holds 0, refuses past FD_SETSIZE by name" '[[ "$got" =~ ^0=ok\ 1200=refused:\ [0-9]+\ of\ 1200\ idle\ connections\ $ ]]' "got '$got'; $(tail -3 "$tmp/idle.out")"
check "idle: memory measured (server_mem_kb)" '[ "$(awk -F, "NR == 2 { print (\$27 > 0) }" "$f")" = 1 ]' "$(cat "$f")"
check "idle: slopes in summary.csv and the report" 'grep -q "^select,keepalive,32," "$tmp/idle/latest/summary.csv" && grep -q "per idle connection" "$tmp/idle/latest/report.md"'
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ]; then
	"$bin/harness" "${idle[@]}" --levels "$hard" --model-path "epoll=$tmp/epoll" \
		--results "$tmp/idleskip" --plots "$tmp/idleplots" >"$tmp/idleskip.out" 2>&1
	got=$(status epoll "$tmp/idleskip/latest/results.csv")
	check "idle: N past the hard limit: skipped and named" '[ "$got" = "skipped: RLIMIT_NOFILE hard limit $hard" ]' "got '$got'"
fi
# SIGINT while 3000 idle connections are held, then a model killed while holding them.
for how in int kill; do
	setsid "$bin/harness" "${idle[@]}" --levels 3000 --duration 4 --model-path "epoll=$tmp/epoll" \
		--results "$tmp/idle$how" --plots "$tmp/idleplots" >"$tmp/idle$how.out" 2>&1 &
	harness_pid=$!
	for _ in $(seq 100); do
		[ "$(ls /proc/"$(pgrep -f "^$tmp/epoll" | head -1)"/fd 2>/dev/null | wc -l)" -gt 3000 ] && break
		sleep 0.1
	done
	if [ "$how" = int ]; then
		kill -INT "$harness_pid"
	else
		pkill -KILL -f "^$tmp/epoll"
	fi
	wait "$harness_pid"
	rc=$?
	sid=$harness_pid harness_pid=
	if [ "$how" = int ]; then
		check "idle: SIGINT while holding: exit 130" '[ "$rc" -eq 130 ]' "exit $rc"
	else
		got=$(status epoll "$tmp/idlekill/latest/results.csv")
		check "idle: model killed while holding: a status row" '[ "$rc" -eq 0 ] && [ -n "$got" ] && [ "$got" != ok ]' "exit $rc, got '$got'"
	fi
	check "idle: $how leaves no process behind" 'no_leftovers "$sid"' "$(leftovers "$sid")"
done

# The files scenarios (issue 24) end to end: a 4 MiB set written in a cache of this run's own,
# two models, each of the four rows for a second; every reply's length checked by the script.
mkdir -p "$tmp/fbin/tools" "$tmp/cache"
cp "$bin/tools/fileset" "$tmp/fbin/tools/fileset"
XDG_CACHE_HOME=$tmp/cache "$bin/harness" --bin "$tmp/fbin" --models-dir "$PWD/models" \
	--scenarios files --files-mib 4 \
	--reps 1 --duration 1 --no-warmup --count 0 --start-wait 1500 \
	--model-path "epoll=$tmp/epoll" --model-path "single=$tmp/single" \
	--results "$tmp/files" --plots "$tmp/filesplots" >"$tmp/files.out" 2>&1
rc=$?
f=$tmp/files/latest/results.csv
got=$(awk -F, 'NR > 1 { print $25 ":" $2 "=" $22 }' "$f" | sort | tr '\n' ' ')
check "files: 2 models x 4 rows, all ok" '[ "$rc" -eq 0 ] && [ "$got" = "files-cold:epoll=ok files-cold:single=ok files-hot:epoll=ok files-hot:single=ok files-read:epoll=ok files-read:single=ok files-sendfile:epoll=ok files-sendfile:single=ok " ]' "exit $rc, got '$got'; $(tail -3 "$tmp/files.out")"
check "files: the set written in the cache given" '[ -f "$tmp/cache/server-models/files-spec99-4m/dir00000/class3_8" ]'
# body_bytes (50) on every row, the hot p99 (52) beside files-hot and files-cold, the disk's
# latency (51) before each cold run
got=$(awk -F, 'NR > 1 && ($50 <= 0 || ($25 ~ /hot|cold/) != ($52 > 0) || ($25 == "files-cold") != ($51 != "")) { print $25 ":" $2 }' "$f")
check "files: body bytes, hot p99 and disk latency where they belong" '[ -z "$got" ]' "rows: $got"
check "files: files.md with both tables, linked from report.md" 'grep -q "read / sendfile" "$tmp/files/latest/files.md" && grep -q "cold / warm" "$tmp/files/latest/files.md" && grep -q "files.md" "$tmp/files/latest/report.md"'
check "files: leaves no process behind" no_leftovers "$(leftovers)"

# The same through slowfs (--files-delay-ms 20): files-cold alone, its set evicted and its
# disk's latency measured through the mount; then a SIGINT while mounted. Each leaves no mount
# (they are made in TMPDIR, this run's own) and no slowfs behind.
slowmounts() { grep -c " $tmp/slowfs\." /proc/mounts; }
if [[ -c /dev/fuse ]] && grep -qw fuse /proc/filesystems; then
	cp "$bin/tools/slowfs" "$tmp/fbin/tools/slowfs"
	slow=(--bin "$tmp/fbin" --models-dir "$PWD/models" --files-mib 4 --files-delay-ms 20
		--reps 1 --no-warmup --count 0 --start-wait 1500 --model-path "epoll=$tmp/epoll")
	XDG_CACHE_HOME=$tmp/cache TMPDIR=$tmp "$bin/harness" "${slow[@]}" --scenarios files-cold \
		--duration 1 --results "$tmp/slow" --plots "$tmp/slowplots" >"$tmp/slow.out" 2>&1
	rc=$?
	got=$(awk -F, 'NR > 1 { print $25 ":" $22 ":" ($51 >= 20000) ":" ($53 > 0) }' "$tmp/slow/latest/results.csv")
	check "slowfs: files-cold ok, the disk's latency >= 20 ms, reads counted" '[ "$rc" -eq 0 ] && [ "$got" = "files-cold:ok:1:1" ]' "exit $rc, got '$got'; $(tail -3 "$tmp/slow.out")"
	check "slowfs: no mount left after the run" '[ "$(slowmounts)" = 0 ]' "$(grep " $tmp/" /proc/mounts)"
	XDG_CACHE_HOME=$tmp/cache TMPDIR=$tmp setsid "$bin/harness" "${slow[@]}" --scenarios files-hot \
		--duration 20 --results "$tmp/slowint" --plots "$tmp/slowintplots" >"$tmp/slowint.out" 2>&1 &
	harness_pid=$!
	for _ in $(seq 100); do [ "$(slowmounts)" = 1 ] && break; sleep 0.1; done
	seen=$(slowmounts)
	sleep 1
	kill -INT "$harness_pid"
	wait "$harness_pid"
	harness_pid=
	check "slowfs: mounted during the run" '[ "$seen" = 1 ]' "mounts: $seen; $(tail -3 "$tmp/slowint.out")"
	check "slowfs: no mount left after SIGINT" '[ "$(slowmounts)" = 0 ]' "$(grep " $tmp/" /proc/mounts)"
	# The harness killed outright: slowfs, its child, unmounts on its parent's death.
	XDG_CACHE_HOME=$tmp/cache TMPDIR=$tmp setsid "$bin/harness" "${slow[@]}" --scenarios files-hot \
		--duration 20 --results "$tmp/slowkill" --plots "$tmp/slowkillplots" >"$tmp/slowkill.out" 2>&1 &
	harness_pid=$!
	for _ in $(seq 100); do [ "$(slowmounts)" = 1 ] && break; sleep 0.1; done
	kill -KILL "$harness_pid"
	wait "$harness_pid" 2>/dev/null
	harness_pid=
	for _ in $(seq 30); do [ "$(slowmounts)" = 0 ] && break; sleep 0.1; done
	check "slowfs: no mount left after the harness's SIGKILL" '[ "$(slowmounts)" = 0 ]' "$(grep " $tmp/" /proc/mounts)"
	check "slowfs: leaves no process behind" no_leftovers "$(leftovers)"
else
	echo "skip - slowfs: no /dev/fuse or no fuse in /proc/filesystems on this kernel"
fi

check_totals

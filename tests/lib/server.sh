# tests/lib/server.sh -- start and stop a model from a bash test (sourced, not run).
#
#   server_start BIN_PATH [ARGS...]  run `BIN_PATH --port 0 ARGS` in the background and wait at
#                                    most 5 s for its `listening on ADDR:PORT` line. Sets
#                                    SERVER_PID, SERVER_PORT, SERVER_NAME, SERVER_LOG. Returns 0;
#                                    77 if the model skipped itself (reason in SERVER_SKIP); 1 with
#                                    a message on stderr otherwise (nothing left running).
#   server_stop                      SIGTERM, wait at most 2 s (then SIGKILL). Sets SERVER_RC,
#                                    SERVER_STOP_MS and, on failure, SERVER_STOP_WHY. Returns 0
#                                    only if it exited 0 within SERVER_STOP_LIMIT_MS (default
#                                    1000, the contract's bound) leaving no descendant.
#   server_descendants PID           print the PIDs of every descendant process of PID.
#   server_log_tail [N]              print the last N (default 5) lines of the server's stderr.
#   server_cleanup                   SIGKILL everything any server_start started, remove the
#                                    temporary directory. Call it from the caller's EXIT trap.
#   server_models DIR                print the name of every model in DIR (each executable file
#                                    but harness), one a line.
#
# The server's stderr goes to $SERVER_LOG_DIR/<name>.log when SERVER_LOG_DIR is set (appended,
# so a sanitizer suite can grep it afterwards), else to a private temporary directory.
#
# Each server runs in its own process group (setsid), so that after it exits any process it
# leaked is still found (by its group id) and killed: a test never leaves anything running.

SERVER_PID=
SERVER_PORT=
SERVER_NAME=
SERVER_LOG=
SERVER_SKIP=
SERVER_RC=
SERVER_STOP_MS=
SERVER_STOP_WHY=
SERVER_TMPDIR=
SERVER_GROUPS=()
SERVER_F=

# Milliseconds since the epoch.
server_now_ms() {
	local us=${EPOCHREALTIME:-}
	if [[ -n $us ]]; then
		us=${us/[.,]/}
		echo $((10#$us / 1000))
	else
		echo $(($(date +%s%N) / 1000000))
	fi
}

# Create the private temporary directory (SERVER_TMPDIR) on first use. Not called in a
# subshell: the variable must survive for server_cleanup to remove the directory.
server_tmpdir() {
	if [[ -z $SERVER_TMPDIR || ! -d $SERVER_TMPDIR ]]; then
		SERVER_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/server-sh.XXXXXX") || return 1
	fi
}

# Set SERVER_F to field N (1-based, as in proc(5)) of /proc/PID/stat; fails if PID is gone.
# The command name is in parentheses and may hold spaces, so split after its last ')'.
# No subshell: server_stop's wait calls it every 10 ms.
server_stat_field() {
	local stat rest fields
	SERVER_F=
	IFS= read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	rest=${stat##*) }
	read -r -a fields <<<"$rest"
	SERVER_F=${fields[$(($2 - 3))]}
	[[ -n $SERVER_F ]]
}

# True while PID exists and is not a zombie (a zombie has exited, only its status is left).
server_alive() {
	server_stat_field "$1" 3 || return 1
	[[ $SERVER_F != Z && $SERVER_F != X ]]
}

# The live processes, one "PID PPID PGID STAT" line each: one ps call. It reads /proc in C; the
# bash loops over /proc/[0-9]* it replaces took about 0.5 s a call on a busy machine.
server_ps() {
	ps -e -o pid=,ppid=,pgid=,stat= 2>/dev/null
}

server_descendants() {
	local root=$1 pid ppid rest
	local -A kids=()
	# One listing builds the parent -> children map; then walk it breadth-first.
	while read -r pid ppid rest; do
		kids[$ppid]+=" $pid"
	done < <(server_ps)
	local queue=("$root") next
	while ((${#queue[@]})); do
		next=${queue[0]}
		queue=("${queue[@]:1}")
		for pid in ${kids[$next]:-}; do
			echo "$pid"
			queue+=("$pid")
		done
	done
}

# Live (non-zombie) processes in process group PGID, one PID a line.
server_group_members() {
	local pgid=$1 pid ppid group stat
	while read -r pid ppid group stat; do
		[[ $group == "$pgid" && $stat != [ZX]* ]] && echo "$pid"
	done < <(server_ps)
	return 0
}

server_log_tail() {
	[[ -n $SERVER_LOG && -f $SERVER_LOG ]] || return 0
	tail -n "${1:-5}" "$SERVER_LOG"
}

# Sleep a little (10 ms) between polls.
server_nap() {
	sleep 0.01
}

server_start() {
	local bin=$1 dir out line t0
	shift
	SERVER_PID='' SERVER_PORT='' SERVER_SKIP='' SERVER_RC='' SERVER_STOP_MS='' SERVER_STOP_WHY=''
	SERVER_NAME=$(basename "$bin")
	if [[ ! -x $bin ]]; then
		echo "server_start: $bin: not an executable" >&2
		return 1
	fi
	server_tmpdir || return 1
	dir=$SERVER_TMPDIR
	out=$dir/$SERVER_NAME.$$.$RANDOM.out
	if [[ -n ${SERVER_LOG_DIR:-} ]]; then
		mkdir -p "$SERVER_LOG_DIR" || return 1
		SERVER_LOG=$SERVER_LOG_DIR/$SERVER_NAME.log
	else
		SERVER_LOG=$dir/$SERVER_NAME.log
	fi
	: >"$out"
	# Without job control a background job shares our process group, so setsid makes it a
	# leader without forking (the PID we get is the server's). With job control on it already
	# leads its own group, and setsid would fork.
	if [[ $- == *m* ]]; then
		"$bin" --port 0 "$@" </dev/null >"$out" 2>>"$SERVER_LOG" &
	else
		setsid "$bin" --port 0 "$@" </dev/null >"$out" 2>>"$SERVER_LOG" &
	fi
	SERVER_PID=$!
	SERVER_GROUPS+=("$SERVER_PID")
	t0=$(server_now_ms)
	while :; do
		# read succeeds only on a whole line (with its newline): never a half-written port.
		if IFS= read -r line <"$out" && [[ $line == "listening on "*:* ]]; then
			SERVER_PORT=${line##*:}
			if [[ $SERVER_PORT =~ ^[0-9]+$ ]]; then
				return 0
			fi
			echo "server_start: $SERVER_NAME: bad line: $line" >&2
			server_kill_group "$SERVER_PID"
			return 1
		fi
		if ! server_alive "$SERVER_PID"; then
			wait "$SERVER_PID" 2>/dev/null
			SERVER_RC=$?
			server_kill_group "$SERVER_PID"
			if ((SERVER_RC == 77)); then
				# The last one: with SERVER_LOG_DIR the log may hold earlier runs.
				SERVER_SKIP=$(grep 'skipped' "$SERVER_LOG" 2>/dev/null | tail -n 1)
				SERVER_SKIP=${SERVER_SKIP#*skipped: }
				SERVER_SKIP=${SERVER_SKIP:-exited 77}
				return 77
			fi
			echo "server_start: $SERVER_NAME exited $SERVER_RC before listening" >&2
			return 1
		fi
		if (($(server_now_ms) - t0 > 5000)); then
			echo "server_start: $SERVER_NAME: no 'listening on' line within 5 s" >&2
			server_kill_group "$SERVER_PID"
			return 1
		fi
		server_nap
	done
}

# SIGKILL every live process in group PGID (the server and anything it left), and reap ours.
server_kill_group() {
	local pgid=$1
	kill -KILL -- "-$pgid" 2>/dev/null
	kill -KILL "$pgid" 2>/dev/null
	wait "$pgid" 2>/dev/null
	server_forget "$pgid"
	return 0
}

# Drop PGID from the groups server_cleanup kills (it has been reaped; its number may be reused).
server_forget() {
	local g keep=()
	for g in "${SERVER_GROUPS[@]}"; do
		[[ $g == "$1" ]] || keep+=("$g")
	done
	SERVER_GROUPS=("${keep[@]}")
}

server_stop() {
	local pid=$SERVER_PID t0 left before
	SERVER_RC='' SERVER_STOP_MS='' SERVER_STOP_WHY=''
	if [[ -z $pid ]]; then
		SERVER_STOP_WHY="no server started"
		return 1
	fi
	# Snapshot the descendants now: once the server exits they are re-parented and only a
	# process-group check would find them.
	before=$(server_descendants "$pid" | tr '\n' ' ')
	t0=$(server_now_ms)
	kill -TERM "$pid" 2>/dev/null
	while server_alive "$pid" && (($(server_now_ms) - t0 < 2000)); do
		server_nap
	done
	SERVER_STOP_MS=$(($(server_now_ms) - t0))
	if server_alive "$pid"; then
		SERVER_STOP_WHY="still running ${SERVER_STOP_MS} ms after SIGTERM (killed)"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	SERVER_RC=$?
	# A short grace: a child may be exiting on its own right after its parent.
	local tries
	for tries in 1 2 3 4 5; do
		left=$(
			server_group_members "$pid"
			for p in $before; do server_alive "$p" && echo "$p"; done
		)
		[[ -z $left || $tries == 5 ]] && break
		server_nap
	done
	left=$(echo "$left" | sort -u | tr '\n' ' ')
	if [[ -n ${left// /} ]]; then
		SERVER_STOP_WHY+="${SERVER_STOP_WHY:+; }descendants left: $left"
		kill -KILL -- "-$pid" 2>/dev/null
		for p in $left; do kill -KILL "$p" 2>/dev/null; done
	fi
	server_forget "$pid"
	SERVER_PID=
	if [[ -z $SERVER_STOP_WHY ]]; then
		if ((SERVER_RC != 0)); then
			SERVER_STOP_WHY="exit status $SERVER_RC"
		elif ((SERVER_STOP_MS > ${SERVER_STOP_LIMIT_MS:-1000})); then
			SERVER_STOP_WHY="exited after $SERVER_STOP_MS ms (limit ${SERVER_STOP_LIMIT_MS:-1000})"
		fi
	fi
	[[ -z $SERVER_STOP_WHY ]]
}

server_cleanup() {
	local g
	for g in "${SERVER_GROUPS[@]}"; do
		server_kill_group "$g"
	done
	SERVER_GROUPS=()
	SERVER_PID=
	if [[ -n $SERVER_TMPDIR && -d $SERVER_TMPDIR ]]; then
		rm -rf "$SERVER_TMPDIR"
	fi
	SERVER_TMPDIR=
}

server_models() {
	local f
	for f in "$1"/*; do
		[[ -f $f && -x $f && $(basename "$f") != harness ]] && basename "$f"
	done
	return 0
}

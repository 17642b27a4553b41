#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2034,SC2317 # checks are strings for eval; cleanup runs from trap
# tests/place/run.sh -- where the load comes from (issue 11), for real:
#  - bin/harness refuses bad CPU lists (malformed, empty, overlapping, outside the affinity
#    mask, given with pinning off) with exit 2 and a clear line, before any run;
#  - a CLIENT_PREFIX whose command fails is a prefix_failed row naming it and the suite goes on;
#    a working prefix (env) still gives an ok row with the tool's CPU measured behind it;
#  - the pipeline scenario: wrk with the tree's Lua script gives an ok row of replies;
#  - scripts/netns.sh in a namespace of its own (smbench-test, 198.19.255.0/24, never the user's
#    smbench-client): `up` prints exactly the selecting line, a second `up` reuses, a broken or
#    half-removed leftover is cleaned and made again (never a duplicate), the link carries TCP,
#    `down` removes everything and twice is harmless; bad arguments and addresses outside
#    198.18.0.0/15 exit 2;
#  - one short real benchmark through it: epoll, keep-alive c=8, 1 s, ab inside the namespace,
#    the row verified (ok, requests, the tool's CPU) and meta naming the prefix and address.
# Where namespaces cannot be made (not root, no iproute2, a container without the capability)
# the namespace checks are skipped with the reason.
#   tests/place/run.sh BIN_DIR
# One line per check (`ok - ...` / `not ok - ...: why` / `skip - ...: why`), then
# `N passed, N failed[, N skipped]`; exit 1 on any failure. Nothing is left behind (trap).
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${1:?usage: tests/place/run.sh BIN_DIR}
NETNS_SH=$ROOT/scripts/netns.sh
export NETNS=smbench-test VETH=smbtest0 NETNS_HOST_ADDR=198.19.255.1 NETNS_CLIENT_ADDR=198.19.255.2
WANT="export HOST=198.19.255.1 CLIENT_PREFIX='ip netns exec smbench-test'"
PASSED=0 FAILED=0 SKIPPED=0
TMP=$(mktemp -d /tmp/netns-test.XXXXXX)

cleanup() {
	"$NETNS_SH" down >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ok() {
	echo "ok - place: $1"
	PASSED=$((PASSED + 1))
}
not_ok() {
	echo "not ok - place: $1: $2"
	FAILED=$((FAILED + 1))
}
check() { if eval "$2"; then ok "$1"; else not_ok "$1" "${3:-failed: $2}"; fi; }
finish() {
	echo "$PASSED passed, $FAILED failed$([ "$SKIPPED" -gt 0 ] && echo ", $SKIPPED skipped")"
	[ "$FAILED" -eq 0 ]
	exit
}

# can_netns: why namespaces cannot be made here, on stdout; nothing when they can.
can_netns() {
	local probe=smbench-probe$$
	[ "$(id -u)" -eq 0 ] || {
		echo "not root (ip netns needs CAP_SYS_ADMIN and CAP_NET_ADMIN)"
		return
	}
	command -v ip >/dev/null || {
		echo "ip (iproute2) not installed"
		return
	}
	if ! ip netns add "$probe" 2>"$TMP/probe"; then
		echo "ip netns add fails: $(tail -1 "$TMP/probe")"
		return
	fi
	ip netns del "$probe"
}

count_ns() { ip netns list | awk '{ print $1 }' | grep -cxF "$NETNS"; }
count_veth() { ip -o link show | grep -c ": $VETH@"; }
up() { "$NETNS_SH" up 2>"$TMP/err"; }

# harness ARGS...: one 1-second keep-alive run of epoll at c=8 (hello; ARGS may change it) into $TMP/res; stdout and stderr
# in $TMP/hout and $TMP/herr; the exit status.
harness() {
	"$BIN/harness" --bin "$BIN" --models epoll --scenarios hello --modes keepalive --levels 8 --reps 1 \
		--duration 1 --no-warmup --results "$TMP/res" --plots "$TMP/plots" "$@" \
		>"$TMP/hout" 2>"$TMP/herr"
}
# row FIELD: that field of the last row of the latest run (results.csv's column number).
row() { tail -1 "$TMP/res/latest/results.csv" | cut -d, -f"$1"; }

# Bad CPU lists: exit 2 and a line naming the list, before any run (no run directory).
while IFS='|' read -r args want; do
	eval "set -- $args"
	rm -rf "$TMP/res"
	harness "$@"
	rc=$?
	check "harness $args: exit 2 naming it, nothing run" \
		'[ "$rc" -eq 2 ] && grep -q -- "$want" "$TMP/herr" && [ ! -e "$TMP/res" ]' \
		"exit $rc, stderr: $(head -2 "$TMP/herr")"
done <<'CASES'
--client-cpus 0-x|'0-x' is not a cpulist
--client-cpus ''|CLIENT_CPUS (--client-cpus): empty cpulist
--server-cpus ,|SERVER_CPUS (--server-cpus): ',' is not a cpulist
--client-cpus 0 --server-cpus 0|overlap on CPU 0
--client-cpus 1023|CPU 1023 not in this process's affinity mask
--client-cpus 3-1|runs backwards
--pin 0 --client-cpus 0|pinning off
--client-prefix ''|--client-prefix
CASES

# Prefixes that need no namespace: one that fails, one that works.
harness --client-prefix false
rc=$?
check "a failing CLIENT_PREFIX: a prefix_failed row naming it, the suite goes on" \
	'[ "$rc" -eq 0 ] && [ "$(row 22)" = prefix_failed ] && grep -q "prefix_failed (CLIENT_PREFIX '"'"'false'"'"' failed" "$TMP/hout"' \
	"exit $rc, row: $(tail -1 "$TMP/res/latest/results.csv" 2>/dev/null), $(grep '^\[' "$TMP/hout")"
check "a failed prefix's client CPU is empty (unknown), not 0" '[ -z "$(row 21)" ]'
harness --client-prefix env
check "CLIENT_PREFIX=env: an ok row, the tool's CPU measured behind it" \
	'[ "$(row 22)" = ok ] && [ "$(row 7)" -gt 0 ] && [[ $(row 21) =~ ^[0-9.]+$ ]]' \
	"row: $(tail -1 "$TMP/res/latest/results.csv" 2>/dev/null), $(tail -3 "$TMP/herr")"
check "meta records the prefix and the address" \
	'grep -qx "client prefix: env" "$TMP/res/latest/meta" && grep -qx "host: 127.0.0.1" "$TMP/res/latest/meta"'
check "meta records the CPU sets and the topology" \
	'grep -q "^cpu sets: client [0-9].*; server [0-9]" "$TMP/res/latest/meta" && grep -q "^topology: " "$TMP/res/latest/meta"'

# The pipeline scenario: wrk with the tree's Lua script, 16 requests per write; replies counted.
harness --scenarios pipeline --levels 64 --modes keepalive
check "pipeline: an ok wrk row whose requests are replies (at least 16 per connection)" \
	'[ "$(row 22)" = ok ] && [ "$(row 6)" = wrk ] && [ "$(row 25)" = pipeline ] && [ "$(row 7)" -ge 1024 ]' \
	"row: $(tail -1 "$TMP/res/latest/results.csv" 2>/dev/null), $(tail -3 "$TMP/herr")"

# Bad input to netns.sh needs no privilege either.
"$NETNS_SH" >/dev/null 2>&1
check "no argument: exit 2" '[ $? -eq 2 ]'
"$NETNS_SH" sideways >/dev/null 2>"$TMP/err"
check "unknown action: exit 2 with usage" '[ $? -eq 2 ] && grep -q "usage:" "$TMP/err"'
NETNS_HOST_ADDR=10.0.0.1 "$NETNS_SH" up >"$TMP/out" 2>"$TMP/err"
check "an address outside 198.18.0.0/15: exit 2, nothing printed" \
	'[ $? -eq 2 ] && [ ! -s "$TMP/out" ] && grep -q "198.18.0.0/15" "$TMP/err"'
NETNS_CLIENT_ADDR=198.19.254.2 "$NETNS_SH" up >/dev/null 2>&1
check "ends in different /24s: exit 2" '[ $? -eq 2 ]'
VETH=waytoolongvethname "$NETNS_SH" up >/dev/null 2>&1
check "an over-long veth name: exit 2" '[ $? -eq 2 ]'

why=$(can_netns)
if [ -n "$why" ]; then
	echo "skip - place: namespaces cannot be made here: $why"
	SKIPPED=1
	finish
fi

out=$(up)
check "up: exit 0 and exactly the selecting line" '[ $? -eq 0 ] && [ "$out" = "$WANT" ]' \
	"got '$out', stderr: $(cat "$TMP/err")"
check "up: one namespace, one veth" '[ "$(count_ns)" -eq 1 ] && [ "$(count_veth)" -eq 1 ]'
out=$(up)
check "up again: reused, the same line, no duplicate" \
	'[ "$out" = "$WANT" ] && grep -q reusing "$TMP/err" && [ "$(count_ns)" -eq 1 ] && [ "$(count_veth)" -eq 1 ]'

# The link carries TCP both ways: a listener on the host's end, a client in the namespace.
eval "$out"
python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 0)); s.listen(1); print(s.getsockname()[1], flush=True)
s.settimeout(5); c, a = s.accept(); c.sendall(a[0].encode()); c.close()
' "$HOST" >"$TMP/port" 2>/dev/null &
srv=$!
for _ in $(seq 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
port=$(cat "$TMP/port")
# shellcheck disable=SC2086 # CLIENT_PREFIX is a command prefix: split on purpose
peer=$($CLIENT_PREFIX python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
print(s.recv(64).decode())
' "$HOST" "$port" 2>&1)
wait "$srv"
check "a TCP connection from the namespace reaches HOST, from the client address" \
	'[ "$peer" = "$NETNS_CLIENT_ADDR" ]' "got '$peer'"

# One short real benchmark with the tool inside the namespace.
harness --host "$HOST" --client-prefix "$CLIENT_PREFIX"
rc=$?
check "a benchmark through the namespace: one ok row with requests and the tool's CPU" \
	'[ "$rc" -eq 0 ] && [ "$(row 22)" = ok ] && [ "$(row 7)" -gt 0 ] && [ "$(row 8)" -eq 0 ] && [[ $(row 21) =~ ^[0-9.]+$ ]]' \
	"exit $rc, row: $(tail -1 "$TMP/res/latest/results.csv" 2>/dev/null), $(tail -3 "$TMP/herr")"
check "its meta names the prefix and the address" \
	'grep -qx "client prefix: $CLIENT_PREFIX" "$TMP/res/latest/meta" && grep -qx "host: $HOST" "$TMP/res/latest/meta"'
harness --host "$HOST" --client-prefix "ip netns exec smbench-nope"
check "a prefix naming a missing namespace: prefix_failed with ip's reason" \
	'[ "$(row 22)" = prefix_failed ] && grep -q "Cannot open network namespace" "$TMP/hout"'

# Leftovers of a killed run: a lost address, then a pair whose namespace lost its name.
ip -n "$NETNS" addr flush dev eth0
out=$(up)
check "a broken leftover is cleaned and made again" \
	'[ "$out" = "$WANT" ] && grep -q cleaning "$TMP/err" && [ "$(count_ns)" -eq 1 ] && [ "$(count_veth)" -eq 1 ]'
ip netns exec "$NETNS" sleep 30 &
holder=$!
sleep 0.2
ip netns del "$NETNS"
out=$(up)
check "a veth left by an unnamed namespace is cleaned" \
	'[ "$out" = "$WANT" ] && [ "$(count_ns)" -eq 1 ] && [ "$(count_veth)" -eq 1 ]' "$(cat "$TMP/err")"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
ip netns exec "$NETNS" sleep 30 &
holder=$!
sleep 0.2
"$NETNS_SH" down 2>/dev/null
rc=$?
wait "$holder" 2>/dev/null
check "down: exit 0, namespace and veth gone, what ran inside stopped" \
	'[ "$rc" -eq 0 ] && [ "$(count_ns)" -eq 0 ] && [ "$(count_veth)" -eq 0 ] && ! kill -0 "$holder" 2>/dev/null'
"$NETNS_SH" down 2>/dev/null
check "down again: harmless" '[ $? -eq 0 ]'

finish

#!/usr/bin/env bash
# fileset/test.sh -- bin/tools/fileset end to end, in a temporary directory (never the cache):
# layout and sizes (SPECweb99's classes), contents from the name (recomputed here in Python,
# independently of fileset.h), idempotence, --check catching one wrong byte, the free-space
# refusal, the default directory under XDG_CACHE_HOME, and a model serving the default set.
# One line per check; exit 1 on any failure.
set -u
FILESET=${FILESET:-bin/tools/fileset}
BIN=${BIN:-bin}
T=$(mktemp -d "${TMPDIR:-/tmp}/fileset.XXXXXX") || exit 1
PID=
cleanup() {
	[[ -n $PID ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
CHECK_WHAT=fileset
# shellcheck source=tests/lib/check.sh
source "$(dirname "$0")/../tests/lib/check.sh"

out=$("$FILESET" --mib 4 --dir "$T/set")
check "prints its directory" [ "$out" = "$T/set" ]
check "one directory of 36 files for 4 MiB" [ "$(find "$T/set" -type f | wc -l)" = 36 ]
total=$(find "$T/set" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
check "5,119,484 bytes a directory" [ "$total" = 5119484 ]
check "class0_0 is 102 bytes, class3_8 921,600" \
	[ "$(stat -c %s "$T/set/dir00000/class0_0")/$(stat -c %s "$T/set/dir00000/class3_8")" = 102/921600 ]
# byte i = pattern[(i + fnv1a(name) % 61) % 61], recomputed without fileset.h
content_ok() {
	python3 - "$T/set" <<'PY'
import sys
pat = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx\n"
for name in ("dir00000/class0_0", "dir00000/class2_4", "dir00000/class3_8"):
    h = 2166136261
    for b in name.encode():
        h = ((h ^ b) * 16777619) & 0xffffffff
    data = open(sys.argv[1] + "/" + name, "rb").read()
    want = bytes(pat[(i + h % 61) % 61] for i in range(len(data)))
    if data != want:
        sys.exit(1)
PY
}
check "contents follow from the names" content_ok
check "--check passes" "$FILESET" --mib 4 --dir "$T/set" --check
touch -d '2000-01-01' "$T/set/dir00000/class1_3"
"$FILESET" --mib 4 --dir "$T/set" >/dev/null
check "a second run rewrites nothing" [ "$(stat -c %Y "$T/set/dir00000/class1_3")" = 946684800 ]
printf 'Z' | dd of="$T/set/dir00000/class2_2" bs=1 seek=1000 conv=notrunc status=none
err=$("$FILESET" --mib 4 --dir "$T/set" --check 2>&1 >/dev/null)
check "--check catches one wrong byte and names the file" \
	[ "$?" = 1 -a -n "$(echo "$err" | grep 'class2_2.*content differs')" ]
err=$("$FILESET" --mib 1048576 --dir "$T/huge" 2>&1 >/dev/null)
check "a set bigger than the disk is refused before writing" \
	[ "$?" = 1 -a ! -e "$T/huge" -a -n "$(echo "$err" | grep 'needs .* MiB more')" ]
check "--list names every file with its size" \
	[ "$("$FILESET" --mib 4 --list | wc -l)/$("$FILESET" --mib 4 --list | sed -n 36p)" = "36/dir00000/class3_8 921600" ]
check "a bad --mib is a usage error" bash -c "'$FILESET' --mib 0 2>/dev/null; [ \$? = 2 ]"
out=$(XDG_CACHE_HOME=$T/xdg "$FILESET" --mib 4)
check "the default directory is under XDG_CACHE_HOME" [ "$out" = "$T/xdg/server-models/files-spec99-4m" ]

# --evict drops all but the hot subset (dir00000's classes 0 and 1: 50,684 bytes), file by file
res=$("$FILESET" --mib 4 --dir "$T/set" --evict --resident)
if [[ $res == "resident: 5119484 of 5119484 bytes"* ]]; then
	echo "skip - fileset: --evict: this filesystem keeps evicted pages (tmpfs?)"
else
	check "--evict leaves only the hot subset resident" \
		[ "$res" = "resident: 50684 of 5119484 bytes (1.0 %)" ]
fi
check "--disk-latency reports a median" \
	bash -c "'$FILESET' --mib 4 --dir '$T/set' --disk-latency 4 | grep -q '^disk: 4 first reads.*median [0-9]* us'"

# A model without --docroot serves the default set: a small one at the default's path.
"$FILESET" --mib 4 --dir "$T/xdg/server-models/files-spec99-2048m" >/dev/null
XDG_CACHE_HOME=$T/xdg "$BIN/epoll" --port 0 >"$T/log" 2>&1 &
PID=$!
for _ in $(seq 50); do grep -q listening "$T/log" && break; sleep 0.1; done
port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$T/log")
curl -s -m 5 "http://127.0.0.1:$port/file/dir00000/class1_5" >"$T/got"
check "a model serves the default set" cmp -s "$T/got" "$T/xdg/server-models/files-spec99-2048m/dir00000/class1_5"
check_summary

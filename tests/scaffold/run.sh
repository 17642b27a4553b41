#!/usr/bin/env bash
# tests/scaffold/run.sh -- `make new-model` end to end, in a throw-away copy of the tree.
#
#   tests/scaffold/run.sh
#
# Copies the work tree (without .git, bin, build, results and generated charts) to a temporary
# directory, checks that `make new-model` refuses bad, reserved and taken names, creates
# models/scaffoldtest/ touching nothing else, that plain `make` builds bin/scaffoldtest without a
# warning, that it serves, that the integration runner passes it and that the harness lists it.
# One line per check (`ok - ...` / `not ok - ...: why` / `skip - ...: why`), then
# `N passed, N failed[, N skipped]`; exit 1 on any failure. The copy is always removed.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
NAME=scaffoldtest
PASSED=0 FAILED=0 SKIPPED=0
TMP=

cleanup() {
	declare -F server_cleanup >/dev/null && server_cleanup
	[[ -n $TMP && -d $TMP ]] && rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ok() {
	echo "ok - scaffold: $1"
	PASSED=$((PASSED + 1))
}

not_ok() {
	echo "not ok - scaffold: $1: ${2//$'\n'/ }"
	FAILED=$((FAILED + 1))
}

skip() {
	echo "skip - scaffold: $1: $2"
	SKIPPED=$((SKIPPED + 1))
}

finish() {
	if ((SKIPPED)); then
		echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
	else
		echo "$PASSED passed, $FAILED failed"
	fi
	((FAILED == 0))
	exit
}

# make in the copy, isolated from a calling make: its MAKEFLAGS would carry the caller's
# BUILD and BIN (and jobserver) into the copy's build.
tmake() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
		make --no-print-directory -C "$TMP" BUILD="$TMP/build" BIN="$TMP/bin" "$@"
}

# Every file of the copy but the build output, with its checksum: what "nothing else edited" compares.
snapshot() {
	(cd "$TMP" && find . -path ./build -prune -o -path ./bin -prune -o -type f -print0 |
		sort -z | xargs -0 -r md5sum)
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/scaffold.XXXXXX") || exit 1

# --- the copy ------------------------------------------------------------------------------
# plots/<run-id>/ holds generated charts (plots/*.gp are sources): copy files one level deep only.
if tar -C "$ROOT" --exclude=./.git --exclude=./bin --exclude=./build --exclude=./results \
	--exclude='./plots/*/*' -cf - . | tar -C "$TMP" -xf -; then
	ok "copy of the tree"
else
	not_ok "copy of the tree" "tar failed"
	finish
fi
rm -rf "$TMP/models/$NAME" # a stale one in the source tree must not fake a pass

# --- refused names -------------------------------------------------------------------------
taken=$(cd "$TMP/models" && for d in */; do
	d=${d%/}
	[[ $d != common ]] && { echo "$d"; break; }
done)
before=$(snapshot)
# name|why it must be refused
while IFS='|' read -r bad why; do
	out=$(tmake new-model NAME="$bad" 2>&1)
	rc=$?
	if ((rc == 0)); then
		not_ok "refuses $why ('$bad')" "exit 0: $out"
	elif [[ $(snapshot) != "$before" ]]; then
		not_ok "refuses $why ('$bad')" "the tree changed"
	else
		ok "refuses $why ('$bad')"
	fi
done <<EOF
|an empty name
Foo|an upper-case name
1abc|a leading digit
-abc|a leading dash
a.b|a dot
a b|a space
../x|a path
a/b|a slash
common|the shared module's directory
harness|the harness's name
ref-x|a reference-server name
$(printf 'a%.0s' {1..33})|a name over 32 characters
${taken:-single}|an existing model
EOF

# --- creation ------------------------------------------------------------------------------
out=$(tmake new-model NAME=$NAME 2>&1)
rc=$?
dir=$TMP/models/$NAME
if ((rc != 0)); then
	not_ok "make new-model NAME=$NAME" "exit $rc: $out"
	finish
fi
if [[ -f $dir/$NAME.c && -f $dir/README.md ]]; then
	ok "make new-model NAME=$NAME creates $NAME.c and README.md"
else
	not_ok "make new-model NAME=$NAME creates $NAME.c and README.md" "$(ls -A "$dir" 2>&1)"
fi
if grep -q '@NAME@' "$dir"/* 2>/dev/null; then
	not_ok "the name is substituted everywhere" "$(grep -n '@NAME@' "$dir"/* | head -3)"
elif ! head -1 "$dir/$NAME.c" | grep -q "^/\* $NAME\.c -- "; then
	not_ok "the name is substituted everywhere" "first line: $(head -1 "$dir/$NAME.c")"
else
	ok "the name is substituted everywhere"
fi
changed=$(diff <(echo "$before") <(snapshot) | sed -n 's/^> [0-9a-f]*  //p' | grep -v "^\./models/$NAME/")
removed=$(diff <(echo "$before") <(snapshot) | grep -c '^<')
if [[ -z $changed && $removed == 0 ]]; then
	ok "nothing but models/$NAME/ is added or edited"
else
	not_ok "nothing but models/$NAME/ is added or edited" "$(echo "$changed" | head -3)"
fi
snap=$(md5sum "$dir"/*)
if tmake new-model NAME=$NAME >/dev/null 2>&1; then
	not_ok "refuses the same name twice" "exit 0"
elif [[ $(md5sum "$dir"/*) != "$snap" ]]; then
	not_ok "refuses the same name twice" "the model's files changed"
else
	ok "refuses the same name twice"
fi

# --- build ---------------------------------------------------------------------------------
out=$(tmake -j2 2>&1)
rc=$?
if ((rc == 0)); then
	ok "plain make succeeds"
else
	not_ok "plain make succeeds" "exit $rc: $(grep -m3 -E 'error|Error|No rule' <<<"$out")"
	# something else is broken: build the new model alone so that the checks below still run
	out+=$'\n'$(tmake "$TMP/bin/$NAME" 2>&1)
fi
if [[ -x $TMP/bin/$NAME ]]; then
	ok "make builds bin/$NAME"
else
	not_ok "make builds bin/$NAME" "no $TMP/bin/$NAME: $(tail -3 <<<"$out")"
	finish
fi
warn=$(grep -E "models/$NAME/.*(warning|error):" <<<"$out")
if [[ -z $warn ]]; then
	ok "$NAME.c compiles without a warning"
else
	not_ok "$NAME.c compiles without a warning" "$(head -3 <<<"$warn")"
fi

# --- it serves -----------------------------------------------------------------------------
# shellcheck source=../lib/server.sh
if [[ -f $ROOT/tests/lib/server.sh ]] && . "$ROOT/tests/lib/server.sh"; then
	if server_start "$TMP/bin/$NAME"; then
		reply=$(curl -s -i --max-time 5 "http://127.0.0.1:$SERVER_PORT/")
		if grep -q '^HTTP/1.1 200' <<<"$reply" && grep -qi "^Server: $NAME" <<<"$reply" &&
			grep -q 'Hello world' <<<"$reply"; then
			ok "bin/$NAME answers 200 Hello world as Server: $NAME"
		else
			not_ok "bin/$NAME answers 200 Hello world as Server: $NAME" "$(head -3 <<<"$reply")"
		fi
		if server_stop; then
			ok "bin/$NAME exits 0 on SIGTERM (${SERVER_STOP_MS} ms)"
		else
			not_ok "bin/$NAME exits 0 on SIGTERM" "rc $SERVER_RC after $SERVER_STOP_MS ms ${SERVER_STOP_WHY:-}"
		fi
	else
		not_ok "bin/$NAME starts" "$(server_log_tail 3)"
	fi
else
	skip "bin/$NAME serves" "no tests/lib/server.sh"
fi

# --- the integration runner and the harness find it ---------------------------------------
if [[ -x $TMP/tests/integration/run.sh ]]; then
	probe=()
	if tmake "$TMP/build/tests/httpprobe" >/dev/null 2>&1; then
		probe=(--probe "$TMP/build/tests/httpprobe")
	fi
	out=$("$TMP/tests/integration/run.sh" --bin "$TMP/bin" "${probe[@]}" $NAME 2>&1)
	rc=$?
	last=$(tail -1 <<<"$out")
	if ((rc == 0)) && [[ $last =~ ^[1-9][0-9]*\ passed,\ 0\ failed ]]; then
		ok "integration runner passes $NAME ($last)"
	else
		not_ok "integration runner passes $NAME" "exit $rc: $(grep -m3 '^not ok' <<<"$out") $last"
	fi
else
	skip "integration runner passes $NAME" "no tests/integration/run.sh"
fi

# The harness discovers models in the bin directory; it lists its plan without running it.
if [[ -x $TMP/bin/harness ]]; then
	listed=
	for opt in --list --dry-run; do
		if out=$(cd "$TMP" && timeout 20 bin/harness --bin "$TMP/bin" "$opt" 2>&1) ||
			out=$(cd "$TMP" && timeout 20 bin/harness "$opt" 2>&1); then
			listed=$opt
			break
		fi
	done
	if [[ -z $listed ]]; then
		skip "the harness lists $NAME" "bin/harness has neither --list nor --dry-run"
	elif grep -qw "$NAME" <<<"$out"; then
		ok "the harness lists $NAME (harness $listed)"
	else
		not_ok "the harness lists $NAME" "not in: $(head -5 <<<"$out")"
	fi
else
	skip "the harness lists $NAME" "no bin/harness"
fi

finish

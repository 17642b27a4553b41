#!/usr/bin/env bash
# tests/scaffold/run.sh -- `make new-model` end to end, for every template, in a throw-away copy.
#
#   tests/scaffold/run.sh
#
# Copies the work tree (without .git, bin, build, results and generated charts) to a temporary
# directory, checks the Facts line reader (tests/lib/facts.sh) over a table of lines and that
# `make new-model` refuses bad, reserved and taken names and an unknown TEMPLATE, then scaffolds
# one model from each template (scaffoldtest: iterative, the default; scaffoldev: evloop), each
# touching nothing but its own directory. One plain `make` must build
# both without a warning; each must serve, and declare in its Facts line what it does
# (keepalive=); the integration and robustness runners must pass both and the harness must list
# them. One line per check (`ok - ...` / `not ok - ...: why` / `skip - ...: why`), then
# `N passed, N failed[, N skipped]`; exit 1 on any failure. The copy is always removed.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# name|template (TEMPLATE=, empty: the default)|the Connection header its replies carry
SCAFFOLDS='scaffoldtest||close
scaffoldev|evloop|keep-alive'
NAMES=$(cut -d'|' -f1 <<<"$SCAFFOLDS" | paste -sd' ')
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
for n in $NAMES; do
	rm -rf "${TMP:?}/models/$n" # a stale one in the source tree must not fake a pass
done

# --- refused names -------------------------------------------------------------------------
taken=$(cd "$TMP/models" && for d in */; do
	d=${d%/}
	[[ $d != common ]] && { echo "$d"; break; }
done)
before=$(snapshot)
# name|why it must be refused[|TEMPLATE]
while IFS='|' read -r bad why template; do
	out=$(tmake new-model NAME="$bad" ${template:+TEMPLATE="$template"} 2>&1)
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
fine|an unknown template|nosuch
EOF

# --- the Facts line reader the tests share (tests/lib/facts.sh) ------------------------------
# shellcheck source=../lib/facts.sh
. "$ROOT/tests/lib/facts.sh"
# line|0 well formed, 1 refused
while IFS='|' read -r line want; do
	why=$(facts_check "$line")
	got=$?
	if ((got == want && got == 0)); then
		ok "facts_check accepts '$line'"
	elif ((got == want)); then
		ok "facts_check refuses '$line' ($why)"
	else
		not_ok "facts_check '$line'" "exit $got, expected $want ${why}"
	fi
done <<'EOF'
keepalive=yes parallel=1 workers=- wait=ready|0
keepalive=no parallel=conn workers=- wait=-|0
keepalive=yes parallel=workers workers=256 wait=-|0
keepalive=yes parallel=workers workers=cpus wait=ready|0
keepalive=yes parallel=1 workers=- wait=all later=key|0
keepalive=yes parallel=1 workers=-|1
keepalive=yes parallel=1 workers=- wait=some|1
keepalive=yes parallel=1 workers=- wait=ready wait=all|1
keepalive=maybe parallel=1 workers=- wait=-|1
keepalive=yes parallel=2 workers=- wait=-|1
keepalive=yes parallel=workers workers=- wait=-|1
keepalive=yes parallel=workers workers=0 wait=-|1
keepalive=yes parallel=conn workers=cpus wait=-|1
keepalive=yes parallel=1 wait=-|1
parallel=1 workers=- wait=-|1
keepalive=yes keepalive=no parallel=1 workers=- wait=-|1
keepalive parallel=1 workers=- wait=-|1
|1
EOF

# --- creation: one model per template -------------------------------------------------------
while IFS='|' read -r NAME template _; do
	what="make new-model NAME=$NAME${template:+ TEMPLATE=$template}"
	snap_before=$(snapshot)
	out=$(tmake new-model NAME="$NAME" ${template:+TEMPLATE="$template"} 2>&1)
	rc=$?
	dir=$TMP/models/$NAME
	if ((rc != 0)); then
		not_ok "$what" "exit $rc: $out"
		finish
	fi
	if [[ -f $dir/$NAME.c && -f $dir/README.md ]]; then
		ok "$what creates $NAME.c and README.md"
	else
		not_ok "$what creates $NAME.c and README.md" "$(ls -A "$dir" 2>&1)"
	fi
	if grep -q '@NAME@' "$dir"/* 2>/dev/null; then
		not_ok "$NAME: the name is substituted everywhere" "$(grep -n '@NAME@' "$dir"/* | head -3)"
	elif ! head -1 "$dir/$NAME.c" | grep -q "^/\* $NAME\.c -- "; then
		not_ok "$NAME: the name is substituted everywhere" "first line: $(head -1 "$dir/$NAME.c")"
	else
		ok "$NAME: the name is substituted everywhere"
	fi
	changed=$(diff <(echo "$snap_before") <(snapshot) | sed -n 's/^> [0-9a-f]*  //p' | grep -v "^\./models/$NAME/")
	removed=$(diff <(echo "$snap_before") <(snapshot) | grep -c '^<')
	if [[ -z $changed && $removed == 0 ]]; then
		ok "$NAME: nothing but models/$NAME/ is added or edited"
	else
		not_ok "$NAME: nothing but models/$NAME/ is added or edited" "$(echo "$changed" | head -3)"
	fi
	snap=$(md5sum "$dir"/*)
	if tmake new-model NAME="$NAME" >/dev/null 2>&1; then
		not_ok "$NAME: refuses the same name twice" "exit 0"
	elif [[ $(md5sum "$dir"/*) != "$snap" ]]; then
		not_ok "$NAME: refuses the same name twice" "the model's files changed"
	else
		ok "$NAME: refuses the same name twice"
	fi
done <<<"$SCAFFOLDS"

# --- build ---------------------------------------------------------------------------------
out=$(tmake -j2 2>&1)
rc=$?
if ((rc == 0)); then
	ok "plain make succeeds"
else
	not_ok "plain make succeeds" "exit $rc: $(grep -m3 -E 'error|Error|No rule' <<<"$out")"
	# something else is broken: build the new models alone so that the checks below still run
	for n in $NAMES; do
		out+=$'\n'$(tmake "$TMP/bin/$n" 2>&1)
	done
fi
for n in $NAMES; do
	if [[ -x $TMP/bin/$n ]]; then
		ok "make builds bin/$n"
	else
		not_ok "make builds bin/$n" "no $TMP/bin/$n: $(tail -3 <<<"$out")"
		finish
	fi
	warn=$(grep -E "models/$n/.*(warning|error):" <<<"$out")
	if [[ -z $warn ]]; then
		ok "$n.c compiles without a warning"
	else
		not_ok "$n.c compiles without a warning" "$(head -3 <<<"$warn")"
	fi
done

# --- it serves, as its Facts line says -------------------------------------------------------
# shellcheck source=../lib/server.sh
if [[ -f $ROOT/tests/lib/server.sh ]] && . "$ROOT/tests/lib/server.sh"; then
	while IFS='|' read -r NAME _ conn; do
		if ! server_start "$TMP/bin/$NAME"; then
			not_ok "bin/$NAME starts" "$(server_log_tail 3)"
			continue
		fi
		reply=$(curl -s -i --max-time 5 "http://127.0.0.1:$SERVER_PORT/")
		if grep -q '^HTTP/1.1 200' <<<"$reply" && grep -qi "^Server: $NAME" <<<"$reply" &&
			grep -qi "^Connection: $conn" <<<"$reply" && grep -q 'Hello world' <<<"$reply"; then
			ok "bin/$NAME answers 200 Hello world as Server: $NAME, Connection: $conn"
		else
			not_ok "bin/$NAME answers 200 Hello world as Server: $NAME, Connection: $conn" \
				"$(head -3 <<<"$reply")"
		fi
		facts=$(grep -m1 '^Facts:' "$TMP/models/$NAME/README.md")
		want=$([[ $conn == close ]] && echo no || echo yes)
		if [[ " $facts " == *" keepalive=$want "* ]]; then
			ok "$NAME's Facts line says keepalive=$want"
		else
			not_ok "$NAME's Facts line says keepalive=$want" "${facts:-no Facts line}"
		fi
		if server_stop; then
			ok "bin/$NAME exits 0 on SIGTERM (${SERVER_STOP_MS} ms)"
		else
			not_ok "bin/$NAME exits 0 on SIGTERM" "rc $SERVER_RC after $SERVER_STOP_MS ms ${SERVER_STOP_WHY:-}"
		fi
	done <<<"$SCAFFOLDS"
else
	skip "the new models serve" "no tests/lib/server.sh"
fi

# --- the test runners pass them, the harness finds them --------------------------------------
# runner WHAT CMD...: run a suite's runner; it must exit 0 with "N passed, 0 failed" last.
runner() {
	local what=$1 out rc last
	shift
	out=$("$@" 2>&1)
	rc=$?
	last=$(tail -1 <<<"$out")
	if ((rc == 0)) && [[ $last =~ ^[1-9][0-9]*\ passed,\ 0\ failed ]]; then
		ok "$what runner passes $NAMES ($last)"
	else
		not_ok "$what runner passes $NAMES" "exit $rc: $(grep -m3 '^not ok' <<<"$out") $last"
	fi
}

# shellcheck disable=SC2086 # NAMES: one word per model
if [[ -x $TMP/tests/integration/run.sh ]]; then
	probe=()
	if tmake "$TMP/build/tests/httpprobe" >/dev/null 2>&1; then
		probe=(--probe "$TMP/build/tests/httpprobe")
	fi
	runner integration "$TMP/tests/integration/run.sh" --bin "$TMP/bin" "${probe[@]}" $NAMES
else
	skip "integration runner passes $NAMES" "no tests/integration/run.sh"
fi
# The robustness bounds for an iterative model and for an event loop are the ones a new model meets.
# shellcheck disable=SC2086
if [[ -x $TMP/tests/robust/run.sh ]] && tmake "$TMP/build/tests/hostile" >/dev/null 2>&1; then
	runner robustness "$TMP/tests/robust/run.sh" --bin "$TMP/bin" --tool "$TMP/build/tests/hostile" $NAMES
else
	skip "robustness runner passes $NAMES" "no tests/robust/run.sh or hostile client"
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
	for n in $NAMES; do
		if [[ -z $listed ]]; then
			skip "the harness lists $n" "bin/harness has neither --list nor --dry-run"
		elif grep -qw "$n" <<<"$out"; then
			ok "the harness lists $n (harness $listed)"
		else
			not_ok "the harness lists $n" "not in: $(head -5 <<<"$out")"
		fi
	done
else
	skip "the harness lists $NAMES" "no bin/harness"
fi

finish

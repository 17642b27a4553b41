#!/bin/sh
# test_newcomer.sh -- `make test-newcomer`: newcomer.sh on README.md must pass, and on each
# broken copy of it below must fail naming the defect. A copy lives in a scratch directory
# beside links to the tree's other top-level entries, so its relative paths still resolve.
here=$(dirname "$0")
check=$here/newcomer.sh
fails=0

"$check" README.md results/reference || fails=$((fails + 1))

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
for e in *; do
	[ "$e" = README.md ] || ln -s "$PWD/$e" "$tmp/$e"
done

# name | sed program that breaks README.md | what the failure must say
while IFS='|' read -r name prog expect; do
	[ -n "$name" ] || continue
	sed "$prog" README.md >"$tmp/README.md"
	if cmp -s README.md "$tmp/README.md"; then
		echo "FAIL $name: the sed program changed nothing (the case tests nothing)"
		fails=$((fails + 1))
		continue
	fi
	out=$("$check" "$tmp/README.md" results/reference 2>&1) && rc=0 || rc=$?
	if [ $rc -eq 0 ] || ! echo "$out" | grep -qF "$expect"; then
		echo "FAIL $name: want a failure saying '$expect', got (exit $rc):"
		echo "$out"
		fails=$((fails + 1))
	else
		echo "ok   $name"
	fi
done <<'CASES'
broken link|0,/(docs\/findings\.md)/s//(docs\/no-such-file.md)/|no such file
broken image|0,/(plots\/reference\/[^)]*\.png)/s//(plots\/reference\/none.png)/|no such file
broken anchor|0,/#the-machine)/s//#no-such-heading)/|no such heading
unkept run|s/20261129-225339/20991231-000000/|run 20991231-000000 is not kept
table pushed down|3{p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p}|past the first 60
no make test|s/^make test /make check /|'make test' is not in the first 60 lines
no make bench-all|s/^make bench-all /make bench /|'make bench-all' is not in the first 60 lines
no findings table|s/^## Findings at a glance/## Findings/|no findings table
CASES

echo "test-newcomer: $fails failed"
[ $fails -eq 0 ]

#!/bin/sh
# newcomer.sh -- README.md as a newcomer meets it (issue 26): every relative link and image
# path resolves (anchors too: a heading of the target file), every run id it cites is kept
# under results/reference/, and its first 60 lines hold the two commands and the findings
# table. Usage: newcomer.sh [README [REFERENCE_DIR]]; prints each failure, exits 1 on any.
readme=${1:-README.md}
refdir=${2:-results/reference}
dir=$(dirname "$readme")
fail=0
say() { echo "newcomer: $readme: $*"; fail=1; }

[ -r "$readme" ] || { echo "newcomer: cannot read $readme"; exit 1; }

# A heading's GitHub anchor: lower case, punctuation dropped, blanks to hyphens.
anchors() {
	sed -n 's/^#\{1,6\} \(.*\)$/\1/p' "$1" | tr 'A-Z' 'a-z' |
		sed 's/[^a-z0-9 _-]//g; s/ /-/g'
}

# 1. Links and images: [text](target) and ![alt](target), outside code blocks.
links=$(awk '/^```/ { code = !code; next } !code' "$readme" |
	grep -o '\](\([^)]*\))' | sed 's/^](//; s/)$//')
for t in $links; do
	case $t in
	http://* | https://* | mailto:*) continue ;;
	esac
	path=${t%%#*}
	anchor=
	case $t in *'#'*) anchor=${t#*#} ;; esac
	if [ -z "$path" ]; then
		file=$readme
	else
		file=$dir/$path
		[ -e "$file" ] || { say "link to $t: no such file"; continue; }
	fi
	if [ -n "$anchor" ]; then
		case $file in
		*.md) anchors "$file" | grep -qxF "$anchor" || say "link to $t: no such heading" ;;
		esac
	fi
done

# 2. Every run id cited (a YYYYMMDD-HHMMSS word) is kept under the reference directory.
for id in $(grep -o '\b[0-9]\{8\}-[0-9]\{6\}\b' "$readme" | sort -u); do
	grep -rqF "$id" "$refdir" 2>/dev/null || say "run $id is not kept under $refdir"
done

# 3. The first 60 lines: the two commands, and the whole findings table.
head -n 60 "$readme" | grep -q '^make test\b' || say "'make test' is not in the first 60 lines"
head -n 60 "$readme" | grep -q '^make bench-all\b' ||
	say "'make bench-all' is not in the first 60 lines"
end=$(awk '/^## Findings at a glance/ { h = NR } h && NR > h && /^\|/ { t = 1; last = NR }
	t && !/^\|/ { print last; exit }' "$readme")
rows=$(awk '/^## Findings at a glance/ { h = 1; next } h && /^\|/ { n++ } h && n && !/^\|/ { exit }
	END { print n + 0 }' "$readme")
if [ -z "$end" ] || [ "$rows" -lt 3 ]; then
	say "no findings table (a '## Findings at a glance' heading, then a table)"
elif [ "$end" -gt 60 ]; then
	say "the findings table ends at line $end, past the first 60"
fi

[ $fail -eq 0 ] && echo "newcomer: $readme: links, run ids and the first 60 lines ok"
exit $fail

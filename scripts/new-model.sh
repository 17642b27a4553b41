#!/usr/bin/env bash
# scripts/new-model.sh NAME [TEMPLATE] -- create models/NAME/ (NAME.c, README.md) from a template.
#
# TEMPLATE is a row of the table below: iterative (the default: scripts/model-template/, one
# blocking connection at a time) or evloop (scripts/evloop-template/, a readiness loop on evconn).
#
# The new model is complete as it stands: `make` builds bin/NAME, the tests and the harness
# find it, and nothing else needs editing. Refuses a name that is taken, reserved (common,
# harness: bin/harness is not a model; ref-*: reference servers, skipped by the tests) or not [a-z][a-z0-9_-]* (at most 32 characters).
# Exit 0 on success, 2 on a refused name or an unknown template, 1 on any other failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
name=${1-}
template=${2:-iterative}

# name|directory under scripts/|what it scaffolds
TEMPLATES='iterative|model-template|an iterative server: one blocking connection at a time
evloop|evloop-template|a readiness loop (epoll) on evconn: many connections, one thread'

refuse() {
	echo "new-model: $1" >&2
	echo "usage: make new-model NAME=name [TEMPLATE=$(cut -d'|' -f1 <<<"$TEMPLATES" | paste -sd'|')]" >&2
	echo "       name: [a-z][a-z0-9_-]*, at most 32 characters; templates:" >&2
	while IFS='|' read -r t _ what; do
		echo "         $t: $what" >&2
	done <<<"$TEMPLATES"
	exit 2
}

tdir=$(awk -F'|' -v t="$template" '$1 == t { print $2 }' <<<"$TEMPLATES")
[[ -n $tdir ]] || refuse "unknown template '$template'"
TEMPLATE=$ROOT/scripts/$tdir

[[ -n $name ]] || refuse "no NAME given"
[[ $name =~ ^[a-z][a-z0-9_-]*$ ]] || refuse "bad name '$name': use [a-z][a-z0-9_-]*"
((${#name} <= 32)) || refuse "name '$name' is longer than 32 characters"
case $name in
common | harness) refuse "'$name' is reserved" ;;
ref-*) refuse "'$name': ref-* names are for reference servers, which the tests skip" ;;
esac
dest=$ROOT/models/$name
[[ ! -e $dest ]] || refuse "models/$name already exists"

# Build it aside and rename it into place, so a failure never leaves half a model behind.
tmp=$(mktemp -d "$ROOT/models/.new-$name.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
sed "s/@NAME@/$name/g" "$TEMPLATE/model.c" >"$tmp/$name.c"
sed "s/@NAME@/$name/g" "$TEMPLATE/README.md" >"$tmp/README.md"
chmod 755 "$tmp"
chmod 644 "$tmp/$name.c" "$tmp/README.md"
# mv -T fails rather than moving into a directory that appeared meanwhile
mv -T "$tmp" "$dest" || refuse "models/$name already exists"
trap - EXIT
echo "new-model: created models/$name/$name.c and models/$name/README.md ($template template)"
echo "new-model: 'make' builds bin/$name; edit $name.c (the model) and README.md (what it is)"

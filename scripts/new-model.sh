#!/usr/bin/env bash
# scripts/new-model.sh NAME -- create models/NAME/ (NAME.c, README.md) from scripts/model-template/.
#
# The new model is complete as it stands: `make` builds bin/NAME, the tests and the harness
# find it, and nothing else needs editing. Refuses a name that is taken, reserved (common,
# harness: bin/harness is not a model; ref-*: reference servers, skipped by the tests) or not [a-z][a-z0-9_-]* (at most 32 characters).
# Exit 0 on success, 2 on a refused name, 1 on any other failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TEMPLATE=$ROOT/scripts/model-template
name=${1-}

refuse() {
	echo "new-model: $1" >&2
	echo "usage: make new-model NAME=name   (name: [a-z][a-z0-9_-]*, at most 32 characters)" >&2
	exit 2
}

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
echo "new-model: created models/$name/$name.c and models/$name/README.md"
echo "new-model: 'make' builds bin/$name; edit $name.c (the model) and README.md (what it is)"

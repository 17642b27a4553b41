#!/usr/bin/env bash
# scripts/format-check.sh -- are the tracked C sources and headers clang-formatted?
#
#   scripts/format-check.sh
#
# Runs clang-format 14 (`clang-format-14`, else a `clang-format` whose version is 14) with
# --dry-run --Werror and the repository's .clang-format over every tracked *.c and *.h (every
# one under the tree when there is no git checkout), and lists the files that differ, each with
# its first offending line and the command that fixes it. Another clang-format version formats
# differently, so it is refused rather than trusted. Exit 0 when all are formatted, 1 when some
# are not, 2 when no clang-format 14 is found.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 2

cf=
for c in clang-format-14 clang-format; do
	if command -v "$c" >/dev/null && [[ $("$c" --version) =~ version\ 14\. ]]; then
		cf=$c
		break
	fi
done
if [[ -z $cf ]]; then
	echo "format-check: clang-format 14 not found (scripts/install-deps.sh installs it)" >&2
	exit 2
fi

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	mapfile -t files < <(git ls-files -- '*.c' '*.h')
else
	mapfile -t files < <(find . -path ./build -prune -o -path ./bin -prune -o \
		-type f \( -name '*.c' -o -name '*.h' \) -print | sed 's|^\./||' | sort)
fi

bad=0
for f in "${files[@]}"; do
	[[ -f $f ]] || continue # deleted but not yet committed
	if ! out=$("$cf" --dry-run --Werror "$f" 2>&1); then
		echo "format-check: $f is not formatted: $(head -1 <<<"$out" | sed "s|^$f:||")"
		bad=$((bad + 1))
	fi
done
if ((bad)); then
	echo "format-check: $bad of ${#files[@]} files differ; fix with: $cf -i FILE"
	exit 1
fi
echo "format-check: ${#files[@]} files formatted"

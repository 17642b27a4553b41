# tests/lib/facts.sh -- read a model's Facts line from a bash test (sourced, not run).
# shellcheck shell=bash
#
#   facts_line ROOT MODEL        print the Facts line of ROOT/models/MODEL/README.md without its
#                                `Facts:` prefix; return 1 (printing why) when there is no README
#                                or no line starting `Facts:`.
#   facts_check LINE             return 0 when LINE (as facts_line prints it) is well formed:
#                                keepalive=yes|no, parallel=1|conn|workers, workers=N|cpus when
#                                parallel=workers and workers=- otherwise, wait=ready|all|-
#                                (what one wait costs against the watched connections), each key
#                                once (other keys are left to whoever reads them). Otherwise
#                                print why and return 1.
#   facts_get LINE KEY           print KEY's value in LINE (empty when absent).
#   variants_of ROOT MODEL       print MODEL's variant names, one a line, from the `Variants:`
#                                line of its README (nothing when it has none).
#   variant_flags ROOT MODEL V   print variant V's flags, one a line; return 1 (printing why)
#                                when MODEL has no variant V.
#   models_expand ROOT BIN_DIR [SPEC...]
#                                print the runs a test suite makes, one `PATH[:VARIANT]` a line:
#                                each SPEC (a model name or path, `NAME:VARIANT` or `NAME:*` for
#                                every variant); with no SPEC every model in BIN_DIR
#                                (server_models, tests/lib/server.sh: source it first), each
#                                followed by its variants (not with VARIANTS=0 in the
#                                environment: the models alone).
#
# The line is docs/design.md's: `Facts: keepalive=yes parallel=workers workers=256 wait=-`, at the start
# of a line of the model's README. Tests read it instead of grepping the README's prose.
# The Variants line is docs/design.md's too: `Variants: basic=--uring=basic ...`, each word a
# variant's name, `=`, and its flags joined by commas.

facts_line() {
	local readme=$1/models/$2/README.md line
	[[ -f $readme ]] || { echo "no models/$2/README.md"; return 1; }
	line=$(grep -m1 '^Facts:' "$readme") || { echo "no line starting 'Facts:' in models/$2/README.md"; return 1; }
	echo "${line#Facts:}"
}

facts_get() {
	local kv
	for kv in $1; do
		[[ $kv == "$2="* ]] && { echo "${kv#*=}"; return 0; }
	done
	return 0
}

facts_check() {
	local kv k seen=" " ka par w wait
	for kv in $1; do
		k=${kv%%=*}
		[[ $kv == *=* ]] || { echo "'$kv' is not key=value"; return 1; }
		[[ $seen == *" $k "* ]] && { echo "'$k' given twice"; return 1; }
		seen+="$k "
	done
	ka=$(facts_get "$1" keepalive) par=$(facts_get "$1" parallel) w=$(facts_get "$1" workers)
	wait=$(facts_get "$1" wait)
	[[ $ka == yes || $ka == no ]] || { echo "keepalive='$ka', expected yes or no"; return 1; }
	[[ $wait == ready || $wait == all || $wait == - ]] ||
		{ echo "wait='$wait', expected ready, all or -"; return 1; }
	case $par in
	1 | conn) [[ $w == - ]] || { echo "workers='$w' with parallel=$par, expected -"; return 1; } ;;
	workers)
		[[ $w == cpus || $w =~ ^[1-9][0-9]*$ ]] ||
			{ echo "workers='$w' with parallel=workers, expected a number or cpus"; return 1; } ;;
	*) echo "parallel='$par', expected 1, conn or workers"; return 1 ;;
	esac
}

variants_line() {
	local readme=$1/models/$2/README.md
	[[ -f $readme ]] && grep -m1 '^Variants:' "$readme" | cut -d: -f2-
	return 0
}

variants_of() {
	local w
	for w in $(variants_line "$1" "$2"); do
		echo "${w%%=*}"
	done
}

variant_flags() {
	local w
	for w in $(variants_line "$1" "$2"); do
		[[ ${w%%=*} == "$3" ]] && { tr ',' '\n' <<<"${w#*=}"; return 0; }
	done
	echo "models/$2 has no variant '$3' (its README's Variants line)"
	return 1
}

models_expand() {
	local root=$1 bin=$2 spec name v
	shift 2
	if (($# == 0)); then
		for name in $(server_models "$bin"); do
			set -- "$@" "$bin/$name"
			[[ ${VARIANTS:-1} == 0 ]] && continue # the models alone (make test's robust and san)
			for v in $(variants_of "$root" "$name"); do
				set -- "$@" "$bin/$name:$v"
			done
		done
	fi
	for spec in "$@"; do
		[[ $spec == */* ]] || spec=$bin/$spec
		name=$(basename "${spec%%:*}")
		if [[ $spec == *:\* ]]; then
			for v in $(variants_of "$root" "$name"); do
				echo "${spec%%:*}:$v"
			done
		else
			echo "$spec"
		fi
	done
}

#!/usr/bin/env bash
# install-deps.sh -- install the Debian packages server-models needs.
# Run as root (or with sudo available) it installs what is missing with
# apt-get; otherwise it prints the exact command and exits 1.
# OPTIONAL=1 also installs the reference server (nginx-light), which
# `make bench-compare` uses and `make test` does not need.
set -euo pipefail

packages=(
	gcc make pkg-config libc6-dev      # build
	libevent-dev                       # the libevent model
	libuv1-dev                         # the libuv model
	liburing-dev                       # the io_uring model
	libcmocka-dev                      # unit tests
	clang libclang-rt-14-dev           # libFuzzer and sanitizer runtimes
	clang-format                       # make format-check (clang-format 14)
	valgrind                           # leak checks
	curl apache2-utils wrk             # clients and load generators (ab, wrk)
	gnuplot-nox                        # charts
	procps psmisc iproute2             # ps, fuser, ss used by the tests
	linux-perf                         # syscalls, context switches per request; make explain
	python3                            # the fileset test's independent content check
	fuse3 libfuse3-dev                 # bin/tools/slowfs: the files scenario's slow disk (FILES_DELAY_MS)
	time                               # /usr/bin/time: scripts/files-bench.sh's server CPU
)
if [ "${OPTIONAL:-0}" = 1 ]; then
	packages+=(nginx-light)
fi

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: missing Debian packages: ${missing[*]}"
cmd=(apt-get install -y --no-install-recommends "${missing[@]}")
if [ "$(id -u)" -eq 0 ]; then
	sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
	sudo=(sudo)
else
	echo "install-deps: not root; run:" >&2
	echo "  sudo apt-get update && sudo ${cmd[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has stale package lists: update before installing.
"${sudo[@]}" apt-get update -q
"${sudo[@]}" "${cmd[@]}"

#!/usr/bin/env bash
# netns.sh -- a network namespace for the load tool, joined to the host by a veth pair.
#   eval "$(scripts/netns.sh up)"    make it (or reuse a healthy leftover) and select it:
#                                    prints exactly `export HOST=... CLIENT_PREFIX='ip netns exec NS'`
#   scripts/netns.sh down            remove the namespace, the veth pair and anything left in it
# The tool then crosses a real (virtual) link instead of loopback: its own network stack,
# its own addresses, the kernel's veth path between the two. Addresses come from
# 198.18.0.0/15, the range RFC 2544 reserves for benchmark networks, and nothing else is used.
# Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and iproute2.
# Environment (defaults): NETNS=smbench-client, VETH=smbench0 (the host's end; the
# namespace's end is eth0 inside it), NETNS_HOST_ADDR=198.18.0.1, NETNS_CLIENT_ADDR=198.18.0.2
# (a /24 each side).
set -uo pipefail

ns=${NETNS:-smbench-client}
veth=${VETH:-smbench0}
peer=eth0
host_addr=${NETNS_HOST_ADDR:-198.18.0.1}
client_addr=${NETNS_CLIENT_ADDR:-198.18.0.2}
plen=24

me=${0##*/}
# die MESSAGE [STATUS]
die() {
	echo "$me: $1" >&2
	exit "${2:-1}"
}
usage() {
	echo "usage: $me up|down   (eval \"\$($me up)\" selects the namespace for make bench-all)" >&2
	exit 2
}

# bench_addr A: A is a dotted IPv4 address inside 198.18.0.0/15.
bench_addr() {
	[[ $1 =~ ^198\.(18|19)\.([0-9]{1,3})\.([0-9]{1,3})$ ]] &&
		[ "${BASH_REMATCH[2]}" -le 255 ] && [ "${BASH_REMATCH[3]}" -le 254 ] &&
		[ "${BASH_REMATCH[3]}" -ge 1 ]
}

check_config() {
	[[ $ns =~ ^[A-Za-z0-9_.-]{1,64}$ ]] || die "NETNS '$ns': letters, digits, . _ - only" 2
	[[ $veth =~ ^[A-Za-z0-9_.-]{1,15}$ ]] || die "VETH '$veth': at most 15 letters, digits, . _ -" 2
	for a in "$host_addr" "$client_addr"; do
		bench_addr "$a" || die "address '$a' is not inside 198.18.0.0/15 (RFC 2544's benchmark range): refusing" 2
	done
	if [ "${host_addr%.*}" != "${client_addr%.*}" ] || [ "$host_addr" = "$client_addr" ]; then
		die "NETNS_HOST_ADDR $host_addr and NETNS_CLIENT_ADDR $client_addr must differ within one /$plen" 2
	fi
	command -v ip >/dev/null || die "ip (iproute2) not found: apt-get install iproute2"
}

ns_exists() { ip netns list 2>/dev/null | awk '{ print $1 }' | grep -qxF "$ns"; }

# healthy: the namespace, both ends up and addressed as configured.
healthy() {
	ns_exists &&
		ip -o -4 addr show dev "$veth" 2>/dev/null | grep -q " inet $host_addr/$plen " &&
		ip -o link show dev "$veth" 2>/dev/null | grep -q "[<,]UP[,>]" &&
		ip -n "$ns" -o -4 addr show dev "$peer" 2>/dev/null | grep -q " inet $client_addr/$plen " &&
		ip -n "$ns" -o link show dev "$peer" 2>/dev/null | grep -q "[<,]UP[,>]" &&
		ip -n "$ns" -o link show dev lo 2>/dev/null | grep -q "[<,]UP[,>]"
}

down() {
	local pids
	if ns_exists; then
		# A load tool of a killed run may still hold the namespace alive.
		mapfile -t pids < <(ip netns pids "$ns" 2>/dev/null)
		if [ "${#pids[@]}" -gt 0 ]; then
			echo "$me: stopping what still runs in $ns: ${pids[*]}" >&2
			kill "${pids[@]}" 2>/dev/null
			sleep 0.2
			kill -9 "${pids[@]}" 2>/dev/null
		fi
		ip netns del "$ns" || die "cannot delete namespace $ns"
	fi
	# Deleting the namespace deletes its end and so the pair, in the background; a half-made
	# pair, or one whose other end is held by a namespace without a name, remains.
	if ip link show dev "$veth" >/dev/null 2>&1; then
		ip link del dev "$veth" 2>/dev/null || ! ip link show dev "$veth" >/dev/null 2>&1 ||
			die "cannot delete $veth"
	fi
	return 0
}

create() {
	ip netns add "$ns" &&
		ip -n "$ns" link set lo up &&
		ip link add "$veth" type veth peer name "$peer" netns "$ns" &&
		ip addr add "$host_addr/$plen" dev "$veth" &&
		ip link set "$veth" up &&
		ip -n "$ns" addr add "$client_addr/$plen" dev "$peer" &&
		ip -n "$ns" link set "$peer" up
}

up() {
	if healthy; then
		echo "$me: reusing namespace $ns ($client_addr) joined by $veth ($host_addr)" >&2
	else
		if ns_exists || ip link show dev "$veth" >/dev/null 2>&1; then
			echo "$me: cleaning a leftover $ns / $veth that is not as configured" >&2
			down
		fi
		if ! create 2>"${TMPDIR:-/tmp}/netns-$ns.err"; then
			local why
			why=$(tail -1 "${TMPDIR:-/tmp}/netns-$ns.err")
			rm -f "${TMPDIR:-/tmp}/netns-$ns.err"
			down 2>/dev/null
			die "cannot make namespace $ns: ${why:-ip failed} (needs root: CAP_SYS_ADMIN and CAP_NET_ADMIN)"
		fi
		rm -f "${TMPDIR:-/tmp}/netns-$ns.err"
		healthy || { down; die "namespace $ns made but not as configured"; }
		echo "$me: namespace $ns ($client_addr) joined to the host ($host_addr) by $veth" >&2
	fi
	echo "export HOST=$host_addr CLIENT_PREFIX='ip netns exec $ns'"
}

if [ $# -ne 1 ] || { [ "$1" != up ] && [ "$1" != down ]; }; then
	usage
fi
check_config
# One up or down at a time for this namespace.
exec 9>"${TMPDIR:-/tmp}/netns-$ns.lock" || die "cannot open ${TMPDIR:-/tmp}/netns-$ns.lock"
flock 9 || die "cannot lock ${TMPDIR:-/tmp}/netns-$ns.lock"
"$1"

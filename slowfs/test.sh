#!/usr/bin/env bash
# slowfs/test.sh -- bin/tools/slowfs end to end: mount a temporary directory with --delay-ms D,
# read a file cold (>= D ms), warm (< D/2 ms, the page cache), evict it with
# posix_fadvise(DONTNEED), check mincore calls it not resident (offload's test) and that the
# next read is cold again; then a write open refused, SIGTERM unmounting, and no mount left in
# /proc/mounts. Skips (exit 0, saying why) where /dev/fuse or fuse3 is missing.
set -u
SLOWFS=${SLOWFS:-bin/tools/slowfs}
D=${D:-50}
if [[ ! -c /dev/fuse ]] || ! grep -qw fuse /proc/filesystems; then
	echo "skip - slowfs: no /dev/fuse or no fuse in /proc/filesystems on this kernel"
	exit 0
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/slowfs.XXXXXX") || exit 1
PID=
cleanup() {
	[[ -n $PID ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	grep -qF " $T/mnt " /proc/mounts && { fusermount3 -u -z "$T/mnt" 2>/dev/null || umount -l "$T/mnt"; }
	rm -rf "$T"
}
trap cleanup EXIT
CHECK_WHAT=slowfs
# shellcheck source=tests/lib/check.sh
source "$(dirname "$0")/../tests/lib/check.sh"
mounted() { grep -qF " $T/mnt fuse.slowfs " /proc/mounts; }

# probe FILE: "ms resident_pages/pages" of one read of FILE whole, mincore asked after it;
# probe FILE evict: the file evicted (fadvise DONTNEED), then mincore's count, no read
probe() {
	python3 - "$@" <<'PY'
import ctypes, mmap, os, sys, time
path = sys.argv[1]
fd = os.open(path, os.O_RDONLY)
size = os.fstat(fd).st_size
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                      ctypes.c_long]
def resident():
    addr = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
    if addr in (None, ctypes.c_void_p(-1).value):
        sys.exit("mmap: errno %d" % ctypes.get_errno())
    pages = (size + mmap.PAGESIZE - 1) // mmap.PAGESIZE
    vec = (ctypes.c_ubyte * pages)()
    if libc.mincore(ctypes.c_void_p(addr), ctypes.c_size_t(size), vec) != 0:
        sys.exit("mincore: errno %d" % ctypes.get_errno())
    libc.munmap(ctypes.c_void_p(addr), ctypes.c_size_t(size))
    return "%d/%d" % (sum(v & 1 for v in vec), pages)
if len(sys.argv) > 2:
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    print(0, resident())
    sys.exit(0)
t = time.monotonic()
while os.read(fd, 1 << 20):
    pass
print("%.1f" % ((time.monotonic() - t) * 1000), resident())
PY
}
ms() { echo "${1%% *}"; }
res() { echo "${1#* }"; }
num() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]; }
ge() { num "$1" && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
lt() { num "$1" && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

mkdir -p "$T/src/dir" "$T/mnt"
for f in f g1 g2 g3 g4; do head -c 65536 /dev/urandom >"$T/src/dir/$f"; done
"$SLOWFS" --delay-ms "$D" "$T/src" "$T/mnt" 2>"$T/err" &
PID=$!
for _ in $(seq 50); do mounted && break; sleep 0.1; done
check "mounted (fuse.slowfs in /proc/mounts)" mounted
check "the same bytes through the mount" cmp "$T/src/dir/f" "$T/mnt/dir/f"
probe "$T/mnt/dir/f" evict >/dev/null
cold=$(probe "$T/mnt/dir/f")
warm=$(probe "$T/mnt/dir/f")
evicted=$(probe "$T/mnt/dir/f" evict)
again=$(probe "$T/mnt/dir/f")
echo "# D $D ms: cold $cold, warm $warm, after DONTNEED $evicted, cold again $again (ms pages)"
check "a cold read waits >= D ms" ge "$(ms "$cold")" "$D"
check "a warm read takes < D/2 ms" lt "$(ms "$warm")" "$((D / 2))"
check "mincore: resident after a read" [ "$(res "$warm")" = 16/16 ]
check "mincore: not resident after POSIX_FADV_DONTNEED" [ "$(res "$evicted")" = 0/16 ]
check "the read after eviction waits >= D ms again" ge "$(ms "$again")" "$D"
# Four misses at once overlap (several threads: a disk's queue), not 4 x D in a row.
for f in g1 g2 g3 g4; do probe "$T/mnt/dir/$f" evict >/dev/null; done
four=$(python3 - "$T"/mnt/dir/g? <<'PY'
import os, sys, threading, time
def read(path):
    with open(path, "rb") as f:
        f.read()
threads = [threading.Thread(target=read, args=(p,)) for p in sys.argv[1:]]
t = time.monotonic()
for th in threads:
    th.start()
for th in threads:
    th.join()
print("%.1f" % ((time.monotonic() - t) * 1000))
PY
)
echo "# 4 cold reads at once: ${four} ms (one after another: $((4 * D)))"
check "4 concurrent misses overlap (all done in < 2 x D)" lt "$four" "$((2 * D))"
check "a write open is refused (read-only)" bash -c "! echo x 2>/dev/null >'$T/mnt/dir/f'"
check "a bad --delay-ms is refused" bash -c "! '$SLOWFS' --delay-ms x '$T/src' '$T/mnt' 2>/dev/null"
kill -TERM "$PID"
wait "$PID"
status=$?
check "exits 0 on SIGTERM" [ "$status" = 0 ]
PID=
check "no mount left after SIGTERM" bash -c "! grep -qF ' $T/mnt ' /proc/mounts"
# Its parent killed (the harness crashing): PR_SET_PDEATHSIG unmounts it.
{ bash -c "'$SLOWFS' --delay-ms $D '$T/src' '$T/mnt' 2>/dev/null &
	for _ in \$(seq 50); do grep -qF ' $T/mnt ' /proc/mounts && break; sleep 0.1; done
	touch '$T/was-mounted'; kill -KILL \$\$"; } 2>/dev/null
check "mounted again under a shell" [ -e "$T/was-mounted" ]
for _ in $(seq 50); do mounted || break; sleep 0.1; done
check "no mount left after its parent's SIGKILL" bash -c "! grep -qF ' $T/mnt ' /proc/mounts"
check_summary

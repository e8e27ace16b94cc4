"""The slow-file-system benchmark: bench.py's "slowfs" workload (open, write, close, open,
read, close per file, one at a time and then several at once, under a 1 ms timer) run on a
FUSE passthrough whose every operation sleeps --delay-ms (tests_py/slowfs_mount.py: Debian's
libfuse2 and PyPI's fusepy, as root, which scripts/test installs), against the peers side
by side, each (library, round) in a fresh process.

    scripts/bench --workloads slowfs --quick --rounds 1 --warmup 0   # once: installs the peers
    .venv/bin/python benchmarks/slowfs.py                            # ayafileio, both backends, peers
    .venv/bin/python benchmarks/slowfs.py --libs ayafileio,to_thread --rounds 1

With --trace, one ayafileio run of the workload under strace instead: the system calls
the event loop's thread made (count, total, slowest, and the first that took over 5 ms).
With --probe, how long single system calls take on the mount (Linux x86-64): the ones a
fast path might make on the loop's thread.

Other arguments go to bench.py as they are.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests_py"))

from slowfs_mount import slow_mount  # noqa: E402

LIBS = "ayafileio,ayafileio-worker,aiofiles,ayafileio-cpp,to_thread,blocking"
_SHOWN = 12  # slow calls listed
# The calls that can wait for a file system, and how the engine waits.
TRACED = ("openat,openat2,close,newfstatat,fstat,statx,fstatfs,statfs,lseek,ioctl,read,pread64,preadv2,write,"
          "pwrite64,getdents64,io_uring_enter")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--delay-ms", type=float, default=20.0, help="sleep before every file system operation")
    ap.add_argument("--libs", default=LIBS)
    ap.add_argument("--trace", action="store_true", help="strace the loop's thread in one ayafileio run")
    ap.add_argument("--probe", action="store_true", help="time single system calls on the mount")
    args, rest = ap.parse_known_args()
    bench = os.path.join(HERE, "bench.py")
    with slow_mount(args.delay_ms) as (_root, mnt):
        if args.trace:
            trace(mnt, rest)
            return
        if args.probe:
            probe(mnt)
            return
        cmd = [sys.executable, bench, "--dir", mnt, "--workloads", "slowfs", "--libs", args.libs, *rest]
        print(f"{args.delay_ms:g} ms per FUSE operation: {' '.join(cmd)}", file=sys.stderr, flush=True)
        rc = subprocess.call(cmd)
    sys.exit(rc)


def trace(mnt: str, rest: list[str]) -> None:
    """One ayafileio run of the workload under strace -ff; the loop thread's summary."""
    sys.path.insert(0, HERE)
    from bench import child_answer, child_command
    from sizes import QUICK, Sizes

    sizes = QUICK if "--quick" in rest else Sizes()
    with tempfile.TemporaryDirectory() as logs:
        out = os.path.join(mnt, "traced")
        os.mkdir(out)
        child = child_command("slowfs", "ayafileio", mnt, out, sizes)
        proc = subprocess.run(["strace", "-ff", "-T", "-o", os.path.join(logs, "t"), "-e", f"trace={TRACED}", *child],
                              capture_output=True, text=True, check=True)
        pids = sorted(int(n.split(".")[1]) for n in os.listdir(logs))
        with open(os.path.join(logs, f"t.{pids[0]}")) as f:  # the first thread runs the loop
            lines = f.read().splitlines()
    res = child_answer(proc.stdout)
    assert res is not None, proc.stdout
    print(f"timer lateness p99 {res['extra']['lag_p99_ms']:.2f} ms, worst {res['extra']['lag_max_ms']:.1f} ms "
          f"(under strace); system calls of the loop's thread:")
    calls: dict[str, list[float]] = collections.defaultdict(list)
    slow = []
    for line in lines:
        m = re.match(r"(\w+)\(.*<([0-9.]+)>$", line)
        if m:
            calls[m.group(1)].append(float(m.group(2)))
            if float(m.group(2)) > 0.005:
                slow.append(line)
    print("| call | count | total ms | slowest ms | over 5 ms |\n|---|--:|--:|--:|--:|")
    for name, ts in sorted(calls.items()):
        print(f"| {name} | {len(ts)} | {sum(ts) * 1e3:.1f} | {max(ts) * 1e3:.1f} | {sum(t > 0.005 for t in ts)} |")
    for line in slow[:_SHOWN]:
        print("   ", line[:160])
    if len(slow) > _SHOWN:
        print(f"    ... {len(slow) - _SHOWN} more over 5 ms")


def probe(mnt: str) -> None:
    """Times openat2(RESOLVE_CACHED), close, statx with and without AT_STATX_DONT_SYNC and
    preadv2(RWF_NOWAIT) on a file of the mount whose lookup is cached."""
    import ctypes
    import time

    if os.uname().machine != "x86_64":
        raise SystemExit("--probe knows x86-64's system call numbers only")
    libc = ctypes.CDLL(None, use_errno=True)
    sys_openat2, sys_statx, resolve_cached = 437, 332, 0x20
    at_empty_path, at_statx_dont_sync, statx_basic = 0x1000, 0x4000, 0x7FF

    class OpenHow(ctypes.Structure):
        _fields_ = [("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64), ("resolve", ctypes.c_uint64)]

    path = os.path.join(mnt, "probe")
    with open(path, "wb") as f:
        f.write(b"x" * 100)

    def timed(what: str, call: Any) -> Any:
        t = time.perf_counter()
        res = call()
        print(f"{what}: {res} in {(time.perf_counter() - t) * 1e3:.2f} ms (errno {ctypes.get_errno()})")
        return res

    os.stat(path)  # the lookup is cached now
    how = OpenHow(os.O_RDONLY | os.O_CLOEXEC, 0, resolve_cached)
    fd = timed("openat2(RESOLVE_CACHED)", lambda: libc.syscall(sys_openat2, -100, path.encode(), ctypes.byref(how),
                                                                ctypes.sizeof(how)))
    buf = ctypes.create_string_buffer(256)
    for flags, name in ((at_empty_path | at_statx_dont_sync, "statx(AT_STATX_DONT_SYNC)"), (at_empty_path, "statx")):
        time.sleep(1.5)  # libfuse's attribute cache (1 s) expires
        timed(f"{name} after the attribute cache expired",
              lambda: libc.syscall(sys_statx, fd, b"", flags, statx_basic, buf))

    def nowait() -> Any:
        try:
            return os.preadv(fd, [bytearray(10)], 0, os.RWF_NOWAIT)
        except OSError as e:
            return f"OSError {e.errno}"

    timed("preadv2(RWF_NOWAIT)", nowait)
    timed("close", lambda: os.close(fd))


if __name__ == "__main__":
    main()

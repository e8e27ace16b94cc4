"""A workload to trace: N concurrent files, each written then read back through
ayafileio. Run it under strace to see batching, e.g.

    strace -f -c -o trace.txt python benchmarks/trace_batching.py 1000
    strace -f -c -o trace.txt python benchmarks/trace_batching.py 1000 --no-adaptive
    TMPDIR=/mnt/e4/b python benchmarks/trace_batching.py 1000   # the files on another file system

and compare the io_uring_enter count with the 6 operations per file (open, write+close,
open, read, close); with N=0 it shows the system calls made without any file I/O.
--no-adaptive turns adaptive_batch off: every completion wakes its task in the same loop
iteration, so fewer iterations, each submitting more at once. It prints the engine's own
count of io_uring_enter calls (issue 18's bound: at most 500 for 1,000 files).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile

import ayafileio


async def one(d: str, i: int) -> None:
    p = os.path.join(d, str(i))
    async with ayafileio.open(p, "wb") as f:
        await f.write(b"x" * 100)
    async with ayafileio.open(p, "rb") as f:
        assert await f.read() == b"x" * 100


async def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as d:
        await asyncio.gather(*(one(d, i) for i in range(n)))


if __name__ == "__main__":
    if "--no-adaptive" in sys.argv[2:]:
        ayafileio.configure(adaptive_batch=False)
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    asyncio.run(main(n))
    print(f"{n} files written and read back: {ayafileio.get_stats()['io_uring_enters']} io_uring_enter calls")

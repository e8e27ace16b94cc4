"""Memory per open file: ayafileio's against the built-in io's, in the same run.

N files of each are opened and held open at once, each written --text characters (mode
"w", 1 KB) or read from once (mode "rb": 100 bytes of a --size file, 4 KiB), and not
yet closed; what that added is divided by N: tracemalloc's count of the Python
allocators (objects and io's C buffers; not the Go core's heap) and the process's RSS.
ayafileio's files are opened and used by one task (no task per file), so what is
compared is the file objects alone. io's files are held while ayafileio's are opened, so
neither reuses memory the other freed; RSS is measured in a pass without tracemalloc
(its record of each allocation would count), after a small warm-up of both, with memory
freed before handed back to the OS. Buffers ayafileio keeps for reuse from files closed
earlier are let go of first (else they would be taken for free).

    python benchmarks/memory.py --dir /dev/shm --n 5000
    python benchmarks/memory.py --dir /dev/shm --n 5000 --top 12   # where ours goes
"""

from __future__ import annotations

import argparse
import asyncio
import builtins
import ctypes
import gc
import os
import resource
import tempfile
import tracemalloc
from typing import Any

import ayafileio
from ayafileio.engine import buffers

READ_SIZE = 100
SIDES = ("io", "ayafileio")


def trim() -> None:
    """Hands memory freed earlier back to the OS (glibc's malloc_trim), so that a round's
    RSS growth is its own and not hidden in what an earlier round freed."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def text(i: int, size: int) -> str:
    """File i's text, made as it is written and kept by nobody else (as
    ``f.write(json.dumps(...))``): the file's hold on it is the file's cost."""
    return f"{i:08d}".ljust(size, "x")


async def open_held(side: str, mode: str, paths: list[str], text_size: int) -> list[Any]:
    """side's files, opened and used once."""
    files: list[Any] = []
    for i, p in enumerate(paths):
        if side == "io":
            f = builtins.open(p, mode)
            f.write(text(i, text_size)) if mode == "w" else f.read(READ_SIZE)
        else:
            f = await ayafileio.open(p, mode)
            await (f.write(text(i, text_size)) if mode == "w" else f.read(READ_SIZE))
        files.append(f)
    return files


async def close_all(files: list[Any]) -> None:
    for f in files:
        if isinstance(f, ayafileio.AsyncFile):
            await f.close()
        else:
            f.close()


async def per_file(mode: str, paths: dict[str, list[str]], text_size: int,
                   top: int = 0) -> dict[str, tuple[float, float]]:
    """Each side's (tracemalloc bytes, RSS bytes) per open file: io's files are opened
    and held, then ayafileio's on top of them; then all are closed."""
    buffers.drain()
    gc.collect()
    trim()
    held: list[Any] = []
    out: dict[str, tuple[float, float]] = {}
    for side in SIDES:
        gc.collect()
        before = tracemalloc.take_snapshot() if top and side == "ayafileio" else None
        traced0, rss0 = tracemalloc.get_traced_memory()[0], rss()
        files = await open_held(side, mode, paths[side], text_size)
        gc.collect()
        n = len(files)
        out[side] = (tracemalloc.get_traced_memory()[0] - traced0) / n, (rss() - rss0) / n
        if before is not None:
            for stat in tracemalloc.take_snapshot().compare_to(before, "lineno")[:top]:
                print(f"    {stat.size_diff / n:8.0f} B/file  {stat.count_diff / n:5.2f}/file  {stat.traceback}")
        held += files
    await close_all(held)
    return out


def prepare(mode: str, paths: dict[str, list[str]], size: int) -> None:
    """Files of size bytes for reading (writing truncates them)."""
    if mode == "rb":
        for side in SIDES:
            for p in paths[side]:
                with builtins.open(p, "wb") as f:
                    f.write(b"r" * size)


async def run(d: str, args: argparse.Namespace) -> None:
    paths = {side: [os.path.join(d, f"{side}{i}") for i in range(args.n)] for side in SIDES}
    warm = {side: p[: max(args.n // 10, 1)] for side, p in paths.items()}
    for mode in ("w", "rb"):  # the engine started, the allocators' arenas grown a little
        prepare(mode, warm, args.size)
        await per_file(mode, warm, args.text)
    for mode in ("w", "rb"):
        prepare(mode, paths, args.size)
        rss_of = await per_file(mode, paths, args.text)
        tracemalloc.start(1)
        if args.top:
            print(f"  ayafileio, mode {mode!r}, by line:")
        traced_of = await per_file(mode, paths, args.text, args.top)
        tracemalloc.stop()
        for side in SIDES:
            print(f"mode {mode!r:5} {side:10} tracemalloc {traced_of[side][0]:8.0f} B/file   "
                  f"RSS {rss_of[side][1]:8.0f} B/file")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default=None)
    ap.add_argument("--n", type=int, default=5000, help="files of each held open at once")
    ap.add_argument("--text", type=int, default=1024, help="characters written to each file (mode 'w')")
    ap.add_argument("--size", type=int, default=4096, help="bytes in each file read (mode 'rb')")
    ap.add_argument("--top", type=int, default=0, help="also list the top lines of ayafileio's allocations")
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2 * args.n + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 2 * args.n + 100), hard))
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="ayafileio-memory-") as d:
        asyncio.run(run(d, args))


if __name__ == "__main__":
    main()

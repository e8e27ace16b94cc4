"""Per-call cost of ayafileio's file methods against the built-in io in the same run.

For each call: the coroutine frames of ayafileio it enters (distinct frames seen by
sys.setprofile during one call: the AsyncFile method counts; plain functions do not), the microseconds per call
(best of --rounds batches), and the built-in file's microseconds for the same call on
the same cached file. Files live in --dir (default: the system temp dir).

    python benchmarks/ops.py
    python benchmarks/ops.py --dir /dev/shm --rounds 5 --markdown
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Any

import ayafileio

PACKAGE_DIR = os.path.dirname(ayafileio.__file__)


def frames_entered(loop: asyncio.AbstractEventLoop, call: Callable[[], Awaitable[Any]]) -> int:
    """Distinct ayafileio coroutine frames entered while one call runs to its end."""
    seen: set[int] = set()

    def profile(frame: Any, event: str, arg: Any) -> None:
        code = frame.f_code
        if event == "call" and code.co_flags & inspect.CO_COROUTINE and code.co_filename.startswith(PACKAGE_DIR):
            seen.add(id(frame))

    async def once() -> None:
        sys.setprofile(profile)
        try:
            await call()
        finally:
            sys.setprofile(None)

    loop.run_until_complete(once())
    return len(seen)


def per_call_async(loop: asyncio.AbstractEventLoop, call: Callable[[], Awaitable[Any]], n: int, rounds: int) -> float:
    async def batch() -> float:
        t = time.perf_counter()
        for _ in range(n):
            await call()
        return time.perf_counter() - t

    return min(loop.run_until_complete(batch()) for _ in range(rounds)) / n * 1e6


def per_call_sync(call: Callable[[], Any], n: int, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(n):
            call()
        best = min(best, time.perf_counter() - t)
    return best / n * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default=None)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--n", type=int, default=20000, help="calls per batch (big reads use fewer)")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="ayafileio-ops-") as d:
        run(d, args)


def run(d: str, args: argparse.Namespace) -> None:
    binary = os.path.join(d, "data.bin")
    with open(binary, "wb") as w:
        w.write(os.urandom(8 << 20))
    text = os.path.join(d, "lines.txt")
    with open(text, "w", encoding="utf-8") as w:
        w.write(("x" * 79 + "\n") * 200_000)
    out = os.path.join(d, "out.txt")
    loop = asyncio.new_event_loop()
    n, r = args.n, args.rounds

    async def opened(path: str, mode: str, **kw: Any) -> Any:
        return await ayafileio.open(path, mode, **kw)

    fb = loop.run_until_complete(opened(binary, "rb"))
    fb_big = loop.run_until_complete(opened(binary, "rb"))
    ft = loop.run_until_complete(opened(text, "r", encoding="utf-8"))
    fw = loop.run_until_complete(opened(out, "w", encoding="utf-8"))
    ib, ib_big = open(binary, "rb"), open(binary, "rb")
    it, iw = open(text, encoding="utf-8"), open(out + ".io", "w", encoding="utf-8")
    chunk = "y" * 99 + "\n"
    size = os.path.getsize(binary)

    async def seek_read() -> None:
        await fb.seek(0)
        await fb.read(4096)

    def io_seek_read() -> None:
        ib.seek(0)
        ib.read(4096)

    offsets = [(i * 7919 * 4096) % (size - 4096) for i in range(1024)]
    k = [0]

    async def read_at() -> None:
        k[0] = (k[0] + 1) & 1023
        await fb.read_at(offsets[k[0]], 4096)

    def io_pread() -> None:
        k[0] = (k[0] + 1) & 1023
        os.pread(ib.fileno(), 4096, offsets[k[0]])

    async def read_1m() -> None:
        if await fb_big.tell() >= size:
            await fb_big.seek(0)
        await fb_big.read(1 << 20)

    def io_read_1m() -> None:
        if ib_big.tell() >= size:
            ib_big.seek(0)
        ib_big.read(1 << 20)

    async def readline() -> None:
        if not await ft.readline():
            await ft.seek(0)

    def io_readline() -> None:
        if not it.readline():
            it.seek(0)

    async def open_read_close() -> None:
        async with ayafileio.open(binary, "rb") as f:
            await f.read(4096)

    def io_open_read_close() -> None:
        with open(binary, "rb") as f:
            f.read(4096)

    rows = [
        ("`seek(0)` + `read(4096)`", seek_read, io_seek_read, n),
        ("`read_at(off, 4096)` (io: `os.pread`)", read_at, io_pread, n),
        ("`read(1 MiB)`", read_1m, io_read_1m, max(n // 100, 50)),
        ("text `write(100 chars)`", lambda: fw.write(chunk), lambda: iw.write(chunk), n),
        ("text `readline()` (80-char lines)", readline, io_readline, n),
        ("`open` + `read(4096)` + `close`", open_read_close, io_open_read_close, max(n // 10, 200)),
    ]
    table = []
    for name, mine, ref, count in rows:
        per_call_async(loop, mine, max(count // 10, 10), 1)  # warm up: caches, buffers, engine
        frames = frames_entered(loop, mine)
        us = per_call_async(loop, mine, count, r)
        io_us = per_call_sync(ref, count, r)
        table.append((name, frames, us, io_us))
    for f in (fb, fb_big, ft, fw):
        loop.run_until_complete(f.close())
    loop.close()
    for f in (ib, ib_big, it, iw):
        f.close()
    header = ("call", "frames", "µs", "built-in io µs", "ratio")
    lines = [f"| {' | '.join(header)} |", "|---|--:|--:|--:|--:|"]
    for name, frames, us, io_us in table:
        lines.append(f"| {name} | {frames} | {us:.2f} | {io_us:.2f} | {us / io_us:.2f}× |")
    print(f"ayafileio {ayafileio.get_backend_info().get('backend')}, Python {sys.version.split()[0]}, "
          f"dir {d}, best of {r}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""The Crawlee dataset pattern, side by side: N items of ~1 KB JSON, C concurrent
writers, each item a new file (open "w", write, close). Libraries run interleaved
(A B A B ...) in fresh directories; the median of the rounds is reported, with the ratio
to aiofiles, and every file is checked afterwards (mismatches must be 0).

    python benchmarks/dataset.py [--items 5000] [--concurrency 50] [--rounds 3] [--dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable

import ayafileio


def make_item(i: int) -> str:
    item = {"id": i, "url": f"https://example.com/item/{i}", "title": f"Item número {i} ✓",
            "tags": ["alpha", "beta", "gamma"], "price": i * 1.25,
            "description": "lorem ipsum dolor sit amet " * 25}
    return json.dumps(item, indent=2, ensure_ascii=False)


async def ayafileio_write(path: str, text: str) -> None:
    async with ayafileio.open(path, "w", encoding="utf-8") as f:
        await f.write(text)


def blocking_write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


async def blocking_in_coroutine(path: str, text: str) -> None:
    blocking_write(path, text)  # the per-operation floor; it freezes the loop


async def to_thread_write(path: str, text: str) -> None:
    await asyncio.to_thread(blocking_write, path, text)


def peers() -> dict[str, Callable[[str, str], Awaitable[None]]]:
    libs: dict[str, Callable[[str, str], Awaitable[None]]] = {"ayafileio": ayafileio_write}
    try:
        import aiofiles

        async def aiofiles_write(path: str, text: str) -> None:
            async with aiofiles.open(path, "w", encoding="utf-8") as f:
                await f.write(text)

        libs["aiofiles"] = aiofiles_write
    except ImportError:
        print("note: aiofiles not installed (pip install .[bench]); skipped", file=sys.stderr)
    libs["asyncio.to_thread"] = to_thread_write
    libs["blocking loop"] = blocking_in_coroutine
    return libs


async def run_once(fn: Callable[[str, str], Awaitable[None]], root: str, items: list[str], conc: int) -> float:
    sem = asyncio.Semaphore(conc)

    async def one(i: int) -> None:
        async with sem:
            await fn(os.path.join(root, f"{i:09d}.json"), items[i])

    start = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(len(items))))
    return len(items) / (time.perf_counter() - start)


def verify(root: str, items: list[str]) -> int:
    bad = 0
    for i, text in enumerate(items):
        with open(os.path.join(root, f"{i:09d}.json"), encoding="utf-8") as f:
            bad += f.read() != text
    return bad


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=5000)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dir", default=None, help="where to write (default: a temp dir)")
    args = ap.parse_args()
    items = [make_item(i) for i in range(args.items)]
    libs = peers()
    rates: dict[str, list[float]] = {name: [] for name in libs}
    with tempfile.TemporaryDirectory(dir=args.dir) as base:  # outputs kept until the end
        for r in range(args.rounds):
            for name, fn in libs.items():
                root = os.path.join(base, f"{r}-{name.replace(' ', '_')}")
                os.mkdir(root)
                rate = asyncio.run(run_once(fn, root, items, args.concurrency))
                if bad := verify(root, items):
                    raise SystemExit(f"{name}: {bad} files differ from what was written")
                rates[name].append(rate)
                print(f"round {r + 1}/{args.rounds} {name}: {rate:,.0f} items/s", file=sys.stderr)
    base_rate = statistics.median(rates["aiofiles"]) if "aiofiles" in rates else None
    backend = asyncio.run(_backend())
    print(f"\ndataset: {args.items} items, {args.concurrency} concurrent, median of {args.rounds} "
          f"(ayafileio backend: {backend}; mismatches: 0)\n")
    print("| library | items/s (median) | min–max | vs aiofiles |")
    print("|---|---:|---:|---:|")
    for name, rs in rates.items():
        med = statistics.median(rs)
        ratio = f"{med / base_rate:.2f}×" if base_rate else "n/a"
        print(f"| {name} | {med:,.0f} | {min(rs):,.0f}–{max(rs):,.0f} | {ratio} |")


async def _backend() -> str:
    return str(ayafileio.get_backend_info()["backend"])


if __name__ == "__main__":
    main()

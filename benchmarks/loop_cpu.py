"""The sweeps' pattern (new 1 KB JSON files: open "w", write, close) by N concurrent
tasks, with the share of the wall clock the loop's thread spent on its CPU and its CPU
time per file: whether a rate is bound by the loop's thread (near 100 %) or by waits,
and how much of that thread a file costs. One run, ayafileio only; alternate runs of two
versions (the other by PYTHONPATH) to compare them.

    python benchmarks/loop_cpu.py --dir /mnt/e4/b --n 200
    PYTHONPATH=/tmp/old python benchmarks/loop_cpu.py --dir /mnt/e4/b --n 200
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import ayafileio  # noqa: E402
from workloads.data import make_item  # noqa: E402


async def write_all(out: str, texts: list[str], n: int) -> None:
    todo = iter(range(len(texts)))

    async def worker() -> None:
        for i in todo:
            async with ayafileio.open(os.path.join(out, f"{i:09d}.json"), "w", encoding="utf-8") as f:
                await f.write(texts[i])

    await asyncio.gather(*(worker() for _ in range(n)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", default=None, help="where the files go (default: the system temp dir)")
    parser.add_argument("--n", type=int, default=200, help="concurrent tasks")
    parser.add_argument("--items", type=int, default=20_000, help="files written")
    args = parser.parse_args()
    texts = [json.dumps(make_item(i), indent=2, ensure_ascii=False) for i in range(args.items)]
    with tempfile.TemporaryDirectory(dir=args.dir) as out:
        cpu, wall = time.thread_time(), time.perf_counter()
        asyncio.run(write_all(out, texts, args.n))
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    print(f"{args.items / wall:,.0f} files/s at {args.n} concurrent; the loop's thread on its CPU "
          f"{cpu / wall:.0%} of the time, {cpu / args.items * 1e6:.1f} µs per file")


if __name__ == "__main__":
    main()

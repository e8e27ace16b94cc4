"""io_uring_enter calls made by the whole-file _many calls, as the engine counts them
(get_stats()["io_uring_enters"]), with no tracer slowing the loop:

    python benchmarks/whole_enters.py 1000 [--runs 3] [--dir /dev/shm]

reads N cached small files with read_bytes_many, then rewrites them with
write_bytes_many, and prints the enters each took, per run (a fresh process per run).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile

import ayafileio


async def _once(paths: list[str]) -> tuple[int, int]:
    await ayafileio.read_bytes(paths[0])  # the engine exists before the count starts
    a = ayafileio.get_stats()["io_uring_enters"]
    await ayafileio.read_bytes_many(paths)
    b = ayafileio.get_stats()["io_uring_enters"]
    await ayafileio.write_bytes_many([(p, b"y" * 100) for p in paths])
    c = ayafileio.get_stats()["io_uring_enters"]
    return b - a, c - b


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", type=int)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", default=None)
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        paths = [os.path.join(args.child, f"f{i}") for i in range(args.files)]
        print(*asyncio.run(_once(paths)))
        return
    with tempfile.TemporaryDirectory(dir=args.dir) as d:
        for i in range(args.files):
            with open(os.path.join(d, f"f{i}"), "wb") as f:
                f.write(b"x" * (i % 500))
        for run in range(args.runs):
            out = subprocess.run([sys.executable, __file__, str(args.files), "--child", d], check=True,
                                 capture_output=True, text=True).stdout.split()
            print(f"run {run + 1}: {args.files} reads {out[0]} enters, {args.files} writes {out[1]} enters")


if __name__ == "__main__":
    main()

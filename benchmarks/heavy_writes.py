"""Timer lateness while 8 tasks each write 8 MiB in 1 MiB writes (the scenario of
tests_py/test_reliability.py::test_loop_stays_responsive_under_heavy_writes), ayafileio
beside the same writes on threads (asyncio.to_thread), three rounds each, interleaved:
a 1 ms heartbeat's p99 lateness per round, in ms. The first round creates the files (and
ayafileio's engine); later rounds truncate and rewrite them.

    python benchmarks/heavy_writes.py                 # in the system temp dir
    python benchmarks/heavy_writes.py --dir /path/on/ext4 --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from collections.abc import Awaitable, Callable

import ayafileio
from workloads.timer import Heartbeat

CHUNK = b"z" * (1 << 20)


async def p99_lateness(writer: Callable[[int], Awaitable[None]]) -> float:
    async with Heartbeat() as beat:
        await asyncio.gather(*(writer(i) for i in range(8)))
    return beat.extra()["lag_p99_ms"] / 1e3


async def main(d: str, rounds: int) -> None:
    def write_sync(i: int) -> None:
        with open(os.path.join(d, f"h{i}"), "wb") as f:
            for _ in range(8):
                f.write(CHUNK)

    async def write_ours(i: int) -> None:
        async with ayafileio.open(os.path.join(d, f"h{i}"), "wb") as f:
            for _ in range(8):
                await f.write(CHUNK)

    async def write_in_thread(i: int) -> None:
        await asyncio.to_thread(write_sync, i)

    ours, threads = [], []
    for _ in range(rounds):
        ours.append(await p99_lateness(write_ours))
        threads.append(await p99_lateness(write_in_thread))
    print("ayafileio  ", " ".join(f"{v * 1e3:6.1f}" for v in ours), "ms")
    print("to_thread  ", " ".join(f"{v * 1e3:6.1f}" for v in threads), "ms")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default=None, help="directory to write in (default: the system temp dir)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as d:
        asyncio.run(main(d, args.rounds))

"""What the wake-socket notify path (loops without add_reader: asyncio's Proactor loop on
Windows) costs against add_reader on the engine's eventfd, on this machine: 64 tasks doing
random 4 KiB read_at() calls on one file, every read through the engine (the page-cache
fast path is turned off), loops alternating.

    python benchmarks/wake_socket.py [rounds]
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests_py"))

import ayafileio  # noqa: E402
from ayafileio.engine import platform as _platform  # noqa: E402
from proactor_like import ProactorLikeLoop  # noqa: E402

SIZE, TASKS, READS = 64 << 20, 64, 500


async def reads_per_second(path: str) -> float:
    rng = random.Random(1)
    async with ayafileio.open(path, "rb", buffering=0) as f:

        async def task() -> None:
            for _ in range(READS):
                await f.read_at(rng.randrange(0, SIZE - 4096), 4096)

        start = time.perf_counter()
        await asyncio.gather(*(task() for _ in range(TASKS)))
        return TASKS * READS / (time.perf_counter() - start)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    _platform.READ_FAST_PATH = False
    loops = {"add_reader on the eventfd": asyncio.SelectorEventLoop, "wake socket (proactor-like loop)": ProactorLikeLoop}
    results: dict[str, list[float]] = {name: [] for name in loops}
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "data")
        with open(path, "wb") as f:
            f.write(os.urandom(SIZE))
        for _ in range(rounds):
            for name, factory in loops.items():
                with asyncio.Runner(loop_factory=factory) as runner:
                    results[name].append(runner.run(reads_per_second(path)))
    print(f"backend {ayafileio.get_backend_info()['backend']}, median of {rounds}")
    for name, values in results.items():
        print(f"  {name}: {sorted(values)[len(values) // 2]:,.0f} reads/s")


if __name__ == "__main__":
    main()

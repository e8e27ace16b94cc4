"""slowfs: the workload benchmarks/slowfs.py runs on a slow file system."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from typing import Any

from peers.base import Lib

from .base import Result, Workload
from .timer import Heartbeat


class SlowFs(Workload):
    """For a slow file system (benchmarks/slowfs.py mounts one and runs this there): each
    file opened, written (1 KiB), closed, opened again, read whole and closed, first one
    file at a time, then slowfs_concurrent at once, while a 1 ms timer measures how late
    the event loop wakes it."""

    name, unit = "slowfs", "files/s"

    def prepare(self, files: bool) -> None:
        n = self.s.slowfs_files * (1 + self.s.slowfs_concurrent)
        self.blobs = [hashlib.sha256(str(i).encode()).digest() * 32 for i in range(n)]

    async def run(self, lib: Lib, out: str) -> Result:
        lat: list[float] = []
        bad = 0

        async def worker(todo: Any) -> None:
            nonlocal bad
            for i in todo:
                path = os.path.join(out, f"{i:05d}.bin")
                t = time.perf_counter()
                f = await lib.open_writer(path)
                await lib.write(f, self.blobs[i])
                await lib.close(f)
                bad += await lib.read_bytes(path) != self.blobs[i]
                lat.append(time.perf_counter() - t)

        async with Heartbeat() as hb:
            t0 = time.perf_counter()
            one = self.s.slowfs_files
            await worker(range(one))
            todo = iter(range(one, len(self.blobs)))
            await asyncio.gather(*(worker(todo) for _ in range(self.s.slowfs_concurrent)))
            rate = len(self.blobs) / (time.perf_counter() - t0)
        return Result(rate, self.unit, lat, bad, hb.extra())


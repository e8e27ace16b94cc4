"""An async pathlib.Path's calls: path-read, path-exists, path-rglob."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from typing import Any

from peers.base import Lib, PathApi

from .base import Result, Workload
from .ostree import TreeListing
from .timer import lateness_figures


class AsyncPathWorkload(Workload):
    """The async Path workloads: a library without one is skipped. They run on asyncio
    or trio alike (anyio's task groups and sleep), with a 1 ms timer beside them."""

    on_asyncio_only = False

    async def run(self, lib: Lib, out: str) -> Result:
        import anyio

        if lib.apath is None:
            return Result(0.0, self.unit, mismatches=-1)  # not applicable
        await lib.apath.exists(self.base)  # each library's first call sets it up: not timed
        lateness: list[float] = []
        stop = anyio.Event()

        async def beat() -> None:
            while not stop.is_set():
                t = time.perf_counter()
                await anyio.sleep(0.001)
                lateness.append(time.perf_counter() - t - 0.001)

        async with anyio.create_task_group() as tg:
            tg.start_soon(beat)
            await anyio.sleep(0)  # the timer runs before the work starts (a blocking call makes it late)
            try:
                res = await self.measure(lib.apath)
            finally:
                stop.set()
        res.extra = lateness_figures(lateness, worst=False)
        return res

    async def measure(self, api: PathApi) -> Result:
        raise NotImplementedError

    async def each(self, items: list[Any], fn: Callable[[Any], Any]) -> list[float]:
        """fn of every item by path_tasks workers; each call's latency."""
        import anyio

        todo = iter(items)
        lat: list[float] = []

        async def worker() -> None:
            for item in todo:
                t = time.perf_counter()
                await fn(item)
                lat.append(time.perf_counter() - t)

        async with anyio.create_task_group() as tg:
            for _ in range(self.s.path_tasks):
                tg.start_soon(worker)
        return lat


class PathReadText(AsyncPathWorkload):
    """Path(p).read_text() of many small text files, path_tasks at a time."""

    name, unit = "path-read", "files/s"

    def prepare(self, files: bool) -> None:
        self.dir = os.path.join(self.base, "pathtext")
        rng = random.Random(13)
        words = ["alpha", "beta", "gamma", "délta", "ε", "line\n"]
        self.files = [(os.path.join(self.dir, f"{i:06d}.txt"), " ".join(rng.choices(words, k=rng.randrange(20, 600))))
                      for i in range(self.s.path_files)]
        if files and not os.path.exists(self.dir):
            os.mkdir(self.dir)
            for path, text in self.files:
                with open(path, "w", encoding="utf-8", newline="") as f:
                    f.write(text)

    async def measure(self, api: PathApi) -> Result:
        bad = 0

        async def one(k: int) -> None:
            nonlocal bad
            path, text = self.files[k]
            bad += await api.read_text(path) != text

        t0 = time.perf_counter()
        lat = await self.each(list(range(len(self.files))), one)
        return Result(len(self.files) / (time.perf_counter() - t0), self.unit, lat, bad)


class PathExists(PathReadText):
    """Path(p).exists() of as many paths, every other one missing, path_tasks at a time."""

    name, unit = "path-exists", "calls/s"

    async def measure(self, api: PathApi) -> Result:
        paths = [p if i % 2 == 0 else p + ".missing" for i, (p, _) in enumerate(self.files)]
        bad = 0

        async def one(k: int) -> None:
            nonlocal bad
            bad += await api.exists(paths[k]) != (k % 2 == 0)

        t0 = time.perf_counter()
        lat = await self.each(list(range(len(paths))), one)
        return Result(len(paths) / (time.perf_counter() - t0), self.unit, lat, bad)


class PathRglob(AsyncPathWorkload):
    """Path(top).rglob("*") of the listing tree (tree_dirs × tree_files entries), gathered."""

    name, unit = "path-rglob", "entries/s"

    def prepare(self, files: bool) -> None:
        self.tree = TreeListing(self.s, self.base)
        self.tree.prepare(files)

    async def measure(self, api: PathApi) -> Result:
        t0 = time.perf_counter()
        got = await api.rglob(self.tree.top)
        took = time.perf_counter() - t0
        want = self.tree.entries
        bad = abs(len(got) - want) + (len({str(p) for p in got}) != len(got))
        return Result(len(got) / took, self.unit, [took], bad)


"""The os surface (aiofiles.os's API): stat, listdir, scandir, walk, remove."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

from peers.base import Lib

from .base import Result, Workload
from .timer import Heartbeat


class PathWorkload(Workload):
    """The os-surface workloads: a library without aiofiles.os's API is skipped, and a
    1 ms timer measures the loop's lag alongside."""

    async def run(self, lib: Lib, out: str) -> Result:
        if lib.os is None:
            return Result(0.0, self.unit, mismatches=-1)  # not applicable
        await lib.os.stat(self.base)  # each library's first call sets it up (threads, an engine): not timed
        hb = Heartbeat()
        hb.start()
        res = await self.measure(lib, out)
        await hb.halt()
        res.extra = hb.extra(worst=False)  # their tables show p50 and p99 only
        return res

    async def measure(self, lib: Lib, out: str) -> Result:
        raise NotImplementedError


class StatStorm(PathWorkload):
    """stat() and then path.exists() of each of 10k files, 64 tasks."""

    name, unit = "stat", "calls/s"

    def prepare(self, files: bool) -> None:
        self.dir = os.path.join(self.base, "statdir")
        self.paths = [os.path.join(self.dir, f"{i:06d}") for i in range(self.s.stat_files)]
        if files:
            os.mkdir(self.dir)
            for i, p in enumerate(self.paths):
                with open(p, "wb") as f:
                    f.write(b"x" * (i % 100))

    async def measure(self, lib: Lib, out: str) -> Result:
        todo = iter(range(len(self.paths)))
        lat: list[float] = []
        bad = 0

        async def worker() -> None:
            nonlocal bad
            for i in todo:
                t = time.perf_counter()
                st = await lib.os.stat(self.paths[i])
                ok = await lib.os.path.exists(self.paths[i])
                lat.append((time.perf_counter() - t) / 2)
                bad += st.st_size != i % 100 or not ok

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(self.s.path_tasks)))
        return Result(2 * len(self.paths) / (time.perf_counter() - t0), self.unit, lat, bad)


class TreeListing(PathWorkload):
    """listdir() of each directory of a tree of tree_dirs × tree_files entries."""

    name, unit = "listdir", "entries/s"

    def prepare(self, files: bool) -> None:
        self.top = os.path.join(self.base, "tree")
        self.dirs = [os.path.join(self.top, f"d{k:03d}") for k in range(self.s.tree_dirs)]
        if files and not os.path.exists(self.top):
            for d in self.dirs:
                os.makedirs(d)
                for i in range(self.s.tree_files):
                    os.close(os.open(os.path.join(d, f"entry-{i:06d}.dat"), os.O_CREAT | os.O_WRONLY, 0o644))
        self.entries = self.s.tree_dirs * (self.s.tree_files + 1)

    async def measure(self, lib: Lib, out: str) -> Result:
        lat: list[float] = []
        bad = 0
        t0 = time.perf_counter()
        for d in self.dirs:
            t = time.perf_counter()
            names = await self.list(lib, d)
            lat.append(time.perf_counter() - t)
            bad += len(names) != self.s.tree_files
        return Result(self.entries / (time.perf_counter() - t0), self.unit, lat, bad)

    async def list(self, lib: Lib, d: str) -> list[Any]:
        return list(await lib.os.listdir(d))


class TreeScandir(TreeListing):
    """scandir() of each directory, with is_dir() of every entry."""

    name = "scandir"

    async def list(self, lib: Lib, d: str) -> list[Any]:
        got = await lib.scandir(d)
        return [n for n, is_dir in got if not is_dir]


class TreeWalk(TreeListing):
    """walk() of the whole tree (the library's own walk, or its scandir)."""

    name = "walk"

    async def measure(self, lib: Lib, out: str) -> Result:
        t0 = time.perf_counter()
        got = await lib.walk(self.top)
        took = time.perf_counter() - t0
        files = sum(len(fs) for _, _, fs in got)
        bad = (files != self.s.tree_dirs * self.s.tree_files) + (len(got) != self.s.tree_dirs + 1)
        return Result(self.entries / took, self.unit, [took], bad)


class RemoveFiles(PathWorkload):
    """remove() of 5k files (created untimed first), 64 tasks."""

    name, unit = "remove", "files/s"

    async def measure(self, lib: Lib, out: str) -> Result:
        paths = [os.path.join(out, f"{i:06d}") for i in range(self.s.remove_files)]
        for p in paths:
            os.close(os.open(p, os.O_CREAT | os.O_WRONLY, 0o644))
        todo = iter(paths)
        lat: list[float] = []

        async def worker() -> None:
            for p in todo:
                t = time.perf_counter()
                await lib.os.remove(p)
                lat.append(time.perf_counter() - t)

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(self.s.path_tasks)))
        rate = len(paths) / (time.perf_counter() - t0)
        return Result(rate, self.unit, lat, len(os.listdir(out)))


"""Many items written as new files or appended lines: dataset, looplag, the sweeps, jsonl."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import time

from peers.base import Lib
from sizes import Sizes

from .base import Result, Workload
from .data import make_item
from .timer import Heartbeat


class Dataset(Workload):
    """Crawlee's dataset: each item its own pretty-printed JSON file."""

    name, unit = "dataset", "items/s"

    def prepare(self, files: bool) -> None:
        self.texts = [json.dumps(make_item(i), indent=2, ensure_ascii=False) for i in range(self.s.items)]

    async def run(self, lib: Lib, out: str) -> Result:
        rate, lat = await self.write_all(lib, out)
        return Result(rate, self.unit, lat, self.verify(out))

    async def write_all(self, lib: Lib, out: str) -> tuple[float, list[float]]:
        lat: list[float] = []
        todo = iter(range(len(self.texts)))

        async def worker() -> None:
            # concurrency workers share the items: the same load as a task per item
            # under a semaphore, without creating thousands of tasks in one tick (a
            # stall of tens of ms that looplag would blame on the library).
            for i in todo:
                t = time.perf_counter()
                await lib.write_text(os.path.join(out, f"{i:09d}.json"), self.texts[i])
                lat.append(time.perf_counter() - t)

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(self.s.concurrency)))
        return len(self.texts) / (time.perf_counter() - t0), lat

    def verify(self, out: str) -> int:
        bad = 0
        for i, text in enumerate(self.texts):
            with open(os.path.join(out, f"{i:09d}.json"), encoding="utf-8") as f:
                bad += f.read() != text
        return bad


class LoopLag(Dataset):
    """The dataset pattern, repeated for at least lag_seconds (hundreds of samples for
    every library), while a 1 ms sleeper measures how late the event loop wakes it."""

    name, unit = "looplag", "items/s"

    async def run(self, lib: Lib, out: str) -> Result:
        lat: list[float] = []
        passes: list[str] = []
        async with Heartbeat() as hb:
            t0 = time.perf_counter()
            while not passes or time.perf_counter() - t0 < self.s.lag_seconds:
                passes.append(os.path.join(out, f"pass{len(passes)}"))
                os.mkdir(passes[-1])
                lat += (await self.write_all(lib, passes[-1]))[1]
            rate = len(self.texts) * len(passes) / (time.perf_counter() - t0)
        return Result(rate, self.unit, lat, sum(self.verify(d) for d in passes), hb.extra())  # after it stopped


class Sweep(Dataset):
    """The dataset pattern over sweep_items new files at a set concurrency, with the
    process's peak RSS and how much the run added to the RSS it started with: the memory
    each concurrently open file costs. The peak is the process's own (VmHWM), not
    ru_maxrss: Linux carries ru_maxrss across exec from the memory the child was forked
    (vforked) from, so every child's ru_maxrss was at least the runner's RSS, which grows
    with each workload it prepares."""

    concurrency = 0

    def __init__(self, sizes: Sizes, base: str) -> None:
        super().__init__(dataclasses.replace(sizes, items=sizes.sweep_items, concurrency=self.concurrency), base)

    async def run(self, lib: Lib, out: str) -> Result:
        start = _status_mib("VmRSS")
        res = await super().run(lib, out)
        peak = _status_mib("VmHWM")
        res.extra = {"peak_rss_mib": peak, "added_rss_mib": peak - start}
        return res


def _status_mib(field: str) -> float:
    """A size line of /proc/self/status (in kB there), in MiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise LookupError(field)


SWEEPS = [type(f"Sweep{n}", (Sweep,), {"name": f"sweep-{n}", "concurrency": n}) for n in (1, 10, 50, 200, 1000, 5000)]


class Jsonl(Workload):
    """Batches of awaited one-line appends to one shared file opened in "a" text mode."""

    name, unit = "jsonl", "items/s"

    def prepare(self, files: bool) -> None:
        n = self.s.jsonl_batches * self.s.jsonl_batch
        self.lines = [json.dumps(make_item(i)) + "\n" for i in range(n)]

    async def run(self, lib: Lib, out: str) -> Result:
        path = os.path.join(out, "dataset.jsonl")
        f = await lib.open_append(path)
        sem = asyncio.Semaphore(self.s.concurrency)
        lat: list[float] = []

        async def one(line: str) -> None:
            async with sem:
                t = time.perf_counter()
                await lib.append(f, line)
                lat.append(time.perf_counter() - t)

        t0 = time.perf_counter()
        b = self.s.jsonl_batch
        for k in range(self.s.jsonl_batches):
            await asyncio.gather(*(one(line) for line in self.lines[k * b : (k + 1) * b]))
        await lib.close(f)
        rate = len(self.lines) / (time.perf_counter() - t0)
        with open(path, encoding="utf-8", errors="replace") as g:  # a torn write is a mismatch, not a crash
            got = g.readlines()
        bad = abs(len(got) - len(self.lines)) + len(set(self.lines) - set(got))
        return Result(rate, self.unit, lat, bad)


"""Large pattern files read and written in blocks: randread, seqread, seqread-readinto, seqwrite."""

from __future__ import annotations

import asyncio
import os
import random
import time
from typing import Any

from peers.aiofile import Aiofile
from peers.base import Lib
from peers.stdlib import ToThread
from sizes import BLOCK, MiB

from .base import Result, Workload
from .data import warm, block_pattern, check_blocks, write_pattern_file


class RandRead(Workload):
    """Random aligned 4 KiB reads of a warm file by many tasks."""

    name, unit = "randread", "ops/s"

    def prepare(self, files: bool) -> None:
        self.path = os.path.join(self.base, "rand.dat")
        if files:
            write_pattern_file(self.path, self.s.rand_file)
            warm(self.path)
        rng = random.Random(7)
        blocks = self.s.rand_file // BLOCK
        self.offsets = [rng.randrange(blocks) for _ in range(self.s.rand_reads)]

    async def run(self, lib: Lib, out: str) -> Result:
        tasks = self.s.rand_tasks
        lat: list[float] = []
        bad = 0
        shared = await lib.open_reader(self.path) if lib.shared_reader else None

        async def worker(k: int) -> None:
            nonlocal bad
            f = shared if shared is not None else await lib.open_reader(self.path)
            for blk in self.offsets[k::tasks]:
                t = time.perf_counter()
                data = await lib.pread(f, blk * BLOCK, BLOCK)
                lat.append(time.perf_counter() - t)
                bad += check_blocks(data, blk) if len(data) == BLOCK else 1
            if shared is None:
                await _close_fd_or_file(lib, f)

        t0 = time.perf_counter()
        await asyncio.gather(*(worker(k) for k in range(tasks)))
        rate = len(self.offsets) / (time.perf_counter() - t0)
        if shared is not None:
            await _close_fd_or_file(lib, shared)
        return Result(rate, self.unit, lat, bad)


async def _close_fd_or_file(lib: Lib, f: Any) -> None:
    if isinstance(f, int):
        os.close(f)
    else:
        await lib.close(f)


class SeqRead(Workload):
    """A large file read front to back with read(1 MiB), as users write it."""

    name, unit = "seqread", "MiB/s"
    into = False  # readinto() into one reused buffer instead

    def prepare(self, files: bool) -> None:
        self.path = os.path.join(self.base, "seq.dat")
        if files:
            write_pattern_file(self.path, self.s.seq_file)
            warm(self.path)

    async def run(self, lib: Lib, out: str) -> Result:
        if isinstance(lib, Aiofile):
            return await self._run_aiofile(lib)
        buf = bytearray(MiB)
        lat: list[float] = []
        bad = total = 0
        if isinstance(lib, ToThread):  # a plain file: buffered for read(n), raw for readinto
            f = open(self.path, "rb", buffering=0 if self.into else -1)
        else:
            f = await lib.open_reader(self.path)
        t0 = time.perf_counter()
        while True:
            t = time.perf_counter()
            if self.into:
                n = await lib.readinto(f, buf)
                data: Any = memoryview(buf)[:n]
            else:
                data = await lib.read(f, MiB)
                n = len(data)
            lat.append(time.perf_counter() - t)
            if not n:
                break
            bad += check_blocks(data, total // BLOCK)
            total += n
        rate = total / MiB / (time.perf_counter() - t0)
        if isinstance(lib, ToThread):
            f.close()
        else:
            await lib.close(f)
        return Result(rate, self.unit, lat, bad + (total != self.s.seq_file))

    async def _run_aiofile(self, lib: Aiofile) -> Result:
        f = await lib.open_reader(self.path)
        lat: list[float] = []
        bad = total = 0
        t0 = time.perf_counter()
        while True:
            t = time.perf_counter()
            data = await f.read_bytes(MiB, total)
            lat.append(time.perf_counter() - t)
            if not data:
                break
            bad += check_blocks(data, total // BLOCK)
            total += len(data)
        rate = total / MiB / (time.perf_counter() - t0)
        await f.close()
        return Result(rate, self.unit, lat, bad + (total != self.s.seq_file))


class SeqReadInto(SeqRead):
    """The same file read with readinto() into one reused 1 MiB buffer."""

    name = "seqread-readinto"
    into = True

    def prepare(self, files: bool) -> None:
        super().prepare(files and not os.path.exists(os.path.join(self.base, "seq.dat")))


class SeqWrite(Workload):
    """A large file written front to back in 1 MiB chunks."""

    name, unit = "seqwrite", "MiB/s"

    def prepare(self, files: bool) -> None:
        per = MiB // BLOCK
        self.chunks = [b"".join(block_pattern(c * per + k) for k in range(per)) for c in range(self.s.seq_file // MiB)]

    async def run(self, lib: Lib, out: str) -> Result:
        path = os.path.join(out, "seqwrite.dat")
        lat: list[float] = []
        t0 = time.perf_counter()
        if isinstance(lib, Aiofile):
            async with lib.m.async_open(path, "wb") as f:
                for c, chunk in enumerate(self.chunks):
                    t = time.perf_counter()
                    await f.file.write_bytes(chunk, c * MiB)
                    lat.append(time.perf_counter() - t)
        else:
            f = await lib.open_writer(path)
            for chunk in self.chunks:
                t = time.perf_counter()
                await lib.write(f, chunk)
                lat.append(time.perf_counter() - t)
            await lib.close(f)
        rate = len(self.chunks) / (time.perf_counter() - t0)
        bad = 0
        with open(path, "rb") as g:
            for c in range(len(self.chunks)):
                bad += check_blocks(g.read(MiB), c * (MiB // BLOCK))
        os.unlink(path)  # large and few: freeing them does not slow later creates
        return Result(rate, self.unit, lat, bad)


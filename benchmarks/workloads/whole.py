"""Files read or written whole: smallread, readmany, readgather, writemany, atomic, copy."""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import time

from peers.base import Lib, gathered
from sizes import BLOCK, MiB

from .base import Result, Workload
from .data import check_blocks, write_pattern_file


class SmallRead(Workload):
    """Many small files read whole (the static-file server pattern)."""

    name, unit = "smallread", "files/s"

    def prepare(self, files: bool) -> None:
        self.dir = os.path.join(self.base, "small")
        if files:
            os.mkdir(self.dir)
        rng = random.Random(3)
        self.files = []
        for i in range(self.s.small_files):
            data = rng.randbytes(rng.randrange(1024, 8192))
            path = os.path.join(self.dir, f"{i:06d}.bin")
            if files:
                with open(path, "wb") as f:
                    f.write(data)
            self.files.append((path, data))

    async def run(self, lib: Lib, out: str) -> Result:
        sem = asyncio.Semaphore(self.s.concurrency)
        lat: list[float] = []
        bad = 0

        async def one(path: str, want: bytes) -> None:
            nonlocal bad
            async with sem:
                t = time.perf_counter()
                got = await lib.read_bytes(path)
                lat.append(time.perf_counter() - t)
                bad += got != want

        t0 = time.perf_counter()
        await asyncio.gather(*(one(p, d) for p, d in self.files))
        return Result(len(self.files) / (time.perf_counter() - t0), self.unit, lat, bad)


class ReadMany(Workload):
    """Small files (100 B–4 KiB) read whole with the library's many-files call, 64 at a time."""

    name, unit = "readmany", "files/s"

    def prepare(self, files: bool) -> None:
        self.dir = os.path.join(self.base, "many")
        rng = random.Random(11)
        self.files = [(os.path.join(self.dir, f"{i:06d}"), rng.randbytes(rng.randrange(100, 4096)))
                      for i in range(self.s.many_files)]
        if files and not os.path.exists(self.dir):
            os.mkdir(self.dir)
            for path, data in self.files:
                with open(path, "wb") as f:
                    f.write(data)

    async def run(self, lib: Lib, out: str) -> Result:
        t0 = time.perf_counter()
        got = await self.read(lib)
        took = time.perf_counter() - t0
        bad = sum(g != d for g, (_, d) in zip(got, self.files)) + abs(len(got) - len(self.files))
        return Result(len(self.files) / took, self.unit, [took / len(self.files)], bad)

    async def read(self, lib: Lib) -> list[bytes]:
        return await lib.read_files([p for p, _ in self.files], 64)


class ReadGather(ReadMany):
    """The same files, the library's single-file read under gather, 64 at a time."""

    name = "readgather"

    async def read(self, lib: Lib) -> list[bytes]:
        return await gathered([lambda p=p: lib.read_file(p) for p, _ in self.files], 64)


class WriteMany(ReadMany):
    """The same files written whole into a fresh directory, 64 at a time."""

    name = "writemany"

    def prepare(self, files: bool) -> None:
        super().prepare(False)

    async def run(self, lib: Lib, out: str) -> Result:
        pairs = [(os.path.join(out, os.path.basename(p)), d) for p, d in self.files]
        t0 = time.perf_counter()
        await lib.write_files(pairs, 64)
        took = time.perf_counter() - t0
        bad = 0
        for p, d in pairs:
            with open(p, "rb") as f:
                bad += f.read() != d
        return Result(len(pairs) / took, self.unit, [took / len(pairs)], bad)


class AtomicWrites(Workload):
    """Atomic and durable rewrites (temporary file, fsync, rename, directory fsync) of
    100 state files by 16 tasks; each file must end whole."""

    name, unit = "atomic", "writes/s"

    async def run(self, lib: Lib, out: str) -> Result:
        targets = [os.path.join(out, f"state-{i:03d}.json") for i in range(100)]
        todo = iter(range(self.s.atomic_writes))
        lat: list[float] = []

        async def worker() -> None:
            for i in todo:
                body = f"{i}".encode() * 200
                t = time.perf_counter()
                await lib.write_atomic(targets[i % len(targets)], hashlib.sha256(body).hexdigest().encode() + body)
                lat.append(time.perf_counter() - t)

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(16)))
        rate = self.s.atomic_writes / (time.perf_counter() - t0)
        bad = 0
        for t in targets[: self.s.atomic_writes]:
            with open(t, "rb") as f:
                data = f.read()
            bad += hashlib.sha256(data[64:]).hexdigest().encode() != data[:64]
        bad += len([n for n in os.listdir(out) if n.endswith(".tmp")])
        return Result(rate, self.unit, lat, bad)


class Copy(Workload):
    """One large file copied whole (the library's copy call, else a read/write loop)."""

    name, unit = "copy", "MiB/s"

    def prepare(self, files: bool) -> None:
        self.path = os.path.join(self.base, "copy-src.dat")
        if files:
            write_pattern_file(self.path, self.s.copy_file)

    async def run(self, lib: Lib, out: str) -> Result:
        dst = os.path.join(out, "copy.dat")
        t0 = time.perf_counter()
        await lib.copy(self.path, dst)
        took = time.perf_counter() - t0
        bad = os.path.getsize(dst) != self.s.copy_file
        with open(dst, "rb") as f:  # spot checks: a block every 64 MiB
            for blk in range(0, self.s.copy_file // BLOCK, (64 * MiB) // BLOCK):
                f.seek(blk * BLOCK)
                bad += check_blocks(f.read(BLOCK), blk)
        os.unlink(dst)
        return Result(self.s.copy_file / MiB / took, self.unit, [took], bad)


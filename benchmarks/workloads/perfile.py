"""One file at a time: file-write, file-read, file-stat."""

from __future__ import annotations

import os
import time

from peers.base import Lib
from sizes import BLOCK

from .base import Result, Workload
from .data import check_blocks, write_pattern_file


class PerFile(Workload):
    """One file at a time (concurrency 1), one operation per item: what an awaited
    request costs when the kernel can finish it at once (the loop round trip, not the
    storage). The first tenth is a warm-up (untimed)."""

    unit = "files/s"

    async def run(self, lib: Lib, out: str) -> Result:
        warm = max(self.s.per_file // 10, 1)
        for i in range(warm):
            await self.one(lib, out, -1 - i)
        lat: list[float] = []
        bad = 0
        t0 = time.perf_counter()
        for i in range(self.s.per_file):
            t = time.perf_counter()
            bad += await self.one(lib, out, i)
            lat.append(time.perf_counter() - t)
        return Result(self.s.per_file / (time.perf_counter() - t0), self.unit, lat, bad)

    async def one(self, lib: Lib, out: str, i: int) -> int:
        """One operation; 1 if its result is wrong."""
        raise NotImplementedError


class FileWrite(PerFile):
    """open("w") + write 1 KB of text + close, a new file each."""

    name = "file-write"
    TEXT = "0123456789abcdef" * 62 + "\n" * 8  # 1,000 characters

    async def one(self, lib: Lib, out: str, i: int) -> int:
        await lib.write_text(os.path.join(out, f"w{i}"), self.TEXT)
        return 0

    async def run(self, lib: Lib, out: str) -> Result:
        res = await super().run(lib, out)
        for i in range(self.s.per_file):
            with open(os.path.join(out, f"w{i}"), encoding="utf-8") as f:
                res.mismatches += f.read() != self.TEXT
        return res


class FileRead(PerFile):
    """open("rb") + read 4 KiB + close of one cached file."""

    name = "file-read"

    def prepare(self, files: bool) -> None:
        self.path = os.path.join(self.base, "one-4k.dat")
        if files:
            write_pattern_file(self.path, BLOCK)

    async def one(self, lib: Lib, out: str, i: int) -> int:
        data = await lib.read_bytes(self.path)
        return int(len(data) != BLOCK) + check_blocks(data, 0)


class FileStat(PerFile):
    """os.stat of one file (the library's aiofiles.os-style stat)."""

    name = "file-stat"

    def prepare(self, files: bool) -> None:
        self.path = os.path.join(self.base, "one-4k.dat")
        if files and not os.path.exists(self.path):
            write_pattern_file(self.path, BLOCK)

    async def run(self, lib: Lib, out: str) -> Result:
        if lib.os is None:
            return Result(0.0, self.unit, mismatches=-1)  # not applicable
        return await super().run(lib, out)

    async def one(self, lib: Lib, out: str, i: int) -> int:
        return int((await lib.os.stat(self.path)).st_size != BLOCK)


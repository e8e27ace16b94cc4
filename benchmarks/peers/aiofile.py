"""aiofile: files on caio."""

from __future__ import annotations

from typing import Any

from .base import Lib


class Aiofile(Lib):
    """aiofile on caio (its io_uring backend where the kernel has it)."""

    name = "aiofile"
    shared_reader = True

    def __init__(self) -> None:
        import aiofile

        self.m = aiofile

    async def write_text(self, path: str, text: str) -> None:
        async with self.m.async_open(path, "w", encoding="utf-8") as f:
            await f.write(text)

    async def open_append(self, path: str) -> Any:
        f = self.m.async_open(path, "a", encoding="utf-8")
        await f.file.open()
        return f

    async def open_reader(self, path: str) -> Any:
        f = self.m.AIOFile(path, "rb")
        await f.open()
        return f

    async def pread(self, f: Any, off: int, n: int) -> bytes:
        data: bytes = await f.read_bytes(n, off)
        return data

    async def read_bytes(self, path: str) -> bytes:
        async with self.m.async_open(path, "rb") as f:
            data: bytes = await f.read()
            return data


"""anyio's files and anyio.Path."""

from __future__ import annotations

from typing import Any

from .base import Lib, PathApi


class Anyio(Lib):
    name = "anyio"

    def __init__(self) -> None:
        import anyio

        self.m = anyio
        self.apath = PathApi(anyio.Path)

    async def write_text(self, path: str, text: str) -> None:
        async with await self.m.open_file(path, "w", encoding="utf-8") as f:
            await f.write(text)

    async def open_append(self, path: str) -> Any:
        return await self.m.open_file(path, "a", encoding="utf-8")

    async def close(self, f: Any) -> None:
        await f.aclose()

    async def open_reader(self, path: str) -> Any:
        return await self.m.open_file(path, "rb")

    async def open_writer(self, path: str) -> Any:
        return await self.m.open_file(path, "wb")

    async def read_bytes(self, path: str) -> bytes:
        async with await self.m.open_file(path, "rb") as f:
            data: bytes = await f.read()
            return data


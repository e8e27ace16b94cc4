"""ayafileio itself, on its default backend, on the worker backend, and with turn_share=16
(fairer turns at the loop iteration's budget)."""

from __future__ import annotations

from typing import Any

import ayafileio

from .base import Lib, PathApi


class Ayafileio(Lib):
    name = "ayafileio"
    shared_reader = True

    async def read_file(self, path: str) -> bytes:
        data: bytes = await self.m.read_bytes(path)
        return data

    async def read_files(self, paths: list[str], tasks: int) -> list[bytes]:
        return list(await self.m.read_bytes_many(paths, max_concurrency=tasks))

    async def write_file(self, path: str, data: bytes) -> None:
        await self.m.write_bytes(path, data)

    async def write_files(self, pairs: list[tuple[str, bytes]], tasks: int) -> None:
        await self.m.write_bytes_many(pairs, max_concurrency=tasks)

    async def write_atomic(self, path: str, data: bytes) -> None:
        await ayafileio.write_bytes(path, data, atomic=True, durable=True)

    async def copy(self, src: str, dst: str) -> None:
        await self.m.acopy(src, dst)

    def __init__(self) -> None:
        self.m = ayafileio
        self.aopen = ayafileio.open  # awaitable as it is
        self.os = ayafileio.os
        self.apath = PathApi(ayafileio.Path)

    async def walk(self, top: str) -> list[tuple[str, list[str], list[str]]]:
        return [t async for t in ayafileio.os.walk(top)]

    async def scandir(self, path: str) -> list[tuple[str, bool]]:
        return [(e.name, e.is_dir()) async for e in ayafileio.os.scandir(path)]

    async def write_text(self, path: str, text: str) -> None:
        async with self.m.open(path, "w", encoding="utf-8") as f:
            await f.write(text)

    async def open_append(self, path: str) -> Any:
        return await self.aopen(path, "a", encoding="utf-8")

    async def open_reader(self, path: str) -> Any:
        return await self.aopen(path, "rb")

    async def pread(self, f: Any, off: int, n: int) -> bytes:
        data: bytes = await f.read_at(off, n)
        return data

    async def open_writer(self, path: str) -> Any:
        return await self.aopen(path, "wb")

    async def read_bytes(self, path: str) -> bytes:
        async with self.m.open(path, "rb") as f:
            data: bytes = await f.read()
            return data


class AyafileioWorker(Ayafileio):
    name = "ayafileio (worker)"

    def enter(self) -> None:
        ayafileio.configure(backend="worker")

    def leave(self) -> None:
        ayafileio.configure(backend="auto")



class AyafileioFair(Ayafileio):
    name = "ayafileio (turn_share 16)"

    def enter(self) -> None:
        ayafileio.configure(turn_share=16)

    def leave(self) -> None:
        ayafileio.configure(turn_share=1)

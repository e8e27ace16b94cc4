"""What every library adapter answers to (Lib), an async Path's calls (PathApi), and
the loader of the peers scripts/bench unpacks under names of their own."""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
from collections.abc import Callable
from typing import Any

from sizes import MiB


# Where scripts/bench unpacks the peers that cannot be installed beside the others.
PEERS = os.environ.get("AYAFILEIO_PEERS", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".peers"))


class PathApi:
    """What the asyncpath workloads ask of an async Path class: read_text, exists and
    an rglob("*") gathered into a list."""

    def __init__(self, cls: Any) -> None:
        self.cls = cls

    async def read_text(self, path: str) -> str:
        text: str = await self.cls(path).read_text(encoding="utf-8")
        return text

    async def exists(self, path: str) -> bool:
        return bool(await self.cls(path).exists())

    async def rglob(self, top: str) -> list[Any]:
        return [p async for p in self.cls(top).rglob("*")]


class Lib:
    """One library's way of doing each workload's operations."""

    name = ""

    def enter(self) -> None:
        """Before each run (a fresh event loop is created per run)."""

    def leave(self) -> None:
        """After each run."""

    async def write_text(self, path: str, text: str) -> None:
        raise NotImplementedError

    async def open_append(self, path: str) -> Any:
        raise NotImplementedError

    async def append(self, f: Any, line: str) -> None:
        await f.write(line)

    async def close(self, f: Any) -> None:
        await f.close()

    async def open_reader(self, path: str) -> Any:
        raise NotImplementedError

    async def pread(self, f: Any, off: int, n: int) -> bytes:
        await f.seek(off)  # one handle per task: seek then read
        data: bytes = await f.read(n)
        return data

    async def readinto(self, f: Any, buf: bytearray) -> int:
        n: int = await f.readinto(buf)
        return n

    async def read(self, f: Any, n: int) -> bytes:
        data: bytes = await f.read(n)
        return data

    async def open_writer(self, path: str) -> Any:
        raise NotImplementedError

    async def write(self, f: Any, data: bytes) -> None:
        await f.write(data)

    async def read_bytes(self, path: str) -> bytes:
        raise NotImplementedError

    shared_reader = False  # one handle serves every task (positional reads)

    # Whole files: the library's own calls where it has them (its _many forms), else
    # open/read/close under gather with a semaphore. A library without an atomic write
    # is n/a for that workload.
    async def read_file(self, path: str) -> bytes:
        return await self.read_bytes(path)

    async def read_files(self, paths: list[str], tasks: int) -> list[bytes]:
        return await gathered([lambda p=p: self.read_file(p) for p in paths], tasks)

    async def write_file(self, path: str, data: bytes) -> None:
        f = await self.open_writer(path)
        await self.write(f, data)
        await self.close(f)

    async def write_files(self, pairs: list[tuple[str, bytes]], tasks: int) -> None:
        await gathered([lambda p=p, d=d: self.write_file(p, d) for p, d in pairs], tasks)

    async def write_atomic(self, path: str, data: bytes) -> None:
        """data replaces path's content atomically and durably."""
        raise NotImplementedError

    async def copy(self, src: str, dst: str) -> None:
        """src copied to dst: the library's copy call, else a read/write loop of 1 MiB."""
        f, g = await self.open_reader(src), await self.open_writer(dst)
        while data := await self.read(f, MiB):
            await self.write(g, data)
        await self.close(f)
        await self.close(g)
    # aiofiles.os's API (stat, remove, listdir, scandir, path.exists), if the library
    # has it; the path workloads skip a library without one.
    os: Any = None

    async def walk(self, top: str) -> list[tuple[str, list[str], list[str]]]:
        """os.walk's triples, from the library's own walk or else its scandir."""
        out = []
        todo = [top]
        while todo:
            d = todo.pop()
            dirs: list[str] = []
            files: list[str] = []
            for e in await self.os.scandir(d):
                (dirs if e.is_dir() else files).append(e.name)
            out.append((d, dirs, files))
            todo.extend(os.path.join(d, n) for n in reversed(dirs))
        return out

    async def scandir(self, path: str) -> list[tuple[str, bool]]:
        return [(e.name, e.is_dir()) for e in await self.os.scandir(path)]

    # An async pathlib.Path (PathApi), if the library has one; the asyncpath workloads
    # skip a library without one.
    apath: Any = None

    on_asyncio = True  # the library's event loop is asyncio's

    def run(self, main: Callable[[], Any]) -> Any:
        """main() run to completion on a fresh event loop of the library's kind."""
        return asyncio.run(main())


async def gathered(calls: list[Callable[[], Any]], tasks: int) -> list[Any]:
    sem = asyncio.Semaphore(tasks)

    async def one(call: Callable[[], Any]) -> Any:
        async with sem:
            return await call()

    return list(await asyncio.gather(*(one(c) for c in calls)))


def unpacked(name: str) -> Any:
    """A peer unpacked into PEERS under a name of its own."""
    if PEERS not in sys.path:
        sys.path.insert(0, PEERS)
    return importlib.import_module(name)


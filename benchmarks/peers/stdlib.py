"""The standard library's blocking calls, handed to threads with asyncio.to_thread or
made right on the loop: the baselines."""

from __future__ import annotations

import asyncio
import os
import pathlib
import shutil
from collections.abc import Callable
from typing import Any

from .base import Lib, PathApi


class BlockingPathApi(PathApi):
    """pathlib.Path's calls made right inside the coroutine."""

    def __init__(self) -> None:
        super().__init__(pathlib.Path)

    async def read_text(self, path: str) -> str:
        return pathlib.Path(path).read_text(encoding="utf-8")

    async def exists(self, path: str) -> bool:
        return pathlib.Path(path).exists()

    async def rglob(self, top: str) -> list[Any]:
        return list(pathlib.Path(top).rglob("*"))


class _OsOn:
    """os and os.path functions called through run (to_thread, or right away)."""

    def __init__(self, run: Callable[..., Any]) -> None:
        self.run = run
        self.path = self

    async def stat(self, p: str) -> os.stat_result:
        st: os.stat_result = await self.run(os.stat, p)
        return st

    async def exists(self, p: str) -> bool:
        return bool(await self.run(os.path.exists, p))

    async def remove(self, p: str) -> None:
        await self.run(os.remove, p)

    async def listdir(self, p: str) -> list[str]:
        return list(await self.run(os.listdir, p))


async def _now(fn: Callable[..., Any], *args: Any) -> Any:
    return fn(*args)


def _scandir_list(path: str) -> list[tuple[str, bool]]:
    with os.scandir(path) as it:
        return [(e.name, e.is_dir()) for e in it]


def _walk_list(top: str) -> list[tuple[str, list[str], list[str]]]:
    return list(os.walk(top))


class ToThread(Lib):
    """Plain blocking calls, each handed to a thread with asyncio.to_thread."""

    name = "asyncio.to_thread"
    shared_reader = True
    os = _OsOn(asyncio.to_thread)

    async def walk(self, top: str) -> list[tuple[str, list[str], list[str]]]:
        return await asyncio.to_thread(_walk_list, top)

    async def scandir(self, path: str) -> list[tuple[str, bool]]:
        return await asyncio.to_thread(_scandir_list, path)

    async def write_text(self, path: str, text: str) -> None:
        await asyncio.to_thread(_write_text, path, text)

    async def open_append(self, path: str) -> Any:
        return await asyncio.to_thread(open, path, "a", encoding="utf-8")

    async def append(self, f: Any, line: str) -> None:
        await asyncio.to_thread(f.write, line)

    async def close(self, f: Any) -> None:
        await asyncio.to_thread(f.close)

    async def open_reader(self, path: str) -> Any:
        return await asyncio.to_thread(os.open, path, os.O_RDONLY)

    async def pread(self, f: Any, off: int, n: int) -> bytes:
        return await asyncio.to_thread(os.pread, f, n, off)

    async def readinto(self, f: Any, buf: bytearray) -> int:
        n: int = await asyncio.to_thread(f.readinto, buf)
        return n

    async def read(self, f: Any, n: int) -> bytes:
        return await asyncio.to_thread(f.read, n)

    async def open_writer(self, path: str) -> Any:
        return await asyncio.to_thread(open, path, "wb")

    async def write(self, f: Any, data: bytes) -> None:
        await asyncio.to_thread(f.write, data)

    async def read_bytes(self, path: str) -> bytes:
        return await asyncio.to_thread(_read_bytes, path)

    async def read_file(self, path: str) -> bytes:
        return await asyncio.to_thread(pathlib.Path(path).read_bytes)

    async def write_file(self, path: str, data: bytes) -> None:
        await asyncio.to_thread(pathlib.Path(path).write_bytes, data)

    async def write_atomic(self, path: str, data: bytes) -> None:
        await asyncio.to_thread(_write_atomic, path, data)

    async def copy(self, src: str, dst: str) -> None:
        await asyncio.to_thread(shutil.copyfile, src, dst)


class Blocking(ToThread):
    """The same calls made right inside the coroutine: the per-operation floor, which
    also freezes the event loop while it runs."""

    name = "blocking loop"
    os = _OsOn(_now)
    apath = BlockingPathApi()

    async def walk(self, top: str) -> list[tuple[str, list[str], list[str]]]:
        return _walk_list(top)

    async def scandir(self, path: str) -> list[tuple[str, bool]]:
        return _scandir_list(path)

    async def write_text(self, path: str, text: str) -> None:
        _write_text(path, text)

    async def open_append(self, path: str) -> Any:
        return open(path, "a", encoding="utf-8")

    async def append(self, f: Any, line: str) -> None:
        f.write(line)

    async def close(self, f: Any) -> None:
        if isinstance(f, int):
            os.close(f)
        else:
            f.close()

    async def open_reader(self, path: str) -> Any:
        return os.open(path, os.O_RDONLY)

    async def pread(self, f: Any, off: int, n: int) -> bytes:
        return os.pread(f, n, off)

    async def readinto(self, f: Any, buf: bytearray) -> int:
        n: int = f.readinto(buf)
        return n

    async def read(self, f: Any, n: int) -> bytes:
        data: bytes = f.read(n)
        return data

    async def open_writer(self, path: str) -> Any:
        return open(path, "wb")

    async def write(self, f: Any, data: bytes) -> None:
        f.write(data)

    async def read_bytes(self, path: str) -> bytes:
        return _read_bytes(path)

    async def read_file(self, path: str) -> bytes:
        return pathlib.Path(path).read_bytes()

    async def write_file(self, path: str, data: bytes) -> None:
        pathlib.Path(path).write_bytes(data)

    async def write_atomic(self, path: str, data: bytes) -> None:
        _write_atomic(path, data)

    async def copy(self, src: str, dst: str) -> None:
        shutil.copyfile(src, dst)


def fsync_dir(path: str) -> None:
    fd = os.open(path or ".", os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(path: str, data: bytes) -> None:
    temp = f"{path}.{os.urandom(4).hex()}.tmp"
    with open(temp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temp, path)
    fsync_dir(os.path.dirname(path))


def _write_text(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


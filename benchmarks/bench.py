"""ayafileio against its peers, side by side in one run.

Libraries run interleaved (A B A B ...) for every round, each (workload, library, round)
in a fresh process (a library's leftover threads must not tax the next one: the C++
ayafileio 2.0 leaves a reaper thread busy-polling per closed loop); a warm-up round runs
first and is discarded. Each workload verifies what it wrote or read (mismatches must be
0) and records per-operation latency. The table gives medians over the rounds, the
min-max spread, the ratio to aiofiles, p50/p99 latency; looplag gives a 1 ms timer's
p50/p99 lateness.

    python benchmarks/bench.py                       # every workload, every library found
    python benchmarks/bench.py --quick               # small sizes: proves the suite works
    python benchmarks/bench.py --workloads dataset --libs ayafileio,aiofiles --dir /dev/shm
    python benchmarks/bench.py --plot bench.png

Peers come from PyPI: scripts/bench installs them (".[bench]", and into .peers/, each in
a directory of its own under another name, the two that clash with a name: aiofiles-x,
which calls itself aiofiles, and the C++ ayafileio 2.0 as ayafileio_cpp). A missing one
is skipped with a note.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import hashlib
import importlib
import json
import os
import pathlib
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ayafileio

BLOCK = 4096
MiB = 1 << 20
# Where scripts/bench unpacks the peers that cannot be installed beside the others.
PEERS = os.environ.get("AYAFILEIO_PEERS", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".peers"))


# --- sizes ------------------------------------------------------------------------------


@dataclass
class Sizes:
    items: int = 5000  # dataset, looplag
    concurrency: int = 50
    jsonl_batches: int = 10
    jsonl_batch: int = 500
    rand_file: int = 256 * MiB
    rand_reads: int = 100_000
    rand_tasks: int = 64
    seq_file: int = 512 * MiB
    small_files: int = 5000
    lag_seconds: float = 2.0  # looplag runs the dataset pattern at least this long
    stat_files: int = 10_000  # stat: stat + exists of each, 64 tasks
    path_tasks: int = 64
    tree_dirs: int = 50  # listdir/scandir/walk: tree_dirs directories of tree_files entries
    tree_files: int = 1000
    remove_files: int = 5000
    many_files: int = 10_000  # readmany/readgather/writemany: small files, whole
    atomic_writes: int = 2000  # atomic: atomic and durable rewrites of 100 files by 16 tasks
    copy_file: int = 1 << 30  # copy: one file copied whole
    path_files: int = 10_000  # path-read/path-exists: small text files
    slowfs_files: int = 10  # slowfs: files one at a time, then slowfs_concurrent times as many at once
    slowfs_concurrent: int = 8
    per_file: int = 5000  # file-write/file-read/file-stat: one file at a time
    sweep_items: int = 20_000  # sweep-N: the dataset pattern at N concurrent


QUICK = Sizes(items=300, jsonl_batches=2, jsonl_batch=100, rand_file=8 * MiB, rand_reads=3000,
              seq_file=16 * MiB, small_files=300, lag_seconds=0.3, stat_files=500, tree_dirs=4, tree_files=250,
              remove_files=300, many_files=300, atomic_writes=100, copy_file=32 * MiB, path_files=300,
              slowfs_files=3, slowfs_concurrent=4, per_file=300, sweep_items=1000)


# --- data that can be checked -------------------------------------------------------------


def make_item(i: int) -> dict[str, Any]:
    return {"id": i, "url": f"https://example.com/item/{i}", "title": f"Item número {i} ✓",
            "tags": ["alpha", "beta", "gamma"], "price": i * 1.25,
            "description": "lorem ipsum dolor sit amet " * 25}


def block_pattern(index: int) -> bytes:
    """Block index as 8 bytes, repeated over a 4 KiB block: any read can be checked."""
    return index.to_bytes(8, "little") * (BLOCK // 8)


def write_pattern_file(path: str, size: int) -> None:
    with open(path, "wb") as f:
        chunk = bytearray()
        for i in range(size // BLOCK):
            chunk += block_pattern(i)
            if len(chunk) >= MiB:
                f.write(chunk)
                chunk.clear()
        f.write(chunk)


def check_blocks(data: bytes | bytearray | memoryview, first_block: int) -> int:
    """Mismatching blocks in data read from a pattern file at first_block."""
    bad = 0
    for k in range(len(data) // BLOCK):
        want = (first_block + k).to_bytes(8, "little")
        start = k * BLOCK
        if data[start : start + 8] != want or data[start + BLOCK - 8 : start + BLOCK] != want:
            bad += 1
    return bad


# --- the libraries -------------------------------------------------------------------------


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


class TrioPathApi(PathApi):
    """trio.Path: its rglob is awaited whole (pathlib's, listed on a thread)."""

    async def rglob(self, top: str) -> list[Any]:
        return list(await self.cls(top).rglob("*"))


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
        return await _gathered([lambda p=p: self.read_file(p) for p in paths], tasks)

    async def write_file(self, path: str, data: bytes) -> None:
        f = await self.open_writer(path)
        await self.write(f, data)
        await self.close(f)

    async def write_files(self, pairs: list[tuple[str, bytes]], tasks: int) -> None:
        await _gathered([lambda p=p, d=d: self.write_file(p, d) for p, d in pairs], tasks)

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


async def _gathered(calls: list[Callable[[], Any]], tasks: int) -> list[Any]:
    sem = asyncio.Semaphore(tasks)

    async def one(call: Callable[[], Any]) -> Any:
        async with sem:
            return await call()

    return list(await asyncio.gather(*(one(c) for c in calls)))


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


class Aiofiles(Lib):
    name = "aiofiles"

    def __init__(self) -> None:
        import aiofiles
        import aiofiles.os

        self.m = aiofiles
        self.os = aiofiles.os

    async def write_text(self, path: str, text: str) -> None:
        async with self.m.open(path, "w", encoding="utf-8") as f:
            await f.write(text)

    async def open_append(self, path: str) -> Any:
        return await self.m.open(path, "a", encoding="utf-8")

    async def open_reader(self, path: str) -> Any:
        return await self.m.open(path, "rb")

    async def open_writer(self, path: str) -> Any:
        return await self.m.open(path, "wb")

    async def read_bytes(self, path: str) -> bytes:
        async with self.m.open(path, "rb") as f:
            data: bytes = await f.read()
            return data

    async def write_atomic(self, path: str, data: bytes) -> None:
        """The hand-rolled way: a temporary file, fsync, os.replace, fsync of the directory."""
        wrap = getattr(self.os, "wrap", None)
        if wrap is None:
            raise NotImplementedError  # no way to fsync on its threads
        temp = f"{path}.{os.urandom(4).hex()}.tmp"
        async with self.m.open(temp, "wb") as f:
            await f.write(data)
            await f.flush()
            await wrap(os.fsync)(f.fileno())
        await self.os.replace(temp, path)
        await wrap(_fsync_dir)(os.path.dirname(path))


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


def _fsync_dir(path: str) -> None:
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
    _fsync_dir(os.path.dirname(path))


def _write_text(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


async def _close_fd_or_file(lib: Lib, f: Any) -> None:
    if isinstance(f, int):
        os.close(f)
    else:
        await lib.close(f)


def _peer(name: str) -> Any:
    """A peer unpacked into PEERS under a name of its own."""
    if PEERS not in sys.path:
        sys.path.insert(0, PEERS)
    return importlib.import_module(name)


class AyafileioCpp(Ayafileio):
    """The C++ original (ayafileio 2.0.0 on PyPI: liburing), loaded as ayafileio_cpp;
    the same calls (its open() is a context manager, aopen() the awaitable)."""

    name = "ayafileio 2.0 (C++)"

    def __init__(self) -> None:
        self.m = _peer("ayafileio_cpp")
        self.aopen = self.m.aopen
        self.os = None  # no os functions

    async def write_atomic(self, path: str, data: bytes) -> None:
        raise NotImplementedError  # no atomic write


class Aerofs(Aiofiles):
    """aerofs (Rust, tokio threads), aiofiles' API."""

    name = "aerofs"

    def __init__(self) -> None:
        import aerofs
        import aerofs.os

        self.m = aerofs
        self.os = aerofs.os


class AiofilesX(Aiofiles):
    """aiofiles-x (C++, calls its file methods on the loop's thread), aiofiles' API;
    installed as "aiofiles", loaded here as aiofiles_x."""

    name = "aiofiles-x"

    def __init__(self) -> None:
        self.m = _peer("aiofiles_x")
        self.os = getattr(self.m, "os", None)


class AioPath(Lib):
    """aiopath's AsyncPath (pathlib's API on aiofile and threads). On Python 3.11 its
    last release for it (0.6) pins anyio<4: scripts/bench unpacks it into .peers/."""

    name = "aiopath"

    def __init__(self) -> None:
        try:
            import aiopath
        except ImportError:
            aiopath = _peer("aiopath")
        self.apath = PathApi(aiopath.AsyncPath)


class TrioPath(Lib):
    """trio.Path (pathlib's calls on trio's threads), in a trio run of its own."""

    name = "trio.Path"
    on_asyncio = False

    def __init__(self) -> None:
        import trio

        self.trio = trio
        self.apath = TrioPathApi(trio.Path)

    def run(self, main: Callable[[], Any]) -> Any:
        return self.trio.run(main)


LIBS: dict[str, Callable[[], Lib]] = {
    "ayafileio": Ayafileio, "ayafileio-worker": AyafileioWorker, "aiofiles": Aiofiles,
    "ayafileio-cpp": AyafileioCpp, "aiofile": Aiofile, "aerofs": Aerofs, "aiofiles-x": AiofilesX,
    "anyio": Anyio, "to_thread": ToThread, "blocking": Blocking, "aiopath": AioPath, "trio": TrioPath,
}


# --- workloads -------------------------------------------------------------------------------


@dataclass
class Result:
    rate: float
    unit: str
    latencies: list[float] = field(default_factory=list)  # seconds per operation
    mismatches: int = 0
    extra: dict[str, float] = field(default_factory=dict)


class Workload:
    name = ""
    unit = ""
    on_asyncio_only = True  # written with asyncio's own calls: n/a on a library with a loop of another kind

    def __init__(self, sizes: Sizes, base: str) -> None:
        self.s = sizes
        self.base = base

    def prepare(self, files: bool) -> None:
        """The workload's data, rebuilt the same in every process; with files=True also
        the shared input files (made once, by the parent, for every library and round)."""

    async def run(self, lib: Lib, out: str) -> Result:
        raise NotImplementedError


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


class Heartbeat:
    """A 1 ms sleeper on the running loop, while in the block, recording how late the
    loop wakes it."""

    def __init__(self) -> None:
        self.lateness: list[float] = []
        self.stop = False

    async def _beat(self) -> None:
        while not self.stop:
            t = time.perf_counter()
            await asyncio.sleep(0.001)
            self.lateness.append(time.perf_counter() - t - 0.001)

    async def __aenter__(self) -> Heartbeat:
        self.task = asyncio.create_task(self._beat())
        await asyncio.sleep(0.01)  # beating before the work starts
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop = True
        await self.task

    def extra(self) -> dict[str, float]:
        """Result.extra's timer figures: lateness p50, p99 and worst, in ms."""
        late = sorted(self.lateness)
        return {"lag_p50_ms": percentile(late, 0.5) * 1e3, "lag_p99_ms": percentile(late, 0.99) * 1e3,
                "lag_max_ms": late[-1] * 1e3 if late else 0.0, "lag_samples": float(len(late))}


class SlowFs(Workload):
    """For a slow file system (benchmarks/slowfs.py mounts one and runs this there): each
    file opened, written (1 KiB), closed, opened again, read whole and closed, first one
    file at a time, then slowfs_concurrent at once, while a 1 ms timer measures how late
    the event loop wakes it."""

    name, unit = "slowfs", "files/s"

    def prepare(self, files: bool) -> None:
        n = self.s.slowfs_files * (1 + self.s.slowfs_concurrent)
        self.blobs = [hashlib.sha256(str(i).encode()).digest() * 32 for i in range(n)]

    async def run(self, lib: Lib, out: str) -> Result:
        lat: list[float] = []
        bad = 0

        async def worker(todo: Any) -> None:
            nonlocal bad
            for i in todo:
                path = os.path.join(out, f"{i:05d}.bin")
                t = time.perf_counter()
                f = await lib.open_writer(path)
                await lib.write(f, self.blobs[i])
                await lib.close(f)
                bad += await lib.read_bytes(path) != self.blobs[i]
                lat.append(time.perf_counter() - t)

        async with Heartbeat() as hb:
            t0 = time.perf_counter()
            one = self.s.slowfs_files
            await worker(range(one))
            todo = iter(range(one, len(self.blobs)))
            await asyncio.gather(*(worker(todo) for _ in range(self.s.slowfs_concurrent)))
            rate = len(self.blobs) / (time.perf_counter() - t0)
        return Result(rate, self.unit, lat, bad, hb.extra())


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


class RandRead(Workload):
    """Random aligned 4 KiB reads of a warm file by many tasks."""

    name, unit = "randread", "ops/s"

    def prepare(self, files: bool) -> None:
        self.path = os.path.join(self.base, "rand.dat")
        if files:
            write_pattern_file(self.path, self.s.rand_file)
            _warm(self.path)
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


class SeqRead(Workload):
    """A large file read front to back with read(1 MiB), as users write it."""

    name, unit = "seqread", "MiB/s"
    into = False  # readinto() into one reused buffer instead

    def prepare(self, files: bool) -> None:
        self.path = os.path.join(self.base, "seq.dat")
        if files:
            write_pattern_file(self.path, self.s.seq_file)
            _warm(self.path)

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


class _Heartbeat:
    """A 1 ms sleeper beside a workload: how late the loop wakes it (p50, p99)."""

    def __init__(self) -> None:
        self.lateness: list[float] = []
        self.stop = False
        self.task = asyncio.ensure_future(self._beat())

    async def _beat(self) -> None:
        while not self.stop:
            t = time.perf_counter()
            await asyncio.sleep(0.001)
            self.lateness.append(time.perf_counter() - t - 0.001)

    async def result(self) -> dict[str, float]:
        self.stop = True
        await self.task
        late = sorted(self.lateness)
        return {"lag_p50_ms": percentile(late, 0.5) * 1e3, "lag_p99_ms": percentile(late, 0.99) * 1e3,
                "lag_samples": float(len(late))}


class PathWorkload(Workload):
    """The os-surface workloads: a library without aiofiles.os's API is skipped, and a
    1 ms timer measures the loop's lag alongside."""

    async def run(self, lib: Lib, out: str) -> Result:
        if lib.os is None:
            return Result(0.0, self.unit, mismatches=-1)  # not applicable
        await lib.os.stat(self.base)  # each library's first call sets it up (threads, an engine): not timed
        hb = _Heartbeat()
        res = await self.measure(lib, out)
        res.extra = await hb.result()
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
        return await _gathered([lambda p=p: lib.read_file(p) for p, _ in self.files], 64)


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


class AsyncPathWorkload(Workload):
    """The async Path workloads: a library without one is skipped. They run on asyncio
    or trio alike (anyio's task groups and sleep), with a 1 ms timer beside them."""

    on_asyncio_only = False

    async def run(self, lib: Lib, out: str) -> Result:
        import anyio

        if lib.apath is None:
            return Result(0.0, self.unit, mismatches=-1)  # not applicable
        await lib.apath.exists(self.base)  # each library's first call sets it up: not timed
        lateness: list[float] = []
        stop = anyio.Event()

        async def beat() -> None:
            while not stop.is_set():
                t = time.perf_counter()
                await anyio.sleep(0.001)
                lateness.append(time.perf_counter() - t - 0.001)

        async with anyio.create_task_group() as tg:
            tg.start_soon(beat)
            await anyio.sleep(0)  # the timer runs before the work starts (a blocking call makes it late)
            try:
                res = await self.measure(lib.apath)
            finally:
                stop.set()
        lateness.sort()
        res.extra = {"lag_p50_ms": percentile(lateness, 0.5) * 1e3, "lag_p99_ms": percentile(lateness, 0.99) * 1e3,
                     "lag_samples": float(len(lateness))}
        return res

    async def measure(self, api: PathApi) -> Result:
        raise NotImplementedError

    async def each(self, items: list[Any], fn: Callable[[Any], Any]) -> list[float]:
        """fn of every item by path_tasks workers; each call's latency."""
        import anyio

        todo = iter(items)
        lat: list[float] = []

        async def worker() -> None:
            for item in todo:
                t = time.perf_counter()
                await fn(item)
                lat.append(time.perf_counter() - t)

        async with anyio.create_task_group() as tg:
            for _ in range(self.s.path_tasks):
                tg.start_soon(worker)
        return lat


class PathReadText(AsyncPathWorkload):
    """Path(p).read_text() of many small text files, path_tasks at a time."""

    name, unit = "path-read", "files/s"

    def prepare(self, files: bool) -> None:
        self.dir = os.path.join(self.base, "pathtext")
        rng = random.Random(13)
        words = ["alpha", "beta", "gamma", "délta", "ε", "line\n"]
        self.files = [(os.path.join(self.dir, f"{i:06d}.txt"), " ".join(rng.choices(words, k=rng.randrange(20, 600))))
                      for i in range(self.s.path_files)]
        if files and not os.path.exists(self.dir):
            os.mkdir(self.dir)
            for path, text in self.files:
                with open(path, "w", encoding="utf-8", newline="") as f:
                    f.write(text)

    async def measure(self, api: PathApi) -> Result:
        bad = 0

        async def one(k: int) -> None:
            nonlocal bad
            path, text = self.files[k]
            bad += await api.read_text(path) != text

        t0 = time.perf_counter()
        lat = await self.each(list(range(len(self.files))), one)
        return Result(len(self.files) / (time.perf_counter() - t0), self.unit, lat, bad)


class PathExists(PathReadText):
    """Path(p).exists() of as many paths, every other one missing, path_tasks at a time."""

    name, unit = "path-exists", "calls/s"

    async def measure(self, api: PathApi) -> Result:
        paths = [p if i % 2 == 0 else p + ".missing" for i, (p, _) in enumerate(self.files)]
        bad = 0

        async def one(k: int) -> None:
            nonlocal bad
            bad += await api.exists(paths[k]) != (k % 2 == 0)

        t0 = time.perf_counter()
        lat = await self.each(list(range(len(paths))), one)
        return Result(len(paths) / (time.perf_counter() - t0), self.unit, lat, bad)


class PathRglob(AsyncPathWorkload):
    """Path(top).rglob("*") of the listing tree (tree_dirs × tree_files entries), gathered."""

    name, unit = "path-rglob", "entries/s"

    def prepare(self, files: bool) -> None:
        self.tree = TreeListing(self.s, self.base)
        self.tree.prepare(files)

    async def measure(self, api: PathApi) -> Result:
        t0 = time.perf_counter()
        got = await api.rglob(self.tree.top)
        took = time.perf_counter() - t0
        want = self.tree.entries
        bad = abs(len(got) - want) + (len({str(p) for p in got}) != len(got))
        return Result(len(got) / took, self.unit, [took], bad)


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


class Sweep(Dataset):
    """The dataset pattern over sweep_items new files at a set concurrency, with the
    process's peak RSS (ru_maxrss) and how much the run added to the RSS it started
    with: the memory each concurrently open file costs."""

    concurrency = 0

    def __init__(self, sizes: Sizes, base: str) -> None:
        super().__init__(dataclasses.replace(sizes, items=sizes.sweep_items, concurrency=self.concurrency), base)

    async def run(self, lib: Lib, out: str) -> Result:
        import resource

        with open("/proc/self/statm") as f:
            start = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MiB
        res = await super().run(lib, out)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        res.extra = {"peak_rss_mib": peak, "added_rss_mib": peak - start}
        return res


SWEEPS = [type(f"Sweep{n}", (Sweep,), {"name": f"sweep-{n}", "concurrency": n}) for n in (1, 10, 50, 200, 1000, 5000)]


WORKLOADS: dict[str, type[Workload]] = {w.name: w for w in (Dataset, Jsonl, RandRead, SeqRead, SeqReadInto, SeqWrite,
                                                              SmallRead, LoopLag, StatStorm, TreeListing,
                                                              TreeScandir, TreeWalk, RemoveFiles, ReadMany,
                                                              ReadGather, WriteMany, AtomicWrites, Copy,
                                                              PathReadText, PathExists, PathRglob, SlowFs)}
WORKLOADS.update({w.name: w for w in (FileWrite, FileRead, FileStat, *SWEEPS)})


def _warm(path: str) -> None:
    with open(path, "rb") as f:
        while f.read(8 * MiB):
            pass


# --- running and reporting ------------------------------------------------------------------


def fio_randread(path: str, sizes: Sizes) -> float | None:
    """fio's io_uring random read IOPS on the same file: the kernel's ceiling."""
    if shutil.which("fio") is None:
        return None
    cmd = ["fio", "--name=ceiling", f"--filename={path}", "--ioengine=io_uring", "--rw=randread",
           "--bs=4k", "--iodepth=64", f"--size={sizes.rand_file}", "--time_based", "--runtime=3",
           "--output-format=json"]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True).stdout
        return float(json.loads(out)["jobs"][0]["read"]["iops"])
    except (subprocess.SubprocessError, KeyError, ValueError):
        return None


def percentile(xs: list[float], q: float) -> float:
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * q))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default=None, help="directory to work in (default: the system temp dir)")
    ap.add_argument("--workloads", default=",".join(WORKLOADS), help="comma-separated: " + ",".join(WORKLOADS))
    ap.add_argument("--libs", default=",".join(LIBS), help="comma-separated: " + ",".join(LIBS))
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median is reported")
    ap.add_argument("--warmup", type=int, default=1, help="rounds run first and discarded (default 1)")
    ap.add_argument("--quick", action="store_true", help="small sizes, for CI")
    ap.add_argument("--items", type=int, default=None, help="dataset/looplag items (default 5000)")
    ap.add_argument("--plot", default=None, help="write a grouped bar chart (PNG) here")
    ap.add_argument("--child", nargs=4, metavar=("WORKLOAD", "LIB", "BASE", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--sizes", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    sizes = QUICK if args.quick else Sizes()
    if args.sizes:
        sizes = Sizes(**json.loads(args.sizes))
    if args.items:
        sizes.items = args.items
    if args.child:
        child(sizes, *args.child)
        return
    names = args.workloads.split(",")
    for n in names:
        if n not in WORKLOADS:
            raise SystemExit(f"unknown workload {n!r}; known: {', '.join(WORKLOADS)}")
    libs = args.libs.split(",")
    for name in libs:
        if name not in LIBS:
            raise SystemExit(f"unknown library {name!r}; known: {', '.join(LIBS)}")

    results: dict[str, dict[str, list[Result]]] = {}
    ceiling: float | None = None
    missing: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="ayafileio-bench-", dir=args.dir) as base:
        for wname in names:
            print(f"[{wname}] preparing", file=sys.stderr, flush=True)
            wl = WORKLOADS[wname](sizes, base)
            wl.prepare(files=True)
            if isinstance(wl, RandRead) and "ayafileio" in libs:
                ceiling = fio_randread(wl.path, sizes)
            for r in range(-args.warmup, args.rounds):
                for lname in libs:
                    if lname in missing:
                        continue
                    out = os.path.join(base, f"{wname}-{r}-{lname}")
                    os.mkdir(out)  # fresh directories; outputs stay until the run ends
                    res = run_child(wname, lname, base, out, sizes)
                    if res is None:
                        missing.add(lname)
                        print(f"note: {lname} is not installed (scripts/bench installs the peers); skipped",
                              file=sys.stderr)
                        continue
                    label = LIBS[lname].name  # type: ignore[attr-defined]
                    tag = "warm-up" if r < 0 else f"round {r + 1}/{args.rounds}"
                    print(f"[{wname}] {tag} {label}: " + ("n/a" if res.mismatches < 0 else f"{res.rate:,.0f} {res.unit}")
                          + (f", {res.mismatches} MISMATCHES" if res.mismatches > 0 else ""), file=sys.stderr,
                          flush=True)
                    if r >= 0:
                        results.setdefault(wname, {}).setdefault(label, []).append(res)
    print(report(results, ceiling, sizes, args))
    if args.plot:
        plot(results, args.plot)
        print(f"\nplot written to {args.plot}")
    broken = sorted({lname for per in results.values() for lname, rs in per.items() if any(r.mismatches > 0 for r in rs)})
    if broken:
        print(f"\nverification found wrong data from: {', '.join(broken)}", file=sys.stderr)
        if any(n.startswith("ayafileio") and "C++" not in n for n in broken):
            raise SystemExit("verification failed for ayafileio")


def run_child(wname: str, lname: str, base: str, out: str, sizes: Sizes) -> Result | None:
    """One (workload, library, round) in a fresh interpreter; None if the library is
    not installed."""
    cmd = [sys.executable, os.path.abspath(__file__), "--child", wname, lname, base, out,
           "--sizes", json.dumps(dataclasses.asdict(sizes))]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    answer = _answer(proc.stdout)
    if proc.returncode != 0:
        # A peer that answered and then crashed at exit (aerofs does, now and then:
        # "PyGILState_Release ... finalizing") keeps its result, with a note.
        if answer is None or lname in ("ayafileio", "ayafileio-worker"):
            raise SystemExit(f"{wname} with {lname} failed:\n{proc.stderr}")
        print(f"note: {lname} answered, then exited with {proc.returncode}: {proc.stderr.strip()[:200]}",
              file=sys.stderr)
    assert answer is not None
    if answer.get("missing"):
        return None
    return Result(**answer)


def _answer(stdout: str) -> dict[str, Any] | None:
    lines = stdout.strip().splitlines()
    try:
        answer: dict[str, Any] = json.loads(lines[-1])
        return answer
    except (IndexError, ValueError):
        return None


def child(sizes: Sizes, wname: str, lname: str, base: str, out: str) -> None:
    """The child's side: build the library and the workload's data, run once, answer
    with the Result as the last line of stdout."""
    try:
        lib = LIBS[lname]()
    except ImportError:
        print(json.dumps({"missing": True}))
        return
    wl = WORKLOADS[wname](sizes, base)
    wl.prepare(files=False)
    gc.collect()
    gc.freeze()  # the prepared data is not garbage: keep GC pauses out of the measurement
    lib.enter()
    try:
        if wl.on_asyncio_only and not lib.on_asyncio:
            raise NotImplementedError(f"{wname} is asyncio code; {lname} runs a loop of its own kind")
        res = lib.run(lambda: wl.run(lib, out))
    except NotImplementedError:
        res = Result(0.0, wl.unit, mismatches=-1)  # the library has no such call
    finally:
        lib.leave()
    print(json.dumps(dataclasses.asdict(res)))


def report(results: dict[str, dict[str, list[Result]]], ceiling: float | None, sizes: Sizes, args: Any) -> str:
    lines = [f"ayafileio {ayafileio.__version__}, backend {asyncio.run(_backend())}; "
             f"{os.cpu_count()} CPUs; dir {args.dir or tempfile.gettempdir()}; median of {args.rounds} "
             f"interleaved rounds after {args.warmup} discarded, each run in a fresh process; latency per operation",
             ""]
    for wname, per in results.items():
        unit = next(iter(per.values()))[0].unit
        base = statistics.median(r.rate for r in per["aiofiles"]) if "aiofiles" in per else None
        lag = wname == "looplag"
        timer = not lag and all("lag_p99_ms" in r.extra for rs in per.values() for r in rs if r.rate)
        worst = timer and all("lag_max_ms" in r.extra for rs in per.values() for r in rs if r.rate)
        rss = all("peak_rss_mib" in r.extra for rs in per.values() for r in rs if r.rate)
        head = f"| {wname} | {unit} | min–max | vs aiofiles | p50 | p99 | mismatches |"
        rule = "|---|---:|---:|---:|---:|---:|---:|"
        if lag:
            head = f"| {wname} | {unit} | 1 ms timer late p50 | late p99 | vs aiofiles | mismatches |"
            rule = "|---|---:|---:|---:|---:|---:|"
        elif timer:
            head += " 1 ms timer late p50 | late p99 |" + (" late max |" if worst else "")
            rule += "---:|---:|" + ("---:|" if worst else "")
        if rss:
            head += " peak RSS | added RSS |"
            rule += "---:|---:|"
        lines += [head, rule]
        for lname, rs in per.items():
            if all(r.mismatches == -1 for r in rs):
                lines.append(f"| {lname} | n/a (no such call) |")
                continue
            med = statistics.median(r.rate for r in rs)
            ratio = f"{med / base:.2f}×" if base else "n/a"
            bad = sum(r.mismatches for r in rs)
            if lag:
                p50 = statistics.median(r.extra["lag_p50_ms"] for r in rs)
                p99 = statistics.median(r.extra["lag_p99_ms"] for r in rs)
                lines.append(f"| {lname} | {med:,.0f} | {p50:.2f} ms | {p99:.2f} ms | {ratio} | {bad} |")
                continue
            lat = [x for r in rs for x in r.latencies]
            row = (f"| {lname} | {med:,.0f} | {min(r.rate for r in rs):,.0f}–{max(r.rate for r in rs):,.0f} | "
                   f"{ratio} | {_us(percentile(lat, 0.5))} | {_us(percentile(lat, 0.99))} | {bad} |")
            if timer:
                row += (f" {statistics.median(r.extra['lag_p50_ms'] for r in rs):.2f} ms |"
                        f" {statistics.median(r.extra['lag_p99_ms'] for r in rs):.2f} ms |")
            if worst:
                row += f" {statistics.median(r.extra['lag_max_ms'] for r in rs):.1f} ms |"
            if rss:
                row += (f" {statistics.median(r.extra['peak_rss_mib'] for r in rs):.0f} MiB |"
                        f" {statistics.median(r.extra['added_rss_mib'] for r in rs):.0f} MiB |")
            lines.append(row)
        if wname == "randread" and ceiling:
            lines.append(f"| fio io_uring iodepth=64 (kernel ceiling) | {ceiling:,.0f} | | | | | |")
        lines.append("")
    return "\n".join(lines)


def _us(seconds: float) -> str:
    us = seconds * 1e6
    return f"{us / 1000:.1f} ms" if us >= 1000 else f"{us:.0f} µs"


def plot(results: dict[str, dict[str, list[Result]]], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    wnames = list(results)
    lnames = [n for n in dict.fromkeys(n for per in results.values() for n in per)]
    fig, ax = plt.subplots(figsize=(max(8, 1.6 * len(wnames)), 5))
    width = 0.8 / max(len(lnames), 1)
    for i, lname in enumerate(lnames):
        ratios = []
        for w in wnames:
            per = results[w]
            base = statistics.median(r.rate for r in per["aiofiles"]) if "aiofiles" in per else 1.0
            ratios.append(statistics.median(r.rate for r in per[lname]) / base if lname in per else 0)
        ax.bar([x + i * width for x in range(len(wnames))], ratios, width, label=lname)
    ax.set_xticks([x + width * (len(lnames) - 1) / 2 for x in range(len(wnames))], wnames)
    ax.axhline(1.0, color="grey", linewidth=0.8)
    ax.set_yscale("log")
    ax.set_ylabel("throughput relative to aiofiles (log scale, higher is better)")
    ax.set_title("ayafileio and peers: median throughput per workload, relative to aiofiles")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


async def _backend() -> str:
    return str(ayafileio.get_backend_info()["backend"])


if __name__ == "__main__":
    main()

"""Memory per open file: an ayafileio file held open costs no more than a built-in one.

Measured in the same run by tracemalloc (deterministic: a count of the Python allocators'
bytes, io's C buffers among them; not the Go core's heap), N files of each held open at
once: io's opened first and held while ayafileio's are opened, by one task (the file
objects alone, no task per file). benchmarks/memory.py measures the same with RSS too.

Not held here: a file read from holds the read-ahead, up to buffer_size (64 KiB by
default) where io's buffer is st_blksize (4 KiB), so a bigger file costs more (a 4 KiB
file about 0.8 KB more: the layers' objects; benchmarks/memory.py --size).
"""

from __future__ import annotations

import asyncio
import gc
import pathlib
import tracemalloc
from typing import Any

import pytest

import ayafileio
from ayafileio.engine import buffers

N = 200
TEXT = 1024  # characters written to each file ("w")
FILE = 1024  # bytes in each file read ("rb"): a small file, as the dataset pattern's
READ = 100


async def _open_held(io_side: bool, mode: str, paths: list[pathlib.Path]) -> list[Any]:
    """The files, each written its own text (made as it is written and kept by nobody
    else, as ``f.write(json.dumps(...))``) or read from once, and held open."""
    files: list[Any] = []
    for i, p in enumerate(paths):
        text = f"{i:08d}".ljust(TEXT, "x")
        if io_side:
            f = open(p, mode)
            f.write(text) if mode == "w" else f.read(READ)
        else:
            f = await ayafileio.open(p, mode)
            await (f.write(text) if mode == "w" else f.read(READ))
        files.append(f)
    return files


async def _close(files: list[Any]) -> None:
    for f in files:
        await f.close() if isinstance(f, ayafileio.AsyncFile) else f.close()


async def _per_file(mode: str, tmp_path: pathlib.Path) -> tuple[float, float]:
    """(io's, ayafileio's) bytes per open file."""
    paths = {side: [tmp_path / f"{side}{i}" for i in range(N)] for side in ("io", "aya")}
    for p in paths["io"] + paths["aya"] + [tmp_path / "warm"]:
        p.write_bytes(b"r" * FILE)
    buffers.drain()  # buffers kept from earlier tests' files would be taken for free
    for io_side in (True, False):  # each side's first use (the engine, caches) is not a file's
        await _close(await _open_held(io_side, mode, [tmp_path / "warm"]))
    held: list[Any] = []
    per_file: list[float] = []
    tracemalloc.start(1)
    try:
        for io_side, side in ((True, "io"), (False, "aya")):
            gc.collect()
            before = tracemalloc.get_traced_memory()[0]
            files = await _open_held(io_side, mode, paths[side])
            gc.collect()
            per_file.append((tracemalloc.get_traced_memory()[0] - before) / N)
            held += files
    finally:
        tracemalloc.stop()
        await _close(held)
    return per_file[0], per_file[1]


@pytest.mark.parametrize("mode", ["w", "rb"])
def test_an_open_file_costs_no_more_than_ios(tmp_path: pathlib.Path, mode: str) -> None:
    """Held open after a small write ("w": the text waits in the file, as io's does) or a
    small read ("rb": the rest of the file is read ahead, as io's is)."""
    io_bytes, ours = asyncio.run(_per_file(mode, tmp_path))
    assert ours <= io_bytes, f"mode {mode!r}: {ours:.0f} bytes per open file, io's {io_bytes:.0f}"

"""The engine's fast paths: requests the kernel finishes during submission come back
without a loop iteration, and a file's buffer holds what it buffers."""

from __future__ import annotations

import asyncio
import os
import pathlib
import sys

import pytest

import ayafileio
from ayafileio.engine import buffers as _buffers


def _uring() -> bool:
    return bool(asyncio.run(_backend()) == "io_uring")


async def _backend() -> str:
    return str(ayafileio.get_backend_info()["backend"])


@pytest.mark.skipif(not _uring(), reason="inline completion is io_uring's")
def test_cached_open_read_close_takes_no_loop_iteration(tmp_path: pathlib.Path) -> None:
    """One task alone opening, reading and closing a cached file: the open and the close
    finish during their submission (one io_uring_enter each) and the awaits do not
    yield to the loop — a callback queued before them has not run after them."""
    path = tmp_path / "cached"
    path.write_bytes(b"c" * 4096)

    async def main() -> tuple[int, int]:
        async with ayafileio.open(path, "rb") as f:  # the engine exists, the file is cached
            assert await f.read() == b"c" * 4096
        yielded = 0
        enters = ayafileio.get_stats()["io_uring_enters"]
        for _ in range(20):
            ran: list[bool] = []
            asyncio.get_running_loop().call_soon(ran.append, True)
            async with ayafileio.open(path, "rb") as f:
                assert await f.read() == b"c" * 4096
            yielded += bool(ran)
            await asyncio.sleep(0)  # a fresh iteration: its budget for inline work
        return yielded, ayafileio.get_stats()["io_uring_enters"] - enters

    # A budget of 0.2 s per loop iteration for work done at once: what yields then is a
    # round trip, not a spent budget (asyncio's debug mode alone can spend 0.5 ms).
    ayafileio.configure(adaptive_target_latency_us=400_000)
    try:
        yielded, enters = asyncio.run(main())
    finally:
        ayafileio.reset_config()
    # A loaded machine may still stall a step past it now and then; a round trip per
    # request would yield every time.
    assert yielded <= 5, f"{yielded} of 20 cached open+read+close yielded to the loop"
    assert enters <= 20 * 2 + 10, f"{enters} io_uring_enter calls for 20 cached open+read+close"


@pytest.mark.skipif(sys.platform != "linux", reason="openat2's RESOLVE_CACHED is Linux's")
def test_cached_stats_and_opens_take_no_loop_iteration_and_answer_as_os(tmp_path: pathlib.Path) -> None:
    """stat/lstat of paths in the dentry cache and opens of cached files are made on
    the loop's thread by openat2(RESOLVE_CACHED) (no round trip), with os's answers:
    the same stat_result, the same exception for a missing name, a symbolic link's own
    stat for lstat."""
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100)
    link = tmp_path / "l"
    link.symlink_to(path)
    missing = tmp_path / "missing"

    async def main() -> int:
        await ayafileio.os.stat(path)  # the engine exists
        yielded = 0
        for _ in range(20):
            ran: list[bool] = []
            asyncio.get_running_loop().call_soon(ran.append, True)
            assert await ayafileio.os.stat(path) == os.stat(path)
            assert await ayafileio.os.stat(link) == os.stat(link)
            assert await ayafileio.os.stat(link, follow_symlinks=False) == os.lstat(link)
            with pytest.raises(FileNotFoundError) as got:
                await ayafileio.os.stat(missing)
            with pytest.raises(FileNotFoundError) as want:
                os.stat(missing)
            assert (got.value.errno, got.value.filename) == (want.value.errno, want.value.filename)
            async with ayafileio.open(link, "rb") as f:
                assert await f.read() == b"x" * 100
            yielded += bool(ran)
            await asyncio.sleep(0)
        return yielded

    ayafileio.configure(adaptive_target_latency_us=400_000)
    try:
        yielded = asyncio.run(main())
    finally:
        ayafileio.reset_config()
    assert yielded <= 5, f"{yielded} of 20 rounds of cached stats and opens yielded to the loop"


@pytest.mark.skipif(not _uring(), reason="io_uring's deferred task work")
def test_new_files_written_one_at_a_time_rarely_wake_the_loop(tmp_path: pathlib.Path) -> None:
    """One task writing new files in turn (write_text: an O_CREAT open, a write and a
    close, linked; io_uring hands the open, and on tmpfs the write, to io-wq): the step
    the kernel queues for the loop's thread when io-wq finishes runs in the exchange
    that is looking at the ring anyway, not after a wake-up of its own. It used to take
    four wake-ups per file (a signal of its own after the inline submission, and one
    for each completion posted during the engine's own enters); now a wake-up is a real
    wait for io-wq, at most one per step it runs, and the kernel is entered a handful
    of times per file."""
    text = "t" * 1024

    async def main() -> tuple[int, int]:
        await ayafileio.write_text(tmp_path / "warm", text)  # the engine exists
        before = ayafileio.get_stats()
        for i in range(50):
            await ayafileio.write_text(tmp_path / f"f{i}", text)
        after = ayafileio.get_stats()
        return (after["notify_wakeups"] - before["notify_wakeups"],
                after["io_uring_enters"] - before["io_uring_enters"])

    ayafileio.configure(adaptive_target_latency_us=400_000)  # as above: no spent budget
    try:
        wakeups, enters = asyncio.run(main())
    finally:
        ayafileio.reset_config()
    assert all((tmp_path / f"f{i}").read_text() == text for i in range(50))
    assert wakeups <= 50 * 3, f"{wakeups} wake-ups of the loop for 50 new files written in turn"
    assert enters <= 50 * 8, f"{enters} io_uring_enter calls for 50 new files written in turn"


def test_small_write_holds_a_small_buffer(tmp_path: pathlib.Path) -> None:
    """A 1 KB write to a file whose buffer_size is 64 KiB holds a 2 KiB buffer until the
    close (not 64 KiB), and the buffer still fills to buffer_size before it flushes."""

    async def main() -> None:
        async with ayafileio.open(tmp_path / "small", "wb", buffering=65536) as f:
            await f.write(b"s" * 1000)
            assert len(f._file._buf) == _buffers.size_class(1000, 65536) == 2048
            await f.write(b"t" * 60000)  # still fits: no write reaches the file yet
            assert (tmp_path / "small").stat().st_size == 0
            assert len(f._file._buf) == 65536
            await f.flush()
            assert (tmp_path / "small").stat().st_size == 61000
            assert len(f._file._buf) == 0  # nothing buffered: given back
            await f.write(b"u" * 10)
        assert (tmp_path / "small").read_bytes() == b"s" * 1000 + b"t" * 60000 + b"u" * 10

    asyncio.run(main())

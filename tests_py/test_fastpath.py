"""The engine's fast paths: requests the kernel finishes during submission come back
without a loop iteration, and a file's buffer holds what it buffers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pathlib
import shutil
import sys
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest

import ayafileio
from ayafileio.engine import buffers as _buffers
from ayafileio.engine import driver as _driver
from ayafileio.engine.records import FS_LOCAL, FS_MEMORY
from ayafileio.io.raw import RawFile


def _uring() -> bool:
    return bool(asyncio.run(_backend()) == "io_uring")


async def _backend() -> str:
    return str(ayafileio.get_backend_info()["backend"])


def _shm_in_ram() -> bool:
    """Whether /dev/shm is a RAM-backed file system by the engine's mount table (in a
    chroot it can be a plain directory)."""
    async def kind() -> int:
        return _driver.get_driver().path_fs_kind(b"/dev/shm/\0")

    return os.path.isdir("/dev/shm") and asyncio.run(kind()) == FS_MEMORY


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


@contextlib.contextmanager
def _shm_dir(tmp_path: pathlib.Path) -> Iterator[pathlib.Path]:
    """A directory on tmpfs (a RAM-backed file system) for this test, removed after."""
    shm = pathlib.Path("/dev/shm") / f"ayafileio-test-{os.getpid()}-{tmp_path.name}"
    shm.mkdir()
    try:
        yield shm
    finally:
        shutil.rmtree(shm)


def _dirs(tmp_path: pathlib.Path) -> Iterator[pathlib.Path]:
    """tmp_path (a disk's page cache: reads with RWF_NOWAIT) and, where there is one, a
    directory on tmpfs, removed after its turn or when the caller's loop stops early."""
    yield tmp_path
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        with _shm_dir(tmp_path) as shm:
            yield shm


_PAGE = 4096


def _change(path: pathlib.Path, change: str) -> None:
    """Changes a file of three pages after it was opened: "grown" past where it was seen
    to end, "shrunk", "evicted" (only its first page left in the page cache), or "none"
    (it ends at a page boundary: a short read there proves no end)."""
    if change == "evicted" and not hasattr(os, "posix_fadvise"):
        pytest.skip("no posix_fadvise to drop pages from the cache")
    if change == "grown":
        with open(path, "ab") as w:
            w.write(b"g" * 10000)
    elif change == "shrunk":
        os.truncate(path, 100)
    elif change == "evicted":
        # The file dropped from the cache, then its first page read back without
        # read-ahead.
        fd = os.open(path, os.O_RDONLY)
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
        os.pread(fd, _PAGE, 0)
        os.close(fd)


def _compare_reads_in_each_dir(
        tmp_path: pathlib.Path,
        reads: Callable[[pathlib.Path], Coroutine[Any, Any, list[tuple[bool, int, int, int, int]]]]) -> None:
    """Runs reads on a file of three pages in each of _dirs(): each of its (same, my
    length, io's length, my position, io's position) must be the same as io's."""
    for d in _dirs(tmp_path):
        path = d / "three_pages"
        path.write_bytes(bytes(range(256)) * (3 * _PAGE // 256))
        for same, mine, theirs, pos, ref_pos in asyncio.run(reads(path)):
            assert same and pos == ref_pos, f"{d}: {mine} at {pos} where io read {theirs} at {ref_pos}"


@pytest.mark.parametrize("change", ["none", "grown", "shrunk", "evicted"])
def test_read_of_a_file_that_ends_within_it_answers_as_io(tmp_path: pathlib.Path, change: str) -> None:
    """read(n) of a file seen at open to end within n bytes reads straight into the
    result and takes a short read from memory as the end (from the page cache: one that
    stopped inside a page); where the file changed since (grown past n, shrunk), part of
    it is not in the page cache (RWF_NOWAIT stops short there) or it ends at a page
    boundary, the bytes, the position and the next read are still io's."""
    page = _PAGE

    async def main(path: pathlib.Path) -> list[tuple[bool, int, int, int, int]]:
        got: list[tuple[bool, int, int, int, int]] = []
        async with ayafileio.open(path, "rb") as f:
            with open(path, "rb") as ref:
                ref.read(0)
                _change(path, change)
                for n in (4 * page, 7, 4 * page, 4 * page):
                    mine = await f.read(n)
                    theirs = ref.read(n)
                    got.append((mine == theirs, len(mine), len(theirs), await f.tell(), ref.tell()))
        return got

    _compare_reads_in_each_dir(tmp_path, main)


@pytest.mark.parametrize("change", ["none", "grown", "shrunk", "evicted"])
@pytest.mark.parametrize("mode", ["rb", "r"])
def test_read_of_the_rest_answers_as_io_after_the_file_changed(tmp_path: pathlib.Path, mode: str,
                                                                 change: str) -> None:
    """read() of all the rest is one read at once where the file ends where it was seen
    to end at open; where it has grown since, shrunk, is partly out of the page cache or
    ends at a page boundary, the bytes or text, the position and the next read (after the
    file grows again) are still io's."""
    encoding = None if "b" in mode else "latin-1"

    async def main(path: pathlib.Path) -> list[tuple[bool, int, int, int, int]]:
        got: list[tuple[bool, int, int, int, int]] = []
        async with ayafileio.open(path, mode, encoding=encoding) as f:
            with open(path, mode, encoding=encoding) as ref:
                ref.read(0)
                _change(path, change)
                for more in (b"", b"tail\r\n"):
                    with open(path, "ab") as w:
                        w.write(more)
                    mine, theirs = await f.read(), ref.read()
                    got.append((mine == theirs, len(mine), len(theirs), await f.tell(), ref.tell()))
        return got

    _compare_reads_in_each_dir(tmp_path, main)


@pytest.mark.skipif(not _shm_in_ram(), reason="needs a RAM-backed file system at /dev/shm")
def test_listing_a_tmpfs_directory_takes_no_loop_iteration(tmp_path: pathlib.Path) -> None:
    """listdir() of a directory on a RAM-backed file system is made on the loop's thread
    (getdents there cannot wait for a device): it does not yield to the loop, as a batch
    from the engine's workers did each time (a callback queued before it has not run
    after it); it, scandir() and walk() (which keep the workers) answer as os does."""

    async def main(d: pathlib.Path) -> tuple[int, list[str], list[tuple[str, bool]], list[Any]]:
        await ayafileio.os.listdir(d)  # the engine exists
        ran: list[bool] = []
        asyncio.get_running_loop().call_soon(ran.append, True)
        names = await ayafileio.os.listdir(d)
        yielded = len(ran)
        entries = [(e.name, e.is_dir()) for e in await ayafileio.os.scandir(d)]
        walked = [x async for x in ayafileio.os.walk(d)]
        return yielded, names, entries, walked

    ayafileio.configure(adaptive_target_latency_us=400_000)  # as above: a yield is a round trip
    try:
        with _shm_dir(tmp_path) as d:
            for i in range(600):
                (d / f"file-{i:03d}").write_bytes(b"")
            for sub in ("a", "b"):
                (d / sub).mkdir()
                (d / sub / "inner").write_bytes(b"")
            yielded, names, entries, walked = asyncio.run(main(d))
            assert names == os.listdir(d)
            assert entries == [(e.name, e.is_dir()) for e in os.scandir(d)]
            assert walked == list(os.walk(d))
    finally:
        ayafileio.reset_config()
    assert yielded == 0, "listdir() of a directory on tmpfs yielded to the loop"


@pytest.mark.skipif(not _uring() or not _shm_in_ram(),
                    reason="counts io_uring_enter calls on a RAM-backed file system at /dev/shm")
def test_atomic_durable_rewrite_on_tmpfs_is_made_at_once(tmp_path: pathlib.Path) -> None:
    """On a RAM-backed file system none of an atomic, durable rewrite can wait for a
    device (the temporary created, written, given the target's bits, fsynced and closed,
    renamed over the target, the directory fsynced): it is all made on the loop's thread,
    with no io_uring_enter (each of the three hand-offs it took before made at least one),
    and leaves the target whole, with its bits, and no temporary."""

    async def main(d: pathlib.Path) -> int:
        target = d / "state"
        await ayafileio.write_bytes(target, b"first")  # the engine exists
        os.chmod(target, 0o640)
        enters = ayafileio.get_stats()["io_uring_enters"]
        for i in range(20):
            await ayafileio.write_bytes(target, b"%d" % i * 100, atomic=True, durable=True)
        return int(ayafileio.get_stats()["io_uring_enters"] - enters)

    with _shm_dir(tmp_path) as d:
        enters = asyncio.run(main(d))
        assert (d / "state").read_bytes() == b"19" * 100
        assert (os.stat(d / "state").st_mode & 0o7777, os.listdir(d)) == (0o640, ["state"])
    assert enters <= 2, f"{enters} io_uring_enter calls for 20 atomic durable rewrites on tmpfs"


@pytest.mark.skipif(not os.path.isdir("/dev/shm"), reason="needs a RAM-backed file system (/dev/shm)")
@pytest.mark.parametrize("share", [1, 16])
def test_tasks_waiting_for_the_budget_take_it_in_turns(tmp_path: pathlib.Path, share: int) -> None:
    """1,000 tasks writing files that are made at once (tmpfs): the loop iteration's
    budget goes round in turns, each waiting task woken to work: besides each task's
    first wait, a wait or two per loop iteration (the turns counted per piece of work
    woke ~25 per iteration, most of them only to find the budget spent), or with
    turn_share, the turns that fit in a budget and a few more. And with turn_share 16,
    no task keeps the budget while others wait: the longest a file takes is a fraction
    of the run, where with the whole budget a turn (1) a file whose task lost it waits
    for most of the run. Counted in the loop's iterations of the same run: a slower
    machine makes more of them, not more waits per iteration or longer waits in
    iterations."""
    tasks, files = 1000, 20000
    text = "t" * 900

    async def main(d: pathlib.Path) -> tuple[int, int, int]:
        loop = asyncio.get_running_loop()
        todo = iter(range(files))
        ticks = 0
        running = True
        longest = 0

        def tick() -> None:
            nonlocal ticks
            ticks += 1
            if running:
                loop.call_soon(tick)

        async def worker() -> None:
            nonlocal longest
            for i in todo:
                began = ticks
                async with ayafileio.open(d / f"{i}", "w") as f:
                    await f.write(text)
                longest = max(longest, ticks - began)

        await ayafileio.write_text(d / "first", text)  # the engine exists
        before = _driver.get_driver().stats()["turn_waits"]
        tick()
        await asyncio.gather(*(worker() for _ in range(tasks)))
        running = False
        return _driver.get_driver().stats()["turn_waits"] - before, ticks, longest

    with pytest.raises(ValueError, match="turn_share"):
        ayafileio.configure(turn_share=0)
    ayafileio.configure(turn_share=share)
    try:
        with _shm_dir(tmp_path) as d:
            waits, iterations, longest = asyncio.run(main(d))
            assert all((d / f"{i}").read_text() == text for i in range(0, files, 97))
    finally:
        ayafileio.reset_config()
    turns = 3 if share == 1 else share + 3
    assert waits <= tasks + turns * iterations, f"{waits} waits for the budget by {tasks} tasks in {iterations} iterations"
    if share > 1:
        assert longest <= iterations // 3, f"a file took {longest} of the run's {iterations} loop iterations"


def test_a_read_to_the_end_gives_the_buffer_back(tmp_path: pathlib.Path) -> None:
    """Read-ahead taken to its last byte, then a read that finds the end: the file holds
    no buffer afterwards, whichever path the last read took."""
    path = tmp_path / "small"
    path.write_bytes(b"s" * 3000)

    async def main() -> None:
        async with ayafileio.open(path, "rb") as f:
            assert await f.read(10) == b"s" * 10  # the fill keeps the rest as read-ahead
            assert len(f._file._buf) > 0
            assert await f.read(2990) == b"s" * 2990  # from the buffer
            assert await f.read(4096) == b""
            assert len(f._file._buf) == 0

    asyncio.run(main())


@pytest.mark.skipif(not _uring(), reason="RWF_NOWAIT reads are the ring engine's")
def test_a_cached_file_that_ends_at_a_page_boundary_is_read_in_one_step(tmp_path: pathlib.Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """read() of a whole cached file on a disk's page cache (reads with RWF_NOWAIT), whose
    size is a multiple of the page: a read that stops at a page boundary may have met a
    page not cached, so one more read there must find the end; it does, and read() is
    one step made at once (RawFile.readall_now), not the awaited read loop
    (RawFile.readall) it took before, nor the ring."""

    async def fail(self: Any) -> bytes:
        raise AssertionError("read() of a cached file went to RawFile.readall")

    async def main(path: pathlib.Path) -> tuple[int, int]:
        kind = _driver.get_driver().path_fs_kind(os.fsencode(path) + b"\0")
        async with ayafileio.open(path, "rb") as f:  # the engine exists, the file is cached
            assert await f.read() == b"p" * 8192
        if kind != FS_LOCAL:
            return kind, 0
        monkeypatch.setattr(RawFile, "readall", fail)
        enters = ayafileio.get_stats()["io_uring_enters"]
        for _ in range(20):
            async with ayafileio.open(path, "rb") as f:
                assert await f.read() == b"p" * 8192
                assert await f.read() == b""
                assert await f.tell() == 8192
            await asyncio.sleep(0)  # a fresh iteration: its budget for work made at once
        return kind, ayafileio.get_stats()["io_uring_enters"] - enters

    path = tmp_path / "two_pages"
    path.write_bytes(b"p" * 8192)
    ayafileio.configure(adaptive_target_latency_us=400_000)  # a spent budget is not what is tested
    try:
        kind, enters = asyncio.run(main(path))
    finally:
        ayafileio.reset_config()
    if kind != FS_LOCAL:
        pytest.skip("the temporary directory is not on a disk's page cache")
    assert enters == 0, f"{enters} io_uring_enter calls for 20 reads of a cached file of two pages"

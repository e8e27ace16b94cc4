"""Failure modes: nothing lost, nothing hangs, nothing leaks (issue 5's guarantees)."""

from __future__ import annotations

import asyncio
import errno
import gc
import os
import pathlib
import random
import statistics
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ayafileio
from ayafileio.engine import driver as _driver, platform as _platform
from conftest import linux_only, open_fds, posix_only

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


# The forced page-cache path, where the platform has one.
_FAST_PATH = [pytest.param(True, marks=pytest.mark.skipif(
    sys.platform == "win32", reason="Windows has no reads straight from memory: every read goes through the completion port")),
    False]


def run_child(code: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "AYAFILEIO_BACKEND"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout,
                          env={**environ, **env})


# --- 1. cancellation -------------------------------------------------------------------


@pytest.mark.parametrize("fast_path", _FAST_PATH)
def test_short_positional_reads(tmp_path: pathlib.Path, monkeypatch: Any, fast_path: bool) -> None:
    """read_at/read_many past the end return what is there, through the page-cache path
    and through the engine (issue 17: a short read through the engine raised BufferError)."""
    monkeypatch.setattr(_platform, "READ_FAST_PATH", fast_path)
    content = bytes(range(100))
    p = tmp_path / "data"
    p.write_bytes(content)

    async def main() -> None:
        async with ayafileio.open(p, "rb") as f:
            assert await f.read_at(50, 100) == content[50:]
            assert await f.read_at(100, 10) == b""
            assert await f.read_many([(0, 10), (90, 100), (200, 5)]) == [content[:10], content[90:], b""]

    asyncio.run(main())


@pytest.mark.parametrize("fast_path", _FAST_PATH)
def test_cancelled_reads_lose_no_bytes(tmp_path: pathlib.Path, monkeypatch: Any, fast_path: bool) -> None:
    """Reads cancelled at random points: the bytes the kernel read become read-ahead,
    so what the successful reads return is exactly the file, and tell() agrees."""
    monkeypatch.setattr(_platform, "READ_FAST_PATH", fast_path)
    content = random.Random(1).randbytes(3_000_000)
    p = tmp_path / "data"
    p.write_bytes(content)
    rng = random.Random(2)

    async def main() -> None:
        got = bytearray()
        async with ayafileio.open(p, "rb", buffering=rng.choice([4096, 65536])) as f:
            while True:
                task = asyncio.create_task(f.read(rng.randrange(1, 300_000)))
                for _ in range(rng.randrange(3)):
                    await asyncio.sleep(0)
                if rng.random() < 0.5:
                    task.cancel()
                try:
                    chunk = await task
                except asyncio.CancelledError:
                    assert await f.tell() == len(got)
                    continue
                if not chunk:
                    break
                got += chunk
                assert await f.tell() == len(got)
        assert got == content

    asyncio.run(main())


def test_cancelled_text_reads_lose_no_characters(tmp_path: pathlib.Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(_platform, "READ_FAST_PATH", False)  # every chunk through the ring
    rng = random.Random(4)
    text = "".join(rng.choice("ab€😀\n\r ") for _ in range(200_000))
    p = tmp_path / "text"
    p.write_text(text, encoding="utf-8", newline="")

    async def main() -> str:
        got: list[str] = []
        async with ayafileio.open(p, "r", encoding="utf-8", newline="", buffering=4096) as f:
            while True:
                op = f.readline() if rng.random() < 0.3 else f.read(rng.randrange(1, 20_000))
                task = asyncio.create_task(op)
                for _ in range(rng.randrange(3)):
                    await asyncio.sleep(0)
                if rng.random() < 0.5:
                    task.cancel()
                try:
                    chunk = await task
                except asyncio.CancelledError:
                    continue
                if not chunk:
                    return "".join(got)
                got.append(chunk)

    assert asyncio.run(main()) == text


def test_cancel_storm_then_io_works(tmp_path: pathlib.Path) -> None:
    """Hundreds of writers, half cancelled at random points: the others' files are whole,
    descriptors return to the baseline, the engine has nothing in flight."""
    before = open_fds()
    payload = [b"%07d\n" % k * 50 for k in range(40)]

    async def writer(i: int) -> None:
        async with ayafileio.open(tmp_path / f"s{i}", "wb", buffering=rng_buf(i)) as f:
            for chunk in payload:
                await f.write(chunk)

    async def main() -> None:
        tasks = [asyncio.create_task(writer(i)) for i in range(300)]
        rng = random.Random(5)
        victims = set(rng.sample(range(300), 150))
        for step in range(40):
            await asyncio.sleep(0)
            for i in list(victims):
                if rng.random() < 0.1:
                    tasks[i].cancel()
                    victims.discard(i)
        results = await asyncio.gather(*tasks, return_exceptions=True)
        whole = b"".join(payload)
        for i, r in enumerate(results):
            path = tmp_path / f"s{i}"
            if r is None:
                assert path.read_bytes() == whole
            else:
                assert isinstance(r, asyncio.CancelledError)
                assert whole.startswith(path.read_bytes() if path.exists() else b"")
        assert _driver.get_driver().stats()["inflight"] == 0
        async with ayafileio.open(tmp_path / "after", "w") as f:
            await f.write("still works")

    asyncio.run(main())
    assert (tmp_path / "after").read_text() == "still works"
    assert open_fds() <= before + 2


def rng_buf(i: int) -> int:
    return [64, 4096, 65536][i % 3]


# --- 2. the loop ends with I/O in flight; files left open ---------------------------------


def test_unclosed_file_warns_and_loses_nothing(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "left-open"
    before = open_fds()

    async def main() -> None:
        f = await ayafileio.open(p, "w")
        await f.write("buffered, never flushed")
        del f

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        asyncio.run(main())
        gc.collect()
    assert any(issubclass(w.category, ResourceWarning) for w in caught)
    assert p.read_text() == "buffered, never flushed"
    assert open_fds() <= before + 2


# --- 4. io_uring unavailable ------------------------------------------------------------------


@pytest.mark.skipif(not IS_ROOT or not os.path.exists("/proc/sys/kernel/io_uring_disabled"),
                    reason="needs root and the kernel.io_uring_disabled sysctl")
def test_io_uring_disabled_by_sysctl_falls_back() -> None:
    knob = pathlib.Path("/proc/sys/kernel/io_uring_disabled")
    old = knob.read_text().strip()
    code = """
import asyncio, os, tempfile, ayafileio
async def main():
    p = os.path.join(tempfile.mkdtemp(), "f")
    async with ayafileio.open(p, "w") as f:
        await f.write("x")
    return ayafileio.get_backend_info()
info = asyncio.run(main())
print(info["backend"], info["is_truly_async"], "io_uring unavailable" in info.get("fallback_reason", ""))
"""
    try:
        knob.write_text("2")
        out = run_child(code)
    finally:
        knob.write_text(old)
    assert out.stdout.split() == ["worker", "False", "True"], out.stderr


# --- 5. resource limits -----------------------------------------------------------------------


@posix_only
def test_emfile_then_recovery(tmp_path: pathlib.Path) -> None:
    code = f"""
import asyncio, errno, os, resource, ayafileio
resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
async def main():
    files, err = [], None
    try:
        for i in range(100):
            files.append(await ayafileio.open(os.path.join({str(tmp_path)!r}, f"f{{i}}"), "w"))
    except OSError as e:
        err = e.errno
    for f in files[:10]:
        await f.close()
    async with ayafileio.open(os.path.join({str(tmp_path)!r}, "again"), "w") as f:
        await f.write("ok")
    for f in files[10:]:
        await f.close()
    return err
print(asyncio.run(main()) == errno.EMFILE)
"""
    out = run_child(code)
    assert out.stdout.strip() == "True", out.stderr
    assert (tmp_path / "again").read_text() == "ok"


@pytest.fixture
def tiny_fs(tmp_path: pathlib.Path) -> Any:
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if not IS_ROOT or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)],
                                     capture_output=True).returncode != 0:
        pytest.skip("needs root to mount a 1 MiB tmpfs")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


@pytest.mark.parametrize("size", [2 << 20, 900 << 10])
def test_full_disk_is_an_error_never_a_short_file(tiny_fs: pathlib.Path, size: int) -> None:
    async def main() -> None:
        ahead = tiny_fs / "ballast"
        ahead.write_bytes(b"b" * (300 << 10))  # leave less room than size
        with pytest.raises(OSError) as err:
            async with ayafileio.open(tiny_fs / "big", "wb") as f:
                for _ in range(size // 4096):
                    await f.write(b"x" * 4096)
        assert err.value.errno == errno.ENOSPC

    asyncio.run(main())


@posix_only
@pytest.mark.parametrize("fast_path", [True, False])
@pytest.mark.parametrize("mode", ["w", "wb", "a"])
def test_a_last_write_cut_short_by_the_file_size_limit_answers_as_io(tmp_path: pathlib.Path, fast_path: bool,
                                                                     mode: str) -> None:
    """RLIMIT_FSIZE stops the close's write short (write(2) writes up to the limit, the
    next fails with EFBIG): the same bytes on disk, the same error, a closed file, as
    io. The close's last bytes go in one chain with the close (a text file's last batch
    straight from the text layer, a binary file's from its buffer): the kernel skips the
    close after the short write, and what was not written stays pending for the flush
    that fails. Without the page-cache path every write and close goes to the ring; with
    it, on tmpfs, they are made at once (in a child: the limit and SIGXFSZ are the
    process's)."""
    code = f"""
import asyncio, os, resource, signal, sys
sys.path.insert(0, {os.path.dirname(__file__)!r})
import ayafileio
from ayafileio.engine import platform
platform.READ_FAST_PATH = {fast_path!r}
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
mode = {mode!r}
limit = 5000
data = "x" * 3000 + "y" * 3000
if "b" in mode:
    data = data.encode()
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
def outcome(e):
    return None if e is None else (type(e).__name__, e.errno, e.strerror)
async def main():
    found = []
    for d in ({str(tmp_path)!r}, "/dev/shm"):
        io_path, aya_path = os.path.join(d, f"io-{{os.getpid()}}"), os.path.join(d, f"aya-{{os.getpid()}}")
        try:
            err = None
            f = open(io_path, mode)
            try:
                f.write(data)
                f.close()
            except OSError as e:
                err = e
            io_side = (outcome(err), f.closed, open(io_path, "rb").read())
            err = None
            g = await ayafileio.open(aya_path, mode)
            try:
                await g.write(data)
                await g.close()
            except OSError as e:
                err = e
            aya_side = (outcome(err), g.closed, open(aya_path, "rb").read())
            found.append(io_side == aya_side or (io_side[:2], aya_side[:2], len(io_side[2]), len(aya_side[2])))
        finally:
            for p in (io_path, aya_path):
                if os.path.exists(p):
                    os.unlink(p)
    return found
print(asyncio.run(main()))
"""
    out = run_child(code)
    assert out.stdout.strip() == "[True, True]", out.stdout + out.stderr


def test_a_full_ring_is_back_pressure(tmp_path: pathlib.Path) -> None:
    ayafileio.configure(io_uring_queue_depth=4)
    try:
        async def main() -> None:
            async with ayafileio.open(tmp_path / "q", "w+b") as f:
                await asyncio.gather(*(f.write_at(i * 8, b"%08d" % i) for i in range(2000)))
                got = await asyncio.gather(*(f.read_at(i * 8, 8) for i in range(2000)))
            assert got == [b"%08d" % i for i in range(2000)]

        asyncio.run(main())
    finally:
        ayafileio.reset_config()


# --- 6. bad input -----------------------------------------------------------------------------


def outcome_sync(fn: Any) -> Any:
    try:
        fn()
        return None
    except Exception as e:
        return type(e), str(e)


async def outcome_async(coro_fn: Any) -> Any:
    try:
        await coro_fn()
        return None
    except Exception as e:
        return type(e), str(e)


BAD_CALLS: list[tuple[str, tuple[Any, ...]]] = [
    ("read", ("x",)), ("read", (1.5,)), ("read", (-5,)), ("read1", ("x",)),
    ("readline", ("x",)), ("readinto", (b"immutable",)), ("readinto", ("str",)), ("write", (123,)),
    ("write", ("str",)), ("seek", ("a",)), ("seek", (1.5,)), ("seek", (0, 7)), ("seek", (-1,)),
    ("seek", (1 << 40,)), ("truncate", (-1,)), ("truncate", ("x",)), ("readlines", ("x",)),
    ("writelines", ([1, 2],)), ("readinto", (None,)), ("readinto", (memoryview(b"ab"),)), ("write", (None,)),
    ("truncate", (1.5,)), ("readinto1", (b"immutable",)), ("readinto1", (5,)), ("readable", ()), ("writable", ()),
    ("seekable", ()), ("isatty", ()),
]


def assert_bad_call_as_io(p: pathlib.Path, data: bytes, open_args: tuple[Any, ...], method: str,
                          args: tuple[Any, ...]) -> None:
    """method(*args) on the built-in file and on ayafileio's, opened with open_args over
    the same data, first open and then closed: the same exception and message (nothing to
    compare where the built-in's kind has no such method: FileIO's read1/readinto1)."""
    for closed in (False, True):
        p.write_bytes(data)
        ref = open(p, *open_args)
        if not hasattr(ref, method):
            ref.close()
            return
        if closed:
            ref.close()
        expected = outcome_sync(lambda: getattr(ref, method)(*args))
        ref.close()
        p.write_bytes(data)

        async def main() -> Any:
            f = await ayafileio.open(p, *open_args)
            if closed:
                await f.close()

            async def call() -> None:
                res = getattr(f, method)(*args)
                if hasattr(res, "__await__"):  # fileno() answers at once
                    await res

            try:
                return await outcome_async(call)
            finally:
                await f.close()

        assert asyncio.run(main()) == expected, closed


@pytest.mark.parametrize("method,args", BAD_CALLS)
@pytest.mark.parametrize("mode,buffering", [("r+b", -1), ("rb", -1), ("wb", -1), ("r+b", 0)])
def test_bad_arguments_raise_what_io_raises(tmp_path: pathlib.Path, method: str, args: tuple[Any, ...], mode: str,
                                            buffering: int) -> None:
    """The exception and its message, on each kind of binary file, open and closed."""
    assert_bad_call_as_io(tmp_path / "f", b"0123456789\n" * 10, (mode, buffering), method, args)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(file=st.one_of(st.text(max_size=8), st.binary(max_size=8), st.integers(-3, 3), st.none(), st.floats()),
       mode=st.one_of(st.text(alphabet="rwaxbt+U ", max_size=4), st.integers()),
       buffering=st.one_of(st.integers(-2, 3), st.text(max_size=1)),
       encoding=st.one_of(st.none(), st.sampled_from(["utf-8", "nope", "base64", ""]), st.integers()),
       newline=st.one_of(st.none(), st.sampled_from(["", "\n", "\r", "\r\n", "x"]), st.integers()))
def test_open_rejects_what_open_rejects(tmp_path_factory: Any, file: Any, mode: Any, buffering: Any,
                                        encoding: Any, newline: Any) -> None:
    """open()'s argument checks, fuzzed against the built-in's (no file is created:
    names point into an empty directory, descriptors are small numbers)."""
    d = tmp_path_factory.mktemp("fuzz")
    if isinstance(file, (str, bytes)) and file:
        # Joined by hand: Windows' os.path.join decodes bytes, and would raise here for
        # a name that is not UTF-8 (which open() must reject itself).
        file = (os.fsencode(d) + os.sep.encode() + file.replace(b"/", b"_") if isinstance(file, bytes)
                else str(d) + os.sep + file.replace("/", "_"))
    if isinstance(file, int) and not isinstance(file, bool) and file >= 0:
        file = -1  # never touch the test process's own descriptors
    kwargs = {"buffering": buffering, "encoding": encoding, "newline": newline}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            f = open(file, mode, **kwargs)
            f.close()
            expected: Any = None
        except Exception as e:
            expected = type(e), str(e)

        async def main() -> Any:
            try:
                g = await ayafileio.open(file, mode, **kwargs)
                await g.close()
            except Exception as e:
                return type(e), str(e)
            return None

        assert asyncio.run(main()) == expected


def test_huge_read_size_returns_what_is_there(tmp_path: pathlib.Path) -> None:
    """The built-in buffered file tries to allocate a 2**62-byte read and raises
    MemoryError; ayafileio reads what the file holds instead."""
    p = tmp_path / "f"
    p.write_bytes(b"abc" * 1000)

    async def main() -> None:
        async with ayafileio.open(p, "rb") as f:
            assert await f.read(1 << 62) == b"abc" * 1000
            assert await f.read(1 << 62) == b""

    asyncio.run(main())


def test_offsets_beyond_4_gib(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "sparse"
    far = (5 << 30) + 123

    async def main() -> None:
        async with ayafileio.open(p, "w+b") as f:
            assert await f.write_at(far, b"far") == 3
            assert await f.seek(far) == far
            assert await f.read() == b"far"
            assert await f.read_at(far - 2, 10) == b"\0\0far"
            await f.seek(far + 10)
            await f.write(b"end")
            assert await f.tell() == far + 13
        assert p.stat().st_size == far + 13

    asyncio.run(main())


# --- 7. leaks and growth ------------------------------------------------------------------------


def test_open_close_cycles_keep_descriptors_flat(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "cycle"
    p.write_bytes(b"x")

    async def main() -> None:
        async with ayafileio.open(p, "rb") as f:  # the engine's own descriptors come first
            await f.read()
        base = open_fds()
        for _ in range(10_000):
            async with ayafileio.open(p, "rb") as f:
                await f.read()
        assert open_fds() == base
        stats = _driver.get_driver().stats()
        assert (stats["inflight"], stats["queued"]) == (0, 0)

    asyncio.run(main())


@linux_only
def test_many_small_writes_bounded_memory(tmp_path: pathlib.Path) -> None:
    code = f"""
import asyncio, json, resource, os, ayafileio
def rss_kb():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
async def main():
    async with ayafileio.open(os.path.join({str(tmp_path)!r}, "w"), "w") as f:
        await f.write("warm-up\\n")
        base = rss_kb(); heap0 = ayafileio.get_stats()["go_heap_alloc"]
        for i in range(200_000):
            await f.write("line %d\\n" % i)
    grown = rss_kb() - base
    heap = ayafileio.get_stats()["go_heap_alloc"]
    print(json.dumps({{"rss_growth_kb": grown, "go_heap0": heap0, "go_heap": heap}}))
asyncio.run(main())
"""
    out = run_child(code, timeout=120)
    import json

    got = json.loads(out.stdout)
    assert got["rss_growth_kb"] < 40 * 1024, got
    assert got["go_heap"] < got["go_heap0"] + 8 * 1024 * 1024, got
    assert (tmp_path / "w").read_text().count("\n") == 200_001


def test_engines_are_closed_with_their_loops(tmp_path: pathlib.Path) -> None:
    async def touch() -> None:
        async with ayafileio.open(tmp_path / "t", "w") as f:
            await f.write("t")

    asyncio.run(touch())
    before = ayafileio.get_stats()["live_engines"]
    for _ in range(20):
        asyncio.run(touch())
    assert ayafileio.get_stats()["live_engines"] == before


# --- 8. loop responsiveness -----------------------------------------------------------------------


def test_loop_stays_responsive_under_heavy_writes(tmp_path: pathlib.Path) -> None:
    """8 tasks write 8 MiB each while a 1 ms heartbeat measures how late it wakes. The
    bound is relative, measured in the same run: the heartbeat's p99 lateness while the
    same writes run on threads (asyncio.to_thread), which never block the loop, so what
    a loaded machine adds is in both. Five rounds each, interleaved, median against
    median: a round's p99 is its worst few beats, and a 2-core machine's spikes come and
    go on either side (against the threads' best round, as at first, ayafileio's median
    failed twice in CI at 17 and 28 ms against 3.0 and 4.9); blocking is there in every
    round. Medians that miss the bound are measured again over five more pairs of rounds,
    up to fifteen, all counted: in a CI run on the worker backend three rounds of five
    came at 17 ms or more while the threads' median was 2.8 ms, and 15 runs here under
    CPU and disk load (benchmarks/heavy_writes.py beside busy loops and dd) never did. Writes that block the loop (each file written at once, as a synchronous
    writer does) measured here 70-170 ms against 6-20 ms on threads; ayafileio 1-2 ms
    in the rounds after the first since its large writes and truncated files' closes
    stopped running on the loop's thread (benchmarks/heavy_writes.py)."""
    chunk = b"z" * (1 << 20)

    def write_sync(i: int) -> None:
        with open(tmp_path / f"h{i}", "wb") as f:
            for _ in range(8):
                f.write(chunk)

    async def write_ours(i: int) -> None:
        async with ayafileio.open(tmp_path / f"h{i}", "wb") as f:
            for _ in range(8):
                await f.write(chunk)

    async def write_in_thread(i: int) -> None:
        await asyncio.to_thread(write_sync, i)

    async def p99_lateness(writer: Callable[[int], Awaitable[None]]) -> float:
        late: list[float] = []
        stop = False

        async def heartbeat() -> None:
            while not stop:
                t = time.perf_counter()
                await asyncio.sleep(0.001)
                late.append(time.perf_counter() - t - 0.001)

        hb = asyncio.create_task(heartbeat())
        await asyncio.sleep(0.002)
        await asyncio.gather(*(writer(i) for i in range(8)))
        stop = True
        await hb
        late.sort()
        return late[int(len(late) * 0.99)]

    def within(ours: list[float], threads: list[float]) -> bool:
        return statistics.median(ours) < 2 * statistics.median(threads) + 0.010

    async def main() -> tuple[list[float], list[float]]:
        ours: list[float] = []
        threads: list[float] = []
        for _ in range(3):
            for _ in range(5):
                ours.append(await p99_lateness(write_ours))
                threads.append(await p99_lateness(write_in_thread))
            if within(ours, threads):
                break
        return ours, threads

    ours, threads = asyncio.run(main())
    assert within(ours, threads), (f"heartbeat p99 lateness per round, ms: ayafileio {[round(v * 1e3, 1) for v in ours]}, "
                                   f"on threads {[round(v * 1e3, 1) for v in threads]}")


# --- 9. loops and threads -----------------------------------------------------------------------


def test_loop_moved_to_another_thread_gets_a_clear_error(tmp_path: pathlib.Path) -> None:
    loop = asyncio.new_event_loop()

    async def touch() -> None:
        async with ayafileio.open(tmp_path / "m", "w") as f:
            await f.write("m")

    loop.run_until_complete(touch())
    errors: list[BaseException] = []

    def other() -> None:
        try:
            loop.run_until_complete(touch())
        except BaseException as e:
            errors.append(e)

    t = threading.Thread(target=other)
    t.start()
    t.join(10)
    loop.close()
    assert len(errors) == 1 and isinstance(errors[0], RuntimeError)
    assert "another thread" in str(errors[0])


def test_closed_file_and_closed_loop_errors(tmp_path: pathlib.Path) -> None:
    async def main() -> Any:
        f = await ayafileio.open(tmp_path / "c", "w")
        await f.close()
        return f

    f = asyncio.run(main())
    for call in (lambda: f.read(), lambda: f.write("x"), lambda: f.seek(0), lambda: f.flush()):
        with pytest.raises(ValueError):
            asyncio.run(call())  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        f.fileno()


# --- 10. signals the Go runtime sends ---------------------------------------------------------


@posix_only
def test_go_runtime_sends_no_preemption_signals(tmp_path: pathlib.Path) -> None:
    """The thread that calls into Go thousands of times a second gets no SIGURG: Go's
    sysmon sends one to a thread whose goroutine it sees running for 10 ms, and it lands
    in that thread's next system call (a pipe write returns short, and print() under
    `python -u` drops the rest; a sleep ends with EINTR). setup.py links the runtime with
    asyncpreemptoff=1. The child counts the signal in a handler of its own, which replaces
    Go's: built without that flag it counted one in every run (one only: Go sends no more
    to a thread until its own handler has answered the last)."""
    code = f"""
import asyncio, os, signal, time
import ayafileio
hits = 0
def on_urg(signum, frame):
    global hits
    hits += 1
async def main():
    await ayafileio.write_text({str(tmp_path / "warm")!r}, "x")  # the engine runs
    signal.signal(signal.SIGURG, on_urg)
    end, n = time.monotonic() + 1.5, 0
    while time.monotonic() < end:
        await asyncio.gather(*(ayafileio.write_text(os.path.join({str(tmp_path)!r}, str(i)), "x" * 100)
                               for i in range(50)))
        n += 50
    print(hits, n)
asyncio.run(main())
"""
    res = run_child(code)
    assert res.returncode == 0, res.stderr
    hits, n = map(int, res.stdout.split())
    assert n > 0 and hits == 0, f"{hits} SIGURG during {n} writes"


TEXT_BAD_CALLS: list[tuple[str, tuple[Any, ...]]] = [
    ("read", ("x",)), ("read", (1.5,)), ("read", (-5,)), ("readline", ("x",)), ("readline", (None,)),
    ("write", (b"x",)), ("write", (5,)), ("seek", ("a",)), ("seek", (1.5,)), ("seek", (0, 7)), ("seek", (-1,)),
    ("seek", (5, 1)), ("seek", (3, 2)), ("truncate", (-1,)), ("truncate", ("x",)), ("readlines", ("x",)),
    ("writelines", ([1],)), ("writelines", ([b"x"],)), ("tell", ()), ("flush", ()), ("fileno", ()),
    ("readable", ()), ("writable", ()), ("seekable", ()), ("isatty", ()),
]


@pytest.mark.parametrize("method,args", TEXT_BAD_CALLS)
@pytest.mark.parametrize("mode", ["r+", "r", "w"])
def test_text_bad_calls_raise_what_io_raises(tmp_path: pathlib.Path, method: str, args: tuple[Any, ...],
                                             mode: str) -> None:
    """A text file's exception and message for bad calls, open and closed, as io's."""
    data = "hello\nworld\n".replace("\n", os.linesep).encode("utf-8")  # what write_text() writes
    assert_bad_call_as_io(tmp_path / "f", data, (mode, -1, "utf-8"), method, args)

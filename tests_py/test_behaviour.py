"""Errors, concurrency, cancellation, loops and configuration."""

from __future__ import annotations

import asyncio
import random
import io
import os
import pathlib
import sys
import threading
import time
from typing import Any

import pytest

import ayafileio
from conftest import linux_only, open_fds, posix_only


def test_errors_match_builtin_open(tmp_path: pathlib.Path, run: Any) -> None:
    missing, d = tmp_path / "missing", tmp_path
    existing = tmp_path / "f"
    existing.write_bytes(b"x")
    cases: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
        ((missing,), {}), ((d,), {}), ((d, "w"), {}), ((existing, "x"), {}), ((existing, "rw"), {}),
        ((existing, "rbt"), {}), ((existing, "q"), {}), ((existing, "rb"), {"encoding": "utf-8"}),
        ((existing,), {"encoding": "no-such-codec"}), ((existing,), {"newline": "x"}),
        ((existing, "r", 0), {}), ((1.5,), {}), ((str(existing) + "\0",), {}),
        ((existing,), {"closefd": False}), ((existing,), {"encoding": "base64"}), ((existing, 5), {}),
        ((existing, "r", 1.5), {}), ((existing,), {"errors": 5}), ((None,), {}), ((-1,), {}),
        ((existing, "r\0"), {}), ((existing, "rb"), {"newline": "\0"}), ((existing,), {"errors": "st\0rict"}),
        ((existing,), {"encoding": "utf\0-8"}), ((existing,), {"newline": "\r\0"}), ((existing, "r\0", "x"), {}),
        ((missing, "r", 0), {}), ((tmp_path / "made", "w", 0), {}), ((existing, "U"), {}), ((existing, "rUb"), {}),
        ((existing, "wU"), {}), ((missing, "U", 0), {}),
    ]
    for args, kwargs in cases:
        try:
            open(*args, **kwargs).close()
            expected: Any = None
        except Exception as e:
            expected = (type(e), str(e))

        async def attempt() -> Any:
            try:
                f = await ayafileio.open(*args, **kwargs)
                await f.close()
            except Exception as e:
                return (type(e), str(e))
            return None

        assert run(attempt()) == expected, (args, kwargs)


def test_arguments_seen_valid_are_still_checked_as_open_checks_them(tmp_path: pathlib.Path, run: Any) -> None:
    """open() remembers argument sets that passed (modes.parse_open_args): the file
    argument, an equal value of another type (1.0 for 1) and the warning of binary line
    buffering must still come out as the built-in's, every time."""
    existing = tmp_path / "f"
    existing.write_bytes(b"x")
    sets: list[dict[str, Any]] = [
        {"mode": "rb", "buffering": -1}, {"mode": "r", "buffering": 1, "encoding": "utf-8", "newline": ""},
        {"mode": "wb", "buffering": 1}, {"mode": "a", "buffering": 0 + 8192, "errors": "replace"},
    ]
    files: list[Any] = [existing, 1.5, str(existing) + "\0", [str(existing)], b"\0", object()]

    def outcome(call: Any) -> Any:
        import warnings

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                call()
                error: Any = None
            except Exception as e:
                error = (type(e), str(e))
        return error, [(w.category, str(w.message)) for w in caught]

    async def ours(file: Any, kwargs: dict[str, Any], closefd: bool) -> None:
        f = await ayafileio.open(file, closefd=closefd, **kwargs)
        await f.close()

    for kwargs in sets:
        for file in [existing, *files]:  # the first opens it: the set is known valid from then on
            for closefd in (True, False):
                want = outcome(lambda: open(file, closefd=closefd, **kwargs).close())
                got = outcome(lambda: run(ours(file, kwargs, closefd)))
                assert got == want, (file, kwargs, closefd)
        if kwargs["buffering"] == 1:
            float_kwargs = {**kwargs, "buffering": 1.0}
            want = outcome(lambda: open(existing, **float_kwargs).close())
            assert outcome(lambda: run(ours(existing, float_kwargs, True))) == want


def test_open_warns_as_open_warns_at_the_callers_line(tmp_path: pathlib.Path) -> None:
    """Under -X warn_default_encoding a text open without an encoding gives open()'s
    EncodingWarning (and "locale" none); binary line buffering and a bool descriptor their
    RuntimeWarnings: the same category, message and line (the caller's) as the built-in's;
    the whole-file calls without an encoding warn at their caller's line, as pathlib's."""
    import subprocess
    import textwrap

    script = tmp_path / "warns.py"
    script.write_text(textwrap.dedent(f"""
        import asyncio, warnings, ayafileio
        path = {str(tmp_path / "f")!r}
        open(path, "w", encoding="utf-8").close()
        calls = [((path,), {{}}), ((path,), {{"encoding": "locale"}}), ((path, "rb", 1), {{}}),
                 ((True, "rb"), {{"closefd": False}})]

        def seen(w):
            return [(x.category.__name__, str(x.message), x.filename, x.lineno) for x in w]

        async def main():
            for args, kwargs in calls:
                with warnings.catch_warnings(record=True) as theirs:
                    warnings.simplefilter("always")
                    f = open(*args, **kwargs)
                    f.close() if args[0] is not True else None
                with warnings.catch_warnings(record=True) as ours:
                    warnings.simplefilter("always")
                    f = await ayafileio.open(*args, **kwargs)
                    await f.close() if args[0] is not True else None
                # ayafileio.open() is called four lines below open()
                print(seen(theirs) == [(c, m, fn, ln - 4) for c, m, fn, ln in seen(ours)], seen(ours))
            with warnings.catch_warnings(record=True) as whole:  # pathlib's read_text() warns at its caller
                warnings.simplefilter("always")
                await ayafileio.read_text(path)
                await ayafileio.write_text(path, "x")
                await ayafileio.read_text_many([path])
                await ayafileio.write_text_many([(path, "x")])
            print(sorted({{(x.category.__name__, x.filename == __file__) for x in whole}}), len(whole))

        asyncio.run(main())
    """))
    out = subprocess.run([sys.executable, "-X", "warn_default_encoding", str(script)], capture_output=True,
                         text=True, timeout=60, check=True).stdout.splitlines()
    assert out[4:] == ["[('EncodingWarning', True)] 4"], out
    out = out[:4]
    assert len(out) == 4 and all(line.startswith("True [") for line in out), out
    assert out[0] != "True []" and out[1] == "True []" and out[2] != "True []", out  # "locale": no warning
    assert (out[3] != "True []") == (sys.version_info >= (3, 13)), out  # open(True) warns from 3.13


def test_closed_and_wrong_mode(tmp_path: pathlib.Path, run: Any) -> None:
    p = tmp_path / "f"

    async def main() -> None:
        async with ayafileio.open(p, "wb") as f:
            with pytest.raises(io.UnsupportedOperation):
                await f.read()
            with pytest.raises(TypeError):
                await f.write("str")  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            await f.write(b"x")
        with pytest.raises(io.UnsupportedOperation):  # as io: a writer's read() refuses before it looks at closed
            await f.read()
        await f.close()  # twice is fine
        async with ayafileio.open(p, "r") as t:
            with pytest.raises(io.UnsupportedOperation):
                await t.write("x")
        async with ayafileio.open(p, "w") as t:
            with pytest.raises(TypeError):
                await t.write(b"x")  # type: ignore[arg-type]

    run(main())


def test_forms_paths_fds_iteration(tmp_path: pathlib.Path, run: Any) -> None:
    p = tmp_path / "lines.txt"
    p.write_bytes(b"one\ntwo\nthree")  # the same bytes on every system (write_text translates "\n")

    async def main() -> None:
        f = await ayafileio.open(p)
        assert [line async for line in f] == ["one\n", "two\n", "three"]
        await f.close()
        async with ayafileio.AsyncFile(str(p), "rb") as b:
            assert await b.read() == b"one\ntwo\nthree"
        fd = os.open(p, os.O_RDONLY)
        async with ayafileio.open(fd, "rb", closefd=False) as b:
            assert await b.readline() == b"one\n"
        os.close(fd)
        async with ayafileio.open(os.fsencode(p), "r") as t:
            assert await t.readlines() == ["one\n", "two\n", "three"]

    run(main())


@linux_only
def test_proc_files_and_devices(run: Any) -> None:
    async def main() -> None:
        async with ayafileio.open("/proc/self/status") as f:
            assert "Name:" in await f.read()
        async with ayafileio.open("/dev/zero", "rb") as z:
            assert await z.read(100000) == bytes(100000)
            assert not z.seekable() or True

    run(main())


def test_many_concurrent_files(tmp_path: pathlib.Path, run: Any) -> None:
    before = open_fds()

    async def one(i: int) -> None:
        path = tmp_path / f"{i:04d}.bin"
        async with ayafileio.open(path, "wb") as f:
            await f.write(bytes([i % 256]) * (i * 37 % 9000))
        async with ayafileio.open(path, "rb") as f:
            assert await f.read() == bytes([i % 256]) * (i * 37 % 9000)

    async def main() -> None:
        await asyncio.gather(*(one(i) for i in range(500)))

    run(main())
    assert open_fds() <= before + 2  # the engine's ring and eventfd are gone with the loop


def test_calls_on_one_file_keep_call_order(tmp_path: pathlib.Path, run: Any) -> None:
    p = tmp_path / "order"

    async def main() -> None:
        async with ayafileio.open(p, "wb", buffering=8) as f:
            await asyncio.gather(*(f.write(b"%04d" % i) for i in range(300)))
        assert p.read_bytes() == b"".join(b"%04d" % i for i in range(300))

    run(main())


@pytest.mark.parametrize("mode", ["a", "w+", "r+"])
def test_concurrent_text_writes_and_reads_keep_call_order(tmp_path: pathlib.Path, run: Any, mode: str) -> None:
    """Text writes may add to the pending text while another write flushes (they never
    wait behind one), but never ahead of a call made before them: with reads, tells,
    seeks and flushes mixed in, every call sees exactly the writes made before it, and
    the file holds the lines in call order."""
    p = tmp_path / "order.txt"
    p.write_text("")
    rng = random.Random(11)

    async def main() -> None:
        async with ayafileio.open(p, mode, encoding="utf-8", buffering=rng.choice([64, 4096])) as f:
            f._CHUNK_SIZE = 256
            expected: list[str] = []
            calls: list[Any] = []
            checks: dict[int, int] = {}  # index in calls -> what that tell must answer
            for i in range(3000):
                line = f"{i:05d} " + "é€" * rng.randrange(40) + "\n"
                calls.append(f.write(line))
                expected.append(line)
                if mode != "a" and rng.random() < 0.02:
                    # A tell after the writes made so far: the encoded length of all of them,
                    # each "\n" written as os.linesep ("\r\n" on Windows), as open() does.
                    checks[len(calls)] = len("".join(expected).replace("\n", os.linesep).encode())
                    calls.append(f.tell())
                if rng.random() < 0.01:
                    calls.append(f.flush())
            results = await asyncio.gather(*calls)  # gather starts them in this order
            assert {k: results[k] for k in checks} == checks
        assert p.read_text(encoding="utf-8") == "".join(expected)

    run(main())


def test_concurrent_line_buffered_writes_are_in_the_file_when_they_return(tmp_path: pathlib.Path, run: Any) -> None:
    """Text writes queue behind a write that is giving the buffer its text, but one that
    must flush (line buffering) still waits for its own flush: when it returns, every
    write made before it and itself are in the file."""
    p = tmp_path / "lines.txt"
    pieces = [f"{i:04d}" + "é" * (i % 37) + ("\n" if i % 3 else "") for i in range(600)]

    async def main() -> None:
        async with ayafileio.open(p, "w", encoding="utf-8", buffering=1) as f:
            f._CHUNK_SIZE = 32

            async def write(i: int) -> None:
                await f.write(pieces[i])
                if "\n" in pieces[i]:
                    done = "".join(pieces[: i + 1]).replace("\n", os.linesep).encode()
                    assert p.read_bytes()[: len(done)] == done

            await asyncio.gather(*(write(i) for i in range(len(pieces))))
        assert p.read_text(encoding="utf-8") == "".join(pieces)

    run(main())


def test_positional_io_runs_concurrently(tmp_path: pathlib.Path, run: Any) -> None:
    p = tmp_path / "pos"

    async def main() -> None:
        async with ayafileio.open(p, "w+b") as f:
            await asyncio.gather(*(f.write_at(i * 10, b"%010d" % i) for i in range(100)))
            got = await asyncio.gather(*(f.read_at(i * 10, 10) for i in range(100)))
            assert got == [b"%010d" % i for i in range(100)]
            assert await f.tell() == 0

    run(main())


def test_cancelled_writes_lose_nothing(tmp_path: pathlib.Path, run: Any) -> None:
    before = open_fds()

    async def writer(i: int) -> None:
        async with ayafileio.open(tmp_path / f"w{i}", "wb", buffering=4096) as f:
            for k in range(50):
                await f.write(b"%08d" % k * 100)

    async def main() -> None:
        tasks = [asyncio.create_task(writer(i)) for i in range(200)]
        await asyncio.sleep(0)
        for _ in range(30):
            await asyncio.sleep(0)
            for t in tasks[::2]:
                t.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for i, r in enumerate(results):
            path = tmp_path / f"w{i}"
            data = path.read_bytes() if path.exists() or r is None else b""
            expected = b"".join(b"%08d" % k * 100 for k in range(50))
            if r is None:
                assert data == expected
            else:
                assert isinstance(r, asyncio.CancelledError)
                assert expected.startswith(data)  # a prefix: nothing reordered or torn
        # I/O still works after the storm.
        async with ayafileio.open(tmp_path / "after", "wb") as f:
            await f.write(b"ok")

    run(main())
    assert open_fds() <= before + 2


def test_four_loops_in_four_threads(tmp_path: pathlib.Path) -> None:
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        async def main() -> None:
            for i in range(50):
                p = tmp_path / f"t{n}-{i}"
                async with ayafileio.open(p, "w") as f:
                    await f.write(f"{n}:{i}")
                async with ayafileio.open(p) as f:
                    assert await f.read() == f"{n}:{i}"

        try:
            asyncio.run(main())
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors


def test_uvloop(tmp_path: pathlib.Path) -> None:
    uvloop = pytest.importorskip("uvloop")

    async def main() -> None:
        async with ayafileio.open(tmp_path / "uv", "w") as f:
            await f.write("uvloop")
        async with ayafileio.open(tmp_path / "uv") as f:
            assert await f.read() == "uvloop"

    uvloop.run(main())


@posix_only
def test_loop_closes_with_io_in_flight(tmp_path: pathlib.Path) -> None:
    r, w = os.pipe()
    ayafileio.configure(close_timeout_ms=200)  # the worker backend cannot interrupt a pipe read

    async def main() -> None:
        f = await ayafileio.open(r, "rb", closefd=False)
        asyncio.get_running_loop().call_later(0.05, lambda: (_ for _ in ()).throw(RuntimeError))
        await asyncio.wait_for(f.read(10), 0.1)

    with pytest.raises((TimeoutError, asyncio.TimeoutError)):
        asyncio.run(main())
    ayafileio.reset_config()
    os.write(w, b"x")  # let a worker's blocked read finish
    os.close(w)
    asyncio.run(_write_again(tmp_path))  # a new loop in the same process works


async def _write_again(tmp_path: pathlib.Path) -> None:
    async with ayafileio.open(tmp_path / "again", "w") as f:
        await f.write("again")


def test_config_validation_and_effect(run: Any) -> None:
    ayafileio.reset_config()
    with pytest.raises(ValueError, match="no_such_key"):
        ayafileio.configure({"no_such_key": 1})
    with pytest.raises(ValueError, match="buffer_size"):
        ayafileio.configure(buffer_size=1000)
    with pytest.raises(TypeError, match="io_uring_sqpoll"):
        ayafileio.configure(io_uring_sqpoll="yes")
    with pytest.raises(ValueError, match="backend"):
        ayafileio.configure(backend="magic")
    ayafileio.configure(backend="worker", io_worker_count=3)
    try:
        async def main() -> dict[str, Any]:
            return ayafileio.get_backend_info()

        info = run(main())
        if sys.platform == "win32":  # no worker backend there: "worker" is accepted and IOCP kept
            assert info["backend"] == "iocp" and info["is_truly_async"] is True
        else:
            assert info["backend"] == "worker" and info["is_truly_async"] is False and info["workers"] == 3
        ayafileio.set_handle_pool_limits(8, 100)
        assert ayafileio.get_handle_pool_limits() == (8, 100)
    finally:
        ayafileio.reset_config()
    assert ayafileio.get_config()["buffer_size"] == 65536


def test_adaptive_batch_spreads_completions_over_loop_iterations(tmp_path: pathlib.Path, monkeypatch: Any) -> None:
    """adaptive_batch hands completions to their tasks in slices sized to
    adaptive_target_latency_us, so a burst wakes its tasks over several loop iterations
    (timers and sockets get their turn between); off, one iteration wakes them all."""
    from ayafileio.engine import platform as _platform

    monkeypatch.setattr(_platform, "READ_FAST_PATH", False)  # every read completes through the ring
    p = tmp_path / "f"
    p.write_bytes(b"x" * 4096)
    with pytest.raises(ValueError, match="adaptive_target_latency_us"):
        ayafileio.configure(adaptive_target_latency_us=10)
    with pytest.raises(TypeError, match="adaptive_batch"):
        ayafileio.configure(adaptive_batch=1)

    def iterations_waking(adaptive: bool) -> int:
        ayafileio.configure(adaptive_batch=adaptive, adaptive_target_latency_us=50)

        async def main() -> int:
            loop = asyncio.get_running_loop()
            ticks = [0]
            stop = False

            def tick() -> None:  # runs once per loop iteration
                ticks[0] += 1
                if not stop:
                    loop.call_soon(tick)

            woken: set[int] = set()
            async with ayafileio.open(p, "rb") as f:
                async def one(i: int) -> None:
                    await f.read_at(i, 16)
                    woken.add(ticks[0])

                await f.read_at(0, 1)  # the engine exists before the burst
                tick()
                await asyncio.gather(*(one(i) for i in range(400)))
                stop = True
            return len(woken)

        try:
            return asyncio.run(main())
        finally:
            ayafileio.reset_config()

    off, on = iterations_waking(False), iterations_waking(True)
    assert on > 4 * off, (on, off)


@posix_only
def test_idle_spin_keeps_the_loop_awake_while_requests_are_in_flight(tmp_path: pathlib.Path) -> None:
    """idle_spin_us: after an exchange leaves requests in flight, the loop looks for
    them once per iteration for that long instead of sleeping in its selector. Counted,
    not timed: the selector calls that may block (no ready callback) while five reads of
    a FIFO wait about 20 ms each for a writer thread, with a window of 100 ms (none
    sleeps) and with the spin off (each sleeps); 0 turns it off and is validated."""
    import selectors

    with pytest.raises(ValueError, match="idle_spin_us"):
        ayafileio.configure(idle_spin_us=-1)
    with pytest.raises(TypeError, match="idle_spin_us"):
        ayafileio.configure(idle_spin_us=1.5)

    class CountingSelector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
        blocking = 0

        def select(self, timeout: float | None = None) -> Any:
            if timeout is None or timeout > 0:
                CountingSelector.blocking += 1
            return super().select(timeout)

    def blocking_selects(spin_us: int) -> int:
        ayafileio.configure(idle_spin_us=spin_us)
        fifo = tmp_path / f"fifo{spin_us}"
        os.mkfifo(fifo)

        def writer() -> None:
            with open(fifo, "wb", buffering=0) as w:
                for _ in range(5):
                    time.sleep(0.02)
                    w.write(b"x")

        async def main() -> int:
            async with ayafileio.open(fifo, "rb", buffering=0) as f:
                CountingSelector.blocking = 0
                got = [await f.read(1) for _ in range(5)]
                assert got == [b"x"] * 5
                return CountingSelector.blocking

        thread = threading.Thread(target=writer)
        thread.start()
        loop = asyncio.SelectorEventLoop(CountingSelector())
        try:
            return loop.run_until_complete(main())
        finally:
            loop.close()
            thread.join()

    try:
        assert blocking_selects(100_000) == 0
        assert blocking_selects(0) >= 5
    finally:
        ayafileio.reset_config()


@posix_only
def test_fork_after_use_still_does_file_io(tmp_path: pathlib.Path) -> None:
    """Go does not survive fork(): a child forked after the engine started does its file
    I/O on the pure-Python fallback, says so, and never hangs."""

    async def write(name: str) -> str:
        async with ayafileio.open(tmp_path / name, "w") as f:
            await f.write(name)
        async with ayafileio.open(tmp_path / name) as f:
            assert await f.read() == name
        return str(ayafileio.get_backend_info()["backend"])

    assert asyncio.run(write("parent")) in ("io_uring", "worker")  # the Go runtime now runs here
    pid = os.fork()
    if pid == 0:
        code = 3
        try:
            backend = asyncio.run(write("child"))
            code = 0 if backend == "python-threads" and ayafileio.get_backend_info()["backend"] == "python-threads" else 1
            try:
                ayafileio.configure(buffer_size=8192)
                code = 2
            except ayafileio.ForkedChildError:
                pass
        finally:
            os._exit(code)
    for _ in range(100):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, 9)
        pytest.fail("the forked child hung")
    assert os.waitstatus_to_exitcode(status) == 0
    assert (tmp_path / "child").read_text() == "child"
    assert asyncio.run(write("parent-again")) in ("io_uring", "worker")


def test_file_system_without_nowait_reads_goes_through_the_ring(tmp_path: pathlib.Path, run: Any) -> None:
    """Where preadv2(RWF_NOWAIT) is not supported (EOPNOTSUPP), reads and read_at fall
    back to the ring instead of raising."""
    import errno

    from ayafileio.engine import driver as _driver

    p = tmp_path / "f"
    p.write_bytes(bytes(range(256)) * 64)

    async def main() -> None:
        drv = _driver.get_driver()
        unsupported = lambda *args: -errno.EOPNOTSUPP  # noqa: E731
        original = drv.read_cached
        drv.read_cached = unsupported  # type: ignore[method-assign]
        try:
            async with ayafileio.open(p, "rb") as f:
                assert await f.read_at(256, 4) == bytes(range(4))
                assert await f.read(3) == bytes(range(3))
                assert await f.read_at(1, 2) == bytes([1, 2])
        finally:
            drv.read_cached = original  # type: ignore[method-assign]

    run(main())

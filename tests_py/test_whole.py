"""Whole-file calls (read_bytes, read_text, write_bytes, write_text, their _many forms,
atomic and durable writes) against pathlib and open(); atomicity under a polling reader
and under SIGKILL; cancellation; and, traced, that the opens happen in the ring."""

from __future__ import annotations

import array
import asyncio
import hashlib
import os
import pathlib
import random
import re
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from conftest import open_fds, shared_loop
from hypothesis import given
from hypothesis import strategies as st

import ayafileio


def outcome(fn: Callable[[], Any]) -> Any:
    try:
        return ("ok", fn())
    except Exception as e:
        return ("err", type(e).__name__, getattr(e, "errno", None), getattr(e, "filename", None),
                None if isinstance(e, OSError) else str(e))


async def aoutcome(coro: Coroutine[Any, Any, Any]) -> Any:
    try:
        return ("ok", await coro)
    except Exception as e:
        return ("err", type(e).__name__, getattr(e, "errno", None), getattr(e, "filename", None),
                None if isinstance(e, OSError) else str(e))


def _open_read(p: Any, encoding: str | None, errors: str | None, newline: str | None) -> str:
    with open(p, encoding=encoding, errors=errors, newline=newline) as f:
        return f.read()


def _open_write(p: Any, data: Any, encoding: str | None, errors: str | None, newline: str | None) -> int:
    with open(p, "w", encoding=encoding, errors=errors, newline=newline) as f:
        return f.write(data)


SIZES = [0, 1, 100, 4096, 65535, 65536, 65537, 300_000]


@pytest.fixture(params=["chains", "threads"])
def way(request: Any, monkeypatch: Any) -> str:
    """Both implementations of the contract: the engine's chains, and the thread sibling
    used where the engine has no direct descriptors (a forked child)."""
    if request.param == "threads":
        from ayafileio import whole as _whole

        monkeypatch.setattr(_whole, "_chain_engine", lambda: None)
    return str(request.param)


def test_read_and_write_bytes_match_pathlib(tmp_path: pathlib.Path, way: str) -> None:
    async def main() -> None:
        for size in SIZES:
            data = os.urandom(size)
            for atomic in (False, True):
                for durable in (False, True):
                    mine, theirs = tmp_path / f"m{size}", tmp_path / f"t{size}"
                    for form in (data, bytearray(data), memoryview(data), array.array("B", data)):
                        got = await aoutcome(ayafileio.write_bytes(mine, form, atomic=atomic, durable=durable))
                        assert got == outcome(lambda: theirs.write_bytes(form))
                        assert mine.read_bytes() == theirs.read_bytes() == data
                    assert await ayafileio.read_bytes(mine) == theirs.read_bytes()
                    assert await ayafileio.read_bytes(str(mine).encode()) == data
        assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]

    asyncio.run(main())


def test_errors_match_pathlib(tmp_path: pathlib.Path, way: str) -> None:
    (tmp_path / "dir").mkdir()
    (tmp_path / "file").write_bytes(b"x")
    cases: list[Any] = [tmp_path / "missing", tmp_path / "missing" / "x", tmp_path / "dir", tmp_path / "file" / "x",
                        str(tmp_path / "nul\0x"), 3.5, None, ""]

    async def main() -> None:
        for p in cases:
            theirs = (lambda: pathlib.Path(p)) if isinstance(p, (str, pathlib.Path)) else (lambda: p)
            want_read = outcome(lambda: open(p, "rb").read() if not isinstance(p, float) else open(p, "rb"))
            if isinstance(p, float) or p is None:
                want_read = outcome(lambda: os.fspath(p))
            assert await aoutcome(ayafileio.read_bytes(p)) == want_read, p
            assert await aoutcome(ayafileio.read_text(p)) == want_read, p
            for atomic in (False, True):
                got = await aoutcome(ayafileio.write_bytes(p, b"data", atomic=atomic))
                want = outcome(lambda: theirs().write_bytes(b"data")) if not isinstance(p, float) and p is not None \
                    else outcome(lambda: os.fspath(p))
                if p == "":
                    want = outcome(lambda: open("", "wb"))
                assert got == want, (p, atomic)
        assert await aoutcome(ayafileio.write_bytes(tmp_path / "f", "text")) == outcome(
            lambda: (tmp_path / "g").write_bytes("text"))  # type: ignore[arg-type]
        assert await aoutcome(ayafileio.write_text(tmp_path / "f", b"bytes")) == outcome(
            lambda: (tmp_path / "g").write_text(b"bytes"))  # type: ignore[arg-type]
        assert await aoutcome(ayafileio.read_text(tmp_path / "file", encoding="no-such")) == outcome(
            lambda: (tmp_path / "file").read_text(encoding="no-such"))
        (tmp_path / "bad").write_bytes(b"\xff\xfe\x00abc\x80")
        assert await aoutcome(ayafileio.read_text(tmp_path / "bad", encoding="utf-8")) == outcome(
            lambda: (tmp_path / "bad").read_text(encoding="utf-8"))
        assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]

    asyncio.run(main())


TEXT = st.text(st.sampled_from(list("ab\r\n\t é€\U0001f600\x00")), max_size=60)


@given(text=TEXT, encoding=st.sampled_from(["utf-8", "utf-16", "utf-8-sig", "latin-1", "cp1252", "ascii"]),
       errors=st.sampled_from([None, "strict", "replace", "ignore", "surrogateescape", "backslashreplace"]),
       newline=st.sampled_from([None, "", "\n", "\r", "\r\n"]), atomic=st.booleans(), raw=st.binary(max_size=40))
def test_text_matches_open(tmp_path_factory: Any, text: str, encoding: str, errors: str | None,
                           newline: str | None, atomic: bool, raw: bytes) -> None:
    d = tmp_path_factory.mktemp("text")
    mine, theirs = d / "mine", d / "theirs"

    async def main() -> None:
        got = await aoutcome(ayafileio.write_text(mine, text, encoding, errors, newline, atomic=atomic))
        want = outcome(lambda: _open_write(theirs, text, encoding, errors, newline))
        assert got == want
        if want[0] == "ok":
            assert mine.read_bytes() == theirs.read_bytes()
            assert await aoutcome(ayafileio.read_text(mine, encoding, errors, newline)) == outcome(
                lambda: _open_read(theirs, encoding, errors, newline))
        theirs.write_bytes(raw)  # any bytes, decoded
        assert await aoutcome(ayafileio.read_text(theirs, encoding, errors, newline)) == outcome(
            lambda: _open_read(theirs, encoding, errors, newline))

    shared_loop().run_until_complete(main())
    shutil.rmtree(d)


def test_many_keeps_order_and_raises_the_first_error_after_all(tmp_path: pathlib.Path, way: str) -> None:
    async def main() -> None:
        pairs = [(tmp_path / f"f{i}", f"content {i}".encode() * (i % 7)) for i in range(300)]
        assert await ayafileio.write_bytes_many(pairs, max_concurrency=17) == [len(d) for _, d in pairs]
        assert await ayafileio.read_bytes_many([p for p, _ in pairs]) == [d for _, d in pairs]
        texts = [(tmp_path / f"t{i}", f"línea {i}\n" * i) for i in range(50)]
        assert await ayafileio.write_text_many(texts, "utf-16", atomic=True) == [len(t) for _, t in texts]
        assert await ayafileio.read_text_many([p for p, _ in texts], "utf-16") == [t for _, t in texts]
        # Errors: the first in input order, raised once every file was done.
        mixed = [(tmp_path / "ok1", b"1"), (tmp_path / "no" / "a", b"x"), (tmp_path / "ok2", b"2"),
                 (tmp_path, b"dir"), (tmp_path / "ok3", b"3")]
        with pytest.raises(FileNotFoundError) as e:
            await ayafileio.write_bytes_many(mixed, max_concurrency=2)
        assert e.value.filename == str(tmp_path / "no" / "a")  # open() names a path by os.fspath()
        assert [(tmp_path / f"ok{i}").read_bytes() for i in (1, 2, 3)] == [b"1", b"2", b"3"]
        with pytest.raises(OSError) as dir_error:  # the first error: the directory's, as open() raises it
            await ayafileio.read_bytes_many([tmp_path / "ok1", tmp_path, tmp_path / "missing"])
        assert type(dir_error.value).__name__ == outcome(lambda: open(tmp_path, "rb"))[1]  # Windows: PermissionError
        with pytest.raises(ValueError):
            await ayafileio.read_bytes_many([], max_concurrency=0)
        assert await ayafileio.read_bytes_many([]) == []

    asyncio.run(main())


def test_many_new_files_at_once_all_complete(tmp_path: pathlib.Path) -> None:
    """64 chains in flight, each creating a file: every step of every chain is deferred
    work on a DEFER_TASKRUN ring, more than one reap used to run (it hung here)."""
    async def main() -> None:
        for round_ in range(3):
            pairs = [(tmp_path / f"r{round_}-{i}", os.urandom(i % 300)) for i in range(500)]
            got = await asyncio.wait_for(ayafileio.write_bytes_many(pairs), 30)
            assert got == [len(d) for _, d in pairs]
            assert await asyncio.wait_for(ayafileio.read_bytes_many([p for p, _ in pairs]), 30) == [d for _, d in pairs]

    asyncio.run(main())


@pytest.mark.skipif(sys.platform == "win32", reason="Windows cannot rename over a file that another thread has "
                    "open (open() shares no delete access): the rename fails with PermissionError")
def test_atomic_rewrites_are_never_seen_partial(tmp_path: pathlib.Path, way: str) -> None:
    target = tmp_path / "state.json"
    versions = [(f"version {i}\n".encode() + os.urandom(random.Random(i).randrange(1, 200_000))) for i in range(40)]
    target.write_bytes(versions[0])
    valid = set(versions)
    seen: list[bytes] = []

    async def main() -> None:
        done = False

        async def reader() -> None:
            while not done:
                seen.append(await asyncio.to_thread(target.read_bytes))  # another thread, as another process would

        r = asyncio.ensure_future(reader())
        for i in range(300):
            await ayafileio.write_bytes(target, versions[i % len(versions)], atomic=True, durable=i % 10 == 0)
        done = True
        await r

    asyncio.run(main())
    assert seen and all(s in valid for s in seen)
    assert os.listdir(tmp_path) == ["state.json"]


def test_cancelled_atomic_write_leaves_the_target_and_no_temporary(tmp_path: pathlib.Path) -> None:
    target = tmp_path / "t"
    target.write_bytes(b"old")
    new = b"new" * 100_000

    async def main() -> None:
        await ayafileio.read_bytes(target)  # the engine's own descriptors are there before the count
        base = open_fds()
        for steps in range(12):
            task = asyncio.ensure_future(ayafileio.write_bytes(target, new, atomic=True, durable=True))
            for _ in range(steps):
                await asyncio.sleep(0)
            task.cancel()
            try:
                await task
                finished = True
            except asyncio.CancelledError:
                finished = False
            content = target.read_bytes()
            assert content in (b"old", new)
            if not finished:
                assert content == b"old" or steps > 0  # cancelled after the rename: the new file is in place
            assert os.listdir(tmp_path) == ["t"], steps
            target.write_bytes(b"old")
        assert open_fds() <= base
        assert await ayafileio.read_bytes(target) == b"old"

    asyncio.run(main())


_CHILD = textwrap.dedent("""
    import asyncio, hashlib, os, sys
    import ayafileio
    target = sys.argv[1]
    async def main():
        i = 0
        await ayafileio.write_bytes(target + ".ready", b"")
        while True:
            body = os.urandom(1000 + i % 50_000)
            await ayafileio.write_bytes(target, hashlib.sha256(body).hexdigest().encode() + b"\\n" + body,
                                        atomic=True, durable=True)
            i += 1
    asyncio.run(main())
""")


def _whole(data: bytes) -> bool:
    digest, _, body = data.partition(b"\n")
    return hashlib.sha256(body).hexdigest().encode() == digest


def test_sigkill_during_atomic_durable_rewrites_leaves_the_target_whole(tmp_path: pathlib.Path) -> None:
    target = tmp_path / "target"
    body = b"first"
    target.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    rng = random.Random(5)
    for _ in range(12):
        ready = pathlib.Path(str(target) + ".ready")
        ready.unlink(missing_ok=True)
        child = subprocess.Popen([sys.executable, "-c", _CHILD, str(target)], env=env)
        deadline = time.monotonic() + 30
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.3))
        child.kill()  # SIGKILL; TerminateProcess on Windows
        child.wait()
        assert _whole(target.read_bytes())
    # Killed mid-write, a child leaves its temporary file behind: nothing can remove it.
    assert all(n.startswith((".target.", "target")) for n in os.listdir(tmp_path))


@pytest.mark.skipif(shutil.which("strace") is None or sys.platform != "linux", reason="needs strace")
def test_many_opens_in_the_ring_and_few_enters(tmp_path: pathlib.Path) -> None:
    """1,000 cached files read, then rewritten, with the _many calls: no plain openat from
    the process, traced (the ring opens them, or openat2 with RESOLVE_CACHED where that
    cannot wait: core.OpenNow), and far fewer io_uring_enter calls than files, counted
    by the engine in a run without strace (ptrace slows every system call, and the
    completion slices measure the loop's pace, so a traced run enters more often). On
    tmpfs every step is made at once: no enter at all."""
    if os.environ.get("AYAFILEIO_BACKEND", "auto") not in ("auto", "io_uring"):
        pytest.skip("the io_uring backend's property")
    for i in range(1000):
        (tmp_path / f"f{i}").write_bytes(b"x" * (i % 500))
    script = textwrap.dedent(f"""
        import asyncio, os
        import ayafileio
        paths = [os.path.join({str(tmp_path)!r}, f"f{{i}}") for i in range(1000)]
        async def main():
            await ayafileio.read_bytes(paths[0])  # the engine exists, the modules are loaded
            os.getppid()
            a = ayafileio.get_stats()["io_uring_enters"]
            await ayafileio.read_bytes_many(paths)
            b = ayafileio.get_stats()["io_uring_enters"]
            await ayafileio.write_bytes_many([(p, b"y" * 100) for p in paths])
            c = ayafileio.get_stats()["io_uring_enters"]
            os.getppid()
            print(b - a, c - b)
        asyncio.run(main())
    """)
    trace = tmp_path / "trace"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    env.pop("PYTHONASYNCIODEBUG", None)  # debug mode reads source files for its tracebacks
    subprocess.run(["strace", "-f", "-o", str(trace), "-e", "trace=getppid,openat", sys.executable, "-c", script],
                   env=env, check=True, capture_output=True)
    lines = trace.read_text().splitlines()
    marks = [i for i, line in enumerate(lines) if "getppid()" in line]
    assert len(marks) == 2
    opened = [line for line in lines[marks[0]:marks[1]] if re.search(r"\bopenat\(", line)]
    assert [line for line in opened if str(tmp_path) in line] == []  # the data files: none
    out = subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True).stdout
    reads, writes = map(int, out.split())
    assert reads < 300 and writes < 1000, (reads, writes)  # 1,000 files each
    assert all((tmp_path / f"f{i}").read_bytes() == b"y" * 100 for i in range(1000))


def test_positional_batches_chunks_and_wrap_file(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "data"
    data = os.urandom(300_000)
    path.write_bytes(data)

    async def main() -> None:
        async with ayafileio.open(path, "r+b") as f:
            await f.seek(123)
            assert await f.read_at(299_990) == data[299_990:]
            assert await f.read_at(400_000) == b""
            spans = [(0, 10), (5, 100_000), (299_000, 5_000), (1 << 40, 5)]
            assert await f.read_many(spans) == [data[o:o + n] for o, n in spans]
            assert await f.write_many([(0, b"AB"), (10, b"CD")]) == [2, 2]
            assert await f.tell() == 123  # positional calls leave the position alone
            buf = bytearray(65536)
            got = bytearray()
            async for view in f.chunk(buf=buf):
                assert view.obj is buf
                got += view
            assert bytes(got) == data[123:]
            with pytest.raises(ValueError):
                async for _ in f.chunk(0):
                    pass
        expect = b"AB" + data[2:10] + b"CD" + data[12:]
        assert path.read_bytes() == expect
        fd = os.open(path, os.O_RDONLY)
        os.lseek(fd, 7, os.SEEK_SET)
        f = ayafileio.wrap_file(fd)
        assert await f.read(5) == expect[7:12]
        await f.close()
        os.fstat(fd)  # not owned: still open
        os.close(fd)
        with open(path, "rb") as pf:
            pf.read(3)  # read ahead into its buffer; the logical position is 3
            f = ayafileio.wrap_file(pf, owns_fd=False)
            assert await f.read(4) == expect[3:7]
            await f.close()
        fd = os.open(path, os.O_RDONLY)
        f = ayafileio.wrap_file(fd, owns_fd=True)
        await f.close()
        with pytest.raises(OSError):
            os.fstat(fd)

    asyncio.run(main())


def test_capabilities_and_knobs() -> None:
    async def main() -> None:
        caps = ayafileio.get_capabilities()
        info = ayafileio.get_backend_info()
        assert {k: caps[k] for k in info} == info
        assert set(caps["backend_detail"]["opcodes"]) >= {"read", "write", "openat", "close", "statx"}
        assert caps["backend_detail"]["opcodes"]["read"] == ("read" in (info["native_ops"] or []))
        assert caps["features"]["atomic_writes"]
        assert caps["features"]["fast_file_copy"] == ("copy_file_range" in info["native_ops"] + info["worker_ops"])

    asyncio.run(main())
    ayafileio.drain_buffer_pool()
    assert ayafileio.get_stats()["buffers"]["free"] == 0
    ayafileio.set_io_worker_count(3)
    assert ayafileio.get_config()["io_worker_count"] == 3
    with pytest.raises(ValueError):
        ayafileio.set_io_worker_count(-1)
    ayafileio.reset_config()


@pytest.mark.parametrize("size", [0, 1, 5000, 4 << 20, (9 << 20) + 17])
def test_acopy_matches_shutil(tmp_path: pathlib.Path, way: str, size: int) -> None:
    src = tmp_path / "src"
    data = os.urandom(size)
    src.write_bytes(data)
    os.chmod(src, 0o640)
    os.utime(src, ns=(1_000_000_123, 2_000_000_456))

    async def main() -> None:
        if way == "threads":  # the pipelined read/write path
            from ayafileio.os import requests as _sysops

            real = _sysops.engine_for
            _sysops.engine_for = lambda op: None  # type: ignore[assignment]
        try:
            n = await ayafileio.acopy(src, tmp_path / "dst", chunk_size=1 << 20, concurrency=3, copy_stat=True)
        finally:
            if way == "threads":
                _sysops.engine_for = real  # type: ignore[assignment]
        assert n == size
        shutil.copyfile(src, tmp_path / "ref")
        shutil.copystat(src, tmp_path / "ref")
        assert (tmp_path / "dst").read_bytes() == data
        a, b = os.stat(tmp_path / "dst"), os.stat(tmp_path / "ref")
        assert (a.st_mode, a.st_mtime_ns) == (b.st_mode, b.st_mtime_ns)

    asyncio.run(main())


def test_acopy_errors_match_shutil(tmp_path: pathlib.Path) -> None:
    (tmp_path / "f").write_bytes(b"x")
    (tmp_path / "d").mkdir()
    os.link(tmp_path / "f", tmp_path / "hard")
    cases = [("missing", "out"), ("f", "no/out"), ("d", "out"), ("f", "d"), ("f", "f"), ("f", "hard")]
    if hasattr(os, "mkfifo"):  # Windows has no FIFOs in the file system
        os.mkfifo(tmp_path / "fifo")
        cases.append(("fifo", "out"))

    async def main() -> None:
        for s, d in cases:
            src, dst = str(tmp_path / s), str(tmp_path / d)
            assert await aoutcome(ayafileio.acopy(src, dst)) == outcome(lambda: shutil.copyfile(src, dst)), (s, d)
        with pytest.raises(ValueError):
            await ayafileio.acopy(tmp_path / "f", tmp_path / "o", chunk_size=0)

    asyncio.run(main())


def test_acopy_cancelled_stops_within_a_chunk(tmp_path: pathlib.Path) -> None:
    src = tmp_path / "big"
    with open(src, "wb") as f:
        f.truncate(256 << 20)  # sparse: cheap to make, 256 MiB to copy

    async def main() -> None:
        await ayafileio.os.stat(src)  # the engine's own descriptors are there before the count
        base = open_fds()
        task = asyncio.ensure_future(ayafileio.acopy(src, tmp_path / "dst", chunk_size=1 << 20, concurrency=2))
        while not (tmp_path / "dst").exists() and not task.done():  # begun (a loaded machine takes its time)
            await asyncio.sleep(0.001)
        await asyncio.sleep(0.005)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert not (tmp_path / "dst").exists() or os.path.getsize(tmp_path / "dst") < 256 << 20  # not yet opened
        assert open_fds() <= base
        assert await ayafileio.acopy(src, tmp_path / "dst2", chunk_size=64 << 20) == 256 << 20

    asyncio.run(main())


@pytest.mark.parametrize("mode", ["wb", "w", "ab", "r+b"])
def test_auto_flush_hands_each_write_to_the_os(tmp_path: pathlib.Path, mode: str) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"")

    async def main() -> None:
        data: Any = b"abc" if "b" in mode else "abc"
        async with ayafileio.open(path, mode, auto_flush=True) as f:
            await f.write(data)
            assert path.read_bytes() == b"abc"
            await f.writelines([data, data])
            assert path.read_bytes() == b"abc" * 3
        async with ayafileio.open(path, mode) as f:  # the default keeps small writes buffered
            await f.write(data)
            assert path.stat().st_size == (9 if "a" in mode or "+" in mode else 0)

    asyncio.run(main())

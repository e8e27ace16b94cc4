"""ayafileio as a drop-in for aiofiles (issue 19, points 1-6), each point tested the way
client code writes it: aiofiles' keywords on open(); readable()/seekable()/... used both
as io's bool and as aiofiles' coroutine; a class per kind with the names aiofiles users
check with; .raw and .buffer; substituting files in tests (mock, aiofiles' recipe,
pyfakefs); and atomic rewrites that keep the target's permission bits."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import io
import json
import os
import pathlib
import stat
import subprocess
import sys
import textwrap
import threading
import warnings
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from unittest import mock

import pytest

import ayafileio
import ayafileio.testing
import ayafileio.threadpool
from ayafileio.threadpool.binary import AsyncBufferedIOBase, AsyncBufferedReader, AsyncFileIO
from ayafileio.threadpool.text import AsyncTextIOWrapper

Run = Callable[[Coroutine[Any, Any, Any]], Any]
POSIX = sys.platform != "win32"

# (mode, buffering) → the io class open() gives and the aiofiles class wrap() gives it.
KINDS = [
    ("r", -1, io.TextIOWrapper, AsyncTextIOWrapper),
    ("w+", -1, io.TextIOWrapper, AsyncTextIOWrapper),
    ("rb", -1, io.BufferedReader, AsyncBufferedReader),
    ("r+b", -1, io.BufferedRandom, AsyncBufferedReader),
    ("ab+", -1, io.BufferedRandom, AsyncBufferedReader),
    ("wb", -1, io.BufferedWriter, AsyncBufferedIOBase),
    ("ab", -1, io.BufferedWriter, AsyncBufferedIOBase),
    ("rb", 0, io.FileIO, AsyncFileIO),
    ("wb", 0, io.FileIO, AsyncFileIO),
]


@pytest.fixture
def data_file(tmp_path: pathlib.Path) -> pathlib.Path:
    p = tmp_path / "data.txt"
    p.write_bytes(b"line one\nline two\n")
    return p


# --- 1. aiofiles' keywords on open() ------------------------------------------------------

def test_open_takes_loop_and_executor(run: Run, data_file: pathlib.Path) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        with ThreadPoolExecutor(1) as pool:
            async with ayafileio.open(data_file, "r", loop=loop, executor=pool) as f:
                assert await f.read() == "line one\nline two\n"
            f2 = await ayafileio.threadpool.open(data_file, mode="rb", loop=loop, executor=pool)
            assert await f2.read(4) == b"line"
            await f2.close()

    run(main())


def test_executor_runs_the_calls_while_files_go_through_io(run: Run, data_file: pathlib.Path) -> None:
    """The docstring's promise: with ayafileio.testing on, every call runs on executor."""
    seen: list[str] = []
    real_open = open

    def spying_open(*args: Any, **kwargs: Any) -> Any:
        seen.append(threading.current_thread().name)
        return real_open(*args, **kwargs)

    async def main() -> None:
        with ThreadPoolExecutor(1, thread_name_prefix="client-pool") as pool, \
                mock.patch("builtins.open", spying_open), ayafileio.testing.through_io():
            async with ayafileio.open(data_file, "r", executor=pool) as f:
                assert await f.readline() == "line one\n"

    run(main())
    assert seen and seen[0].startswith("client-pool")


# --- 2. readable/writable/seekable/isatty: io's bool and aiofiles' coroutine --------------

ANSWERS = ("readable", "writable", "seekable", "isatty")


@pytest.mark.parametrize("mode,buffering,_io,_aio", KINDS)
def test_answers_work_with_and_without_await(run: Run, data_file: pathlib.Path, mode: str, buffering: int,
                                            _io: Any, _aio: Any) -> None:
    with open(data_file, mode, buffering=buffering) as ref:
        expected = {name: getattr(ref, name)() for name in ANSWERS}

    async def main() -> None:
        async with ayafileio.open(data_file, mode, buffering=buffering) as f:
            for name in ANSWERS:
                if getattr(f, name)():  # io's way
                    assert expected[name], name
                else:
                    assert not expected[name], name
                got = await getattr(f, name)()  # aiofiles' way
                assert got is expected[name], name  # awaited: the plain bool itself
                assert getattr(f, name)() == expected[name]

    run(main())


def test_awaitable_bool_behaves_as_a_bool() -> None:
    from ayafileio import AwaitableBool
    from ayafileio.io.answer import FALSE, TRUE

    assert isinstance(TRUE, AwaitableBool)
    assert TRUE == True and FALSE == False  # noqa: E712 (the comparison is the point)
    assert repr(TRUE) == "True" and str(FALSE) == "False" and f"{TRUE}" == "True" and f"{FALSE:>6}" == f"{False:>6}"
    assert hash(TRUE) == hash(True) and {True: "x"}[TRUE] == "x"
    assert not FALSE and TRUE and TRUE + 0 == 1
    # The documented corner: not the bool singletons.
    assert TRUE is not True and not isinstance(TRUE, bool) and json.dumps(TRUE) == "1"


def test_tempfile_objects_answer_both_ways(run: Run, tmp_path: pathlib.Path) -> None:
    async def main() -> None:
        async with ayafileio.tempfile.TemporaryFile() as t:
            assert t.seekable() and await t.seekable() is True and await t.isatty() is False
        async with ayafileio.tempfile.NamedTemporaryFile(dir=tmp_path) as n:
            assert n.writable() and await n.writable() is True and await n.readable() is True
        async with ayafileio.tempfile.SpooledTemporaryFile(max_size=4) as s:
            assert s.readable() and await s.seekable() is True and await s.isatty() is False
            await s.write(b"more than four")
            assert s._rolled
            assert s.seekable() and await s.writable() is True and await s.isatty() is False

    run(main())


@pytest.mark.parametrize("name,binary", [("stdout", False), ("stderr", False), ("stdout", True), ("stdin", True)])
def test_stdio_streams_have_the_file_surface(run: Run, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
                                             name: str, binary: bool) -> None:
    """aiofiles' stdio wrappers have readable, writable, seekable, tell, seek, close and
    truncate; a stream redirected to a file answers as that file does."""
    stream = open(tmp_path / "stream", "w+")
    monkeypatch.setattr(sys, name, stream)
    aio = getattr(ayafileio, name + ("_bytes" if binary else ""))
    data: Any = b"hello" if binary else "hello"

    async def main() -> None:
        assert aio.readable() and await aio.writable() is True and await aio.seekable() is True
        assert await aio.isatty() is False
        await aio.write(data)
        assert await aio.tell() == 5
        assert await aio.seek(1) == 1
        assert await aio.truncate() == 1
        await aio.seek(0)
        assert await aio.read() == data[:1]
        await aio.close()
        assert aio.closed and stream.closed

    run(main())


# --- 3. a class per kind, and aiofiles' names ---------------------------------------------

# Names io's classes have or lack; ayafileio's kinds must agree, but for these extras
# (read1/readinto1/peek on the raw kind and peek on a writer raise io's AttributeError
# when awaited; readall is there on every binary kind).
SURFACE = ("encoding", "errors", "newlines", "buffer", "line_buffering", "raw", "read1", "readinto", "readinto1",
           "peek", "readall", "detach", "closefd")
EXTRAS = {io.FileIO: {"read1", "readinto1", "peek"}, io.BufferedWriter: {"peek", "readall"},
          io.BufferedReader: {"readall"}, io.BufferedRandom: {"readall"}, io.TextIOWrapper: set()}


@pytest.mark.parametrize("mode,buffering,io_class,aio_class", KINDS)
def test_each_kind_is_its_own_class(run: Run, data_file: pathlib.Path, mode: str, buffering: int, io_class: Any,
                                    aio_class: Any) -> None:
    with open(data_file, mode, buffering=buffering) as ref:
        assert type(ref) is io_class
        expected = {n for n in SURFACE if hasattr(ref, n)} | EXTRAS[io_class]

    async def main() -> None:
        async with ayafileio.open(data_file, mode, buffering=buffering) as f:
            assert type(f) is aio_class
            assert isinstance(f, ayafileio.AsyncFile)
            assert {n for n in SURFACE if hasattr(f, n)} == expected

    run(main())


def test_code_that_tells_text_from_binary(run: Run, tmp_path: pathlib.Path) -> None:
    """Seen in an upload path: the chunks are joined as str or bytes by the file's class."""
    (tmp_path / "t").write_text("abcdef")

    async def read_chunks(f: Any) -> Any:
        chunks = []
        while chunk := await f.read(2):
            chunks.append(chunk)
        return ("" if isinstance(f, AsyncTextIOWrapper) else b"").join(chunks)

    async def main() -> None:
        async with ayafileio.open(tmp_path / "t") as text, ayafileio.open(tmp_path / "t", "rb") as binary:
            assert type(text) is not type(binary)
            assert await read_chunks(text) == "abcdef" and await read_chunks(binary) == b"abcdef"
            assert not hasattr(text, "read1") and hasattr(binary, "read1")
            assert not hasattr(binary, "encoding") and text.encoding
            with pytest.raises(AttributeError):
                await text.read1(1)  # type: ignore[attr-defined]
            with pytest.raises(AttributeError):
                text.raw  # type: ignore[attr-defined]  # noqa: B018
            with pytest.raises(AttributeError):
                binary.buffer  # type: ignore[attr-defined]  # noqa: B018

    run(main())


def test_async_file_constructs_the_kind(run: Run, data_file: pathlib.Path) -> None:
    async def main() -> None:
        async with ayafileio.AsyncFile(data_file, "r") as t, ayafileio.AsyncFile(data_file, "rb", 0) as r:
            assert type(t) is AsyncTextIOWrapper and type(r) is AsyncFileIO
        with pytest.raises(TypeError):
            AsyncTextIOWrapper(data_file, "rb")
        with open(data_file, "rb") as sync_file, pytest.raises(TypeError, match="expected str, bytes or os.PathLike"):
            ayafileio.open(sync_file)  # as open() refuses a file object
        f = ayafileio.AsyncBufferedIOBase(data_file, "rb")  # a base of the kind: the kind
        assert type(f) is AsyncBufferedReader
        await f
        await f.close()

    run(main())


def test_threadpool_names_are_aiofiles_layout() -> None:
    tp = ayafileio.threadpool
    assert tp.AsyncBufferedIOBase is ayafileio.AsyncBufferedIOBase and tp.text.AsyncTextIOWrapper is AsyncTextIOWrapper
    assert tp.binary.AsyncFileIO is ayafileio.AsyncFileIO and tp.open is ayafileio.open
    assert issubclass(AsyncBufferedReader, AsyncBufferedIOBase) and not issubclass(AsyncFileIO, AsyncBufferedIOBase)
    assert tp.sync_open is open
    for stream in (tp.stdin, tp.stdout, tp.stderr):
        assert isinstance(stream, tp.text.AsyncTextIndirectIOWrapper)
    assert isinstance(tp.stdout_bytes, tp.binary.AsyncIndirectBufferedIOBase)


@pytest.mark.parametrize("mode,buffering,io_class,aio_class", KINDS)
def test_wrap_gives_aiofiles_classes(run: Run, data_file: pathlib.Path, mode: str, buffering: int, io_class: Any,
                                     aio_class: Any) -> None:
    async def main() -> None:
        f = ayafileio.threadpool.wrap(open(data_file, mode, buffering=buffering))
        try:
            assert isinstance(f, aio_class) and isinstance(f, ayafileio.AsyncFile)
            if mode.startswith("r"):
                assert len(await f.read(4)) == 4
                if isinstance(f, ayafileio.AsyncBinaryFile):
                    assert await f.readall() == b" one\nline two\n"
            assert await f.seekable() is True
        finally:
            await f.close()
        assert f.closed

    run(main())
    for wrong in (int, [1, 2, 3], lambda x: x, io.FileIO):  # aiofiles' test_wrap
        with pytest.raises(TypeError):
            ayafileio.threadpool.wrap(wrong)


def test_every_method_of_a_kind_is_replaced_on_threads() -> None:
    """A thread-backed file never reaches the engine's code: every public name of each
    kind is the file object's there (or built only on those)."""
    from ayafileio.io.file import THREAD_BACKED
    built_on_others = {"readlines", "writelines", "readall", "chunk", "wrap"}  # via read/readline/write/readinto
    for kind, backed in THREAD_BACKED.items():
        own = set(vars(backed))
        for name in dir(kind):
            if not name.startswith("_") and name not in built_on_others:
                assert name in own, (kind.__name__, name)


def test_binary_methods_are_in_the_types(tmp_path: pathlib.Path) -> None:
    """mypy --strict sees read1 on a binary file and not on a text file."""
    api = pytest.importorskip("mypy.api")
    client = tmp_path / "client.py"
    client.write_text(textwrap.dedent("""\
        import ayafileio

        async def main() -> None:
            async with ayafileio.open("f", "rb") as b:
                chunk: bytes = await b.read1(10)
                raw_name = b.raw.name
                reveal_type(b)
            async with ayafileio.open("f", "wb", buffering=0) as r:
                reveal_type(r)
            async with ayafileio.open("f", "w") as t:
                text: str = await t.read()
                reveal_type(t.buffer)
                if t.seekable() and await t.seekable():
                    pass
                await t.read1(10)
    """))
    out, _, _ = api.run(["--strict", "--no-incremental", "--python-executable", sys.executable, str(client)])
    lines = [ln.split(": ", 1)[1] for ln in out.splitlines() if ln.startswith(str(client))]
    assert lines == [
        'note: Revealed type is "ayafileio.io.file.AsyncBufferedReader"',
        'note: Revealed type is "ayafileio.io.file.AsyncFileIO"',
        'note: Revealed type is "ayafileio.io.file.AsyncBufferedIOBase"',
        'error: "AsyncTextIOWrapper" has no attribute "read1"  [attr-defined]',
    ], out


# --- 4. .raw and .buffer --------------------------------------------------------------------

def test_raw_of_a_binary_file(run: Run, data_file: pathlib.Path) -> None:
    with open(data_file, "rb", buffering=4) as ref:
        ref.read(1)
        expected = (ref.raw.name, ref.raw.mode, ref.raw.closefd, ref.raw.read(3), ref.read(3))

    async def main() -> None:
        async with ayafileio.open(data_file, "rb", buffering=4) as f:
            raw = f.raw
            assert raw is f.raw and isinstance(raw, AsyncFileIO)
            assert raw.fileno() == f.fileno()
            await f.read(1)
            got = (raw.name, raw.mode, raw.closefd, await raw.read(3), await f.read(3))
            assert got == expected  # the raw file reads past what the buffer holds, as io's
        assert raw.closed

    run(main())


def test_buffer_of_a_text_file_shares_order_and_position(run: Run, tmp_path: pathlib.Path) -> None:
    ref_path, path = tmp_path / "ref", tmp_path / "aya"
    with open(ref_path, "w") as ref:
        ref.write("a")
        ref.buffer.write(b"b")
        ref.write("c")

    async def main() -> None:
        async with ayafileio.open(path, "w") as f:
            assert f.buffer is f.buffer and type(f.buffer) is AsyncBufferedIOBase
            await f.write("a")
            await f.buffer.write(b"b")
            await f.write("c")
        assert f.buffer.closed

    run(main())
    assert path.read_bytes() == ref_path.read_bytes()


def test_buffer_write_with_auto_flush(run: Run, tmp_path: pathlib.Path) -> None:
    """Issue 20: the view copied the text file's __dict__, and with auto_flush=True its
    instance attribute `write` was the text write: TypeError for bytes."""
    async def main() -> None:
        async with ayafileio.open(tmp_path / "f", "w", auto_flush=True) as f:
            await f.write("a")
            assert await f.buffer.write(b"b") == 1
            await f.write("c")

    run(main())
    assert (tmp_path / "f").read_bytes() == b"abc"


# --- 5. substituting files in tests ---------------------------------------------------------

@pytest.fixture
def files_through_io() -> Iterator[None]:
    """The fixture docs/dropin.md gives users."""
    with ayafileio.testing.through_io():
        yield


def test_patched_builtins_open_sees_the_calls(run: Run, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
                                              files_through_io: None) -> None:
    """The project whose test wrote a real file.png: with open() mocked, nothing lands."""
    monkeypatch.chdir(tmp_path)
    fake = mock.mock_open(read_data=b"\x89PNG")

    async def save(data: bytes) -> None:
        async with ayafileio.open("file.png", "wb") as f:
            await f.write(data)

    async def main() -> None:
        with mock.patch("builtins.open", fake):
            await save(b"image")
            async with ayafileio.open("file.png", "rb") as f:
                assert await f.read() == b"\x89PNG"
                assert isinstance(f, AsyncBufferedIOBase)
            assert await ayafileio.read_bytes("file.png") == b"\x89PNG"

    run(main())
    fake.assert_any_call("file.png", mode="wb", buffering=-1, encoding=None, errors=None, newline=None, closefd=True,
                         opener=None)
    fake().write.assert_called_once_with(b"image")
    assert not (tmp_path / "file.png").exists()


def test_aiofiles_mocking_recipe(run: Run, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """aiofiles' README recipe with its import renamed, nothing else changed."""
    monkeypatch.chdir(tmp_path)
    aiofiles = ayafileio
    aiofiles.threadpool.wrap.register(mock.MagicMock)(
        lambda *args, **kwargs: aiofiles.threadpool.AsyncBufferedIOBase(*args, **kwargs)
    )

    async def test_stuff() -> None:
        write_data = 'data'
        read_file_chunks = [
            b'file chunks 1',
            b'file chunks 2',
            b'file chunks 3',
            b'',
        ]
        file_chunks_iter = iter(read_file_chunks)

        mock_file_stream = mock.MagicMock(
            read=lambda *args, **kwargs: next(file_chunks_iter)
        )

        with mock.patch('ayafileio.threadpool.sync_open', return_value=mock_file_stream) as mock_open:
            async with aiofiles.open('filename', 'w') as f:
                await f.write(write_data)  # type: ignore[arg-type]
                assert await f.read() == b'file chunks 1'  # type: ignore[comparison-overlap]

            mock_file_stream.write.assert_called_once_with(write_data)
        assert mock_open.call_count == 1

    run(test_stuff())
    assert not (tmp_path / "filename").exists()
    # Unpatched, open() is the engine's again.
    assert ayafileio.testing.sync_open() is None


@pytest.mark.skipif(not POSIX, reason="pyfakefs's POSIX file system")
def test_pyfakefs_sees_every_kind_of_call(run: Run, fs: Any, files_through_io: None) -> None:
    fs.create_file("/srv/config.json", contents='{"a": 1}')

    async def main() -> None:
        async with ayafileio.open("/srv/config.json") as f:
            assert json.loads(await f.read()) == {"a": 1}
        async with ayafileio.open("/srv/log.txt", "a") as f:
            await f.write("started\n")
        assert await ayafileio.read_text("/srv/log.txt") == "started\n"
        await ayafileio.write_bytes("/srv/blob", b"\0\1", atomic=True)
        assert await ayafileio.read_bytes_many(["/srv/blob", "/srv/log.txt"]) == [b"\0\1", b"started\n"]
        await ayafileio.os.makedirs("/srv/a/b")
        await ayafileio.os.rename("/srv/blob", "/srv/a/b/blob")
        assert sorted(await ayafileio.os.listdir("/srv")) == ["a", "config.json", "log.txt"]
        assert await ayafileio.os.path.isfile("/srv/a/b/blob")
        assert [e.name async for e in ayafileio.os.scandir("/srv/a")] == ["b"]
        assert [(top, files) async for top, _, files in ayafileio.os.walk("/srv/a")] == [
            ("/srv/a", []), ("/srv/a/b", ["blob"])]
        assert (await ayafileio.os.stat("/srv/a/b/blob")).st_size == 2
        async with ayafileio.tempfile.NamedTemporaryFile(dir="/srv") as t:
            await t.write(b"tmp")
            assert os.path.exists(t.name)
        async with ayafileio.tempfile.TemporaryDirectory(dir="/srv") as d:
            assert os.path.isdir(d)
        assert await ayafileio.acopy("/srv/config.json", "/srv/copy.json", chunk_size=3) == 8
        assert await ayafileio.read_text("/srv/copy.json") == '{"a": 1}'

    run(main())
    assert fs.get_object("/srv/log.txt").contents == "started\n"
    assert not os.path.exists("/srv/a/b/blob") or os.path.getsize("/srv/a/b/blob") == 2


def test_an_open_never_awaited_leaves_nothing(data_file: pathlib.Path, files_through_io: None) -> None:
    """open() is lazy also on threads: nothing runs, nothing warns (no coroutine made)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ayafileio.open(data_file)
        gc.collect()


def test_engine_outside_the_block(run: Run, data_file: pathlib.Path) -> None:
    async def main() -> None:
        with ayafileio.testing.through_io():
            async with ayafileio.open(data_file) as f:
                assert type(f) is not AsyncTextIOWrapper and isinstance(f, AsyncTextIOWrapper)  # on threads
        assert not ayafileio.testing.active()
        async with ayafileio.open(data_file) as f:
            assert type(f) is AsyncTextIOWrapper  # the engine's

    run(main())


def test_environment_variable_turns_it_on(tmp_path: pathlib.Path) -> None:
    code = textwrap.dedent("""\
        import asyncio, builtins, ayafileio
        from unittest import mock
        assert ayafileio.testing.active()
        async def main():
            with mock.patch("builtins.open", mock.mock_open(read_data="faked")):
                async with ayafileio.open("nowhere.txt") as f:
                    print(await f.read())
        asyncio.run(main())
    """)
    env = dict(os.environ, **{ayafileio.testing.ENV: "1"})
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "faked\n"


# --- 6. atomic rewrites keep the target's permission bits ----------------------------------

@pytest.fixture
def umask_027() -> Iterator[int]:
    old = os.umask(0o027)
    try:
        yield 0o027
    finally:
        os.umask(old)


def _mode(p: pathlib.Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


WRITES: dict[str, Callable[[pathlib.Path], Coroutine[Any, Any, Any]]] = {
    "write_text": lambda p: ayafileio.write_text(p, "new", atomic=True),
    "write_bytes": lambda p: ayafileio.write_bytes(p, b"new", atomic=True),
    "write_text_many": lambda p: ayafileio.write_text_many([(p, "new")], atomic=True),
    "write_bytes_many": lambda p: ayafileio.write_bytes_many([(p, b"new")], atomic=True, durable=True),
}


async def _atomic_write(write: str, target: pathlib.Path, through_io: bool) -> None:
    """WRITES[write] of target, on the engine or through Python's io and os."""
    with ayafileio.testing.through_io() if through_io else contextlib.nullcontext():
        await WRITES[write](target)


@pytest.mark.skipif(not POSIX, reason="POSIX permission bits")
@pytest.mark.parametrize("through_io", [False, True], ids=["engine", "threads"])
@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize("bits", [0o600, 0o640, 0o4755, 0o666])
def test_atomic_rewrite_keeps_permission_bits(run: Run, tmp_path: pathlib.Path, umask_027: int, write: str,
                                              bits: int, through_io: bool) -> None:
    target = tmp_path / "secret"
    target.write_text("old")
    os.chmod(target, bits)

    run(_atomic_write(write, target, through_io))
    assert target.read_bytes() == b"new"
    assert _mode(target) == bits
    assert os.listdir(tmp_path) == ["secret"]


@pytest.mark.skipif(not POSIX, reason="POSIX permission bits")
@pytest.mark.parametrize("through_io", [False, True], ids=["engine", "threads"])
@pytest.mark.parametrize("write", list(WRITES))
def test_atomic_new_target_gets_what_open_gives(run: Run, tmp_path: pathlib.Path, umask_027: int, write: str,
                                                through_io: bool) -> None:
    with open(tmp_path / "by_open", "w"):
        pass
    target = tmp_path / "new"

    run(_atomic_write(write, target, through_io))
    assert _mode(target) == _mode(tmp_path / "by_open") == 0o640


@pytest.mark.skipif(not POSIX or os.geteuid() != 0, reason="giving a file away needs root")
def test_atomic_rewrite_as_root_keeps_the_owner(run: Run, tmp_path: pathlib.Path) -> None:
    target = tmp_path / "owned"
    target.write_text("old")
    os.chown(target, 4321, 4322)
    os.chmod(target, 0o2750)
    run(ayafileio.write_text(target, "new", atomic=True))
    st = target.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (4321, 4322, 0o2750)


@pytest.mark.skipif(not POSIX, reason="POSIX permission bits")
def test_atomic_temporary_is_private_until_the_rename(run: Run, tmp_path: pathlib.Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Over an existing target the temporary is created 0600: a world-readable target's
    new content is never readable under another name by others before it replaces it."""
    from ayafileio import whole as _whole

    target = tmp_path / "public"
    target.write_text("old")
    os.chmod(target, 0o644)
    seen: list[int] = []
    take_over = _whole._take_over

    def spy(temp: bytes, st: os.stat_result) -> None:
        seen.append(stat.S_IMODE(os.stat(temp).st_mode))
        take_over(temp, st)

    monkeypatch.setattr(_whole, "_take_over", spy)
    run(ayafileio.write_bytes(target, b"new", atomic=True))
    assert seen == [0o600] and _mode(target) == 0o644


def test_aiofiles_ospath_name_works_after_renaming_the_import(tmp_path: pathlib.Path) -> None:
    """Client code: `import aiofiles` renamed, then `aiofiles.ospath.exists(...)` and
    `from aiofiles import ospath`: aiofiles' module name for os.path's functions."""
    import ayafileio as aiofiles
    from ayafileio import ospath

    (tmp_path / "f").write_bytes(b"xyz")

    async def main() -> None:
        assert await aiofiles.ospath.exists(tmp_path / "f")
        assert not await aiofiles.ospath.exists(tmp_path / "missing")
        assert await ospath.getsize(tmp_path / "f") == 3
        assert ospath.isdir is aiofiles.os.path.isdir

    asyncio.run(main())

"""Random operation sequences run against ayafileio and the built-in open() on twin
files: every result, exception type and the final file content must agree.

The sequences aim at what breaks buffered layers: a write followed at once by a read,
readline, iteration, tell or seek(tell()), a read followed by a write, truncate in
between, in all sixteen modes; multi-byte characters straddling tiny buffers and text
chunks (io's `_CHUNK_SIZE`, which AsyncFile also has). Examples per mode family come
from the hypothesis profile: `ci` (scripts/test) runs 2,000, `quick` (the default) 100.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ayafileio

ALPHABET = ["a", "b", "z", " ", "\n", "\r", "\r\n", "\x00", "é", "ß", "€", "中", "😀", "𝄞", "\ud800"]
texts = st.lists(st.sampled_from(ALPHABET[:-1]), max_size=24).map("".join)
blobs = st.binary(max_size=48)


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """One loop (and so one engine) for all the examples of a module."""
    lp = asyncio.new_event_loop()
    yield lp
    lp.close()


_names = itertools.count()


def _size(bound: int) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), st.just(-1), st.integers(0, bound))


# --- operations -------------------------------------------------------------------------

binary_reads = st.one_of(
    st.tuples(st.just("read"), _size(80)),
    st.tuples(st.just("read1"), st.integers(-1, 80)),
    st.tuples(st.just("readinto"), st.integers(0, 80)),
    st.tuples(st.just("readinto1"), st.integers(0, 80)),
    st.tuples(st.just("peek"), st.integers(0, 8)),
    st.tuples(st.just("readline"), _size(40)),
    st.tuples(st.just("readlines"), st.sampled_from([-1, 0, 1, 10])),
    st.tuples(st.just("next")),
)
binary_moves = st.one_of(
    st.tuples(st.just("tell")),
    st.tuples(st.just("seek_saved")),
    st.tuples(st.just("seek"), st.integers(-3, 120), st.sampled_from([0, 1, 2])),
    st.tuples(st.just("flush")),
    st.tuples(st.just("truncate"), st.one_of(st.none(), st.integers(0, 100))),
)
binary_writes = st.tuples(st.just("write"), blobs)

text_reads = st.one_of(
    st.tuples(st.just("read"), _size(40)),
    st.tuples(st.just("readline"), st.one_of(st.just(-1), st.integers(0, 30))),
    st.tuples(st.just("readlines"), st.sampled_from([-1, 0, 1, 10])),
    st.tuples(st.just("next")),
)
text_moves = st.one_of(
    st.tuples(st.just("tell")),
    st.tuples(st.just("seek_saved")),
    st.tuples(st.just("seek"), st.just(0), st.sampled_from([0, 1, 2])),
    st.tuples(st.just("flush")),
    st.tuples(st.just("truncate"), st.sampled_from([None, "saved"])),
)
text_writes = st.tuples(st.just("write"), texts)


def sequences(reads: Any, moves: Any, writes: Any) -> Any:
    """Lists of operations where most steps are transitions: a write followed by a read
    or a move, a read followed by a write, or a move between the two."""
    transition = st.one_of(
        st.tuples(writes, reads),
        st.tuples(reads, writes),
        st.tuples(writes, moves, reads),
        st.tuples(reads, moves, writes),
        st.tuples(writes, st.just(("tell",)), st.just(("seek_saved",)), reads),
    )
    step = st.one_of(transition, st.tuples(st.one_of(reads, moves, writes)))
    return st.lists(step, max_size=8).map(lambda steps: [op for s in steps for op in s])


# --- running one operation on each side ---------------------------------------------------


def _outcome(fn: Any) -> Any:
    try:
        return ("ok", fn())
    except StopIteration:
        return ("stop",)
    except Exception as e:  # the type is what must agree
        return ("err", type(e).__name__)


async def _aoutcome(coro: Any) -> Any:
    try:
        return ("ok", await coro)
    except StopAsyncIteration:
        return ("stop",)
    except Exception as e:
        return ("err", type(e).__name__)


def io_op(f: Any, op: tuple[Any, ...], saved: list[int]) -> Any:
    name = op[0]
    if name in ("readinto", "readinto1"):
        buf = bytearray(op[1])
        return _outcome(lambda: (getattr(f, name)(buf), bytes(buf)))
    if name == "next":
        return _outcome(lambda: next(f))
    if name == "tell":
        r = _outcome(f.tell)
        if r[0] == "ok":
            saved.append(r[1])
        return r
    if name == "seek_saved":
        return _outcome(lambda: f.seek(saved[-1] if saved else 0))
    if name == "truncate" and op[1] == "saved":
        return _outcome(lambda: f.truncate(saved[-1] if saved else None))
    return _outcome(lambda: getattr(f, name)(*op[1:]))


async def aya_op(f: Any, op: tuple[Any, ...], saved: list[int]) -> Any:
    name = op[0]
    if name in ("readinto", "readinto1"):
        buf = bytearray(op[1])

        async def into() -> Any:
            return (await getattr(f, name)(buf), bytes(buf))

        return await _aoutcome(into())
    if name == "next":
        return await _aoutcome(f.__anext__())
    if name == "tell":
        r = await _aoutcome(f.tell())
        if r[0] == "ok":
            saved.append(r[1])
        return r
    if name == "seek_saved":
        return await _aoutcome(f.seek(saved[-1] if saved else 0))
    if name == "truncate" and op[1] == "saved":
        return await _aoutcome(f.truncate(saved[-1] if saved else None))
    return await _aoutcome(getattr(f, name)(*op[1:]))


def compare(loop: asyncio.AbstractEventLoop, tmp: Any, mode: str, initial: bytes | None,
            ops: list[tuple[Any, ...]], chunk: int | None = None, **kwargs: Any) -> None:
    """Runs ops on twin files, one through io and one through ayafileio, and asserts
    that every outcome and the resulting files agree."""
    k = next(_names)
    ref, mine = os.path.join(tmp, f"ref{k}"), os.path.join(tmp, f"mine{k}")
    for p in (ref, mine):
        if initial is not None:
            with open(p, "wb") as w:
                w.write(initial)
    io_kwargs = dict(kwargs)
    if io_kwargs.get("buffering", -1) < 0 and "b" in mode:
        # ayafileio's default buffer is its buffer_size option, not st_blksize: give io
        # the same, so read1() and peek() have the same buffer to answer from.
        io_kwargs["buffering"] = ayafileio.get_config()["buffer_size"]
    expected: list[Any] = []
    try:
        f = open(ref, mode, **io_kwargs)
    except Exception as e:
        expected.append(("open", type(e).__name__))
    else:
        with f:
            if chunk is not None:
                f._CHUNK_SIZE = chunk
            expected.append(("open", "ok"))
            saved: list[int] = []
            expected += [(op, io_op(f, op, saved)) for op in ops]
            expected.append(("newlines", getattr(f, "newlines", None)))

    async def run() -> list[Any]:
        got: list[Any] = []
        try:
            af = await ayafileio.open(mine, mode, **kwargs)
        except Exception as e:
            return [("open", type(e).__name__)]
        async with af:
            if chunk is not None:
                af._CHUNK_SIZE = chunk
            got.append(("open", "ok"))
            saved: list[int] = []
            for op in ops:
                got.append((op, await aya_op(af, op, saved)))
            got.append(("newlines", getattr(af, "newlines", None)))  # as for io: binary files have none
        return got

    got = loop.run_until_complete(run())
    assert got == expected
    assert os.path.exists(mine) == os.path.exists(ref)
    if os.path.exists(ref):
        with open(ref, "rb") as a, open(mine, "rb") as b:
            assert b.read() == a.read()
        os.unlink(ref)
        os.unlink(mine)


# --- the generated suites -----------------------------------------------------------------


@pytest.mark.parametrize("direction", ["r", "w", "a", "x"])
@given(plus=st.booleans(), initial=st.one_of(st.none(), st.binary(max_size=120)),
       ops=sequences(binary_reads, binary_moves, binary_writes),
       buffering=st.sampled_from([0, 2, 3, 5, 8, 16, 64, -1]))
def test_binary_modes_match_io(loop: asyncio.AbstractEventLoop, tmp_path_factory: Any, direction: str, plus: bool,
                               initial: bytes | None, ops: list[Any], buffering: int) -> None:
    mode = direction + "b" + ("+" if plus else "")
    compare(loop, tmp_path_factory.getbasetemp(), mode, initial, ops, buffering=buffering)


ENCODINGS = ["utf-8", "utf-16", "utf-16-be", "utf-32", "latin-1", "utf-8-sig", "cp1252"]


@st.composite
def text_initial(draw: Any, encoding: str) -> bytes | None:
    kind = draw(st.sampled_from(["none", "text", "text", "text", "bytes"]))
    if kind == "none":
        return None
    if kind == "bytes":  # not necessarily decodable
        return bytes(draw(st.binary(max_size=60)))
    text = "".join(draw(st.lists(st.sampled_from(ALPHABET), max_size=60)))
    return text.encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace")


@pytest.mark.parametrize("direction", ["r", "w", "a", "x"])
@given(data=st.data(), plus=st.booleans(), ops=sequences(text_reads, text_moves, text_writes),
       encoding=st.sampled_from(ENCODINGS), errors=st.sampled_from(["strict", "strict", "replace", "surrogateescape"]),
       newline=st.sampled_from([None, "", "\n", "\r", "\r\n"]),
       buffering=st.sampled_from([-1, 1, 2, 5, 16, 128]), chunk=st.sampled_from([1, 2, 3, 5, 8, 13, 8192]))
def test_text_modes_match_io(loop: asyncio.AbstractEventLoop, tmp_path_factory: Any, data: Any, direction: str,
                             plus: bool, ops: list[Any], encoding: str, errors: str, newline: str | None,
                             buffering: int, chunk: int) -> None:
    initial = data.draw(text_initial(encoding))
    mode = direction + ("+" if plus else "")
    compare(loop, tmp_path_factory.getbasetemp(), mode, initial, ops, chunk=chunk, buffering=buffering,
            encoding=encoding, errors=errors, newline=newline)


@given(data=st.binary(min_size=0, max_size=20000), size=st.integers(1, 5000))
def test_text_split_multibyte_across_reads(loop: asyncio.AbstractEventLoop, tmp_path_factory: Any, data: bytes,
                                           size: int) -> None:
    text = data.decode("utf-8", "replace") * 2 + "€😀é" * 3000
    compare(loop, tmp_path_factory.getbasetemp(), "r", text.encode("utf-8"),
            [("read", size)] * 4 + [("tell",), ("seek_saved",), ("read", None)], encoding="utf-8")


# --- regression tests: one per bug the suite (or a user) found ------------------------------


def test_errors_handler_and_unicode_error(loop: asyncio.AbstractEventLoop, tmp_path: Any) -> None:
    bad = b"ab\xff\xfecd\n"
    for errors in ("replace", "surrogateescape", "strict"):  # strict: UnicodeDecodeError both sides
        compare(loop, tmp_path, "r", bad, [("read", None)], encoding="utf-8", errors=errors)


def test_text_write_then_read_sees_the_write(loop: asyncio.AbstractEventLoop, tmp_path: Any) -> None:
    """Issue 10's first example: on r+ the pending text reaches the file at the position
    before read() reads (the built-in: " world\\n", file "HELLO world\\n")."""
    compare(loop, tmp_path, "r+", b"hello world\n", [("write", "HELLO"), ("read", None)], encoding="utf-8")

    async def check() -> None:
        p = os.path.join(tmp_path, "example")
        with open(p, "w", encoding="utf-8") as w:
            w.write("hello world\n")
        async with ayafileio.open(p, "r+", encoding="utf-8") as f:
            await f.write("HELLO")
            assert await f.read() == " world\n"
        with open(p, encoding="utf-8") as r:
            assert r.read() == "HELLO world\n"

    loop.run_until_complete(check())


@pytest.mark.parametrize("mode", ["r+", "w+", "a+"])
@pytest.mark.parametrize("newline", [None, "", "\n", "\r", "\r\n"])
@pytest.mark.parametrize("read", [("read", None), ("read", 3), ("readline", -1), ("readlines", -1), ("next",)])
def test_text_write_then_each_read(loop: asyncio.AbstractEventLoop, tmp_path: Any, mode: str, newline: str | None,
                                   read: tuple[Any, ...]) -> None:
    """Issue 10's class: a write followed by every kind of read, without a seek, in
    every read-write text mode and newline mode."""
    ops = [("write", "HELLO\r\n€"), read, ("write", "x"), ("tell",), ("seek_saved",), read, ("seek", 0, 0), read]
    compare(loop, tmp_path, mode, "hello\nworld\r\n".encode(), ops, encoding="utf-8", newline=newline)


def test_text_write_splitting_a_character_then_read(loop: asyncio.AbstractEventLoop, tmp_path: Any) -> None:
    """Issue 10: where io raises UnicodeDecodeError (the write split a multi-byte
    character and the read starts inside it), so must ayafileio."""
    initial = "€€€€".encode()
    for seek_to in range(1, 4):
        compare(loop, tmp_path, "r+b", initial, [("seek", seek_to, 0), ("write", b"A")])
    compare(loop, tmp_path, "r+", "€€€€\n".encode(), [("read", 1), ("seek", 0, 0), ("write", "a"), ("read", None)],
            encoding="utf-8")
    compare(loop, tmp_path, "r+", "é€😀".encode(), [("write", "a"), ("read", None)], encoding="utf-8")


def test_append_update_binary_read_after_write(loop: asyncio.AbstractEventLoop, tmp_path: Any) -> None:
    """Issue 10's ab+ example: io reads on from its logical position 9 after the
    appended bytes went to the end (b"e2\\n"), and so does ayafileio."""
    ops = [("seek", 0, 0), ("readline", -1), ("write", b"XYZ"), ("tell",), ("readline", -1)]
    compare(loop, tmp_path, "ab+", b"line1\nline2\nline3\n", ops)

    async def check() -> None:
        p = os.path.join(tmp_path, "ab")
        with open(p, "wb") as w:
            w.write(b"line1\nline2\nline3\n")
        async with ayafileio.open(p, "ab+") as f:
            await f.seek(0)
            assert await f.readline() == b"line1\n"
            await f.write(b"XYZ")
            assert await f.tell() == 9
            assert await f.readline() == b"e2\n"
        with open(p, "rb") as r:
            assert r.read() == b"line1\nline2\nline3\nXYZ"

    loop.run_until_complete(check())


def test_iteration_turns_tell_off_like_next(loop: asyncio.AbstractEventLoop, tmp_path: Any) -> None:
    """`async for`/__anext__ disables text tell() exactly where next() does: until the
    end of the file, a seek or a flush."""
    content = "a\nb\nc\n".encode()
    for ops in ([("next",), ("tell",)], [("next",), ("flush",), ("tell",)], [("next",), ("seek", 0, 0), ("tell",)],
                [("next",), ("next",), ("next",), ("next",), ("tell",)], [("readlines", 1), ("tell",)],
                [("readlines", -1), ("tell",)], [("next",), ("write", "x"), ("tell",)]):
        compare(loop, tmp_path, "r+", content, ops, encoding="utf-8")

    async def check() -> None:
        p = os.path.join(tmp_path, "it")
        with open(p, "wb") as w:
            w.write(content)
        async with ayafileio.open(p, "r", encoding="utf-8") as f:
            async for _ in f:
                with pytest.raises(OSError):
                    await f.tell()
            assert await f.tell() == len(content)

    loop.run_until_complete(check())


def test_default_buffering_matches_io_with_the_same_buffer(loop: asyncio.AbstractEventLoop, tmp_path: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compare(loop, tmp_path, "rb", bytes(range(256)) * 600, [("read1", -1), ("peek", 1), ("read", 5)])


def test_readline_zero_on_a_write_only_file(loop: asyncio.AbstractEventLoop, tmp_path: Any) -> None:
    """Found by the suite: io's readline(0) on a write-only file answers b"" before it
    asks to read (IOBase.readline); other limits raise UnsupportedOperation."""
    for buffering in (0, 16, -1):
        compare(loop, tmp_path, "wb", None, [("readline", 0), ("readline", -1), ("write", b"x")], buffering=buffering)


def test_readlines_hint_stops_past_the_hint(loop: asyncio.AbstractEventLoop, tmp_path: Any) -> None:
    """Found by the suite: readlines(hint) stops once the lines read exceed the hint
    (a line that just reaches it is followed by one more), so tell() is back on where
    the file ended."""
    compare(loop, tmp_path, "a+", b"aaaaaaaa\r\n", [("write", "a"), ("seek", 0, 0), ("readlines", 10), ("tell",)],
            encoding="utf-8", newline="")
    compare(loop, tmp_path, "r", b"a", [("readlines", 1), ("tell",)], encoding="utf-8")
    compare(loop, tmp_path, "rb", b"ab\ncd\nef\n", [("readlines", 3), ("readlines", 2), ("tell",)])


def test_tell_after_iteration_and_flush(loop: asyncio.AbstractEventLoop, tmp_path: Any) -> None:
    """Found by the suite: after next() (no snapshot kept) and flush() (tell() back on)
    io's C tell() works from the stale snapshot and reads one byte past it; ayafileio
    gives the same cookie."""
    ops = [("tell",), ("seek_saved",), ("next",), ("flush",), ("tell",), ("next",)]
    compare(loop, tmp_path, "r", b"\n", ops, chunk=1, encoding="utf-8")
    compare(loop, tmp_path, "r", b"\n", ops[2:], chunk=1, encoding="utf-8")


def test_closed_writer_read_refuses_before_closed(loop: asyncio.AbstractEventLoop, tmp_path: Any) -> None:
    """Found while porting: io's BufferedWriter.read() raises UnsupportedOperation also
    when the file is closed (ayafileio raised ValueError)."""

    async def check() -> None:
        p = os.path.join(tmp_path, "w")
        ref = open(p, "wb")
        ref.close()
        f = await ayafileio.open(p, "wb")
        await f.close()
        for name, args in (("read", ()), ("read1", ()), ("readinto", (bytearray(2),)), ("readline", ()),
                           ("write", (b"x",)), ("flush", ()), ("seek", (0,)), ("truncate", ()), ("readline", (0,))):
            assert _outcome(lambda: getattr(ref, name)(*args)) == await _aoutcome(getattr(f, name)(*args)), name

    loop.run_until_complete(check())


def test_3_13_changes_found_by_the_ci_profile(loop: asyncio.AbstractEventLoop, tmp_path: Any) -> None:
    """Issue 17, found by 2,000 generated sequences on 3.13: a write of a whole buffer's
    size goes to the raw file there (the tell() after it, in append mode, is the end of
    the file); a text write keeps the characters decoded ahead while next() has tell()
    off. Each interpreter's io decides which answer is right."""
    compare(loop, tmp_path, "ab", None, [("write", b"\0"), ("write", b"0123456789a"), ("seek", 0, 0),
                                        ("write", b"xyz"), ("tell",)], buffering=3)
    compare(loop, tmp_path, "r+b", b"abcdefgh", [("write", b"12345678"), ("tell",), ("read", 2)], buffering=8)
    compare(loop, tmp_path, "r+", b"\ra", [("write", ""), ("next",), ("write", ""), ("next",)], chunk=1,
            encoding="utf-8", newline=None)
    compare(loop, tmp_path, "r+", b"a\nbc", [("next",), ("write", ""), ("next",), ("tell",)], encoding="utf-8")


@pytest.mark.parametrize("mode", ["rb", "r+b", "wb", "ab", "a+b", "r", "w", "r+"])
@pytest.mark.parametrize("buffering", [-1, 0])
def test_size_arguments_parsed_as_io_parses_them(loop: asyncio.AbstractEventLoop, tmp_path: Any, mode: str,
                                                 buffering: int) -> None:
    """Issue 17: which of a size argument's type, the file's direction and the method's
    existence each version's io checks first (a write-only buffered file's read(None) is
    a TypeError since 3.12; read1 and peek take only integers)."""
    if buffering == 0 and "b" not in mode:
        pytest.skip("text files are buffered")
    names = ("read", "read1", "peek", "readline", "readlines") if "b" in mode else ("read", "readline", "readlines")
    ops = [(name, arg) for name in names for arg in (None, "x", 1.5, -2, True)]
    compare(loop, tmp_path, mode, b"ab\ncd\n", ops, buffering=buffering)


@pytest.mark.parametrize("text", [False, True])
def test_cancelled_operations_against_io(loop: asyncio.AbstractEventLoop, tmp_path: Any, monkeypatch: Any,
                                         text: bool) -> None:
    """Reads, readlines and writes on r+ files, cancelled at random points, against an
    io twin where a cancelled read did not happen and a cancelled write did: that is
    ayafileio's promise (a cancelled read takes nothing, a cancelled write lands whole).
    Every completed result, the positions and the final files must agree."""
    from ayafileio.engine import platform as _platform

    monkeypatch.setattr(_platform, "READ_FAST_PATH", False)  # every read through the ring
    rng = __import__("random").Random(7 + text)
    chars = "ab\né€😀"
    for k in range(60):
        ref_p, mine_p = os.path.join(tmp_path, f"cref{k}"), os.path.join(tmp_path, f"cmine{k}")
        initial = "".join(rng.choice(chars) for _ in range(rng.randrange(30_000)))
        for p in (ref_p, mine_p):
            with open(p, "w", encoding="utf-8", newline="") as w:
                w.write(initial)
        kwargs: dict[str, Any] = {"encoding": "utf-8", "newline": ""} if text else {}
        mode = "r+" if text else "r+b"
        buffering = rng.choice([16, 4096, 65536])

        async def run() -> None:
            with open(ref_p, mode, buffering=buffering, **kwargs) as ref:
                async with ayafileio.open(mine_p, mode, buffering=buffering, **kwargs) as f:
                    for _ in range(40):
                        kind = rng.choice(["read", "readline", "write", "seek"])
                        if kind == "seek" and not text:
                            off = rng.randrange(len(initial) + 10)
                            assert await f.seek(off) == ref.seek(off)
                            continue
                        if kind == "seek":
                            assert await f.seek(0) == ref.seek(0)
                            continue
                        if kind == "write" and text:
                            # Where a text write lands after reads depends on the read-ahead
                            # (io's quirk), which a cancelled read leaves different: write
                            # at the end.
                            assert await f.seek(0, 2) == ref.seek(0, 2)
                        if kind == "write":
                            data: Any = "".join(rng.choice(chars) for _ in range(rng.randrange(1, 9000)))
                            call, apply = f.write(data if text else data.encode()), "write"
                            args: tuple[Any, ...] = (data if text else data.encode(),)
                        else:
                            args = (rng.randrange(1, 20_000),) if kind == "read" else ()
                            call, apply = getattr(f, kind)(*args), kind
                        task = asyncio.ensure_future(call)
                        for _ in range(rng.randrange(1, 4)):  # a task cancelled before it ran did nothing
                            await asyncio.sleep(0)
                        if rng.random() < 0.5:
                            task.cancel()
                        try:
                            got = await task
                        except asyncio.CancelledError:
                            if kind == "write":
                                getattr(ref, apply)(*args)  # landed whole
                            if not text:
                                assert await f.tell() == ref.tell()
                            continue
                        assert got == getattr(ref, apply)(*args)

        loop.run_until_complete(run())
        with open(ref_p, "rb") as a, open(mine_p, "rb") as b:
            assert b.read() == a.read()


@pytest.mark.parametrize("where", ["disk", "memory"])
@given(data=st.data(), buffering=st.sampled_from([0, 4096, 65536, -1]), mode=st.sampled_from(["rb", "r+b", "a+b"]))
def test_large_reads_match_io(loop: asyncio.AbstractEventLoop, tmp_path_factory: Any, where: str, data: Any,
                              buffering: int, mode: str) -> None:
    """Reads large enough to go straight into a fresh bytes object (and, on a RAM-backed
    file system, through os.pread), mixed with seeks, small reads and writes."""
    if where == "memory" and not os.path.isdir("/dev/shm"):
        pytest.skip("no RAM-backed file system here")
    size = data.draw(st.integers(0, 400_000))
    initial = (bytes(range(256)) * (size // 256 + 1))[:size]
    big = st.integers(16_384, 300_000)
    ops = data.draw(st.lists(st.one_of(
        st.tuples(st.just("read"), big),
        st.tuples(st.just("read"), st.integers(0, 100)),
        st.tuples(st.just("readinto"), big),
        st.tuples(st.just("seek"), st.integers(0, 400_000), st.just(0)),
        st.tuples(st.just("tell")),
        st.tuples(st.just("write"), st.binary(min_size=1, max_size=40)),
        st.tuples(st.just("read"), st.just(-1)),
    ), max_size=10))
    base = tempfile.mkdtemp(dir="/dev/shm") if where == "memory" else tmp_path_factory.getbasetemp()
    try:
        compare(loop, base, mode, initial, ops, buffering=buffering)
    finally:
        if where == "memory":
            shutil.rmtree(base, ignore_errors=True)

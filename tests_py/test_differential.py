"""Random operation sequences run against ayafileio and the built-in open() on twin
files: every result, position, exception type and final file content must agree."""

from __future__ import annotations

import asyncio
import os
import tempfile
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ayafileio

TEXT_ALPHABET = st.sampled_from(["a", "b", "\n", "\r", "\r\n", "é", "€", "😀", " ", "z"])
texts = st.lists(TEXT_ALPHABET, max_size=30).map("".join)
blobs = st.binary(max_size=200)
sizes = st.one_of(st.none(), st.integers(-1, 300))

binary_ops = st.one_of(
    st.tuples(st.just("read"), sizes),
    st.tuples(st.just("read1"), st.integers(-1, 300)),
    st.tuples(st.just("readline"), sizes),
    st.tuples(st.just("readlines"), st.none()),
    st.tuples(st.just("write"), blobs),
    st.tuples(st.just("seek"), st.integers(-10, 400), st.sampled_from([0, 1, 2])),
    st.tuples(st.just("tell")),
    st.tuples(st.just("flush")),
    st.tuples(st.just("truncate"), st.one_of(st.none(), st.integers(0, 300))),
    st.tuples(st.just("readinto"), st.integers(0, 300)),
)
text_ops = st.one_of(
    st.tuples(st.just("read"), sizes),
    st.tuples(st.just("readline"), sizes),
    st.tuples(st.just("readlines"), st.none()),
    st.tuples(st.just("write"), texts),
    st.tuples(st.just("seek_tell")),
    st.tuples(st.just("seek"), st.sampled_from([0]), st.sampled_from([0, 2])),
    st.tuples(st.just("tell")),
    st.tuples(st.just("flush")),
)


def outcome(fn: Any) -> Any:
    try:
        return ("ok", fn())
    except Exception as e:  # the type is what must agree
        return ("err", type(e))


async def aoutcome(coro: Any) -> Any:
    try:
        return ("ok", await coro)
    except Exception as e:
        return ("err", type(e))


def sync_op(f: Any, op: tuple[Any, ...], saved: list[int]) -> Any:
    name = op[0]
    if name == "readinto":
        buf = bytearray(op[1])
        return outcome(lambda: (f.readinto(buf), bytes(buf)))
    if name == "seek_tell":
        return outcome(lambda: f.seek(saved[-1]) if saved else f.seek(0))
    if name == "tell":
        r = outcome(f.tell)
        if r[0] == "ok":
            saved.append(r[1])
        return r
    if name == "readlines":
        return outcome(f.readlines)
    return outcome(lambda: getattr(f, name)(*op[1:]))


async def async_op(f: Any, op: tuple[Any, ...], saved: list[int]) -> Any:
    name = op[0]
    if name == "readinto":
        buf = bytearray(op[1])

        async def into() -> Any:
            return (await f.readinto(buf), bytes(buf))

        return await aoutcome(into())
    if name == "seek_tell":
        return await aoutcome(f.seek(saved[-1]) if saved else f.seek(0))
    if name == "tell":
        r = await aoutcome(f.tell())
        if r[0] == "ok":
            saved.append(r[1])
        return r
    if name == "readlines":
        return await aoutcome(f.readlines())
    return await aoutcome(getattr(f, name)(*op[1:]))


def compare(mode: str, initial: bytes, ops: list[tuple[Any, ...]], kwargs: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as d:
        ref, mine = os.path.join(d, "ref"), os.path.join(d, "mine")
        for p in (ref, mine):
            if initial is not None:
                with open(p, "wb") as w:
                    w.write(initial)
        ref_saved: list[int] = []
        mine_saved: list[int] = []
        expected = [("open", outcome(lambda: None))]
        try:
            f = open(ref, mode, **kwargs)
        except Exception as e:
            expected = [("open", ("err", type(e)))]
            f = None
        if f is not None:
            with f:
                for op in ops:
                    expected.append((op, sync_op(f, op, ref_saved)))

        async def go() -> list[Any]:
            got = [("open", ("ok", None))]
            try:
                af = await ayafileio.open(mine, mode, **kwargs)
            except Exception as e:
                return [("open", ("err", type(e)))]
            async with af:
                for op in ops:
                    got.append((op, await async_op(af, op, mine_saved)))
            return got

        got = asyncio.run(go())
        assert got == expected
        assert os.path.exists(mine) == os.path.exists(ref)
        if os.path.exists(ref):
            with open(ref, "rb") as a, open(mine, "rb") as b:
                assert b.read() == a.read()


SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(mode=st.sampled_from(["rb", "r+b", "wb", "w+b", "ab", "a+b", "xb"]),
       initial=st.one_of(st.none(), st.binary(max_size=300)),
       ops=st.lists(binary_ops, max_size=12),
       buffering=st.sampled_from([-1, 16, 4096]))
def test_binary_modes_match_io(mode: str, initial: bytes, ops: list[Any], buffering: int) -> None:
    compare(mode, initial, ops, {"buffering": buffering})


@SETTINGS
@given(mode=st.sampled_from(["r", "r+", "w", "w+", "a", "a+", "x"]),
       initial=st.one_of(st.none(), texts.map(lambda s: s.encode("utf-8"))),
       ops=st.lists(text_ops, max_size=12),
       newline=st.sampled_from([None, "", "\n", "\r", "\r\n"]),
       encoding=st.sampled_from(["utf-8", "utf-16", "latin-1"]))
def test_text_modes_match_io(mode: str, initial: bytes, ops: list[Any], newline: str | None, encoding: str) -> None:
    if encoding == "latin-1" and initial is not None:
        initial = initial.decode("utf-8").encode("latin-1", "replace")
    if encoding == "latin-1":
        ops = [(op[0], op[1].encode("latin-1", "replace").decode("latin-1")) if op[0] == "write" else op for op in ops]
    compare(mode, initial, ops, {"newline": newline, "encoding": encoding})


@SETTINGS
@given(data=st.binary(min_size=0, max_size=20000), chunk=st.integers(1, 5000))
def test_text_split_multibyte_across_reads(data: bytes, chunk: int) -> None:
    text = data.decode("utf-8", "replace") * 2 + "€😀é" * 3000
    compare("r", text.encode("utf-8"), [("read", chunk)] * 4 + [("tell",), ("seek_tell",), ("read", None)],
            {"encoding": "utf-8"})


def test_errors_handler_and_unicode_error() -> None:
    bad = b"ab\xff\xfecd\n"
    compare("r", bad, [("read", None)], {"encoding": "utf-8", "errors": "replace"})
    compare("r", bad, [("read", None)], {"encoding": "utf-8", "errors": "surrogateescape"})
    compare("r", bad, [("read", None)], {"encoding": "utf-8"})  # UnicodeDecodeError both sides

"""ayafileio.os, os.path, tempfile and stdio against os, os.path, shutil and tempfile.

Three kinds of differential test: reads of one tree (results equal field for field,
nanosecond times included), generated sequences of changes applied to twin trees (the
same result or exception, and the same tree afterwards), and rmtree/walk/scandir on
trees with links, dangling links and non-empty directories. Then cancellation (no
descriptor or temporary file left behind, the engine still works), and a listing of
30,000 entries that never holds the loop for long.
"""

from __future__ import annotations

import asyncio
import errno
import io
import os
import pathlib
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from conftest import loop_gaps, open_fds, shared_loop
from hypothesis import given
from hypothesis import strategies as st

import ayafileio
import ayafileio.os as aos


# The fields the platform's stat_result has (Windows has no st_blksize, st_blocks or st_rdev,
# and has st_file_attributes and st_reparse_tag).
STAT_FIELDS = tuple(f for f in ("st_mode", "st_ino", "st_dev", "st_nlink", "st_uid", "st_gid", "st_size", "st_atime",
                                "st_mtime", "st_ctime", "st_atime_ns", "st_mtime_ns", "st_ctime_ns", "st_blksize",
                                "st_blocks", "st_rdev", "st_file_attributes", "st_reparse_tag")
                    if hasattr(os.stat_result, f))


def make_tree(root: pathlib.Path) -> None:
    """Files, a nested non-empty directory, an empty one, links to each, a dangling link,
    a link loop and a hard link. Where Windows refuses symbolic links (creating one needs
    a privilege or developer mode there) the tree has none: the names are missing on both
    sides of every comparison."""
    (root / "d" / "e").mkdir(parents=True)
    (root / "empty").mkdir()
    (root / "a").write_bytes(b"alpha")
    (root / "b").write_bytes(b"")
    (root / "d" / "x").write_bytes(b"x" * 5000)
    (root / "d" / "e" / "f").write_bytes(b"f")
    try:
        (root / "link").symlink_to("a")
    except OSError:
        if sys.platform != "win32":
            raise
    else:
        # Windows has two kinds of link: one to a directory says so (elsewhere the flag is ignored).
        (root / "dlink").symlink_to("d", target_is_directory=True)
        (root / "dangling").symlink_to("nowhere")
        (root / "loop").symlink_to("loop")
    os.link(root / "a", root / "hard")


def outcome(fn: Callable[[], Any], roots: tuple[str, ...] = ()) -> Any:
    try:
        return ("ok", fn())
    except Exception as e:
        return err(e, roots)


def err(e: BaseException, roots: tuple[str, ...] = ()) -> tuple[Any, ...]:
    def norm(v: Any) -> Any:
        for r in roots:
            if isinstance(v, str) and v.startswith(r):
                return "<root>" + v[len(r):]
            if isinstance(v, bytes) and v.startswith(os.fsencode(r)):
                return b"<root>" + v[len(r):]
        return v
    return ("err", type(e).__name__, getattr(e, "errno", None), norm(getattr(e, "filename", None)),
            norm(getattr(e, "filename2", None)), str(e) if not isinstance(e, OSError) else None)


async def aoutcome(coro: Coroutine[Any, Any, Any], roots: tuple[str, ...] = ()) -> Any:
    try:
        return ("ok", await coro)
    except Exception as e:
        return err(e, roots)


def stat_tuple(s: os.stat_result) -> tuple[Any, ...]:
    return tuple(getattr(s, f) for f in STAT_FIELDS)


def path_forms(root: pathlib.Path, name: str) -> list[Any]:
    p = str(root / name)
    return [p, os.fsencode(p), pathlib.Path(p)]


NAMES = ["a", "b", "d", "d/x", "d/e", "d/e/f", "empty", "link", "dlink", "dangling", "loop", "hard", "missing",
         "missing/x", "a/x", "dlink/x", "", "."]


def test_stat_and_predicates_equal_os_field_for_field(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path)

    async def main() -> None:
        for name in NAMES:
            for p in path_forms(tmp_path, name) if name else ["", b""]:
                for follow in (True, False):
                    want = outcome(lambda: stat_tuple(os.stat(p, follow_symlinks=follow)))
                    got = await aoutcome(aos.stat(p, follow_symlinks=follow))
                    if got[0] == "ok":
                        got = ("ok", stat_tuple(got[1]))
                    assert got == want, (p, follow)
                for fn in ("exists", "isfile", "isdir", "islink", "ismount", "getsize", "getmtime", "getatime",
                           "getctime"):
                    assert await aoutcome(getattr(aos.path, fn)(p)) == outcome(
                        lambda: getattr(os.path, fn)(p)), (fn, p)
                assert await aoutcome(aos.readlink(p)) == outcome(lambda: os.readlink(p)), p
                for mode in (os.F_OK, os.R_OK, os.W_OK, os.X_OK, os.R_OK | os.X_OK):
                    for kw in ({}, {"follow_symlinks": False}, {"effective_ids": True}):  # Windows: NotImplementedError
                        assert await aoutcome(aos.access(p, mode, **kw)) == outcome(
                            lambda: os.access(p, mode, **kw)), (p, mode, kw)
                assert await aoutcome(aos.listdir(p)) == outcome(lambda: os.listdir(p)), p
            assert await aoutcome(aos.path.samefile(str(tmp_path / name), str(tmp_path / "hard"))) == outcome(
                lambda: os.path.samefile(str(tmp_path / name), str(tmp_path / "hard")))
        # A descriptor of a directory, a dir_fd (Windows has neither).
        if os.stat in os.supports_dir_fd:
            dfd = os.open(tmp_path / "d", os.O_RDONLY)
            try:
                assert stat_tuple(await aos.stat(dfd)) == stat_tuple(os.stat(dfd))
                for name in ("x", "e", "nope"):
                    assert await aoutcome(aos.stat(name, dir_fd=dfd)) == outcome(lambda: os.stat(name, dir_fd=dfd)) \
                        or stat_tuple((await aos.stat(name, dir_fd=dfd))) == stat_tuple(os.stat(name, dir_fd=dfd))
                assert stat_tuple(await aos.stat("f", dir_fd=os.open(tmp_path / "d" / "e", os.O_RDONLY))) == \
                    stat_tuple(os.stat(tmp_path / "d" / "e" / "f"))
                assert await aos.listdir(dfd) == os.listdir(dfd)
                assert await aos.path.sameopenfile(dfd, dfd) is True
            finally:
                os.close(dfd)
        # os.fstat's error without a file name.
        assert await aoutcome(aos.stat(9999)) == outcome(lambda: os.stat(9999))
        assert await aoutcome(aos.path.sameopenfile(9999, 0)) == outcome(lambda: os.path.sameopenfile(9999, 0))
        if hasattr(os, "statvfs"):  # Windows has none
            assert await aoutcome(aos.statvfs(9999)) == outcome(lambda: os.statvfs(9999))
            assert await aoutcome(aos.statvfs(str(tmp_path / "missing"))) == outcome(
                lambda: os.statvfs(str(tmp_path / "missing")))
            for where in (str(tmp_path), "/", "/proc", "/dev/shm"):
                got, want = await aos.statvfs(where), os.statvfs(where)
                for f in ("f_bsize", "f_frsize", "f_blocks", "f_files", "f_flag", "f_namemax", "f_fsid"):
                    assert getattr(got, f) == getattr(want, f), (where, f)
        assert await aos.getcwd() == os.getcwd()
        assert await aos.path.abspath("x/../y") == os.path.abspath("x/../y")
        for where in ("/", "/proc"):
            assert await aos.path.ismount(where) == os.path.ismount(where), where

    asyncio.run(main())


@pytest.mark.parametrize("bad", [3.5, None, [b"x"], object()])
def test_bad_arguments_raise_what_os_raises(bad: Any) -> None:
    async def main() -> None:
        calls: list[tuple[Callable[..., Any], Callable[..., Any], tuple[Any, ...]]] = [
            (aos.stat, os.stat, (bad,)), (aos.rename, os.rename, (bad, "x")), (aos.rename, os.rename, ("x", bad)),
            (aos.remove, os.remove, (bad,)), (aos.mkdir, os.mkdir, (bad,)), (aos.rmdir, os.rmdir, (bad,)),
            (aos.link, os.link, (bad, "x")), (aos.symlink, os.symlink, (bad, "x")), (aos.readlink, os.readlink, (bad,)),
            (aos.access, os.access, (bad, 0)),
            (aos.stat, os.stat, ("a\0b",)), (aos.mkdir, os.mkdir, (b"a\0b",)), (aos.access, os.access, ("a\0", 0)),
            (aos.path.exists, os.path.exists, (bad,)), (aos.path.isdir, os.path.isdir, ("a\0",)),
            (aos.path.islink, os.path.islink, (bad,)), (aos.path.getsize, os.path.getsize, (bad,)),
            (aos.stat, os.stat, ("x",), ), (aos.stat, os.stat, ("/",)),
        ]
        if bad is not None:
            calls.append((aos.listdir, os.listdir, (bad,)))
        if hasattr(os, "statvfs"):  # Windows has none
            calls.append((aos.statvfs, os.statvfs, (bad,)))
        for ours, theirs, args in calls:
            assert await aoutcome(ours(*args)) == outcome(lambda: theirs(*args)), (theirs, args)
        assert await aoutcome(aos.stat("x", dir_fd="3")) == outcome(lambda: os.stat("x", dir_fd="3"))  # type: ignore
        assert await aoutcome(aos.stat(1, dir_fd=3)) == outcome(lambda: os.stat(1, dir_fd=3))
        assert await aoutcome(aos.stat(1, follow_symlinks=False)) == outcome(lambda: os.stat(1, follow_symlinks=False))
        if hasattr(os, "sendfile"):  # Windows has none
            assert await aoutcome(aos.sendfile(9999, 9998, 0, 10)) == outcome(lambda: os.sendfile(9999, 9998, 0, 10))

        class BadPath:
            def __fspath__(self) -> Any:
                return 5
        assert await aoutcome(aos.stat(BadPath())) == outcome(lambda: os.stat(BadPath()))  # type: ignore

    asyncio.run(main())


def snapshot(root: pathlib.Path) -> dict[str, Any]:
    """The tree as data: each entry's kind, contents or link target, permission bits and
    link count."""
    out: dict[str, Any] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            s = os.lstat(p)
            rel = os.path.relpath(p, root)
            if stat.S_ISLNK(s.st_mode):
                out[rel] = ("link", os.readlink(p))
            elif stat.S_ISDIR(s.st_mode):
                out[rel] = ("dir", stat.S_IMODE(s.st_mode))
            else:
                out[rel] = ("file", pathlib.Path(p).read_bytes(), stat.S_IMODE(s.st_mode), s.st_nlink)
    return out


TWIN_NAMES = ["a", "b", "d", "d/x", "d/e", "d/e/f", "d/new", "empty", "link", "dlink", "dangling", "hard", "n",
              "n/m", "n/m/k", "missing/x", "a/x", "dlink/y", "d/e/g"]
OPS = ["rename", "replace", "renames", "remove", "unlink", "rmdir", "removedirs", "mkdir", "makedirs",
       "makedirs_ok", "link", "link_nofollow", "symlink", "rmtree", "rmtree_ignore", "rmtree_onerror", "stat",
       "lstat", "listdir", "scandir", "walk", "walk_up", "readlink", "write"]


def apply_sync(op: str, root: str, x: str, y: str) -> Any:
    p, q = os.path.join(root, x), os.path.join(root, y)
    calls: list[Any] = []

    def record(func: Any, path: Any, exc: Any) -> None:
        calls.append((func.__name__, path.replace(root, "<root>"), exc[1].errno if exc[1] else None))
    table: dict[str, Callable[[], Any]] = {
        "rename": lambda: os.rename(p, q), "replace": lambda: os.replace(p, q), "renames": lambda: os.renames(p, q),
        "remove": lambda: os.remove(p), "unlink": lambda: os.unlink(p), "rmdir": lambda: os.rmdir(p),
        "removedirs": lambda: os.removedirs(p), "mkdir": lambda: os.mkdir(p, 0o750),
        "makedirs": lambda: os.makedirs(p), "makedirs_ok": lambda: os.makedirs(p, exist_ok=True),
        "link": lambda: os.link(p, q), "link_nofollow": lambda: os.link(p, q, follow_symlinks=False),
        "symlink": lambda: os.symlink(y, p), "rmtree": lambda: shutil.rmtree(p),
        "rmtree_ignore": lambda: shutil.rmtree(p, ignore_errors=True),
        "rmtree_onerror": lambda: (shutil.rmtree(p, onerror=record), calls)[1],
        "stat": lambda: stat.S_IFMT(os.stat(p).st_mode), "lstat": lambda: os.lstat(p).st_size,
        "listdir": lambda: sorted(os.listdir(p)),
        "scandir": lambda: sorted((e.name, e.is_dir(), e.is_file(), e.is_symlink(),
                                   e.is_dir(follow_symlinks=False)) for e in os.scandir(p)),
        "walk": lambda: [(d.replace(root, "<root>"), sorted(ds), sorted(fs)) for d, ds, fs in os.walk(p)],
        "walk_up": lambda: sorted((d.replace(root, "<root>"), sorted(ds), sorted(fs))
                                  for d, ds, fs in os.walk(p, topdown=False, followlinks=True)),
        "readlink": lambda: os.readlink(p), "write": lambda: _write_with_open(p, y.encode()),
    }
    return outcome(table[op], (root,))


def _write_with_open(p: str, data: bytes) -> int:
    """What ayafileio.open(p, "wb") does, through the built-in (pathlib would normalise p's
    separators on Windows, and name the file differently in its errors)."""
    with open(p, "wb") as f:
        return f.write(data)


async def apply_async(op: str, root: str, x: str, y: str) -> Any:
    p, q = os.path.join(root, x), os.path.join(root, y)
    calls: list[Any] = []

    def record(func: Any, path: Any, exc: Any) -> None:
        calls.append((func.__name__, path.replace(root, "<root>"), exc[1].errno if exc[1] else None))

    async def scandir() -> Any:
        return sorted([(e.name, e.is_dir(), e.is_file(), e.is_symlink(), e.is_dir(follow_symlinks=False))
                       async for e in aos.scandir(p)])

    async def walk(**kw: Any) -> Any:
        return [(d.replace(root, "<root>"), sorted(ds), sorted(fs)) async for d, ds, fs in aos.walk(p, **kw)]

    async def write() -> Any:
        async with ayafileio.open(p, "wb") as f:
            await f.write(y.encode())

    table: dict[str, Callable[[], Coroutine[Any, Any, Any]]] = {
        "rename": lambda: aos.rename(p, q), "replace": lambda: aos.replace(p, q),
        "renames": lambda: aos.renames(p, q), "remove": lambda: aos.remove(p), "unlink": lambda: aos.unlink(p),
        "rmdir": lambda: aos.rmdir(p), "removedirs": lambda: aos.removedirs(p), "mkdir": lambda: aos.mkdir(p, 0o750),
        "makedirs": lambda: aos.makedirs(p), "makedirs_ok": lambda: aos.makedirs(p, exist_ok=True),
        "link": lambda: aos.link(p, q), "link_nofollow": lambda: aos.link(p, q, follow_symlinks=False),
        "symlink": lambda: aos.symlink(y, p), "rmtree": lambda: aos.rmtree(p),
        "rmtree_ignore": lambda: aos.rmtree(p, ignore_errors=True),
        "rmtree_onerror": lambda: _then(aos.rmtree(p, onerror=record), calls),
        "stat": lambda: _map(aos.stat(p), lambda s: stat.S_IFMT(s.st_mode)),
        "lstat": lambda: _map(aos.stat(p, follow_symlinks=False), lambda s: s.st_size),
        "listdir": lambda: _map(aos.listdir(p), sorted), "scandir": scandir, "walk": walk,
        "walk_up": lambda: _map(walk(topdown=False, followlinks=True), sorted),
        "readlink": lambda: aos.readlink(p), "write": lambda: _map(write(), lambda _: len(y.encode())),
    }
    return await aoutcome(table[op](), (root,))


async def _then(coro: Coroutine[Any, Any, Any], value: Any) -> Any:
    await coro
    return value


async def _map(coro: Coroutine[Any, Any, Any], fn: Callable[[Any], Any]) -> Any:
    return fn(await coro)


@given(st.lists(st.tuples(st.sampled_from(OPS), st.sampled_from(TWIN_NAMES), st.sampled_from(TWIN_NAMES)),
                min_size=1, max_size=12))
def test_changes_to_twin_trees_match_os(tmp_path_factory: Any, steps: list[tuple[str, str, str]]) -> None:
    base = tmp_path_factory.mktemp("twins")
    mine, theirs = base / "mine", base / "theirs"
    for r in (mine, theirs):
        r.mkdir()
        make_tree(r)

    async def main() -> None:
        for op, x, y in steps:
            want = apply_sync(op, str(theirs), x, y)
            got = await apply_async(op, str(mine), x, y)
            assert got == want, (op, x, y)
            assert snapshot(mine) == snapshot(theirs), (op, x, y)

    shared_loop().run_until_complete(main())
    shutil.rmtree(base)


def test_a_closed_file_leaves_its_directory_removable(tmp_path: pathlib.Path) -> None:
    d = tmp_path / "d"
    d.mkdir()

    async def main() -> None:
        async with ayafileio.open(d / "f", "wb") as f:
            await f.write(b"x")
        os.remove(d / "f")
        os.rmdir(d)  # while the engine, and its pool, still lives

    asyncio.run(main())


def test_an_entry_answers_from_any_d_type_as_os_does(tmp_path: pathlib.Path) -> None:
    """A DirEntry's is_dir()/is_file()/is_symlink(), in both follow modes, from the d_type
    getdents64 reported for it and from DT_UNKNOWN (what some file systems report: FUSE,
    XFS without ftype), where it must stat: os.DirEntry's answers for the same entry."""
    from ayafileio.engine.kernel import DT_DIR, DT_LNK, DT_REG, DT_UNKNOWN
    from ayafileio.os.tree import DirEntry

    make_tree(tmp_path)
    kinds = {"d": DT_DIR, "a": DT_REG}
    kinds.update({name: DT_LNK for name in ("link", "dlink", "dangling", "loop") if os.path.lexists(tmp_path / name)})

    def answers(e: Any) -> tuple[Any, ...]:
        return tuple(outcome(f) for f in (e.is_dir, e.is_file, e.is_symlink, lambda: e.is_dir(follow_symlinks=False),
                                          lambda: e.is_file(follow_symlinks=False)))

    theirs = {e.name: answers(e) for e in os.scandir(tmp_path) if e.name in kinds}
    assert len(theirs) == len(kinds)
    for name, d_type in kinds.items():
        for told in (d_type, DT_UNKNOWN):
            assert answers(DirEntry(name, str(tmp_path), told, 0, None)) == theirs[name], (name, told)


def test_scandir_and_walk_match_os_exactly(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path)
    for i in range(300):  # several getdents64 batches? no: one; the 30k test has many
        (tmp_path / "d" / f"n{i:03}").write_bytes(b"")

    def entry(e: Any) -> tuple[Any, ...]:
        def safe(f: Callable[[], Any]) -> Any:
            return outcome(f, (str(tmp_path),))
        return (e.name, e.path, e.inode(), safe(e.is_dir), safe(e.is_file), e.is_symlink(),
                e.is_dir(follow_symlinks=False), e.is_file(follow_symlinks=False), safe(lambda: stat_tuple(e.stat())),
                safe(lambda: stat_tuple(e.stat(follow_symlinks=False))), os.fspath(e), repr(e))

    async def main() -> None:
        wheres = [str(tmp_path), os.fsencode(tmp_path), tmp_path, str(tmp_path) + "/"]
        if os.path.lexists(tmp_path / "dlink"):  # a tree without links: see make_tree
            wheres.append(str(tmp_path / "dlink"))
        # On Windows DirEntry.stat() is the listing's snapshot, and inode() opens each file: the
        # first pass may move an access time (relatime, once after a write) between two listings.
        for where in wheres:
            [entry(e) for e in os.scandir(where)]
        for where in wheres:
            want = [entry(e) for e in os.scandir(where)]
            assert [entry(e) async for e in aos.scandir(where)] == want
            with await aos.scandir(where) as it:
                assert [entry(e) for e in it] == want
        cwd = os.getcwd()
        os.chdir(tmp_path)
        try:
            assert [entry(e) async for e in aos.scandir()] == [entry(e) for e in os.scandir()]
            assert await aos.listdir() == os.listdir()
        finally:
            os.chdir(cwd)
        if os.scandir in os.supports_fd:  # Windows cannot open a directory as a descriptor
            fd = os.open(tmp_path, os.O_RDONLY)
            try:
                assert [entry(e) async for e in aos.scandir(fd)] == [entry(e) for e in os.scandir(fd)]
            finally:
                os.close(fd)
        for missing in (str(tmp_path / "nope"), str(tmp_path / "a")):
            assert await aoutcome(_then(aos.scandir(missing), None)) == outcome(lambda: os.scandir(missing))
        for top in (str(tmp_path), os.fsencode(tmp_path), str(tmp_path / "nope")):
            for topdown in (True, False):
                for followlinks in (False, True):
                    errors: list[Any] = []
                    theirs: list[Any] = []
                    want = list(os.walk(top, topdown, theirs.append, followlinks))
                    got = [t async for t in aos.walk(top, topdown, errors.append, followlinks)]
                    assert got == want
                    assert [err(e) for e in errors] == [err(e) for e in theirs]
        # walk's callers may prune dirnames in place, top-down.
        got = []
        async for d, ds, fs in aos.walk(tmp_path):
            ds[:] = [n for n in ds if n != "e"]
            got.append(d)
        want = []
        for d, ds, fs in os.walk(tmp_path):
            ds[:] = [n for n in ds if n != "e"]
            want.append(d)
        assert got == want

    asyncio.run(main())


def test_rmtree_errors_match_shutil(tmp_path: pathlib.Path) -> None:
    async def main() -> None:
        for r in ("mine", "theirs"):
            make_tree(tmp_path / r)
        cases = ["nope", "a", "link", "dlink", "dangling", "d/e/f", "empty", "d"]
        for case in cases:
            for kw in ({}, {"ignore_errors": True}, "onerror", "onexc"):
                results = []
                for r, rmtree in (("theirs", shutil.rmtree), ("mine", aos.rmtree)):
                    p = str(tmp_path / r / case)
                    root = str(tmp_path / r)
                    calls: list[Any] = []
                    args: dict[str, Any] = {}
                    if kw == "onerror":
                        args = {"onerror": lambda f, path, ei, c=calls, rt=root: c.append(
                            (f.__name__, path.replace(rt, ""), err(ei[1], (rt,))))}
                    elif kw == "onexc":
                        if sys.version_info < (3, 12) and r == "theirs":
                            args = {"onerror": lambda f, path, ei, c=calls, rt=root: c.append(
                                (f.__name__, path.replace(rt, ""), err(ei[1], (rt,))))}
                        else:
                            args = {"onexc": lambda f, path, e, c=calls, rt=root: c.append(
                                (f.__name__, path.replace(rt, ""), err(e, (rt,))))}
                    else:
                        assert isinstance(kw, dict)
                        args = kw
                    if r == "theirs":
                        res = outcome(lambda: rmtree(p, **args), (root,))
                    else:
                        res = await aoutcome(rmtree(p, **args), (root,))
                    results.append((res, calls, snapshot(tmp_path / r)))
                assert results[0] == results[1], (case, kw)
                for r in ("mine", "theirs"):  # put the tree back for the next case
                    shutil.rmtree(tmp_path / r)
                    make_tree(tmp_path / r)

    asyncio.run(main())


def test_rmtree_of_a_wide_tree_and_the_chain_stops_where_unlink_would(tmp_path: pathlib.Path) -> None:
    top = tmp_path / "t"
    for d in range(5):
        (top / f"d{d}").mkdir(parents=True)
        for i in range(150):
            (top / f"d{d}" / f"f{i}").write_bytes(b"x")
    calls: list[Any] = []

    async def main() -> None:
        # An unlink that fails mid-chain (a directory where a file was listed) is reported
        # and the rest of the directory still goes.
        orig = aos.rmtree
        await orig(top, onerror=lambda f, p, e: calls.append(f.__name__))

    asyncio.run(main())
    assert not top.exists() and calls == []


def test_tempfile_factories(tmp_path: pathlib.Path) -> None:
    # What tempfile's own give here: an unnamed file's name is its descriptor where the
    # platform can remove an open file (Windows cannot: there it is a named file), and the
    # permission bits (Windows keeps only read-only).
    with tempfile.TemporaryFile(dir=tmp_path) as t:
        name_type = type(t.name)
    with tempfile.NamedTemporaryFile(dir=tmp_path) as t:
        file_mode = stat.S_IMODE(os.stat(t.name).st_mode)
    with tempfile.TemporaryDirectory(dir=tmp_path) as d:
        dir_mode = stat.S_IMODE(os.stat(d).st_mode)

    async def main() -> None:
        for mode in ("w+b", "w+", "r+", "rb+"):
            data: Any = b"Hello\n" if "b" in mode else "Hello\n"
            async with ayafileio.tempfile.TemporaryFile(mode=mode, dir=tmp_path) as f:
                await f.write(data * 3)
                await f.seek(0)
                assert [line async for line in f] == [data] * 3
                assert type(f.name) is name_type
            assert os.listdir(tmp_path) == []
            async with ayafileio.tempfile.NamedTemporaryFile(mode=mode, dir=tmp_path, prefix="p", suffix="s") as nf:
                assert os.path.dirname(nf.name) == str(tmp_path)
                assert os.path.basename(nf.name).startswith("p") and nf.name.endswith("s")
                assert stat.S_IMODE(os.stat(nf.name).st_mode) == file_mode
                await nf.write(data)
                await nf.flush()
                await nf.seek(0)
                assert await nf.read() == data
            assert not os.path.exists(nf.name)
        kept = await ayafileio.tempfile.NamedTemporaryFile(dir=tmp_path, delete=False)
        await kept.close()
        assert os.path.exists(kept.name)
        os.unlink(kept.name)
        async with ayafileio.tempfile.NamedTemporaryFile(dir=tmp_path, delete_on_close=False) as nf:
            await nf.close()
            assert os.path.exists(nf.name)
        assert not os.path.exists(nf.name)
        async with ayafileio.tempfile.TemporaryDirectory(dir=tmp_path, prefix="a", suffix="b") as d:
            assert os.path.isdir(d) and stat.S_IMODE(os.stat(d).st_mode) == dir_mode
            pathlib.Path(d, "sub").mkdir()
            pathlib.Path(d, "sub", "f").write_bytes(b"x")
        assert not os.path.exists(d)
        td = await ayafileio.tempfile.TemporaryDirectory(dir=tmp_path)
        assert os.path.isdir(td.name)
        await td.cleanup()
        assert not os.path.exists(td.name)
        assert os.listdir(tmp_path) == []

    asyncio.run(main())


def test_temporary_files_are_not_inherited(tmp_path: pathlib.Path) -> None:
    """As tempfile's (os.open()'s descriptors, PEP 446): the engine's OPENAT of a temporary
    file was once made without O_CLOEXEC, and a child process kept it open."""
    with tempfile.TemporaryFile(dir=tmp_path) as t, tempfile.NamedTemporaryFile(dir=tmp_path) as nt:
        theirs = (os.get_inheritable(t.fileno()), os.get_inheritable(nt.fileno()))

    async def main() -> tuple[bool, bool]:
        async with ayafileio.tempfile.TemporaryFile(dir=tmp_path) as f, \
                ayafileio.tempfile.NamedTemporaryFile(dir=tmp_path) as nf:
            return os.get_inheritable(f.fileno()), os.get_inheritable(nf.fileno())

    assert asyncio.run(main()) == theirs == (False, False)
@pytest.mark.parametrize("mode", ["w+b", "w+"])
@pytest.mark.parametrize("max_size", [0, 5, 40])
def test_spooled_temporary_file_matches_tempfile(tmp_path: pathlib.Path, mode: str, max_size: int) -> None:
    """Each step on both: the same results, the same rollover point, and the same state
    after it (what aiofiles' test asserts through its wrapper's private attributes)."""
    conv: Callable[[str], Any] = (lambda s: s.encode()) if "b" in mode else (lambda s: s)

    async def main() -> None:
        theirs = tempfile.SpooledTemporaryFile(max_size=max_size, mode=mode, dir=tmp_path)
        async with ayafileio.tempfile.SpooledTemporaryFile(max_size=max_size, mode=mode, dir=tmp_path) as mine:
            steps: list[tuple[str, tuple[Any, ...]]] = [
                ("write", (conv("héllo\n"),)), ("tell", ()), ("write", (conv("wörld\r\nmore\n"),)),
                ("seek", (0,)), ("readline", ()), ("tell", ()), ("read", ()), ("seek", (3,)),
                ("write", (conv("x" * 30),)), ("seek", (0,)), ("read", ()), ("truncate", (10,)), ("seek", (0,)),
                ("read", ()), ("flush", ()), ("write", (conv("y" * 50),)), ("seek", (0,)), ("readlines", ()),
            ]
            for name, args in steps:
                want = outcome(lambda: getattr(theirs, name)(*args))
                got = await aoutcome(getattr(mine, name)(*args))
                if name == "tell" and "b" not in mode:
                    continue  # opaque text cookies: compared through seek and read instead
                assert got == want, name
                assert mine._rolled == theirs._rolled, name  # type: ignore[attr-defined]
            if "b" not in mode:
                assert mine.newlines == theirs.newlines
            assert mine.mode == theirs.mode
        theirs.close()
        assert os.listdir(tmp_path) == []

    asyncio.run(main())


def test_cancellation_leaves_nothing_behind(tmp_path: pathlib.Path) -> None:
    """Cancelled at every await point, each operation leaves no descriptor and no
    temporary file, and the engine keeps working."""
    make_tree(tmp_path / "t")

    async def cancel_at(make: Callable[[], Coroutine[Any, Any, Any]], steps: int) -> None:
        task = asyncio.ensure_future(make())
        for _ in range(steps):
            await asyncio.sleep(0)
        task.cancel()
        try:
            await task
        except (asyncio.CancelledError, OSError):
            pass

    async def in_temp_dir() -> None:
        async with ayafileio.tempfile.TemporaryDirectory(dir=tmp_path / "tmp") as d:
            pathlib.Path(d, "f").write_bytes(b"x")
            await asyncio.sleep(10)

    async def in_named() -> None:
        async with ayafileio.tempfile.NamedTemporaryFile(dir=tmp_path / "tmp") as f:
            await f.write(b"x")
            await asyncio.sleep(10)

    async def listing() -> None:
        async for _ in aos.scandir(tmp_path / "big"):
            await asyncio.sleep(0)

    async def walk_once() -> None:
        # The generator's __anext__() made inside: one made outside and never awaited
        # (the task cancelled before it ran) is a RuntimeWarning since 3.13.
        gen = aos.walk(tmp_path / "t")
        try:
            await gen.__anext__()
        finally:
            await gen.aclose()

    async def unnamed() -> None:
        f = await ayafileio.tempfile.TemporaryFile(dir=tmp_path / "tmp")
        await f.close()

    async def main() -> None:
        (tmp_path / "tmp").mkdir()
        (tmp_path / "big").mkdir()
        for i in range(3000):
            (tmp_path / "big" / f"entry-{i}").write_bytes(b"")
        await aos.stat(tmp_path)  # the engine's own descriptors are there before the count
        base = open_fds()
        makers: list[Callable[[], Coroutine[Any, Any, Any]]] = [
            lambda: aos.stat(tmp_path / "t" / "a"), lambda: aos.listdir(tmp_path / "big"), listing,
            walk_once, in_temp_dir, in_named,
            unnamed,
            lambda: aos.readlink(tmp_path / "t" / "link"),
            lambda: aos.access(tmp_path, os.R_OK), lambda: aos.mkdir(tmp_path / "tmp" / "m"),
        ]
        if hasattr(os, "statvfs"):  # Windows has none
            makers.append(lambda: aos.statvfs(tmp_path))
        for make in makers:
            for steps in range(0, 8):
                await cancel_at(make, steps)
                if os.path.isdir(tmp_path / "tmp" / "m"):
                    os.rmdir(tmp_path / "tmp" / "m")
        for _ in range(5):
            await asyncio.sleep(0.01)
        assert os.listdir(tmp_path / "tmp") == []
        assert open_fds() <= base
        assert stat_tuple(await aos.stat(tmp_path / "t" / "a")) == stat_tuple(os.stat(tmp_path / "t" / "a"))
        # rmtree cancelled part-way leaves a tree that a second rmtree removes.
        await cancel_at(lambda: aos.rmtree(tmp_path / "big"), 3)
        await aos.rmtree(tmp_path / "big")
        assert not (tmp_path / "big").exists()
        assert open_fds() <= base

    asyncio.run(main())


# Wine creates a file in a directory of n entries in time growing with n: 30,000 took 212 s
# there (3,000 took 4 s), the listings themselves under a second.
BIG_LISTING = 10000 if sys.platform == "win32" else 30000


def test_listing_30000_entries_keeps_the_loop_responsive(tmp_path: pathlib.Path) -> None:
    big = tmp_path / "big"
    big.mkdir()
    for i in range(BIG_LISTING):
        os.close(os.open(big / f"file-with-a-longer-name-{i:05}", os.O_CREAT | os.O_WRONLY, 0o644))
    os.mkdir(big / "sub")

    async def listings() -> tuple[list[Any], list[Any], list[Any]]:
        return await aos.listdir(big), [x async for x in aos.walk(big)], [e.name async for e in aos.scandir(big)]

    async def main() -> tuple[float, float, float, float]:
        t = time.perf_counter()
        (names, walked, entries), gaps = await loop_gaps(listings())
        took = time.perf_counter() - t
        assert sorted(names) == sorted(os.listdir(big)) == sorted(entries)
        assert walked == list(os.walk(big))
        return took, gaps[len(gaps) // 2], gaps[len(gaps) * 99 // 100], gaps[-1]

    took, median, p99, worst = asyncio.run(main())
    # Bounds relative to times measured in the same run (a loaded machine slows them
    # alike): the median against the same listings done blocking; p99 and the worst gap
    # against our own three listings, which come in some sixty batches of ~1,500 entries
    # (measured here p99 0.7-1.4 ms; listings that held the loop would be a few gaps of a
    # third of the whole each). Not p99 against the blocking listings: os.listdir is C,
    # while batches become entries in Python, slower under -X dev and asyncio's debug
    # mode (a CI run saw p99 8.2 ms against a 16.6 ms blocking listdir; another, one
    # 274 ms gap).
    blocking = min(_seconds(lambda: os.listdir(big)), _seconds(lambda: list(os.walk(big))),
                   _seconds(lambda: [e.name for e in os.scandir(big)]))
    assert median < blocking / 20 and p99 < took / 10 and worst < took / 2, (median, p99, worst, blocking, took)


def _seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def test_stdio_follows_sys_and_keeps_order(capsys: Any) -> None:
    async def main() -> None:
        await asyncio.gather(*(ayafileio.stdout.write(f"{i},") for i in range(200)))
        await ayafileio.stdout_bytes.write(b"bytes")
        await ayafileio.stderr.write("err")
        saved = sys.stdout
        sys.stdout = io.StringIO()
        try:
            await ayafileio.stdout.write("redirected")
            assert sys.stdout.getvalue() == "redirected"
        finally:
            sys.stdout = saved

    asyncio.run(main())
    out, errs = capsys.readouterr()
    assert out == "".join(f"{i}," for i in range(200)) + "bytes"
    assert errs == "err"


def test_aiofiles_keywords_are_accepted(tmp_path: pathlib.Path) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        await aos.mkdir(tmp_path / "k", loop=loop, executor=None)
        assert await aos.path.isdir(tmp_path / "k", loop=loop, executor=None)
        wrapped = aos.wrap(os.listdir)
        assert await wrapped(tmp_path, loop=loop) == ["k"]

    asyncio.run(main())


@pytest.mark.skipif(not hasattr(os, "sendfile"), reason="Windows has no os.sendfile")
def test_sendfile_file_to_file(tmp_path: pathlib.Path) -> None:
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.write_bytes(bytes(range(256)) * 100)

    async def main() -> None:
        i, o = os.open(src, os.O_RDONLY), os.open(dst, os.O_WRONLY | os.O_CREAT)
        try:
            assert await aos.sendfile(o, i, 100, 1000) == 1000
            assert os.lseek(i, 0, os.SEEK_CUR) == 0  # an offset leaves the position alone
            assert await aos.sendfile(o, i, None, 50) == 50
            assert os.lseek(i, 0, os.SEEK_CUR) == 50
            assert await aoutcome(aos.sendfile(o, i, -1, 5)) == outcome(lambda: os.sendfile(o, i, -1, 5))
        finally:
            os.close(i)
            os.close(o)
        assert dst.read_bytes() == src.read_bytes()[100:1100] + src.read_bytes()[:50]

    asyncio.run(main())


def test_ops_run_on_threads_where_the_engine_lacks_them(monkeypatch: Any, tmp_path: pathlib.Path) -> None:
    """The sibling path (Windows, macOS, a forked child): the same results through os on
    the executor."""
    from ayafileio.engine import platform as _platform

    monkeypatch.setattr(_platform, "PATH_OPS", False)
    make_tree(tmp_path)

    async def main() -> None:
        assert stat_tuple(await aos.stat(tmp_path / "a")) == stat_tuple(os.stat(tmp_path / "a"))
        assert sorted(await aos.listdir(tmp_path)) == sorted(os.listdir(tmp_path))
        assert sorted([e.name async for e in aos.scandir(tmp_path)]) == sorted(os.listdir(tmp_path))
        assert [t async for t in aos.walk(tmp_path)] == list(os.walk(tmp_path))
        assert await aoutcome(aos.rmdir(tmp_path / "d")) == outcome(lambda: os.rmdir(tmp_path / "d"))
        await aos.rmtree(tmp_path / "d")
        async with ayafileio.tempfile.NamedTemporaryFile(dir=tmp_path) as f:
            await f.write(b"x")
        assert not os.path.exists(f.name)
        assert not (tmp_path / "d").exists()

    asyncio.run(main())


def test_errno_of_a_full_directory_is_enotempty(tmp_path: pathlib.Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "f").write_bytes(b"")

    async def main() -> None:
        with pytest.raises(OSError) as e:
            await aos.rmdir(tmp_path / "d")
        assert e.value.errno == errno.ENOTEMPTY and e.value.filename == str(tmp_path / "d")

    asyncio.run(main())

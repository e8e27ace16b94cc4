"""ayafileio.Path: pathlib's Path with its I/O as coroutines, done by the engine.

The pure parts (name, suffix, parent, ``/``, with_suffix, relative_to, match, ...) are
pathlib's own: Path subclasses PurePosixPath (PureWindowsPath on Windows), and every
path it derives stays an ayafileio.Path. The methods that touch the file system are
coroutines (iterdir, glob, rglob and walk async iterators) that give the results and
raise the exceptions of the running interpreter's pathlib.Path, version for version:
3.12's walk, case_sensitive= and exists(follow_symlinks=), 3.13's recurse_symlinks=,
follow_symlinks= of is_dir/is_file/owner/group, read_text(newline=) and from_uri, 3.14's
copy, move and info are offered where the running pathlib has them, and only there.

On the engine: read_bytes/read_text/write_bytes/write_text are one whole-file chain
(ayafileio.read_bytes ...), stat/exists/is_* one STATX, iterdir/glob/rglob/walk the
getdents batches of ayafileio.os.scandir, mkdir/unlink/rmdir/rename/replace/
symlink_to/hardlink_to/readlink the requests of ayafileio.os. What the engine has no
request for (touch's utime, chmod, resolve's realpath, the user database of owner,
group, expanduser and home, copy and move) runs pathlib's own method on the loop's
default executor; each such method says so.
"""

from __future__ import annotations

import errno
import fnmatch
import io
import os
import pathlib
import re
import stat
import sys
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar, Union

from .engine import driver
from . import os as aos
from .io.modes import check_arg_types
from .io.open import OpenContext
from .io.open import open as aopen
from .os.requests import in_thread, path_arg
from .os.tree import Entry, Scandir, _join
from .whole import read_bytes, read_text, write_bytes, write_text

_P = TypeVar("_P", bound="Path")
_PurePath: Any = pathlib.PureWindowsPath if sys.platform == "win32" else pathlib.PurePosixPath
# Errors pathlib's predicates answer False for; any other OSError they raise.
_IGNORED_ERRNOS = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)
_IGNORED_WINERRORS = (21, 123, 1921)  # not ready, invalid name, a link that points to itself
_GLOB_ON_ENGINE = sys.platform != "win32"  # the glob below is POSIX's (one separator, case-sensitive)

OnError = Union[Callable[[OSError], object], None]


def _ignore_error(e: OSError) -> bool:
    return getattr(e, "errno", None) in _IGNORED_ERRNOS or getattr(e, "winerror", None) in _IGNORED_WINERRORS


class Path(_PurePath):  # type: ignore[misc]
    """pathlib.Path with its I/O as coroutines::

        p = ayafileio.Path("data") / "config.json"
        if await p.exists():
            text = await p.read_text()
        async for child in p.parent.iterdir(): ...
        async with p.open("a") as f: await f.write("...")
    """

    __slots__ = ("_info",) if sys.version_info >= (3, 14) else ()

    def _sync(self) -> pathlib.Path:
        """pathlib's Path of the same path, for the methods run on a thread."""
        return pathlib.Path(self)

    async def _thread(self: _P, method: str, *args: Any, **kwargs: Any) -> Any:
        return await in_thread(None, getattr(self._sync(), method), *args, **kwargs)

    # --- constructors that ask the system ---------------------------------------------------

    @classmethod
    async def cwd(cls: type[_P]) -> _P:
        """os.getcwd(), answered at once as ayafileio.os.getcwd() is."""
        return cls(os.getcwd())

    @classmethod
    async def home(cls: type[_P]) -> _P:
        """pathlib's Path.home() on a thread (it may ask the user database)."""
        return cls(await in_thread(None, pathlib.Path.home))

    async def absolute(self: _P) -> _P:
        """pathlib's absolute(): the working directory joined in front, no storage asked."""
        return self if self.is_absolute() else type(self)(self._sync().absolute())

    async def resolve(self: _P, strict: bool = False) -> _P:
        """pathlib's resolve() on a thread (realpath: a readlink per component)."""
        return type(self)(await self._thread("resolve", strict))

    async def expanduser(self: _P) -> _P:
        """pathlib's expanduser() on a thread (it may ask the user database)."""
        return type(self)(await self._thread("expanduser"))

    async def readlink(self: _P) -> _P:
        """os.readlink() on the engine's workers."""
        return type(self)(await aos.readlink(self))

    # --- stat and its predicates: one STATX each ---------------------------------------------

    async def stat(self, *, follow_symlinks: bool = True) -> os.stat_result:
        """os.stat(): one STATX."""
        return await aos.stat(self, follow_symlinks=follow_symlinks)

    async def lstat(self) -> os.stat_result:
        if sys.version_info >= (3, 14):
            path_arg("lstat", "path", self)  # pathlib calls os.lstat() since 3.14: its ValueError
        return await aos.stat(self, follow_symlinks=False)

    async def _test_mode(self, test: Callable[[int], bool], follow_symlinks: bool = True) -> bool:
        """pathlib's predicate: test of the mode; False for a path that is not there (or
        cannot be encoded), any other error raised (since 3.14, as os.path's, none)."""
        try:
            st = await aos.stat(self, follow_symlinks=follow_symlinks)
        except OSError as e:
            if sys.version_info < (3, 14) and not _ignore_error(e):
                raise
            return False
        except ValueError:
            return False
        return test(st.st_mode)

    if sys.version_info >= (3, 14):
        _info: PathInfo

        @property
        def info(self) -> PathInfo:
            """pathlib's Path.info (3.14): the file's type, its answers coroutines."""
            try:
                return self._info
            except AttributeError:
                self._info = PathInfo(str(self))
                return self._info

    if sys.version_info >= (3, 12):
        async def exists(self, *, follow_symlinks: bool = True) -> bool:
            return await self._test_mode(_any_mode, follow_symlinks)
    else:
        async def exists(self) -> bool:
            return await self._test_mode(_any_mode)

    if sys.version_info >= (3, 13):
        async def is_dir(self, *, follow_symlinks: bool = True) -> bool:
            return await self._test_mode(stat.S_ISDIR, follow_symlinks)

        async def is_file(self, *, follow_symlinks: bool = True) -> bool:
            return await self._test_mode(stat.S_ISREG, follow_symlinks)
    else:
        async def is_dir(self) -> bool:
            return await self._test_mode(stat.S_ISDIR)

        async def is_file(self) -> bool:
            return await self._test_mode(stat.S_ISREG)

    async def is_symlink(self) -> bool:
        return await self._test_mode(stat.S_ISLNK, False)

    async def is_block_device(self) -> bool:
        return await self._test_mode(stat.S_ISBLK)

    async def is_char_device(self) -> bool:
        return await self._test_mode(stat.S_ISCHR)

    async def is_fifo(self) -> bool:
        return await self._test_mode(stat.S_ISFIFO)

    async def is_socket(self) -> bool:
        return await self._test_mode(stat.S_ISSOCK)

    if sys.platform == "win32":
        async def is_mount(self) -> bool:
            """pathlib's is_mount() on a thread."""
            return bool(await self._thread("is_mount"))
    elif sys.version_info >= (3, 12):
        async def is_mount(self) -> bool:
            """os.path.ismount(), as pathlib asks it since 3.12: two STATX."""
            return await aos.path.ismount(self)
    else:
        async def is_mount(self) -> bool:
            """3.11 pathlib's own test: a directory on another device than its parent,
            or the same inode (the root)."""
            if not await self.exists() or not await self.is_dir():
                return False
            try:
                parent = await self.parent.stat()
            except OSError:
                return False
            st = await self.stat()
            return bool(st.st_dev != parent.st_dev or st.st_ino == parent.st_ino)

    if sys.version_info >= (3, 12):
        async def is_junction(self) -> bool:
            """False on POSIX without asking, as os.path.isjunction(); Windows asks on a thread."""
            return bool(await self._thread("is_junction")) if sys.platform == "win32" else False

    async def samefile(self, other_path: Any) -> bool:
        """pathlib's samefile(): this path's stat, then the other's."""
        st = await self.stat()
        if sys.version_info >= (3, 11):
            other = other_path if isinstance(other_path, pathlib.PurePath) else type(self)(other_path)
        else:  # 3.10's hands it to os.stat as it is (a descriptor too, and os's TypeError)
            other = other_path
        return os.path.samestat(st, await aos.stat(other))

    if sys.version_info >= (3, 13):
        async def owner(self, *, follow_symlinks: bool = True) -> str:
            """pathlib's owner() on a thread (the user database)."""
            return str(await self._thread("owner", follow_symlinks=follow_symlinks))

        async def group(self, *, follow_symlinks: bool = True) -> str:
            """pathlib's group() on a thread (the group database)."""
            return str(await self._thread("group", follow_symlinks=follow_symlinks))
    else:
        async def owner(self) -> str:
            """pathlib's owner() on a thread (the user database)."""
            return str(await self._thread("owner"))

        async def group(self) -> str:
            """pathlib's group() on a thread (the group database)."""
            return str(await self._thread("group"))

    # --- whole files: one chain each ------------------------------------------------------

    def open(self, mode: str = "r", buffering: int = -1, encoding: str | None = None, errors: str | None = None,
             newline: str | None = None) -> OpenContext[Any]:
        """ayafileio.open() of this path: ``async with p.open() as f`` or ``f = await p.open()``."""
        if "b" not in mode:
            encoding = io.text_encoding(encoding)
        return aopen(self, mode, buffering, encoding, errors, newline)

    async def read_bytes(self) -> bytes:
        """ayafileio.read_bytes(): one chain (open, read, close)."""
        return await read_bytes(self)

    if sys.version_info >= (3, 13):
        async def read_text(self, encoding: str | None = None, errors: str | None = None,
                            newline: str | None = None) -> str:
            """ayafileio.read_text(): one chain, decoded as open(mode="r") decodes."""
            check_arg_types("r", -1, encoding, errors, newline)
            return await read_text(self, io.text_encoding(encoding), errors, newline)
    else:
        async def read_text(self, encoding: str | None = None, errors: str | None = None) -> str:
            """ayafileio.read_text(): one chain, decoded as open(mode="r") decodes."""
            check_arg_types("r", -1, encoding, errors, None)
            return await read_text(self, io.text_encoding(encoding), errors)

    async def write_bytes(self, data: Any) -> int:
        """ayafileio.write_bytes(): one chain (open, write, close)."""
        view = memoryview(data)  # pathlib's type check, before the file is touched
        return await write_bytes(self, view)

    async def write_text(self, data: str, encoding: str | None = None, errors: str | None = None,
                         newline: str | None = None) -> int:
        """ayafileio.write_text(): one chain. As pathlib, whose open(mode="w") truncates the
        file before the text is encoded, an encoding that fails leaves the file empty."""
        if not isinstance(data, str):
            raise TypeError(f"data must be str, not {type(data).__name__}")
        check_arg_types("w", -1, encoding, errors, newline)  # open()'s, before it opens
        encoding = io.text_encoding(encoding)
        try:
            return await write_text(self, data, encoding, errors, newline)
        except OSError:
            raise
        except Exception:
            await write_bytes(self, b"")  # what open() did before the error (or its OSError)
            raise

    # --- changes: one request each, or pathlib on a thread ----------------------------------

    async def touch(self, mode: int = 0o666, exist_ok: bool = True) -> None:
        """pathlib's touch() on a thread (utime has no engine request)."""
        await self._thread("touch", mode, exist_ok)

    async def mkdir(self, mode: int = 0o777, parents: bool = False, exist_ok: bool = False) -> None:
        """pathlib's mkdir(): MKDIRAT requests, parents first when asked."""
        try:
            await aos.mkdir(self, mode)
        except FileNotFoundError:
            if not parents or self.parent == self:
                raise
            await self.parent.mkdir(parents=True, exist_ok=True)
            await self.mkdir(mode, parents=False, exist_ok=exist_ok)
        except OSError:
            if not exist_ok or not await self.is_dir():
                raise

    async def chmod(self, mode: int, *, follow_symlinks: bool = True) -> None:
        """pathlib's chmod() on a thread (no engine request)."""
        await self._thread("chmod", mode, follow_symlinks=follow_symlinks)

    async def lchmod(self, mode: int) -> None:
        """pathlib's lchmod() on a thread (no engine request)."""
        await self._thread("lchmod", mode)

    async def unlink(self, missing_ok: bool = False) -> None:
        """One UNLINKAT."""
        try:
            await aos.unlink(self)
        except FileNotFoundError:
            if not missing_ok:
                raise

    async def rmdir(self) -> None:
        """One UNLINKAT with AT_REMOVEDIR."""
        await aos.rmdir(self)

    async def rename(self: _P, target: Any) -> _P:
        """One RENAMEAT; the new path, as pathlib returns it."""
        await aos.rename(self, target)
        return type(self)(target)

    async def replace(self: _P, target: Any) -> _P:
        """One RENAMEAT; the new path, as pathlib returns it."""
        await aos.replace(self, target)
        return type(self)(target)

    async def symlink_to(self, target: Any, target_is_directory: bool = False) -> None:
        """One SYMLINKAT: this path becomes a link to target."""
        await aos.symlink(target, self, target_is_directory)

    async def hardlink_to(self, target: Any) -> None:
        """One LINKAT: this path becomes a hard link to target."""
        await aos.link(target, self)

    if sys.version_info < (3, 12):
        async def link_to(self, target: Any) -> None:
            """Deprecated in pathlib since 3.10 (removed in 3.12): target becomes a hard link to this path."""
            import warnings

            warnings.warn("pathlib.Path.link_to() is deprecated and is scheduled for removal in Python 3.12. "
                          "Use pathlib.Path.hardlink_to() instead.", DeprecationWarning, stacklevel=2)
            await aos.link(self, target)

    if sys.version_info >= (3, 14):
        async def copy(self: _P, target: Any, **kwargs: Any) -> _P:
            """pathlib's copy() on a thread."""
            return type(self)(await self._thread("copy", target, **kwargs))

        async def copy_into(self: _P, target_dir: Any, **kwargs: Any) -> _P:
            """pathlib's copy_into() on a thread."""
            return type(self)(await self._thread("copy_into", target_dir, **kwargs))

        async def move(self: _P, target: Any) -> _P:
            """pathlib's move() on a thread."""
            return type(self)(await self._thread("move", target))

        async def move_into(self: _P, target_dir: Any) -> _P:
            """pathlib's move_into() on a thread."""
            return type(self)(await self._thread("move_into", target_dir))

    if sys.version_info >= (3, 13):  # from_uri: pure, no I/O
        @classmethod
        def from_uri(cls: type[_P], uri: str) -> _P:
            return cls(pathlib.Path.from_uri(uri))

    # --- directories: getdents batches ------------------------------------------------------

    async def iterdir(self: _P) -> AsyncIterator[_P]:
        """The directory's children, in its order, read in batches off the loop."""
        turns = _Turns()
        it = Scandir(self, None)
        try:
            while (got := await it.chunk()) is not None:
                for name in got.names:
                    yield self._child(name)
                    await turns.take()
        finally:
            await it.aclose()

    def _child(self: _P, name: str) -> _P:
        return type(self)(name) if not self.parts else type(self)(_join(str(self), name))

    if sys.version_info >= (3, 12):
        async def walk(self: _P, top_down: bool = True, on_error: OnError = None,
                       follow_symlinks: bool = False) -> AsyncIterator[tuple[_P, list[str], list[str]]]:
            """pathlib's walk(): os.walk's order, but a link to a directory is a file
            unless follow_symlinks; directories listed in batches off the loop."""
            sys.audit("pathlib.Path.walk", self, on_error, follow_symlinks)
            async for top, dirs, files in _walk(str(self), top_down, on_error, follow_symlinks):
                yield type(self)(top), dirs, files

    if sys.version_info >= (3, 13):
        async def glob(self: _P, pattern: Any, *, case_sensitive: bool | None = None,
                       recurse_symlinks: bool = False) -> AsyncIterator[_P]:
            """pathlib's glob() on the engine's listings."""
            sys.audit("pathlib.Path.glob", self, pattern)
            async for p in self._glob(pattern, False, case_sensitive, recurse_symlinks):
                yield p

        async def rglob(self: _P, pattern: Any, *, case_sensitive: bool | None = None,
                        recurse_symlinks: bool = False) -> AsyncIterator[_P]:
            """pathlib's rglob(): glob() of "**/" + pattern."""
            sys.audit("pathlib.Path.rglob", self, pattern)
            async for p in self._glob(pattern, True, case_sensitive, recurse_symlinks):
                yield p
    elif sys.version_info >= (3, 12):
        async def glob(self: _P, pattern: Any, *, case_sensitive: bool | None = None) -> AsyncIterator[_P]:
            """pathlib's glob() on the engine's listings."""
            sys.audit("pathlib.Path.glob", self, pattern)
            async for p in self._glob(pattern, False, case_sensitive):
                yield p

        async def rglob(self: _P, pattern: Any, *, case_sensitive: bool | None = None) -> AsyncIterator[_P]:
            """pathlib's rglob(): glob() of "**/" + pattern."""
            sys.audit("pathlib.Path.rglob", self, pattern)
            async for p in self._glob(pattern, True, case_sensitive):
                yield p
    else:
        async def glob(self: _P, pattern: Any) -> AsyncIterator[_P]:
            """pathlib's glob() on the engine's listings."""
            sys.audit("pathlib.Path.glob", self, pattern)
            async for p in self._glob(pattern, False, None):
                yield p

        async def rglob(self: _P, pattern: Any) -> AsyncIterator[_P]:
            """pathlib's rglob(): glob() of "**/" + pattern."""
            sys.audit("pathlib.Path.rglob", self, pattern)
            async for p in self._glob(pattern, True, None):
                yield p

    async def _glob(self: _P, pattern: Any, recursive: bool, case_sensitive: bool | None,
                    recurse_symlinks: bool = False) -> AsyncIterator[_P]:
        if not _GLOB_ON_ENGINE:  # pathlib's own, listed whole on a thread
            kwargs: dict[str, Any] = {} if case_sensitive is None else {"case_sensitive": case_sensitive}
            if recurse_symlinks:
                kwargs["recurse_symlinks"] = True
            method = self._sync().rglob if recursive else self._sync().glob
            for p in await in_thread(None, lambda: list(method(pattern, **kwargs))):
                yield type(self)(p)
            return
        if sys.version_info >= (3, 13):
            found = _glob313(self, pattern, recursive, case_sensitive, recurse_symlinks)
        else:
            found = _glob312(self, pattern, recursive, case_sensitive)
        turns = _Turns()
        async for s in found:
            yield type(self)(s)
            await turns.take()


class PathInfo:
    """pathlib.types.PathInfo as coroutines (what Path.info gives on 3.14): each of stat
    and lstat asked once (one STATX) and kept, a failure too, as pathlib keeps them."""

    __slots__ = ("_path", "_stat", "_lstat")

    def __init__(self, path: str) -> None:
        self._path = path
        self._stat: os.stat_result | None | bool = None  # False: asked, and it failed
        self._lstat: os.stat_result | None | bool = None

    def __repr__(self) -> str:
        return "<Path.info>"

    async def _get(self, follow_symlinks: bool) -> os.stat_result | None:
        got = self._stat if follow_symlinks else self._lstat
        if got is None:
            try:
                got = await aos.stat(self._path, follow_symlinks=follow_symlinks)
            except (OSError, ValueError):
                got = False
            if follow_symlinks:
                self._stat = got
            else:
                self._lstat = got
        return got if isinstance(got, os.stat_result) else None

    async def exists(self, *, follow_symlinks: bool = True) -> bool:
        return await self._get(follow_symlinks) is not None

    async def is_dir(self, *, follow_symlinks: bool = True) -> bool:
        st = await self._get(follow_symlinks)
        return st is not None and stat.S_ISDIR(st.st_mode)

    async def is_file(self, *, follow_symlinks: bool = True) -> bool:
        st = await self._get(follow_symlinks)
        return st is not None and stat.S_ISREG(st.st_mode)

    async def is_symlink(self) -> bool:
        st = await self._get(False)
        return st is not None and stat.S_ISLNK(st.st_mode)


def _any_mode(mode: int) -> bool:
    return True


class _Turns:
    """Gives the loop its turn once this iteration's time slice is spent (the engine's
    budget): results fetched in batches are handed out without holding the loop."""

    __slots__ = ("_engine",)

    def __init__(self) -> None:
        self._engine = driver.get_driver()

    async def take(self) -> None:
        turn = self._engine.spend_budget()
        if turn is not None:
            await turn


async def _entries(path: str) -> list[Entry]:
    """A directory's entries, with what is_dir() needs fetched by the engine."""
    it = Scandir(path, None)
    out: list[Entry] = []
    try:
        while (got := await it.chunk()) is not None:
            out.extend(await it.entries(got))
    finally:
        await it.aclose()
    return out


def _is_dir(entry: Entry, follow_symlinks: bool = True) -> bool:
    try:
        return entry.is_dir(follow_symlinks=follow_symlinks)
    except OSError:
        return False


async def _walk(top: str, top_down: bool, on_error: OnError, follow_symlinks: bool,
                ) -> AsyncIterator[tuple[str, list[str], list[str]]]:
    """pathlib's walk() on strings (3.12's loop; 3.13 runs os.walk with links to
    directories taken as files, which gives the same)."""
    stack: list[Any] = [top]
    while stack:
        path = stack.pop()
        if isinstance(path, tuple):
            yield path
            continue
        try:
            entries = await _entries(path)
        except OSError as error:
            if on_error is not None:
                on_error(error)
            continue
        dirnames: list[str] = []
        filenames: list[str] = []
        for entry in entries:
            (dirnames if _is_dir(entry, follow_symlinks) else filenames).append(entry.name)
        if top_down:
            yield path, dirnames, filenames
        else:
            stack.append((path, dirnames, filenames))
        stack += [_join_child(path, d) for d in reversed(dirnames)]


def _join_child(path: str, name: str) -> str:
    """A child's path as pathlib makes it ("." dropped in front)."""
    return name if path == "." else _join(path, name)


# --- glob: pathlib's selectors of each version, over the engine's listings ----------------------


def _pattern_parts(pattern: Any, recursive: bool) -> list[str]:
    """The pattern's parts as 3.10-3.12's glob()/rglob() parse them ('' at the end for a
    trailing separator from 3.11 on: 3.10 drops it), with their errors."""
    if not recursive and not pattern:
        raise ValueError(f"Unacceptable pattern: {pattern!r}")
    parsed = pathlib.PurePosixPath(pattern)
    if parsed.anchor:
        raise NotImplementedError("Non-relative patterns are unsupported")
    parts = list(parsed.parts)
    if pattern and pattern[-1] == "/" and sys.version_info >= (3, 11):
        parts.append("")
    return ["**", *parts] if recursive else parts


async def _glob312(self: Path, pattern: Any, recursive: bool, case_sensitive: bool | None) -> AsyncIterator[str]:
    """3.11's and 3.12's selectors: the start must be a directory; each part a selector
    (3.11: a part without wildcards is tested with exists()/is_dir(); 3.12: listed like
    any pattern; '**' the directories below, without following links, in 3.11's
    depth-first or 3.12's walk() order, results deduplicated where a path can come
    twice)."""
    parts = _pattern_parts(pattern, recursive)
    for part in parts:
        if part != "**" and "**" in part:
            raise ValueError("Invalid pattern: '**' can only be an entire path component")
    flags = 0 if case_sensitive in (None, True) else re.IGNORECASE
    if not await self.is_dir():
        return
    async for s in _select312(str(self), parts, flags):
        yield s


async def _select312(path: str, parts: list[str], flags: int) -> AsyncIterator[str]:
    if not parts or not parts[0]:
        yield path
        return
    pat, rest = parts[0], parts[1:]
    dir_only = bool(rest)
    if pat == "**":
        # 3.11 deduplicates every '**'; 3.12 skips the '**' that follow and deduplicates
        # only when another comes later.
        seen: set[str] | None = set()
        if sys.version_info >= (3, 12):
            while rest and rest[0] == "**":
                rest = rest[1:]
            seen = set() if "**" in rest else None
        async for start in (_dirs_below_311(path) if sys.version_info < (3, 12) else _dirs_below_312(path)):
            async for s in _select312(start, rest, flags):
                if seen is None:
                    yield s
                elif s not in seen:
                    seen.add(s)
                    yield s
        return
    if sys.version_info >= (3, 12) and pat == "..":
        async for s in _select312(_join_child(path, ".."), rest, flags):
            yield s
        return
    if sys.version_info < (3, 12) and not _has_magic_311(pat):
        child = Path(_join_child(path, pat))
        try:
            ok = await (child.is_dir() if dir_only else child.exists())
        except PermissionError:
            return
        if ok:
            async for s in _select312(str(child), rest, flags):
                yield s
        return
    match = re.compile(fnmatch.translate(pat), flags).match
    try:
        entries = await _entries(path)
    except PermissionError:
        return
    except OSError:
        if sys.version_info < (3, 12):
            raise
        return
    for entry in entries:
        if dir_only:
            try:
                if not entry.is_dir():
                    continue
            except OSError as e:
                if sys.version_info < (3, 12) and not _ignore_error(e):
                    raise
                continue
        if match(entry.name):
            async for s in _select312(_join_child(path, entry.name), rest, flags):
                yield s


def _has_magic_311(pat: str) -> bool:
    return "*" in pat or "?" in pat or "[" in pat


async def _dirs_below_311(path: str) -> AsyncIterator[str]:
    """3.11's '**': the directory, then each below it depth-first, links not followed."""
    yield path
    try:
        entries = await _entries(path)
    except PermissionError:
        return
    for entry in entries:
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError as e:
            if not _ignore_error(e):
                raise
            is_dir = False
        if is_dir:
            async for d in _dirs_below_311(_join_child(path, entry.name)):
                yield d


async def _dirs_below_312(path: str) -> AsyncIterator[str]:
    """3.12's '**': the directory, then the subdirectories of each directory walk() visits."""
    yield path
    async for top, dirs, _ in _walk(path, True, None, False):
        for d in dirs:
            yield _join_child(top, d)


async def _glob313(self: Path, pattern: Any, recursive: bool, case_sensitive: bool | None,
                   recurse_symlinks: bool) -> AsyncIterator[str]:
    """3.13's glob: glob._Globber's selectors on strings, over the engine's listings."""
    import glob as _globmod

    pat = pattern if isinstance(pattern, pathlib.PurePath) else pathlib.PurePosixPath(pattern)
    raw = pattern if isinstance(pattern, str) else os.fspath(pat)
    if recursive:
        pat = "**" / pat
        raw = "**/" + raw
    if pat.anchor:
        raise NotImplementedError("Non-relative patterns are unsupported")
    parts = list(pat.parts)
    if not parts:
        # 3.13 names the pattern as a Path, 3.14 as it was given.
        shown = pattern if sys.version_info >= (3, 14) or isinstance(pattern, pathlib.PurePath) else pathlib.Path(pattern)
        raise ValueError(f"Unacceptable pattern: {shown!r}")
    if raw[-1] == "/":
        parts.append("")
    globber = _Globber313(case_sensitive, recurse_symlinks, _globmod)
    select = globber.selector(parts[::-1])
    root = str(self)
    async for s in select(root, False):
        if root == ".":
            s = s[2:]
        if parts[-1] == "":
            s = s[:-1]
        elif parts[-1] == "**" and len(s) > len(self.anchor) and s[-1] == "/":
            s = s[:-1]
        yield s


_Select = Callable[[str, bool], AsyncIterator[str]]


class _Globber313:
    """3.13's glob._Globber (pathlib's _StringGlobber), its selectors made async."""

    _SPECIAL = ("", ".", "..")

    def __init__(self, case_sensitive: bool | None, recurse_symlinks: bool, globmod: Any) -> None:
        self.case_pedantic = case_sensitive is not None
        self.flags = 0 if case_sensitive in (None, True) else re.IGNORECASE
        self.follow = recurse_symlinks
        self.glob = globmod

    def compile(self, pat: str) -> Callable[..., Any]:
        regex = self.glob.translate(pat, recursive=True, include_hidden=True, seps="/")
        return re.compile(regex, self.flags).match

    def _magic(self, part: str) -> bool:
        return self.glob.magic_check.search(part) is not None

    def selector(self, parts: list[str]) -> _Select:
        if not parts:
            return self.select_exists
        part = parts.pop()
        if part == "**":
            return self.recursive_selector(part, parts)
        if part in self._SPECIAL:
            return self.special_selector(part, parts)
        if not self.case_pedantic and not self._magic(part):
            return self.literal_selector(part, parts)
        return self.wildcard_selector(part, parts)

    def special_selector(self, part: str, parts: list[str]) -> _Select:
        select_next = self.selector(parts)

        def select_special(path: str, exists: bool = False) -> AsyncIterator[str]:
            return select_next(_add_slash(path) + part, exists)
        return select_special

    def literal_selector(self, part: str, parts: list[str]) -> _Select:
        while parts and not self._magic(parts[-1]):
            part += "/" + parts.pop()
        select_next = self.selector(parts)

        def select_literal(path: str, exists: bool = False) -> AsyncIterator[str]:
            return select_next(_add_slash(path) + part, False)
        return select_literal

    def wildcard_selector(self, part: str, parts: list[str]) -> _Select:
        match = None if part == "*" else self.compile(part)
        dir_only = bool(parts)
        select_next = self.selector(parts) if dir_only else None

        async def select_wildcard(path: str, exists: bool = False) -> AsyncIterator[str]:
            try:
                entries = await _entries(path)
            except OSError:
                return
            for entry in entries:
                if match is None or match(entry.name):
                    if select_next is not None:
                        if not _is_dir(entry):
                            continue
                        async for s in select_next(entry.path, True):
                            yield s
                    else:
                        yield entry.path
        return select_wildcard

    def recursive_selector(self, part: str, parts: list[str]) -> _Select:
        while parts and parts[-1] == "**":
            parts.pop()
        follow = self.follow
        if follow:
            while parts and parts[-1] not in self._SPECIAL:
                part += "/" + parts.pop()
        match = None if part == "**" else self.compile(part)
        dir_only = bool(parts)
        select_next = self.selector(parts)

        async def select_recursive(path: str, exists: bool = False) -> AsyncIterator[str]:
            path = _add_slash(path)
            match_pos = len(path)
            if match is None or match(path, match_pos):
                async for s in select_next(path, exists):
                    yield s
            stack = [path]
            while stack:
                top = stack.pop()
                try:
                    entries = await _entries(top)
                except OSError:
                    continue
                for entry in entries:
                    is_dir = _is_dir(entry, follow)
                    if is_dir or not dir_only:
                        entry_path = entry.path
                        if match is None or match(entry_path, match_pos):
                            if dir_only:
                                async for s in select_next(entry_path, True):
                                    yield s
                            else:
                                yield entry_path
                        if is_dir:
                            stack.append(entry_path)
        return select_recursive

    async def select_exists(self, path: str, exists: bool = False) -> AsyncIterator[str]:
        if exists:
            yield path
            return
        path_arg("lstat", "path", path)  # os.lstat()'s ValueError, which pathlib lets through
        try:
            await aos.stat(path, follow_symlinks=False)
        except OSError:
            return
        yield path


def _add_slash(path: str) -> str:
    return path if not path or path[-1] == "/" else path + "/"

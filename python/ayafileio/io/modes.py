"""Argument checking for open(), with the built-in open()'s rules and messages."""

from __future__ import annotations

import codecs
import functools
import locale
import os
import sys
import warnings
import dataclasses
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..engine import platform
from .. import _versions

_NEWLINES = (None, "", "\n", "\r", "\r\n")


@dataclass(frozen=True)
class Mode:
    """A parsed mode string and the os.open flags it means."""

    text: bool
    readable: bool
    writable: bool
    append: bool
    flags: int
    raw_mode: str  # what the built-in binary file's mode attribute says

    def binary(self) -> Mode:
        return dataclasses.replace(self, text=False)


class NoDirection(ValueError):
    """A mode without r, w, a or x: the built-in open() reports it only after it has
    looked at the file argument (the raw file object checks it)."""


_parsed: dict[str, Mode] = {}


def parse_mode(mode: Any) -> Mode:
    """Parses a mode string (results cached: a program uses a handful of modes)."""
    if type(mode) is str:
        cached = _parsed.get(mode)
        if cached is not None:
            return cached
    parsed = _parse_mode(mode)
    if len(_parsed) < 256:
        _parsed[mode] = parsed
    return parsed


_MODE_CHARS = set("axrwb+tU" if _versions.U_MODE else "axrwb+t")


def _parse_mode(mode: Any) -> Mode:
    if not isinstance(mode, str):
        raise TypeError(f"open() argument 'mode' must be str, not {type(mode).__name__}")
    modes = set(mode)
    if modes - _MODE_CHARS or len(mode) > len(modes):
        raise ValueError(f"invalid mode: '{mode}'")
    universal = "U" in modes  # 3.10 only: reading, with universal newlines (as text modes have anyway)
    creating, reading, writing, appending = "x" in modes, "r" in modes or universal, "w" in modes, "a" in modes
    updating, text, binary = "+" in modes, "t" in modes, "b" in modes
    if universal and (creating or writing or appending or updating):
        raise ValueError("mode U cannot be combined with 'x', 'w', 'a', or '+'")
    if text and binary:
        raise ValueError("can't have text and binary mode at once")
    if creating + reading + writing + appending > 1:
        raise ValueError("must have exactly one of create/read/write/append mode")
    if not (creating or reading or writing or appending):
        raise NoDirection("Must have exactly one of create/read/write/append mode and at most one plus")
    flags = platform.OPEN_FLAGS
    if creating:
        flags |= os.O_EXCL | os.O_CREAT
        raw = "xb"
    elif reading:
        raw = "rb"
    elif writing:
        flags |= os.O_CREAT | os.O_TRUNC
        raw = "rb" if updating and not _versions.FILEIO_MODE_KEEPS_W_PLUS else "wb"
    else:
        flags |= os.O_APPEND | os.O_CREAT
        raw = "ab"
    if updating:
        flags |= os.O_RDWR
        raw += "+"
    elif reading:
        flags |= os.O_RDONLY
    else:
        flags |= os.O_WRONLY
    return Mode(text=not binary, readable=reading or updating, writable=not reading or updating,
                append=appending, flags=flags, raw_mode=raw)


def check_text_args(mode: Mode, encoding: Any, errors: Any, newline: Any, buffering: Any) -> None:
    """Validates the text arguments (for a binary mode: that there are none)."""
    if not mode.text:
        if encoding is not None:
            raise ValueError("binary mode doesn't take an encoding argument")
        if errors is not None:
            raise ValueError("binary mode doesn't take an errors argument")
        if newline is not None:
            raise ValueError("binary mode doesn't take a newline argument")
        if buffering == 1:
            warn_caller("line buffering (buffering=1) isn't supported in binary mode, "
                        "the default buffer size will be used", RuntimeWarning)
        return
    if newline not in _NEWLINES:
        raise ValueError(f"illegal newline value: {newline}")


def resolve_encoding(mode: Mode, encoding: str | None) -> str:
    """The encoding a text file uses ("" for binary): the locale's, as open() asks it at
    every call, when none is given (with open()'s EncodingWarning under -X
    warn_default_encoding). Looked up once the file is open (text_codec)."""
    if not mode.text:
        return ""
    if encoding is None and sys.flags.warn_default_encoding:
        warn_caller("'encoding' argument not specified", EncodingWarning)
    if encoding is None or encoding == "locale":
        return "utf-8" if sys.flags.utf8_mode else _locale_encoding()
    return str(encoding)


# What open() takes for the locale's encoding (locale.getpreferredencoding(False) warns
# under -X warn_default_encoding from 3.11, where getencoding() is the quiet equivalent).
_locale_encoding = getattr(locale, "getencoding", functools.partial(locale.getpreferredencoding, False))
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def warn_caller(message: str, category: type[Warning]) -> None:
    """A warning of open()'s, at the first frame outside this package, as the built-in's
    points at open()'s caller (before 3.12, which has no skip_file_prefixes, at the
    stack level of that frame)."""
    if sys.version_info >= (3, 12):
        warnings.warn(message, category, skip_file_prefixes=(_PACKAGE,))
        return
    level, frame = 1, sys._getframe()
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        level, frame = level + 1, frame.f_back
    warnings.warn(message, category, stacklevel=level)


@functools.lru_cache(maxsize=64)
def text_codec(encoding: str) -> codecs.CodecInfo:
    """The codec for a text encoding: LookupError for an unknown one or for a bytes
    codec such as base64, as open() raises."""
    info = codecs.lookup(encoding)
    if not getattr(info, "_is_text_encoding", True):
        raise LookupError(_versions.NOT_A_TEXT_ENCODING.format(encoding))
    return info


def check_arg_types(mode: Any, buffering: Any, encoding: Any, errors: Any, newline: Any) -> None:
    """open()'s arguments as the built-in parses them, before anything else: in order,
    each one's type and, for a str, that it holds no NUL."""
    if not isinstance(mode, str):
        raise TypeError(f"open() argument 'mode' must be str, not {type(mode).__name__}")
    if "\0" in mode:
        raise ValueError("embedded null character")
    if not isinstance(buffering, int):
        raise TypeError(f"'{type(buffering).__name__}' object cannot be interpreted as an integer")
    for name, value in (("encoding", encoding), ("errors", errors), ("newline", newline)):
        if value is not None:
            if not isinstance(value, str):
                raise TypeError(f"open() argument '{name}' must be str or None, not {type(value).__name__}")
            if "\0" in value:
                raise ValueError("embedded null character")


def check_file_type(file: Any) -> None:
    """open()'s first check: a path-like, a str or bytes, or a number (fd)."""
    if not isinstance(file, (str, bytes, int, float, os.PathLike)):
        raise TypeError(f"expected str, bytes or os.PathLike object, not {type(file).__name__}")


def c_path(name: str | bytes, os_func: str | None = None, arg: str = "path") -> bytes:
    """name (os.fspath()'s result) as the engine takes a path: encoded and NUL-terminated,
    with the ValueError the built-in open() gives for an embedded NUL or, given os_func,
    the one os's function of that name gives for its argument arg."""
    path = platform.encode_for_open(name) if os_func is None else platform.encode_for_os(os_func, arg, name)
    return path + b"\0"


def check_file_arg(file: Any, closefd: bool) -> tuple[bytes | None, int | None, Any]:
    """Returns (the path as c_path() makes it, None, name) or (None, fd, name)."""
    if type(file) is str:  # the usual case, which none of the checks below refuses
        name: str | bytes = file
    else:
        if isinstance(file, bool):
            if _versions.BOOL_FD_WARNS:
                warn_caller("bool is used as a file descriptor", RuntimeWarning)
            file = int(file)
        if isinstance(file, int):
            if file < 0:
                raise ValueError("negative file descriptor")
            return None, file, file
        if not isinstance(file, (str, bytes, os.PathLike)):
            raise TypeError(f"expected str, bytes or os.PathLike object, not {type(file).__name__}")
        name = os.fspath(file)
        if not isinstance(name, (str, bytes)):
            raise TypeError(f"expected str, bytes or os.PathLike object, not {type(name).__name__}")
    path = c_path(name)
    if not closefd:
        raise ValueError("Cannot use closefd=False with file name")
    return path, None, name


class OpenArgs(NamedTuple):
    """open()'s arguments, checked and parsed once."""

    mode: Mode
    mode_arg: str  # as given (a text file's mode attribute)
    buffering: int
    encoding: str  # resolved; "" for binary
    errors: str | None
    newline: str | None
    closefd: bool
    opener: Any
    path: bytes | None  # NUL-terminated; None when file is a descriptor
    fd: int | None
    name: Any  # the file argument as the file's name attribute shows it


def parse_open_args(file: Any, mode: Any, buffering: Any, encoding: Any, errors: Any, newline: Any, closefd: bool,
                    opener: Any) -> OpenArgs:
    """Checks open()'s arguments in the built-in's order: the types, the file argument's
    type, the mode, the text arguments, then what the raw file checks (the mode's
    direction, the name). A set of the other arguments that passed once (and warned of
    nothing) is known valid: only the file argument is checked again."""
    try:
        parsed = _valid.get((mode, buffering, encoding, errors, newline)) if type(buffering) is int else None
    except TypeError:  # an unhashable argument, refused below
        parsed = None
    if parsed is None:
        parsed = _check_args(file, mode, buffering, encoding, errors, newline, closefd)
    path, fd, name = check_file_arg(file, closefd)
    args: OpenArgs = _new_tuple(OpenArgs, (parsed, mode, buffering, resolve_encoding(parsed, encoding), errors,
                                           newline, closefd, opener, path, fd, name))
    return args


_new_tuple: Any = tuple.__new__  # OpenArgs(...) without its Python frame (namedtuple's __new__)


def _check_args(file: Any, mode: Any, buffering: Any, encoding: Any, errors: Any, newline: Any,
                closefd: bool) -> Mode:
    """The checks before the file argument's own; the parsed mode."""
    check_arg_types(mode, buffering, encoding, errors, newline)
    check_file_type(file)
    try:
        parsed = parse_mode(mode)
    except NoDirection as e:
        check_file_arg(file, closefd)
        raise ValueError(str(e)) from None
    if "U" in mode:  # (refused above but on 3.10)
        warn_caller("'U' mode is deprecated", DeprecationWarning)
    check_text_args(parsed, encoding, errors, newline, buffering)
    if (parsed.text or buffering != 1) and "U" not in mode and type(mode) is str and len(_valid) < 256:
        _valid[mode, buffering, encoding, errors, newline] = parsed  # (a warning is given every time)
    return parsed


# open()'s arguments but the file, known valid: (mode, buffering, encoding, errors,
# newline) -> the parsed mode. Keyed on an int buffering only (1.0 == 1, and open()
# refuses a float); the others are str or None, whose equality is their value's.
_valid: dict[tuple[Any, ...], Mode] = {}

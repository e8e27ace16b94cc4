"""Loads the gopy-built extension lazily, so that importing ayafileio starts no Go runtime.

The extension is imported as a plain extension module: gopy's generated wrapper changes
the working directory while it imports and hooks every garbage collection, and neither
is wanted here.
"""

from __future__ import annotations

import importlib
import json
import os
from types import ModuleType
from typing import Any

_module: ModuleType | None = None
_loaded = False
_forked_after_load = False  # set in a child by the at-fork hook: a flag, not a getpid() per call


class ForkedChildError(RuntimeError):
    """The Go runtime does not survive fork(): this process was forked after it started."""


def _after_fork_in_child() -> None:
    global _module, _forked_after_load
    _module = None  # never call into the parent's Go runtime from the child
    _forked_after_load = _loaded


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def forked_after_load() -> bool:
    """True in a child forked after this process's parent had started the Go runtime
    (by os.fork(), and so multiprocessing's fork start method: Python's at-fork hooks
    tell; a C extension's own fork() is not seen)."""
    return _forked_after_load


def lib() -> Any:
    """The extension module, loaded on first use in this process."""
    global _module, _loaded
    if _module is not None:
        return _module
    if forked_after_load():
        raise ForkedChildError(
            "ayafileio's native engine was started before this process was forked; "
            "Go's runtime does not survive fork(), so this call cannot be made in the "
            "child (file I/O still works there, on threads; configuration does not)"
        )
    _module = importlib.import_module("ayafileio._ayacore")
    _loaded = True
    return _module


def call_json(name: str, *args: Any) -> Any:
    """Calls an exported function that answers in JSON."""
    return json.loads(getattr(lib(), "pybind_" + name)(*args))

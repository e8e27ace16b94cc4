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
_loaded_in_pid: int | None = None


class ForkedChildError(RuntimeError):
    """The Go runtime does not survive fork(): this process was forked after it started."""


def _after_fork_in_child() -> None:
    global _module
    _module = None  # never call into the parent's Go runtime from the child


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def lib() -> Any:
    """The extension module, loaded on first use in this process."""
    global _module, _loaded_in_pid
    if _module is not None:
        return _module
    if _loaded_in_pid is not None and _loaded_in_pid != os.getpid():
        raise ForkedChildError(
            "ayafileio's native engine was started before this process was forked; "
            "Go's runtime does not survive fork(), so the native engine cannot be used "
            "in the child (start child processes with the 'spawn' or 'forkserver' method, "
            "or fork before the first file operation)"
        )
    _module = importlib.import_module("ayafileio._ayacore")
    _loaded_in_pid = os.getpid()
    return _module


def call_json(name: str, *args: Any) -> Any:
    """Calls an exported function that answers in JSON."""
    return json.loads(getattr(lib(), "pybind_" + name)(*args))

"""Substituting files in tests: route ayafileio's file calls through Python's io and os
on threads, so that what tests put in their place sees them — ``unittest.mock.patch
("builtins.open")``, pyfakefs's fake file system, aiofiles' documented recipe (patch
``ayafileio.threadpool.sync_open``, register the mock's type with
``ayafileio.threadpool.wrap``).

While it is on:

- ``ayafileio.open()`` (and ``ayafileio.threadpool.open()``) calls the synchronous
  ``open()`` of the moment — ``builtins.open`` as it is bound then, or a patched
  ``ayafileio.threadpool.sync_open`` — on a thread, and returns the file of the mode's
  kind running that object's methods on threads (as aiofiles does);
- ``ayafileio.os``, ``ayafileio.tempfile`` and the whole-file functions (``read_text``,
  ``write_bytes(atomic=True)``, the ``_many`` forms, ...) call ``os``'s functions and
  ``open()`` on threads instead of the engine.

Turn it on with the context manager (in a test, a fixture, or around ``asyncio.run``)::

    with ayafileio.testing.through_io():
        ...

or for a whole process with the environment variable ``AYAFILEIO_THROUGH_IO=1`` (read
when ayafileio is imported). Patching ``ayafileio.threadpool.sync_open`` turns it on for
``open()`` by itself, as aiofiles' recipe expects.

A pytest fixture for a test module or a conftest.py::

    @pytest.fixture(autouse=True)
    def files_through_io():
        with ayafileio.testing.through_io():
            yield
"""

from __future__ import annotations

import builtins
import io
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["ENV", "active", "sync_open", "through_io"]

ENV = "AYAFILEIO_THROUGH_IO"

_BUILTIN_OPEN = io.open  # what ayafileio.threadpool.sync_open is unless a test patched it
_on = 1 if os.environ.get(ENV, "") not in ("", "0") else 0


def active() -> bool:
    """True while file calls go through Python's io and os on threads."""
    return _on > 0


@contextmanager
def through_io() -> Iterator[None]:
    """Routes ayafileio's file calls through Python's io and os on threads inside the
    ``with`` block (nested blocks are fine). Files opened inside stay thread-backed."""
    global _on
    _on += 1
    try:
        yield
    finally:
        _on -= 1


def sync_open() -> Callable[..., Any] | None:
    """The synchronous open() that ayafileio.open() calls now on a thread, or None when
    the engine opens files: a patched ayafileio.threadpool.sync_open, or, while
    through_io() is on, builtins.open as it is bound at this moment."""
    threadpool = sys.modules.get("ayafileio.threadpool")
    patched = getattr(threadpool, "sync_open", _BUILTIN_OPEN)
    if patched is not _BUILTIN_OPEN:
        return patched
    return builtins.open if _on else None

"""Buffers of closed files, kept for the next files to take: C's buffered files malloc
theirs uninitialised, and reusing one is the same (it spares zeroing 64 KiB per open).
At most buffer_pool_max are kept per size."""

from __future__ import annotations

import ctypes
from typing import Any

from ._config import cached_buffer_pool_max

# A buffer with its exported view, its ctypes pin and its address: reused together.
Buffer = tuple[bytearray, memoryview, Any, int]

_free: dict[int, list[Buffer]] = {}


def take(size: int) -> Buffer:
    """A buffer of size bytes (its old content is garbage)."""
    free = _free.get(size)
    if free:
        return free.pop()
    return wrap(bytearray(size))


def wrap(buf: bytearray) -> Buffer:
    view = memoryview(buf)
    pin = ctypes.c_char.from_buffer(buf) if buf else None
    return buf, view, pin, ctypes.addressof(pin) if pin is not None else 0


def give(buffer: Buffer) -> None:
    """Keeps a buffer no request uses any more, if there is room."""
    free = _free.setdefault(len(buffer[0]), [])
    if len(free) < cached_buffer_pool_max():
        free.append(buffer)


def stats() -> dict[str, int]:
    return {"free": sum(len(v) for v in _free.values()),
            "free_bytes": sum(size * len(v) for size, v in _free.items())}


def drain() -> None:
    """Lets go of every kept buffer."""
    _free.clear()

"""Buffers of files that buffer nothing at the moment, kept for the next to take: C's
buffered files malloc theirs uninitialised, and reusing one is the same (it spares
zeroing 64 KiB per open). Sizes go by classes (powers of two from 2 KiB up to the
file's buffer_size), so that a file holds what it buffers, not its capacity. At most
buffer_pool_max are kept per size."""

from __future__ import annotations

import ctypes
from typing import Any

from .config import cached_buffer_pool_max

# A buffer with its exported view, what keeps it in place for a request, and its
# address: reused together.
Buffer = tuple[bytearray, memoryview, Any, int]

_free: dict[int, list[Buffer]] = {}
_SMALLEST = 2048


def size_class(n: int, cap: int) -> int:
    """The buffer size that holds n bytes for a file whose buffer_size is cap."""
    return min(cap, max(_SMALLEST, 1 << (n - 1).bit_length()))


def take(size: int) -> Buffer:
    """A buffer of size bytes (its old content is garbage)."""
    free = _free.get(size)
    if free:
        return free.pop()
    return wrap(bytearray(size))


def wrap(buf: bytearray) -> Buffer:
    view = memoryview(buf)
    # The view's export keeps buf from being resized, so its address holds while the view
    # lives: the view is what a request keeps (a ctypes object and its dict per buffer
    # would cost 0.5 KB more).
    return buf, view, view, ctypes.addressof(ctypes.c_char.from_buffer(buf)) if buf else 0


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

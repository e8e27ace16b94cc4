"""How an event loop hears that an engine has completions waiting: one small strategy,
picked when the engine is created.

- FdListener: the engine's notify fd (an eventfd on Linux, a pipe on macOS) watched with
  add_reader.
- ProactorListener: asyncio's Proactor loop (Windows) has no add_reader; the engine writes
  a byte to one end of a socket pair and the loop's proactor reads the other, as a chain
  of future callbacks (how that loop wakes itself; a Task would be cancelled by
  asyncio.run at exit while tasks still await completions).
- SelectorSocketListener: a selector loop where the engine has no fd to watch (IOCP):
  the same socket pair, watched with add_reader.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Callable
from typing import Any, Protocol


class Listener(Protocol):
    def stop(self) -> None:
        """Stops calling back (the loop may already be closed)."""

    def close(self) -> None:
        """Releases what it holds, once the engine no longer writes to it."""


def listen(loop: asyncio.AbstractEventLoop, notify_fd: int, attach_wake_socket: Callable[[int], int],
           on_ready: Callable[[], None]) -> Listener:
    """The listener for this loop and engine; on_ready runs on the loop when the engine
    signals. attach_wake_socket(fd) makes the engine write to a socket (-errno or 0)."""
    if notify_fd >= 0:
        try:
            return FdListener(loop, notify_fd, on_ready)
        except NotImplementedError:
            pass
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    res = attach_wake_socket(writer.fileno())
    if res < 0:
        reader.close()
        writer.close()
        raise OSError(-res, "ayafileio: cannot attach the wake socket: " + os.strerror(-res))
    # asyncio's proactor loops have no public accessor for their proactor.
    proactor = getattr(loop, "_proactor", None)
    if proactor is not None:
        return ProactorListener(loop, proactor, reader, writer, on_ready)
    return SelectorSocketListener(loop, reader, writer, on_ready)


class FdListener:
    def __init__(self, loop: asyncio.AbstractEventLoop, fd: int, on_ready: Callable[[], None]) -> None:
        loop.add_reader(fd, on_ready)
        self._loop, self._fd = loop, fd

    def stop(self) -> None:
        try:
            self._loop.remove_reader(self._fd)
        except Exception:  # the loop may already be closed
            pass

    def close(self) -> None:
        """The fd is the engine's own."""


class _SocketPair:
    def __init__(self, reader: socket.socket, writer: socket.socket) -> None:
        self._reader, self._writer = reader, writer

    def close(self) -> None:
        self._reader.close()
        self._writer.close()


class ProactorListener(_SocketPair):
    def __init__(self, loop: asyncio.AbstractEventLoop, proactor: Any, reader: socket.socket, writer: socket.socket,
                 on_ready: Callable[[], None]) -> None:
        super().__init__(reader, writer)
        self._loop, self._proactor, self._on_ready = loop, proactor, on_ready
        self._stopped = False
        self._recv()

    def _recv(self) -> None:
        self._future: asyncio.Future[bytes] = self._proactor.recv(self._reader, 4096)
        self._future.add_done_callback(self._received)

    def _received(self, fut: asyncio.Future[bytes]) -> None:
        if self._stopped or fut.cancelled():
            return
        exc = fut.exception()
        if exc is not None:
            self._loop.call_exception_handler({"message": "ayafileio: the wake socket failed", "exception": exc})
            return
        self._on_ready()
        self._recv()

    def stop(self) -> None:
        self._stopped = True
        self._future.cancel()


class SelectorSocketListener(_SocketPair):
    def __init__(self, loop: asyncio.AbstractEventLoop, reader: socket.socket, writer: socket.socket,
                 on_ready: Callable[[], None]) -> None:
        super().__init__(reader, writer)
        self._loop, self._on_ready = loop, on_ready
        loop.add_reader(reader, self._readable)

    def _readable(self) -> None:
        try:
            self._reader.recv(4096)
        except BlockingIOError:
            pass
        self._on_ready()

    def stop(self) -> None:
        try:
            self._loop.remove_reader(self._reader)
        except Exception:  # the loop may already be closed
            pass

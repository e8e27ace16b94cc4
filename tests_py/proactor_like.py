"""An event loop with the contract of asyncio's Windows Proactor loop, as far as
ayafileio relies on it: add_reader() raises NotImplementedError, and the loop's
_proactor has recv(sock, n) returning a future of the bytes. It lets Linux and macOS run
the wake-socket notify path that Windows uses (a real ProactorEventLoop exists only on
Windows). AYAFILEIO_TEST_LOOP=proactor-like makes every test's loop one of these."""

from __future__ import annotations

import asyncio
import socket


class SelectorProactor:
    """IocpProactor.recv(), served by the loop's selector."""

    def __init__(self, loop: ProactorLikeLoop) -> None:
        self._loop = loop

    def recv(self, sock: socket.socket, n: int) -> asyncio.Future[bytes]:
        loop = self._loop
        fut: asyncio.Future[bytes] = loop.create_future()
        fd = sock.fileno()

        def ready() -> None:
            if fut.done():
                return
            try:
                data = sock.recv(n)
            except BlockingIOError:
                return
            except OSError as e:
                loop._remove_reader(fd)
                fut.set_exception(e)
                return
            loop._remove_reader(fd)
            fut.set_result(data)

        loop._add_reader(fd, ready)
        fut.add_done_callback(lambda f: loop._remove_reader(fd) if f.cancelled() and not loop.is_closed() else None)
        return fut


class ProactorLikeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        super().__init__()
        self._proactor = SelectorProactor(self)

    def add_reader(self, *args: object) -> None:  # type: ignore[override]
        raise NotImplementedError  # as asyncio.ProactorEventLoop


class ProactorLikePolicy(asyncio.DefaultEventLoopPolicy):
    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        return ProactorLikeLoop()

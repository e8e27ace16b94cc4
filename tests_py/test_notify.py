"""The notify path for loops without add_reader (asyncio's Proactor loop on Windows): the
engine writes a byte to a socket pair, the loop's proactor reads it."""

from __future__ import annotations

import asyncio
import os
import pathlib
from typing import Any

import pytest

import ayafileio
from ayafileio.engine import driver as _driver, native as _native, notify as _notify
from conftest import open_fds, run_on
from proactor_like import ProactorLikeLoop


def test_wake_socket_serves_a_loop_without_add_reader(tmp_path: pathlib.Path) -> None:
    before = open_fds()
    engines = ayafileio.get_stats()["live_engines"]

    async def one(i: int) -> bytes:
        async with ayafileio.open(tmp_path / f"f{i}", "w+b") as f:
            await f.write(b"%d" % i * 1000)
            await f.seek(0)
            return await f.read()

    async def main() -> None:
        results = await asyncio.gather(*(one(i) for i in range(200)))
        assert results == [b"%d" % i * 1000 for i in range(200)]
        listener = _driver.get_driver()._listener  # type: ignore[attr-defined]
        assert isinstance(listener, _notify.ProactorListener), "the driver should not have found add_reader"
        # Quiet between bursts, then woken again.
        await asyncio.sleep(0.05)
        async with ayafileio.open(tmp_path / "late", "a") as f:
            await f.write("late")

    run_on(ProactorLikeLoop, main())
    assert (tmp_path / "late").read_text() == "late"
    assert ayafileio.get_stats()["live_engines"] == engines
    assert open_fds() <= before, "the wake sockets are closed with the loop"


def test_wake_socket_through_cancellation_and_shutdown(tmp_path: pathlib.Path) -> None:
    """asyncio.run cancels every task at exit; tasks closing files in finally blocks still
    get their completions (the wake path is a future chain, not a task to cancel)."""

    async def writer(i: int, started: asyncio.Event) -> None:
        f = await ayafileio.open(tmp_path / f"w{i}", "wb")
        try:
            started.set()
            while True:
                await f.write(b"x" * 4096)
        finally:
            await f.close()

    async def main() -> None:
        events = [asyncio.Event() for _ in range(20)]
        for i, ev in enumerate(events):
            asyncio.create_task(writer(i, ev))
        for ev in events:
            await ev.wait()
        # Return with the writers running: the runner cancels them.

    run_on(ProactorLikeLoop, main())
    for i in range(20):
        assert (tmp_path / f"w{i}").stat().st_size % 4096 == 0


@pytest.mark.skipif(os.environ.get("AYAFILEIO_TEST_LOOP") != "proactor-like", reason="AYAFILEIO_TEST_LOOP=proactor-like only")
def test_the_suite_runs_on_the_wake_socket(tmp_path: pathlib.Path) -> None:
    """Guards the suite's proactor-like pass: its loops really take the wake-socket path."""

    async def main() -> None:
        assert isinstance(asyncio.get_running_loop(), ProactorLikeLoop)
        async with ayafileio.open(tmp_path / "f", "w") as f:
            await f.write("x")
        assert isinstance(_driver.get_driver()._listener, _notify.ProactorListener)  # type: ignore[attr-defined]

    asyncio.run(main())


def test_wake_socket_on_a_selector_loop_without_notify_fd(tmp_path: pathlib.Path, monkeypatch: Any) -> None:
    """A selector loop on Windows (IOCP has no notify fd): the loop watches the wake
    socket with add_reader. Simulated by hiding the engine's notify fd."""
    real = _native.call_json

    def no_notify_fd(name: str, *args: Any) -> Any:
        ans = real(name, *args)
        if name == "EngineNew" and "notify_fd" in ans:
            ans["notify_fd"] = -1
        return ans

    monkeypatch.setattr(_native, "call_json", no_notify_fd)

    async def main() -> list[bytes]:
        async def one(i: int) -> bytes:
            async with ayafileio.open(tmp_path / f"s{i}", "w+b") as f:
                await f.write(b"%d" % i * 100)
                await f.seek(0)
                return await f.read()

        out = await asyncio.gather(*(one(i) for i in range(100)))
        listener = _driver.get_driver()._listener  # type: ignore[attr-defined]
        assert isinstance(listener, _notify.SelectorSocketListener)
        return out

    assert run_on(asyncio.SelectorEventLoop, main()) == [b"%d" % i * 100 for i in range(100)]

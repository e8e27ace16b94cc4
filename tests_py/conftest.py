from __future__ import annotations

import asyncio
import gc
import os
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from proactor_like import ProactorLikePolicy

# Hypothesis profiles (HYPOTHESIS_PROFILE picks one): "quick" for local runs, "ci" for
# scripts/test; both derandomized, so a run is repeatable. "deep" draws fresh examples
# (give --hypothesis-seed to repeat one), for runs of tens of thousands of examples.
_common: dict[str, Any] = {"deadline": None, "database": None, "print_blob": True,
                           "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                                                     HealthCheck.filter_too_much]}
settings.register_profile("quick", max_examples=100, derandomize=True, **_common)
settings.register_profile("ci", max_examples=2000, derandomize=True, **_common)
# The worker backend's pass: the first pass ran "ci"'s sequences through the same layers
# on io_uring; 500 keep the worker's deep at a quarter of the time.
settings.register_profile("mid", max_examples=500, derandomize=True, **_common)
settings.register_profile("deep", max_examples=int(os.environ.get("AYAFILEIO_DEEP_EXAMPLES", "2500")), **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))

if os.environ.get("AYAFILEIO_TEST_LOOP") == "proactor-like":
    asyncio.set_event_loop_policy(ProactorLikePolicy())


if sys.platform == "win32":
    # asyncio's Proactor loop wakes itself (call_soon_threadsafe: every run_in_executor
    # result) by a one-byte send() on a non-blocking loopback socket and drops an OSError
    # from it. Wine 8's non-blocking send() fails now and then with WSAEWOULDBLOCK on
    # that idle socket (apparently WineHQ bug 53486: Wine asks poll() for POLLOUT, which
    # Linux may withhold from a TCP socket whose send would succeed, instead of trying
    # the send), so the wake-up is lost and the loop waits in GetQueuedCompletionStatus
    # forever. When the send fails, a completion posted to the loop's own port wakes it
    # instead: key 0 and an address that is no OVERLAPPED of the loop's (1), which _poll
    # skips (a NULL address would make _overlapped.GetQueuedCompletionStatus raise). On
    # Windows itself the send fails only when the socket is full, and the extra wake-up
    # costs one iteration.
    import _overlapped
    from asyncio import proactor_events

    def _write_to_self(self: Any) -> None:
        csock = self._csock
        if csock is None:
            return
        try:
            csock.send(b"\0")
        except OSError:
            iocp = getattr(self._proactor, "_iocp", None)
            if iocp is not None:
                try:
                    _overlapped.PostQueuedCompletionStatus(iocp, 0, 0, 1)
                except OSError:  # the loop closed meanwhile
                    pass

    proactor_events.BaseProactorEventLoop._write_to_self = _write_to_self  # type: ignore[method-assign]


@pytest.fixture
def run() -> Callable[[Coroutine[Any, Any, Any]], Any]:
    """Runs a coroutine on a fresh event loop (the package creates one engine per loop)."""
    return asyncio.run


def run_on(loop_factory: Callable[[], asyncio.AbstractEventLoop], main: Coroutine[Any, Any, Any]) -> Any:
    """asyncio.run(main) on a loop that loop_factory makes: asyncio.Runner's loop_factory
    (3.11), or on 3.10 a policy that makes it for asyncio.run."""
    if sys.version_info >= (3, 11):
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            return runner.run(main)

    class Policy(asyncio.DefaultEventLoopPolicy):
        def new_event_loop(self) -> asyncio.AbstractEventLoop:
            return loop_factory()

    before = asyncio.get_event_loop_policy()
    asyncio.set_event_loop_policy(Policy())
    try:
        return asyncio.run(main)
    finally:
        asyncio.set_event_loop_policy(before)


_shared_loop: asyncio.AbstractEventLoop | None = None


def shared_loop() -> asyncio.AbstractEventLoop:
    """One event loop (and so one engine) for every example of a generated test: a loop
    per example would spend the test's time creating engines."""
    global _shared_loop
    if _shared_loop is None or _shared_loop.is_closed():
        _shared_loop = asyncio.new_event_loop()
    return _shared_loop


def open_fds() -> int:
    """Descriptors that a leak would show: files, pipes and io_uring instances (on
    Windows, every handle of the process). The Go runtime opens a few of its own once
    per process (its netpoller's epoll and eventfd, cgroup files when GOMAXPROCS
    changes), and the engine keeps /proc/self/mountinfo open once per process (to poll
    for mount changes); those are left out, and engines are counted by
    get_stats()["live_engines"]."""
    if sys.platform == "win32":
        import ctypes

        count = ctypes.c_ulong()
        ctypes.windll.kernel32.GetProcessHandleCount(ctypes.windll.kernel32.GetCurrentProcess(), ctypes.byref(count))
        return count.value
    return _open_posix_fds()


def _open_posix_fds() -> int:
    count = 0
    fd_dir = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(f"{fd_dir}/{fd}")
        except OSError:
            target = ""  # /dev/fd entries on macOS are not links
        if target in ("anon_inode:[eventpoll]", "anon_inode:[eventfd]") or target.startswith("/sys/fs/cgroup") \
                or (target.startswith("/proc/") and target.endswith("/mountinfo")):
            continue
        count += 1
    return count


# sys.platform too: under Wine, Windows sees Linux's /proc through drive Z:.
linux_only = pytest.mark.skipif(sys.platform != "linux" or not os.path.isdir("/proc/self"),
                                reason="reads /proc (Linux)")
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX: fork(), pipes as files, or rlimits")


async def loop_gaps(work: Awaitable[Any]) -> tuple[Any, list[float]]:
    """work's result, and the sorted gaps between the turns a task yielding at every
    iteration got while work ran: how long work held the loop at a time. Python's cycle
    collector is paused meanwhile: late in a long session a full collection holds the
    loop for 100+ ms (seen: 155 ms in one gap), which is the interpreter's, not work's."""
    gaps: list[float] = []
    done = False

    async def ticker() -> None:
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    gc.collect()
    gc.disable()
    t = asyncio.ensure_future(ticker())
    await asyncio.sleep(0)
    try:
        got = await work
    finally:
        done = True
        await t
        gc.enable()
    return got, sorted(gaps)

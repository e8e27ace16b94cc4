"""A 1 ms timer beside a workload: how late the event loop wakes it."""

from __future__ import annotations

import asyncio
import time

from .base import percentile


class Heartbeat:
    """A 1 ms sleeper on the running loop, while in the block, recording how late the
    loop wakes it."""

    def __init__(self) -> None:
        self.lateness: list[float] = []
        self.stop = False

    async def _beat(self) -> None:
        while not self.stop:
            t = time.perf_counter()
            await asyncio.sleep(0.001)
            self.lateness.append(time.perf_counter() - t - 0.001)

    async def __aenter__(self) -> Heartbeat:
        self.task = asyncio.create_task(self._beat())
        await asyncio.sleep(0.01)  # beating before the work starts
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop = True
        await self.task

    def extra(self) -> dict[str, float]:
        """Result.extra's timer figures: lateness p50, p99 and worst, in ms."""
        late = sorted(self.lateness)
        return {"lag_p50_ms": percentile(late, 0.5) * 1e3, "lag_p99_ms": percentile(late, 0.99) * 1e3,
                "lag_max_ms": late[-1] * 1e3 if late else 0.0, "lag_samples": float(len(late))}


class _Heartbeat:
    """A 1 ms sleeper beside a workload: how late the loop wakes it (p50, p99)."""

    def __init__(self) -> None:
        self.lateness: list[float] = []
        self.stop = False
        self.task = asyncio.ensure_future(self._beat())

    async def _beat(self) -> None:
        while not self.stop:
            t = time.perf_counter()
            await asyncio.sleep(0.001)
            self.lateness.append(time.perf_counter() - t - 0.001)

    async def result(self) -> dict[str, float]:
        self.stop = True
        await self.task
        late = sorted(self.lateness)
        return {"lag_p50_ms": percentile(late, 0.5) * 1e3, "lag_p99_ms": percentile(late, 0.99) * 1e3,
                "lag_samples": float(len(late))}


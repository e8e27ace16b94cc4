"""A 1 ms timer beside a workload: how late the event loop wakes it."""

from __future__ import annotations

import asyncio
import time

from .base import percentile


class Heartbeat:
    """A 1 ms sleeper on the running loop, from start() to halt() (or while in the
    block), recording how late the loop wakes it."""

    def __init__(self) -> None:
        self.lateness: list[float] = []
        self.stop = False

    async def _beat(self) -> None:
        while not self.stop:
            t = time.perf_counter()
            await asyncio.sleep(0.001)
            self.lateness.append(time.perf_counter() - t - 0.001)

    def start(self) -> None:
        self.task = asyncio.ensure_future(self._beat())

    async def halt(self) -> None:
        self.stop = True
        await self.task

    async def __aenter__(self) -> Heartbeat:
        self.start()
        await asyncio.sleep(0.01)  # beating before the work starts
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.halt()

    def extra(self, worst: bool = True) -> dict[str, float]:
        return lateness_figures(self.lateness, worst)


def lateness_figures(lateness: list[float], worst: bool) -> dict[str, float]:
    """Result.extra's timer figures: lateness p50, p99 (and, with worst, the largest), in ms."""
    late = sorted(lateness)
    figures = {"lag_p50_ms": percentile(late, 0.5) * 1e3, "lag_p99_ms": percentile(late, 0.99) * 1e3}
    if worst:
        figures["lag_max_ms"] = late[-1] * 1e3 if late else 0.0
    figures["lag_samples"] = float(len(late))
    return figures

"""What a workload is (Workload) and what one run of it answers (Result)."""

from __future__ import annotations

from dataclasses import dataclass, field

from peers.base import Lib
from sizes import Sizes


@dataclass
class Result:
    rate: float
    unit: str
    latencies: list[float] = field(default_factory=list)  # seconds per operation
    mismatches: int = 0
    extra: dict[str, float] = field(default_factory=dict)


class Workload:
    name = ""
    unit = ""
    on_asyncio_only = True  # written with asyncio's own calls: n/a on a library with a loop of another kind

    def __init__(self, sizes: Sizes, base: str) -> None:
        self.s = sizes
        self.base = base

    def prepare(self, files: bool) -> None:
        """The workload's data, rebuilt the same in every process; with files=True also
        the shared input files (made once, by the parent, for every library and round)."""

    async def run(self, lib: Lib, out: str) -> Result:
        raise NotImplementedError


def percentile(xs: list[float], q: float) -> float:
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * q))]


"""The C++ ayafileio 2.0 from PyPI, unpacked by scripts/bench as ayafileio_cpp."""

from __future__ import annotations

from .ayafileio import Ayafileio
from .base import unpacked


class AyafileioCpp(Ayafileio):
    """The C++ original (ayafileio 2.0.0 on PyPI: liburing), loaded as ayafileio_cpp;
    the same calls (its open() is a context manager, aopen() the awaitable)."""

    name = "ayafileio 2.0 (C++)"

    def __init__(self) -> None:
        self.m = unpacked("ayafileio_cpp")
        self.aopen = self.m.aopen
        self.os = None  # no os functions

    async def write_atomic(self, path: str, data: bytes) -> None:
        raise NotImplementedError  # no atomic write


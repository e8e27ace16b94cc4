"""aiofiles-x: aiofiles' API in C++, unpacked by scripts/bench as aiofiles_x."""

from __future__ import annotations

from .aiofiles import Aiofiles
from .base import unpacked


class AiofilesX(Aiofiles):
    """aiofiles-x (C++, calls its file methods on the loop's thread), aiofiles' API;
    installed as "aiofiles", loaded here as aiofiles_x."""

    name = "aiofiles-x"

    def __init__(self) -> None:
        self.m = unpacked("aiofiles_x")
        self.os = getattr(self.m, "os", None)


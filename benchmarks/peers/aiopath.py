"""aiopath's AsyncPath."""

from __future__ import annotations

from .base import Lib, PathApi, unpacked


class AioPath(Lib):
    """aiopath's AsyncPath (pathlib's API on aiofile and threads). On Python 3.11 its
    last release for it (0.6) pins anyio<4: scripts/bench unpacks it into .peers/."""

    name = "aiopath"

    def __init__(self) -> None:
        try:
            import aiopath
        except ImportError:
            aiopath = unpacked("aiopath")
        self.apath = PathApi(aiopath.AsyncPath)


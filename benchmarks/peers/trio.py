"""trio.Path, on trio's own event loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .base import Lib, PathApi


class TrioPathApi(PathApi):
    """trio.Path: its rglob is awaited whole (pathlib's, listed on a thread)."""

    async def rglob(self, top: str) -> list[Any]:
        return list(await self.cls(top).rglob("*"))


class TrioPath(Lib):
    """trio.Path (pathlib's calls on trio's threads), in a trio run of its own."""

    name = "trio.Path"
    on_asyncio = False

    def __init__(self) -> None:
        import trio

        self.trio = trio
        self.apath = TrioPathApi(trio.Path)

    def run(self, main: Callable[[], Any]) -> Any:
        return self.trio.run(main)


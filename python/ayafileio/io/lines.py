"""Line iteration (``async for line in f``) for the file-like objects that are not
AsyncFile: readline() until it returns an empty line."""

from __future__ import annotations

from typing import Any


class ReadlineIteration:
    """``async for`` over readline(), for a class that has it."""

    async def readline(self, size: int = -1) -> Any:
        raise NotImplementedError

    def __aiter__(self) -> ReadlineIteration:
        return self

    async def __anext__(self) -> Any:
        line = await self.readline()
        if not line:
            raise StopAsyncIteration
        return line

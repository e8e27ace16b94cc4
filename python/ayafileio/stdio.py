"""stdin, stdout, stderr and their _bytes forms, as aiofiles has them: each call looks
up sys.stdout (or the others) afresh, so a reassigned or captured stream is followed,
and runs the stream's method on one thread of its own. Those streams are Python objects
(a capture is not even a descriptor), so the engine cannot write them; the one thread
keeps calls in the order they were made, which a pool would not.
"""

from __future__ import annotations

import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .io.answer import AwaitableBool, answer
from .io.lines import ReadlineIteration

_executor: ThreadPoolExecutor | None = None


def _thread() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(1, thread_name_prefix="ayafileio-stdio")
    return _executor


class IndirectStream(ReadlineIteration):
    """sys.<name> (its .buffer when binary), found at each call."""

    def __init__(self, name: str, binary: bool) -> None:
        self._name, self._binary = name, binary

    @property
    def stream(self) -> Any:
        s = getattr(sys, self._name)
        return s.buffer if self._binary else s

    async def _call(self, method: str, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(_thread(), getattr(self.stream, method), *args)

    async def read(self, size: int = -1) -> Any:
        return await self._call("read", size)

    async def readline(self, size: int = -1) -> Any:
        return await self._call("readline", size)

    async def readlines(self, hint: int = -1) -> list[Any]:
        return list(await self._call("readlines", hint))

    async def write(self, data: Any) -> int:
        return int(await self._call("write", data))

    async def writelines(self, lines: Any) -> None:
        await self._call("writelines", lines)

    async def flush(self) -> None:
        await self._call("flush")

    async def tell(self) -> int:
        return int(await self._call("tell"))

    async def seek(self, offset: int, whence: int = 0) -> int:
        return int(await self._call("seek", offset, whence))

    async def truncate(self, size: int | None = None) -> int:
        return int(await self._call("truncate", size))

    async def close(self) -> None:
        """Closes the stream itself (sys.<name>), as aiofiles' close does."""
        await self._call("close")

    def fileno(self) -> int:
        return int(self.stream.fileno())

    # io's answers, also awaitable as aiofiles' are: flags of the stream (seekable() asks
    # the descriptor once; the stream remembers it), no file data.
    def isatty(self) -> AwaitableBool:
        return answer(self.stream.isatty())

    def readable(self) -> AwaitableBool:
        return answer(self.stream.readable())

    def writable(self) -> AwaitableBool:
        return answer(self.stream.writable())

    def seekable(self) -> AwaitableBool:
        return answer(self.stream.seekable())

    @property
    def closed(self) -> bool:
        return bool(self.stream.closed)

    @property
    def name(self) -> Any:
        return getattr(self.stream, "name", None)

    def __repr__(self) -> str:
        return f"<ayafileio stream sys.{self._name}{'.buffer' if self._binary else ''}>"


class IndirectText(IndirectStream):
    """sys.stdin, sys.stdout or sys.stderr (aiofiles' AsyncTextIndirectIOWrapper)."""

    def __init__(self, name: str) -> None:
        super().__init__(name, binary=False)


class IndirectBytes(IndirectStream):
    """Their .buffer (aiofiles' AsyncIndirectBufferedIOBase)."""

    def __init__(self, name: str) -> None:
        super().__init__(name, binary=True)

    async def read1(self, size: int = -1) -> bytes:
        return bytes(await self._call("read1", size))

    async def readinto(self, buffer: Any) -> int:
        return int(await self._call("readinto", buffer))


stdin = IndirectText("stdin")
stdout = IndirectText("stdout")
stderr = IndirectText("stderr")
stdin_bytes = IndirectBytes("stdin")
stdout_bytes = IndirectBytes("stdout")
stderr_bytes = IndirectBytes("stderr")

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

from ._lines import ReadlineIteration

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

    def fileno(self) -> int:
        return int(self.stream.fileno())

    def isatty(self) -> bool:
        return bool(self.stream.isatty())

    @property
    def closed(self) -> bool:
        return bool(self.stream.closed)

    @property
    def name(self) -> Any:
        return getattr(self.stream, "name", None)

    def __repr__(self) -> str:
        return f"<ayafileio stream sys.{self._name}{'.buffer' if self._binary else ''}>"


stdin = IndirectStream("stdin", False)
stdout = IndirectStream("stdout", False)
stderr = IndirectStream("stderr", False)
stdin_bytes = IndirectStream("stdin", True)
stdout_bytes = IndirectStream("stdout", True)
stderr_bytes = IndirectStream("stderr", True)

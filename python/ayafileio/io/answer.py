"""What readable(), writable(), seekable() and isatty() return: io's answer and aiofiles'
at once. io's methods return a bool (``if f.seekable():``); aiofiles' are coroutines
(``if await f.seekable():``). An AwaitableBool is an int of value 0 or 1 that tests,
compares, hashes, prints and formats as False/True, and whose ``await`` gives the plain
bool without suspending.

The corner it cannot cover: it is not the bool singleton, so ``f.seekable() is True``
is False (``== True`` holds), ``isinstance(answer, bool)`` is False and json.dumps
writes 1/0. Type checkers are told it is a bool (bool cannot be subclassed at run
time), so annotated code that stores the answer in a bool type-checks both ways.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    class AwaitableBool(bool):  # type: ignore[misc]  # bool is final; at run time an int subclass
        def __await__(self) -> Generator[Any, None, bool]: ...
else:
    class AwaitableBool(int):
        __slots__ = ()

        def __await__(self) -> Generator[Any, None, bool]:
            yield from ()  # a generator that finishes at once: awaiting never suspends
            return bool(self)

        def __repr__(self) -> str:
            return repr(bool(self))

        __str__ = __repr__

        def __format__(self, spec: str) -> str:
            return format(bool(self), spec)


TRUE = AwaitableBool(1)
FALSE = AwaitableBool(0)


def answer(value: bool) -> AwaitableBool:
    return TRUE if value else FALSE

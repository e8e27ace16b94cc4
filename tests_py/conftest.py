from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine
from typing import Any

import pytest


@pytest.fixture
def run() -> Callable[[Coroutine[Any, Any, Any]], Any]:
    """Runs a coroutine on a fresh event loop (the package creates one engine per loop)."""
    return asyncio.run


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))

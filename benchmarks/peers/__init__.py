"""The libraries the suite compares, by the key --libs takes: one adapter module each
(the standard library's two baselines share stdlib.py)."""

from __future__ import annotations

from collections.abc import Callable

from .aerofs import Aerofs
from .aiofile import Aiofile
from .aiofiles import Aiofiles
from .aiofiles_x import AiofilesX
from .aiopath import AioPath
from .anyio import Anyio
from .ayafileio import Ayafileio, AyafileioFair, AyafileioWorker
from .ayafileio_cpp import AyafileioCpp
from .base import Lib
from .stdlib import Blocking, ToThread
from .trio import TrioPath

LIBS: dict[str, Callable[[], Lib]] = {
    "ayafileio": Ayafileio, "ayafileio-worker": AyafileioWorker, "ayafileio-fair": AyafileioFair, "aiofiles": Aiofiles,
    "ayafileio-cpp": AyafileioCpp, "aiofile": Aiofile, "aerofs": Aerofs, "aiofiles-x": AiofilesX,
    "anyio": Anyio, "to_thread": ToThread, "blocking": Blocking, "aiopath": AioPath, "trio": TrioPath,
}

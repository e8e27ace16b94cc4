"""aiofiles' name for ``ayafileio.os.path``: code that renamed ``import aiofiles`` and
calls ``aiofiles.ospath.exists(...)`` keeps working. The functions are os.path's."""

from .os.path import *  # noqa: F403  (the same functions, under aiofiles' module name)
from .os.path import __all__  # noqa: F401

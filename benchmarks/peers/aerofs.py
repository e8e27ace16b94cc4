"""aerofs: aiofiles' API in Rust."""

from __future__ import annotations

from .aiofiles import Aiofiles


class Aerofs(Aiofiles):
    """aerofs (Rust, tokio threads), aiofiles' API."""

    name = "aerofs"

    def __init__(self) -> None:
        import aerofs
        import aerofs.os

        self.m = aerofs
        self.os = aerofs.os


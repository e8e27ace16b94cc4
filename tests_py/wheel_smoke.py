"""A built wheel's smoke test (cibuildwheel's test command): the backend it reports, and
one file written, appended to and read back on the platform's default event loop (on
Windows, asyncio's Proactor loop, woken through the engine's wake socket)."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile

import ayafileio


async def main(path: str) -> None:
    async with ayafileio.open(path, "w", encoding="utf-8") as f:
        await f.write("line 1\n")
    async with ayafileio.open(path, "a", encoding="utf-8") as f:
        await f.write("line 2\n")
    async with ayafileio.open(path, encoding="utf-8") as f:
        lines = [line async for line in f]
    assert lines == ["line 1\n", "line 2\n"], lines


if __name__ == "__main__":
    print(json.dumps(ayafileio.get_backend_info()))
    with tempfile.TemporaryDirectory() as d:
        asyncio.run(main(os.path.join(d, "smoke.txt")))
    print("wheel smoke test passed")

"""Data whose reads and writes can be checked."""

from __future__ import annotations

from typing import Any

from sizes import BLOCK, MiB


def make_item(i: int) -> dict[str, Any]:
    return {"id": i, "url": f"https://example.com/item/{i}", "title": f"Item número {i} ✓",
            "tags": ["alpha", "beta", "gamma"], "price": i * 1.25,
            "description": "lorem ipsum dolor sit amet " * 25}


def block_pattern(index: int) -> bytes:
    """Block index as 8 bytes, repeated over a 4 KiB block: any read can be checked."""
    return index.to_bytes(8, "little") * (BLOCK // 8)


def write_pattern_file(path: str, size: int) -> None:
    with open(path, "wb") as f:
        chunk = bytearray()
        for i in range(size // BLOCK):
            chunk += block_pattern(i)
            if len(chunk) >= MiB:
                f.write(chunk)
                chunk.clear()
        f.write(chunk)


def check_blocks(data: bytes | bytearray | memoryview, first_block: int) -> int:
    """Mismatching blocks in data read from a pattern file at first_block."""
    bad = 0
    for k in range(len(data) // BLOCK):
        want = (first_block + k).to_bytes(8, "little")
        start = k * BLOCK
        if data[start : start + 8] != want or data[start + BLOCK - 8 : start + BLOCK] != want:
            bad += 1
    return bad


def warm(path: str) -> None:
    with open(path, "rb") as f:
        while f.read(8 * MiB):
            pass


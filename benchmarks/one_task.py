"""Per-call cost for one task alone: a loop of awaited calls (after a warm-up), µs per
call, beside the same call made blocking on the loop's thread. What issue 18's "a cached
open+read+close within 3x of the blocking loop" is measured with.

--bytecodes counts instead of timing: the Python function calls and bytecodes executed
per call (sys.settrace, with the loop iteration's budget lifted so that the tracer's
slowness does not make tasks wait for turns). The counts are the same in every run, so a
change to the Python layers shows as a number where timings on a shared machine scatter
by more than it; --by-function adds the functions that execute the most.

    python benchmarks/one_task.py                 # in the system temp dir
    python benchmarks/one_task.py --dir /dev/shm --n 5000
    python benchmarks/one_task.py --dir /dev/shm --bytecodes --by-function 15
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from types import FrameType
from typing import Any

import ayafileio

TEXT = "0123456789abcdef" * 62 + "\n" * 8  # 1,000 characters


async def main(d: str, n: int, bytecodes: bool, by_function: int) -> None:
    cached = os.path.join(d, "cached")
    with open(cached, "w") as f:
        f.write(TEXT)
    count = iter(range(1 << 62))

    def new_name() -> str:
        return os.path.join(d, f"new{next(count)}")

    async def stat() -> None:
        await ayafileio.os.stat(cached)

    async def open_close() -> None:
        f = await ayafileio.open(cached, "rb")
        await f.close()

    async def open_read_close() -> None:
        async with ayafileio.open(cached, "rb") as f:
            await f.read(4096)

    async def open_read_all_close() -> None:
        async with ayafileio.open(cached, "rb") as f:
            await f.read()

    async def open_text_read_close() -> None:
        async with ayafileio.open(cached, encoding="utf-8") as f:
            await f.read()

    async def read_bytes() -> None:
        await ayafileio.read_bytes(cached)

    async def write_text_new() -> None:
        await ayafileio.write_text(new_name(), TEXT)

    async def open_write_close_new() -> None:
        async with ayafileio.open(new_name(), "w", encoding="utf-8") as f:
            await f.write(TEXT)

    def blocking_read() -> None:
        with open(cached, "rb") as f:
            f.read(4096)

    def blocking_read_all() -> None:
        with open(cached, "rb") as f:
            f.read()

    def blocking_text_read() -> None:
        with open(cached, encoding="utf-8") as f:
            f.read()

    def blocking_write() -> None:
        with open(new_name(), "w") as f:
            f.write(TEXT)

    async def timed(name: str, call: Callable[[], Awaitable[None]]) -> None:
        for _ in range(200):
            await call()
        if bytecodes:
            await counted(name, call)
            return
        t0 = time.perf_counter()
        for _ in range(n):
            await call()
        print(f"{name:28s} {(time.perf_counter() - t0) / n * 1e6:7.1f} µs")

    async def counted(name: str, call: Callable[[], Awaitable[None]]) -> None:
        ops: collections.Counter[str] = collections.Counter()
        calls: collections.Counter[str] = collections.Counter()

        def trace(frame: FrameType, event: str, arg: Any) -> Any:
            code = frame.f_code
            where = f"{os.path.basename(code.co_filename)}:{code.co_firstlineno} {code.co_name}"
            calls[where] += 1  # a call, or a coroutine's resumption
            frame.f_trace_opcodes = True

            def opcode(frame: FrameType, event: str, arg: Any) -> Any:
                if event == "opcode":
                    ops[where] += 1
                return opcode
            return opcode

        runs = 200
        sys.settrace(trace)
        try:
            for _ in range(runs):
                await call()
        finally:
            sys.settrace(None)
        print(f"{name:28s} {sum(calls.values()) / runs:5.0f} calls {sum(ops.values()) / runs:6.0f} bytecodes")
        for where, count in ops.most_common(by_function):
            print(f"    {count / runs:6.1f} bytecodes {calls[where] / runs:5.2f} calls  {where}")

    async def blocking(call: Callable[[], object]) -> None:
        call()

    await timed("os.stat (cached)", stat)
    await timed("open + close", open_close)
    await timed("open + read(4096) + close", open_read_close)
    await timed("  the same, blocking", lambda: blocking(blocking_read))
    await timed("open + read() + close", open_read_all_close)
    await timed("  the same, blocking", lambda: blocking(blocking_read_all))
    await timed("open(\"r\") + read() + close", open_text_read_close)
    await timed("  the same, blocking", lambda: blocking(blocking_text_read))
    await timed("read_bytes", read_bytes)
    await timed("write_text, new file", write_text_new)
    await timed("open(\"w\") + write + close", open_write_close_new)
    await timed("  both, blocking", lambda: blocking(blocking_write))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", default=None, help="where the files go (default: the system temp dir)")
    parser.add_argument("--n", type=int, default=5000, help="calls per measurement")
    parser.add_argument("--bytecodes", action="store_true", help="count calls and bytecodes per call, not time")
    parser.add_argument("--by-function", type=int, default=0, metavar="K",
                        help="with --bytecodes: the K functions that execute the most")
    args = parser.parse_args()
    if args.bytecodes:
        ayafileio.configure(adaptive_target_latency_us=1_000_000)
    with tempfile.TemporaryDirectory(dir=args.dir) as d:
        asyncio.run(main(d, args.n, args.bytecodes, args.by_function))

"""ayafileio against its peers, side by side in one run.

Libraries run interleaved (A B A B ...) for every round, each (workload, library, round)
in a fresh process (a library's leftover threads must not tax the next one: the C++
ayafileio 2.0 leaves a reaper thread busy-polling per closed loop); a warm-up round runs
first and is discarded. Each workload verifies what it wrote or read (mismatches must be
0) and records per-operation latency. The table gives medians over the rounds, the
min-max spread, the ratio to aiofiles, p50/p99 latency; looplag gives a 1 ms timer's
p50/p99 lateness.

    python benchmarks/bench.py                       # every workload, every library found
    python benchmarks/bench.py --quick               # small sizes: proves the suite works
    python benchmarks/bench.py --workloads dataset --libs ayafileio,aiofiles --dir /dev/shm
    python benchmarks/bench.py --plot bench.png

Peers come from PyPI: scripts/bench installs them (".[bench]", and into .peers/, each in
a directory of its own under another name, the two that clash with a name: aiofiles-x,
which calls itself aiofiles, and the C++ ayafileio 2.0 as ayafileio_cpp). A missing one
is skipped with a note.

This file is the runner (arguments, a child process per run, the report and the plot);
the library adapters are in peers/, the workloads in workloads/, their sizes in sizes.py.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from typing import Any

import ayafileio
from peers import LIBS
from sizes import QUICK, Sizes
from workloads import WORKLOADS
from workloads.base import Result, percentile
from workloads.blocks import RandRead


def fio_randread(path: str, sizes: Sizes) -> float | None:
    """fio's io_uring random read IOPS on the same file: the kernel's ceiling."""
    if shutil.which("fio") is None:
        return None
    cmd = ["fio", "--name=ceiling", f"--filename={path}", "--ioengine=io_uring", "--rw=randread",
           "--bs=4k", "--iodepth=64", f"--size={sizes.rand_file}", "--time_based", "--runtime=3",
           "--output-format=json"]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True).stdout
        return float(json.loads(out)["jobs"][0]["read"]["iops"])
    except (subprocess.SubprocessError, KeyError, ValueError):
        return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default=None, help="directory to work in (default: the system temp dir)")
    ap.add_argument("--workloads", default=",".join(WORKLOADS), help="comma-separated: " + ",".join(WORKLOADS))
    ap.add_argument("--libs", default=",".join(LIBS), help="comma-separated: " + ",".join(LIBS))
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median is reported")
    ap.add_argument("--warmup", type=int, default=1, help="rounds run first and discarded (default 1)")
    ap.add_argument("--quick", action="store_true", help="small sizes, for CI")
    ap.add_argument("--items", type=int, default=None, help="dataset/looplag items (default 5000)")
    ap.add_argument("--plot", default=None, help="write a grouped bar chart (PNG) here")
    ap.add_argument("--child", nargs=4, metavar=("WORKLOAD", "LIB", "BASE", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--sizes", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    sizes = QUICK if args.quick else Sizes()
    if args.sizes:
        sizes = Sizes(**json.loads(args.sizes))
    if args.items:
        sizes.items = args.items
    if args.child:
        child(sizes, *args.child)
        return
    names = args.workloads.split(",")
    for n in names:
        if n not in WORKLOADS:
            raise SystemExit(f"unknown workload {n!r}; known: {', '.join(WORKLOADS)}")
    libs = args.libs.split(",")
    for name in libs:
        if name not in LIBS:
            raise SystemExit(f"unknown library {name!r}; known: {', '.join(LIBS)}")

    results: dict[str, dict[str, list[Result]]] = {}
    ceiling: float | None = None
    missing: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="ayafileio-bench-", dir=args.dir) as base:
        for wname in names:
            print(f"[{wname}] preparing", file=sys.stderr, flush=True)
            wl = WORKLOADS[wname](sizes, base)
            wl.prepare(files=True)
            if isinstance(wl, RandRead) and "ayafileio" in libs:
                ceiling = fio_randread(wl.path, sizes)
            outs: list[str] = []
            for r in range(-args.warmup, args.rounds):
                for lname in libs:
                    if lname in missing:
                        continue
                    out = os.path.join(base, f"{wname}-{r}-{lname}")
                    os.mkdir(out)  # fresh directories; outputs stay until the workload's rounds end
                    outs.append(out)
                    res = run_child(wname, lname, base, out, sizes)
                    if res is None:
                        missing.add(lname)
                        print(f"note: {lname} is not installed (scripts/bench installs the peers); skipped",
                              file=sys.stderr)
                        continue
                    label = LIBS[lname].name  # type: ignore[attr-defined]
                    tag = "warm-up" if r < 0 else f"round {r + 1}/{args.rounds}"
                    print(f"[{wname}] {tag} {label}: " + ("n/a" if res.mismatches < 0 else f"{res.rate:,.0f} {res.unit}")
                          + (f", {res.mismatches} MISMATCHES" if res.mismatches > 0 else ""), file=sys.stderr,
                          flush=True)
                    if r >= 0:
                        results.setdefault(wname, {}).setdefault(label, []).append(res)
            # Deleted between workloads, beside no measurement: the sweeps' outputs (20,000
            # files per run, 36 runs each with nine libraries) once filled a 24 GiB tmpfs.
            for out in outs:
                shutil.rmtree(out)
    print(report(results, ceiling, sizes, args))
    if args.plot:
        plot(results, args.plot)
        print(f"\nplot written to {args.plot}")
    broken = sorted({lname for per in results.values() for lname, rs in per.items() if any(r.mismatches > 0 for r in rs)})
    if broken:
        print(f"\nverification found wrong data from: {', '.join(broken)}", file=sys.stderr)
        if any(n.startswith("ayafileio") and "C++" not in n for n in broken):
            raise SystemExit("verification failed for ayafileio")


def run_child(wname: str, lname: str, base: str, out: str, sizes: Sizes) -> Result | None:
    """One (workload, library, round) in a fresh interpreter; None if the library is
    not installed."""
    proc = subprocess.run(child_command(wname, lname, base, out, sizes), capture_output=True, text=True)
    answer = child_answer(proc.stdout)
    if proc.returncode != 0:
        # A peer that answered and then crashed at exit (aerofs does, now and then:
        # "PyGILState_Release ... finalizing") keeps its result, with a note.
        if answer is None or lname.startswith("ayafileio") and lname != "ayafileio-cpp":
            raise SystemExit(f"{wname} with {lname} failed:\n{proc.stderr}")
        print(f"note: {lname} answered, then exited with {proc.returncode}: {proc.stderr.strip()[:200]}",
              file=sys.stderr)
    if answer is None:
        raise SystemExit(f"{wname} with {lname} gave no result (exit status {proc.returncode}, "
                         f"{len(proc.stdout)} characters on stdout):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    if answer.get("missing"):
        return None
    return Result(**answer)


def child_command(wname: str, lname: str, base: str, out: str, sizes: Sizes) -> list[str]:
    """The command line of one child run (benchmarks/slowfs.py runs it under strace)."""
    return [sys.executable, os.path.abspath(__file__), "--child", wname, lname, base, out,
            "--sizes", json.dumps(dataclasses.asdict(sizes))]


def child_answer(stdout: str) -> dict[str, Any] | None:
    """The Result a child printed, as a dict: its last line that is a JSON object (a
    peer may print after it, at exit); None if it printed none."""
    for line in reversed(stdout.strip().splitlines()):
        try:
            answer = json.loads(line)
        except ValueError:
            continue
        if isinstance(answer, dict):
            return answer
    return None


def child(sizes: Sizes, wname: str, lname: str, base: str, out: str) -> None:
    """The child's side: build the library and the workload's data, run once, answer
    with the Result as the last line of stdout."""
    try:
        lib = LIBS[lname]()
    except ImportError:
        answer({"missing": True})
        return
    wl = WORKLOADS[wname](sizes, base)
    wl.prepare(files=False)
    gc.collect()
    gc.freeze()  # the prepared data is not garbage: keep GC pauses out of the measurement
    lib.enter()
    try:
        if wl.on_asyncio_only and not lib.on_asyncio:
            raise NotImplementedError(f"{wname} is asyncio code; {lname} runs a loop of its own kind")
        res = lib.run(lambda: wl.run(lib, out))
    except NotImplementedError:
        res = Result(0.0, wl.unit, mismatches=-1)  # the library has no such call
    finally:
        lib.leave()
    answer(dataclasses.asdict(res))


def answer(obj: dict[str, Any]) -> None:
    """Writes the child's answer as its last line, every byte: under `python -u` (or
    PYTHONUNBUFFERED) print() goes to the raw file in one write and drops what a short
    write leaves, and closing an io_uring makes the kernel's teardown interrupt the
    thread's next blocking call (a pipe write of a large answer comes back short)."""
    sys.stdout.flush()
    data = (json.dumps(obj) + "\n").encode()
    while data:
        data = data[os.write(sys.stdout.fileno(), data):]


def report(results: dict[str, dict[str, list[Result]]], ceiling: float | None, sizes: Sizes, args: Any) -> str:
    lines = [f"ayafileio {ayafileio.__version__}, backend {asyncio.run(_backend())}; "
             f"{os.cpu_count()} CPUs; dir {args.dir or tempfile.gettempdir()}; median of {args.rounds} "
             f"interleaved rounds after {args.warmup} discarded, each run in a fresh process; latency per operation",
             ""]
    for wname, per in results.items():
        unit = next(iter(per.values()))[0].unit
        base = statistics.median(r.rate for r in per["aiofiles"]) if "aiofiles" in per else None
        lag = wname == "looplag"
        timer = not lag and all("lag_p99_ms" in r.extra for rs in per.values() for r in rs if r.rate)
        worst = timer and all("lag_max_ms" in r.extra for rs in per.values() for r in rs if r.rate)
        rss = all("peak_rss_mib" in r.extra for rs in per.values() for r in rs if r.rate)
        head = f"| {wname} | {unit} | min–max | vs aiofiles | p50 | p99 | mismatches |"
        rule = "|---|---:|---:|---:|---:|---:|---:|"
        if lag:
            head = f"| {wname} | {unit} | 1 ms timer late p50 | late p99 | vs aiofiles | mismatches |"
            rule = "|---|---:|---:|---:|---:|---:|"
        elif timer:
            head += " 1 ms timer late p50 | late p99 |" + (" late max |" if worst else "")
            rule += "---:|---:|" + ("---:|" if worst else "")
        if rss:
            head += " peak RSS | added RSS |"
            rule += "---:|---:|"
        lines += [head, rule]
        for lname, rs in per.items():
            if all(r.mismatches == -1 for r in rs):
                lines.append(f"| {lname} | n/a (no such call) |")
                continue
            med = statistics.median(r.rate for r in rs)
            ratio = f"{med / base:.2f}×" if base else "n/a"
            bad = sum(r.mismatches for r in rs)
            if lag:
                p50 = statistics.median(r.extra["lag_p50_ms"] for r in rs)
                p99 = statistics.median(r.extra["lag_p99_ms"] for r in rs)
                lines.append(f"| {lname} | {med:,.0f} | {p50:.2f} ms | {p99:.2f} ms | {ratio} | {bad} |")
                continue
            lat = [x for r in rs for x in r.latencies]
            row = (f"| {lname} | {med:,.0f} | {min(r.rate for r in rs):,.0f}–{max(r.rate for r in rs):,.0f} | "
                   f"{ratio} | {_us(percentile(lat, 0.5))} | {_us(percentile(lat, 0.99))} | {bad} |")
            if timer:
                row += (f" {statistics.median(r.extra['lag_p50_ms'] for r in rs):.2f} ms |"
                        f" {statistics.median(r.extra['lag_p99_ms'] for r in rs):.2f} ms |")
            if worst:
                row += f" {statistics.median(r.extra['lag_max_ms'] for r in rs):.1f} ms |"
            if rss:
                row += (f" {statistics.median(r.extra['peak_rss_mib'] for r in rs):.0f} MiB |"
                        f" {statistics.median(r.extra['added_rss_mib'] for r in rs):.0f} MiB |")
            lines.append(row)
        if wname == "randread" and ceiling:
            lines.append(f"| fio io_uring iodepth=64 (kernel ceiling) | {ceiling:,.0f} | | | | | |")
        lines.append("")
    return "\n".join(lines)


def _us(seconds: float) -> str:
    us = seconds * 1e6
    return f"{us / 1000:.1f} ms" if us >= 1000 else f"{us:.0f} µs"


def plot(results: dict[str, dict[str, list[Result]]], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    wnames = list(results)
    lnames = [n for n in dict.fromkeys(n for per in results.values() for n in per)]
    fig, ax = plt.subplots(figsize=(max(8, 1.6 * len(wnames)), 5))
    width = 0.8 / max(len(lnames), 1)
    for i, lname in enumerate(lnames):
        ratios = []
        for w in wnames:
            per = results[w]
            base = statistics.median(r.rate for r in per["aiofiles"]) if "aiofiles" in per else 1.0
            ratios.append(statistics.median(r.rate for r in per[lname]) / base if lname in per else 0)
        ax.bar([x + i * width for x in range(len(wnames))], ratios, width, label=lname)
    ax.set_xticks([x + width * (len(lnames) - 1) / 2 for x in range(len(wnames))], wnames)
    ax.axhline(1.0, color="grey", linewidth=0.8)
    ax.set_yscale("log")
    ax.set_ylabel("throughput relative to aiofiles (log scale, higher is better)")
    ax.set_title("ayafileio and peers: median throughput per workload, relative to aiofiles")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


async def _backend() -> str:
    return str(ayafileio.get_backend_info()["backend"])


if __name__ == "__main__":
    main()

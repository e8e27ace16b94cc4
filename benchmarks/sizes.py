"""How much work each workload does: the full sizes and --quick's."""

from __future__ import annotations

from dataclasses import dataclass

BLOCK = 4096
MiB = 1 << 20


@dataclass
class Sizes:
    items: int = 5000  # dataset, looplag
    concurrency: int = 50
    jsonl_batches: int = 10
    jsonl_batch: int = 500
    rand_file: int = 256 * MiB
    rand_reads: int = 100_000
    rand_tasks: int = 64
    seq_file: int = 512 * MiB
    small_files: int = 5000
    lag_seconds: float = 2.0  # looplag runs the dataset pattern at least this long
    stat_files: int = 10_000  # stat: stat + exists of each, 64 tasks
    path_tasks: int = 64
    tree_dirs: int = 50  # listdir/scandir/walk: tree_dirs directories of tree_files entries
    tree_files: int = 1000
    remove_files: int = 5000
    many_files: int = 10_000  # readmany/readgather/writemany: small files, whole
    atomic_writes: int = 2000  # atomic: atomic and durable rewrites of 100 files by 16 tasks
    copy_file: int = 1 << 30  # copy: one file copied whole
    path_files: int = 10_000  # path-read/path-exists: small text files
    slowfs_files: int = 10  # slowfs: files one at a time, then slowfs_concurrent times as many at once
    slowfs_concurrent: int = 8
    per_file: int = 5000  # file-write/file-read/file-stat: one file at a time
    sweep_items: int = 20_000  # sweep-N: the dataset pattern at N concurrent


QUICK = Sizes(items=300, jsonl_batches=2, jsonl_batch=100, rand_file=8 * MiB, rand_reads=3000,
              seq_file=16 * MiB, small_files=300, lag_seconds=0.3, stat_files=500, tree_dirs=4, tree_files=250,
              remove_files=300, many_files=300, atomic_writes=100, copy_file=32 * MiB, path_files=300,
              slowfs_files=3, slowfs_concurrent=4, per_file=300, sweep_items=1000)


"""The workloads, by the name --workloads takes, in the order the suite runs them."""

from __future__ import annotations

from .asyncpath import PathExists, PathReadText, PathRglob
from .base import Workload
from .blocks import RandRead, SeqRead, SeqReadInto, SeqWrite
from .dataset import SWEEPS, Dataset, Jsonl, LoopLag
from .ostree import RemoveFiles, StatStorm, TreeListing, TreeScandir, TreeWalk
from .perfile import FileRead, FileStat, FileWrite
from .slowfs import SlowFs
from .whole import AtomicWrites, Copy, ReadGather, ReadMany, SmallRead, WriteMany

WORKLOADS: dict[str, type[Workload]] = {w.name: w for w in (Dataset, Jsonl, RandRead, SeqRead, SeqReadInto, SeqWrite,
                                                              SmallRead, LoopLag, StatStorm, TreeListing,
                                                              TreeScandir, TreeWalk, RemoveFiles, ReadMany,
                                                              ReadGather, WriteMany, AtomicWrites, Copy,
                                                              PathReadText, PathExists, PathRglob, SlowFs)}
WORKLOADS.update({w.name: w for w in (FileWrite, FileRead, FileStat, *SWEEPS)})

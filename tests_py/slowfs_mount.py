"""A slow file system for tests: a FUSE passthrough over a real directory whose every
operation sleeps a set time first (what NFS, SMB, sshfs, an object-store mount or a disk
under load look like to the kernel's callers).

`python slowfs_mount.py ROOT MOUNTPOINT DELAY_MS` serves ROOT at MOUNTPOINT until it is
unmounted (libfuse2 through PyPI's fusepy, multithreaded: operations sleep in parallel).
It runs in its own process so that it shares no GIL and no event loop with the code it
slows down. `slow_mount()` starts it, waits for the mount, and unmounts and reaps it on
the way out, also when the body raised.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

MOUNT_TIMEOUT = 20.0


class Unavailable(Exception):
    """This machine cannot mount a FUSE file system here (the reason is the message)."""


def why_unavailable() -> str | None:
    """Why no slow mount can be made on this machine, or None when one can."""
    if not os.path.exists("/dev/fuse"):
        return "no /dev/fuse on this machine"
    if os.geteuid() != 0 and shutil.which("fusermount") is None:
        return "not root and no fusermount to mount FUSE as a user"
    try:
        import fuse  # noqa: F401  (fusepy: loads libfuse.so.2 when imported)
    except (ImportError, OSError) as e:
        return f"fusepy with libfuse2 is not installed ({e}); scripts/test installs both"
    return None


@contextlib.contextmanager
def slow_mount(delay_ms: float = 20.0) -> Iterator[tuple[str, str]]:
    """(underlying directory, mount point): a fresh directory served through FUSE with
    delay_ms before every operation. Raises Unavailable when the machine cannot."""
    reason = why_unavailable()
    if reason is not None:
        raise Unavailable(reason)
    top = tempfile.mkdtemp(prefix="ayafileio-slowfs-")
    root, mnt = os.path.join(top, "root"), os.path.join(top, "mnt")
    os.mkdir(root)
    os.mkdir(mnt)
    log = open(os.path.join(top, "server.log"), "w+b")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), root, mnt, str(delay_ms)],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        _wait_mounted(mnt, proc, log)
        yield root, mnt
    finally:
        _unmount(mnt, proc)
        log.close()
        shutil.rmtree(top, ignore_errors=True)


def _wait_mounted(mnt: str, proc: subprocess.Popen[bytes], log: Any) -> None:
    deadline = time.monotonic() + MOUNT_TIMEOUT
    while not os.path.ismount(mnt):
        if proc.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            raise Unavailable(f"the FUSE server did not mount (exit {proc.poll()}): "
                              f"{log.read().decode(errors='replace').strip()[-2000:]}")
        time.sleep(0.02)


def _unmount(mnt: str, proc: subprocess.Popen[bytes]) -> None:
    """Unmounts (fusermount -u, else umount, lazily as a last resort) and reaps the
    server; kills it if it does not go."""
    commands = [["fusermount", "-u", mnt], ["umount", mnt], ["umount", "-l", mnt]]
    for cmd in commands:
        if not os.path.ismount(mnt):
            break
        if shutil.which(cmd[0]) is None:
            continue
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _serve(root: str, mnt: str, delay_ms: float) -> None:
    """The FUSE server: every operation on ROOT's files, each after sleeping delay_ms."""
    from fuse import FUSE, FuseOSError, Operations

    delay = delay_ms / 1000.0

    class SlowPassthrough(Operations):  # type: ignore[misc]
        def __call__(self, op: str, path: str, *args: Any) -> Any:
            if op not in ("init", "destroy"):
                time.sleep(delay)
            if not hasattr(self, op):
                raise FuseOSError(errno.EFAULT)
            try:
                return getattr(self, op)(root + path, *args)
            except OSError as e:
                raise FuseOSError(e.errno or errno.EIO) from None

        def init(self, path: str) -> None:
            pass

        def destroy(self, path: str) -> None:
            pass

        def access(self, path: str, mode: int) -> None:
            if not os.access(path, mode):
                raise FuseOSError(errno.EACCES)

        def getattr(self, path: str, fh: int | None = None) -> dict[str, Any]:
            st = os.fstat(fh) if fh is not None else os.lstat(path)
            return {k: getattr(st, k) for k in ("st_mode", "st_ino", "st_nlink", "st_uid", "st_gid", "st_size",
                                                "st_rdev", "st_blocks", "st_atime", "st_mtime", "st_ctime")}

        def statfs(self, path: str) -> dict[str, Any]:
            sv = os.statvfs(path)
            return {k: getattr(sv, k) for k in ("f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail", "f_ffree",
                                                "f_files", "f_flag", "f_frsize", "f_namemax")}

        def readdir(self, path: str, fh: int) -> list[str]:
            return [".", "..", *os.listdir(path)]

        def readlink(self, path: str) -> str:
            return os.readlink(path)

        def chmod(self, path: str, mode: int) -> None:
            os.chmod(path, mode)

        def chown(self, path: str, uid: int, gid: int) -> None:
            os.chown(path, uid, gid)

        def utimens(self, path: str, times: tuple[float, float] | None = None) -> None:
            os.utime(path, times)

        def mknod(self, path: str, mode: int, dev: int) -> None:
            os.mknod(path, mode, dev)

        def mkdir(self, path: str, mode: int) -> None:
            os.mkdir(path, mode)

        def rmdir(self, path: str) -> None:
            os.rmdir(path)

        def unlink(self, path: str) -> None:
            os.unlink(path)

        def symlink(self, target: str, source: str) -> None:
            os.symlink(source, target)  # fusepy passes (link path, what it points to)

        def link(self, target: str, source: str) -> None:
            os.link(root + source, target)

        def rename(self, old: str, new: str) -> None:
            os.rename(old, root + new)

        def open(self, path: str, flags: int) -> int:
            return os.open(path, flags)

        def create(self, path: str, mode: int, fi: Any = None) -> int:
            return os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, mode)  # fusepy gives no flags

        def read(self, path: str, size: int, offset: int, fh: int) -> bytes:
            return os.pread(fh, size, offset)

        def write(self, path: str, data: bytes, offset: int, fh: int) -> int:
            return os.pwrite(fh, data, offset)

        def truncate(self, path: str, length: int, fh: int | None = None) -> None:
            if fh is not None:
                os.ftruncate(fh, length)
            else:
                os.truncate(path, length)

        def flush(self, path: str, fh: int) -> None:
            pass

        def fsync(self, path: str, datasync: int, fh: int) -> None:
            if datasync:
                os.fdatasync(fh)
            else:
                os.fsync(fh)

        def release(self, path: str, fh: int) -> None:
            os.close(fh)

    FUSE(SlowPassthrough(), mnt, foreground=True, nothreads=False, fsname="ayafileio-slowfs")


if __name__ == "__main__":
    _serve(sys.argv[1], sys.argv[2], float(sys.argv[3]))

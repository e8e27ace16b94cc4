package core

import (
	"path/filepath"
	"strings"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Calls made on the caller's thread (the event loop's) only where they cannot wait for a
// device: the path is walked with RESOLVE_CACHED (the dentry cache alone, or EAGAIN), an
// O_PATH descriptor calls no file system's open, and attributes come with
// AT_STATX_DONT_SYNC. Each answers -EAGAIN where it cannot finish that way; the caller
// then submits the request to the ring, which does the same work where waiting is allowed.

// resolveCached is openat2's RESOLVE_CACHED (linux/openat2.h; x/sys has no name for it).
const resolveCached = 0x20

// resolveCachedWorks says whether openat2 takes RESOLVE_CACHED (Linux 5.12 on).
var resolveCachedWorks = sync.OnceValue(func() bool {
	how := unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: resolveCached}
	fd := openat2(unix.AT_FDCWD, uintptr(unsafe.Pointer(&rootPath[0])), &how)
	if fd >= 0 {
		sysClose(int32(fd))
	}
	return fd != -int64(unix.EINVAL) && fd != -int64(unix.ENOSYS)
})

var rootPath = [2]byte{'/', 0}

// openat2 makes openat2(2) with how, retrying EINTR: the descriptor or -errno.
func openat2(dirfd int, path uintptr, how *unix.OpenHow) int64 {
	for {
		fd, _, errno := unix.Syscall6(unix.SYS_OPENAT2, uintptr(dirfd), path, uintptr(unsafe.Pointer(how)),
			unsafe.Sizeof(*how), 0, 0)
		switch {
		case errno == unix.EINTR:
			continue
		case errno != 0:
			return -int64(errno)
		}
		return int64(fd)
	}
}

// statxOf fills the struct statx at addr for fd from cached attributes and returns 0, the
// kind of its file system (by byDev; fallback where byDev does not list its device) and
// its file type (S_IFMT bits), or -errno.
func statxOf(fd int, addr uintptr, byDev map[uint64]FSKind, fallback FSKind) (int64, FSKind, uint16) {
	if res := StatxCached(fd, addr); res < 0 {
		return res, fallback, 0
	}
	stx := (*unix.Statx_t)(unsafe.Add(nil, addr)) // the caller's memory, not Go's
	kind, ok := devKind(byDev, stx.Dev_major, stx.Dev_minor)
	if !ok {
		kind = fallback
	}
	return 0, kind, stx.Mode & unix.S_IFMT
}

// StatNow is statx(2) of path (NUL-terminated at pathAddr, relative to dirfd; "" with
// AT_EMPTY_PATH: dirfd itself; path is the same without the NUL) into the struct statx at
// addr, with atFlags' 0, AT_SYMLINK_NOFOLLOW or AT_EMPTY_PATH: 0 or -errno, and -EAGAIN
// where the walk needs the disk or the file is on a slow file system (whose attributes
// must be asked fresh).
func StatNow(dirfd int, path string, pathAddr uintptr, atFlags int, addr uintptr) int64 {
	byDev, points := mounts.snapshot()
	fd := dirfd
	follow, walkedInRAM := atFlags&unix.AT_SYMLINK_NOFOLLOW == 0, false
	if atFlags&unix.AT_EMPTY_PATH == 0 {
		if !resolveCachedWorks() {
			return -errEAGAIN
		}
		res := openPath(dirfd, pathAddr, !follow, resolveCached)
		if res == -errEAGAIN && dirfd == unix.AT_FDCWD && pathKind(points, path) == FSMemory && !hasDotDot(path) {
			// tmpfs keeps no negative dentries, so a missing name is never cached; a
			// walk that stays in RAM (no symbolic link, no "..") cannot wait either.
			res, walkedInRAM = openPath(dirfd, pathAddr, true, unix.RESOLVE_NO_SYMLINKS), true
			if res == -int64(unix.ELOOP) {
				return -errEAGAIN
			}
		}
		if res < 0 {
			return res
		}
		fd = int(res)
		defer sysClose(int32(fd))
	}
	res, kind, ftype := statxOf(fd, addr, byDev, FSLocal)
	switch {
	case res == 0 && kind == FSSlow:
		return -errEAGAIN
	case res == 0 && walkedInRAM && follow && ftype == unix.S_IFLNK:
		return -errEAGAIN // a symbolic link to follow, out of RAM perhaps
	}
	return res
}

// openPath opens an O_PATH descriptor (no file system's open runs) for path with
// openat2's resolve flags; nofollow: of a symbolic link itself.
func openPath(dirfd int, pathAddr uintptr, nofollow bool, resolve uint64) int64 {
	how := unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: resolve}
	if nofollow {
		how.Flags |= unix.O_NOFOLLOW
	}
	return openat2(dirfd, pathAddr, &how)
}

// OpenNow is openat(2) of path (NUL-terminated at pathAddr; path is the same without the
// NUL, for the mount table) with flags and mode, made here when it cannot wait: for a
// regular file, on a file system that is not slow by the mount table, its path in the
// dentry cache; with O_CREAT or O_TRUNC, on a RAM-backed file system only, by a path
// without symbolic links or "..", so that the walk cannot leave it. The struct statx at
// addr is filled for the new descriptor. Returns the outcome times 4 plus an FSKind: the
// descriptor and its file system's kind, or -errno and the kind of the file system the
// path lies on by the mount table (-EAGAIN: submit it to the ring instead, as a file of
// that kind: the caller needs no PathFSKind of its own).
func OpenNow(path string, pathAddr uintptr, flags, mode uint32, addr uintptr) int64 {
	byDev, points := mounts.snapshot()
	pathKind := pathKind(points, path)
	res, kind := openNow(path, pathAddr, flags, mode, addr, byDev, pathKind)
	return res<<2 | int64(kind)
}

func openNow(path string, pathAddr uintptr, flags, mode uint32, addr uintptr, byDev map[uint64]FSKind,
	pathKind FSKind) (int64, FSKind) {
	if !resolveCachedWorks() {
		return -errEAGAIN, pathKind
	}
	how := unix.OpenHow{Flags: uint64(flags) | unix.O_NONBLOCK, Resolve: resolveCached}
	creates := flags&unix.O_CREAT != 0 || flags&unix.O_TMPFILE == unix.O_TMPFILE
	if creates {
		how.Mode = uint64(mode) // openat2 refuses a mode otherwise
	}
	if creates || flags&unix.O_TRUNC != 0 {
		if pathKind != FSMemory || hasDotDot(path) {
			return -errEAGAIN, pathKind
		}
		how.Resolve = unix.RESOLVE_NO_SYMLINKS
	} else if pathKind == FSSlow {
		return -errEAGAIN, pathKind
	}
	res := openat2(unix.AT_FDCWD, pathAddr, &how)
	if res == -int64(unix.ELOOP) && how.Resolve == unix.RESOLVE_NO_SYMLINKS || res == -int64(unix.ENXIO) ||
		res == -int64(unix.EWOULDBLOCK) {
		return -errEAGAIN, pathKind // a symbolic link on the way; a FIFO or a lease that open(2) would wait for
	}
	if res < 0 {
		return res, pathKind
	}
	fd := int(res)
	st, kind, ftype := statxOf(fd, addr, byDev, FSLocal)
	if st < 0 || ftype != unix.S_IFREG {
		// A FIFO or a device opens differently without O_NONBLOCK: the ring's worker
		// opens it as open(2) does.
		sysClose(int32(fd))
		return -errEAGAIN, pathKind
	}
	if flags&unix.O_NONBLOCK == 0 {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFL, int(flags)); err != nil {
			sysClose(int32(fd))
			return -errEAGAIN, pathKind
		}
	}
	return res, kind
}

// RenameNow is renameat(2) of oldPath to newPath, made here when it cannot wait: two
// names in one directory of a RAM-backed file system, reached by a path without symbolic
// links or ".." (openat2's RESOLVE_NO_SYMLINKS: the walk cannot leave it); with syncDir,
// fsync(2) of that directory after it (a durable rename's; tmpfs and ramfs have nothing
// to write). 0 or the rename's -errno; -EAGAIN where it cannot be made here (submit a
// RENAMEAT instead, which reports whatever else is wrong).
func RenameNow(oldPath, newPath string, syncDir bool) int64 {
	dir, oldName := filepath.Split(oldPath)
	newDir, newName := filepath.Split(newPath)
	if dir != newDir || !isName(oldName) || !isName(newName) || hasDotDot(dir) || !resolveCachedWorks() {
		return -errEAGAIN
	}
	byDev, points := mounts.snapshot()
	if pathKind(points, oldPath) != FSMemory {
		return -errEAGAIN
	}
	if dir == "" {
		dir = "."
	}
	dirfd := openDirInRAM(dir, byDev)
	if dirfd < 0 {
		return -errEAGAIN
	}
	defer sysClose(int32(dirfd))
	if err := unix.Renameat(dirfd, oldName, dirfd, newName); err != nil {
		if e, ok := err.(unix.Errno); ok && e != unix.EINTR {
			return -int64(e)
		}
		return -errEAGAIN // not made: the ring makes it
	}
	if syncDir {
		if err := unix.Fsync(dirfd); err != nil {
			return -int64(err.(unix.Errno)) // renamed: never -EAGAIN, which would rename again
		}
	}
	return 0
}

// GetdentsNow is an OpGetdents request (see getdents: the packed answer into the n
// bytes at outAddr) made here when it cannot wait: of a directory on a RAM-backed file
// system, by its descriptor fd (closeAtEnd: DirentsClose), or by path (NUL-terminated at
// pathAddr, 0 for none; relative to the working directory only), which is opened as a
// file OpenNow creates is: without symbolic links or ".." on the way. The answer's
// length, -errno, or -EAGAIN (submit the request instead, which also reports a path
// that cannot be opened).
func GetdentsNow(fd int32, outAddr uintptr, n uint32, path string, pathAddr uintptr, dirfd int32,
	closeAtEnd bool) int64 {
	byDev, points := mounts.snapshot()
	r := Request{Op: OpGetdents, Addr: uint64(outAddr), Len: n}
	if closeAtEnd {
		r.OpFlags = DirentsClose
	}
	if pathAddr != 0 {
		if dirfd != unix.AT_FDCWD || pathKind(points, path) != FSMemory || hasDotDot(path) || !resolveCachedWorks() {
			return -errEAGAIN
		}
		opened := openDirInRAM(path, byDev)
		if opened < 0 {
			return -errEAGAIN
		}
		fd, r.OpFlags = int32(opened), DirentsClose
	} else if !onRAM(int(fd), byDev) {
		return -errEAGAIN
	}
	res := getdents(&r, fd)
	if res < 0 && pathAddr != 0 {
		sysClose(fd) // getdents closes only a directory it opened itself
	}
	return res
}

// openDirInRAM opens the directory at path (relative to the working directory) for the
// calls made at once: with no symbolic link on the way, and only on a RAM-backed device.
// The descriptor, or -1.
func openDirInRAM(path string, byDev map[uint64]FSKind) int {
	how := unix.OpenHow{Flags: unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC, Resolve: unix.RESOLVE_NO_SYMLINKS}
	fd, err := unix.Openat2(unix.AT_FDCWD, path, &how)
	if err != nil {
		return -1
	}
	if !onRAM(fd, byDev) {
		sysClose(int32(fd))
		return -1
	}
	return fd
}

// onRAM says whether fd's device is RAM-backed by byDev, asked of the descriptor itself:
// the mount table may have changed since it was read.
func onRAM(fd int, byDev map[uint64]FSKind) bool {
	var stx unix.Statx_t
	if unix.Statx(fd, "", unix.AT_EMPTY_PATH|unix.AT_STATX_DONT_SYNC, unix.STATX_TYPE, &stx) != nil {
		return false
	}
	kind, ok := devKind(byDev, stx.Dev_major, stx.Dev_minor)
	return ok && kind == FSMemory
}

// isName says whether name is a file name in a directory: not empty, "." or "..".
func isName(name string) bool { return name != "" && name != "." && name != ".." }

// hasDotDot says whether path has a ".." component.
func hasDotDot(path string) bool {
	for part := range strings.SplitSeq(path, "/") {
		if part == ".." {
			return true
		}
	}
	return false
}

package core

import "golang.org/x/sys/unix"

// executorRuns reports whether sysRun performs op here. The rest report ENOSYS, and the
// Python layer runs the os module's function on a thread instead.
func executorRuns(op Op) bool { return op <= OpFtruncate && op != OpStatx }

// sysRun performs r with one blocking system call on descriptor fd. macOS has no statx
// and no positional vectored I/O in its stable ABI: those report ENOSYS and the Python
// layer uses its fallbacks.
func sysRun(r *Request, fd int32) int64 {
	var a [6]uintptr
	var nr uintptr
	ufd := uintptr(fd)
	switch r.Op {
	case OpNop:
		return 0
	case OpRead, OpWrite:
		nr, a = unix.SYS_PREAD, [6]uintptr{ufd, uintptr(r.Addr), uintptr(r.Len), uintptr(r.Off)}
		switch {
		case r.Op == OpWrite && r.Off == OffCurrent:
			nr = unix.SYS_WRITE
		case r.Op == OpWrite:
			nr = unix.SYS_PWRITE
		case r.Off == OffCurrent:
			nr = unix.SYS_READ
		}
	case OpReadv, OpWritev:
		if r.Off != OffCurrent {
			return -errENOSYS
		}
		nr, a = unix.SYS_READV, [6]uintptr{ufd, uintptr(r.Addr), uintptr(r.Len)}
		if r.Op == OpWritev {
			nr = unix.SYS_WRITEV
		}
	case OpFsync:
		nr, a[0] = unix.SYS_FSYNC, ufd
	case OpOpenat:
		nr, a = unix.SYS_OPENAT, [6]uintptr{uintptr(r.DirFD), uintptr(r.Addr), uintptr(r.OpFlags), uintptr(r.Mode)}
	case OpClose:
		nr, a[0] = unix.SYS_CLOSE, ufd
	case OpRenameat:
		if r.OpFlags != 0 {
			return -errEINVAL
		}
		nr, a = unix.SYS_RENAMEAT, [6]uintptr{uintptr(r.DirFD), uintptr(r.Addr), uintptr(r.FD), uintptr(r.Addr2)}
	case OpUnlinkat:
		nr, a = unix.SYS_UNLINKAT, [6]uintptr{uintptr(r.DirFD), uintptr(r.Addr), uintptr(r.OpFlags)}
	case OpMkdirat:
		nr, a = unix.SYS_MKDIRAT, [6]uintptr{uintptr(r.DirFD), uintptr(r.Addr), uintptr(r.Mode)}
	case OpFtruncate:
		nr, a = unix.SYS_FTRUNCATE, [6]uintptr{ufd, uintptr(r.Off)}
	default:
		return -errENOSYS
	}
	return syscallRes(nr, a)
}

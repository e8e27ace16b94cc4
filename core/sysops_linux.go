package core

import "golang.org/x/sys/unix"

// sysRun performs r with one blocking system call on descriptor fd. Addresses are passed
// to the kernel as they are: they point at caller memory, not at Go's.
func sysRun(r *Request, fd int32) int64 {
	var a [6]uintptr
	var nr uintptr
	ufd := uintptr(fd)
	switch r.Op {
	case OpNop:
		return 0
	case OpRead, OpWrite:
		nr, a = unix.SYS_PREAD64, [6]uintptr{ufd, uintptr(r.Addr), uintptr(r.Len), uintptr(r.Off)}
		switch {
		case r.Op == OpWrite && r.Off == OffCurrent:
			nr = unix.SYS_WRITE
		case r.Op == OpWrite:
			nr = unix.SYS_PWRITE64
		case r.Off == OffCurrent:
			nr = unix.SYS_READ
		}
	case OpReadv, OpWritev:
		nr, a = unix.SYS_PREADV, [6]uintptr{ufd, uintptr(r.Addr), uintptr(r.Len), uintptr(r.Off), 0}
		switch {
		case r.Op == OpWritev && r.Off == OffCurrent:
			nr = unix.SYS_WRITEV
		case r.Op == OpWritev:
			nr = unix.SYS_PWRITEV
		case r.Off == OffCurrent:
			nr = unix.SYS_READV
		}
	case OpFsync:
		nr, a[0] = unix.SYS_FSYNC, ufd
		if r.OpFlags&FsyncDatasync != 0 {
			nr = unix.SYS_FDATASYNC
		}
	case OpOpenat:
		nr, a = unix.SYS_OPENAT, [6]uintptr{uintptr(r.DirFD), uintptr(r.Addr), uintptr(r.OpFlags), uintptr(r.Mode)}
	case OpClose:
		nr, a[0] = unix.SYS_CLOSE, ufd
	case OpStatx:
		nr, a = unix.SYS_STATX, [6]uintptr{uintptr(r.DirFD), uintptr(r.Addr), uintptr(r.OpFlags), uintptr(r.Mode), uintptr(r.Addr2)}
	case OpRenameat:
		nr, a = unix.SYS_RENAMEAT2, [6]uintptr{uintptr(r.DirFD), uintptr(r.Addr), uintptr(r.FD), uintptr(r.Addr2), uintptr(r.OpFlags)}
	case OpUnlinkat:
		nr, a = unix.SYS_UNLINKAT, [6]uintptr{uintptr(r.DirFD), uintptr(r.Addr), uintptr(r.OpFlags)}
	case OpMkdirat:
		nr, a = unix.SYS_MKDIRAT, [6]uintptr{uintptr(r.DirFD), uintptr(r.Addr), uintptr(r.Mode)}
	case OpFtruncate:
		nr, a = unix.SYS_FTRUNCATE, [6]uintptr{ufd, uintptr(r.Off)}
	default:
		return -errEINVAL
	}
	return syscallRes(nr, a)
}

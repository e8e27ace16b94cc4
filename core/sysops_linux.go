package core

import "golang.org/x/sys/unix"

// executorRuns reports whether sysRun performs op here: on Linux, every op.
func executorRuns(Op) bool { return true }

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
	case OpSymlinkat:
		nr, a = unix.SYS_SYMLINKAT, [6]uintptr{uintptr(r.Addr), uintptr(r.DirFD), uintptr(r.Addr2)}
	case OpLinkat:
		nr, a = unix.SYS_LINKAT, [6]uintptr{uintptr(r.DirFD), uintptr(r.Addr), uintptr(r.FD), uintptr(r.Addr2), uintptr(r.OpFlags)}
	case OpReadlinkat:
		nr, a = unix.SYS_READLINKAT, [6]uintptr{uintptr(r.DirFD), uintptr(r.Addr), uintptr(r.Addr2), uintptr(r.Len)}
	case OpFaccessat:
		nr, a = unix.SYS_FACCESSAT2, [6]uintptr{uintptr(r.DirFD), uintptr(r.Addr), uintptr(r.Mode), uintptr(r.OpFlags)}
		if r.OpFlags == 0 {
			nr = unix.SYS_FACCESSAT // what os.access calls without flags; faccessat2 needs Linux 5.8
		}
	case OpGetdents:
		return getdents(r, fd)
	case OpStatfs:
		nr, a = unix.SYS_STATFS, [6]uintptr{uintptr(r.Addr), uintptr(r.Addr2)}
		if r.Addr == 0 {
			nr, a[0] = unix.SYS_FSTATFS, ufd
		}
	case OpSendfile:
		return sendfile(fd, r.DirFD, r.Off, r.Len)
	case OpCopyFileRange:
		return copyFileRange(r.DirFD, r.Off, fd, r.Addr2, r.Len)
	default:
		return -errEINVAL
	}
	return syscallRes(nr, a)
}

// sendfile copies count bytes from in (at off, or at and advancing its position when off
// is OffCurrent) to out.
func sendfile(out, in int32, off uint64, count uint32) int64 {
	var at *int64
	if off != OffCurrent {
		o := int64(off)
		at = &o
	}
	return ignoringEINTR(func() (int, error) { return unix.Sendfile(int(out), int(in), at, int(count)) })
}

// copyFileRange copies count bytes from in at inOff to out at outOff, inside the kernel
// (a reflink where the file system shares extents), moving neither file's position.
func copyFileRange(in int32, inOff uint64, out int32, outOff uint64, count uint32) int64 {
	ri, ro := int64(inOff), int64(outOff)
	return ignoringEINTR(func() (int, error) { return unix.CopyFileRange(int(in), &ri, int(out), &ro, int(count), 0) })
}

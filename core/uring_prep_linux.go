package core

import "golang.org/x/sys/unix"

// noRingOp marks an Op io_uring has no opcode for: such chains run on the executor. No
// kernel probes 255 as supported.
const noRingOp = 255

// uringOpcodes maps each Op to its io_uring opcode.
var uringOpcodes = [opCount]uint8{
	OpNop: IORING_OP_NOP, OpRead: IORING_OP_READ, OpWrite: IORING_OP_WRITE,
	OpReadv: IORING_OP_READV, OpWritev: IORING_OP_WRITEV, OpFsync: IORING_OP_FSYNC,
	OpOpenat: IORING_OP_OPENAT, OpClose: IORING_OP_CLOSE, OpStatx: IORING_OP_STATX,
	OpRenameat: IORING_OP_RENAMEAT, OpUnlinkat: IORING_OP_UNLINKAT, OpMkdirat: IORING_OP_MKDIRAT,
	OpFtruncate: IORING_OP_FTRUNCATE, OpSymlinkat: IORING_OP_SYMLINKAT, OpLinkat: IORING_OP_LINKAT,
	OpReadlinkat: noRingOp, OpFaccessat: noRingOp, OpGetdents: noRingOp, OpStatfs: noRingOp,
	OpSendfile: noRingOp, OpCopyFileRange: noRingOp,
}

// prep fills sqe for r, as liburing's io_uring_prep_* helpers would.
func prep(sqe *io_uring_sqe, r *Request) {
	sqe.opcode = uringOpcodes[r.Op]
	sqe.user_data = r.UserData
	if r.Flags&FlagLink != 0 {
		sqe.flags |= IOSQE_IO_LINK
		if r.Flags&FlagHardLink != 0 {
			sqe.flags |= IOSQE_IO_HARDLINK
		}
	}
	if r.Flags&FlagAsync != 0 {
		sqe.flags |= IOSQE_ASYNC
	}
	if r.Flags&FlagFixedFile != 0 && r.Op != OpClose {
		sqe.flags |= IOSQE_FIXED_FILE
	}
	switch r.Op {
	case OpNop:
		sqe.fd = -1
	case OpRead, OpWrite, OpReadv, OpWritev: // io_uring_prep_rw
		sqe.fd, sqe.addr, sqe.len, sqe.off = r.FD, r.Addr, r.Len, r.Off
	case OpFsync: // io_uring_prep_fsync
		sqe.fd = r.FD
		if r.OpFlags&FsyncDatasync != 0 {
			sqe.op_flags = IORING_FSYNC_DATASYNC
		}
	case OpOpenat: // io_uring_prep_openat, or _openat_direct when Slot > 0
		sqe.fd, sqe.addr, sqe.len, sqe.op_flags, sqe.file_index = r.DirFD, r.Addr, r.Mode, r.OpFlags, r.Slot
		if r.Slot > 0 {
			sqe.op_flags &^= unix.O_CLOEXEC // a direct descriptor is in no fd table; the kernel refuses the flag
		}
	case OpClose: // io_uring_prep_close, or _close_direct
		if r.Flags&FlagFixedFile != 0 {
			sqe.file_index = uint32(r.FD) + 1
		} else {
			sqe.fd = r.FD
		}
	case OpStatx: // io_uring_prep_statx
		sqe.fd, sqe.addr, sqe.len, sqe.op_flags, sqe.off = r.DirFD, r.Addr, r.Mode, r.OpFlags, r.Addr2
	case OpRenameat: // io_uring_prep_renameat
		sqe.fd, sqe.addr, sqe.len, sqe.off, sqe.op_flags = r.DirFD, r.Addr, uint32(r.FD), r.Addr2, r.OpFlags
	case OpUnlinkat: // io_uring_prep_unlinkat
		sqe.fd, sqe.addr, sqe.op_flags = r.DirFD, r.Addr, r.OpFlags
	case OpMkdirat: // io_uring_prep_mkdirat
		sqe.fd, sqe.addr, sqe.len = r.DirFD, r.Addr, r.Mode
	case OpFtruncate: // io_uring_prep_ftruncate
		sqe.fd, sqe.off = r.FD, r.Off
	case OpSymlinkat: // io_uring_prep_symlinkat
		sqe.fd, sqe.addr, sqe.off = r.DirFD, r.Addr, r.Addr2
	case OpLinkat: // io_uring_prep_linkat
		sqe.fd, sqe.addr, sqe.len, sqe.off, sqe.op_flags = r.DirFD, r.Addr, uint32(r.FD), r.Addr2, r.OpFlags
	}
}

// prepCancel fills sqe to cancel the request with target user data (or every request).
func prepCancel(sqe *io_uring_sqe, target uint64, all bool, tag uint64) {
	sqe.opcode = IORING_OP_ASYNC_CANCEL
	sqe.fd = -1
	sqe.addr = target
	sqe.user_data = tag
	if all {
		sqe.op_flags = IORING_ASYNC_CANCEL_ANY
	}
}

package core

// The io_uring ABI from include/uapi/linux/io_uring.h, under the kernel's names.

// enum io_uring_op (the subset used here).
const (
	IORING_OP_NOP          = 0
	IORING_OP_READV        = 1
	IORING_OP_WRITEV       = 2
	IORING_OP_FSYNC        = 3
	IORING_OP_ASYNC_CANCEL = 14
	IORING_OP_OPENAT       = 18
	IORING_OP_CLOSE        = 19
	IORING_OP_STATX        = 21
	IORING_OP_READ         = 22
	IORING_OP_WRITE        = 23
	IORING_OP_RENAMEAT     = 35
	IORING_OP_UNLINKAT     = 36
	IORING_OP_MKDIRAT      = 37
	IORING_OP_SYMLINKAT    = 38
	IORING_OP_LINKAT       = 39
	IORING_OP_FTRUNCATE    = 55
)

// io_uring_setup() flags.
const (
	IORING_SETUP_SQPOLL         = 1 << 1
	IORING_SETUP_CLAMP          = 1 << 4
	IORING_SETUP_SUBMIT_ALL     = 1 << 7
	IORING_SETUP_COOP_TASKRUN   = 1 << 8
	IORING_SETUP_TASKRUN_FLAG   = 1 << 9
	IORING_SETUP_SINGLE_ISSUER  = 1 << 12
	IORING_SETUP_DEFER_TASKRUN  = 1 << 13
	IORING_FEAT_SINGLE_MMAP     = 1 << 0
	IORING_FEAT_NODROP          = 1 << 1
	IORING_SQ_NEED_WAKEUP       = 1 << 0
	IORING_SQ_CQ_OVERFLOW       = 1 << 1
	IORING_SQ_TASKRUN           = 1 << 2
	IORING_CQ_EVENTFD_DISABLED  = 1 << 0
	IORING_ENTER_GETEVENTS      = 1 << 0
	IORING_ENTER_SQ_WAKEUP      = 1 << 1
	IORING_ENTER_EXT_ARG        = 1 << 3
	IORING_OFF_SQ_RING          = 0
	IORING_OFF_CQ_RING          = 0x8000000
	IORING_OFF_SQES             = 0x10000000
	IORING_FSYNC_DATASYNC       = 1 << 0
	IORING_ASYNC_CANCEL_ALL     = 1 << 0
	IORING_ASYNC_CANCEL_ANY     = 1 << 2
	IORING_RSRC_REGISTER_SPARSE = 1 << 0
	IO_URING_OP_SUPPORTED       = 1 << 0
)

// sqe->flags.
const (
	IOSQE_FIXED_FILE  = 1 << 0
	IOSQE_IO_LINK     = 1 << 2
	IOSQE_IO_HARDLINK = 1 << 3
	IOSQE_ASYNC       = 1 << 4
)

// io_uring_register() opcodes.
const (
	IORING_REGISTER_EVENTFD          = 4
	IORING_REGISTER_PROBE            = 8
	IORING_REGISTER_FILES2           = 13
	IORING_REGISTER_IOWQ_MAX_WORKERS = 19
)

// struct io_uring_sqe, 64 bytes; unions are named after the member this package uses.
type io_uring_sqe struct {
	opcode      uint8
	flags       uint8
	ioprio      uint16
	fd          int32
	off         uint64 // also addr2
	addr        uint64
	len         uint32
	op_flags    uint32 // rw_flags, fsync_flags, open_flags, statx_flags, rename_flags, ...
	user_data   uint64
	buf_index   uint16
	personality uint16
	file_index  uint32
	addr3       uint64
	_           uint64
}

// struct io_uring_cqe, 16 bytes (no CQE32).
type io_uring_cqe struct {
	user_data uint64
	res       int32
	flags     uint32
}

type io_sqring_offsets struct {
	head, tail, ring_mask, ring_entries, flags, dropped, array, resv1 uint32
	user_addr                                                         uint64
}

type io_cqring_offsets struct {
	head, tail, ring_mask, ring_entries, overflow, cqes, flags, resv1 uint32
	user_addr                                                         uint64
}

type io_uring_params struct {
	sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd uint32
	resv                                                                          [3]uint32
	sq_off                                                                        io_sqring_offsets
	cq_off                                                                        io_cqring_offsets
}

type io_uring_rsrc_register struct {
	nr, flags uint32
	resv2     uint64
	data      uint64
	tags      uint64
}

type io_uring_probe_op struct {
	op    uint8
	resv  uint8
	flags uint16
	resv2 uint32
}

type io_uring_probe struct {
	last_op uint8
	ops_len uint8
	resv    uint16
	resv2   [3]uint32
	ops     [256]io_uring_probe_op
}

// io_uring_getevents_arg is io_uring_enter's IORING_ENTER_EXT_ARG argument.
type io_uring_getevents_arg struct {
	sigmask       uint64
	sigmask_sz    uint32
	min_wait_usec uint32
	ts            uint64
}

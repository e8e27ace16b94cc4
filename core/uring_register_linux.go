package core

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// io_uring_register wraps the system call.
// liburing: io_uring_register(2)
func (r *ring) register(opcode uint32, arg unsafe.Pointer, nr_args uint32) error {
	_, _, errno := unix.Syscall6(unix.SYS_IO_URING_REGISTER, uintptr(r.ring_fd), uintptr(opcode),
		uintptr(arg), uintptr(nr_args), 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

// register_eventfd makes the kernel signal efd whenever CQEs are posted (and, with
// DEFER_TASKRUN, when work is waiting to be posted).
// liburing: io_uring_register_eventfd
func (r *ring) registerEventFD(efd int) error {
	fd := int32(efd) // the kernel reads an int
	return r.register(IORING_REGISTER_EVENTFD, unsafe.Pointer(&fd), 1)
}

// register_iowq_max_workers caps the bounded and unbounded io-wq pools of this ring.
// liburing: io_uring_register_iowq_max_workers
func (r *ring) registerIOWQMaxWorkers(n uint32) error {
	vals := [2]uint32{n, n}
	return r.register(IORING_REGISTER_IOWQ_MAX_WORKERS, unsafe.Pointer(&vals[0]), 2)
}

// register_files_sparse reserves a table of n empty direct descriptors.
// liburing: io_uring_register_files_sparse
func (r *ring) registerFilesSparse(n uint32) error {
	reg := io_uring_rsrc_register{nr: n, flags: IORING_RSRC_REGISTER_SPARSE}
	return r.register(IORING_REGISTER_FILES2, unsafe.Pointer(&reg), uint32(unsafe.Sizeof(reg)))
}

// probe returns which opcodes the kernel supports.
// liburing: io_uring_get_probe_ring
func (r *ring) probe() (supported [256]bool, err error) {
	var p io_uring_probe
	if err = r.register(IORING_REGISTER_PROBE, unsafe.Pointer(&p), uint32(len(p.ops))); err != nil {
		return supported, err
	}
	for _, op := range p.ops[:p.ops_len] {
		supported[op.op] = op.flags&IO_URING_OP_SUPPORTED != 0
	}
	return supported, nil
}

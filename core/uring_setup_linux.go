package core

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ring is one io_uring instance: the SQ and CQ rings and the SQE array, mapped from the
// kernel. Field names follow liburing's struct io_uring_sq / io_uring_cq.
type ring struct {
	ring_fd int
	flags   uint32 // setup flags the kernel accepted

	sqRingMem, cqRingMem, sqesMem []byte

	sq_khead, sq_ktail, sq_kflags *uint32
	sq_array                      unsafe.Pointer
	sq_ring_mask, sq_ring_entries uint32
	sqes                          unsafe.Pointer
	sqe_head, sqe_tail            uint32 // sqe_tail: next free SQE; sqe_head: published up to

	cq_khead, cq_ktail            *uint32
	cq_kflags                     *uint32 // nil on kernels before 5.8, which have no CQ flags
	cqes                          unsafe.Pointer
	cq_ring_mask, cq_ring_entries uint32

	// getEvents' argument and its zero timeout, here so that they never move while the
	// kernel reads them.
	noWait    unix.Timespec
	noWaitArg io_uring_getevents_arg
}

// setupAttempt is one set of io_uring_setup flags, best first.
type setupAttempt struct {
	flags uint32
	names []string
}

func setupAttempts(sqpoll bool) []setupAttempt {
	var a []setupAttempt
	if sqpoll {
		a = append(a, setupAttempt{IORING_SETUP_SQPOLL | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_SUBMIT_ALL,
			[]string{"SQPOLL", "SINGLE_ISSUER", "SUBMIT_ALL"}})
	}
	return append(a,
		setupAttempt{IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG | IORING_SETUP_SUBMIT_ALL,
			[]string{"SINGLE_ISSUER", "DEFER_TASKRUN", "TASKRUN_FLAG", "SUBMIT_ALL"}},
		setupAttempt{IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG, []string{"COOP_TASKRUN", "TASKRUN_FLAG"}},
		setupAttempt{0, nil},
	)
}

// ringSetup is the io_uring_setup system call: io_uring_setup, or in a test one that
// fails the way an old kernel, the sysctl or a seccomp filter makes it fail.
type ringSetup func(entries uint32, p *io_uring_params) (int, error)

// io_uring_setup wraps the system call.
func io_uring_setup(entries uint32, p *io_uring_params) (int, error) {
	fd, _, errno := unix.Syscall(unix.SYS_IO_URING_SETUP, uintptr(entries), uintptr(unsafe.Pointer(p)), 0)
	if errno != 0 {
		return -1, errno
	}
	return int(fd), nil
}

// newRing sets up a ring of the given depth with the first flag set the kernel accepts.
// It returns the names of the flags in use.
func newRing(entries uint32, sqpoll bool, setup ringSetup) (*ring, []string, error) {
	var lastErr error
	for _, a := range setupAttempts(sqpoll) {
		p := io_uring_params{flags: a.flags | IORING_SETUP_CLAMP}
		fd, err := setup(entries, &p)
		if err != nil {
			lastErr = err
			if err == unix.EINVAL || (err == unix.EPERM && a.flags&IORING_SETUP_SQPOLL != 0) {
				continue // an older kernel, or SQPOLL not permitted: try fewer flags
			}
			return nil, nil, fmt.Errorf("io_uring_setup: %w", err)
		}
		r := &ring{ring_fd: fd, flags: p.flags}
		if err := r.mmap(&p); err != nil {
			unix.Close(fd)
			return nil, nil, err
		}
		return r, a.names, nil
	}
	return nil, nil, fmt.Errorf("io_uring_setup: %w", lastErr)
}

// liburing: io_uring_mmap
func (r *ring) mmap(p *io_uring_params) error {
	sqSize := int(p.sq_off.array) + int(p.sq_entries)*4
	cqSize := int(p.cq_off.cqes) + int(p.cq_entries)*int(unsafe.Sizeof(io_uring_cqe{}))
	single := p.features&IORING_FEAT_SINGLE_MMAP != 0
	if single {
		sqSize = max(sqSize, cqSize)
	}
	var err error
	prot, flags := unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE
	if r.sqRingMem, err = unix.Mmap(r.ring_fd, IORING_OFF_SQ_RING, sqSize, prot, flags); err != nil {
		return fmt.Errorf("mmap SQ ring: %w", err)
	}
	r.cqRingMem = r.sqRingMem
	if !single {
		if r.cqRingMem, err = unix.Mmap(r.ring_fd, IORING_OFF_CQ_RING, cqSize, prot, flags); err != nil {
			r.unmap()
			return fmt.Errorf("mmap CQ ring: %w", err)
		}
	}
	sqesSize := int(p.sq_entries) * int(unsafe.Sizeof(io_uring_sqe{}))
	if r.sqesMem, err = unix.Mmap(r.ring_fd, IORING_OFF_SQES, sqesSize, prot, flags); err != nil {
		r.unmap()
		return fmt.Errorf("mmap SQEs: %w", err)
	}
	sq, cq := unsafe.Pointer(&r.sqRingMem[0]), unsafe.Pointer(&r.cqRingMem[0])
	r.sq_khead = (*uint32)(unsafe.Add(sq, p.sq_off.head))
	r.sq_ktail = (*uint32)(unsafe.Add(sq, p.sq_off.tail))
	r.sq_kflags = (*uint32)(unsafe.Add(sq, p.sq_off.flags))
	r.sq_array = unsafe.Add(sq, p.sq_off.array)
	r.sq_ring_mask = *(*uint32)(unsafe.Add(sq, p.sq_off.ring_mask))
	r.sq_ring_entries = *(*uint32)(unsafe.Add(sq, p.sq_off.ring_entries))
	r.sqes = unsafe.Pointer(&r.sqesMem[0])
	r.cq_khead = (*uint32)(unsafe.Add(cq, p.cq_off.head))
	r.cq_ktail = (*uint32)(unsafe.Add(cq, p.cq_off.tail))
	r.cqes = unsafe.Add(cq, p.cq_off.cqes)
	if p.cq_off.flags != 0 {
		r.cq_kflags = (*uint32)(unsafe.Add(cq, p.cq_off.flags))
	}
	r.cq_ring_mask = *(*uint32)(unsafe.Add(cq, p.cq_off.ring_mask))
	r.cq_ring_entries = *(*uint32)(unsafe.Add(cq, p.cq_off.ring_entries))
	return nil
}

// liburing: io_uring_unmap_rings
func (r *ring) unmap() {
	shared := r.cqRingMem != nil && r.sqRingMem != nil && &r.cqRingMem[0] == &r.sqRingMem[0]
	if r.cqRingMem != nil && !shared {
		_ = unix.Munmap(r.cqRingMem)
	}
	for _, m := range [][]byte{r.sqesMem, r.sqRingMem} {
		if m != nil {
			_ = unix.Munmap(m)
		}
	}
	r.sqesMem, r.cqRingMem, r.sqRingMem = nil, nil, nil
}

// exit closes the ring. The kernel cancels what is still in flight and keeps its own
// references until each request is done, so this never frees memory under the kernel.
// liburing: io_uring_queue_exit
func (r *ring) exit() {
	r.unmap()
	unix.Close(r.ring_fd)
}

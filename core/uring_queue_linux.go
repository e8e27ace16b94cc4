package core

import (
	"runtime"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// io_uring_enter wraps the system call, retrying EINTR.
// liburing: io_uring_enter(2)
func (r *ring) enter(to_submit, min_complete, flags uint32) (int, error) {
	for {
		ringEnters.Add(1)
		n, _, errno := unix.Syscall6(unix.SYS_IO_URING_ENTER, uintptr(r.ring_fd), uintptr(to_submit),
			uintptr(min_complete), uintptr(flags), 0, 0)
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return 0, errno
		}
		return int(n), nil
	}
}

// sq_space_left is how many SQEs can be taken before the kernel consumes more.
// liburing: io_uring_sq_space_left
func (r *ring) sqSpaceLeft() uint32 {
	return r.sq_ring_entries - (r.sqe_tail - atomic.LoadUint32(r.sq_khead))
}

// get_sqe returns the next free SQE, zeroed, or nil when the SQ is full.
// liburing: io_uring_get_sqe
func (r *ring) getSQE() *io_uring_sqe {
	if r.sqSpaceLeft() == 0 {
		return nil
	}
	sqe := (*io_uring_sqe)(unsafe.Add(r.sqes, uintptr(r.sqe_tail&r.sq_ring_mask)*unsafe.Sizeof(io_uring_sqe{})))
	*sqe = io_uring_sqe{}
	r.sqe_tail++
	return sqe
}

// sqUnconsumed reports whether SQEs were taken that the kernel has not consumed yet.
func (r *ring) sqUnconsumed() bool { return r.sqe_tail != atomic.LoadUint32(r.sq_khead) }

// flush_sq publishes the SQEs taken since the last flush by filling the SQ array and
// storing the new tail (the atomic store orders the SQE writes before it).
// liburing: __io_uring_flush_sq
func (r *ring) flushSQ() {
	for ; r.sqe_head != r.sqe_tail; r.sqe_head++ {
		i := r.sqe_head & r.sq_ring_mask
		*(*uint32)(unsafe.Add(r.sq_array, uintptr(i)*4)) = i
	}
	atomic.StoreUint32(r.sq_ktail, r.sqe_tail)
}

// submit publishes pending SQEs and enters the kernel when it needs to be told: always
// without SQPOLL (with GETEVENTS when task work is deferred, so finished work is posted),
// and with SQPOLL only to wake a sleeping poller.
// liburing: io_uring_submit
func (r *ring) submit() error {
	r.flushSQ()
	unsubmitted := r.sqe_tail - atomic.LoadUint32(r.sq_khead)
	if r.flags&IORING_SETUP_SQPOLL != 0 {
		if unsubmitted > 0 && atomic.LoadUint32(r.sq_kflags)&IORING_SQ_NEED_WAKEUP != 0 {
			_, err := r.enter(0, 0, IORING_ENTER_SQ_WAKEUP)
			return err
		}
		return nil
	}
	if unsubmitted == 0 && !r.cqNeedsEnter() {
		return nil
	}
	_, err := r.enter(unsubmitted, 0, IORING_ENTER_GETEVENTS)
	if err == unix.EAGAIN || err == unix.EBUSY {
		// Out of kernel resources or CQ overflow pending: the SQEs stay published and are
		// picked up by the next enter, after completions are reaped.
		return nil
	}
	return err
}

// getEvents runs every piece of task work the kernel deferred for this ring's issuer
// (DEFER_TASKRUN: completions, and the next request of each link chain, wait for it)
// without waiting for anything: see submitAndGetEvents.
// liburing: io_uring_get_events
func (r *ring) getEvents() { _ = r.enterGetEvents(0) }

// ioLocalTWDefaultMax is how many deferred task-work items (IO_LOCAL_TW_DEFAULT_MAX) a
// GETEVENTS enter asking for no completions runs.
const ioLocalTWDefaultMax = 20

// submitAndGetEvents publishes pending SQEs and, in the same io_uring_enter, runs the
// task work the kernel deferred, so that one system call both submits and makes the
// finished completions visible in the CQ. pending bounds the deferred items (a request
// has at most one queued at a time: its completion, or its turn in a link chain): up to
// the kernel's batch a plain GETEVENTS enter runs them all and returns at once; more
// take enterBatches. It reports whether deferred work may be left that no signal of the
// eventfd will announce: the caller signals its notifier, so that its loop looks again.
// With SQPOLL the poller submits: the kernel is entered only to wake it or to flush what
// waits outside the CQ.
func (r *ring) submitAndGetEvents(pending int) (bool, error) {
	if r.flags&IORING_SETUP_SQPOLL != 0 {
		err := r.submit()
		if r.cqNeedsEnter() {
			r.getEvents()
		}
		return false, err
	}
	r.flushSQ()
	toSubmit := r.sqe_tail - atomic.LoadUint32(r.sq_khead)
	if r.flags&IORING_SETUP_DEFER_TASKRUN != 0 && pending > ioLocalTWDefaultMax {
		if r.flags&IORING_SETUP_TASKRUN_FLAG == 0 {
			return false, r.enterGetEvents(toSubmit)
		}
		return r.enterBatches(toSubmit, pending)
	}
	_, err := r.enter(toSubmit, 0, IORING_ENTER_GETEVENTS)
	if err == unix.EAGAIN || err == unix.EBUSY {
		return false, nil // as in submit
	}
	return false, err
}

// enterBatches runs more deferred task work than one plain GETEVENTS enter does
// (IO_LOCAL_TW_DEFAULT_MAX items) without enterGetEvents' zero timeout, whose expired
// hrtimer still costs a schedule() (5 % of the loop's thread with 200 new files in
// flight on ext4: docs/engine.md). The kernel raises IORING_SQ_TASKRUN when a run stops
// at its cap with items left, which signals nothing, and when an item lands on an empty
// list, which signals the eventfd. So a plain enter follows another while the last one
// filled its batch (posted as many CQEs) with the flag raised. Raised after a run that
// posted fewer, or after as many rounds as pending needs, it reports work left: the
// caller's loop looks again in its next iteration (one enter an iteration while
// completions trickle in). Raised after an enter that posted nothing, the flag may be
// stale (the kernel clears it only when it runs task work): enterGetEvents then runs
// whatever is there, so that a stale flag cannot keep the loop awake.
func (r *ring) enterBatches(toSubmit uint32, pending int) (bool, error) {
	for rounds := pending/ioLocalTWDefaultMax + 1; ; rounds-- {
		tail := atomic.LoadUint32(r.cq_ktail)
		_, err := r.enter(toSubmit, 0, IORING_ENTER_GETEVENTS)
		if err == unix.EAGAIN || err == unix.EBUSY {
			return false, nil // as in submit
		} else if err != nil {
			return false, err
		}
		toSubmit = r.sqe_tail - atomic.LoadUint32(r.sq_khead)
		posted := atomic.LoadUint32(r.cq_ktail) - tail
		switch {
		case atomic.LoadUint32(r.sq_kflags)&IORING_SQ_TASKRUN == 0:
			return false, nil
		case posted == 0:
			return false, r.enterGetEvents(toSubmit)
		case posted < ioLocalTWDefaultMax || rounds == 1:
			return true, nil
		}
	}
}

// enterGetEvents enters with toSubmit SQEs and GETEVENTS asking for as many completions
// as the CQ holds, with a zero timeout. A plain GETEVENTS enter runs at most
// IO_LOCAL_TW_DEFAULT_MAX (20) deferred items, and the kernel signals the eventfd for
// new deferred work only when its list was empty, so the rest waited for a wake-up that
// never came (found here with 64 linked open→write→close chains at once). On a kernel
// without IORING_ENTER_EXT_ARG: the plain enter.
// liburing: io_uring_submit_and_get_events, with the wait of io_uring_wait_cqes's timeout
func (r *ring) enterGetEvents(toSubmit uint32) error {
	r.noWaitArg = io_uring_getevents_arg{ts: uint64(uintptr(unsafe.Pointer(&r.noWait)))}
	for {
		ringEnters.Add(1)
		_, _, errno := unix.Syscall6(unix.SYS_IO_URING_ENTER, uintptr(r.ring_fd), uintptr(toSubmit),
			uintptr(r.cq_ring_entries), IORING_ENTER_GETEVENTS|IORING_ENTER_EXT_ARG,
			uintptr(unsafe.Pointer(&r.noWaitArg)), unsafe.Sizeof(r.noWaitArg))
		switch errno {
		case unix.EINTR:
			continue
		case unix.EINVAL:
			_, err := r.enter(toSubmit, 0, IORING_ENTER_GETEVENTS)
			if err == unix.EAGAIN || err == unix.EBUSY {
				return nil // as in submit: the SQEs stay published for the next enter
			}
			return err
		case 0, unix.ETIME, unix.EAGAIN, unix.EBUSY:
			// ETIME: nothing more to run now. EAGAIN, EBUSY: as in submit.
			return nil
		}
		return errno
	}
}

// setEventFD turns the registered eventfd's signal for posted completions on or off
// (a caller about to look at the CQ itself needs no wake-up for what it finds there).
// liburing: io_uring_cq_eventfd_toggle
func (r *ring) setEventFD(on bool) {
	if r.cq_kflags == nil {
		return
	}
	if on {
		atomic.StoreUint32(r.cq_kflags, atomic.LoadUint32(r.cq_kflags)&^IORING_CQ_EVENTFD_DISABLED)
	} else {
		atomic.StoreUint32(r.cq_kflags, atomic.LoadUint32(r.cq_kflags)|IORING_CQ_EVENTFD_DISABLED)
	}
}

// taskRunOrdered: x86 sets IORING_SQ_TASKRUN with a locked instruction, a full barrier
// between it and the kernel's look at IORING_CQ_EVENTFD_DISABLED, so a thread that turns
// the signal back on and then reads the flag sees one or the other. Elsewhere (arm64:
// a relaxed atomic) the two may pass each other.
const taskRunOrdered = runtime.GOARCH == "amd64" || runtime.GOARCH == "386"

// taskRunVisible reports whether IORING_SQ_TASKRUN shows every completion that would
// not signal the eventfd: all completions are deferred to this thread's enters
// (DEFER_TASKRUN; without it io-wq posts CQEs itself, racing the signal's toggle), the
// kernel raises the flag (TASKRUN_FLAG), and the flag is ordered with the toggle.
func (r *ring) taskRunVisible() bool {
	const want = IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG
	return taskRunOrdered && r.flags&want == want && r.flags&IORING_SETUP_SQPOLL == 0 && r.cq_kflags != nil
}

// cq_needs_enter reports whether completions are waiting in the kernel rather than in
// the CQ ring: deferred task work, or an overflow list to flush.
// liburing: cq_ring_needs_enter
func (r *ring) cqNeedsEnter() bool {
	return atomic.LoadUint32(r.sq_kflags)&(IORING_SQ_TASKRUN|IORING_SQ_CQ_OVERFLOW) != 0
}

// peek_cqes copies ready CQEs into out and advances the CQ head past them.
// liburing: io_uring_peek_batch_cqe
func (r *ring) peekCQEs(out []io_uring_cqe) int {
	head := *r.cq_khead
	tail := atomic.LoadUint32(r.cq_ktail)
	n := 0
	for ; head != tail && n < len(out); head++ {
		out[n] = *(*io_uring_cqe)(unsafe.Add(r.cqes, uintptr(head&r.cq_ring_mask)*unsafe.Sizeof(io_uring_cqe{})))
		n++
	}
	atomic.StoreUint32(r.cq_khead, head)
	return n
}

// cq_ready reports whether a CQE is waiting in the CQ ring.
// liburing: io_uring_cq_ready
func (r *ring) cqReady() bool { return atomic.LoadUint32(r.cq_ktail) != *r.cq_khead }

package core

import (
	"fmt"
	"runtime"
	"time"
)

// cancelTag marks the engine's own ASYNC_CANCEL requests; their CQEs are not reported.
const cancelTag = 1 << 63

// uringBackend submits requests as SQEs to an io_uring and reaps CQEs from it. Operations
// the running kernel lacks (probed at setup) run on goroutines through the executor and
// complete through the same notifier.
type uringBackend struct {
	cfg        Config
	r          *ring
	n          *notifier
	native     [opCount]bool
	x          *executor
	side       *doneList // completions of the operations run off the ring
	inKernel   int       // user SQEs submitted whose CQE was not reaped
	cancels    int       // cancel SQEs whose CQE was not reaped
	scratch    []io_uring_cqe
	setupNames []string
	direct     bool
	sqpollNote string
}

func newUringBackend(cfg Config, setup ringSetup) (*uringBackend, error) {
	r, names, err := newRing(uint32(cfg.QueueDepth), cfg.IOUringSQPoll, setup)
	if err != nil {
		return nil, err
	}
	b := &uringBackend{cfg: cfg, r: r, x: newExecutor(), setupNames: names,
		scratch: make([]io_uring_cqe, r.cq_ring_entries)}
	fail := func(what string, err error) (*uringBackend, error) {
		b.release()
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if b.n, err = newNotifier(); err != nil {
		return fail("eventfd", err)
	}
	b.side = newDoneList(b.n)
	if err = r.registerEventFD(b.n.fd()); err != nil {
		return fail("IORING_REGISTER_EVENTFD", err)
	}
	supported, err := r.probe()
	if err != nil {
		return fail("IORING_REGISTER_PROBE", err)
	}
	for op := Op(0); op < opCount; op++ {
		b.native[op] = supported[uringOpcodes[op]]
	}
	if cfg.IOWorkerCount > 0 {
		if err = r.registerIOWQMaxWorkers(uint32(cfg.IOWorkerCount)); err != nil {
			return fail("IORING_REGISTER_IOWQ_MAX_WORKERS", err)
		}
	}
	b.direct = r.registerFilesSparse(directSlots) == nil
	return b, nil
}

// queue turns the chain into SQEs, or hands it to a goroutine when an operation in it is
// not native (a chain must run in one place to keep its order).
func (b *uringBackend) queue(chain []Request) bool {
	if !b.allNative(chain) {
		b.runOffRing(chain)
		return true
	}
	if !b.direct && hasDirect(chain) {
		b.failChain(chain, -errENOSYS) // the kernel gave no direct-descriptor table
		return true
	}
	n := uint32(len(chain))
	if b.inKernel > 0 && b.inKernel+len(chain) > int(b.r.sq_ring_entries) {
		return false // keep CQ room for every submitted request and its possible cancel
	}
	if b.r.sqSpaceLeft() < n {
		_ = b.r.submit()
		if b.r.sqSpaceLeft() < n {
			return false
		}
	}
	for i := range chain {
		prep(b.r.getSQE(), &chain[i])
	}
	b.inKernel += len(chain)
	return true
}

func (b *uringBackend) runOffRing(chain []Request) {
	if hasDirect(chain) {
		b.failChain(chain, -errENOSYS) // direct descriptors live in the ring
		return
	}
	c := append([]Request(nil), chain...)
	b.side.start(c)
	go b.x.runChain(c, b.side.cancelled, b.side.push)
}

func (b *uringBackend) allNative(chain []Request) bool {
	for i := range chain {
		if !b.native[chain[i].Op] {
			return false
		}
	}
	return true
}

// hasDirect reports whether a chain opens into or uses a direct-descriptor slot.
func hasDirect(chain []Request) bool {
	for i := range chain {
		if chain[i].Flags&FlagFixedFile != 0 || chain[i].Slot > 0 {
			return true
		}
	}
	return false
}

func (b *uringBackend) failChain(chain []Request, res int64) {
	b.side.start(chain)
	for i := range chain {
		b.side.push(Completion{chain[i].UserData, res})
		res = -errECANCELED
	}
}

func (b *uringBackend) flush() error { return b.r.submit() }

func (b *uringBackend) reap(out []Completion) int {
	n, _ := b.exchange(out, ExchangeTick)
	return n
}

// exchange submits what queue took and reaps, in one io_uring_enter (a few when the
// kernel leaves work for this thread at once: quietExchange).
func (b *uringBackend) exchange(out []Completion, mode ExchangeMode) (int, error) {
	if mode != ExchangeInline && !b.n.drain() && (mode == ExchangeNotified || mode == ExchangePoll) && !b.r.sqUnconsumed() {
		// Nothing signalled since the last enter (an exchange since the wake-up took its
		// work, or a poll finds nothing yet): no enter.
		return b.collect(out), nil
	}
	// The notifier was reset before entering: anything finishing after this point
	// signals it again, so no wake-up is lost between the look and the next wait.
	switch {
	case b.r.taskRunVisible() && b.inKernel+b.cancels <= ioLocalTWDefaultMax:
		return b.quietExchange(out)
	case mode == ExchangeInline:
		n, err := b.quietEnter(out)
		if b.inKernel > 0 || b.cancels > 0 {
			// Work that finished in the kernel while the eventfd was off did not
			// signal it: make sure the loop looks again.
			b.n.signal()
		}
		return n, err
	}
	return b.loudEnter(out)
}

// quietRounds bounds the enters of one quiet exchange.
const quietRounds = 6

// quietExchange is for a ring whose IORING_SQ_TASKRUN can be trusted (taskRunVisible)
// with few requests in the kernel: the loop is likely waiting for them. It enters with
// the eventfd's signal off, then reads the flag: clear, nothing was queued unseen and
// whatever finishes later signals; set, the kernel queued work for this thread
// meanwhile (an io-wq completion, a link chain's next request), which another enter
// runs now rather than a wake-up and a loop iteration later. Two rounds in a row that
// neither submit nor reap anything end the rounds (one may have just issued a link's
// next request to io-wq): the flag may be stale (the kernel clears it only when it
// runs task work, and an enter that ran all it found, or found none, leaves it set),
// so the last enter is made with the signal on: it runs what was queued while the
// signal was off, and whatever comes later signals.
func (b *uringBackend) quietExchange(out []Completion) (int, error) {
	n, idle := 0, 0
	for round := 1; ; round++ {
		submitting := b.r.sqUnconsumed()
		got, err := b.quietEnter(out[n:])
		n += got
		if got == 0 && !submitting {
			idle++
		} else {
			idle = 0
		}
		switch {
		case !b.r.cqReady() && !b.r.cqNeedsEnter():
			return n, err
		case err != nil || n == len(out):
			b.n.signal() // the caller reaps again at once (out was full) or fails
			return n, err
		case round == quietRounds || idle == 2:
			got, err = b.loudEnter(out[n:])
			return n + got, err
		}
	}
}

// quietEnter submits and runs the deferred task work in one io_uring_enter with the
// eventfd's signal off (the caller reads the CQ right after: what was posted meanwhile
// needs no wake-up), and collects.
func (b *uringBackend) quietEnter(out []Completion) (int, error) {
	b.r.setEventFD(false)
	left, err := b.r.submitAndGetEvents(b.inKernel + b.cancels)
	n := b.collect(out)
	b.r.setEventFD(true)
	if left {
		b.n.signal()
	}
	return n, err
}

// loudEnter is quietEnter with the signal on: whatever the kernel posts or queues
// during the enter signals the eventfd, even what this call collects.
func (b *uringBackend) loudEnter(out []Completion) (int, error) {
	left, err := b.r.submitAndGetEvents(b.inKernel + b.cancels)
	if left {
		b.n.signal()
	}
	return b.collect(out), err
}

// collect moves the completions of operations run off the ring, then ready CQEs, into
// out.
func (b *uringBackend) collect(out []Completion) int {
	n := b.side.take(out)
	for n < len(out) {
		got := b.r.peekCQEs(b.scratch[:min(len(out)-n, len(b.scratch))])
		if got == 0 {
			break
		}
		for _, cqe := range b.scratch[:got] {
			if cqe.user_data&cancelTag != 0 {
				b.cancels--
				continue
			}
			out[n] = Completion{cqe.user_data, int64(cqe.res)}
			n++
			b.inKernel--
		}
	}
	return n
}

func (b *uringBackend) wait(timeout time.Duration) {
	if b.side.ready() || b.r.cqReady() {
		return
	}
	b.n.waitReadable(timeout)
}

func (b *uringBackend) submitCancel(target uint64, all bool) {
	sqe := b.r.getSQE()
	if sqe == nil {
		_ = b.r.submit()
		if sqe = b.r.getSQE(); sqe == nil {
			return // the SQ is full of work the kernel has not taken; nothing to cancel yet
		}
	}
	prepCancel(sqe, target, all, cancelTag|target)
	b.cancels++
}

func (b *uringBackend) cancel(userData uint64) {
	b.side.cancel(userData)
	b.submitCancel(userData, false)
}

func (b *uringBackend) cancelAll() {
	b.side.cancelEverything()
	b.submitCancel(0, true)
}

func (b *uringBackend) notifyFD() int { return b.n.fd() }
func (b *uringBackend) signal()       { b.n.signal() }

func (b *uringBackend) release() {
	if b.side != nil {
		b.side.shut()
	}
	if b.r != nil {
		b.r.exit()
	}
	b.x.closeSlots()
	if b.n != nil {
		b.n.close()
	}
}

func (b *uringBackend) info() BackendInfo {
	info := BackendInfo{
		Platform:      runtime.GOOS,
		Backend:       "io_uring",
		IsTrulyAsync:  true,
		SetupFlags:    b.setupNames,
		SQPollWanted:  b.cfg.IOUringSQPoll,
		SQPollGranted: b.r.flags&IORING_SETUP_SQPOLL != 0,
		DirectFiles:   b.direct,
		QueueDepth:    int(b.r.sq_ring_entries),
		QuietWakeUps:  b.r.taskRunVisible(),
		NativeOps:     []string{},
		WorkerOps:     []string{},
	}
	for op := Op(0); op < opCount; op++ {
		if b.native[op] {
			info.NativeOps = append(info.NativeOps, op.String())
		} else {
			info.WorkerOps = append(info.WorkerOps, op.String())
		}
	}
	if b.cfg.IOUringSQPoll && !info.SQPollGranted {
		info.FallbackReason = "SQPOLL was requested but not permitted; running without it"
	}
	return info
}

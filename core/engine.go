package core

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// directSlots is the size of the direct-descriptor table (io_uring fixed files, emulated
// by the worker backend) that OpOpenat with Slot > 0 installs into.
const directSlots = 256

// backend is what a platform's asynchronous machinery provides to the Engine. All calls
// come from the engine's owner thread, serialised by Engine.mu.
type backend interface {
	// queue takes one link chain (requests already validated) and returns false when it
	// has no room for it now.
	queue(chain []Request) bool
	// flush hands everything queued to the kernel or the workers.
	flush() error
	// reap moves finished completions into out without blocking.
	reap(out []Completion) int
	// wait blocks until at least one completion is ready or the timeout passes.
	wait(timeout time.Duration)
	// cancel asks for the in-flight request with this user data to stop early.
	cancel(userData uint64)
	// cancelAll asks every in-flight request to stop early.
	cancelAll()
	// notifyFD becomes readable when reap has work; the engine may also signal it.
	notifyFD() int
	signal()
	info() BackendInfo
	// release frees the backend's resources. It must not free memory the kernel may
	// still write (the kernel holds its own references to a ring being torn down).
	release()
}

// ErrClosed is returned for an engine that was closed.
var ErrClosed = errors.New("ayafileio: engine is closed")

// Engine is one asynchronous I/O context: a request queue, a completion queue and a
// notify descriptor. It is meant to be driven from one thread (one per event loop); its
// methods are nonetheless safe to call concurrently.
type Engine struct {
	mu       sync.Mutex
	b        backend
	pending  []Request    // accepted but not yet queued with the backend (back-pressure)
	local    []Completion // finished without reaching the backend (invalid, cancelled early)
	inflight int          // requests handed to the backend and not yet reaped
	closed   bool
	wake     *wakeSocket // set by WakeSocket
}

var liveEngines atomic.Int64

// ringEnters counts io_uring_enter system calls made by every engine of the process.
var ringEnters atomic.Uint64

// RingEnters says how many io_uring_enter system calls the process's engines made.
func RingEnters() uint64 { return ringEnters.Load() }

// notifiedExchanges counts the exchanges of every engine made in ExchangeNotified mode.
var notifiedExchanges atomic.Uint64

// NotifiedExchanges says how many exchanges answered the notify descriptor: how often
// event loops woke up for completions.
func NotifiedExchanges() uint64 { return notifiedExchanges.Load() }

// NewEngine creates an engine with cfg, choosing the backend cfg.Backend names ("auto"
// tries io_uring and falls back to the worker backend).
func NewEngine(cfg Config) (*Engine, error) {
	b, err := newBackend(cfg)
	if err != nil {
		return nil, err
	}
	liveEngines.Add(1)
	return &Engine{b: b}, nil
}

// LiveEngines counts engines created and not yet closed.
func LiveEngines() int64 { return liveEngines.Load() }

// NotifyFD returns the descriptor that becomes readable when completions are waiting.
// It is a hint: wake-ups may be coalesced or spurious, so always reap until empty.
func (e *Engine) NotifyFD() int { return e.b.notifyFD() }

// Info describes the backend in use.
func (e *Engine) Info() BackendInfo { return e.b.info() }

// Inflight counts the requests submitted and not yet reaped.
func (e *Engine) Inflight() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.inflight + len(e.pending)
}

// Submit accepts requests. Invalid ones complete at once with -EINVAL (and the rest of
// their link chain with -ECANCELED); the others are queued with the backend, or held
// back until completions make room. It returns the number of requests accepted, which is
// all of them unless the engine is closed.
func (e *Engine) Submit(reqs []Request) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return 0, ErrClosed
	}
	e.accept(reqs)
	err := e.b.flush()
	if len(e.local) > 0 {
		e.b.signal()
	}
	return len(reqs), err
}

// ExchangeMode says what an Exchange is for.
type ExchangeMode int

const (
	// ExchangeTick is the event loop's one exchange per iteration: submit what the
	// iteration queued and reap everything finished.
	ExchangeTick ExchangeMode = iota
	// ExchangeNotified answers the notify descriptor: as ExchangeTick, but the kernel is
	// not entered when the notifier was already drained, by an exchange made since the
	// wake-up, and there is nothing to submit.
	ExchangeNotified
	// ExchangeInline is made by a caller that waits for the result of what it submits
	// now: completions it finds at once need no wake-up, so the notifier is kept quiet
	// for them (what is left in flight still signals it when it finishes).
	ExchangeInline
	// ExchangePoll is the event loop looking for completions itself, once per iteration,
	// while requests are in flight (the Python driver's idle_spin_us): as
	// ExchangeNotified when the notifier was signalled, else nothing is entered; not
	// counted as a wake-up.
	ExchangePoll
)

// exchanger is a backend that submits and reaps in one system call.
type exchanger interface {
	exchange(out []Completion, mode ExchangeMode) (int, error)
}

// Exchange submits reqs as Submit does and reaps into out as Reap does, with one system
// call where the backend can (io_uring: one io_uring_enter). It returns the number of
// completions written.
func (e *Engine) Exchange(reqs []Request, out []Completion, mode ExchangeMode) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return 0, ErrClosed
	}
	if mode == ExchangeNotified {
		notifiedExchanges.Add(1)
	}
	e.accept(reqs)
	var err error
	n := e.reapLocked(out, func(out []Completion) int {
		if x, ok := e.b.(exchanger); ok {
			var got int
			got, err = x.exchange(out, mode)
			return got
		}
		err = e.b.flush()
		return e.b.reap(out)
	})
	return n, err
}

// accept validates reqs (invalid ones complete in local), appends the valid ones to
// pending and queues pending with the backend as far as it has room.
func (e *Engine) accept(reqs []Request) {
	broken := false // an earlier request of this chain was invalid
	for i := range reqs {
		r := reqs[i]
		switch {
		case broken:
			e.local = append(e.local, Completion{r.UserData, -errECANCELED})
		case !r.validate():
			e.local = append(e.local, Completion{r.UserData & MaxUserData, -errEINVAL})
			// The requests already accepted for this chain are held in pending with
			// a dangling link flag; the chain ends at the invalid request.
			if n := len(e.pending); n > 0 && e.pending[n-1].Flags&FlagLink != 0 {
				e.pending[n-1].Flags &^= linkFlags
			}
			broken = r.Flags&FlagLink != 0
			continue
		default:
			e.pending = append(e.pending, r)
		}
		broken = broken && r.Flags&FlagLink != 0
	}
	if n := len(e.pending); n > 0 && e.pending[n-1].Flags&FlagLink != 0 {
		// A chain may not end open: the caller's last request had the link flag.
		e.pending[n-1].Flags &^= linkFlags
	}
	e.queuePending()
}

// decodeRecords decodes n request records from caller memory at addr.
func decodeRecords(addr uintptr, n int) []Request {
	if n <= 0 {
		return nil
	}
	raw := unsafe.Slice((*byte)(unsafe.Add(nil, addr)), n*RequestSize)
	reqs := make([]Request, n)
	for i := range reqs {
		reqs[i], _ = decodeRequest(raw[i*RequestSize:])
	}
	return reqs
}

// ExchangeRecords is Exchange with n request records at reqAddr and room for room
// completion records at outAddr, both in caller memory.
func (e *Engine) ExchangeRecords(reqAddr uintptr, n int, outAddr uintptr, room int, mode ExchangeMode) (int, error) {
	return e.Exchange(decodeRecords(reqAddr, n), unsafe.Slice((*Completion)(unsafe.Add(nil, outAddr)), max(room, 0)), mode)
}

// queuePending moves whole chains from pending to the backend while it has room.
func (e *Engine) queuePending() {
	taken := 0
	for taken < len(e.pending) {
		end := taken
		for end < len(e.pending)-1 && e.pending[end].Flags&FlagLink != 0 {
			end++
		}
		chain := e.pending[taken : end+1]
		if !e.b.queue(chain) {
			break
		}
		e.inflight += len(chain)
		taken = end + 1
	}
	if taken > 0 {
		e.pending = append(e.pending[:0], e.pending[taken:]...)
	}
}

// Reap moves finished completions into out and returns how many it wrote. It never
// blocks. Reaping frees room, so it also submits requests that were held back.
func (e *Engine) Reap(out []Completion) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.reapLocked(out, e.b.reap)
}

// reapLocked hands out the local completions, then those reap finds.
func (e *Engine) reapLocked(out []Completion, reap func([]Completion) int) int {
	n := copy(out, e.local)
	e.local = append(e.local[:0], e.local[n:]...)
	got := reap(out[n:])
	e.inflight -= got
	if got > 0 && len(e.pending) > 0 {
		e.queuePending()
		_ = e.b.flush()
	}
	if e.wake != nil && n+got < len(out) {
		e.wake.arm()
	}
	return n + got
}

// Wait blocks until a completion is ready or timeout passes (for callers that have no
// event loop, such as tests and Close).
func (e *Engine) Wait(timeout time.Duration) {
	e.mu.Lock()
	ready := len(e.local) > 0
	e.mu.Unlock()
	if !ready {
		e.b.wait(timeout)
	}
}

// Cancel asks the request with userData to stop. A request still held back completes
// at once with -ECANCELED; one in flight may still complete normally (disk I/O often
// cannot be interrupted): its own completion, whatever its result, always arrives.
func (e *Engine) Cancel(userData uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, r := range e.pending {
		if r.UserData != userData {
			continue
		}
		// Cancel the rest of its chain too, as the kernel would.
		end := i
		for end < len(e.pending)-1 && e.pending[end].Flags&FlagLink != 0 {
			end++
		}
		start := i
		for start > 0 && e.pending[start-1].Flags&FlagLink != 0 {
			start--
		}
		for _, c := range e.pending[start : end+1] {
			e.local = append(e.local, Completion{c.UserData, -errECANCELED})
		}
		e.pending = append(e.pending[:start], e.pending[end+1:]...)
		e.b.signal()
		return
	}
	if !e.closed {
		e.b.cancel(userData)
		_ = e.b.flush()
	}
}

// Close stops the engine: requests still held back complete as cancelled, in-flight
// requests get timeout to finish, then are cancelled and given the same time again.
// It returns how many requests were still in flight at the end: the memory those point
// at must stay valid for good, because the kernel or a worker may still use it.
func (e *Engine) Close(timeout time.Duration) int {
	e.stopWakeSocket()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return 0
	}
	e.closed = true
	e.pending = e.pending[:0]
	e.local = e.local[:0]
	buf := make([]Completion, 64)
	drain := func(d time.Duration) {
		deadline := time.Now().Add(d)
		for e.inflight > 0 {
			e.inflight -= e.b.reap(buf)
			left := time.Until(deadline)
			if e.inflight == 0 || left <= 0 {
				return
			}
			e.b.wait(min(left, 50*time.Millisecond))
		}
	}
	drain(timeout)
	if e.inflight > 0 {
		e.b.cancelAll()
		_ = e.b.flush()
		drain(max(timeout, 100*time.Millisecond))
	}
	left := e.inflight
	if left == 0 {
		e.b.release()
	}
	liveEngines.Add(-1)
	return left
}

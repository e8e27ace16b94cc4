//go:build linux

package core

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

func newUringEngine(t testing.TB) *Engine {
	t.Helper()
	runtime.LockOSThread() // SINGLE_ISSUER: submissions come from the creating thread
	t.Cleanup(runtime.UnlockOSThread)
	cfg := DefaultConfig()
	cfg.Backend = "io_uring"
	e, err := NewEngine(cfg)
	if err != nil {
		t.Skipf("no io_uring here: %v", err)
	}
	t.Cleanup(func() {
		if left := e.Close(time.Second); left != 0 {
			t.Errorf("Close left %d requests in flight", left)
		}
	})
	return e
}

// notified reports whether the engine's notify fd is readable now.
func notified(t *testing.T, e *Engine) bool {
	t.Helper()
	fds := []unix.PollFd{{Fd: int32(e.NotifyFD()), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, 0)
	if err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// A request the kernel finishes during submission comes back from the inline exchange
// itself, in one io_uring_enter, and leaves nothing for the loop to wake up for.
func TestExchangeInlineCompletesAtOnce(t *testing.T) {
	e := newUringEngine(t)
	out := make([]Completion, 8)
	_, _ = e.Exchange(nil, out, ExchangeTick) // start from a drained notifier
	before := RingEnters()
	n, err := e.Exchange([]Request{{Op: OpNop, UserData: 7}}, out, ExchangeInline)
	if err != nil || n != 1 || out[0] != (Completion{7, 0}) {
		t.Fatalf("inline nop: n=%d err=%v out=%v", n, err, out[:n])
	}
	if got := RingEnters() - before; got != 1 {
		t.Fatalf("inline exchange made %d io_uring_enter calls, want 1", got)
	}
	if notified(t, e) {
		t.Fatal("the notify fd was signalled for a completion the caller already has")
	}
	if e.Inflight() != 0 {
		t.Fatalf("inflight %d after the inline completion", e.Inflight())
	}
}

// A request that cannot finish at once (a read of an empty pipe) is left in flight; no
// wake-up is lost while the eventfd was off: when it finishes the notify fd turns
// readable, and its completion arrives through a notified exchange.
func TestExchangeInlineLeavesTheRestToTheLoop(t *testing.T) {
	e := newUringEngine(t)
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	mem, err := unix.Mmap(-1, 0, 4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(mem)
	out := make([]Completion, 8)
	read := Request{Op: OpRead, FD: int32(p[0]), UserData: 9, Addr: uint64(uintptr(unsafe.Pointer(&mem[0]))), Len: 16}
	n, err := e.Exchange([]Request{read}, out, ExchangeInline)
	if err != nil || n != 0 {
		t.Fatalf("read of an empty pipe: n=%d err=%v", n, err)
	}
	if _, err := unix.Write(p[1], []byte("hello")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for n == 0 && time.Now().Before(deadline) {
		e.b.(*uringBackend).n.waitReadable(time.Until(deadline)) // the loop's epoll_wait
		n, err = e.Exchange(nil, out, ExchangeNotified)
	}
	if err != nil || n != 1 || out[0] != (Completion{9, 5}) || string(mem[:5]) != "hello" {
		t.Fatalf("after the write: n=%d err=%v out=%v data=%q", n, err, out[:n], mem[:5])
	}
}

// A notified exchange that finds the notifier drained (an exchange since the wake-up
// took the work) and nothing to submit does not enter the kernel; a tick exchange
// submits and reaps in one enter.
func TestExchangeEnters(t *testing.T) {
	e := newUringEngine(t)
	out := make([]Completion, 8)
	_, _ = e.Exchange(nil, out, ExchangeTick)
	before := RingEnters()
	if n, _ := e.Exchange(nil, out, ExchangeNotified); n != 0 || RingEnters() != before {
		t.Fatalf("notified exchange on a drained notifier: n=%d, %d enters", n, RingEnters()-before)
	}
	reqs := []Request{{Op: OpNop, UserData: 1}, {Op: OpNop, UserData: 2}, {Op: OpNop, UserData: 3}}
	n, err := e.Exchange(reqs, out, ExchangeTick)
	if err != nil || n != 3 {
		t.Fatalf("tick exchange of 3 nops: n=%d err=%v", n, err)
	}
	if got := RingEnters() - before; got != 1 {
		t.Fatalf("tick exchange made %d io_uring_enter calls, want 1", got)
	}
}

// What a request costs the loop thread when the kernel finishes it during submission.
func BenchmarkExchangeInlineNop(b *testing.B) {
	e := newUringEngine(b)
	out := make([]Completion, 8)
	req := []Request{{Op: OpNop, UserData: 1}}
	for range b.N {
		if n, _ := e.Exchange(req, out, ExchangeInline); n != 1 {
			b.Fatalf("%d completions", n)
		}
	}
}

// Running deferred completions on an idle ring with a plain GETEVENTS enter, and with
// the zero EXT_ARG timeout that runs all of them but then sleeps on the expired timer
// (tens of µs on a VM): why exchanges take the plain form when they can.
func BenchmarkGetEventsPlain(b *testing.B) {
	r := newUringEngine(b).b.(*uringBackend).r
	for range b.N {
		_, _ = r.enter(0, 0, IORING_ENTER_GETEVENTS)
	}
}

func BenchmarkGetEventsZeroTimeout(b *testing.B) {
	r := newUringEngine(b).b.(*uringBackend).r
	for range b.N {
		_ = r.enterGetEvents(0)
	}
}

// The event loop's way of driving the engine, with chains io_uring hands to io-wq (an
// O_CREAT|O_TRUNC open, then a write and a close run by deferred task work): whatever
// is left in flight after an exchange signals the notify fd when it finishes. A
// wake-up lost while the eventfd was off would be a hang; here a 5 s wait that ends
// with work still in flight fails the test. Up to 8 chains in flight the exchanges
// enter quietly; 64 put more deferred items in the kernel than one enter runs
// (enterBatches).
func TestChainsNeverLoseAWakeUp(t *testing.T) {
	for _, width := range []int{8, 64} {
		t.Run(strconv.Itoa(width), func(t *testing.T) { chainsNeverLoseAWakeUp(t, width) })
	}
}

func chainsNeverLoseAWakeUp(t *testing.T, width int) {
	e := newUringEngine(t)
	mem, err := unix.Mmap(-1, 0, 1<<16, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(mem)
	base := uintptr(unsafe.Pointer(&mem[0]))
	dir := t.TempDir()
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		dir, err = os.MkdirTemp("/dev/shm", "aya-wake")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.RemoveAll(dir) })
	}
	for w := range width { // chains in flight at once in the concurrent rounds
		copy(mem[w*256:], filepath.Join(dir, "f"+strconv.Itoa(w))+"\x00")
	}
	text := uint64(base + 1<<15)
	chain := func(w int, ud uint64) []Request {
		slot := uint32(w + 1)
		return []Request{
			{Op: OpOpenat, Flags: FlagLink, UserData: ud, DirFD: ATFDCWD, Addr: uint64(base) + uint64(w*256),
				OpFlags: unix.O_WRONLY | unix.O_CREAT | unix.O_TRUNC | unix.O_CLOEXEC, Mode: 0o644, Slot: slot},
			{Op: OpWrite, Flags: FlagLink | FlagFixedFile, UserData: ud + 1, FD: int32(slot - 1), Addr: text, Len: 1024},
			{Op: OpClose, Flags: FlagFixedFile, UserData: ud + 2, FD: int32(slot - 1)},
		}
	}
	out := make([]Completion, 3*width)
	ud := uint64(1)
	for round := range 400 {
		var reqs []Request
		mode := ExchangeInline
		k := 1
		if round%2 == 1 {
			mode, k = ExchangeTick, 1+round%width
		}
		for w := range k {
			reqs = append(reqs, chain(w, ud)...)
			ud += 3
		}
		got, err := e.Exchange(reqs, out, mode)
		if err != nil {
			t.Fatal(err)
		}
		for left := len(reqs) - got; left > 0; {
			fds := []unix.PollFd{{Fd: int32(e.NotifyFD()), Events: unix.POLLIN}}
			if ready, _ := unix.Poll(fds, 5000); ready == 0 { // the loop's epoll_wait
				t.Fatalf("round %d: %d completions never signalled (a lost wake-up)", round, left)
			}
			got, err = e.Exchange(nil, out, ExchangeNotified)
			if err != nil {
				t.Fatal(err)
			}
			left -= got
		}
	}
}

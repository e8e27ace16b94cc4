//go:build linux

package core

import (
	"runtime"
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

// A request that cannot finish at once (a read of an empty pipe) is left in flight,
// and the notify fd is signalled so the loop looks again: no wake-up is lost while the
// eventfd was off. Its completion then arrives through a notified exchange.
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
	if !notified(t, e) {
		t.Fatal("a request left in flight after an inline exchange must leave the notify fd readable")
	}
	if _, err := unix.Write(p[1], []byte("hello")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for n == 0 && time.Now().Before(deadline) {
		e.Wait(100 * time.Millisecond)
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

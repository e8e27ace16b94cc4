package core_test

import (
	"net"
	"testing"
	"time"

	"github.com/ayafileio/ayafileio/core"
)

// socketPair is a connected loopback TCP pair (what Python's socket.socketpair() is on
// Windows) and the writer's raw socket.
func socketPair(t *testing.T) (reader net.Conn, writer uintptr) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	w, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	r, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	raw, err := w.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	_ = raw.Control(func(s uintptr) { writer = s })
	return r, writer
}

// wakeBytes reads what arrives on r within d.
func wakeBytes(r net.Conn, d time.Duration) int {
	buf := make([]byte, 64)
	_ = r.SetReadDeadline(time.Now().Add(d))
	n, _ := r.Read(buf)
	return n
}

// TestWakeSocket checks the notify path of loops without add_reader: a byte when a
// completion is ready, none while nothing was reaped, one again after a draining reap.
func TestWakeSocket(t *testing.T) {
	for _, be := range wakeBackends {
		t.Run(be, func(t *testing.T) {
			e := newEngine(t, be)
			r, w := socketPair(t)
			if err := e.WakeSocket(w); err != nil {
				t.Fatal(err)
			}
			if err := e.WakeSocket(w); err != core.ErrWakeSocketSet {
				t.Fatalf("second WakeSocket: %v", err)
			}
			out := make([]core.Completion, 8)
			for round := uint64(1); round <= 3; round++ {
				if _, err := e.Submit([]core.Request{{Op: core.OpNop, UserData: round}}); err != nil {
					t.Fatal(err)
				}
				if n := wakeBytes(r, 5*time.Second); n == 0 {
					t.Fatalf("round %d: no wake-up byte", round)
				}
				if n := e.Reap(out); n != 1 || out[0].UserData != round {
					t.Fatalf("round %d: reaped %d %+v", round, n, out[:n])
				}
			}
			// Drained and nothing in flight: a quiet socket (at most one late byte from
			// the last round's race between the reap and the next wait).
			if n := wakeBytes(r, 100*time.Millisecond); n > 1 {
				t.Fatalf("%d bytes with nothing to reap", n)
			}
		})
	}
}

// TestWakeSocketStopsWithClose: Close ends the wake goroutine before it returns, so the
// caller may close its socket at once.
func TestWakeSocketStopsWithClose(t *testing.T) {
	for _, be := range wakeBackends {
		t.Run(be, func(t *testing.T) {
			lockThread(t)
			cfg := core.DefaultConfig()
			cfg.Backend = be
			e, err := core.NewEngine(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, w := socketPair(t)
			if err := e.WakeSocket(w); err != nil {
				t.Fatal(err)
			}
			done := make(chan int)
			go func() { done <- e.Close(time.Second) }()
			select {
			case left := <-done:
				if left != 0 {
					t.Fatalf("Close left %d", left)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Close did not return: the wake goroutine kept waiting")
			}
			if err := e.WakeSocket(w); err != core.ErrClosed {
				t.Fatalf("WakeSocket after Close: %v", err)
			}
		})
	}
}

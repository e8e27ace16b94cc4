package core_test

import (
	"os"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/ayafileio/ayafileio/core"
)

// arena is memory outside the Go heap, as Python's buffers are: the kernel and the
// workers may use it after a request was handed over without Go moving or freeing it.
type arena struct {
	mem []byte
	off int
}

func newArena(t testing.TB, size int) *arena { return &arena{mem: arenaMem(t, size)} }

func (a *arena) buf(n int) ([]byte, uint64) {
	a.off = (a.off + 63) &^ 63
	b := a.mem[a.off : a.off+n : a.off+n]
	a.off += n
	return b, uint64(uintptr(unsafe.Pointer(&b[0])))
}

func (a *arena) cstr(s string) uint64 {
	b, addr := a.buf(len(s) + 1)
	copy(b, s)
	b[len(s)] = 0
	return addr
}

// newEngine creates an engine pinned to this goroutine's thread: a ring set up with
// SINGLE_ISSUER accepts submissions from its creating thread only.
func newEngine(t testing.TB, backend string, tweak ...func(*core.Config)) *core.Engine {
	lockThread(t)
	cfg := core.DefaultConfig()
	cfg.Backend = backend
	for _, f := range tweak {
		f(&cfg)
	}
	e, err := core.NewEngine(cfg)
	if err != nil {
		t.Fatalf("NewEngine(%s): %v", backend, err)
	}
	if got := e.Info().Backend; backend != "auto" && got != backend {
		t.Fatalf("asked for %s, got %s", backend, got)
	}
	t.Cleanup(func() {
		if left := e.Close(time.Second); left != 0 {
			t.Errorf("Close left %d requests in flight", left)
		}
	})
	return e
}

// run submits reqs and waits for all their completions, returned by user data.
func run(t testing.TB, e *core.Engine, reqs ...core.Request) map[uint64]int64 {
	t.Helper()
	if _, err := e.Submit(reqs); err != nil {
		t.Fatal(err)
	}
	return collect(t, e, len(reqs))
}

func collect(t testing.TB, e *core.Engine, want int) map[uint64]int64 {
	t.Helper()
	got := map[uint64]int64{}
	out := make([]core.Completion, 64)
	deadline := time.Now().Add(10 * time.Second)
	for len(got) < want {
		n := e.Reap(out)
		for _, c := range out[:n] {
			if _, dup := got[c.UserData]; dup {
				t.Fatalf("two completions for user data %d", c.UserData)
			}
			got[c.UserData] = c.Res
		}
		if n == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("timed out with %d of %d completions", len(got), want)
			}
			e.Wait(100 * time.Millisecond)
		}
	}
	return got
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func lockThread(t testing.TB) {
	runtime.LockOSThread()
	t.Cleanup(runtime.UnlockOSThread)
}

package core_test

import (
	"encoding/binary"
	"path/filepath"
	"testing"
	"time"

	"github.com/ayafileio/ayafileio/core"
	"golang.org/x/sys/unix"
)

// 10,000 requests through a queue depth of 64: the engine holds back what does not fit
// and every request completes exactly once with the right result.
func TestBackPressure(t *testing.T) {
	for _, be := range backends {
		t.Run(be, func(t *testing.T) {
			e := newEngine(t, be, func(c *core.Config) { c.QueueDepth = 64 })
			a, dir := newArena(t, 8<<20), t.TempDir()
			fd := mustOpen(t, e, a, filepath.Join(dir, "bp"), unix.O_RDWR|unix.O_CREAT)
			const n = 10000
			data, addr := a.buf(n * 8)
			for i := range n {
				binary.LittleEndian.PutUint64(data[i*8:], uint64(i))
			}
			reqs := make([]core.Request, n)
			for i := range reqs {
				reqs[i] = core.Request{Op: core.OpWrite, UserData: uint64(i + 100), FD: fd,
					Addr: addr + uint64(i*8), Len: 8, Off: uint64(i * 8)}
			}
			res := run(t, e, reqs...)
			for i := range n {
				if res[uint64(i+100)] != 8 {
					t.Fatalf("request %d: %d", i, res[uint64(i+100)])
				}
			}
			got := []byte(readFile(t, filepath.Join(dir, "bp")))
			for i := range n {
				if v := binary.LittleEndian.Uint64(got[i*8:]); v != uint64(i) {
					t.Fatalf("slot %d holds %d", i, v)
				}
			}
			if e.Inflight() != 0 {
				t.Fatalf("%d still in flight", e.Inflight())
			}
		})
	}
}

// pipes returns n pipes whose read ends block until their write ends are written.
func pipes(t *testing.T, n int) [][2]int {
	ps := make([][2]int, n)
	for i := range ps {
		if err := unix.Pipe2(ps[i][:], unix.O_CLOEXEC); err != nil {
			t.Fatal(err)
		}
		p := ps[i]
		t.Cleanup(func() { unix.Close(p[0]); unix.Close(p[1]) })
	}
	return ps
}

// Cancelling a request that cannot finish by itself: io_uring interrupts the read;
// the worker backend cancels what has not started and lets started reads finish.
func TestCancel(t *testing.T) {
	for _, be := range backends {
		t.Run(be, func(t *testing.T) {
			e := newEngine(t, be, func(c *core.Config) { c.IOWorkerCount = 2 })
			a := newArena(t, 1<<20)
			ps := pipes(t, 4)
			_, addr := a.buf(16)
			reqs := make([]core.Request, len(ps))
			for i, p := range ps {
				reqs[i] = core.Request{Op: core.OpRead, UserData: uint64(i + 1), FD: int32(p[0]), Addr: addr, Len: 16, Off: core.OffCurrent}
			}
			if _, err := e.Submit(reqs); err != nil {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond) // let the workers pick up the first two
			e.Cancel(3)
			e.Cancel(4)
			if be == "worker" {
				for _, p := range ps { // the running reads finish once there is data
					unix.Write(p[1], []byte("x"))
				}
			} else {
				e.Cancel(1)
				e.Cancel(2)
			}
			res := collect(t, e, len(ps))
			for ud := uint64(3); ud <= 4; ud++ {
				if res[ud] != -int64(unix.ECANCELED) && res[ud] != -int64(unix.EINTR) {
					t.Errorf("cancelled request %d: %d", ud, res[ud])
				}
			}
		})
	}
}

// Close with a request in flight: io_uring cancels it within the timeout; the worker
// backend reports it as still running (its memory must then stay valid for good).
func TestCloseInFlight(t *testing.T) {
	for _, be := range backends {
		t.Run(be, func(t *testing.T) {
			cfg := core.DefaultConfig()
			cfg.Backend = be
			lockThread(t)
			e, err := core.NewEngine(cfg)
			if err != nil {
				t.Fatal(err)
			}
			a := newArena(t, 1<<20)
			p := pipes(t, 1)[0]
			_, addr := a.buf(16)
			e.Submit([]core.Request{{Op: core.OpRead, UserData: 1, FD: int32(p[0]), Addr: addr, Len: 16, Off: core.OffCurrent}})
			start := time.Now()
			left := e.Close(50 * time.Millisecond)
			if took := time.Since(start); took > 2*time.Second {
				t.Fatalf("Close took %v", took)
			}
			want := map[string]int{"io_uring": 0, "worker": 1}[be]
			if left != want {
				t.Fatalf("Close left %d in flight, want %d", left, want)
			}
			if _, err := e.Submit([]core.Request{{Op: core.OpNop}}); err != core.ErrClosed {
				t.Fatalf("Submit after Close: %v", err)
			}
			unix.Write(p[1], []byte("x")) // release the worker's blocked read
		})
	}
}

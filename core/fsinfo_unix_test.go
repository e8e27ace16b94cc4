//go:build unix

package core

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
	"unsafe"
)

// A chain with FlagAsync on every request (open, read, close) runs on both backends and
// gives the same results as without it.
func TestAsyncFlagChain(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, []byte("hello async"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, backend := range []string{"auto", "worker"} {
		cfg := DefaultConfig()
		cfg.Backend = backend
		e, err := NewEngine(cfg)
		if err != nil {
			t.Fatal(err)
		}
		cpath := append([]byte(path), 0)
		buf := make([]byte, 64)
		reqs := []Request{
			{Op: OpOpenat, Flags: FlagLink | FlagAsync, UserData: 1, DirFD: ATFDCWD, Addr: addr(cpath), Slot: 1},
			{Op: OpRead, Flags: FlagLink | FlagHardLink | FlagFixedFile | FlagAsync, UserData: 2, FD: 0,
				Addr: addr(buf), Len: uint32(len(buf))},
			{Op: OpClose, Flags: FlagFixedFile | FlagAsync, UserData: 3, FD: 0},
		}
		if _, err := e.Submit(reqs); err != nil {
			t.Fatal(err)
		}
		res := map[uint64]int64{}
		out := make([]Completion, 8)
		deadline := time.Now().Add(10 * time.Second)
		for len(res) < 3 && time.Now().Before(deadline) {
			e.Wait(100 * time.Millisecond)
			for _, c := range out[:e.Reap(out)] {
				res[c.UserData] = c.Res
			}
		}
		runtime.KeepAlive(cpath)
		if res[1] != 0 || res[2] != 11 || res[3] != 0 || string(buf[:11]) != "hello async" {
			t.Errorf("%s: results %v, read %q", backend, res, buf[:11])
		}
		if left := e.Close(time.Second); left != 0 {
			t.Errorf("%s: %d left in flight", backend, left)
		}
	}
}

func addr(b []byte) uint64 { return uint64(uintptr(unsafe.Pointer(&b[0]))) }

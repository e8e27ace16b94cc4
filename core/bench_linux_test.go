package core_test

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/ayafileio/ayafileio/core"
	"golang.org/x/sys/unix"
)

const benchFileSize = 64 << 20

func benchFile(b *testing.B) string {
	path := filepath.Join(b.TempDir(), "data")
	if err := os.WriteFile(path, make([]byte, benchFileSize), 0o644); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkRead4K: random cached 4 KiB reads with 1 and 64 in flight, per backend, and
// a plain pread loop as the floor.
func BenchmarkRead4K(b *testing.B) {
	for _, be := range backends {
		for _, depth := range []int{1, 64} {
			b.Run(be+"/depth="+itoa(depth), func(b *testing.B) {
				e := newEngine(b, be)
				a := newArena(b, depth*4096+64*1024)
				fd := mustOpen(b, e, a, benchFile(b), unix.O_RDONLY)
				_, addr := a.buf(depth * 4096)
				reqs := make([]core.Request, depth)
				out := make([]core.Completion, depth)
				b.SetBytes(4096)
				b.ResetTimer()
				for done := 0; done < b.N; {
					k := min(depth, b.N-done)
					for i := range k {
						reqs[i] = core.Request{Op: core.OpRead, UserData: uint64(i), FD: fd, Addr: addr + uint64(i*4096),
							Len: 4096, Off: uint64(rand.IntN(benchFileSize/4096)) * 4096}
					}
					e.Submit(reqs[:k])
					for got := 0; got < k; {
						n := e.Reap(out)
						if n == 0 {
							e.Wait(-1)
						}
						got += n
					}
					done += k
				}
			})
		}
	}
	b.Run("pread-loop", func(b *testing.B) {
		f, err := os.Open(benchFile(b))
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		buf := make([]byte, 4096)
		b.SetBytes(4096)
		b.ResetTimer()
		for range b.N {
			unix.Pread(int(f.Fd()), buf, int64(rand.IntN(benchFileSize/4096))*4096)
		}
	})
}

// BenchmarkSubmitReapNop: the engine's own cost per operation, batches of 64 NOPs.
func BenchmarkSubmitReapNop(b *testing.B) {
	for _, be := range backends {
		b.Run(be, func(b *testing.B) {
			e := newEngine(b, be)
			reqs := make([]core.Request, 64)
			out := make([]core.Completion, 64)
			b.ResetTimer()
			for done := 0; done < b.N; done += 64 {
				e.Submit(reqs)
				for got := 0; got < 64; {
					n := e.Reap(out)
					if n == 0 {
						e.Wait(-1)
					}
					got += n
				}
			}
		})
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

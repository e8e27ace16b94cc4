//go:build unix

package core_test

import (
	"testing"

	"golang.org/x/sys/unix"
)

// arenaMem is memory outside the Go heap, as Python's buffers are: the kernel and the
// workers may use it after a request was handed over without Go moving or freeing it.
func arenaMem(t testing.TB, size int) []byte {
	mem, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Munmap(mem) })
	return mem
}

package core_test

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"
)

// arenaMem is memory outside the Go heap, as Python's buffers are.
func arenaMem(t testing.TB, size int) []byte {
	p, err := windows.VirtualAlloc(0, uintptr(size), windows.MEM_COMMIT|windows.MEM_RESERVE, windows.PAGE_READWRITE)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = windows.VirtualFree(p, 0, windows.MEM_RELEASE) })
	return unsafe.Slice((*byte)(unsafe.Add(nil, p)), size)
}

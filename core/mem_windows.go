package core

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

func mapAnon(size int) (unsafe.Pointer, error) {
	p, err := windows.VirtualAlloc(0, uintptr(size), windows.MEM_COMMIT|windows.MEM_RESERVE, windows.PAGE_READWRITE)
	return unsafe.Add(nil, p), err // VirtualAlloc memory is not Go memory
}

func unmapAnon(p unsafe.Pointer, _ int) { _ = windows.VirtualFree(uintptr(p), 0, windows.MEM_RELEASE) }

//go:build unix

package core

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

func mapAnon(size int) (unsafe.Pointer, error) {
	return unix.MmapPtr(-1, 0, nil, uintptr(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
}

func unmapAnon(p unsafe.Pointer, size int) { _ = unix.MunmapPtr(p, uintptr(size)) }

package pybind

import "github.com/ayafileio/ayafileio/core"

// WriteNow writes n bytes at addr to handle h at off (-1: at the end) and waits; for
// a file collected unclosed, whose HANDLE is overlapped (os.write cannot use it).
// Returns the byte count or -errno.
func WriteNow(h int64, addr uintptr, n int64, off int64) int64 {
	return core.WriteNow(uintptr(h), uint64(addr), uint32(n), uint64(off))
}

// CloseNow closes an engine's handle outside the engine (its loop may be gone).
func CloseNow(h int64) int64 { return core.CloseNow(uintptr(h)) }

package core

import "golang.org/x/sys/windows"

// WriteNow writes n bytes at addr to handle h at off (OffCurrent: at the end, for
// append) and waits: for last-resort paths that cannot await, such as a file collected
// unclosed. It returns the byte count or -errno.
func WriteNow(h uintptr, addr uint64, n uint32, off uint64) int64 {
	return syncIO(windows.Handle(h), OpWrite, addr, n, off)
}

// CloseNow closes handle h at once (not into a pool) and forgets that an engine opened it.
func CloseNow(h uintptr) int64 {
	disown(windows.Handle(h))
	return result(windows.CloseHandle(windows.Handle(h)))
}

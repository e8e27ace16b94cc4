//go:build !linux

package core

// DevFSKind says which kind of file system the device belongs to; outside Linux this
// package does not tell (no backend there runs a request inline on the caller's thread).
func DevFSKind(major, minor uint32) (FSKind, bool) { return FSLocal, false }

// PathFSKind says which kind of file system path lies on: see DevFSKind.
func PathFSKind(path string) FSKind { return FSLocal }

// StatxCached is Linux's statx from cached attributes; elsewhere -ENOSYS.
func StatxCached(fd int, addr uintptr) int64 { return -errENOSYS }

// OpenedKind is Linux's StatxCached with its file system's kind; elsewhere -ENOSYS.
func OpenedKind(fd int, addr uintptr, fallback FSKind) int64 { return -errENOSYS }

//go:build !linux

package core

// IsMemoryFS reports whether fd is on a RAM-backed file system; outside Linux this
// package does not tell, and callers take the cautious path.
func IsMemoryFS(fd int) bool { return false }

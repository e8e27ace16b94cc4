package core

import "golang.org/x/sys/unix"

// memoryFSMagics are file systems whose data lives in RAM: reading them never waits for
// a device (tmpfs answers RWF_NOWAIT with EOPNOTSUPP, so that test cannot be used).
var memoryFSMagics = map[int64]bool{unix.TMPFS_MAGIC: true, unix.RAMFS_MAGIC: true}

// IsMemoryFS reports whether fd is on a RAM-backed file system.
func IsMemoryFS(fd int) bool {
	var st unix.Statfs_t
	return unix.Fstatfs(fd, &st) == nil && memoryFSMagics[int64(st.Type)]
}

//go:build !linux

package core

// StatNow is Linux's statx from the dentry cache; elsewhere every stat goes to the
// backend (-EAGAIN).
func StatNow(dirfd int, path string, pathAddr uintptr, atFlags int, addr uintptr) int64 {
	return -errEAGAIN
}

// OpenNow is Linux's open from the dentry cache; elsewhere every open goes to the backend
// (-EAGAIN times 4 plus FSLocal, as Linux encodes a refusal).
func OpenNow(path string, pathAddr uintptr, flags, mode uint32, addr uintptr) int64 {
	return -errEAGAIN<<2 | int64(FSLocal)
}

// RenameNow is Linux's rename within a RAM-backed directory; elsewhere every rename goes
// to the backend (-EAGAIN).
func RenameNow(oldPath, newPath string, syncDir bool) int64 {
	return -errEAGAIN
}

// GetdentsNow is Linux's directory listing on a RAM-backed file system; elsewhere every
// listing goes to the backend (-EAGAIN).
func GetdentsNow(fd int32, outAddr uintptr, n uint32, path string, pathAddr uintptr, dirfd int32,
	closeAtEnd bool) int64 {
	return -errEAGAIN
}

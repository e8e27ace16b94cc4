package core

// FSKind says what waiting on a file system can cost the thread that asks it something.
type FSKind int64

const (
	// FSLocal: a local file system (or one this package does not know): io_uring's
	// inline attempts on it never wait for a device.
	FSLocal FSKind = iota
	// FSMemory: RAM-backed (tmpfs, ramfs): reads never wait for a device.
	FSMemory
	// FSSlow: a daemon or a network answers its operations (FUSE, NFS, SMB, 9p, Ceph, ...):
	// even io_uring's inline attempt can wait on them (an OPENAT runs FUSE_OPEN inline), so
	// its requests go with FlagAsync.
	FSSlow
)

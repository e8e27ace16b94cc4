package core

import (
	"encoding/binary"
	"unsafe"
)

// Op names an operation in a Request record.
type Op uint8

const (
	OpNop           Op = iota // completes with 0; useful to measure overhead
	OpRead                    // pread(FD, Addr, Len, Off); Off == OffCurrent reads at the file position
	OpWrite                   // pwrite(FD, Addr, Len, Off); Off == OffCurrent writes at the position (append files: the end)
	OpReadv                   // preadv(FD, iovec array at Addr, Len entries, Off)
	OpWritev                  // pwritev(FD, iovec array at Addr, Len entries, Off)
	OpFsync                   // fsync(FD), or fdatasync when OpFlags has FsyncDatasync
	OpOpenat                  // openat(DirFD, path at Addr, OpFlags, Mode); Slot > 0 installs into direct slot Slot-1
	OpClose                   // close(FD); with FlagFixedFile closes direct slot FD
	OpStatx                   // statx(DirFD, path at Addr, OpFlags, Mode as mask, struct statx at Addr2)
	OpRenameat                // renameat2(DirFD, path at Addr, FD as new dirfd, path at Addr2, OpFlags)
	OpUnlinkat                // unlinkat(DirFD, path at Addr, OpFlags)
	OpMkdirat                 // mkdirat(DirFD, path at Addr, Mode)
	OpFtruncate               // ftruncate(FD, Off)
	OpSymlinkat               // symlinkat(target at Addr, DirFD, link path at Addr2)
	OpLinkat                  // linkat(DirFD, path at Addr, FD as new dirfd, path at Addr2, OpFlags)
	OpReadlinkat              // readlinkat(DirFD, path at Addr, buffer at Addr2, Len): the count
	OpFaccessat               // faccessat2(DirFD, path at Addr, Mode, OpFlags)
	OpGetdents                // getdents64(FD, or the directory at path Addr2) into Addr, Len: see getdents
	OpStatfs                  // statfs(path at Addr, struct statfs at Addr2), or fstatfs(FD) when Addr is 0
	OpSendfile                // sendfile(FD, DirFD as the input, Off or the input's position, Len)
	OpCopyFileRange           // copy_file_range(DirFD as the input at Off, FD at Addr2 as an offset, Len)
	opCount
)

var opNames = [opCount]string{"nop", "read", "write", "readv", "writev", "fsync", "openat", "close",
	"statx", "renameat", "unlinkat", "mkdirat", "ftruncate", "symlinkat", "linkat", "readlinkat",
	"faccessat", "getdents", "statfs", "sendfile", "copy_file_range"}

func (o Op) String() string {
	if o < opCount {
		return opNames[o]
	}
	return "invalid"
}

// Request flags.
const (
	FlagLink      uint8 = 1 << 0 // the next request runs only if this one succeeds (IOSQE_IO_LINK)
	FlagFixedFile uint8 = 1 << 1 // FD is a direct-descriptor slot opened with Request.Slot
	FlagHardLink  uint8 = 1 << 2 // with FlagLink: the next runs whatever this one's result (IOSQE_IO_HARDLINK)
	// FlagAsync: never run inline on the submitting thread, even where the kernel would try
	// (IOSQE_ASYNC), for files on an FSSlow file system. Other backends never run inline.
	FlagAsync  uint8 = 1 << 3
	flagsKnown       = FlagLink | FlagFixedFile | FlagHardLink | FlagAsync
	linkFlags        = FlagLink | FlagHardLink
)

// Other constants of the record format.
const (
	FsyncDatasync         = 1           // OpFsync OpFlags: fdatasync
	OffCurrent     uint64 = ^uint64(0)  // Off value: use (and advance) the file position
	ATFDCWD        int32  = -100        // DirFD value: relative to the working directory
	MaxUserData    uint64 = 1<<63 - 1   // the top bit of UserData is the engine's own
	RequestSize           = 64          // bytes per Request record
	CompletionSize        = 16          // bytes per Completion record
	maxIOLen              = 0x7ffff000  // Linux caps one read/write at this many bytes
	maxIovecs             = 1024        // IOV_MAX
	maxSlot               = directSlots // openat Slot ranges over 1..maxSlot
)

// Request is one operation, laid out exactly as the 64-byte little-endian record the
// caller writes into its own memory. Addr and Addr2 point at caller memory that must stay
// valid until the request's Completion is reaped.
type Request struct {
	Op       Op
	Flags    uint8
	_        uint16
	FD       int32
	UserData uint64
	Addr     uint64
	Len      uint32
	OpFlags  uint32
	Off      uint64
	Addr2    uint64
	Mode     uint32
	DirFD    int32
	Slot     uint32
	_        uint32
}

// Completion is the 16-byte record reaped for every Request: Res is a byte count, a
// descriptor, 0, or -errno.
type Completion struct {
	UserData uint64
	Res      int64
}

func init() {
	if unsafe.Sizeof(Request{}) != RequestSize || unsafe.Sizeof(Completion{}) != CompletionSize {
		panic("core: record layout drifted from the documented sizes")
	}
}

// decodeRequest reads one record from its 64-byte wire form. It is the only decoder:
// Engine.ExchangeRecords goes through it too, so the fuzz target covers what Python sends.
func decodeRequest(b []byte) (Request, bool) {
	if len(b) < RequestSize {
		return Request{}, false
	}
	le := binary.LittleEndian
	return Request{
		Op:       Op(b[0]),
		Flags:    b[1],
		FD:       int32(le.Uint32(b[4:])),
		UserData: le.Uint64(b[8:]),
		Addr:     le.Uint64(b[16:]),
		Len:      le.Uint32(b[24:]),
		OpFlags:  le.Uint32(b[28:]),
		Off:      le.Uint64(b[32:]),
		Addr2:    le.Uint64(b[40:]),
		Mode:     le.Uint32(b[48:]),
		DirFD:    int32(le.Uint32(b[52:])),
		Slot:     le.Uint32(b[56:]),
	}, true
}

// validate reports whether r is well formed: a known op, known flags, a user data value
// that leaves the engine's bit free, and the addresses and sizes its op needs. It does not
// touch the memory the record points at.
func (r *Request) validate() bool {
	if r.Op >= opCount || r.Flags&^flagsKnown != 0 || r.UserData > MaxUserData {
		return false
	}
	if r.Flags&FlagFixedFile != 0 && (r.FD < 0 || r.FD >= maxSlot) {
		return false
	}
	switch r.Op {
	case OpRead, OpWrite:
		return (r.Addr != 0 || r.Len == 0) && r.Len <= maxIOLen && validOff(r.Off)
	case OpReadv, OpWritev:
		return r.Addr != 0 && r.Len > 0 && r.Len <= maxIovecs && validOff(r.Off)
	case OpOpenat, OpUnlinkat, OpMkdirat:
		return r.Addr != 0 && r.Flags&FlagFixedFile == 0 && r.Slot <= maxSlot
	case OpFaccessat:
		return r.Addr != 0 && r.Flags&FlagFixedFile == 0
	case OpStatx, OpRenameat, OpSymlinkat, OpLinkat:
		return r.Addr != 0 && r.Addr2 != 0 && r.Flags&FlagFixedFile == 0
	case OpReadlinkat:
		return r.Addr != 0 && r.Addr2 != 0 && r.Len > 0 && r.Flags&FlagFixedFile == 0
	case OpGetdents:
		return r.Addr != 0 && r.Len >= 16 && r.Len <= maxIOLen && r.Flags&FlagFixedFile == 0 // room for the header
	case OpStatfs:
		return r.Addr2 != 0 && r.Flags&FlagFixedFile == 0
	case OpSendfile:
		return r.Len <= maxIOLen && validOff(r.Off) && r.Flags&FlagFixedFile == 0
	case OpCopyFileRange:
		return r.Len <= maxIOLen && int64(r.Off) >= 0 && int64(r.Addr2) >= 0 && r.Flags&FlagFixedFile == 0
	case OpFtruncate:
		return int64(r.Off) >= 0
	case OpFsync:
		return r.OpFlags&^FsyncDatasync == 0
	}
	return true
}

func validOff(off uint64) bool { return off == OffCurrent || int64(off) >= 0 }

// runLinked runs a link chain in order, as io_uring runs linked SQEs, for the backends
// that run requests themselves (the worker executor, IOCP's synchronous operations): run
// gives a request's result and done reports it; after a failure (or a short read or
// write) of a request without FlagHardLink the rest complete with -ECANCELED.
func runLinked(chain []Request, run func(*Request) int64, done func(i int, res int64)) {
	failed := false
	for i := range chain {
		r := &chain[i]
		res := int64(-errECANCELED)
		if !failed {
			res = run(r)
		}
		done(i, res)
		failed = failed || (r.Flags&FlagHardLink == 0 && breaksChain(r, res))
	}
}

// breaksChain reports whether a result ends its link chain, as io_uring decides: an
// error, or a read or write shorter than asked. The rest of the chain is then cancelled.
func breaksChain(r *Request, res int64) bool {
	return res < 0 || ((r.Op == OpRead || r.Op == OpWrite) && res != int64(r.Len))
}

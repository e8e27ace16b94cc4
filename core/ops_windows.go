package core

import (
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Open flags as the Windows C runtime (and so Python's os module) numbers them.
const (
	msvcWRONLY  = 0x0001
	msvcRDWR    = 0x0002
	msvcAPPEND  = 0x0008
	msvcCREAT   = 0x0100
	msvcTRUNC   = 0x0200
	msvcEXCL    = 0x0400
	atRemoveDir = 0x200 // unlinkat's AT_REMOVEDIR, as Python passes it
)

// cString reads the NUL-terminated UTF-8 string the caller placed at addr.
func cString(addr uint64) string {
	return windows.BytePtrToString((*byte)(unsafe.Add(nil, uintptr(addr))))
}

// openArgs turns open(2) flags into CreateFile's access, share mode and disposition.
// Append opens get FILE_APPEND_DATA without FILE_WRITE_DATA: writes at the
// end-of-file offset then never overwrite what another handle appended.
func openArgs(flags uint32) (access, share, disposition uint32) {
	write := uint32(windows.GENERIC_WRITE)
	if flags&msvcAPPEND != 0 {
		write = windows.FILE_GENERIC_WRITE &^ windows.FILE_WRITE_DATA
	}
	switch {
	case flags&msvcRDWR != 0:
		access = windows.GENERIC_READ | write
	case flags&msvcWRONLY != 0:
		access = write
	default:
		access = windows.GENERIC_READ
	}
	// FILE_SHARE_DELETE: a handle resting in the pool must not stop a delete or rename.
	share = windows.FILE_SHARE_READ | windows.FILE_SHARE_WRITE | windows.FILE_SHARE_DELETE
	switch {
	case flags&msvcCREAT != 0 && flags&msvcEXCL != 0:
		disposition = windows.CREATE_NEW
	case flags&msvcCREAT != 0 && flags&msvcTRUNC != 0:
		disposition = windows.CREATE_ALWAYS
	case flags&msvcCREAT != 0:
		disposition = windows.OPEN_ALWAYS
	case flags&msvcTRUNC != 0:
		disposition = windows.TRUNCATE_EXISTING
	default:
		disposition = windows.OPEN_EXISTING
	}
	return access, share, disposition
}

// runSync performs a request that Windows has no overlapped form of, blocking the
// calling goroutine; the result is a value or -errno.
func (b *iocpBackend) runSync(r *Request) int64 {
	switch r.Op {
	case OpOpenat:
		return b.open(r)
	case OpClose:
		return b.close(r)
	case OpFsync:
		h, errno := b.handleOf(r)
		if errno != 0 {
			return -errno
		}
		return result(windows.FlushFileBuffers(h))
	case OpFtruncate:
		h, errno := b.handleOf(r)
		if errno != 0 {
			return -errno
		}
		size := int64(r.Off)
		return result(windows.SetFileInformationByHandle(h, windows.FileEndOfFileInfo,
			(*byte)(unsafe.Pointer(&size)), uint32(unsafe.Sizeof(size))))
	case OpRenameat:
		from, err1 := windows.UTF16PtrFromString(cString(r.Addr))
		to, err2 := windows.UTF16PtrFromString(cString(r.Addr2))
		if err1 != nil || err2 != nil {
			return -errEINVAL
		}
		return result(windows.MoveFileEx(from, to, windows.MOVEFILE_REPLACE_EXISTING))
	case OpUnlinkat:
		p, err := windows.UTF16PtrFromString(cString(r.Addr))
		if err != nil {
			return -errEINVAL
		}
		if r.OpFlags&atRemoveDir != 0 {
			return result(windows.RemoveDirectory(p))
		}
		return result(windows.DeleteFile(p))
	case OpMkdirat:
		p, err := windows.UTF16PtrFromString(cString(r.Addr))
		if err != nil {
			return -errEINVAL
		}
		return result(windows.CreateDirectory(p, nil))
	}
	return -errENOSYS // statx and vectored I/O have no Windows form here
}

func result(err error) int64 {
	if err != nil {
		return -winErrno(err)
	}
	return 0
}

func (b *iocpBackend) open(r *Request) int64 {
	path := cString(r.Addr)
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return -errEINVAL
	}
	access, share, disposition := openArgs(r.OpFlags)
	key := poolKey{strings.ToLower(path), access}
	h := windows.InvalidHandle
	if disposition == windows.OPEN_EXISTING || disposition == windows.OPEN_ALWAYS {
		h = b.pool.take(key, path)
	}
	if h == windows.InvalidHandle {
		h, err = windows.CreateFile(p, access, share, nil, disposition,
			windows.FILE_ATTRIBUTE_NORMAL|windows.FILE_FLAG_OVERLAPPED, 0)
		if err != nil {
			return -winErrno(err)
		}
		if _, err = windows.CreateIoCompletionPort(h, b.port, keyIO, 0); err != nil {
			windows.CloseHandle(h)
			return -winErrno(err)
		}
	}
	own(h, b, key)
	b.mu.Lock()
	defer b.mu.Unlock()
	if r.Slot > 0 {
		if old := b.slots[r.Slot-1]; old != windows.InvalidHandle {
			disown(old)
			windows.CloseHandle(old)
		}
		b.slots[r.Slot-1] = h
		return 0
	}
	return int64(h)
}

// close returns a handle this engine opened to the pool (within the configured limits),
// and closes any other.
func (b *iocpBackend) close(r *Request) int64 {
	b.mu.Lock()
	h := windows.Handle(uintptr(r.FD))
	if r.Flags&FlagFixedFile != 0 {
		h = b.slots[r.FD]
		b.slots[r.FD] = windows.InvalidHandle
	}
	b.mu.Unlock()
	o, ours := disown(h)
	ours = ours && o.b == b
	if h == windows.InvalidHandle {
		return -errEBADF
	}
	cfg := CurrentConfig()
	if ours && b.pool.put(o.key, h, int(cfg.HandlePoolMaxPerKey), int(cfg.HandlePoolMaxTotal)) {
		return 0
	}
	return result(windows.CloseHandle(h))
}

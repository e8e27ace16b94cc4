package core

import (
	"encoding/binary"
	"unsafe"

	"golang.org/x/sys/unix"
)

// DirentsEnd is the flag OpGetdents sets when the directory has no more entries.
const DirentsEnd = 1

// DirentsClose, in OpGetdents' OpFlags, closes FD once the directory has ended.
const DirentsClose = 1

// direntsRoom is what must be left of the buffer to ask getdents64 for another batch:
// the longest record (19 bytes of header, a 255-byte name and its NUL, 8-aligned).
const direntsRoom = 280

// direntsHead is the length of the packed answer's header.
const direntsHead = 16

// direntsMaxRead bounds the records read per request, whatever buffer the caller gives.
const direntsMaxRead = 1 << 20

// getdents reads directory entries with getdents64 until the directory ends or the
// caller's buffer could take no further batch, and rewrites them into that buffer as
// arrays a reader takes whole rather than record by record:
//
//	u32 count, u32 flags (DirentsEnd), i32 the descriptor, u32 0,
//	count × u64 d_ino, count × u8 d_type, count names, each NUL-terminated
//
// without "." and "..". It returns the length of that (at least 16) or -errno. The
// arrays never need more room than the records they come from (19 bytes of record
// header per entry against 9, and "." and ".." pay for the longer header).
//
// Given a path (r.Addr2, relative to r.DirFD) it opens the directory first, so that a
// directory listed in one batch costs one request; the header then names the
// descriptor for the next calls (r.FD). A descriptor opened so, or passed with
// DirentsClose, is closed once the directory ended (the header says -1).
func getdents(r *Request, fd int32) int64 {
	if r.Addr2 != 0 {
		opened, _, errno := unix.Syscall6(unix.SYS_OPENAT, uintptr(r.DirFD), uintptr(r.Addr2),
			unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0, 0, 0)
		if errno != 0 {
			return -int64(errno)
		}
		fd = int32(opened)
	}
	out := unsafe.Slice((*byte)(unsafe.Add(nil, r.Addr)), r.Len)
	raw := make([]byte, min(len(out), direntsMaxRead))
	n, flags := 0, uint32(0)
	for n == 0 || len(raw)-n >= direntsRoom {
		got := ignoringEINTR(func() (int, error) { return unix.Getdents(int(fd), raw[n:]) })
		if got < 0 {
			if n == 0 {
				if r.Addr2 != 0 {
					sysClose(fd)
				}
				return got
			}
			break // the entries read so far; the error comes back on the next call
		}
		if got == 0 {
			flags = DirentsEnd
			break
		}
		n += int(got)
	}
	if (r.Addr2 != 0 || r.OpFlags&DirentsClose != 0) && flags&DirentsEnd != 0 {
		sysClose(fd)
		fd = -1
	}
	return int64(packDirents(raw[:n], out, flags, fd))
}

// packDirents writes the linux_dirent64 records in raw into out in getdents' packed
// form and returns its length.
func packDirents(raw, out []byte, flags uint32, fd int32) int {
	le := binary.LittleEndian
	type entry struct {
		ino  uint64
		typ  byte
		name []byte
	}
	entries := make([]entry, 0, len(raw)/24)
	for off := 0; off+19 <= len(raw); {
		reclen := int(le.Uint16(raw[off+16:]))
		if reclen < 20 || off+reclen > len(raw) {
			break
		}
		name := raw[off+19 : off+reclen]
		for i, c := range name {
			if c == 0 {
				name = name[:i]
				break
			}
		}
		if string(name) != "." && string(name) != ".." {
			entries = append(entries, entry{le.Uint64(raw[off:]), raw[off+18], name})
		}
		off += reclen
	}
	count := len(entries)
	le.PutUint32(out[0:], uint32(count))
	le.PutUint32(out[4:], flags)
	le.PutUint32(out[8:], uint32(fd))
	le.PutUint32(out[12:], 0)
	types, names := direntsHead+8*count, direntsHead+9*count
	for i, e := range entries {
		le.PutUint64(out[direntsHead+8*i:], e.ino)
		out[types+i] = e.typ
		names += copy(out[names:], e.name)
		out[names] = 0
		names++
	}
	return names
}

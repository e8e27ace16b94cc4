package core_test

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/ayafileio/ayafileio/core"
	"golang.org/x/sys/unix"
)

func TestReadWrite(t *testing.T) {
	for _, be := range backends {
		t.Run(be, func(t *testing.T) {
			e, a, dir := newEngine(t, be), newArena(t, 1<<20), t.TempDir()
			path := filepath.Join(dir, "f")
			fd := mustOpen(t, e, a, path, unix.O_RDWR|unix.O_CREAT|unix.O_TRUNC)
			w, waddr := a.buf(5)
			copy(w, "hello")
			res := run(t, e,
				core.Request{Op: core.OpWrite, UserData: 2, FD: fd, Addr: waddr, Len: 5, Off: 10},
				core.Request{Op: core.OpWrite, UserData: 3, FD: fd, Addr: waddr, Len: 5, Off: 0})
			if res[2] != 5 || res[3] != 5 {
				t.Fatalf("writes: %v", res)
			}
			if got := readFile(t, path); got != "hello\x00\x00\x00\x00\x00hello" {
				t.Fatalf("file holds %q", got)
			}
			r, raddr := a.buf(32)
			res = run(t, e, core.Request{Op: core.OpRead, UserData: 4, FD: fd, Addr: raddr, Len: 32, Off: 8})
			if res[4] != 7 || string(r[:7]) != "\x00\x00hello" {
				t.Fatalf("read at 8: res %d data %q", res[4], r[:res[4]])
			}
			res = run(t, e, core.Request{Op: core.OpRead, UserData: 5, FD: fd, Addr: raddr, Len: 32, Off: 1 << 40})
			if res[5] != 0 {
				t.Fatalf("read past the end gave %d, want 0", res[5])
			}
		})
	}
}

func TestVectoredAndAppend(t *testing.T) {
	for _, be := range backends {
		t.Run(be, func(t *testing.T) {
			e, a, dir := newEngine(t, be), newArena(t, 1<<20), t.TempDir()
			path := filepath.Join(dir, "log")
			fd := mustOpen(t, e, a, path, unix.O_WRONLY|unix.O_CREAT|unix.O_APPEND)
			parts := []string{"ab", "cde", "f"}
			iov, iovAddr := a.buf(len(parts) * 16)
			iovecs := unsafe.Slice((*unix.Iovec)(unsafe.Pointer(&iov[0])), len(parts))
			for i, p := range parts {
				b, _ := a.buf(len(p))
				copy(b, p)
				iovecs[i].Base = &b[0]
				iovecs[i].SetLen(len(p))
			}
			for i := range 3 {
				res := run(t, e, core.Request{Op: core.OpWritev, UserData: uint64(i), FD: fd, Addr: iovAddr, Len: 3, Off: core.OffCurrent})
				if res[uint64(i)] != 6 {
					t.Fatalf("writev: %v", res)
				}
			}
			if got := readFile(t, path); got != "abcdefabcdefabcdef" {
				t.Fatalf("append file holds %q", got)
			}
		})
	}
}

func TestMetadataOps(t *testing.T) {
	for _, be := range backends {
		t.Run(be, func(t *testing.T) {
			e, a, dir := newEngine(t, be), newArena(t, 1<<20), t.TempDir()
			sub, f, g := filepath.Join(dir, "sub"), filepath.Join(dir, "sub", "f"), filepath.Join(dir, "sub", "g")
			res := run(t, e, core.Request{Op: core.OpMkdirat, UserData: 1, DirFD: core.ATFDCWD, Addr: a.cstr(sub), Mode: 0o755})
			if res[1] != 0 {
				t.Fatalf("mkdirat: %d", res[1])
			}
			res = run(t, e, core.Request{Op: core.OpMkdirat, UserData: 1, DirFD: core.ATFDCWD, Addr: a.cstr(sub), Mode: 0o755})
			if res[1] != -int64(unix.EEXIST) {
				t.Fatalf("mkdirat twice: %d, want -EEXIST", res[1])
			}
			fd := mustOpen(t, e, a, f, unix.O_RDWR|unix.O_CREAT)
			res = run(t, e,
				core.Request{Op: core.OpFtruncate, UserData: 2, FD: fd, Off: 12345})
			if res[2] != 0 {
				t.Fatalf("ftruncate: %d", res[2])
			}
			res = run(t, e, core.Request{Op: core.OpFsync, UserData: 3, FD: fd},
				core.Request{Op: core.OpFsync, UserData: 4, FD: fd, OpFlags: core.FsyncDatasync})
			if res[3] != 0 || res[4] != 0 {
				t.Fatalf("fsync, fdatasync: %v", res)
			}
			stx, stxAddr := a.buf(256)
			res = run(t, e, core.Request{Op: core.OpStatx, UserData: 5, DirFD: core.ATFDCWD, Addr: a.cstr(f),
				Mode: unix.STATX_SIZE, Addr2: stxAddr})
			if size := (*unix.Statx_t)(unsafe.Pointer(&stx[0])).Size; res[5] != 0 || size != 12345 {
				t.Fatalf("statx: res %d size %d", res[5], size)
			}
			res = run(t, e, core.Request{Op: core.OpRenameat, UserData: 6, DirFD: core.ATFDCWD, Addr: a.cstr(f),
				FD: core.ATFDCWD, Addr2: a.cstr(g)})
			if _, err := os.Stat(g); res[6] != 0 || err != nil {
				t.Fatalf("renameat: res %d, stat %v", res[6], err)
			}
			res = run(t, e, core.Request{Op: core.OpUnlinkat, UserData: 7, DirFD: core.ATFDCWD, Addr: a.cstr(g)},
				core.Request{Op: core.OpClose, UserData: 8, FD: fd})
			if _, err := os.Stat(g); res[7] != 0 || res[8] != 0 || !os.IsNotExist(err) {
				t.Fatalf("unlinkat, close: %v, stat %v", res, err)
			}
			res = run(t, e, openReq(9, a.cstr(filepath.Join(dir, "missing")), unix.O_RDONLY, 0))
			if res[9] != -int64(unix.ENOENT) {
				t.Fatalf("open missing: %d, want -ENOENT", res[9])
			}
		})
	}
}

func TestLinkedOpenWriteClose(t *testing.T) {
	for _, be := range backends {
		t.Run(be, func(t *testing.T) {
			e, a, dir := newEngine(t, be), newArena(t, 1<<20), t.TempDir()
			path := filepath.Join(dir, "chain")
			data, addr := a.buf(6)
			copy(data, "linked")
			res := run(t, e,
				core.Request{Op: core.OpOpenat, Flags: core.FlagLink, UserData: 1, DirFD: core.ATFDCWD, Addr: a.cstr(path),
					OpFlags: unix.O_WRONLY | unix.O_CREAT | unix.O_CLOEXEC, Mode: 0o644, Slot: 5},
				core.Request{Op: core.OpWrite, Flags: core.FlagLink | core.FlagFixedFile, UserData: 2, FD: 4, Addr: addr, Len: 6},
				core.Request{Op: core.OpClose, Flags: core.FlagFixedFile, UserData: 3, FD: 4})
			if res[1] != 0 || res[2] != 6 || res[3] != 0 {
				t.Fatalf("chain results %v", res)
			}
			if got := readFile(t, path); got != "linked" {
				t.Fatalf("file holds %q", got)
			}
			// A failing head cancels the rest of its chain.
			res = run(t, e,
				core.Request{Op: core.OpOpenat, Flags: core.FlagLink, UserData: 4, DirFD: core.ATFDCWD,
					Addr: a.cstr(filepath.Join(dir, "no", "such")), OpFlags: unix.O_RDONLY, Slot: 6},
				core.Request{Op: core.OpClose, Flags: core.FlagFixedFile, UserData: 5, FD: 5})
			if res[4] != -int64(unix.ENOENT) || res[5] != -int64(unix.ECANCELED) {
				t.Fatalf("broken chain results %v", res)
			}
			// A hard link holds whatever the result: the short read (6 bytes of 64) runs
			// its close, which a plain link would have cancelled; a failed head still
			// cancels everything after it.
			buf, bufAddr := a.buf(64)
			res = run(t, e,
				core.Request{Op: core.OpOpenat, Flags: core.FlagLink, UserData: 6, DirFD: core.ATFDCWD, Addr: a.cstr(path),
					OpFlags: unix.O_RDONLY, Slot: 7},
				core.Request{Op: core.OpRead, Flags: core.FlagLink | core.FlagHardLink | core.FlagFixedFile, UserData: 7, FD: 6,
					Addr: bufAddr, Len: 64},
				core.Request{Op: core.OpClose, Flags: core.FlagFixedFile, UserData: 8, FD: 6},
				core.Request{Op: core.OpOpenat, Flags: core.FlagLink, UserData: 9, DirFD: core.ATFDCWD,
					Addr: a.cstr(filepath.Join(dir, "no", "such")), OpFlags: unix.O_RDONLY, Slot: 8},
				core.Request{Op: core.OpRead, Flags: core.FlagLink | core.FlagHardLink | core.FlagFixedFile, UserData: 10, FD: 7,
					Addr: bufAddr, Len: 64},
				core.Request{Op: core.OpClose, Flags: core.FlagFixedFile, UserData: 11, FD: 7})
			if res[6] != 0 || res[7] != 6 || string(buf[:6]) != "linked" || res[8] != 0 ||
				res[9] != -int64(unix.ENOENT) || res[10] != -int64(unix.ECANCELED) || res[11] != -int64(unix.ECANCELED) {
				t.Fatalf("hard-linked chain results %v", res)
			}
			// The slot was closed: using it again is EBADF.
			res = run(t, e, core.Request{Op: core.OpRead, Flags: core.FlagFixedFile, UserData: 12, FD: 6, Addr: bufAddr, Len: 1})
			if res[12] != -int64(unix.EBADF) {
				t.Fatalf("read of a closed slot: %d", res[12])
			}
		})
	}
}

func TestInvalidRecords(t *testing.T) {
	for _, be := range backends {
		t.Run(be, func(t *testing.T) {
			e := newEngine(t, be)
			res := run(t, e,
				core.Request{Op: 200, UserData: 1},
				core.Request{Op: core.OpRead, UserData: 2, FD: 0, Addr: 0, Len: 10},
				core.Request{Op: core.OpNop, Flags: 0x80, UserData: 3},
				core.Request{Op: core.OpOpenat, Flags: core.FlagLink, UserData: 4}, // no path
				core.Request{Op: core.OpNop, UserData: 5},                          // linked to the bad one
				core.Request{Op: core.OpNop, UserData: 6})
			want := map[uint64]int64{1: -int64(unix.EINVAL), 2: -int64(unix.EINVAL), 3: -int64(unix.EINVAL),
				4: -int64(unix.EINVAL), 5: -int64(unix.ECANCELED), 6: 0}
			for k, v := range want {
				if res[k] != v {
					t.Errorf("request %d: got %d want %d", k, res[k], v)
				}
			}
		})
	}
}

// SQPOLL is granted or refused, and the backend says which; the ring works either way.
func TestSQPollRequest(t *testing.T) {
	e := newEngine(t, "io_uring", func(c *core.Config) { c.IOUringSQPoll = true })
	info := e.Info()
	if !info.SQPollWanted {
		t.Fatal("info does not record the SQPOLL request")
	}
	if !info.SQPollGranted && info.FallbackReason == "" {
		t.Fatal("SQPOLL refused without a reason")
	}
	res := run(t, e, core.Request{Op: core.OpNop, UserData: 1})
	if res[1] != 0 {
		t.Fatalf("nop: %d", res[1])
	}
	t.Logf("SQPOLL granted: %v (%s)", info.SQPollGranted, info.SetupFlags)
}

func TestLinkAndDirectoryOps(t *testing.T) {
	for _, be := range backends {
		t.Run(be, func(t *testing.T) {
			e, a, dir := newEngine(t, be), newArena(t, 1<<20), t.TempDir()
			f, hard, soft := filepath.Join(dir, "f"), filepath.Join(dir, "hard"), filepath.Join(dir, "soft")
			if err := os.WriteFile(f, []byte("0123456789"), 0o644); err != nil {
				t.Fatal(err)
			}
			res := run(t, e,
				core.Request{Op: core.OpLinkat, UserData: 1, DirFD: core.ATFDCWD, Addr: a.cstr(f), FD: core.ATFDCWD, Addr2: a.cstr(hard)},
				core.Request{Op: core.OpSymlinkat, UserData: 2, Addr: a.cstr("f"), DirFD: core.ATFDCWD, Addr2: a.cstr(soft)})
			if st, err := os.Lstat(soft); res[1] != 0 || res[2] != 0 || err != nil || st.Mode()&os.ModeSymlink == 0 {
				t.Fatalf("linkat, symlinkat: %v, lstat %v", res, err)
			}
			buf, bufAddr := a.buf(64)
			res = run(t, e,
				core.Request{Op: core.OpReadlinkat, UserData: 3, DirFD: core.ATFDCWD, Addr: a.cstr(soft), Addr2: bufAddr, Len: 64},
				core.Request{Op: core.OpReadlinkat, UserData: 4, DirFD: core.ATFDCWD, Addr: a.cstr(f), Addr2: bufAddr, Len: 64},
				core.Request{Op: core.OpFaccessat, UserData: 5, DirFD: core.ATFDCWD, Addr: a.cstr(hard), Mode: unix.R_OK},
				core.Request{Op: core.OpFaccessat, UserData: 6, DirFD: core.ATFDCWD, Addr: a.cstr(dir + "/nope"), Mode: unix.F_OK},
				core.Request{Op: core.OpFaccessat, UserData: 7, DirFD: core.ATFDCWD, Addr: a.cstr(soft), Mode: unix.F_OK, OpFlags: unix.AT_SYMLINK_NOFOLLOW})
			if res[3] != 1 || buf[0] != 'f' || res[4] != -int64(unix.EINVAL) || res[5] != 0 || res[6] != -int64(unix.ENOENT) || res[7] != 0 {
				t.Fatalf("readlinkat, faccessat: %v", res)
			}
			dfd := mustOpen(t, e, a, dir, unix.O_RDONLY|unix.O_DIRECTORY)
			ents, entsAddr := a.buf(4096)
			res = run(t, e, core.Request{Op: core.OpGetdents, UserData: 8, FD: dfd, Addr: entsAddr, Len: 4096})
			count := int(binary.LittleEndian.Uint32(ents))
			names := strings.Split(string(ents[16+9*count:res[8]-1]), "\x00")
			if binary.LittleEndian.Uint32(ents[4:]) != core.DirentsEnd || count != 3 || len(names) != 3 {
				t.Fatalf("getdents: res %d, header % x, names %q", res[8], ents[:8], names)
			}
			for i, name := range names {
				st, err := os.Lstat(filepath.Join(dir, name))
				ino := binary.LittleEndian.Uint64(ents[16+8*i:])
				if err != nil || st.Sys().(*syscall.Stat_t).Ino != ino || (ents[16+8*count+i] == unix.DT_LNK) != (name == "soft") {
					t.Fatalf("entry %q: ino %d type %d, lstat %v", name, ino, ents[16+8*count+i], err)
				}
			}
			res = run(t, e, core.Request{Op: core.OpGetdents, UserData: 8, FD: dfd, Addr: entsAddr, Len: 12})
			if res[8] != -int64(unix.EINVAL) {
				t.Fatalf("getdents into 12 bytes: %d, want -EINVAL", res[8])
			}
			res = run(t, e, core.Request{Op: core.OpGetdents, UserData: 9, Addr: entsAddr, Len: 4096, DirFD: core.ATFDCWD, Addr2: a.cstr(dir)},
				core.Request{Op: core.OpGetdents, UserData: 10, Addr: entsAddr, Len: 4096, DirFD: core.ATFDCWD, Addr2: a.cstr(f)})
			if int32(binary.LittleEndian.Uint32(ents[8:])) != -1 || binary.LittleEndian.Uint32(ents) != 3 || res[10] != -int64(unix.ENOTDIR) {
				t.Fatalf("getdents of a path: %v, header % x", res, ents[:16])
			}
			sfs, sfsAddr := a.buf(int(unsafe.Sizeof(unix.Statfs_t{})))
			res = run(t, e,
				core.Request{Op: core.OpStatfs, UserData: 9, Addr: a.cstr(dir), Addr2: sfsAddr},
				core.Request{Op: core.OpStatfs, UserData: 10, FD: dfd, Addr2: sfsAddr},
				core.Request{Op: core.OpStatfs, UserData: 11, Addr: a.cstr(dir + "/nope"), Addr2: sfsAddr})
			var want unix.Statfs_t
			if err := unix.Statfs(dir, &want); err != nil {
				t.Fatal(err)
			}
			if got := (*unix.Statfs_t)(unsafe.Pointer(&sfs[0])); res[9] != 0 || res[10] != 0 || res[11] != -int64(unix.ENOENT) || got.Type != want.Type {
				t.Fatalf("statfs: %v, type %x want %x", res, got.Type, want.Type)
			}
			in := mustOpen(t, e, a, f, unix.O_RDONLY)
			out := mustOpen(t, e, a, filepath.Join(dir, "copy"), unix.O_WRONLY|unix.O_CREAT)
			res = run(t, e, core.Request{Op: core.OpSendfile, UserData: 12, FD: out, DirFD: in, Off: 2, Len: 100})
			if res[12] != 8 {
				t.Fatalf("sendfile at 2: %d", res[12])
			}
			res = run(t, e, core.Request{Op: core.OpSendfile, UserData: 13, FD: out, DirFD: in, Off: core.OffCurrent, Len: 3})
			if got := readFile(t, filepath.Join(dir, "copy")); res[13] != 3 || got != "23456789012" {
				t.Fatalf("sendfile at the position: %d, copy holds %q", res[13], got)
			}
			res = run(t, e, core.Request{Op: core.OpCopyFileRange, UserData: 14, FD: out, DirFD: in, Off: 4, Addr2: 20, Len: 100})
			if got := readFile(t, filepath.Join(dir, "copy")); res[14] != 6 || got != "23456789012"+strings.Repeat("\x00", 9)+"456789" {
				t.Fatalf("copy_file_range: %d, copy holds %q", res[14], got)
			}
		})
	}
}

func TestGetdentsBatchesCoverALargeDirectory(t *testing.T) {
	for _, be := range backends {
		t.Run(be, func(t *testing.T) {
			e, a, dir := newEngine(t, be), newArena(t, 1<<20), t.TempDir()
			want := map[string]bool{}
			for i := range 3000 {
				name := fmt.Sprintf("%0*d", 1+i%250, i) // names of 1 to 250 bytes
				want[name] = true
				if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			buf, addr := a.buf(32768)
			got := map[string]bool{}
			// The first request opens the directory by path; the rest read the
			// descriptor it handed back, which the last one closes.
			next := core.Request{Op: core.OpGetdents, UserData: 1, Addr: addr, Len: 32768, DirFD: core.ATFDCWD, Addr2: a.cstr(dir)}
			for calls := 1; ; calls++ {
				res := run(t, e, next)
				next = core.Request{Op: core.OpGetdents, UserData: 1, FD: int32(binary.LittleEndian.Uint32(buf[8:])), Addr: addr, Len: 32768,
					OpFlags: core.DirentsClose}
				if res[1] < 16 || calls > 1000 {
					t.Fatalf("getdents: %d after %d calls", res[1], calls)
				}
				count := int(binary.LittleEndian.Uint32(buf))
				if count > 0 {
					for _, name := range strings.Split(string(buf[16+9*count:res[1]-1]), "\x00") {
						if got[name] {
							t.Fatalf("%q listed twice", name)
						}
						got[name] = true
					}
				}
				if binary.LittleEndian.Uint32(buf[4:]) == core.DirentsEnd {
					if next.FD != -1 {
						t.Fatalf("the descriptor %d was left open at the end", next.FD)
					}
					break
				}
			}
			if len(got) != len(want) {
				t.Fatalf("listed %d entries, want %d", len(got), len(want))
			}
		})
	}
}

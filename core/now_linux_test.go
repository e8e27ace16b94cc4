package core

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// callerMem is memory outside the Go heap, as Python's buffers are (checkptr refuses Go
// memory reached through an address).
func callerMem(t *testing.T, n int) []byte {
	mem, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Munmap(mem) })
	return mem
}

// cpath is p NUL-terminated in caller memory: p, and its address.
func cpath(t *testing.T, p string) (string, uintptr) {
	b := callerMem(t, len(p)+1)
	copy(b, p)
	return p, uintptr(unsafe.Pointer(&b[0]))
}

// statxMem is a struct statx in caller memory, and its address.
func statxMem(t *testing.T) (*unix.Statx_t, uintptr) {
	b := callerMem(t, 256)
	return (*unix.Statx_t)(unsafe.Pointer(&b[0])), uintptr(unsafe.Pointer(&b[0]))
}

// StatNow answers as stat(2) and lstat(2) for paths in the dentry cache, and with
// -ENOENT for a name the cache knows is missing.
func TestStatNowMatchesStat(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, make([]byte, 777), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "l")
	if err := os.Symlink(file, link); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path   string
		follow bool
	}{{file, true}, {link, true}, {link, false}, {dir, true}} {
		var want unix.Stat_t
		var err error
		if c.follow {
			err = unix.Stat(c.path, &want)
		} else {
			err = unix.Lstat(c.path, &want)
		}
		if err != nil {
			t.Fatal(err)
		}
		stx, stxAddr := statxMem(t)
		flags := 0
		if !c.follow {
			flags = unix.AT_SYMLINK_NOFOLLOW
		}
		s, addr := cpath(t, c.path)
		res := StatNow(unix.AT_FDCWD, s, addr, flags, stxAddr)
		if res != 0 {
			t.Fatalf("StatNow(%s, follow=%v): %d", c.path, c.follow, res)
		}
		if stx.Ino != want.Ino || uint32(stx.Mode) != want.Mode || int64(stx.Size) != want.Size {
			t.Errorf("%s follow=%v: statx %+v, stat %+v", c.path, c.follow, stx, want)
		}
	}
	gone := filepath.Join(dir, "gone")
	if err := os.WriteFile(gone, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(gone); err != nil { // leaves a negative dentry
		t.Fatal(err)
	}
	_, stxAddr := statxMem(t)
	s, addr := cpath(t, gone)
	if res := StatNow(unix.AT_FDCWD, s, addr, 0, stxAddr); res != -int64(unix.ENOENT) {
		t.Errorf("a removed file: %d, want -ENOENT", res)
	}
}

// OpenNow opens a cached regular file as open(2) does (no O_NONBLOCK left on it), and
// leaves to the ring what could wait: a FIFO, and creating files outside RAM-backed file
// systems or by a path with a symbolic link or "..". Every outcome carries a kind: the
// opened file's, or the path's by the mount table (what the ring's open is submitted as).
func TestOpenNow(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("abc"), 0o600); err != nil {
		t.Fatal(err)
	}
	stx, stxAddr := statxMem(t)
	open := func(p string, flags int) (int64, FSKind) {
		s, addr := cpath(t, p)
		res := OpenNow(s, addr, uint32(flags|unix.O_CLOEXEC), 0o666, stxAddr)
		return res >> 2, FSKind(res & 3)
	}
	refused := func(what, p string, flags int) {
		t.Helper()
		if res, kind := open(p, flags); res != -errEAGAIN || kind != PathFSKind(p) {
			t.Errorf("%s: %d (kind %d), want -EAGAIN (kind %d)", what, res, kind, PathFSKind(p))
		}
	}
	fd, kind := open(file, unix.O_RDONLY)
	if fd < 0 {
		t.Fatalf("OpenNow: %d", fd)
	}
	defer unix.Close(int(fd))
	if stx.Size != 3 || kind != PathFSKind(file) {
		t.Errorf("statx %+v, kind %d", stx, kind)
	}
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil || fl&unix.O_NONBLOCK != 0 {
		t.Errorf("F_GETFL %#x %v: O_NONBLOCK left on", fl, err)
	}
	if res, _ := open(filepath.Join(dir, "missing", "x"), unix.O_RDONLY); res != -int64(unix.ENOENT) && res != -errEAGAIN {
		t.Errorf("a missing directory: %d", res)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	before := countFDs(t)
	refused("a FIFO", fifo, unix.O_RDONLY)
	refused("a FIFO for writing", fifo, unix.O_WRONLY)
	if after := countFDs(t); after != before {
		t.Errorf("descriptors %d before, %d after", before, after)
	}
	if PathFSKind(dir) != FSMemory {
		refused("creating on "+dir, filepath.Join(dir, "new"), unix.O_WRONLY|unix.O_CREAT)
	}
	mem := shmDir(t)
	created := filepath.Join(mem, "new")
	fd, kind = open(created, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC)
	if fd < 0 || kind != FSMemory {
		t.Fatalf("creating on tmpfs: %d (kind %d)", fd, kind)
	}
	unix.Close(int(fd))
	if _, err := os.Stat(created); err != nil {
		t.Errorf("not created: %v", err)
	}
	if err := os.Symlink(mem, filepath.Join(mem, "link")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(mem, "link", "x"), mem + "/../" + filepath.Base(mem) + "/y"} {
		refused("creating "+p, p, unix.O_WRONLY|unix.O_CREAT)
	}
	if res, kind := open(created, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL); res != -int64(unix.EEXIST) || kind != FSMemory {
		t.Errorf("O_EXCL on an existing file: %d (kind %d)", res, kind)
	}
}

// shmDir is a directory on tmpfs at /dev/shm for this test (which is skipped where there
// is none), removed after it.
func shmDir(t *testing.T) string {
	if PathFSKind("/dev/shm") != FSMemory {
		t.Skip("no tmpfs at /dev/shm")
	}
	mem, err := os.MkdirTemp("/dev/shm", "now")
	if err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { os.RemoveAll(mem) })
	return mem
}

func countFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// On tmpfs, which keeps no negative dentries, a missing name is -ENOENT at once all the
// same (the walk stays in RAM), unless a symbolic link on the way could lead elsewhere.
func TestStatNowMissingOnTmpfs(t *testing.T) {
	mem := shmDir(t)
	if err := os.Symlink(mem, filepath.Join(mem, "link")); err != nil {
		t.Fatal(err)
	}
	_, stxAddr := statxMem(t)
	for p, want := range map[string]int64{
		filepath.Join(mem, "missing"):         -int64(unix.ENOENT),
		filepath.Join(mem, "link", "missing"): -errEAGAIN,
		filepath.Join(mem, "link"):            0,
	} {
		s, addr := cpath(t, p)
		if res := StatNow(unix.AT_FDCWD, s, addr, 0, stxAddr); res != want {
			t.Errorf("StatNow(%s): %d, want %d", p, res, want)
		}
	}
}

// RenameNow renames within a tmpfs directory reached without symbolic links, replacing
// the target and reporting rename's errors; anything else is -EAGAIN, untouched.
func TestRenameNowOnlyWithinRAM(t *testing.T) {
	mem := shmDir(t)
	write := func(p, data string) {
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	temp, target := filepath.Join(mem, "temp"), filepath.Join(mem, "target")
	write(temp, "new")
	write(target, "old")
	for _, sync := range []bool{false, true} {
		if res := RenameNow(temp, target, sync); res != 0 {
			t.Fatalf("RenameNow(sync=%v): %d", sync, res)
		}
		if got, _ := os.ReadFile(target); string(got) != "new" {
			t.Errorf("target holds %q", got)
		}
		if _, err := os.Stat(temp); !os.IsNotExist(err) {
			t.Errorf("the old name is still there: %v", err)
		}
		write(temp, "new")
	}
	if err := os.Mkdir(filepath.Join(mem, "d"), 0o700); err != nil {
		t.Fatal(err)
	}
	if res := RenameNow(temp, filepath.Join(mem, "d"), false); res != -int64(unix.EISDIR) {
		t.Errorf("over a directory: %d, want -EISDIR", res)
	}
	if res := RenameNow(filepath.Join(mem, "missing"), target, false); res != -int64(unix.ENOENT) {
		t.Errorf("a missing name: %d, want -ENOENT", res)
	}
	if err := os.Symlink(mem, filepath.Join(mem, "link")); err != nil {
		t.Fatal(err)
	}
	disk := t.TempDir()
	write(filepath.Join(disk, "a"), "a")
	for _, c := range [][2]string{
		{filepath.Join(mem, "link", "temp"), filepath.Join(mem, "link", "t2")}, // through a symbolic link
		{mem + "/../" + filepath.Base(mem) + "/temp", mem + "/../" + filepath.Base(mem) + "/t2"},
		{temp, filepath.Join(mem, "d", "t2")}, // two directories
		{temp, mem + "/"},
		{filepath.Join(disk, "a"), filepath.Join(disk, "b")}, // not RAM-backed (unless TMPDIR is)
	} {
		if c[0] == filepath.Join(disk, "a") && PathFSKind(disk) == FSMemory {
			continue
		}
		if res := RenameNow(c[0], c[1], false); res != -errEAGAIN {
			t.Errorf("RenameNow(%s, %s): %d, want -EAGAIN", c[0], c[1], res)
		}
	}
	if got, _ := os.ReadFile(temp); string(got) != "new" {
		t.Errorf("a refused rename moved the file: %q", got)
	}
}

// GetdentsNow lists a tmpfs directory as the request does, by path (closing it at the
// end) or by descriptor, and leaves a directory elsewhere, or reached through a symbolic
// link, to the request (-EAGAIN), with no descriptor left open.
func TestGetdentsNowOnlyInRAM(t *testing.T) {
	mem := shmDir(t)
	for i := range 300 {
		if err := os.WriteFile(filepath.Join(mem, fmt.Sprintf("entry-%03d", i)), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(mem, filepath.Join(mem, "link")); err != nil {
		t.Fatal(err)
	}
	want, got := callerMem(t, 1<<16), callerMem(t, 1<<16)
	wantAddr, gotAddr := uintptr(unsafe.Pointer(&want[0])), uintptr(unsafe.Pointer(&got[0]))
	p, pAddr := cpath(t, mem)
	before := countFDs(t)
	n := getdents(&Request{Op: OpGetdents, Addr: uint64(wantAddr), Len: 1 << 16, DirFD: unix.AT_FDCWD, Addr2: uint64(pAddr)}, -1)
	if res := GetdentsNow(-1, gotAddr, 1<<16, p, pAddr, unix.AT_FDCWD, false); res != n || string(got[:res]) != string(want[:n]) {
		t.Fatalf("by path: %d bytes, the request's %d (the same: %v)", res, n, res == n && string(got[:res]) == string(want[:n]))
	}
	if binary.LittleEndian.Uint32(got[0:]) != 301 || int32(binary.LittleEndian.Uint32(got[8:])) != -1 {
		t.Errorf("header %v: want 301 entries, the directory ended and closed", got[:16])
	}
	dfd, err := unix.Open(mem, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if res := GetdentsNow(int32(dfd), gotAddr, 1<<16, "", 0, unix.AT_FDCWD, true); res != n {
		t.Errorf("by descriptor: %d bytes, want %d", res, n)
	}
	if err := unix.Close(dfd); err != unix.EBADF {
		t.Errorf("the descriptor was not closed at the end: %v", err)
	}
	disk := t.TempDir()
	for _, dir := range []string{filepath.Join(mem, "link"), mem + "/../" + filepath.Base(mem), disk} {
		if dir == disk && PathFSKind(disk) == FSMemory {
			continue
		}
		d, dAddr := cpath(t, dir)
		if res := GetdentsNow(-1, gotAddr, 1<<16, d, dAddr, unix.AT_FDCWD, false); res != -errEAGAIN {
			t.Errorf("GetdentsNow(%s): %d, want -EAGAIN", dir, res)
		}
	}
	if dir, err := unix.Open(disk, unix.O_RDONLY|unix.O_DIRECTORY, 0); err == nil && PathFSKind(disk) != FSMemory {
		if res := GetdentsNow(int32(dir), gotAddr, 1<<16, "", 0, unix.AT_FDCWD, true); res != -errEAGAIN {
			t.Errorf("a descriptor on %s: %d, want -EAGAIN", disk, res)
		}
		unix.Close(dir)
	}
	if after := countFDs(t); after != before {
		t.Errorf("descriptors %d before, %d after", before, after)
	}
}

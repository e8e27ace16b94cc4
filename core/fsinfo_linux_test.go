package core

import (
	"os"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

const sampleMountInfo = `22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
25 22 0:21 / /dev/shm rw,nosuid,nodev shared:4 - tmpfs tmpfs rw
31 22 0:41 / /mnt/my\040data rw,nosuid - fuse.sshfs host:/x rw,user_id=0
32 31 0:42 / /mnt/my\040data/nfs rw - nfs4 srv:/e rw
33 22 0:43 / /mnt/tmp rw - tmpfs tmpfs rw
34 22 0:44 / /mnt/tmp rw - fuse slow rw
35 22 0:45 / /mnt/tmpx rw shared:7 master:2 - ramfs none rw
`

func TestParseMountInfo(t *testing.T) {
	byDev, points := parseMountInfo([]byte(sampleMountInfo))
	devs := map[[2]uint64]FSKind{{254, 1}: FSLocal, {0, 21}: FSMemory, {0, 41}: FSSlow, {0, 42}: FSSlow,
		{0, 43}: FSMemory, {0, 44}: FSSlow, {0, 45}: FSMemory}
	if len(byDev) != len(devs) {
		t.Fatalf("%d devices, want %d: %v", len(byDev), len(devs), byDev)
	}
	for d, want := range devs {
		if got, ok := byDev[d[0]<<32|d[1]]; !ok || got != want {
			t.Errorf("device %d:%d: %v %v, want %v", d[0], d[1], got, ok, want)
		}
	}
	paths := map[string]FSKind{
		"/":                       FSLocal,
		"/home/x":                 FSLocal,
		"/dev/shm/a":              FSMemory,
		"/dev/shmem":              FSLocal, // a prefix of the name is not a parent directory
		"/mnt/my data":            FSSlow,  // \040 is a space
		"/mnt/my data/f":          FSSlow,
		"/mnt/my data/nfs/g":      FSSlow,
		"/mnt/tmp/f":              FSSlow, // the later mount on /mnt/tmp hides the tmpfs
		"/mnt/tmpx/f":             FSMemory,
		"/mnt/my\\040data/nested": FSLocal,
	}
	for p, want := range paths {
		if got := kindOfPath(points, p); got != want {
			t.Errorf("%q: %v, want %v", p, got, want)
		}
	}
}

// The live table: /proc is procfs (local), the working directory's kind matches its
// device's, and a relative path is taken from the working directory.
func TestLiveMountTable(t *testing.T) {
	if got := PathFSKind("/proc/self"); got != FSLocal {
		t.Errorf("/proc: %v", got)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if PathFSKind(".") != PathFSKind(wd) {
		t.Errorf("relative and absolute paths of the working directory differ")
	}
	if _, err := os.Stat("/dev/shm"); err == nil && PathFSKind("/dev/shm/x") != FSMemory {
		t.Errorf("/dev/shm is not tmpfs here?")
	}
}

// FlagAsync becomes IOSQE_ASYNC, alone and with the link flags.
func TestPrepAsync(t *testing.T) {
	for _, flags := range []uint8{FlagAsync, FlagAsync | FlagLink, FlagAsync | FlagLink | FlagHardLink} {
		var sqe io_uring_sqe
		prep(&sqe, &Request{Op: OpRead, Flags: flags, FD: 3, Len: 1, Addr: 1})
		if sqe.flags&IOSQE_ASYNC == 0 || (flags&FlagLink != 0) != (sqe.flags&IOSQE_IO_LINK != 0) {
			t.Errorf("flags %#x: sqe flags %#x", flags, sqe.flags)
		}
	}
	var sqe io_uring_sqe
	prep(&sqe, &Request{Op: OpRead, FD: 3, Len: 1, Addr: 1})
	if sqe.flags&IOSQE_ASYNC != 0 {
		t.Errorf("IOSQE_ASYNC without FlagAsync")
	}
}

// StatxCached answers for a descriptor: the size and device of the file.
func TestStatxCached(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "s")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err = f.Write(make([]byte, 1234)); err != nil {
		t.Fatal(err)
	}
	var stx unix.Statx_t
	if res := StatxCached(int(f.Fd()), uintptr(unsafe.Pointer(&stx))); res != 0 {
		t.Fatalf("StatxCached: %d", res)
	}
	var st unix.Stat_t
	if err = unix.Fstat(int(f.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	if stx.Size != 1234 || unix.Mkdev(stx.Dev_major, stx.Dev_minor) != st.Dev || stx.Ino != st.Ino {
		t.Errorf("statx %+v, fstat %+v", stx, st)
	}
	if res := StatxCached(-1, uintptr(unsafe.Pointer(&stx))); res != -int64(unix.EBADF) {
		t.Errorf("a bad descriptor: %d", res)
	}
}

// OpenedKind fills the statx as StatxCached does and names the file system by its
// device: the one its path is on, tmpfs as FSMemory, and the fallback for a device the
// mount table does not list (a pipe's, on the kernel's internal pipefs).
func TestOpenedKind(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(dir + "/k")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stx, addr := statxMem(t) // memory outside Go's heap, as the caller's is
	if res := OpenedKind(int(f.Fd()), addr, FSSlow); res != int64(PathFSKind(dir)) || stx.Mode&unix.S_IFMT != unix.S_IFREG {
		t.Errorf("a file in %s: kind %d (by path %d), mode %o", dir, res, PathFSKind(dir), stx.Mode)
	}
	if PathFSKind("/dev/shm") == FSMemory {
		g, err := os.CreateTemp("/dev/shm", "kind")
		if err != nil {
			t.Fatal(err)
		}
		defer os.Remove(g.Name())
		defer g.Close()
		if res := OpenedKind(int(g.Fd()), addr, FSSlow); res != int64(FSMemory) {
			t.Errorf("a file on tmpfs: %d", res)
		}
	}
	var p [2]int
	if err = unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	for _, fallback := range []FSKind{FSLocal, FSSlow} {
		if res := OpenedKind(p[0], addr, fallback); res != int64(fallback) || stx.Mode&unix.S_IFMT != unix.S_IFIFO {
			t.Errorf("a pipe with fallback %d: %d, mode %o", fallback, res, stx.Mode)
		}
	}
	if res := OpenedKind(-1, addr, FSLocal); res != -int64(unix.EBADF) {
		t.Errorf("a bad descriptor: %d", res)
	}
}

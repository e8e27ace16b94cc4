package core

import (
	"bytes"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The kind of each mounted file system comes from /proc/self/mountinfo (its type name,
// its device, its mount point), read again whenever the kernel says the mount table
// changed (poll's POLLPRI on the open file). Asking costs no system call that could wait
// on a file system: statfs on a FUSE file is a request to its daemon.

// slowFSTypes are file systems whose operations a daemon or a network answers; "fuse.*"
// subtypes (sshfs, s3fs, rclone, gvfsd-fuse, ...) are FUSE too.
var slowFSTypes = map[string]bool{"fuse": true, "fuseblk": true, "virtiofs": true, "nfs": true, "nfs4": true,
	"cifs": true, "smb3": true, "9p": true, "ceph": true, "afs": true, "coda": true, "glusterfs": true,
	"lustre": true, "orangefs": true, "gfs2": true, "ocfs2": true}

var memoryFSTypes = map[string]bool{"tmpfs": true, "ramfs": true}

func kindOfType(fstype string) FSKind {
	switch {
	case slowFSTypes[fstype] || strings.HasPrefix(fstype, "fuse."):
		return FSSlow
	case memoryFSTypes[fstype]:
		return FSMemory
	}
	return FSLocal
}

type mountPoint struct {
	dir  string
	kind FSKind
}

// mountTable is the process's mount table as far as kinds go.
type mountTable struct {
	mu     sync.Mutex
	fd     int // /proc/self/mountinfo, kept open to poll; -1 when it cannot be read
	loaded bool
	byDev  map[uint64]FSKind
	points []mountPoint // in mount order: a later mount on the same directory hides an earlier one
}

var mounts = mountTable{fd: -2}

// DevFSKind says which kind of file system device major:minor (a stat's st_dev) is, and
// whether the mount table lists it (overlayfs reports its lower file systems' devices,
// btrfs one per subvolume: those it does not).
func DevFSKind(major, minor uint32) (FSKind, bool) {
	byDev, _ := mounts.snapshot()
	return devKind(byDev, major, minor)
}

func devKind(byDev map[uint64]FSKind, major, minor uint32) (FSKind, bool) {
	k, ok := byDev[uint64(major)<<32|uint64(minor)]
	return k, ok
}

// PathFSKind says which kind of file system path lies on, by the longest mount point
// that contains it lexically (a relative path: from the working directory). A symbolic
// link on the way to another file system is not seen: the caller learns the file's real
// device once it is open.
func PathFSKind(path string) FSKind {
	_, points := mounts.snapshot()
	return pathKind(points, path)
}

func pathKind(points []mountPoint, path string) FSKind {
	if !filepath.IsAbs(path) {
		wd, err := unix.Getwd() // the system call: os.Getwd may stat $PWD
		if err != nil {
			return FSLocal
		}
		path = filepath.Join(wd, path)
	}
	return kindOfPath(points, filepath.Clean(path))
}

// snapshot is the table as the kernel has it now. A refresh replaces the map and the
// slice, never changes them, so the caller reads them without the lock (and one caller
// asks about a path and a device with one poll of the mount table).
func (t *mountTable) snapshot() (map[uint64]FSKind, []mountPoint) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.refresh()
	return t.byDev, t.points
}

// StatxCached fills the struct statx at addr for descriptor fd from what the kernel
// already knows (AT_STATX_DONT_SYNC): FUSE, NFS, SMB and Ceph then answer from their
// attribute caches instead of asking their daemon or server, so the call never waits on
// them (9p without a cache does still ask). 0 or -errno.
func StatxCached(fd int, addr uintptr) int64 {
	return syscallRes(unix.SYS_STATX, [6]uintptr{uintptr(fd), uintptr(unsafe.Pointer(&emptyPath[0])),
		unix.AT_EMPTY_PATH | unix.AT_STATX_DONT_SYNC, unix.STATX_BASIC_STATS, addr})
}

var emptyPath = [1]byte{0}

// OpenedKind is StatxCached of fd, then the kind of the file system fd is on by the
// statx's device, fallback where the mount table does not list that device (overlayfs's
// and btrfs's are not): what an open learns of its file in one call. The kind or -errno.
func OpenedKind(fd int, addr uintptr, fallback FSKind) int64 {
	byDev, _ := mounts.snapshot()
	res, kind, _ := statxOf(fd, addr, byDev, fallback)
	if res < 0 {
		return res
	}
	return int64(kind)
}

// kindOfPath is the kind of the last-mounted of the longest mount points containing
// path (clean and absolute).
func kindOfPath(points []mountPoint, path string) FSKind {
	best, kind := -1, FSLocal
	for _, m := range points {
		if len(m.dir) >= best && within(path, m.dir) {
			best, kind = len(m.dir), m.kind
		}
	}
	return kind
}

func within(path, dir string) bool {
	return dir == "/" || path == dir || strings.HasPrefix(path, dir) && path[len(dir)] == '/'
}

// refresh reads the table when it was never read or the kernel says it changed.
func (t *mountTable) refresh() {
	if t.fd == -2 {
		fd, err := unix.Open("/proc/self/mountinfo", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			fd = -1
		}
		t.fd = fd
	}
	if t.fd < 0 {
		return
	}
	if t.loaded {
		p := []unix.PollFd{{Fd: int32(t.fd), Events: unix.POLLPRI}}
		if n, err := unix.Poll(p, 0); err != nil || n == 0 || p[0].Revents&(unix.POLLPRI|unix.POLLERR) == 0 {
			return // unchanged (a failed poll: keep what is known)
		}
	}
	data, err := readAllAt0(t.fd)
	if err != nil {
		return
	}
	t.byDev, t.points = parseMountInfo(data)
	t.loaded = true
}

func readAllAt0(fd int) ([]byte, error) {
	if _, err := unix.Seek(fd, 0, 0); err != nil {
		return nil, err
	}
	var out []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := unix.Read(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return out, nil
		}
		out = append(out, buf[:n]...)
	}
}

// parseMountInfo reads proc(5)'s mountinfo lines: "ID PARENT MAJOR:MINOR ROOT POINT
// OPTIONS [OPTIONAL...] - TYPE SOURCE SUPEROPTIONS".
func parseMountInfo(data []byte) (map[uint64]FSKind, []mountPoint) {
	byDev := map[uint64]FSKind{}
	var points []mountPoint
	for line := range bytes.SplitSeq(data, []byte{'\n'}) {
		f := strings.Fields(string(line))
		sep := -1
		for i, s := range f {
			if s == "-" && i >= 6 {
				sep = i
				break
			}
		}
		if sep < 0 || sep+1 >= len(f) {
			continue
		}
		majMin := strings.SplitN(f[2], ":", 2)
		if len(majMin) != 2 {
			continue
		}
		major, err1 := strconv.ParseUint(majMin[0], 10, 32)
		minor, err2 := strconv.ParseUint(majMin[1], 10, 32)
		if err1 != nil || err2 != nil {
			continue
		}
		kind := kindOfType(f[sep+1])
		byDev[major<<32|minor] = kind
		points = append(points, mountPoint{unescapeMount(f[4]), kind})
	}
	return byDev, points
}

// unescapeMount undoes the octal escapes (\040 for a space, ...) of a mountinfo field.
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

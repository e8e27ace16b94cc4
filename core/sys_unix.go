//go:build unix

package core

import "golang.org/x/sys/unix"

const (
	errEINVAL    = int64(unix.EINVAL)
	errECANCELED = int64(unix.ECANCELED)
	errEBADF     = int64(unix.EBADF)
	errENOSYS    = int64(unix.ENOSYS)
	errEAGAIN    = int64(unix.EAGAIN)
)

// syscallRes makes system call nr, retrying EINTR, and returns its result or -errno.
func syscallRes(nr uintptr, a [6]uintptr) int64 {
	for {
		n, _, errno := unix.Syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5])
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return -int64(errno)
		}
		return int64(n)
	}
}

// ignoringEINTR calls f again while it is interrupted, and returns its count or -errno.
func ignoringEINTR(f func() (int, error)) int64 {
	for {
		n, err := f()
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			errno, _ := err.(unix.Errno)
			return -int64(errno)
		}
		return int64(n)
	}
}

func sysClose(fd int32) { _ = unix.Close(int(fd)) }

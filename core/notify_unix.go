//go:build unix

package core

import (
	"time"

	"golang.org/x/sys/unix"
)

// waitReadable blocks until the notifier is readable or timeout passes (never, if < 0).
func (n *notifier) waitReadable(timeout time.Duration) {
	fds := []unix.PollFd{{Fd: int32(n.fd()), Events: unix.POLLIN}}
	ms := -1 // a negative timeout waits for good
	if timeout >= 0 {
		ms = int((timeout + time.Millisecond - 1) / time.Millisecond) // round up: never spin
	}
	_, _ = unix.Poll(fds, ms)
}

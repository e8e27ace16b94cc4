package core

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// notifier is an eventfd: the ring signals it when completions are posted, the worker
// backend when it finishes a request. It is a level hint, reset by drain.
type notifier struct{ efd int }

func newNotifier() (*notifier, error) {
	fd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		return nil, err
	}
	return &notifier{fd}, nil
}

func (n *notifier) fd() int { return n.efd }

func (n *notifier) signal() {
	var one [8]byte
	binary.NativeEndian.PutUint64(one[:], 1)
	_, _ = unix.Write(n.efd, one[:]) // EAGAIN only when the counter is saturated: still readable
}

// drain resets the notifier and reports whether it had been signalled.
func (n *notifier) drain() bool {
	var buf [8]byte
	got, _ := unix.Read(n.efd, buf[:])
	return got > 0
}

func (n *notifier) close() { _ = unix.Close(n.efd) }

package core

import "golang.org/x/sys/unix"

// notifier is a non-blocking pipe (macOS has no eventfd): a byte written means "reap".
type notifier struct{ r, w int }

func newNotifier() (*notifier, error) {
	var p [2]int
	if err := unix.Pipe(p[:]); err != nil {
		return nil, err
	}
	for _, fd := range p {
		unix.CloseOnExec(fd)
		if err := unix.SetNonblock(fd, true); err != nil {
			unix.Close(p[0])
			unix.Close(p[1])
			return nil, err
		}
	}
	return &notifier{p[0], p[1]}, nil
}

func (n *notifier) fd() int { return n.r }

func (n *notifier) signal() { _, _ = unix.Write(n.w, []byte{1}) } // a full pipe is still readable

func (n *notifier) drain() {
	var buf [64]byte
	for {
		if k, err := unix.Read(n.r, buf[:]); k <= 0 || err != nil {
			return
		}
	}
}

func (n *notifier) close() {
	_ = unix.Close(n.r)
	_ = unix.Close(n.w)
}

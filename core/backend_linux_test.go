package core

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// When io_uring_setup fails (old kernel, sysctl, seccomp), "auto" falls back to the
// worker backend and says why; "io_uring" reports the error instead.
func TestUringSetupFailureFallsBack(t *testing.T) {
	for _, errno := range []unix.Errno{unix.ENOSYS, unix.EPERM, unix.EINVAL} {
		refused := func(uint32, *io_uring_params) (int, error) { return -1, errno }
		cfg := DefaultConfig()
		cfg.Backend = "auto"
		b, err := pickBackend(cfg, refused)
		if err != nil {
			t.Fatalf("%v: auto failed: %v", errno, err)
		}
		info := b.info()
		b.release()
		if info.Backend != "worker" || info.IsTrulyAsync || !strings.Contains(info.FallbackReason, errno.Error()) {
			t.Fatalf("%v: info %+v", errno, info)
		}
		cfg.Backend = "io_uring"
		if _, err := pickBackend(cfg, refused); !errors.Is(err, errno) {
			t.Fatalf("%v: forced io_uring gave %v", errno, err)
		}
	}
}

package core

import "fmt"

func newBackend(cfg Config) (backend, error) { return pickBackend(cfg, io_uring_setup) }

// pickBackend picks io_uring unless the config forces the worker backend; "auto" falls
// back to workers when the kernel refuses io_uring (too old, disabled by sysctl, blocked
// by seccomp), and says why in BackendInfo.FallbackReason. setup is the io_uring_setup
// system call (a test passes one that fails).
func pickBackend(cfg Config, setup ringSetup) (backend, error) {
	if cfg.Backend == "worker" {
		return newWorkerBackend(cfg, "forced by configuration")
	}
	b, err := newUringBackend(cfg, setup)
	if err == nil {
		return b, nil
	}
	if cfg.Backend == "io_uring" {
		return nil, err
	}
	return newWorkerBackend(cfg, fmt.Sprintf("io_uring unavailable: %v", err))
}

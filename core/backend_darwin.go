package core

// newBackend returns the worker backend: macOS has no kernel completion queue for files
// (GCD's Dispatch I/O itself runs blocking reads on worker threads).
func newBackend(cfg Config) (backend, error) {
	if cfg.Backend == "io_uring" {
		return nil, errNoUring
	}
	return newWorkerBackend(cfg, "")
}

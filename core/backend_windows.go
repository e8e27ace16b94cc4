package core

import "errors"

// newBackend reports that the IOCP backend is not built yet, rather than pretending.
func newBackend(cfg Config) (backend, error) {
	return nil, errors.New("ayafileio: the Windows IOCP backend is not available in this build")
}

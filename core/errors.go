package core

import "errors"

var errNoUring = errors.New("ayafileio: io_uring is only available on Linux")

package core_test

import (
	"testing"

	"github.com/ayafileio/ayafileio/core"
	"golang.org/x/sys/unix"
)

var backends = []string{"io_uring", "worker"}

func openReq(ud uint64, path uint64, flags int, mode uint32) core.Request {
	return core.Request{Op: core.OpOpenat, UserData: ud, DirFD: core.ATFDCWD, Addr: path,
		OpFlags: uint32(flags | unix.O_CLOEXEC), Mode: mode}
}

func mustOpen(t testing.TB, e *core.Engine, a *arena, path string, flags int) int32 {
	t.Helper()
	res := run(t, e, openReq(1, a.cstr(path), flags, 0o644))[1]
	if res < 0 {
		t.Fatalf("open %s: %v", path, unix.Errno(-res))
	}
	t.Cleanup(func() { unix.Close(int(res)) })
	return int32(res)
}

var wakeBackends = backends

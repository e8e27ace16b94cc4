// Package pybind is the surface gopy turns into ayafileio's extension module. Every
// function takes scalars or addresses and returns an int64 (a value or -errno) or a JSON
// string, so the hot path has no Go errors (gopy makes those bare RuntimeErrors) and no
// byte-slice copies. Nothing panics across this boundary.
package pybind

import (
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"time"
	"unsafe"

	"github.com/ayafileio/ayafileio/core"
)

var (
	mu      sync.RWMutex
	engines = map[int64]*core.Engine{}
	nextID  int64
)

const errEBADF = -9 // an engine id that is not (or no longer) open

func engine(id int64) *core.Engine {
	mu.RLock()
	defer mu.RUnlock()
	return engines[id]
}

// guard turns a panic into res, so a bug surfaces as an error in Python, not a crash.
func guard(res *int64, onPanic int64) {
	if recover() != nil {
		*res = onPanic
	}
}

func toJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf(`{"error": %q}`, err.Error())
	}
	return string(b)
}

// EngineNew creates an engine with the current config and returns JSON with its id, its
// notify fd and its backend info, or {"error": "..."}.
func EngineNew() (res string) {
	defer func() {
		if r := recover(); r != nil {
			res = toJSON(map[string]string{"error": fmt.Sprint(r)})
		}
	}()
	e, err := core.NewEngine(core.CurrentConfig())
	if err != nil {
		return toJSON(map[string]string{"error": err.Error()})
	}
	mu.Lock()
	nextID++
	id := nextID
	engines[id] = e
	mu.Unlock()
	return toJSON(map[string]any{"id": id, "notify_fd": e.NotifyFD(), "info": e.Info()})
}

// EngineExchange submits n request records at reqAddr and writes up to max completion
// records at outAddr, in one pass (core.Engine.Exchange; mode is a core.ExchangeMode);
// returns how many completions it wrote, or -errno (then none of the n was submitted).
func EngineExchange(id int64, reqAddr uintptr, n int64, outAddr uintptr, max int64, mode int64) (res int64) {
	defer guard(&res, -22)
	e := engine(id)
	if e == nil {
		return errEBADF
	}
	got, err := e.ExchangeRecords(reqAddr, int(n), outAddr, int(max), core.ExchangeMode(mode))
	if err != nil && got == 0 {
		return errEBADF
	}
	return int64(got)
}

// EngineCancel asks the request with userData to stop; its completion still arrives.
func EngineCancel(id int64, userData int64) (res int64) {
	defer guard(&res, -22)
	e := engine(id)
	if e == nil {
		return errEBADF
	}
	e.Cancel(uint64(userData))
	return 0
}

// EngineClose closes the engine, giving in-flight requests timeoutMs to finish, and
// returns how many were still in flight (their buffers must stay alive for good).
func EngineClose(id int64, timeoutMs int64) (res int64) {
	defer guard(&res, -22)
	mu.Lock()
	e := engines[id]
	delete(engines, id)
	mu.Unlock()
	if e == nil {
		return errEBADF
	}
	return int64(e.Close(time.Duration(timeoutMs) * time.Millisecond))
}

// Probe returns the backend info an engine would get now, as JSON.
func Probe() string {
	e, err := core.NewEngine(core.CurrentConfig())
	if err != nil {
		return toJSON(map[string]string{"error": err.Error()})
	}
	defer e.Close(0)
	return toJSON(e.Info())
}

// DevFSKind returns the core.FSKind of device major:minor (a stat's st_dev), or -1 when
// the mount table does not list it.
func DevFSKind(major, minor int64) int64 {
	kind, ok := core.DevFSKind(uint32(major), uint32(minor))
	if !ok {
		return -1
	}
	return int64(kind)
}

// OpenedKind fills the struct statx at addr for fd from cached attributes and returns the
// core.FSKind of its file system, fallback where the mount table does not list its device
// (see core.OpenedKind); or -errno.
func OpenedKind(fd int64, addr uintptr, fallback int64) int64 {
	return core.OpenedKind(int(fd), addr, core.FSKind(fallback))
}

// StatNow is core.StatNow: statx of the path of n bytes (and its NUL) at pathAddr
// (relative to dirfd) into the struct statx at addr on this thread where that cannot
// wait; 0, -errno, or -EAGAIN (submit a STATX instead).
func StatNow(dirfd int64, pathAddr uintptr, n, atFlags int64, addr uintptr) (res int64) {
	defer guard(&res, -11) // -EAGAIN: the ring asks
	path := unsafe.String((*byte)(unsafe.Add(nil, pathAddr)), n)
	return core.StatNow(int(dirfd), path, pathAddr, int(atFlags), addr)
}

// OpenNow is core.OpenNow for the path of n bytes (and its NUL) at pathAddr: the
// descriptor, or -errno (-EAGAIN: submit an OPENAT), times 4 plus a file system's kind.
func OpenNow(pathAddr uintptr, n, flags, mode int64, addr uintptr) (res int64) {
	defer guard(&res, -11<<2) // -EAGAIN (FSLocal): the ring opens it
	path := unsafe.String((*byte)(unsafe.Add(nil, pathAddr)), n)
	return core.OpenNow(path, pathAddr, uint32(flags), uint32(mode), addr)
}

// RenameNow is core.RenameNow for the paths of oldN and newN bytes at oldAddr and
// newAddr (syncDir nonzero: fsync the directory after): 0, -errno, or -EAGAIN (submit a
// RENAMEAT).
func RenameNow(oldAddr uintptr, oldN int64, newAddr uintptr, newN int64, syncDir int64) (res int64) {
	defer guard(&res, -11) // -EAGAIN: the ring renames
	oldPath := unsafe.String((*byte)(unsafe.Add(nil, oldAddr)), oldN)
	newPath := unsafe.String((*byte)(unsafe.Add(nil, newAddr)), newN)
	return core.RenameNow(oldPath, newPath, syncDir != 0)
}

// GetdentsNow is core.GetdentsNow: a batch of fd's entries, or of the directory at the
// path of pathN bytes (and its NUL) at pathAddr (0: none), into the n bytes at outAddr;
// the answer's length, -errno, or -EAGAIN (submit a GETDENTS).
func GetdentsNow(fd int64, outAddr uintptr, n int64, pathAddr uintptr, pathN, dirfd, closeAtEnd int64) (res int64) {
	defer guard(&res, -11) // -EAGAIN: the engine's worker lists it
	path := ""
	if pathAddr != 0 {
		path = unsafe.String((*byte)(unsafe.Add(nil, pathAddr)), pathN)
	}
	return core.GetdentsNow(int32(fd), outAddr, uint32(n), path, pathAddr, int32(dirfd), closeAtEnd != 0)
}

// PathFSKind returns the core.FSKind of the file system the path of n bytes at addr
// lies on (lexically: see core.PathFSKind).
func PathFSKind(addr uintptr, n int64) (res int64) {
	defer guard(&res, int64(core.FSLocal))
	return int64(core.PathFSKind(string(unsafe.Slice((*byte)(unsafe.Add(nil, addr)), n))))
}

// ConfigSet validates and applies options given as a JSON object of strings; returns ""
// or the error message naming the key.
func ConfigSet(pairs string) string {
	var m map[string]string
	if err := json.Unmarshal([]byte(pairs), &m); err != nil {
		return err.Error()
	}
	if err := core.Configure(m); err != nil {
		return err.Error()
	}
	return ""
}

// ConfigGet returns the current options as JSON.
func ConfigGet() string { return toJSON(core.CurrentConfig()) }

// ConfigReset restores the defaults. (It returns a value because gopy gives functions
// without one an extra "run in a goroutine" argument.)
func ConfigReset() int64 {
	core.ResetConfig()
	return 0
}

// ConfigEnvError reports an invalid AYAFILEIO_BACKEND, or "".
func ConfigEnvError() string {
	if err := core.ConfigFromEnv(); err != nil {
		return err.Error()
	}
	return ""
}

// Stats returns the process-wide counters as JSON: live engines, requests in flight,
// io_uring_enter calls made, exchanges that answered a notify fd (the loops' wake-ups
// for completions), and the Go heap in use (bytes; it reads runtime.MemStats, so it is
// for tests and monitoring, not for hot paths).
func Stats() string {
	mu.RLock()
	inflight := 0
	for _, e := range engines {
		inflight += e.Inflight()
	}
	mu.RUnlock()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return toJSON(map[string]any{"live_engines": core.LiveEngines(), "inflight": inflight,
		"io_uring_enters": core.RingEnters(), "notify_wakeups": core.NotifiedExchanges(),
		"go_heap_alloc": ms.HeapAlloc})
}

// EngineWakeSocket makes the engine write a byte to the connected socket sock whenever
// completions wait (for loops without add_reader); returns 0 or -errno.
func EngineWakeSocket(id int64, sock int64) (res int64) {
	defer guard(&res, -22)
	e := engine(id)
	if e == nil {
		return errEBADF
	}
	switch err := e.WakeSocket(uintptr(sock)); err {
	case nil:
		return 0
	case core.ErrWakeSocketSet:
		return -16 // EBUSY
	default:
		return errEBADF // closed
	}
}

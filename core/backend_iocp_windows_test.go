package core_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ayafileio/ayafileio/core"
)

// Open flags as the Windows C runtime numbers them (what Python's os module passes).
const (
	oRDONLY = 0x0000
	oWRONLY = 0x0001
	oRDWR   = 0x0002
	oAPPEND = 0x0008
	oCREAT  = 0x0100
	oTRUNC  = 0x0200
	oEXCL   = 0x0400
)

var wakeBackends = []string{"auto"} // IOCP

const (
	eENOENT    = 2
	eEEXIST    = 17
	eECANCELED = 105
)

// winTempDir is t.TempDir without its cleanup's failure under Wine, whose file system
// lacks the POSIX-semantics delete Go's RemoveAll uses on Windows. Registered before
// the engine, it runs after the engine (and its pooled handles) are closed.
func winTempDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "ayafileio-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			t.Logf("leaving %s: %v", dir, err)
		}
	})
	return dir
}

func winOpen(t *testing.T, e *core.Engine, a *arena, path string, flags uint32) int32 {
	t.Helper()
	res := run(t, e, core.Request{Op: core.OpOpenat, UserData: 1, DirFD: core.ATFDCWD, Addr: a.cstr(path), OpFlags: flags})[1]
	if res < 0 {
		t.Fatalf("open %s: errno %d", path, -res)
	}
	t.Cleanup(func() { run(t, e, core.Request{Op: core.OpClose, UserData: 99, FD: int32(res)}) })
	return int32(res)
}

func TestIOCPBackendIsNamed(t *testing.T) {
	e := newEngine(t, "auto")
	info := e.Info()
	t.Logf("backend %s, platform %s, truly async %v", info.Backend, info.Platform, info.IsTrulyAsync)
	if info.Backend != "iocp" || info.Platform != "windows" || !info.IsTrulyAsync {
		t.Fatalf("info %+v", info)
	}
}

func TestIOCPReadWriteAtOffsets(t *testing.T) {
	dir := winTempDir(t)
	e, a := newEngine(t, "auto"), newArena(t, 1<<20)
	path := filepath.Join(dir, "f")
	h := winOpen(t, e, a, path, oRDWR|oCREAT|oTRUNC)
	w, waddr := a.buf(5)
	copy(w, "hello")
	res := run(t, e,
		core.Request{Op: core.OpWrite, UserData: 2, FD: h, Addr: waddr, Len: 5, Off: 10},
		core.Request{Op: core.OpWrite, UserData: 3, FD: h, Addr: waddr, Len: 5, Off: 0})
	if res[2] != 5 || res[3] != 5 {
		t.Fatalf("writes: %v", res)
	}
	r, raddr := a.buf(32)
	res = run(t, e, core.Request{Op: core.OpRead, UserData: 4, FD: h, Addr: raddr, Len: 32, Off: 8})
	if res[4] != 7 || string(r[:7]) != "\x00\x00hello" {
		t.Fatalf("read at 8: res %d data %q", res[4], r[:max(res[4], 0)])
	}
	res = run(t, e, core.Request{Op: core.OpRead, UserData: 5, FD: h, Addr: raddr, Len: 32, Off: 1 << 33})
	if res[5] != 0 {
		t.Fatalf("read past the end: %d, want 0", res[5])
	}
	res = run(t, e, core.Request{Op: core.OpFtruncate, UserData: 6, FD: h, Off: 3},
		core.Request{Op: core.OpFsync, UserData: 7, FD: h})
	if res[6] != 0 || res[7] != 0 {
		t.Fatalf("truncate, flush: %v", res)
	}
	if got := readFile(t, path); got != "hel" {
		t.Fatalf("file holds %q", got)
	}
}

// Two append handles on one file: every write lands at the end, none overwrites another.
func TestIOCPAppendFromTwoHandles(t *testing.T) {
	dir := winTempDir(t)
	e, a := newEngine(t, "auto"), newArena(t, 1<<20)
	path := filepath.Join(dir, "log")
	h1 := winOpen(t, e, a, path, oWRONLY|oCREAT|oAPPEND)
	h2 := winOpen(t, e, a, path, oWRONLY|oCREAT|oAPPEND)
	x, xa := a.buf(3)
	copy(x, "aaa")
	y, ya := a.buf(3)
	copy(y, "bbb")
	for i := range 10 {
		res := run(t, e,
			core.Request{Op: core.OpWrite, UserData: uint64(2 * i), FD: h1, Addr: xa, Len: 3, Off: core.OffCurrent},
			core.Request{Op: core.OpWrite, UserData: uint64(2*i + 1), FD: h2, Addr: ya, Len: 3, Off: core.OffCurrent})
		if res[uint64(2*i)] != 3 || res[uint64(2*i+1)] != 3 {
			t.Fatalf("append round %d: %v", i, res)
		}
	}
	got := readFile(t, path)
	if len(got) != 60 || strings.Count(got, "aaa") != 10 || strings.Count(got, "bbb") != 10 {
		t.Fatalf("appends overwrote each other: %q", got)
	}
}

func TestIOCPOpenErrorsAndMetadata(t *testing.T) {
	dir := winTempDir(t)
	e, a := newEngine(t, "auto"), newArena(t, 1<<20)
	res := run(t, e, core.Request{Op: core.OpOpenat, UserData: 1, DirFD: core.ATFDCWD,
		Addr: a.cstr(filepath.Join(dir, "missing")), OpFlags: oRDONLY})
	if res[1] != -eENOENT {
		t.Fatalf("open missing: %d, want -ENOENT", res[1])
	}
	path := filepath.Join(dir, "x")
	h := winOpen(t, e, a, path, oWRONLY|oCREAT|oEXCL)
	_ = h
	res = run(t, e, core.Request{Op: core.OpOpenat, UserData: 2, DirFD: core.ATFDCWD, Addr: a.cstr(path), OpFlags: oWRONLY | oCREAT | oEXCL})
	if res[2] != -eEEXIST {
		t.Fatalf("O_EXCL on an existing file: %d, want -EEXIST", res[2])
	}
	sub := filepath.Join(dir, "sub")
	moved := filepath.Join(dir, "moved")
	res = run(t, e, core.Request{Op: core.OpMkdirat, UserData: 3, DirFD: core.ATFDCWD, Addr: a.cstr(sub)})
	res2 := run(t, e, core.Request{Op: core.OpRenameat, UserData: 4, DirFD: core.ATFDCWD, Addr: a.cstr(sub),
		FD: core.ATFDCWD, Addr2: a.cstr(moved)})
	if res[3] != 0 || res2[4] != 0 {
		t.Fatalf("mkdir, rename: %v %v", res, res2)
	}
	if st, err := os.Stat(moved); err != nil || !st.IsDir() {
		t.Fatalf("renamed directory: %v", err)
	}
	res = run(t, e, core.Request{Op: core.OpUnlinkat, UserData: 5, DirFD: core.ATFDCWD, Addr: a.cstr(moved), OpFlags: 0x200})
	if res[5] != 0 {
		t.Fatalf("rmdir: %d", res[5])
	}
}

func TestIOCPLinkedOpenWriteClose(t *testing.T) {
	dir := winTempDir(t)
	e, a := newEngine(t, "auto"), newArena(t, 1<<20)
	path := filepath.Join(dir, "chain")
	data, addr := a.buf(6)
	copy(data, "linked")
	res := run(t, e,
		core.Request{Op: core.OpOpenat, Flags: core.FlagLink, UserData: 1, DirFD: core.ATFDCWD, Addr: a.cstr(path),
			OpFlags: oWRONLY | oCREAT | oTRUNC, Slot: 3},
		core.Request{Op: core.OpWrite, Flags: core.FlagLink | core.FlagFixedFile, UserData: 2, FD: 2, Addr: addr, Len: 6},
		core.Request{Op: core.OpClose, Flags: core.FlagFixedFile, UserData: 3, FD: 2})
	if res[1] != 0 || res[2] != 6 || res[3] != 0 {
		t.Fatalf("chain results %v", res)
	}
	if got := readFile(t, path); got != "linked" {
		t.Fatalf("file holds %q", got)
	}
	res = run(t, e,
		core.Request{Op: core.OpOpenat, Flags: core.FlagLink, UserData: 4, DirFD: core.ATFDCWD,
			Addr: a.cstr(filepath.Join(dir, "no", "such")), OpFlags: oRDONLY, Slot: 4},
		core.Request{Op: core.OpClose, Flags: core.FlagFixedFile, UserData: 5, FD: 3})
	if res[4] != -eENOENT || res[5] != -eECANCELED {
		t.Fatalf("broken chain results %v", res)
	}
}

// By default a close really closes: the file's directory can be removed at once, as
// after the built-in open()'s close.
func TestIOCPClosedFileIsClosed(t *testing.T) {
	dir := filepath.Join(winTempDir(t), "d")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	e, a := newEngine(t, "auto"), newArena(t, 1<<16)
	path := filepath.Join(dir, "f")
	h := run(t, e, core.Request{Op: core.OpOpenat, UserData: 1, DirFD: core.ATFDCWD, Addr: a.cstr(path),
		OpFlags: oWRONLY | oCREAT})[1]
	if h < 0 {
		t.Fatalf("open: errno %d", -h)
	}
	if res := run(t, e, core.Request{Op: core.OpClose, UserData: 2, FD: int32(h)})[2]; res != 0 {
		t.Fatalf("close: %d", res)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(dir); err != nil {
		t.Fatalf("the closed file's directory: %v", err)
	}
}

// Closed handles are pooled per (path, access) within the configured limits (the pool is
// off by default: TestIOCPClosedFileIsClosed); a reopen takes the pooled handle, which
// carries no position or append state.
func TestIOCPHandlePool(t *testing.T) {
	if err := core.Configure(map[string]string{"handle_pool_max_per_key": "64", "handle_pool_max_total": "2048"}); err != nil {
		t.Fatal(err)
	}
	defer core.ResetConfig()
	dir := winTempDir(t)
	e, a := newEngine(t, "auto"), newArena(t, 1<<20)
	path := filepath.Join(dir, "pooled")
	if err := os.WriteFile(path, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	open := func(ud uint64) int64 {
		return run(t, e, core.Request{Op: core.OpOpenat, UserData: ud, DirFD: core.ATFDCWD, Addr: a.cstr(path), OpFlags: oRDONLY})[ud]
	}
	closeH := func(h int64) {
		if res := run(t, e, core.Request{Op: core.OpClose, UserData: 50, FD: int32(h)})[50]; res != 0 {
			t.Fatalf("close: %d", res)
		}
	}
	h1 := open(1)
	closeH(h1)
	h2 := open(2)
	if h2 != h1 {
		t.Fatalf("reopen did not reuse the pooled handle (%d, then %d)", h1, h2)
	}
	r, raddr := a.buf(4)
	if res := run(t, e, core.Request{Op: core.OpRead, UserData: 3, FD: int32(h2), Addr: raddr, Len: 4, Off: 6})[3]; res != 4 || string(r) != "6789" {
		t.Fatalf("read through a reused handle: %d %q", res, r)
	}
	// With room for one handle per key, the second of two closes really closes.
	if err := core.Configure(map[string]string{"handle_pool_max_per_key": "1"}); err != nil {
		t.Fatal(err)
	}
	h3 := open(4)
	closeH(h2)
	closeH(h3)
	if h4, h5 := open(5), open(6); h4 != h2 && h4 != h3 || h5 == h4 {
		t.Fatalf("pool gave %d and %d after closing %d and %d", h4, h5, h2, h3)
	} else {
		closeH(h4)
		closeH(h5)
	}
	// A pooled handle whose file was deleted is not handed out again.
	if err := os.Remove(path); err != nil {
		t.Fatalf("delete while a handle rests in the pool: %v", err)
	}
	if err := os.WriteFile(path, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	h6 := open(7)
	if res := run(t, e, core.Request{Op: core.OpRead, UserData: 8, FD: int32(h6), Addr: raddr, Len: 4, Off: 0})[8]; res != 3 || string(r[:3]) != "new" {
		t.Fatalf("reopen after delete read %d %q", res, r[:max(res, 0)])
	}
	closeH(h6)
}

func TestIOCPBackPressureAndCancel(t *testing.T) {
	dir := winTempDir(t)
	e, a := newEngine(t, "auto"), newArena(t, 4<<20)
	h := winOpen(t, e, a, filepath.Join(dir, "bp"), oRDWR|oCREAT|oTRUNC)
	const n = 2000
	data, addr := a.buf(n * 8)
	for i := range n {
		copy(data[i*8:], []byte{byte(i), byte(i >> 8), 1, 2, 3, 4, 5, 6})
	}
	reqs := make([]core.Request, n)
	for i := range reqs {
		reqs[i] = core.Request{Op: core.OpWrite, UserData: uint64(i + 100), FD: h, Addr: addr + uint64(i*8), Len: 8, Off: uint64(i * 8)}
	}
	res := run(t, e, reqs...)
	for i := range n {
		if res[uint64(i+100)] != 8 {
			t.Fatalf("request %d: %d", i, res[uint64(i+100)])
		}
	}
	e.Cancel(12345) // cancelling what is not in flight is harmless
	if e.Inflight() != 0 {
		t.Fatalf("%d still in flight", e.Inflight())
	}
}

// A handle the caller opened (synchronous, as the C runtime's and Go's are) is not on
// the engine's port: its reads and writes still complete, at the offsets asked for.
func TestIOCPCallersSynchronousHandle(t *testing.T) {
	dir := winTempDir(t)
	e, a := newEngine(t, "auto"), newArena(t, 1<<16)
	path := filepath.Join(dir, "theirs")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := int32(f.Fd())
	w, waddr := a.buf(5)
	copy(w, "hello")
	// One after the other: requests submitted together on such a handle run on goroutines
	// of their own, in no set order (the append could come first).
	res := run(t, e, core.Request{Op: core.OpWrite, UserData: 1, FD: h, Addr: waddr, Len: 5, Off: 3})
	if res[1] != 5 {
		t.Fatalf("write at 3: %v", res)
	}
	res = run(t, e, core.Request{Op: core.OpWrite, UserData: 2, FD: h, Addr: waddr, Len: 5, Off: core.OffCurrent})
	if res[2] != 5 {
		t.Fatalf("append: %v", res)
	}
	r, raddr := a.buf(16)
	res = run(t, e, core.Request{Op: core.OpRead, UserData: 3, FD: h, Addr: raddr, Len: 16, Off: 3})
	if res[3] != 10 || string(r[:10]) != "hellohello" {
		t.Fatalf("read: res %d data %q", res[3], r[:max(res[3], 0)])
	}
}

// WriteNow and CloseNow serve a file collected unclosed: a blocking write at an offset
// (or at the end) on the engine's overlapped handle, then a close outside the engine.
func TestIOCPWriteNowCloseNow(t *testing.T) {
	dir := winTempDir(t)
	e, a := newEngine(t, "auto"), newArena(t, 1<<16)
	path := filepath.Join(dir, "late")
	res := run(t, e, core.Request{Op: core.OpOpenat, UserData: 1, DirFD: core.ATFDCWD, Addr: a.cstr(path), OpFlags: oRDWR | oCREAT})[1]
	if res < 0 {
		t.Fatalf("open: errno %d", -res)
	}
	w, waddr := a.buf(3)
	copy(w, "abc")
	if n := core.WriteNow(uintptr(res), waddr, 3, 2); n != 3 {
		t.Fatalf("WriteNow at 2: %d", n)
	}
	if n := core.WriteNow(uintptr(res), waddr, 1, core.OffCurrent); n != 1 {
		t.Fatalf("WriteNow at the end: %d", n)
	}
	if r := core.CloseNow(uintptr(res)); r != 0 {
		t.Fatalf("CloseNow: %d", r)
	}
	if got := readFile(t, path); got != "\x00\x00abca" {
		t.Fatalf("file holds %q", got)
	}
}

package core

import (
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Completion keys on the port: kernel I/O completions carry keyIO (the key handles are
// associated with); results of calls made on goroutines are posted with keyPosted;
// keyWake only wakes a waiter.
const (
	keyIO uintptr = iota
	keyPosted
	keyWake
)

var procGetQueuedCompletionStatusEx = windows.NewLazySystemDLL("kernel32.dll").NewProc("GetQueuedCompletionStatusEx")

// overlappedEntry is OVERLAPPED_ENTRY.
type overlappedEntry struct {
	key         uintptr
	overlapped  *windows.Overlapped
	internal    uintptr
	transferred uint32
}

// winReq is one request in flight. Overlapped comes first: the port hands back its
// address, which is the request's. The backend keeps every winReq referenced until
// its completion is reaped, so the kernel never writes to freed memory.
type winReq struct {
	ov       windows.Overlapped
	userData uint64
	handle   windows.Handle
	res      int64 // for posted completions
}

// iocpBackend runs reads and writes as overlapped I/O on one completion port and the
// blocking calls (CreateFile, FlushFileBuffers, ...) on goroutines that post their
// results to the same port, so one reap path sees everything.
type iocpBackend struct {
	cfg      Config
	port     windows.Handle
	mu       sync.Mutex
	inflight map[*winReq]struct{}
	ready    []overlappedEntry // dequeued by wait(), handed out by the next reap()
	entries  []overlappedEntry
	slots    [directSlots]windows.Handle
	pool     *handlePool
}

func newBackend(cfg Config) (backend, error) {
	if cfg.Backend == "io_uring" {
		return nil, errNoUring
	}
	port, err := windows.CreateIoCompletionPort(windows.InvalidHandle, 0, 0, 0)
	if err != nil {
		return nil, err
	}
	b := &iocpBackend{cfg: cfg, port: port, inflight: map[*winReq]struct{}{},
		entries: make([]overlappedEntry, 128), pool: newHandlePool()}
	for i := range b.slots {
		b.slots[i] = windows.InvalidHandle
	}
	return b, nil
}

func (b *iocpBackend) track(r *Request, h windows.Handle) *winReq {
	w := &winReq{userData: r.UserData, handle: h}
	b.mu.Lock()
	b.inflight[w] = struct{}{}
	b.mu.Unlock()
	return w
}

// post completes w with res through the port (from any goroutine).
func (b *iocpBackend) post(w *winReq, res int64) {
	w.res = res
	if err := windows.PostQueuedCompletionStatus(b.port, 0, keyPosted, &w.ov); err != nil {
		panic("ayafileio: PostQueuedCompletionStatus failed: " + err.Error())
	}
}

func (b *iocpBackend) queue(chain []Request) bool {
	if len(chain) > 1 {
		c := append([]Request(nil), chain...)
		ws := make([]*winReq, len(c))
		for i := range c {
			ws[i] = b.track(&c[i], windows.InvalidHandle)
		}
		go b.runChain(c, ws)
		return true
	}
	r := chain[0]
	w := b.track(&r, windows.InvalidHandle)
	switch r.Op {
	case OpRead, OpWrite:
		b.startIO(&r, w)
	case OpNop:
		b.post(w, 0)
	default:
		go func() { b.post(w, b.runSync(&r)) }()
	}
	return true
}

// startIO issues an overlapped ReadFile or WriteFile; its completion arrives on the port.
func (b *iocpBackend) startIO(r *Request, w *winReq) {
	h, errno := b.handleOf(r)
	if errno != 0 {
		b.post(w, -errno)
		return
	}
	if o, ours := ownerOf(h); !ours || o.b != b {
		// A handle the caller opened (a descriptor given to open()) may be synchronous or
		// tied to another port: no completion would reach ours, so wait for it here.
		go func() { b.post(w, b.syncIO(r)) }()
		return
	}
	w.handle = h
	if r.Off == OffCurrent {
		if r.Op == OpRead {
			b.post(w, -errEINVAL) // overlapped handles have no file position to read at
			return
		}
		w.ov.Offset, w.ov.OffsetHigh = 0xFFFFFFFF, 0xFFFFFFFF // append at end of file
	} else {
		w.ov.Offset, w.ov.OffsetHigh = uint32(r.Off), uint32(r.Off>>32)
	}
	proc := procReadFile
	if r.Op == OpWrite {
		proc = procWriteFile
	}
	ok, _, err := proc.Call(uintptr(h), uintptr(r.Addr), uintptr(r.Len), 0, uintptr(unsafe.Pointer(&w.ov)))
	if ok == 0 && err != windows.ERROR_IO_PENDING {
		if err == windows.ERROR_HANDLE_EOF {
			b.post(w, 0)
		} else {
			b.post(w, -winErrno(err))
		}
	}
}

var (
	kernel32      = windows.NewLazySystemDLL("kernel32.dll")
	procReadFile  = kernel32.NewProc("ReadFile")
	procWriteFile = kernel32.NewProc("WriteFile")
)

// runChain runs a link chain in order on this goroutine, each I/O waited for with an
// event (whose low bit keeps the completion off the port), and posts every result;
// after a failure or a short read or write the rest get -ECANCELED.
func (b *iocpBackend) runChain(c []Request, ws []*winReq) {
	runLinked(c, func(r *Request) int64 {
		switch r.Op {
		case OpRead, OpWrite:
			return b.syncIO(r)
		case OpNop:
			return 0
		}
		return b.runSync(r)
	}, func(i int, res int64) { b.post(ws[i], res) })
}

func (b *iocpBackend) syncIO(r *Request) int64 {
	h, errno := b.handleOf(r)
	if errno != 0 {
		return -errno
	}
	return syncIO(h, r.Op, r.Addr, r.Len, r.Off)
}

// syncIO reads or writes at off (OffCurrent: a write appends, a read uses the handle's
// position) and waits for the result, with an event whose low bit keeps the completion
// off any port the handle is associated with.
func syncIO(h windows.Handle, op Op, addr uint64, n uint32, off uint64) int64 {
	if off == OffCurrent && op == OpRead {
		// Only a caller's synchronous handle (a pipe, a console) reads at its position.
		var got uint32
		err := windows.ReadFile(h, unsafe.Slice((*byte)(unsafe.Add(nil, uintptr(addr))), n), &got, nil)
		if err != nil && err != windows.ERROR_HANDLE_EOF && err != windows.ERROR_BROKEN_PIPE {
			return -winErrno(err)
		}
		return int64(got)
	}
	ev, err := windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		return -winErrno(err)
	}
	defer windows.CloseHandle(ev)
	ov := new(windows.Overlapped)
	ov.HEvent = ev | 1
	if off == OffCurrent {
		ov.Offset, ov.OffsetHigh = 0xFFFFFFFF, 0xFFFFFFFF
	} else {
		ov.Offset, ov.OffsetHigh = uint32(off), uint32(off>>32)
	}
	proc := procReadFile
	if op == OpWrite {
		proc = procWriteFile
	}
	ok, _, err := proc.Call(uintptr(h), uintptr(addr), uintptr(n), 0, uintptr(unsafe.Pointer(ov)))
	if ok == 0 && err != windows.ERROR_IO_PENDING {
		if err == windows.ERROR_HANDLE_EOF {
			return 0
		}
		return -winErrno(err)
	}
	var got uint32
	if err := windows.GetOverlappedResult(h, ov, &got, true); err != nil {
		if err == windows.ERROR_HANDLE_EOF {
			return 0
		}
		return -winErrno(err)
	}
	return int64(got)
}

// handleOf resolves a request's descriptor: a handle, or a direct slot.
func (b *iocpBackend) handleOf(r *Request) (windows.Handle, int64) {
	if r.Flags&FlagFixedFile == 0 {
		return windows.Handle(uintptr(r.FD)), 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	h := b.slots[r.FD]
	if h == windows.InvalidHandle {
		return 0, errEBADF
	}
	return h, 0
}

func (b *iocpBackend) flush() error { return nil }

func (b *iocpBackend) reap(out []Completion) int {
	n := 0
	b.mu.Lock()
	ready := b.ready
	b.ready = nil
	b.mu.Unlock()
	for _, e := range ready {
		n = b.complete(e, out, n)
	}
	for n < len(out) {
		got := b.dequeue(min(len(out)-n, len(b.entries)), 0)
		if got == 0 {
			break
		}
		for _, e := range b.entries[:got] {
			n = b.complete(e, out, n)
		}
	}
	return n
}

// dequeue takes up to max completions off the port, waiting up to timeout ms.
func (b *iocpBackend) dequeue(max int, timeout uint32) int {
	var removed uint32
	ok, _, _ := procGetQueuedCompletionStatusEx.Call(uintptr(b.port), uintptr(unsafe.Pointer(&b.entries[0])),
		uintptr(max), uintptr(unsafe.Pointer(&removed)), uintptr(timeout), 0)
	if ok == 0 {
		return 0
	}
	return int(removed)
}

func (b *iocpBackend) complete(e overlappedEntry, out []Completion, n int) int {
	if e.key == keyWake || e.overlapped == nil {
		return n
	}
	w := (*winReq)(unsafe.Pointer(e.overlapped))
	res := w.res
	if e.key == keyIO {
		var got uint32
		if err := windows.GetOverlappedResult(w.handle, &w.ov, &got, false); err != nil && err != windows.ERROR_HANDLE_EOF {
			res = -winErrno(err)
		} else {
			res = int64(got)
		}
	}
	b.mu.Lock()
	delete(b.inflight, w)
	b.mu.Unlock()
	out[n] = Completion{w.userData, res}
	return n + 1
}

func (b *iocpBackend) wait(timeout time.Duration) {
	ms := uint32(windows.INFINITE)
	if timeout >= 0 {
		ms = uint32((timeout + time.Millisecond - 1) / time.Millisecond)
	}
	b.mu.Lock()
	ready := len(b.ready) > 0
	b.mu.Unlock()
	if ready {
		return
	}
	entries := make([]overlappedEntry, 64)
	var removed uint32
	ok, _, _ := procGetQueuedCompletionStatusEx.Call(uintptr(b.port), uintptr(unsafe.Pointer(&entries[0])),
		uintptr(len(entries)), uintptr(unsafe.Pointer(&removed)), uintptr(ms), 0)
	if ok != 0 {
		b.mu.Lock()
		b.ready = append(b.ready, entries[:removed]...)
		b.mu.Unlock()
	}
}

func (b *iocpBackend) cancel(userData uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for w := range b.inflight {
		if w.userData == userData && w.handle != windows.InvalidHandle {
			_ = windows.CancelIoEx(w.handle, &w.ov)
		}
	}
}

func (b *iocpBackend) cancelAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for w := range b.inflight {
		if w.handle != windows.InvalidHandle {
			_ = windows.CancelIoEx(w.handle, &w.ov)
		}
	}
}

// notifyFD: Windows has no descriptor to watch; event loops use WakeSocket (asyncio's
// Proactor loop has no add_reader either).
func (b *iocpBackend) notifyFD() int { return -1 }

func (b *iocpBackend) signal() { _ = windows.PostQueuedCompletionStatus(b.port, 0, keyWake, nil) }

func (b *iocpBackend) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, h := range b.slots {
		if h != windows.InvalidHandle {
			disown(h)
			windows.CloseHandle(h)
			b.slots[i] = windows.InvalidHandle
		}
	}
	b.pool.closeAll()
	if len(b.inflight) == 0 {
		windows.CloseHandle(b.port) // with requests still running, the port stays for them
	}
}

func (b *iocpBackend) info() BackendInfo {
	return BackendInfo{
		Platform:     "windows",
		Backend:      "iocp",
		IsTrulyAsync: true,
		NativeOps:    []string{"nop", "read", "write"},
		WorkerOps:    []string{"fsync", "openat", "close", "renameat", "unlinkat", "mkdirat", "ftruncate"},
		DirectFiles:  true,
		QueueDepth:   int(b.cfg.QueueDepth),
	}
}

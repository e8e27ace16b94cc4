package tests_go

import (
	"bytes"
	"encoding/binary"
	"maps"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unsafe"

	"github.com/ayafileio/ayafileio/core"
	"github.com/ayafileio/ayafileio/pybind"
	"golang.org/x/sys/unix"
)

// core.ExchangeMode as engine/driver.py passes it: the loop iteration's exchange, the notify
// fd's answer, a caller waiting for what it submits now.
const (
	tick     = int64(core.ExchangeTick)
	notified = int64(core.ExchangeNotified)
	inline   = int64(core.ExchangeInline)
)

// record is one request as engine/driver.py packs it with engine/records.REQUEST
// ("<BBHiQQIIQQIiI4x"): the wire format, written here field by field, not by core.
type record struct {
	op, flags       uint8
	fd              int32
	ud              uint64
	addr            uint64
	length, opFlags uint32
	off, addr2      uint64
	mode            uint32
	dirfd           int32
	slot            uint32
}

func (r record) pack(b []byte) {
	le := binary.LittleEndian
	clear(b[:core.RequestSize])
	b[0], b[1] = r.op, r.flags
	le.PutUint32(b[4:], uint32(r.fd))
	le.PutUint64(b[8:], r.ud)
	le.PutUint64(b[16:], r.addr)
	le.PutUint32(b[24:], r.length)
	le.PutUint32(b[28:], r.opFlags)
	le.PutUint64(b[32:], r.off)
	le.PutUint64(b[40:], r.addr2)
	le.PutUint32(b[48:], r.mode)
	le.PutUint32(b[52:], uint32(r.dirfd))
	le.PutUint32(b[56:], r.slot)
}

// memory outside the Go heap, as a Python bytearray is: the kernel or a worker may use
// it after the call that handed it over has returned.
func memory(t testing.TB, n int) ([]byte, uint64) {
	t.Helper()
	b, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Munmap(b) })
	return b, uint64(uintptr(unsafe.Pointer(&b[0])))
}

func cstring(t testing.TB, s string) uint64 {
	b, addr := memory(t, len(s)+1)
	copy(b, s)
	return addr
}

// pipe is an empty pipe: a read of it waits until the test writes.
func pipe(t testing.TB) [2]int {
	t.Helper()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = unix.Close(p[0]), unix.Close(p[1]) })
	return p
}

const batch = 256 // engine/driver.py _BATCH: records per exchange

// engine is one engine as a Driver holds it: its id, notify fd and the two record arrays.
type engine struct {
	t        testing.TB
	id       int64
	notifyFD int
	info     map[string]any
	sq, cq   []byte
	sqAddr   uint64
	cqAddr   uint64
}

var backends = []string{"io_uring", "worker"}

// openEngine configures backend as _config.configure(backend=...) does and creates an
// engine with it.
func openEngine(t testing.TB, backend string) *engine {
	t.Helper()
	configure(t, map[string]string{"backend": backend})
	id, ans := newEngine(t)
	if ans.Info["backend"] != backend {
		t.Fatalf("backend %q asked for, %v given", backend, ans.Info["backend"])
	}
	e := &engine{t: t, id: id, notifyFD: *ans.NotifyFD, info: ans.Info}
	e.sq, e.sqAddr = memory(t, batch*core.RequestSize)
	e.cq, e.cqAddr = memory(t, batch*core.CompletionSize)
	return e
}

// exchange packs reqs, makes one EngineExchange with room for room completions and
// returns those it wrote, by user data.
func (e *engine) exchange(reqs []record, room, mode int64) map[uint64]int64 {
	e.t.Helper()
	for i, r := range reqs {
		r.pack(e.sq[i*core.RequestSize:])
	}
	got := pybind.EngineExchange(e.id, uintptr(e.sqAddr), int64(len(reqs)), uintptr(e.cqAddr), room, mode)
	if got < 0 || got > max(room, 0) {
		e.t.Fatalf("EngineExchange = %d with room %d", got, room)
	}
	out := map[uint64]int64{}
	le := binary.LittleEndian
	for i := range int(got) {
		c := e.cq[i*core.CompletionSize:]
		ud := le.Uint64(c)
		if _, dup := out[ud]; dup {
			e.t.Fatalf("two completions for user data %d", ud)
		}
		out[ud] = int64(le.Uint64(c[8:]))
	}
	return out
}

// await waits on the notify fd as the loop's reader does and answers each wake-up with
// a notified exchange, adding what arrives to have until it holds want completions.
func (e *engine) await(have map[uint64]int64, want int) map[uint64]int64 {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(have) < want {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out with %d of %d completions: %v", len(have), want, have)
		}
		fds := []unix.PollFd{{Fd: int32(e.notifyFD), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, 100); err != nil && err != unix.EINTR {
			e.t.Fatal(err)
		}
		for ud, res := range e.exchange(nil, batch, notified) {
			if _, dup := have[ud]; dup {
				e.t.Fatalf("two completions for user data %d", ud)
			}
			have[ud] = res
		}
	}
	return have
}

// run submits reqs in one exchange of mode and waits for all their completions.
func (e *engine) run(mode int64, reqs ...record) map[uint64]int64 {
	e.t.Helper()
	return e.await(e.exchange(reqs, batch, mode), len(reqs))
}

func errno(res int64) error {
	if res < 0 {
		return unix.Errno(-res)
	}
	return nil
}

const openFlags = unix.O_CLOEXEC

// A file written and read back as the driver does it: the records in memory at an
// address, in an inline exchange and in a tick one, the rest awaited on the notify fd;
// written through a linked open→write→close chain into a direct-descriptor slot where
// the engine has them, read back at the file position in two halves.
func TestWriteAndReadBack(t *testing.T) {
	data := bytes.Repeat([]byte("ayafileio\x00\xff"), 20_000)[:200_001]
	for _, backend := range backends {
		for _, mode := range []int64{inline, tick} {
			t.Run(backend+map[int64]string{inline: "/inline", tick: "/tick"}[mode], func(t *testing.T) {
				e := openEngine(t, backend)
				path := filepath.Join(t.TempDir(), "f")
				src, srcAddr := memory(t, len(data))
				copy(src, data)
				create := record{op: uint8(core.OpOpenat), ud: 1, dirfd: core.ATFDCWD, addr: cstring(t, path),
					opFlags: openFlags | unix.O_WRONLY | unix.O_CREAT | unix.O_TRUNC, mode: 0o600}
				write := record{op: uint8(core.OpWrite), ud: 2, addr: srcAddr, length: uint32(len(data))}
				closing := record{op: uint8(core.OpClose), ud: 3}
				if e.info["direct_descriptors"] == true {
					const slot = 7
					create.slot, create.flags = slot, core.FlagLink
					write.fd, write.flags = slot-1, core.FlagLink|core.FlagFixedFile
					closing.fd, closing.flags = slot-1, core.FlagFixedFile
					got := e.run(mode, create, write, closing)
					if got[1] != 0 || got[2] != int64(len(data)) || got[3] != 0 {
						t.Fatalf("open→write→close into slot %d: %v", slot, got)
					}
				} else {
					fd := e.run(mode, create)[1]
					if fd < 0 {
						t.Fatalf("open: %v", errno(fd))
					}
					write.fd, closing.fd = int32(fd), int32(fd)
					if got := e.run(mode, write, closing); got[2] != int64(len(data)) || got[3] != 0 {
						t.Fatalf("write, close: %v", got)
					}
				}
				if on, err := os.ReadFile(path); err != nil || !bytes.Equal(on, data) {
					t.Fatalf("the file holds %d bytes (%v), want the %d written", len(on), err, len(data))
				}

				fd := e.run(mode, record{op: uint8(core.OpOpenat), ud: 4, dirfd: core.ATFDCWD, addr: cstring(t, path),
					opFlags: openFlags | unix.O_RDONLY})[4]
				if fd < 0 {
					t.Fatalf("open for reading: %v", errno(fd))
				}
				dst, dstAddr := memory(t, len(data)+1)
				half := uint32(len(data) / 2)
				read := func(ud uint64, at uint64, n uint32) record {
					return record{op: uint8(core.OpRead), ud: ud, fd: int32(fd), addr: at, length: n, off: core.OffCurrent}
				}
				got := e.run(mode, read(5, dstAddr, half))
				if got[5] != int64(half) {
					t.Fatalf("first read: %v", got)
				}
				// Unlinked requests run in any order (side by side on the worker
				// backend): the close waits for the read, as the driver's task does.
				if got = e.run(mode, read(6, dstAddr+uint64(half), uint32(len(data))+1-half)); got[6] != int64(len(data))-int64(half) {
					t.Fatalf("second read: %v", got)
				}
				if got = e.run(mode, record{op: uint8(core.OpClose), ud: 7, fd: int32(fd)}); got[7] != 0 {
					t.Fatalf("close: %v", errno(got[7]))
				}
				if !bytes.Equal(dst[:len(data)], data) {
					t.Fatal("the bytes read back differ from those written")
				}
			})
		}
	}
}

// What the kernel finishes during an inline exchange comes back from that very call:
// the driver resolves its future without a loop iteration, with one io_uring_enter.
func TestInlineExchangeAnswersAtOnce(t *testing.T) {
	e := openEngine(t, "io_uring")
	e.exchange(nil, batch, tick) // a drained notifier
	before := readStats(t).IOUringEnters
	if got := e.exchange([]record{{op: uint8(core.OpNop), ud: 42}}, batch, inline); len(got) != 1 || got[42] != 0 {
		t.Fatalf("inline nop answered %v", got)
	}
	if n := readStats(t).IOUringEnters - before; n != 1 {
		t.Fatalf("the inline exchange made %d io_uring_enter calls, want 1", n)
	}
}

// A request that waits (a read of an empty pipe) comes back from no exchange until it
// is done; then the notify fd turns readable and a notified exchange brings it. Stats
// counts it in flight meanwhile.
func TestNotifyFDWakesForWaitingRequest(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			e := openEngine(t, backend)
			p := pipe(t)
			buf, addr := memory(t, 64)
			pipeRead := record{op: uint8(core.OpRead), ud: 9, fd: int32(p[0]), addr: addr, length: 64, off: core.OffCurrent}
			if got := e.exchange([]record{pipeRead}, batch, tick); len(got) != 0 {
				t.Fatalf("a read of an empty pipe completed: %v", got)
			}
			if n := readStats(t).Inflight; n != 1 {
				t.Fatalf("Stats inflight %d with one read waiting", n)
			}
			time.Sleep(20 * time.Millisecond)
			if got := e.exchange(nil, batch, notified); len(got) != 0 {
				t.Fatalf("a read of an empty pipe completed: %v", got)
			}
			if _, err := unix.Write(p[1], []byte("wake")); err != nil {
				t.Fatal(err)
			}
			if got := e.await(map[uint64]int64{}, 1); got[9] != 4 || string(buf[:4]) != "wake" {
				t.Fatalf("the read returned %v, %q", got, buf[:4])
			}
			if n := readStats(t).Inflight; n != 0 {
				t.Fatalf("Stats inflight %d after the read was reaped", n)
			}
		})
	}
}

// A malformed record completes with -EINVAL under its user data (the engine's bit
// cleared), the rest of its link chain with -ECANCELED, and the well-formed records
// around it run: nothing panics and nothing is lost.
func TestMalformedRecordsGetEINVAL(t *testing.T) {
	einval, ecanceled := -int64(unix.EINVAL), -int64(unix.ECANCELED)
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			e := openEngine(t, backend)
			nop, read, write := uint8(core.OpNop), uint8(core.OpRead), uint8(core.OpWrite)
			_, addr := memory(t, 16)
			reqs := []record{
				{op: nop, ud: 1},
				{op: 200, ud: 2},                                                             // an unknown op
				{op: nop, ud: 3, flags: 0x80},                                                // an unknown flag
				{op: nop, ud: 1<<63 | 4},                                                     // the engine's bit of user data
				{op: read, ud: 5, fd: 0, addr: 0, length: 10},                                // no buffer
				{op: read, ud: 6, fd: 0, addr: addr, length: 0x7ffff001},                     // longer than one read may be
				{op: write, ud: 7, fd: 0, addr: addr, length: 1, off: 1 << 63},               // a negative offset
				{op: read, ud: 8, fd: 256, flags: core.FlagFixedFile, addr: addr, length: 1}, // no such slot
				{op: uint8(core.OpFsync), ud: 9, fd: 0, opFlags: 2},                          // an unknown fsync flag
				{op: nop, ud: 10, flags: core.FlagLink},
				{op: 201, ud: 11, flags: core.FlagLink},
				{op: nop, ud: 12},
				{op: nop, ud: 13},
			}
			want := map[uint64]int64{1: 0, 2: einval, 3: einval, 4: einval, 5: einval, 6: einval, 7: einval,
				8: einval, 9: einval, 10: 0, 11: einval, 12: ecanceled, 13: 0}
			if got := e.run(tick, reqs...); !maps.Equal(got, want) {
				t.Fatalf("completions %v, want %v", got, want)
			}
		})
	}
}

// n and max as the code defines them: n <= 0 submits nothing; max <= 0 reaps nothing
// and keeps the completions for a later exchange; a full out array (got == max, which
// the driver answers with another exchange) loses none of those left over.
func TestExchangeCounts(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			e := openEngine(t, backend)
			for _, n := range []int64{0, -1} {
				record{op: 200, ud: 99}.pack(e.sq) // would complete at once if it were read
				if got := pybind.EngineExchange(e.id, uintptr(e.sqAddr), n, uintptr(e.cqAddr), batch, tick); got != 0 {
					t.Fatalf("n=%d: %d completions", n, got)
				}
			}
			nops := make([]record, 5)
			for i := range nops {
				nops[i] = record{op: uint8(core.OpNop), ud: uint64(100 + i)}
			}
			// The nops go in with no room for completions, then an exchange with
			// negative room submits nothing more and reaps nothing.
			for _, room := range []int64{0, -3} {
				if got := e.exchange(nops, room, tick); len(got) != 0 {
					t.Fatalf("max=%d: %v", room, got)
				}
				nops = nops[:0]
			}
			time.Sleep(20 * time.Millisecond)
			have := map[uint64]int64{}
			deadline := time.Now().Add(10 * time.Second)
			for len(have) < 5 && time.Now().Before(deadline) {
				got := e.exchange(nil, 2, notified)
				for ud, res := range got {
					if _, dup := have[ud]; dup || res != 0 || ud < 100 || ud > 104 {
						t.Fatalf("completion %d: %d (have %v)", ud, res, have)
					}
					have[ud] = res
				}
				if len(got) < 2 {
					e.await(have, 5)
				}
			}
			if len(have) != 5 {
				t.Fatalf("%d of 5 completions", len(have))
			}
		})
	}
}

// EngineCancel stops a waiting request, whose completion still arrives (-ECANCELED);
// a user data in flight nowhere is no error. EngineClose of an engine with a request
// in flight cancels it and reports none left.
func TestCancelAndCloseInFlight(t *testing.T) {
	e := openEngine(t, "io_uring")
	p := pipe(t)
	_, addr := memory(t, 64)
	readPipe := func(ud uint64) record {
		return record{op: uint8(core.OpRead), ud: ud, fd: int32(p[0]), addr: addr, length: 64, off: core.OffCurrent}
	}
	e.exchange([]record{readPipe(1)}, batch, tick)
	if res := pybind.EngineCancel(e.id, 12345); res != 0 {
		t.Fatalf("EngineCancel of nothing = %d", res)
	}
	if res := pybind.EngineCancel(e.id, 1); res != 0 {
		t.Fatalf("EngineCancel = %d", res)
	}
	if got := e.await(map[uint64]int64{}, 1); got[1] != -int64(unix.ECANCELED) {
		t.Fatalf("the cancelled read completed with %v", got)
	}

	other := decode[engineAnswer](t, pybind.EngineNew())
	if other.ID == nil {
		t.Fatalf("EngineNew: %+v", other)
	}
	readPipe(2).pack(e.sq)
	if got := pybind.EngineExchange(*other.ID, uintptr(e.sqAddr), 1, uintptr(e.cqAddr), batch, tick); got != 0 {
		t.Fatalf("a read of an empty pipe completed: %d", got)
	}
	if left := pybind.EngineClose(*other.ID, 50); left != 0 {
		t.Fatalf("EngineClose left %d requests in flight", left)
	}
}

// A worker blocked in a read cannot be stopped: EngineClose reports it still in flight,
// which is when the driver keeps the request's buffers for good (its graveyard), and
// the engine is gone from Stats all the same.
func TestCloseReportsWhatIsLeftRunning(t *testing.T) {
	e := openEngine(t, "worker")
	p := pipe(t)
	// Never unmapped: the worker writes into it whenever its read returns.
	buf, err := unix.Mmap(-1, 0, 64, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	read := record{op: uint8(core.OpRead), ud: 1, fd: int32(p[0]), addr: uint64(uintptr(unsafe.Pointer(&buf[0]))),
		length: 64, off: core.OffCurrent}
	if got := e.exchange([]record{read}, batch, tick); len(got) != 0 {
		t.Fatalf("a read of an empty pipe completed: %v", got)
	}
	before := readStats(t).LiveEngines
	// The timeout gives the worker time to start the read even on a loaded machine (a
	// read cancelled before it started would not be left running).
	if left := pybind.EngineClose(e.id, 250); left != 1 {
		t.Fatalf("EngineClose = %d with a worker blocked in a read, want 1", left)
	}
	if got := readStats(t).LiveEngines; got != before-1 {
		t.Fatalf("live_engines %d after the close, want %d", got, before-1)
	}
	if _, err := unix.Write(p[1], []byte("done")); err != nil { // lets the worker go
		t.Fatal(err)
	}
}

// EngineWakeSocket, for loops without add_reader: 0, then -EBUSY for a second socket,
// and a byte on the socket once a completion waits.
func TestWakeSocketAnswers(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			s, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
			if err != nil {
				t.Fatal(err)
			}
			// Closed after the engine (cleanups run last first), as the driver closes
			// its socket after EngineClose: the engine writes to it until then.
			t.Cleanup(func() { _, _ = unix.Close(s[0]), unix.Close(s[1]) })
			e := openEngine(t, backend)
			if res := pybind.EngineWakeSocket(e.id, int64(s[1])); res != 0 {
				t.Fatalf("EngineWakeSocket = %d", res)
			}
			if res := pybind.EngineWakeSocket(e.id, int64(s[1])); res != -int64(unix.EBUSY) {
				t.Fatalf("a second EngineWakeSocket = %d, want -EBUSY", res)
			}
			p := pipe(t)
			_, addr := memory(t, 64)
			read := record{op: uint8(core.OpRead), ud: 1, fd: int32(p[0]), addr: addr, length: 64, off: core.OffCurrent}
			e.exchange([]record{read}, batch, tick)
			if _, err := unix.Write(p[1], []byte("x")); err != nil {
				t.Fatal(err)
			}
			fds := []unix.PollFd{{Fd: int32(s[0]), Events: unix.POLLIN}}
			if n, err := unix.Poll(fds, 10_000); n != 1 || err != nil {
				t.Fatalf("no wake-up byte within 10 s (%v)", err)
			}
			if got := e.await(map[uint64]int64{}, 1); got[1] != 1 {
				t.Fatalf("the read returned %v", got)
			}
		})
	}
}

//go:build unix

package core

import (
	"runtime"
	"time"
)

// workerBackend runs requests on a bounded pool of goroutines doing plain system calls.
// It is the honest fallback where io_uring is missing or blocked, and macOS's backend.
type workerBackend struct {
	cfg     Config
	n       *notifier
	x       *executor
	done    *doneList
	work    chan []Request
	taken   int // requests queued or running, bounded by the queue depth
	workers int
	reason  string
}

func newWorkerBackend(cfg Config, reason string) (*workerBackend, error) {
	n, err := newNotifier()
	if err != nil {
		return nil, err
	}
	workers := int(cfg.IOWorkerCount)
	if workers == 0 {
		// One per CPU: more threads in blocking writes crowd out the event loop's own
		// thread (its timers wake later) and gain little (docs/architecture.md).
		workers = max(2, runtime.NumCPU())
	}
	// The event loop's thread enters Go through cgo callbacks, which need a P. Workers
	// blocked in write(2) keep theirs until sysmon takes it back, and an idle sysmon
	// polls only every 10 ms: without spare Ps the loop waits that long for one.
	if want := workers + runtime.NumCPU(); runtime.GOMAXPROCS(0) < want {
		runtime.GOMAXPROCS(want)
	}
	depth := int(cfg.QueueDepth)
	b := &workerBackend{cfg: cfg, n: n, x: newExecutor(), done: newDoneList(n),
		work: make(chan []Request, depth), workers: workers, reason: reason}
	for range workers {
		go b.loop()
	}
	return b, nil
}

func (b *workerBackend) loop() {
	for chain := range b.work {
		b.x.runChain(chain, b.done.cancelled, b.done.push)
	}
}

func (b *workerBackend) queue(chain []Request) bool {
	if b.taken > 0 && b.taken+len(chain) > int(b.cfg.QueueDepth) {
		return false
	}
	// The chain's records are copied: the caller's slice is reused after Submit.
	c := append([]Request(nil), chain...)
	b.done.start(c)
	b.taken += len(c)
	b.work <- c // never blocks: at most depth chains are taken
	return true
}

func (b *workerBackend) flush() error { return nil }

func (b *workerBackend) reap(out []Completion) int {
	b.n.drain()
	n := b.done.take(out)
	b.taken -= n
	return n
}

func (b *workerBackend) wait(timeout time.Duration) {
	if !b.done.ready() {
		b.n.waitReadable(timeout)
	}
}

func (b *workerBackend) cancel(userData uint64) { b.done.cancel(userData) }
func (b *workerBackend) cancelAll()             { b.done.cancelEverything() }
func (b *workerBackend) notifyFD() int          { return b.n.fd() }
func (b *workerBackend) signal()                { b.n.signal() }

func (b *workerBackend) release() {
	b.done.shut()
	close(b.work)
	b.x.closeSlots()
	b.n.close()
}

func (b *workerBackend) info() BackendInfo {
	return BackendInfo{
		Platform:       runtime.GOOS,
		Backend:        "worker",
		IsTrulyAsync:   false,
		Workers:        b.workers,
		QueueDepth:     int(b.cfg.QueueDepth),
		NativeOps:      []string{},
		DirectFiles:    true, // the executor's table
		WorkerOps:      executorOps(),
		FallbackReason: b.reason,
	}
}

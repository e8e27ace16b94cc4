//go:build unix

package core

import "sync"

// executor runs requests with plain system calls on the calling goroutine. It is the
// worker backend's engine room, and the io_uring backend's for operations the kernel's
// ring lacks. It owns the emulated direct-descriptor table.
type executor struct {
	mu    sync.Mutex
	slots [directSlots]int32 // real descriptor per slot, -1 when empty
}

func newExecutor() *executor {
	x := &executor{}
	for i := range x.slots {
		x.slots[i] = -1
	}
	return x
}

// runChain runs a link chain on the calling goroutine (see runLinked); a request
// cancelled before it started completes with -ECANCELED.
func (x *executor) runChain(chain []Request, cancelled func(uint64) bool, done func(Completion)) {
	runLinked(chain, func(r *Request) int64 {
		if cancelled(r.UserData) {
			return -errECANCELED
		}
		return x.run(r)
	}, func(i int, res int64) { done(Completion{chain[i].UserData, res}) })
}

func (x *executor) run(r *Request) int64 {
	fd := r.FD
	if r.Flags&FlagFixedFile != 0 {
		x.mu.Lock()
		fd = x.slots[r.FD]
		if r.Op == OpClose {
			x.slots[r.FD] = -1
		}
		x.mu.Unlock()
		if fd < 0 {
			return -errEBADF
		}
	}
	res := sysRun(r, fd)
	if r.Op == OpOpenat && r.Slot > 0 && res >= 0 {
		x.mu.Lock()
		old := x.slots[r.Slot-1]
		x.slots[r.Slot-1] = int32(res)
		x.mu.Unlock()
		if old >= 0 {
			sysClose(old) // installing into a used slot replaces it, as the kernel does
		}
		res = 0
	}
	return res
}

// closeSlots closes every descriptor left in the table.
func (x *executor) closeSlots() {
	x.mu.Lock()
	defer x.mu.Unlock()
	for i, fd := range x.slots {
		if fd >= 0 {
			sysClose(fd)
			x.slots[i] = -1
		}
	}
}

// executorOps names the ops the executor performs on this platform.
func executorOps() []string {
	ops := make([]string, 0, opCount)
	for o := Op(0); o < opCount; o++ {
		if executorRuns(o) {
			ops = append(ops, o.String())
		}
	}
	return ops
}

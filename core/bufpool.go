package core

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

type loan struct {
	ptr  unsafe.Pointer
	size int
}

// BufferPool lends page-aligned buffers that live outside the Go heap (mmap'd), so the
// kernel and Python may hold their addresses for as long as they like without pinning.
// At most max free buffers are kept; buffers of another size (after buffer_size changed)
// are released when they come back.
type BufferPool struct {
	mu       sync.Mutex
	free     []unsafe.Pointer
	size     int
	max      int
	borrowed map[uintptr]loan // by address, the buffers out on loan
	hits     atomic.Int64
	misses   atomic.Int64
}

// Buffers is the process-wide pool, sized from the config.
var Buffers = newBufferPool(int(DefaultConfig().BufferPoolMax), int(DefaultConfig().BufferSize))

func newBufferPool(max, size int) *BufferPool {
	return &BufferPool{max: max, size: size, borrowed: map[uintptr]loan{}}
}

// Get lends one buffer of the current buffer size, or returns 0 and the size when memory
// could not be mapped.
func (p *BufferPool) Get() (uintptr, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	size := p.size
	var ptr unsafe.Pointer
	if n := len(p.free); n > 0 {
		ptr = p.free[n-1]
		p.free = p.free[:n-1]
		p.hits.Add(1)
	} else {
		p.misses.Add(1)
		var err error
		if ptr, err = mapAnon(size); err != nil {
			return 0, size
		}
	}
	p.borrowed[uintptr(ptr)] = loan{ptr, size}
	return uintptr(ptr), size
}

// Put returns a buffer lent by Get. It reports false for an address the pool did not lend
// (which is then left alone).
func (p *BufferPool) Put(addr uintptr) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	l, ok := p.borrowed[addr]
	if !ok {
		return false
	}
	delete(p.borrowed, addr)
	if l.size == p.size && len(p.free) < p.max {
		p.free = append(p.free, l.ptr)
		return true
	}
	unmapAnon(l.ptr, l.size)
	return true
}

// BufferStats are the pool's counters.
type BufferStats struct {
	Free     int   `json:"free"`
	Borrowed int   `json:"borrowed"`
	Hits     int64 `json:"hits"`
	Misses   int64 `json:"misses"`
	Size     int   `json:"size"`
	Max      int   `json:"max"`
}

// Stats returns a snapshot of the counters.
func (p *BufferPool) Stats() BufferStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return BufferStats{Free: len(p.free), Borrowed: len(p.borrowed), Hits: p.hits.Load(),
		Misses: p.misses.Load(), Size: p.size, Max: p.max}
}

func (p *BufferPool) setLimits(max, size int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if int(size) != p.size {
		for _, a := range p.free {
			unmapAnon(a, p.size)
		}
		p.free = p.free[:0]
		p.size = int(size)
	}
	p.max = int(max)
	for len(p.free) > p.max {
		n := len(p.free) - 1
		unmapAnon(p.free[n], p.size)
		p.free = p.free[:n]
	}
}

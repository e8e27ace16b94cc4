//go:build unix

package core

import "sync"

// doneList carries completions from worker goroutines to the reaping thread. It signals
// the notifier when it goes from empty to non-empty, and tracks which requests are still
// running so that a cancel can reach those that have not started.
type doneList struct {
	mu        sync.Mutex
	items     []Completion
	active    map[uint64]bool // running or waiting requests -> cancel requested
	cancelAll bool
	closed    bool
	n         *notifier
}

func newDoneList(n *notifier) *doneList { return &doneList{active: map[uint64]bool{}, n: n} }

func (d *doneList) start(chain []Request) {
	d.mu.Lock()
	for _, r := range chain {
		d.active[r.UserData] = false
	}
	d.mu.Unlock()
}

func (d *doneList) push(c Completion) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.active, c.UserData)
	if d.closed {
		return // nobody reaps any more, and the notifier may be gone
	}
	d.items = append(d.items, c)
	if len(d.items) == 1 {
		d.n.signal()
	}
}

func (d *doneList) take(out []Completion) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := copy(out, d.items)
	d.items = append(d.items[:0], d.items[n:]...)
	return n
}

func (d *doneList) ready() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.items) > 0
}

func (d *doneList) cancel(userData uint64) {
	d.mu.Lock()
	if _, ok := d.active[userData]; ok {
		d.active[userData] = true
	}
	d.mu.Unlock()
}

func (d *doneList) cancelEverything() {
	d.mu.Lock()
	d.cancelAll = true
	d.mu.Unlock()
}

func (d *doneList) cancelled(userData uint64) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cancelAll || d.active[userData]
}

// shut stops deliveries; completions still to come are dropped.
func (d *doneList) shut() {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
}

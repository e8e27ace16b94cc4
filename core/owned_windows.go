package core

import (
	"sync"

	"golang.org/x/sys/windows"
)

// ownedHandle is a handle an engine opened: on that engine's completion port, and
// returned to its pool under key when closed.
type ownedHandle struct {
	b   *iocpBackend
	key poolKey
}

// owned is process-wide, so a handle closed outside its engine (CloseNow, for a file
// collected unclosed after its loop is gone) leaves no entry behind that a later,
// unrelated handle with the same value could match.
var owned = struct {
	sync.Mutex
	m map[windows.Handle]ownedHandle
}{m: map[windows.Handle]ownedHandle{}}

func own(h windows.Handle, b *iocpBackend, key poolKey) {
	owned.Lock()
	owned.m[h] = ownedHandle{b, key}
	owned.Unlock()
}

func ownerOf(h windows.Handle) (ownedHandle, bool) {
	owned.Lock()
	defer owned.Unlock()
	o, ok := owned.m[h]
	return o, ok
}

func disown(h windows.Handle) (ownedHandle, bool) {
	owned.Lock()
	defer owned.Unlock()
	o, ok := owned.m[h]
	delete(owned.m, h)
	return o, ok
}

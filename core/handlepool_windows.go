package core

import (
	"strings"
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"
)

// poolKey is what a reused handle must match: the path as opened, and the access.
// Overlapped handles carry no file position, and append access is part of the key,
// so a reused handle has no state of its previous open to leak.
type poolKey struct {
	path   string
	access uint32
}

// handlePool keeps closed handles for reopening the same file without CreateFile.
type handlePool struct {
	mu    sync.Mutex
	idle  map[poolKey][]windows.Handle
	total int
}

func newHandlePool() *handlePool { return &handlePool{idle: map[poolKey][]windows.Handle{}} }

// put keeps h unless the pool is at its limits (read live from the config), and says
// whether it did.
func (p *handlePool) put(key poolKey, h windows.Handle, perKey, total int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.total >= total || len(p.idle[key]) >= perKey {
		return false
	}
	p.idle[key] = append(p.idle[key], h)
	p.total++
	return true
}

// take returns a pooled handle for key that still names the file at path, or
// InvalidHandle. A handle whose file was deleted or renamed away is closed instead.
func (p *handlePool) take(key poolKey, path string) windows.Handle {
	p.mu.Lock()
	hs := p.idle[key]
	if len(hs) == 0 {
		p.mu.Unlock()
		return windows.InvalidHandle
	}
	h := hs[len(hs)-1]
	p.idle[key] = hs[:len(hs)-1]
	p.total--
	p.mu.Unlock()
	if stillNames(h, path) {
		return h
	}
	windows.CloseHandle(h)
	return windows.InvalidHandle
}

// fileStandardInfo is FILE_STANDARD_INFO.
type fileStandardInfo struct {
	allocationSize, endOfFile int64
	numberOfLinks             uint32
	deletePending, directory  uint8
}

func stillNames(h windows.Handle, path string) bool {
	var info fileStandardInfo
	if windows.GetFileInformationByHandleEx(h, windows.FileStandardInfo, (*byte)(unsafe.Pointer(&info)),
		uint32(unsafe.Sizeof(info))) != nil || info.deletePending != 0 || info.numberOfLinks == 0 {
		return false
	}
	full, err := fullPath(path)
	if err != nil {
		return false
	}
	buf := make([]uint16, windows.MAX_LONG_PATH)
	n, err := windows.GetFinalPathNameByHandle(h, &buf[0], uint32(len(buf)), 0)
	if err != nil || int(n) > len(buf) {
		return false
	}
	final := strings.TrimPrefix(windows.UTF16ToString(buf[:n]), `\\?\`)
	return strings.EqualFold(final, full)
}

func fullPath(path string) (string, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return "", err
	}
	buf := make([]uint16, windows.MAX_LONG_PATH)
	n, err := windows.GetFullPathName(p, uint32(len(buf)), &buf[0], nil)
	if err != nil {
		return "", err
	}
	return windows.UTF16ToString(buf[:n]), nil
}

func (p *handlePool) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, hs := range p.idle {
		for _, h := range hs {
			windows.CloseHandle(h)
		}
		delete(p.idle, k)
	}
	p.total = 0
}

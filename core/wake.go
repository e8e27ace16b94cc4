package core

import "errors"

// wakeSocket is the notify path for event loops that cannot watch NotifyFD (asyncio's
// Proactor loop has no add_reader, and IOCP has no descriptor to watch): a goroutine
// waits for completions and writes one byte to a socket the loop reads from. After a
// byte it waits until a reap has drained the engine (arm), so a level-triggered wait
// does not turn into a stream of bytes.
type wakeSocket struct {
	sock  uintptr
	armed chan struct{} // a token: the caller reaped until empty since the last byte
	stop  chan struct{}
	done  chan struct{}
}

// ErrWakeSocketSet is returned when an engine already writes to a wake socket.
var ErrWakeSocketSet = errors.New("ayafileio: the engine already has a wake socket")

// WakeSocket makes the engine write a byte to sock (a connected socket, left open by the
// caller until Close returns) whenever completions are waiting. As with NotifyFD, bytes
// are hints: reap until a reap returns less than it had room for.
func (e *Engine) WakeSocket(sock uintptr) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	if e.wake != nil {
		return ErrWakeSocketSet
	}
	w := &wakeSocket{sock: sock, armed: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	w.armed <- struct{}{}
	e.wake = w
	go e.runWakeSocket(w)
	return nil
}

func (e *Engine) runWakeSocket(w *wakeSocket) {
	defer close(w.done)
	for {
		select {
		case <-w.armed:
		case <-w.stop:
			return
		}
		e.Wait(-1)
		select {
		case <-w.stop:
			return
		default:
		}
		if sendWake(w.sock) != nil {
			return // the caller closed its socket: nobody is listening any more
		}
	}
}

// arm lets the wake goroutine wait again; called after a reap that drained the engine.
func (w *wakeSocket) arm() {
	select {
	case w.armed <- struct{}{}:
	default:
	}
}

// stopWakeSocket ends the wake goroutine and waits for it, so that the caller may close
// its socket and the backend may be released. Called without e.mu (the goroutine takes it).
func (e *Engine) stopWakeSocket() {
	e.mu.Lock()
	w := e.wake
	e.wake = nil
	e.mu.Unlock()
	if w == nil {
		return
	}
	close(w.stop)
	e.b.signal() // wakes a wait in progress
	<-w.done
}

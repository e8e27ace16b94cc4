//go:build unix

package core

import "golang.org/x/sys/unix"

func sendWake(sock uintptr) error {
	_, err := unix.Write(int(sock), []byte{1})
	if err == unix.EAGAIN {
		return nil // the socket is full of wake-ups already
	}
	return err
}

package core

import "golang.org/x/sys/windows"

func sendWake(sock uintptr) error {
	one := byte(1)
	buf := windows.WSABuf{Len: 1, Buf: &one}
	var sent uint32
	err := windows.WSASend(windows.Handle(sock), &buf, 1, &sent, 0, nil, nil)
	if err == windows.WSAEWOULDBLOCK {
		return nil // the socket is full of wake-ups already
	}
	return err
}

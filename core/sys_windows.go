package core

// errno values as the Windows C runtime (and so Python's errno module) numbers them.
const (
	errEINVAL    = 22
	errECANCELED = 105
	errENOSYS    = 40
)

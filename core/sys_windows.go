package core

import "golang.org/x/sys/windows"

// errno values as the Windows C runtime (and so Python's errno module) numbers them.
const (
	errENOENT    = 2
	errEBADF     = 9
	errEAGAIN    = 11
	errEACCES    = 13
	errEEXIST    = 17
	errEINVAL    = 22
	errEMFILE    = 24
	errENOSPC    = 28
	errEPIPE     = 32
	errENOSYS    = 40
	errENOTEMPTY = 41
	errECANCELED = 105
)

// winErrors maps Win32 errors to errno, as CPython's winerror_to_errno does.
var winErrors = map[windows.Errno]int64{
	windows.ERROR_FILE_NOT_FOUND:      errENOENT,
	windows.ERROR_PATH_NOT_FOUND:      errENOENT,
	windows.ERROR_INVALID_NAME:        errENOENT,
	windows.ERROR_TOO_MANY_OPEN_FILES: errEMFILE,
	windows.ERROR_ACCESS_DENIED:       errEACCES,
	windows.ERROR_SHARING_VIOLATION:   errEACCES,
	windows.ERROR_LOCK_VIOLATION:      errEACCES,
	windows.ERROR_WRITE_PROTECT:       errEACCES,
	windows.ERROR_INVALID_HANDLE:      errEBADF,
	windows.ERROR_FILE_EXISTS:         errEEXIST,
	windows.ERROR_ALREADY_EXISTS:      errEEXIST,
	windows.ERROR_DISK_FULL:           errENOSPC,
	windows.ERROR_HANDLE_DISK_FULL:    errENOSPC,
	windows.ERROR_BROKEN_PIPE:         errEPIPE,
	windows.ERROR_DIR_NOT_EMPTY:       errENOTEMPTY,
	windows.ERROR_OPERATION_ABORTED:   errECANCELED,
	windows.ERROR_NOT_SUPPORTED:       errENOSYS,
	windows.ERROR_INVALID_PARAMETER:   errEINVAL,
}

// winErrno turns an error from a Win32 call into a positive errno.
func winErrno(err error) int64 {
	if e, ok := err.(windows.Errno); ok {
		if n, ok := winErrors[e]; ok {
			return n
		}
	}
	return errEINVAL
}

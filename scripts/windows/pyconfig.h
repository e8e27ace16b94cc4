/* pyconfig.h for building ayafileio's extension with MinGW-w64 against the official
 * 64-bit Windows CPython (python.org's build, MSVC, GIL enabled, python3X.dll).
 *
 * scripts/windows/build-extension puts it next to Python.h in a copy of a CPython
 * Include/ directory taken from Debian, in place of Debian's Linux pyconfig.h. It states
 * only the facts of that platform which the public headers read; every value here is
 * what CPython's own PC/pyconfig.h gives the official build (LLP64: long is 32 bits,
 * wchar_t is UTF-16, Py_ssize_t is 64 bits).
 */
#ifndef Py_CONFIG_H
#define Py_CONFIG_H

#if !defined(_WIN64) || !defined(__x86_64__)
#error "this pyconfig.h describes 64-bit Windows (x86_64-w64-mingw32)"
#endif

/* The system. */
#define MS_WIN32
#define MS_WIN64
#define MS_WINDOWS
#define NT_THREADS
#define WITH_THREAD

/* Python's C API lives in python3X.dll: declarations are __declspec(dllimport). */
#define Py_ENABLE_SHARED 1
#define HAVE_DECLSPEC_DLL

/* Type sizes of Windows x64 (LLP64). */
#define SIZEOF_SHORT 2
#define SIZEOF_INT 4
#define SIZEOF_LONG 4
#define SIZEOF_LONG_LONG 8
#define SIZEOF_VOID_P 8
#define SIZEOF_SIZE_T 8
#define SIZEOF_UINTPTR_T 8
#define SIZEOF_TIME_T 8
#define SIZEOF_OFF_T 4
#define SIZEOF_FPOS_T 8
#define SIZEOF_FLOAT 4
#define SIZEOF_DOUBLE 8
#define SIZEOF_LONG_DOUBLE 8 /* MSVC's long double is a double */
#define SIZEOF__BOOL 1
#define SIZEOF_WCHAR_T 2
#define SIZEOF_PID_T SIZEOF_INT /* the official build's pid_t is an int */
#define SIZEOF_HKEY 8
#define ALIGNOF_SIZE_T 8
#define ALIGNOF_MAX_ALIGN_T 8
#define HAVE_LONG_LONG 1
#define PY_LONG_LONG long long
#define HAVE_WCHAR_H 1
#define HAVE_USABLE_WCHAR_T 1 /* wchar_t is UTF-16, as Py_UNICODE's width 2 needs */
#define DOUBLE_IS_LITTLE_ENDIAN_IEEE754 1

/* Py_ssize_t: 64 bits, defined here as the official build does. */
typedef long long Py_ssize_t;
#define HAVE_PY_SSIZE_T 1
#define PY_SSIZE_T_MAX 0x7fffffffffffffffLL

/* Features of the official build that change structure layouts or inline code. */
#define WITH_PYMALLOC 1
#define WITH_FREELISTS 1
#define WITH_DOC_STRINGS 1
#define HAVE_DYNAMIC_LOADING 1
#define PY_SUPPORT_TIER 1

#endif /* Py_CONFIG_H */

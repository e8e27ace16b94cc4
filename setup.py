"""Builds ayafileio's extension: gopy generates CPython bindings for ./pybind, and the Go
toolchain compiles them for the interpreter running this build."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


def _cgo_ldflags_allow(dynamic: bool) -> str:
    """A CGO_LDFLAGS_ALLOW pattern that admits exactly the link flags gopy copies from
    sysconfig into `#cgo LDFLAGS` (LDSHARED without its compiler when linking dynamically,
    SHLIBS and SYSLIBS otherwise). Go refuses flags outside its own list, and
    distributions build Python with such flags (Debian's LDSHARED holds -fwrapv)."""
    if dynamic:
        flags = (sysconfig.get_config_var("LDSHARED") or "").split()[1:]
    else:
        flags = " ".join(sysconfig.get_config_var(name) or "" for name in ("SHLIBS", "SYSLIBS")).split()
    allowed = [re.escape(flag) for flag in dict.fromkeys(flags)]
    if os.environ.get("CGO_LDFLAGS_ALLOW"):
        allowed.append(f"(?:{os.environ['CGO_LDFLAGS_ALLOW']})")  # the user's own, kept
    return "|".join(allowed)


class GoExtension(Extension):
    def __init__(self, name: str) -> None:
        super().__init__(name, sources=[])


class BuildGo(build_ext):
    def build_extension(self, ext: Extension) -> None:
        if shutil.which("go") is None:
            raise RuntimeError("building ayafileio needs the Go toolchain (go 1.24 or newer) on PATH")
        tag = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
        out = ROOT / "build" / ("gopy" + tag.replace(".", "-"))
        bin_dir = ROOT / "build" / "bin"
        shutil.rmtree(out, ignore_errors=True)
        # Python's symbols are resolved when the interpreter loads the extension, so it
        # does not link libpython (manylinux forbids that). Windows DLLs cannot leave
        # symbols unresolved and link the import library as usual.
        dynamic = sys.platform != "win32"
        env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", CGO_ENABLED="1",
                   CGO_LDFLAGS_ALLOW=_cgo_ldflags_allow(dynamic))
        # gopy generates, goimports tidies what it generated: the version go.mod pins.
        subprocess.check_call(["go", "build", "-o", str(bin_dir) + os.sep, "golang.org/x/tools/cmd/goimports"],
                              cwd=ROOT, env=env)
        subprocess.check_call(["go", "tool", "gopy", "gen", f"-vm={sys.executable}", f"-output={out}",
                               "-name=ayacore", "-no-make", f"-dynamic-link={str(dynamic).lower()}", "./pybind"],
                              cwd=ROOT, env=env)
        _compile(out, tag, env)
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out / f"_ayacore{tag}", target)


# The calls the loop's thread makes that never wait (exchanges, and the calls made at
# once: each returns within microseconds by design, see docs/engine.md) keep the GIL.
# gopy releases and retakes it around every call: two more crossings between Go and C
# and a GIL handover, about 0.2 µs a call (docs/engine.md, stop 30). The others (an
# engine's creation and close, which waits for requests in flight, the config and stats
# calls, Windows' WriteNow and CloseNow, which wait) still release it.
_HOLDS_GIL = ("EngineExchange", "EngineCancel", "OpenNow", "OpenedKind", "StatNow", "RenameNow", "GetdentsNow",
              "PathFSKind", "DevFSKind")


def _keep_gil(go: Path) -> None:
    """Takes gopy's release of the GIL out of the generated wrappers of _HOLDS_GIL (the
    build fails if one of them is missing or generated differently)."""
    text = go.read_text()
    for name in _HOLDS_GIL:
        start = text.index(f"\nfunc pybind_{name}(")
        end = text.index("\n}\n", start)
        body = text[start:end]
        kept = body.replace("\t_saved_thread := C.PyEval_SaveThread()\n", "", 1).replace(
            "\tdefer C.PyEval_RestoreThread(_saved_thread)\n", "", 1)
        if "_saved_thread" in kept or kept == body:
            raise RuntimeError(f"gopy's wrapper of {name} does not release the GIL as expected")
        text = text[:start] + kept + text[end:]
    go.write_text(text)


def _compile(out: Path, tag: str, env: dict[str, str]) -> None:
    """What `gopy build` does after generating, with one link flag it cannot take: on Unix
    the Go runtime's signal-based preemption is off. Go's sysmon sends SIGURG to a thread
    whose goroutine it sees running for 10 ms, and the thread of a loop calling into Go
    thousands of times a second is such a thread; the signal lands in whatever system call
    that thread makes next, so a blocking pipe write returns short (with `python -u` or
    PYTHONUNBUFFERED, print() drops the rest: CPython's text layer ignores a short write)
    and sleeps and waits end with EINTR. The core's goroutines only make system calls, so
    cooperative preemption serves them. GODEBUG is read from the process's first
    environment, too early for this module to set it; go.mod's godebug takes only the
    settings Go lists for compatibility."""
    run = functools.partial(subprocess.check_call, cwd=out, env=env)
    shlib = ".dll" if sys.platform == "win32" else ".so"
    run(["goimports", "-w", "ayacore.go"])
    _keep_gil(out / "ayacore.go")
    build = ["go", "build", "-mod=mod", "-buildmode=c-shared"]
    run([*build, "-o", f"ayacore_go{shlib}", "."])  # writes ayacore_go.h, which build.py's C includes
    os.remove(out / f"ayacore_go{shlib}")
    run([sys.executable, "build.py"])
    ldflags: list[str] = []
    if sys.platform == "win32":  # Windows preempts by suspending a thread, not by a signal
        c = out / "ayacore.c"
        c.write_text(c.read_text().replace(" PyInit_", " __declspec(dllexport) PyInit_"))
    else:
        # Only PyInit exported: two Go runtimes in one process must not share symbols.
        exports = out / "exports"
        if sys.platform == "darwin":
            exports.write_text("_PyInit__ayacore\n")
            ldflags.append(f"-extldflags=-Wl,-exported_symbols_list,{exports}")
        else:
            exports.write_text("{ global: PyInit__ayacore; local: *; };\n")
            ldflags.append(f"-extldflags=-Wl,--version-script={exports}")
        ldflags.append("-X=runtime.godebugDefault=asyncpreemptoff=1")
    run([*build, f"-ldflags={' '.join(ldflags)}", "-o", f"_ayacore{tag}", "."],
        env=dict(env, CGO_CFLAGS="-fPIC -O3"))


setup(ext_modules=[GoExtension("ayafileio._ayacore")], cmdclass={"build_ext": BuildGo})

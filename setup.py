"""Builds ayafileio's extension: gopy generates CPython bindings for ./pybind and compiles
them, with the Go toolchain, for the interpreter running this build."""

from __future__ import annotations

import glob
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
        # gopy runs goimports from PATH: build the version go.mod pins.
        subprocess.check_call(["go", "build", "-o", str(bin_dir) + os.sep, "golang.org/x/tools/cmd/goimports"],
                              cwd=ROOT, env=env)
        subprocess.check_call(["go", "tool", "gopy", "build", f"-vm={sys.executable}", f"-output={out}",
                               "-name=ayacore", "-no-make", f"-dynamic-link={str(dynamic).lower()}", "./pybind"],
                              cwd=ROOT, env=env)
        built = glob.glob(str(out / f"_ayacore*{tag}"))
        if len(built) != 1:
            raise RuntimeError(f"gopy produced {built!r}, expected one _ayacore{tag}")
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[0], target)


setup(ext_modules=[GoExtension("ayafileio._ayacore")], cmdclass={"build_ext": BuildGo})

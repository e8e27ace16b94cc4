"""The record format Python writes (ayafileio.engine.records) is the one core/record.go
decodes: op codes in order, flags and constants, the field layout of both records."""

from __future__ import annotations

import pathlib
import re

from ayafileio.engine import records as _records

RECORD_GO = pathlib.Path(__file__).resolve().parent.parent / "core" / "record.go"
GO_TYPES = {"Op": "B", "uint8": "B", "uint16": "H", "int32": "i", "uint32": "I", "uint64": "Q", "int64": "q"}


def _go() -> str:
    return RECORD_GO.read_text()


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()


def test_op_codes_in_go_order() -> None:
    block = re.search(r"const \(\n\tOpNop\s+Op = iota(.*?)\n\topCount", _go(), re.S)
    assert block is not None
    names = ["OpNop"] + re.findall(r"^\t(Op\w+)", block.group(1), re.M)
    assert len(names) == 21
    for code, name in enumerate(names):
        assert getattr(_records, "OP_" + _snake(name[2:])) == code, name


def test_op_names_as_go_reports_them() -> None:
    block = re.search(r"var opNames = \[opCount\]string\{(.*?)\}", _go(), re.S)
    assert block is not None
    assert tuple(re.findall(r'"(\w+)"', block.group(1))) == _records.OP_NAMES


def test_constants() -> None:
    go = _go()

    def value(name: str) -> str:
        m = re.search(rf"^\t{name}\s+(?:\w+\s+)?=\s*([^/\n]+?)\s*(?://|$)", go, re.M)
        assert m is not None, name
        return m.group(1)

    assert value("FlagLink") == "1 << 0" and _records.FLAG_LINK == 1
    assert value("FlagFixedFile") == "1 << 1" and _records.FLAG_FIXED_FILE == 2
    assert value("FlagHardLink") == "1 << 2" and _records.FLAG_HARD_LINK == 4
    assert value("FlagAsync") == "1 << 3" and _records.FLAG_ASYNC == 8
    assert int(value("FsyncDatasync")) == _records.FSYNC_DATASYNC
    assert value("OffCurrent") == "^uint64(0)" and _records.OFF_CURRENT == 2**64 - 1
    assert int(value("ATFDCWD")) == _records.AT_FDCWD
    assert int(value("RequestSize")) == _records.REQUEST_SIZE == _records.REQUEST.size
    assert int(value("CompletionSize")) == _records.COMPLETION_SIZE
    assert int(value("maxIOLen"), 16) == _records.MAX_IO_LEN
    assert value("maxSlot") == "directSlots"
    engine_go = (RECORD_GO.parent / "engine.go").read_text()
    slots = re.search(r"^const directSlots = (\d+)$", engine_go, re.M)
    assert slots is not None and int(slots.group(1)) == _records.DIRECT_SLOTS
    dirents_go = (RECORD_GO.parent / "dirents_linux.go").read_text()
    for go_name, py_value in (("DirentsEnd", _records.DIRENTS_END), ("DirentsClose", _records.DIRENTS_CLOSE)):
        m = re.search(rf"^const {go_name} = (\d+)$", dirents_go, re.M)
        assert m is not None and int(m.group(1)) == py_value, go_name


def test_request_layout_matches_the_go_struct() -> None:
    body = re.search(r"type Request struct \{(.*?)\n\}", _go(), re.S)
    assert body is not None
    fields = re.findall(r"^\t(\w+)\s+(\w+)", body.group(1), re.M)
    expected = "<" + "".join(GO_TYPES[t] for _, t in fields)
    # Go's two blank fields (_) are padding: H after Flags, and the 4 trailing bytes.
    assert expected == "<BBHiQQIIQQIiII"
    assert _records.REQUEST.format == "<BBHiQQIIQQIiI4x"
    assert [n for n, _ in fields] == ["Op", "Flags", "_", "FD", "UserData", "Addr", "Len", "OpFlags", "Off", "Addr2",
                                      "Mode", "DirFD", "Slot", "_"]


def test_platform_modules_offer_the_same_names() -> None:
    """engine.platform re-exports one of two per-OS modules: they must agree on what they offer
    (only one of them can be imported on a given machine, so this reads their source)."""
    import ast

    package = pathlib.Path(__file__).resolve().parent.parent / "python" / "ayafileio" / "engine" / "platform"

    def exported(name: str) -> tuple[list[str], set[str]]:
        tree = ast.parse((package / name).read_text())
        names: list[str] = []
        defined: set[str] = set()
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
                names = list(ast.literal_eval(node.value))
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                defined.add(node.name)
            elif isinstance(node, ast.Assign):
                defined.update(t.id for t in node.targets if isinstance(t, ast.Name))
        return names, defined

    posix, posix_defined = exported("posix.py")
    windows, windows_defined = exported("windows.py")
    assert posix and posix == windows
    assert set(posix) <= posix_defined and set(windows) <= windows_defined

"""The package's layers import one way (docs/architecture.md): engine <- io <- os <- the
top-level modules; _versions and testing import nothing of the package, so every layer
may read them. Read from the source, lazy imports inside functions included."""

from __future__ import annotations

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "python" / "ayafileio"
LEAVES = {"_versions", "testing"}
RANK = {"engine": 0, "io": 1, "os": 2}  # anything else is the top level


def _layer(module: str) -> int:
    return -1 if module in LEAVES else RANK.get(module.split(".")[0], 3)


def _imports(path: pathlib.Path) -> tuple[str, list[str]]:
    """The module's dotted name under ayafileio, and every module of the package it imports."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    package = parts[:-1]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)]
            if node.module:
                found.append(".".join(base + [node.module]))
            else:
                found += [".".join(base + [alias.name]) for alias in node.names]
    return ".".join(parts), found


def test_layers_import_one_way() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module, imported = _imports(path)
        for target in imported:
            if _layer(module) == -1 or _layer(target) > _layer(module):
                wrong.append(f"{module} imports {target}")
    assert not wrong
    assert {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()} == {"engine", "io", "os", "threadpool"}


def test_only_the_engine_packs_records() -> None:
    """The layers above the engine call its typed operations (engine.read(...),
    engine.openat(...), ...), never engine.submit(), address_of() or Request()
    (docs/engine.md)."""
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module, _ = _imports(path)
        if _layer(module) == 0:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            engine_submit = name == "submit" and isinstance(func, ast.Attribute) and ast.unparse(func.value).lower(
            ).endswith("engine")
            if engine_submit or name in ("address_of", "Request"):
                wrong.append(f"{module}:{node.lineno} calls {ast.unparse(func)}")
    assert not wrong

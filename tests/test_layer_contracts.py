"""The layers' import contracts, read from the source (so an import inside a function counts too):
ovgui/core imports no Qt and nothing above it; ovgui/gui imports neither the CLI nor the headless runner.

A cheap stand-in for napari's import-linter contracts; `tests/core/test_qt_free.py` checks the
same for core at run time, in a fresh process."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ovgui"
QT = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "pyqtgraph")
FORBIDDEN = {
    "core": QT + ("ovgui.gui", "ovgui.cli", "ovgui.headless", "ovgui.console"),
    "gui": ("ovgui.cli", "ovgui.headless"),
}


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def breaches(layer: str) -> list[str]:
    found = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for name in sorted(imported_modules(path)):
            if any(name == banned or name.startswith(banned + ".") for banned in FORBIDDEN[layer]):
                found.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_keeps_its_import_contract(layer):
    assert breaches(layer) == []


def test_the_check_sees_a_breach(tmp_path, monkeypatch):
    """A contract test that cannot fail proves nothing: plant a breach and see it reported."""
    (tmp_path / "gui").mkdir()
    (tmp_path / "gui" / "view.py").write_text("def later():\n    from ovgui.headless import annotated_image\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path)
    assert breaches("gui") == [f"{tmp_path.name}/gui/view.py imports ovgui.headless",
                               f"{tmp_path.name}/gui/view.py imports ovgui.headless.annotated_image"]

"""The layers' import contracts, declared in pyproject.toml's ``[tool.importlinter]`` and checked by
import-linter: the core imports no Qt and nothing above it, the window neither the command line nor
the headless runner, and the run options are a leaf.  import-linter follows every chain of imports
and sees relative imports and imports inside functions, which an AST scan of each file did not.

`tests/core/test_qt_free.py` checks the core at run time too, in a fresh process, and
`tests/core/test_exit_codes.py` that ``--help`` and argument errors load nothing heavy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
LINT = ("import sys; from importlinter.cli import lint_imports; "
        "sys.exit(lint_imports(limit_to_contracts=tuple(sys.argv[1:]), no_cache=True, no_logo=True))")


def lint_imports(project: Path, *contracts: str) -> subprocess.CompletedProcess:
    """`lint-imports` on `project`'s own ovgui and pyproject.toml (only `contracts`, when named)."""
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run([sys.executable, "-c", LINT, *contracts], capture_output=True, text=True, timeout=300,
                          env=env, cwd=project)


def test_the_layers_keep_their_import_contracts():
    result = lint_imports(PROJECT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout


PLANTED = [
    ("core-without-qt", {"core/planted.py": "def later():\n    from ..gui import main_window\n"}),
    ("core-without-qt", {"core/planted.py": "from ovgui import planted_bridge\n", "planted_bridge.py": "import pyqtgraph\n"}),
    ("gui-without-front-ends", {"gui/planted.py": "def later():\n    from .. import headless\n"}),
    ("options-leaf", {"core/options.py": "from ovgui.core import files\n"}),
    ("options-imports-light", {"core/errors.py": "import numpy\n"}),
]


@pytest.mark.parametrize("contract, planted", PLANTED,
                         ids=["relative import in a function", "a chain", "gui relative", "options import", "a leaf's import"])
def test_each_contract_sees_a_planted_breach(tmp_path, contract, planted):
    """A contract that cannot fail proves nothing: plant a breach in a copy of ovgui and see it broken."""
    shutil.copy(PROJECT / "pyproject.toml", tmp_path)
    shutil.copytree(PROJECT / "ovgui", tmp_path / "ovgui", ignore=shutil.ignore_patterns("__pycache__"))
    assert lint_imports(tmp_path, contract).returncode == 0, "the copy must keep the contract before the breach"
    for name, code in planted.items():
        path = tmp_path / "ovgui" / name
        path.write_text((path.read_text(encoding="utf-8") if path.exists() else "") + code, encoding="utf-8")
    result = lint_imports(tmp_path, contract)
    assert result.returncode == 1 and "BROKEN" in result.stdout, result.stdout + result.stderr

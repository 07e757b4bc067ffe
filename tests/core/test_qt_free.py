"""ovgui/core must import in a plain Python process without pulling in Qt or pyqtgraph."""

import subprocess
import sys

CHECK = """
import sys, pkgutil, importlib
import ovgui.core
for module in pkgutil.walk_packages(ovgui.core.__path__, "ovgui.core."):
    importlib.import_module(module.name)
import ovgui.cli, ovgui.console, ovgui.headless
qt = sorted(name for name in sys.modules if name.split(".")[0] in ("PySide6", "PyQt5", "PyQt6", "shiboken6", "pyqtgraph"))
print(",".join(qt))
"""


def test_core_imports_no_qt():
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""

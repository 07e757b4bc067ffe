"""Guards the pin in pyproject.toml: PySide6 6.12.0 on Python < 3.12 loses a reference to None
on every Qt call that returns None, and the window aborts ("deallocating None") within seconds."""

import sys

from PySide6.QtCore import QObject


def test_qt_calls_keep_none_references():
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(1000):
        probe.setObjectName("probe")
    assert sys.getrefcount(None) >= before - 10

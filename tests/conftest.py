"""Test-wide settings: Qt renders offscreen; tests/ is importable (shared_data)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

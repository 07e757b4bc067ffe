"""Test-wide settings: Qt renders offscreen; tests/ is importable (shared_data); logs stay out of the real home."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True, scope="session")
def isolated_logs(tmp_path_factory):
    """Where ovgui-profile, run in process or as a child, keeps its log during the tests."""
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
    yield
    patch.undo()

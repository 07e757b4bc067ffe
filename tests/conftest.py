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


@pytest.fixture(scope="session")
def cnn(tmp_path_factory):
    """The tests' small PyTorch classifier as (.pt, .pt2), built once per session (tests only read it)."""
    from torch_models import small_cnn

    return small_cnn(tmp_path_factory.mktemp("cnn"))


@pytest.fixture(scope="session")
def head(tmp_path_factory):
    """The tests' YOLOv8-style PyTorch detection head as (.pt, .pt2), built once per session."""
    from torch_models import detection_head

    return detection_head(tmp_path_factory.mktemp("head"))


@pytest.fixture
def no_ssh_agent(monkeypatch):
    """Only a test's own key authenticates, whatever agent the machine runs (the remote tests use it)."""
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real sshd on a loopback port for a module's tests (tests/ssh_server.py), its Host alias `ALIAS`."""
    from ssh_server import ALIAS, SshServer

    sshd = SshServer(tmp_path_factory.mktemp("sshd"), ALIAS)
    yield sshd
    sshd.stop()

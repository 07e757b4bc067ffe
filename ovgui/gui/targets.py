"""Targets in the window: Targets › Add… (an ssh host or ``~/.ssh/config`` alias, the config file
and the target's Python), the targets remembered between sessions (names and paths only: ovgui
never asks for or keeps a password), and the question a run or a probe asks when a target offers
a host key that is not in known_hosts.

The question comes from the run's thread, which has to wait for the answer, while the dialog
belongs to the GUI thread: `HostKeyQuestion.ask` hands it over with a queued signal and waits on
an event the dialog sets, so the run's thread blocks and the window does not.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ovgui.core.remote.probe import Probe
from ovgui.core.remote.run import probe_target
from ovgui.core.remote.target import DEFAULT_PYTHON, Target
from ovgui.gui.session import BackgroundJobs, Remote
from ovgui.gui.wrapping_label import WrappingLabel

SETTINGS_KEY = "targets/list"
USER_SSH_CONFIG = Path("~/.ssh/config").expanduser()
ANSWER_TIMEOUT_S = 600.0
"""A question nobody answers in ten minutes is a no: the run's thread must not wait for ever."""


def ssh_aliases(config: Path) -> list[str]:
    """The Host names an ssh config declares, patterns left out: what ``ssh NAME`` takes."""
    try:
        lines = config.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    names = [name for line in lines if line.strip().lower().startswith("host ")
             for name in line.split()[1:] if not any(mark in name for mark in "*?!")]
    return list(dict.fromkeys(names))


def load_targets() -> list[Target]:
    try:
        saved = json.loads(str(QSettings().value(SETTINGS_KEY, "[]")))
        return [Target(item["name"], Path(item["ssh_config"]) if item.get("ssh_config") else None,
                       item.get("python") or DEFAULT_PYTHON) for item in saved]
    except (ValueError, KeyError, TypeError):
        return []


def save_targets(targets: list[Target]) -> None:
    QSettings().setValue(SETTINGS_KEY, json.dumps([
        {"name": target.name, "ssh_config": str(target.ssh_config or ""), "python": target.python} for target in targets]))


class AddTargetDialog(QDialog):
    """The target's name (the aliases of the ssh config offered), the config file and its Python."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Add a target")
        self.name = QComboBox(editable=True, objectName="targetName")
        self.name.lineEdit().setPlaceholderText("an ssh host or ~/.ssh/config alias")
        self.config = QLineEdit(objectName="targetSshConfig", placeholderText=f"ssh's own ({USER_SSH_CONFIG})")
        self.config.editingFinished.connect(self._offer_aliases)
        browse = QToolButton(text="Browse…")
        browse.clicked.connect(self._browse)
        config_row = QHBoxLayout()
        config_row.setContentsMargins(0, 0, 0, 0)
        config_row.addWidget(self.config, 1)
        config_row.addWidget(browse)
        self.python = QLineEdit(DEFAULT_PYTHON, objectName="targetPython")
        self.python.setToolTip("The Python on the target that has OpenVINO, NumPy, OpenCV and psutil (on its PATH, or a path)")
        form = QFormLayout()
        form.addRow("Host", self.name)
        form.addRow("SSH config", config_row)
        form.addRow("Python there", self.python)
        note = WrappingLabel("ovgui connects with your keys or agent and checks the host key against known_hosts; "
                             "it never asks for a password. It then probes the target (Python, OpenVINO, devices) "
                             "and adds its devices to the device picker.", textFormat=Qt.TextFormat.PlainText)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name.editTextChanged.connect(self._check)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self._offer_aliases()
        self._check()

    def target(self) -> Target:
        config = self.config.text().strip()
        return Target(self.name.currentText().strip(), Path(config).expanduser() if config else None,
                      self.python.text().strip() or DEFAULT_PYTHON)

    def _check(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.name.currentText().strip()))

    def _offer_aliases(self) -> None:
        typed = self.name.currentText()
        self.name.clear()
        self.name.addItems(ssh_aliases(self.target().ssh_config or USER_SSH_CONFIG))
        self.name.setEditText(typed)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "SSH config", str(USER_SSH_CONFIG.parent))
        if path:
            self.config.setText(path)
            self._offer_aliases()


class HostKeyQuestion(QObject):
    """`ask(name, fingerprint)` from any thread: the user sees the key and only a Yes trusts it."""

    _asked = Signal(str, str, object)

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self._parent = parent
        self.box: QMessageBox | None = None
        """The question on screen, for tests; None when none is."""
        self._asked.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def ask(self, name: str, fingerprint: str) -> bool:
        answer: dict[str, bool] = {}
        answered = threading.Event()
        self._asked.emit(name, fingerprint, (answer, answered))
        answered.wait(ANSWER_TIMEOUT_S)
        return answer.get("yes", False)

    @Slot(str, str, object)
    def _show(self, name: str, fingerprint: str, reply: tuple[dict[str, bool], threading.Event]) -> None:
        answer, answered = reply
        box = self.box = QMessageBox(QMessageBox.Icon.Warning, "Unknown host key",
                                     f"{name} offers the host key\n\n{fingerprint}\n\nwhich is not in known_hosts. "
                                     "Check it against the target's own (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub "
                                     "there) before you trust it.\n\nTrust this key and add it to known_hosts?",
                                     QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self._parent)
        box.setDefaultButton(QMessageBox.StandardButton.No)

        def done(_result: int) -> None:
            answer["yes"] = box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes
            self.box = None
            answered.set()

        box.finished.connect(done)
        box.open()


def about(target: Target, probe: Probe) -> str:
    """A target's devices' tooltip: what the probe found there."""
    free = f", {probe.free_mib:.0f} MiB free" if probe.free_mib is not None else ""
    return (f"{target.name}: {probe.cpu}{free}\nPython {probe.python} ({target.python}) · OpenVINO {probe.openvino}\n"
            f"devices: {', '.join(probe.devices)}")


class Targets(QObject):
    """The window's targets: added through the dialog or remembered, each probed in the background
    (its devices then join the device picker); a failure is one line."""

    probed = Signal(object, object)
    """A `Target` and its `Probe`."""
    failed = Signal(str)

    def __init__(self, jobs: BackgroundJobs, parent: QWidget):
        super().__init__(parent)
        self._jobs = jobs
        self.question = HostKeyQuestion(parent)
        self.known: dict[str, Target] = {}

    def restore(self) -> None:
        """The targets of earlier sessions, probed again: a box may have changed since."""
        for target in load_targets():
            self.add(target)

    def add(self, target: Target) -> None:
        self.known[target.name] = target
        save_targets(list(self.known.values()))
        self._jobs.submit(partial(probe_with, target, self.question.ask), self._probed, self._failed)

    def forget(self) -> None:
        self.known.clear()
        save_targets([])

    def remote(self, name: str) -> Remote | None:
        target = self.known.get(name)
        return Remote(target, self.question.ask) if target is not None else None

    @Slot(object)
    def _probed(self, result: tuple[Target, Probe]) -> None:
        self.probed.emit(*result)

    @Slot(str)
    def _failed(self, line: str) -> None:
        self.failed.emit(line)


def probe_with(target: Target, ask: Callable[[str, str], bool]) -> tuple[Target, Probe]:
    return target, probe_target(target, ask)

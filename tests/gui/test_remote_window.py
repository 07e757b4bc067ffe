"""Targets in the real window against a real sshd (tests/ssh_server.py): a target added through
Targets › Add… is probed and its devices join the picker as "CPU — host: NAME"; a run on it fills
the live latency chart while it runs and returns a report with the target's section and the same
top-1 as here; Stop ends the process on the target; a host key not in known_hosts is asked about
(no: one line; yes: the run goes on and the key is remembered); Run on all targets puts here and
the target side by side in Compare with a host column."""

from __future__ import annotations

import sys
from dataclasses import replace

import pytest
from PySide6.QtWidgets import QMessageBox
from ssh_server import ALIAS

from ovgui.core.remote.target import Target
from ovgui.gui.comparison import ComparisonModel

RUN_TIMEOUT_MS = 180_000


pytestmark = pytest.mark.usefixtures("no_ssh_agent")


def add(window, qtbot, target: Target) -> None:
    with qtbot.waitSignal(window.targets_changed, timeout=60_000):
        window.add_target_now(target)


def choose(window, label: str) -> None:
    picker = window.controls.settings.device
    index = picker.findText(label)
    assert index >= 0, [picker.itemText(i) for i in range(picker.count())]
    picker.setCurrentIndex(index)


def test_a_run_on_a_target_feeds_the_live_chart_and_returns_the_targets_report(squeezenet_window, qtbot, server):
    window = squeezenet_window
    add(window, qtbot, Target(ALIAS, server.ssh_config, sys.executable))
    choose(window, f"CPU — host: {ALIAS}")
    assert window.controls.target() == ALIAS and window.controls.device() == "CPU"
    with qtbot.waitSignal(window.report_ready, timeout=RUN_TIMEOUT_MS) as blocker:
        window.start_run()
    remote = blocker.args[0]
    assert remote.target is not None and remote.target.name == ALIAS and remote.target.port == server.port
    assert remote.environment.openvino and remote.latency_ms.iterations == 20

    choose(window, window.controls.settings.device.itemText(0))
    assert window.controls.target() == ""
    with qtbot.waitSignal(window.report_ready, timeout=RUN_TIMEOUT_MS) as blocker:
        window.start_run()
    here = blocker.args[0]
    assert here.target is None and remote.classes[0].label == here.classes[0].label

    choose(window, f"CPU — host: {ALIAS}")
    window.set_config(replace(window.controls.config(), iterations=200_000))
    window.start_run()
    qtbot.waitUntil(lambda: window.latency_chart.point_count() > 10 and bool(server.remote_ovgui()), timeout=RUN_TIMEOUT_MS)
    assert window.session.busy, "the chart filled from the target's stream while the run was going"
    with qtbot.waitSignal(window.session.finished, timeout=60_000):
        window.stop_run()
    qtbot.waitUntil(lambda: not server.remote_ovgui(), timeout=30_000)


def test_an_unknown_host_key_is_asked_and_only_a_yes_trusts_it(squeezenet_window, qtbot, server, tmp_path):
    window = squeezenet_window
    known = tmp_path / "known_hosts"
    known.write_text("")
    config = server.client_config(ALIAS, server.key, known)
    errors: list[str] = []
    window.targets.failed.connect(errors.append)
    window.add_target_now(Target(ALIAS, config, sys.executable))
    qtbot.waitUntil(lambda: window.targets.question.box is not None, timeout=60_000)
    box = window.targets.question.box
    assert "SHA256:" in box.text() and "not in known_hosts" in box.text()
    box.button(QMessageBox.StandardButton.No).click()
    qtbot.waitUntil(lambda: bool(errors), timeout=60_000)
    assert "is not in known_hosts" in errors[0] and "\n" not in errors[0]
    assert known.read_text() == ""

    with qtbot.waitSignal(window.targets_changed, timeout=60_000):
        window.add_target_now(Target(ALIAS, config, sys.executable))
        qtbot.waitUntil(lambda: window.targets.question.box is not None, timeout=60_000)
        window.targets.question.box.button(QMessageBox.StandardButton.Yes).click()
    assert known.read_text() == server.known_hosts_line(), "the key the user accepted is remembered"


def test_run_on_all_targets_puts_here_and_the_target_side_by_side(squeezenet_window, qtbot, server):
    window = squeezenet_window
    add(window, qtbot, Target(ALIAS, server.ssh_config, sys.executable))
    with qtbot.waitSignal(window.session.returned, timeout=RUN_TIMEOUT_MS) as blocker:
        window.commands.all_targets.trigger()
    results = blocker.args[0]
    assert [name for name, _outcome in results] == ["CPU — here", f"CPU — host: {ALIAS}"]
    assert all(not isinstance(outcome, str) for _name, outcome in results), results
    assert results[1][1].report.target.name == ALIAS and results[0][1].report.target is None
    table = window.comparison._table
    host = ComparisonModel.column_index("target")
    assert not table.isColumnHidden(host)
    model = table.model()
    assert {model.data(model.index(row, host)) for row in range(model.rowCount())} == {
        "here", f"{ALIAS} · {results[1][1].report.environment.cpu}"}

"""Runs on a target over SSH, against a real OpenSSH server on a loopback port (`ssh_server`): the
same result as a local run with the target's environment, Stop ends the remote process, host keys
are checked, each failure is one line, and a connection killed mid-run keeps what was measured.
The target's Python is this one (it has OpenVINO); /usr/bin/python3 is a target without it."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import threading
from pathlib import Path

import psutil
import pytest
from shared_data import image_path, model_path
from ssh_server import ALIAS, SshServer, free_port, keygen

from ovgui.cli import profile_main
from ovgui.core import events
from ovgui.core.compare import Variant
from ovgui.core.errors import OvguiError
from ovgui.core.outcome import RunOutcome
from ovgui.core.remote import deploy, fleet
from ovgui.core.remote.run import RemoteRun
from ovgui.core.remote.ssh import Resolved, connect
from ovgui.core.remote.target import INSTALL_COMMAND, Target
from ovgui.core.report import DeviceInfo, ModelInfo, Report, RunConfig
from ovgui.core.runner import RunRequest, run_profile

SYSTEM_PYTHON = "/usr/bin/python3"


pytestmark = pytest.mark.usefixtures("no_ssh_agent")


def squeezenet(**config) -> RunRequest:
    return RunRequest(str(model_path("squeezenet")), str(image_path("dog.jpg")), RunConfig(**config))


def target(server: SshServer, ssh_config: Path | None = None, python: str = sys.executable) -> Target:
    return Target(ALIAS, ssh_config or server.ssh_config, python)


def cli(server: SshServer, *args: str, ssh_config: Path | None = None, python: str = sys.executable) -> list[str]:
    return [str(model_path("squeezenet")), str(image_path("dog.jpg")), "--target", ALIAS,
            "--ssh-config", str(ssh_config or server.ssh_config), "--target-python", python, *args]


def test_a_remote_run_gives_the_local_top_1_and_a_complete_report(server):
    seen: list[events.Event] = []
    live = events.LiveData()
    remote = RemoteRun(squeezenet(iterations=20), target(server), seen.append, live).run().report
    local = run_profile(squeezenet(iterations=20)).report
    assert remote.classes[0].class_id == local.classes[0].class_id
    assert remote.completed and remote.latency_ms.count == 20 and remote.layers
    assert remote.model.path == str(model_path("squeezenet")) and remote.image.path == str(image_path("dog.jpg"))
    assert remote.environment.openvino == local.environment.openvino and remote.environment.cpu
    info = remote.target
    assert (info.name, info.host, info.port) == (ALIAS, "127.0.0.1", server.port)
    assert info.auth == f"key {server.key}" and info.known_hosts == [str(server.known_hosts)]
    assert info.openvino == local.environment.openvino and info.ovgui.endswith(f"(zipapp {deploy.zipapp().digest})")
    # the live stream filled what the window's charts poll, as a local run does
    assert live.latencies_ms == remote.latency_ms.samples
    assert live.memory_samples and [name for name, _t in live.phase_marks][:2] == ["read_model", "compile"]
    assert events.PhaseStarted in map(type, seen) and events.Progress in map(type, seen)


def test_the_command_runs_on_the_target_and_writes_the_report(server, tmp_path, capsys):
    out = tmp_path / "remote.json"
    assert profile_main(cli(server, "-n", "10", "--json", str(out))) == 0
    saved = json.loads(out.read_text())
    assert saved["target"]["name"] == ALIAS and saved["target"]["port"] == server.port
    assert saved["latency_ms"]["count"] == 10
    assert f"Target  {ALIAS}  (" in capsys.readouterr().out


def test_the_zipapp_runs_its_own_ovgui(tmp_path):
    """The target imports the pushed ovgui, not one installed there (here: this checkout, editable)."""
    app = tmp_path / deploy.zipapp().name
    app.write_bytes(deploy.zipapp().data)
    done = subprocess.run([sys.executable, str(app), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "--events" in done.stdout
    where = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(app)!r}); import ovgui.core.runner, "
                            "ovgui.core.decoders.labels as l; print(ovgui.core.runner.__file__); print(l.resources_root()); "
                            "print(len(l.bundled_labels('imagenet')))"], capture_output=True, text=True, timeout=60)
    runner, resources, labels = where.stdout.split()
    assert runner.startswith(str(app)) and resources.startswith(str(app)) and int(labels) >= 1000, where.stderr


def test_stop_ends_the_remote_process_and_keeps_the_figures(server):
    run: RemoteRun

    def stop_once_measuring(event: events.Event) -> None:
        if isinstance(event, events.Progress):
            run.cancel()

    run = RemoteRun(squeezenet(iterations=None, duration_s=120.0), target(server), stop_once_measuring)
    report = run.run().report
    assert not report.completed and report.latency_ms.count > 0
    assert run.remote_pid is not None and not psutil.pid_exists(run.remote_pid)
    assert server.remote_ovgui() == []


def test_a_known_hosts_file_not_there_yet_trusts_no_key_not_the_users_own(server, tmp_path, monkeypatch, capfd):
    """asyncssh reads an empty list of known_hosts files as ~/.ssh/known_hosts: the config's file
    decides, even when ~/.ssh/known_hosts would trust the key."""
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "known_hosts").write_text(server.known_hosts_line())
    monkeypatch.setenv("HOME", str(home))
    missing = tmp_path / "not-yet" / "known_hosts"
    config = server.client_config(ALIAS, server.key, missing)
    assert profile_main(cli(server, "-n", "5", ssh_config=config)) == 2
    assert "is not in known_hosts" in capfd.readouterr().err


def test_an_unknown_host_key_is_refused_with_its_fingerprint(server, tmp_path, capfd):
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    config = server.client_config(ALIAS, server.key, empty)
    assert profile_main(cli(server, "-n", "5", ssh_config=config)) == 2
    err = capfd.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: {ALIAS}'s host key SHA256:")
    assert f"is not in known_hosts; check it and add it with ssh-keyscan -p {server.port} 127.0.0.1 >> {empty}" in err[0]
    assert empty.read_text() == ""


def test_an_unknown_host_key_the_user_accepts_is_remembered(server, tmp_path):
    known = tmp_path / "known_hosts"
    known.write_text("")
    resolved = Resolved(target(server, server.client_config(ALIAS, server.key, known)))
    asked: list[tuple[str, str]] = []

    async def connect_and_close(answer: bool) -> None:
        connection = await connect(resolved, lambda name, fingerprint: asked.append((name, fingerprint)) or answer)
        connection.close()

    with pytest.raises(OvguiError, match="is not in known_hosts"):
        asyncio.run(connect_and_close(False))
    assert known.read_text() == ""
    asyncio.run(connect_and_close(True))
    assert [name for name, _ in asked] == [ALIAS, ALIAS] and asked[0][1].startswith("SHA256:")
    assert known.read_text() == server.known_hosts_line()
    asyncio.run(connect_and_close(False))  # known now: not asked again
    assert len(asked) == 2


def test_a_changed_host_key_is_refused(server, tmp_path):
    other = keygen(tmp_path / "other_host_key")
    known = tmp_path / "known_hosts"
    known.write_text(server.known_hosts_line(other))
    with pytest.raises(OvguiError, match=f"{ALIAS}'s host key SHA256:.* does not match its entry in {known}"):
        RemoteRun(squeezenet(iterations=5), target(server, server.client_config(ALIAS, server.key, known))).run()


@pytest.mark.parametrize("failure", ["wrong key", "unreachable", "no OpenVINO"])
def test_each_failure_is_one_line(server, tmp_path, capfd, failure):
    python = sys.executable
    if failure == "wrong key":
        config = server.client_config(ALIAS, keygen(tmp_path / "stranger"), server.known_hosts)
        expected = f"error: {ALIAS} ("
    elif failure == "unreachable":
        config = server.client_config(ALIAS, server.key, server.known_hosts, port=free_port())
        expected = f"error: cannot reach {ALIAS} (127.0.0.1:"
    else:
        config, python = server.ssh_config, SYSTEM_PYTHON
        expected = f"error: {ALIAS} has no OpenVINO for {SYSTEM_PYTHON}: install it with `{INSTALL_COMMAND}`"
    assert profile_main(cli(server, "-n", "5", ssh_config=config, python=python)) == 2
    err = capfd.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(expected), err
    if failure == "wrong key":
        assert "refused the login" in err[0] and "never asks for a password" in err[0]


def test_a_connection_killed_mid_run_keeps_the_partial_report(server):
    started: list[psutil.Process] = []

    def kill_the_session(event: events.Event) -> None:
        if isinstance(event, events.Progress) and not started:
            started.extend(server.remote_ovgui())
            for session in server.sessions():
                session.send_signal(signal.SIGKILL)

    report = RemoteRun(squeezenet(iterations=None, duration_s=120.0), target(server), kill_the_session).run().report
    assert not report.completed and report.latency_ms.count > 0
    assert report.notes[0].startswith(f"the connection to {ALIAS} was lost mid-run")
    assert report.target is not None and report.target.name == ALIAS and report.environment.openvino
    # the remote ovgui, its workstation gone, stops itself at its next write
    assert started and psutil.wait_procs(started, timeout=60)[1] == []


def test_a_fleet_comparison_runs_each_target_side_by_side(server, tmp_path, capsys):
    """Two targets (two sshd, each its own host alias in one ssh config) and this machine: each
    result carries its host, the table has a host column, and the file's order is kept."""
    second = SshServer(tmp_path / "second", "edge-2")
    try:
        config = tmp_path / "ssh_config"
        config.write_text(server.ssh_config.read_text() + second.ssh_config.read_text())
        fleet = tmp_path / "fleet.json"
        fleet.write_text(json.dumps([{"name": "on edge-1", "target": ALIAS, "target_python": sys.executable},
                                     {"name": "on edge-2", "target": "edge-2", "target_python": sys.executable},
                                     {"name": "here"}]))
        out = tmp_path / "fleet_report.json"
        args = [str(model_path("squeezenet")), str(image_path("dog.jpg")), "-n", "10", "--compare", str(fleet),
                "--ssh-config", str(config), "--json", str(out)]
        assert profile_main(args) == 0
    finally:
        second.stop()
    entries = json.loads(out.read_text())["comparison"]
    assert [entry["name"] for entry in entries] == ["on edge-1", "on edge-2", "here"]
    assert [(entry["report"]["target"] or {}).get("port") for entry in entries] == [server.port, second.port, None]
    top = {entry["report"]["classes"][0]["class_id"] for entry in entries}
    assert len(top) == 1
    table = capsys.readouterr().out
    header = next(line for line in table.splitlines() if "median ms" in line)
    assert header.split()[:2] == ["configuration", "host"]
    assert any(line.split()[:3] == ["on", "edge-2", "edge-2"] for line in table.splitlines())


def test_a_fleet_runs_targets_at_once_and_never_two_runs_on_one_target(monkeypatch):
    """Fake runs: edge-1's first run waits for edge-2's to start (only parallel targets let it end),
    and no target ever has two runs going."""
    edge_2_started = threading.Event()
    lock = threading.Lock()
    running: dict[str, int] = {}
    most: dict[str, int] = {}

    class FakeRun:
        def __init__(self, variant: Variant):
            self.variant = variant

        def run(self) -> RunOutcome:
            where = self.variant.target
            with lock:
                running[where] = running.get(where, 0) + 1
                most[where] = max(most.get(where, 0), running[where])
            if where == "edge-2":
                edge_2_started.set()
            waited = edge_2_started.wait(60) if self.variant.name == "a1" else True
            with lock:
                running[where] -= 1
            report = run_profile_report_stub(self.variant.name)
            return RunOutcome(report) if waited else RunOutcome(run_profile_report_stub("edge-2 never started"))

        def release(self) -> None:
            pass

    monkeypatch.setattr(fleet, "_run", lambda variant, *_args: FakeRun(variant))
    variants = [Variant("a1", {}, target="edge-1"), Variant("a2", {}, target="edge-1"), Variant("b1", {}, target="edge-2"),
                Variant("b2", {}, target="edge-2"), Variant("here", {})]
    results = list(fleet.run_fleet(squeezenet(), variants))
    assert [name for name, _outcome in results] == ["a1", "a2", "b1", "b2", "here"]
    assert [outcome.report.notes for _name, outcome in results] == [["a1"], ["a2"], ["b1"], ["b2"], ["here"]]
    assert most == {"edge-1": 1, "edge-2": 1, "": 1}


def run_profile_report_stub(note: str) -> Report:
    return Report(ModelInfo("m.xml", "OpenVINO IR", 1), DeviceInfo("CPU", "CPU"), RunConfig(), notes=[note])

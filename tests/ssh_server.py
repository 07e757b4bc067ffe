"""A real OpenSSH server for the remote-target tests: ``sshd -D -e`` on a free loopback port, run
as the current user, with a host key, a user key and an authorized_keys made for the test, a
known_hosts entry for it and an ssh config whose Host alias names it (passed with --ssh-config)."""

from __future__ import annotations

import getpass
import os
import socket
import subprocess
import threading
from pathlib import Path

import psutil
import pytest

SSHD = Path("/usr/sbin/sshd")
PRIVSEP = Path("/run/sshd")  # sshd started by root refuses to run without it


ALIAS = "edge-1"
"""The Host alias the tests' ssh configs give their server."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def keygen(path: Path) -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", path.name, "-f", str(path)], check=True)
    return path


class SshServer:
    """One sshd; `alias` is the Host its `ssh_config` declares, `key` the user key it accepts."""

    def __init__(self, folder: Path, alias: str):
        if not SSHD.exists():
            pytest.fail(f"{SSHD} is missing: install openssh-server (.ci/run does)")
        if os.getuid() == 0:
            PRIVSEP.mkdir(mode=0o755, exist_ok=True)
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.alias = alias
        self.port = free_port()
        self.host_key = keygen(folder / "host_key")
        self.key = keygen(folder / "id_user")
        (folder / "authorized_keys").write_text(self.key.with_suffix(".pub").read_text())
        self.known_hosts = folder / "known_hosts"
        self.known_hosts.write_text(self.known_hosts_line())
        self.ssh_config = self.client_config(alias, self.key, self.known_hosts)
        config = folder / "sshd_config"
        config.write_text("\n".join([
            f"Port {self.port}", "ListenAddress 127.0.0.1", f"HostKey {self.host_key}", f"PidFile {folder / 'sshd.pid'}",
            f"AuthorizedKeysFile {folder / 'authorized_keys'}", "StrictModes no", "UsePAM no",
            "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PermitRootLogin prohibit-password",
            "Subsystem sftp internal-sftp", "LogLevel INFO", ""]))
        self.process = subprocess.Popen([str(SSHD), "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE, text=True)
        self.log: list[str] = []
        self._listening = threading.Event()
        self._drainer = threading.Thread(target=self._drain, daemon=True)
        self._drainer.start()
        if not self._listening.wait(30) or self.process.poll() is not None:
            self.stop()
            pytest.fail("sshd did not start: " + " / ".join(self.log))

    def known_hosts_line(self, key: Path | None = None) -> str:
        kind, data = (key or self.host_key).with_suffix(".pub").read_text().split()[:2]
        return f"[127.0.0.1]:{self.port} {kind} {data}\n"

    def client_config(self, alias: str, key: Path, known_hosts: Path, port: int | None = None) -> Path:
        """An ssh config naming this server (or another `port`) as `alias`, with `key` and `known_hosts`."""
        path = self.folder / f"ssh_config_{len(list(self.folder.glob('ssh_config_*')))}"
        path.write_text(f"Host {alias}\n  HostName 127.0.0.1\n  Port {port or self.port}\n  User {getpass.getuser()}\n"
                        f"  IdentityFile {key}\n  IdentitiesOnly yes\n  UserKnownHostsFile {known_hosts}\n")
        return path

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line.rstrip())
            if "Server listening" in line:
                self._listening.set()
        self._listening.set()

    def sessions(self) -> list[psutil.Process]:
        """The per-connection sshd processes (not the listener)."""
        return [child for child in psutil.Process(self.process.pid).children(recursive=True) if child.name() == "sshd"]

    def remote_ovgui(self) -> list[psutil.Process]:
        """Every ovgui-profile this server's sessions started (a zipapp of ovgui in its command line)."""
        found = []
        for child in psutil.Process(self.process.pid).children(recursive=True):
            try:
                if any(part.endswith(".pyz") and "ovgui-" in part for part in child.cmdline()):
                    found.append(child)
            except psutil.NoSuchProcess:
                continue
        return found

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)
        self._drainer.join(30)
        assert self.process.stderr is not None
        self.process.stderr.close()

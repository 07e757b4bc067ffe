"""The SSH connection to a target: resolved as ``ssh`` resolves it, host key checked, failures in one line.

Host keys are always checked against known_hosts files, never accepted on their own: the files
``UserKnownHostsFile`` names for the host, else ``~/.ssh/known_hosts`` and the system's
(a config's ``UserKnownHostsFile none``, which would turn checking off, is not honoured).  An
unknown key is refused with its fingerprint; a front end that can ask its user passes
`accept_host_key`, and only the key the user accepted is added to the first known_hosts file.
No password is asked for or stored: a key file or the agent authenticates.
"""

from __future__ import annotations

import asyncio
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from ovgui.core.errors import OvguiError
from ovgui.core.remote.target import Target
from ovgui.core.report import TargetInfo

CONNECT_TIMEOUT_S = 15
DEFAULT_KNOWN_HOSTS = (Path("~/.ssh/known_hosts").expanduser(), Path("/etc/ssh/ssh_known_hosts"))
INSTALL_REMOTE = "pip install 'ovgui[remote]'"

AcceptHostKey = Callable[[str, str], bool]
"""Asked with the target's name and its host key's fingerprint (``SHA256:…``): True trusts the key."""


def asyncssh() -> ModuleType:
    """asyncssh, imported on first use; its import warns that DSA keys are deprecated (by
    `cryptography`), which says nothing about ovgui's run."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import asyncssh as module
    except ImportError:
        raise OvguiError(f"remote targets need asyncssh: {INSTALL_REMOTE}") from None
    return module


class Resolved:
    """What ``ssh NAME`` would connect to: host, port, user, keys and known_hosts files, from the config."""

    def __init__(self, target: Target):
        ssh = asyncssh()
        config = [str(target.ssh_config)] if target.ssh_config else ()
        if target.ssh_config is not None and not target.ssh_config.is_file():
            raise OvguiError(f"ssh config not found: {target.ssh_config}")
        try:
            self.options = ssh.SSHClientConnectionOptions(config=config, host=target.name, connect_timeout=CONNECT_TIMEOUT_S)
        except (ssh.Error, OSError, ValueError) as error:
            raise OvguiError(f"{target.name}: cannot read its ssh settings: {error}") from None
        self.target = target
        self.host: str = self.options.host
        self.port: int = self.options.port
        self.user: str = self.options.username
        named = [Path(str(path)).expanduser() for path in self.options.known_hosts or ()]
        self.known_hosts = [path for path in named or DEFAULT_KNOWN_HOSTS if path.is_file()]
        self.known_hosts_file = named[0] if named else DEFAULT_KNOWN_HOSTS[0]
        keys = self.options.client_keys or []
        agent = os.environ.get("SSH_AUTH_SOCK", "") if self.options.agent_path is not None else ""
        key_files = [_filename(key) for key in keys]
        self.auth = " or ".join([*(f"key {name}" for name in key_files if name), *(["agent"] if agent else [])])

    def info(self, python: str = "", ovgui: str = "", openvino: str = "") -> TargetInfo:
        return TargetInfo(self.target.name, self.host, self.user, self.port, self.auth, [str(p) for p in self.known_hosts],
                          python, ovgui, openvino)

    @property
    def address(self) -> str:
        return f"{self.user}@{self.host}:{self.port}"


async def connect(resolved: Resolved, accept_host_key: AcceptHostKey | None = None) -> Any:
    """An open `SSHClientConnection`, or `OvguiError` with the one line that says why not."""
    ssh = asyncssh()
    name = resolved.target.name
    try:
        return await _connect(resolved)
    except ssh.HostKeyNotVerifiable:
        fingerprint, line = await _host_key(resolved)
        if _known(resolved):
            raise OvguiError(f"{name}'s host key {fingerprint} does not match its entry in "
                             f"{_listed(resolved.known_hosts)}: it changed, or someone is in between; "
                             "check it before you trust it") from None
        if accept_host_key is None or not accept_host_key(name, fingerprint):
            raise OvguiError(f"{name}'s host key {fingerprint} is not in known_hosts; check it and add it with "
                             f"ssh-keyscan -p {resolved.port} {resolved.host} >> {resolved.known_hosts_file} "
                             f"or connect once with ssh") from None
        _remember(resolved, line)
        return await connect(resolved)
    except ssh.PermissionDenied:
        raise OvguiError(f"{name} ({resolved.address}) refused the login: no key it accepts "
                         f"(tried {resolved.auth or 'no key and no agent'}); ovgui never asks for a password") from None
    except (OSError, asyncio.TimeoutError) as error:
        raise OvguiError(f"cannot reach {name} ({resolved.host}:{resolved.port}): {_reason(error)}") from None
    except ssh.Error as error:
        raise OvguiError(f"{name} ({resolved.address}): ssh: {error.reason}") from None


async def _connect(resolved: Resolved) -> Any:
    """With no known_hosts file there yet, an empty list of trusted keys: asyncssh reads an empty
    `known_hosts` argument as "~/.ssh/known_hosts", which is not the file the config names."""
    ssh = asyncssh()
    known = [str(path) for path in resolved.known_hosts] if resolved.known_hosts else ssh.import_known_hosts("")
    return await ssh.connect(resolved.host, options=resolved.options, known_hosts=known)


async def _host_key(resolved: Resolved) -> tuple[str, str]:
    """The host key the server offers, as a fingerprint and as a known_hosts line."""
    key = await asyncssh().get_server_host_key(resolved.host, resolved.port)
    host = resolved.host if resolved.port == 22 else f"[{resolved.host}]:{resolved.port}"
    kind_and_key = " ".join(key.export_public_key().decode().split()[:2])
    return key.get_fingerprint("sha256"), f"{host} {kind_and_key}"


def _known(resolved: Resolved) -> bool:
    """Whether known_hosts holds some key for the host (then the offered key is a different one)."""
    ssh = asyncssh()
    if not resolved.known_hosts:
        return False
    trusted, *_rest = ssh.read_known_hosts([str(path) for path in resolved.known_hosts]).match(
        resolved.host, resolved.host, resolved.port)
    return bool(trusted)


def _remember(resolved: Resolved, line: str) -> None:
    path = resolved.known_hosts_file
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as known:
        known.write(line + "\n")
    if path not in resolved.known_hosts:
        resolved.known_hosts.append(path)


def _filename(key_pair: Any) -> str:
    """The file a client key was loaded from, for the report; asyncssh keeps it only privately ("" when unknown)."""
    name = getattr(key_pair, "_filename", None)
    return name.decode(errors="replace") if isinstance(name, bytes) else str(name or "")


def _listed(paths: list[Path]) -> str:
    return ", ".join(str(path) for path in paths)


def _reason(error: BaseException) -> str:
    if isinstance(error, asyncio.TimeoutError):
        return f"no answer in {CONNECT_TIMEOUT_S} s"
    return getattr(error, "strerror", None) or str(error) or type(error).__name__

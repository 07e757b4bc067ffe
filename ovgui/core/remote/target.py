"""A target as the user names it: an ssh host or ``~/.ssh/config`` alias, the config file to read
it from, and the Python to run there."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_PYTHON = "python3"
INSTALL_COMMAND = "python3 -m pip install openvino opencv-python-headless psutil"


@dataclass(frozen=True)
class Target:
    """`name` is what ``ssh NAME`` takes; `ssh_config` a config file read instead of
    ``~/.ssh/config`` (None: ssh's own); `python` the interpreter on the target (on its PATH or a path)."""

    name: str
    ssh_config: Path | None = None
    python: str = DEFAULT_PYTHON

"""The versions and machine a run was measured on (ovgui, OpenVINO, Python, OS, CPU model).

Latency depends on all of them, so the report carries them and Help › About shows them.
"""

from __future__ import annotations

import platform
from datetime import datetime, timezone
from pathlib import Path

import openvino as ov

import ovgui
from ovgui.core.report import EnvironmentInfo

CPUINFO = Path("/proc/cpuinfo")


def environment_info() -> EnvironmentInfo:
    return EnvironmentInfo(
        ovgui=ovgui.__version__,
        openvino=ov.get_version(),
        python=platform.python_version(),
        os=platform.platform(),
        cpu=cpu_model(),
        measured_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )


def cpu_model(cpuinfo: Path = CPUINFO) -> str:
    """The marketing name on Linux ("AMD EPYC 7763 ..."); elsewhere what `platform` knows."""
    try:
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and value.strip():
                return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()

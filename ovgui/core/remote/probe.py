"""What a target can run: its Python, OpenVINO and devices, CPU model, free memory and temp folder.

The probe is a short script run by the target's Python before anything is copied, so a target
that cannot run ovgui says so in one line (with the install command) rather than after a push.
It prints one JSON object and imports nothing it does not have to.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field

from ovgui.core.errors import OvguiError
from ovgui.core.remote.target import INSTALL_COMMAND, Target

PROBE = r"""
import importlib.util, json, platform, tempfile
found = {name: importlib.util.find_spec(name) is not None for name in ("openvino", "numpy", "cv2", "psutil")}
info = {"python": platform.python_version(), "temp_dir": tempfile.gettempdir(), "missing": [n for n, f in found.items() if not f],
        "cpu": platform.processor() or platform.machine(), "free_mib": None, "openvino": "", "devices": []}
try:
    for line in open("/proc/cpuinfo", encoding="utf-8", errors="replace"):
        key, _, value = line.partition(":")
        if key.strip() == "model name" and value.strip():
            info["cpu"] = value.strip()
            break
    for line in open("/proc/meminfo", encoding="utf-8"):
        if line.startswith("MemAvailable:"):
            info["free_mib"] = int(line.split()[1]) / 1024
except OSError:
    pass
if found["openvino"]:
    try:
        import openvino
        info["openvino"] = openvino.get_version()
        info["devices"] = list(openvino.Core().available_devices)
    except Exception as error:
        info["openvino_error"] = f"{type(error).__name__}: {error}"
print(json.dumps(info))
"""

PACKAGE_NAMES = {"openvino": "OpenVINO", "numpy": "NumPy", "cv2": "OpenCV (opencv-python-headless)", "psutil": "psutil"}
NOT_FOUND = 127


@dataclass(frozen=True)
class Probe:
    python: str
    openvino: str
    devices: list[str]
    cpu: str
    free_mib: float | None
    temp_dir: str
    missing: list[str] = field(default_factory=list)


def device_label(device: str, target_name: str) -> str:
    """How a device picker names one of a target's devices: "CPU — host: edge-1"."""
    return f"{device} — host: {target_name}"


def probe_command(target: Target) -> str:
    return f"{shlex.quote(target.python)} -c {shlex.quote(PROBE)}"


def parse_probe(target: Target, exit_status: int | None, stdout: str, stderr: str) -> Probe:
    """The probe's answer, or the one line that says what the target lacks."""
    if exit_status == NOT_FOUND:
        raise OvguiError(f"{target.name} has no {target.python} on its PATH: give the Python to use with --target-python PATH")
    try:
        data = json.loads(stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        said = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit status {exit_status}"
        raise OvguiError(f"{target.name}: {target.python} could not run ovgui's probe: {said}") from None
    if "openvino" in data["missing"]:
        raise OvguiError(f"{target.name} has no OpenVINO for {target.python}: install it with `{INSTALL_COMMAND}`")
    if data.get("openvino_error"):
        raise OvguiError(f"{target.name}: OpenVINO for {target.python} does not load: {data['openvino_error']}")
    if data["missing"]:
        lacking = ", ".join(PACKAGE_NAMES[name] for name in data["missing"])
        raise OvguiError(f"{target.name} has no {lacking} for {target.python}: install it with `{INSTALL_COMMAND}`")
    return Probe(data["python"], data["openvino"], data["devices"], data["cpu"], data["free_mib"], data["temp_dir"])

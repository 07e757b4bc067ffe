"""Which inference devices OpenVINO sees on this machine, with their full names."""

from __future__ import annotations

from functools import lru_cache

import openvino as ov

from ovgui.core.errors import OvguiError
from ovgui.core.report import DeviceInfo

VIRTUAL_DEVICES = ("AUTO",)


@lru_cache(maxsize=1)
def shared_core() -> ov.Core:
    """One Core per process: creating it loads plugins, which costs tens of milliseconds."""
    return ov.Core()


def list_devices(core: ov.Core | None = None) -> list[DeviceInfo]:
    """Physical devices first (as OpenVINO orders them), then the virtual AUTO device."""
    core = core or shared_core()
    devices = [DeviceInfo(name, _full_name(core, name)) for name in core.available_devices]
    devices += [DeviceInfo(name, _virtual_description(name, devices)) for name in VIRTUAL_DEVICES]
    return devices


def resolve_device(name: str, core: ov.Core | None = None) -> DeviceInfo:
    """Accept a known device name (case-insensitive) or a composite like ``AUTO:GPU,CPU``."""
    devices = list_devices(core)
    wanted = name.strip().upper()
    base = wanted.split(":", 1)[0]
    for device in devices:
        if device.name.upper() in (wanted, base):
            return DeviceInfo(wanted, device.full_name) if ":" in wanted else device
    available = ", ".join(d.name for d in devices)
    raise OvguiError(f"unknown device '{name}'; available devices: {available}")


def _full_name(core: ov.Core, name: str) -> str:
    try:
        return str(core.get_property(name, "FULL_DEVICE_NAME"))
    except RuntimeError:
        return name


def _virtual_description(name: str, physical: list[DeviceInfo]) -> str:
    return f"{name} (picks among {', '.join(d.name for d in physical)})"

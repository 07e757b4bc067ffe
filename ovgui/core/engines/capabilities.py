"""What each engine can do, declared once and importable without the engine itself.

The option declarations (and so `ovgui-profile --help`), the request checks, the
window's engine picker and its hiding of settings an engine ignores all read these
declarations; the engine module itself (OpenVINO, ONNX Runtime) is imported only
when a run needs it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Capabilities:
    """One engine's declaration; `engine` is "module:Class", imported only to run."""

    name: str
    label: str
    engine: str


DECLARED: tuple[Capabilities, ...] = (
    Capabilities("openvino", "OpenVINO", "ovgui.core.engines.openvino:OpenVinoEngine"),
    Capabilities("onnxruntime", "ONNX Runtime", "ovgui.core.engines.onnxruntime:OnnxRuntimeEngine"),
)
ENGINES: tuple[str, ...] = tuple(declared.name for declared in DECLARED)

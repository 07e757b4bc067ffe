"""Which engine the window may offer for a model, and which run settings each engine reads.

The engine combo is made from the `engine` option's declaration like every other
field; this module adds what the window needs around it: why ONNX Runtime cannot
be picked for this model (in one line, with the command that installs it), and
which settings to hide because the chosen engine ignores them, so the panel
shows only what applies to the run.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from ovgui.core.engines.base import INSTALL_ONNXRUNTIME

ONNXRUNTIME = "onnxruntime"
OPENVINO = "openvino"

ONLY_FOR = {
    OPENVINO: ("hint", "precision", "nstreams", "nireq", "cache_dir", "shared_memory", "roofline"),
    ONNXRUNTIME: ("inter_op_threads", "graph_optimization", "execution_mode"),
}
"""Settings one engine reads and the other ignores (RunConfig field names)."""

ONNXRUNTIME_DEVICE = "CPU"
ONNXRUNTIME_DEVICE_TEXT = "CPU (CPUExecutionProvider)"
ONNXRUNTIME_MODE = "latency"
ONNXRUNTIME_MODE_REASON = "ONNX Runtime runs one synchronous inference at a time here: latency mode"


def onnxruntime_unavailable(model_path: str) -> str:
    """Why ONNX Runtime cannot run `model_path`, in one line; "" when it can (or no model is chosen yet)."""
    if importlib.util.find_spec("onnxruntime") is None:
        return f"ONNX Runtime is not installed: {INSTALL_ONNXRUNTIME}"
    if model_path and Path(model_path).suffix.lower() != ".onnx":
        return f"ONNX Runtime needs an .onnx model, not {Path(model_path).suffix or Path(model_path).name}"
    return ""


def ignored_by(engine: str) -> tuple[str, ...]:
    """The settings `engine` does not read: those only the other engine uses."""
    return tuple(name for other, names in ONLY_FOR.items() if other != engine for name in names)

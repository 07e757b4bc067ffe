"""Reading a model, summarising its inputs and outputs, and giving dynamic inputs a shape."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import openvino as ov
from openvino.frontend import FrontEndManager

from ovgui.core.errors import OvguiError
from ovgui.core.lineage import source_of
from ovgui.core.report import ModelInfo, TensorInfo
from ovgui.core.torch_model import convert, is_torch_file, load_torch_model

MODEL_FORMATS = {
    ".xml": "OpenVINO IR",
    ".onnx": "ONNX",
    ".tflite": "TensorFlow Lite",
    ".pdmodel": "PaddlePaddle",
    ".pb": "TensorFlow",
    ".pt": "PyTorch (TorchScript)",
    ".pt2": "PyTorch (ExportedProgram)",
}
FRONTENDS = {".xml": "ir", ".onnx": "onnx", ".tflite": "tflite", ".pdmodel": "paddle", ".pb": "tf"}
SUPPORTED_HINT = ("OpenVINO IR (.xml + .bin), ONNX (.onnx), TensorFlow Lite (.tflite), PaddlePaddle (.pdmodel), "
                  "PyTorch (.pt TorchScript, .pt2 ExportedProgram)")


BREADCRUMB = re.compile(r"(Exception from \S+:\d+:|Check '[^']*' failed at \S+:\d+:)\s*")
MESSAGE_LIMIT = 300
DETAIL_LIMIT = 2000
"""An OpenVINO message given as the detail under a line of ovgui's own may be longer than one in a line."""


def openvino_message(error: Exception, limit: int = MESSAGE_LIMIT) -> str:
    """The human part of an OpenVINO exception: no source-file breadcrumbs, one line, not a page."""
    text = " ".join(line.strip() for line in BREADCRUMB.sub("", str(error)).splitlines() if line.strip())
    text = text or type(error).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_model_path(path: str | Path) -> Path:
    """Catch the mistakes OpenVINO reports obscurely before it sees the file."""
    path = Path(path)
    if not path.exists():
        raise OvguiError(f"model file not found: {path}")
    if path.is_dir():
        raise OvguiError(f"{path} is a folder; choose a model file ({SUPPORTED_HINT})")
    if path.suffix.lower() not in MODEL_FORMATS:
        raise OvguiError(f"{path.name} is not a model file; supported formats: {SUPPORTED_HINT}")
    if path.stat().st_size == 0:
        raise OvguiError(f"model file is empty: {path}")
    if path.suffix.lower() == ".xml" and not path.with_suffix(".bin").exists():
        raise OvguiError(
            f"weights file {path.with_suffix('.bin').name} not found next to {path.name}; "
            "an IR model needs its .xml and .bin side by side"
        )
    return path


def read_model(core: ov.Core, path: str | Path) -> ov.Model:
    """Only the frontend of the file's own format is asked whether it can read it: when
    `read_model` meets a file no frontend claims it probes them all, and the TensorFlow
    frontend prints parser noise straight to fd 2 (which no thread can safely redirect).
    A PyTorch file is loaded by torch and converted (`torch_model`)."""
    path = check_model_path(path)
    if is_torch_file(path):
        return convert(load_torch_model(path))
    if not frontend_reads(path):
        raise OvguiError(f"cannot read model {path.name}: {not_valid(path)}")
    try:
        return core.read_model(str(path))
    except (RuntimeError, ValueError) as error:
        raise OvguiError(f"cannot read model {path.name}: {read_failure(error, path)}") from None


def frontend_reads(path: Path) -> bool:
    try:
        return frontend(FRONTENDS[path.suffix.lower()]).supported(str(path))
    except (RuntimeError, ValueError):
        return False


@cache
def frontend(name: str):
    return FrontEndManager().load_by_framework(name)


def not_valid(path: Path) -> str:
    return f"it is not a valid {MODEL_FORMATS[path.suffix.lower()]} file (damaged, incomplete or another format)"


def read_failure(error: Exception, path: Path) -> str:
    message = openvino_message(error)
    unreadable = ("Unable to read the model", "can't be parsed")
    return not_valid(path) if any(text in message for text in unreadable) else message


def describe_model(model: ov.Model, path: str | Path, is_demo: bool = False) -> ModelInfo:
    path = Path(path)
    return ModelInfo(
        path=str(path),
        format=MODEL_FORMATS.get(path.suffix.lower(), "OpenVINO model"),
        file_size_bytes=model_file_size(path),
        inputs=[describe_port(port) for port in model.inputs],
        outputs=[describe_port(port) for port in model.outputs],
        is_demo=is_demo,
        source_path=source_of(model),
    )


def model_file_size(path: Path) -> int:
    """Size on disk, counting the IR weights file that goes with an .xml."""
    files = [path, path.with_suffix(".bin")] if path.suffix.lower() == ".xml" else [path]
    return sum(f.stat().st_size for f in files if f.is_file())


def describe_port(port: ov.Output) -> TensorInfo:
    names = sorted(port.get_names())
    return TensorInfo(
        name=port.get_any_name() if names else f"#{port.get_index()}",
        shape=str(port.get_partial_shape()),
        element_type=port.get_element_type().get_type_name(),
        names=names,
        layout="" if port.get_node().get_layout().empty else port.get_node().get_layout().to_string(),
    )


def static_dims(port: ov.Output) -> list[int]:
    """The port's shape with -1 for every dynamic dimension."""
    return [d.get_length() if d.is_static else -1 for d in port.get_partial_shape()]


def metadata_names(model: ov.Model) -> object | None:
    """Ultralytics exports carry their class names in the ONNX metadata (``names``), unparsed."""
    if not model.has_rt_info(["framework", "names"]):
        return None
    return model.get_rt_info(["framework", "names"]).value


def inspect_model(path: str | Path, is_demo: bool = False) -> ModelInfo:
    """Read a model only to summarise it (for the window's model panel)."""
    from ovgui.core.devices import shared_core

    return describe_model(read_model(shared_core(), path), path, is_demo)


def rt_text(info: ov.RTMap, key: str) -> str:
    """A runtime-graph attribute (``execOrder``, ``originalLayersNames``…) as text, "" when absent."""
    return info[key].astype(str) if key in info else ""

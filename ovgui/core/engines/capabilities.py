"""What each engine can do, declared once and importable without the engine itself.

The option declarations (and so `ovgui-profile --help`), the request check, the "ignored
setting" notes, the window's engine picker and its hiding of settings an engine ignores all
read these declarations; the engine module itself (OpenVINO, ONNX Runtime, PyTorch) is
imported only when a run needs it.  A new engine is its module plus one entry in `DECLARED`.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ovgui.core.options import RunConfig


@dataclass(frozen=True)
class Limit:
    """The only values an engine takes for one request field, and why, in words that finish
    the field's one-line refusal."""

    values: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Capabilities:
    """One engine's declaration.  `engine` is "module:Class", imported only to run; `reads` are
    the engine-specific RunConfig fields it reads (a field some other engine reads and this one
    does not is ignored, with a note, and hidden in the window).  A limit of None takes whatever
    OpenVINO takes (its devices, `Core.read_model`'s files, both modes and preprocessings).
    `extra` is the Python module an optional install provides, and `install` how to get it."""

    name: str
    label: str
    engine: str
    reads: tuple[str, ...]
    suffixes: Limit | None = None
    devices: Limit | None = None
    modes: Limit | None = None
    preprocess: Limit | None = None
    extra: str = ""
    install: str = ""

    def refusal(self, config: RunConfig, model_path: str) -> str:
        """Why this engine cannot take the request, in one line; "" when it can."""
        path = Path(model_path)
        if self.suffixes is not None and path.suffix.lower() not in self.suffixes.values:
            return (f"{self.label} reads {self.suffixes.reason} ({', '.join(self.suffixes.values)}), not {path.name}; "
                    f"use --engine {reads_any_model().name}")
        if self.devices is not None and config.device.upper() not in self.devices.values:
            return f"{self.label} runs here on the {self.devices.reason}, not on {config.device}"
        if self.preprocess is not None and config.preprocess not in self.preprocess.values:
            return f"{self.preprocess.reason}; use --preprocess {self.preprocess.values[0]} with {self.label}"
        if self.modes is not None and config.mode not in self.modes.values:
            mode = self.modes.values[0]
            return f"{self.label} runs in {mode} mode here ({self.modes.reason}); use --mode {mode}"
        return ""

    def ignored(self) -> tuple[str, ...]:
        """The engine-specific settings other engines read and this one does not."""
        return tuple(name for name in ENGINE_SETTINGS if name not in self.reads)

    def ignored_notes(self, config: RunConfig) -> list[str]:
        """One note per setting the user changed from its default that this engine does not read."""
        defaults = {field.name: field.default for field in fields(config)}
        return [f"{name} is {owners(name)}'s setting; {self.label} ignores it"
                for name in self.ignored() if getattr(config, name) != defaults[name]]


INSTALL_ONNXRUNTIME = "pip install 'ovgui[onnxruntime]'"
INSTALL_TORCH = "pip install 'ovgui[torch]' (on Linux x86_64 take the CPU build first: see the README)"

DECLARED: tuple[Capabilities, ...] = (
    Capabilities(
        "openvino", "OpenVINO", "ovgui.core.engines.openvino:OpenVinoEngine",
        reads=("hint", "precision", "nstreams", "nireq", "cache_dir", "shared_memory", "roofline"),
    ),
    Capabilities(
        "onnxruntime", "ONNX Runtime", "ovgui.core.engines.onnxruntime:OnnxRuntimeEngine",
        reads=("inter_op_threads", "graph_optimization", "execution_mode"),
        suffixes=Limit((".onnx",), "ONNX models"),
        devices=Limit(("CPU",), "CPU (CPUExecutionProvider)"),
        modes=Limit(("latency",), "one synchronous inference at a time"),
        preprocess=Limit(("host",), "preprocessing in the graph is OpenVINO's (PrePostProcessor)"),
        extra="onnxruntime",
        install=INSTALL_ONNXRUNTIME,
    ),
    Capabilities(
        "pytorch", "PyTorch", "ovgui.core.engines.pytorch:PyTorchEngine",
        reads=("inter_op_threads",),
        suffixes=Limit((".pt", ".pt2"), "PyTorch models"),
        devices=Limit(("CPU",), "CPU (PyTorch's CPU kernels)"),
        modes=Limit(("latency",), "one module call at a time"),
        preprocess=Limit(("host",), "preprocessing in the graph is OpenVINO's (PrePostProcessor)"),
        extra="torch",
        install=INSTALL_TORCH,
    ),
)
ENGINES: tuple[str, ...] = tuple(declared.name for declared in DECLARED)
ENGINE_SETTINGS: tuple[str, ...] = tuple(dict.fromkeys(name for declared in DECLARED for name in declared.reads))
"""Every engine-specific setting (RunConfig field names), in declaration order."""


def capabilities(name: str) -> Capabilities:
    """The declaration of engine `name` (a name the `engine` option has already checked)."""
    return next(declared for declared in DECLARED if declared.name == name)


def label_of(name: str) -> str:
    """How engine `name` is shown ("ONNX Runtime"); a name no declaration knows (a report from
    another release) as it was recorded."""
    return next((declared.label for declared in DECLARED if declared.name == name), name)


def name_of(recorded: str) -> str:
    """The engine's name as `--engine` spells it, from what a report recorded: reports written
    before engines were recorded by name hold the label ("OpenVINO")."""
    return next((declared.name for declared in DECLARED if recorded in (declared.name, declared.label)), recorded)


def reads_any_model() -> Capabilities:
    """The engine to point a user to when another cannot read their model."""
    return next(declared for declared in DECLARED if declared.suffixes is None)


def owners(setting: str) -> str:
    """The engines that read `setting`, by label."""
    return " and ".join(declared.label for declared in DECLARED if setting in declared.reads)


def missing_extra(name: str) -> str:
    """The line saying engine `name`'s optional install is missing; "" when it is there (or needs none)."""
    declared = capabilities(name)
    if declared.extra and importlib.util.find_spec(declared.extra) is None:
        return f"{declared.label} is not installed: {declared.install}"
    return ""


def fixed_values(name: str) -> dict[str, str]:
    """The run settings engine `name` takes one value of only (device, mode, preprocessing): what a
    configuration for it is given rather than one it refuses."""
    declared = capabilities(name)
    limits = {"device": declared.devices, "mode": declared.modes, "preprocess": declared.preprocess}
    return {setting: limit.values[0] for setting, limit in limits.items() if limit is not None and len(limit.values) == 1}

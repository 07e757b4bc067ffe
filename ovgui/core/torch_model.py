"""PyTorch model files: which kind a file is, loading it without running pickled code, and
converting it with OpenVINO.

Two archive formats are read: TorchScript (`torch.jit.save`, ``.pt``), whose code is
TorchScript that `torch.jit.load` compiles (no Python object is unpickled), and an
ExportedProgram (`torch.export.save`, ``.pt2``), a graph in JSON with its weights.  A plain
`torch.save(model)` file is a pickle: loading it imports and runs whatever classes it names, so
it is refused with the way to save it in one of the two formats instead.  The kind is read from
the archive's member names, before torch sees the file.

torch is an extra (`ovgui[torch]`): this module imports it only to load a file.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openvino as ov

from ovgui.core.engines.capabilities import INSTALL_TORCH
from ovgui.core.errors import OvguiError, first_line

TORCH_SUFFIXES = (".pt", ".pt2")
SAVE_INSTEAD = ("save it with torch.jit.save(torch.jit.trace(model, example)) or "
                "torch.export.save(torch.export.export(model, (example,)), 'model.pt2')")

TORCHSCRIPT = "TorchScript"
EXPORTED_PROGRAM = "ExportedProgram"


def is_torch_file(path: str | Path) -> bool:
    return Path(path).suffix.lower() in TORCH_SUFFIXES


def archive_kind(path: Path) -> str:
    """TORCHSCRIPT or EXPORTED_PROGRAM from the archive's member names; the refusal otherwise."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise OvguiError(f"cannot read model {path.name}: it is not a PyTorch archive (damaged, incomplete, "
                         f"or a legacy pickle, which ovgui does not load: {SAVE_INSTEAD})") from None
    members = {name.split("/", 1)[1] for name in names if "/" in name}
    if any(name.startswith("code/") for name in members):
        return TORCHSCRIPT
    if any(name.startswith("models/") for name in members) and "archive_format" in members:
        return EXPORTED_PROGRAM
    if "data.pkl" in members:
        raise OvguiError(f"{path.name} is a pickled nn.Module (torch.save(model)): loading it would run "
                         f"arbitrary Python code from the file, so ovgui does not; {SAVE_INSTEAD}")
    raise OvguiError(f"cannot read model {path.name}: it is neither TorchScript nor an ExportedProgram archive; "
                     f"{SAVE_INSTEAD}")


def import_torch() -> Any:
    """torch, or the one line saying how to install it."""
    try:
        return importlib.import_module("torch")
    except ModuleNotFoundError as error:
        if error.name == "torch":
            raise OvguiError(f"PyTorch is not installed; install it with {INSTALL_TORCH}") from None
        raise OvguiError(f"PyTorch cannot be loaded ({error}); reinstall it with {INSTALL_TORCH}") from None
    except (ImportError, OSError) as error:
        raise OvguiError(f"PyTorch cannot be loaded ({error}); reinstall it with {INSTALL_TORCH}") from None


@dataclass
class TorchModel:
    """A loaded PyTorch model: `module` runs it (in eval mode), `program` is the ExportedProgram
    it came from (None for TorchScript), `input_shapes` the shapes the file records (an
    ExportedProgram's example inputs; empty for TorchScript, whose inputs are dynamic)."""

    path: Path
    kind: str
    module: Any
    program: Any = None
    input_shapes: tuple[tuple[int, ...], ...] = ()


TORCH_STATE = threading.Lock()
"""Loading and converting hold global state: `torch.export.load` keeps its deserializer in a
global, and OpenVINO's first conversion registers Python implementations of torch operators.
Two threads at once (the window's model summary and a run, say) fail with
"_CURRENT_DESERIALIZER is already set" or "Trying to override a python impl"."""


def load_torch_model(path: str | Path) -> TorchModel:
    """The file's model, loaded in the format's own way (see the module docstring), one load at a time."""
    path = Path(path)
    kind = archive_kind(path)
    torch = import_torch()
    try:
        with TORCH_STATE, quiet():
            if kind == TORCHSCRIPT:
                return TorchModel(path, kind, torch.jit.load(str(path), map_location="cpu").eval())
            program = torch.export.load(str(path))
            return TorchModel(path, kind, program.module(), program, recorded_shapes(program))
    except Exception as error:  # noqa: BLE001 - torch raises anything from a damaged archive
        raise OvguiError(f"cannot read model {path.name}: {first_line(error)}") from None


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Without torch's deprecation notices (TorchScript is deprecated, and still the format users
    have): they say nothing a user of ovgui can act on."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        yield


def recorded_shapes(program: Any) -> tuple[tuple[int, ...], ...]:
    """The user inputs' shapes as the ExportedProgram recorded them (a symbolic size makes that
    dimension -1: the export said it may vary)."""
    placeholders = {node.name: node for node in program.graph.nodes if node.op == "placeholder"}
    shapes = []
    for name in program.graph_signature.user_inputs:
        value = placeholders[name].meta.get("val") if name in placeholders else None
        size = getattr(value, "shape", None)
        if size is None:
            return ()
        shapes.append(tuple(int(d) if isinstance(d, int) or str(d).isdigit() else -1 for d in size))
    return tuple(shapes)


def convert(model: TorchModel) -> ov.Model:
    """OpenVINO's conversion, with the recorded input shapes where the file has them (the
    converter otherwise makes every dimension of an ExportedProgram dynamic)."""
    source = model.program if model.program is not None else model.module
    shapes = [list(shape) for shape in model.input_shapes] or None
    try:
        with TORCH_STATE, quiet():
            return ov.convert_model(source, input=shapes)
    except Exception as error:  # noqa: BLE001 - the converter raises anything a model trips in it
        raise OvguiError(f"OpenVINO cannot convert {model.path.name}: {first_line(error)}") from None


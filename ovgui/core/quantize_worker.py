"""The quantization itself, run as `python -m ovgui.core.quantize_worker REQUEST_JSON` by
`ovgui.core.quantize`, so that a Stop can end it at once: NNCF has no cancel hook, and killing a
process is the only way to stop a C++ call mid-way.

The parent reads one JSON object per line from this process's stdout: ``{"note": …}``,
``{"phase": …}``, ``{"fed": N}`` (a calibration image handed to NNCF, the progress), then
``{"done": {…}}`` or ``{"error": "one line"}``.  Everything else the libraries print (NNCF's log
and progress bars go to stdout) is moved to stderr, which the parent writes to the log.

The INT8 IR is written to the temporary name the parent chose; the parent renames it over the
target once this process has answered `done`, then closes this process's stdin, and this process
removes whatever is still under the temporary name and ends (`drop_when_let_go`): so neither a
process killed while writing nor a parent that died leaves a model half-written or a temporary file.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import openvino as ov

from ovgui.core.calibration import Calibration, open_calibration
from ovgui.core.devices import shared_core
from ovgui.core.errors import OvguiError, first_line
from ovgui.core.lineage import mark_source
from ovgui.core.model import MODEL_FORMATS, check_model_path, frontend_reads, not_valid, openvino_message, read_model
from ovgui.core.quantize_options import INSTALL_NNCF, QuantizeOptions
from ovgui.core.report import RunConfig
from ovgui.core.runner import model_family
from ovgui.core.torch_model import is_torch_file

Emit = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class KeptFloat:
    """`keep_float` split as NNCF's IgnoredScope takes it: operation types, and layer names."""

    types: tuple[str, ...]
    names: tuple[str, ...]


def import_nncf() -> Any:
    try:
        import nncf
    except ModuleNotFoundError as error:
        if error.name == "nncf":
            raise OvguiError(f"NNCF is not installed; install it with {INSTALL_NNCF}") from None
        raise OvguiError(f"NNCF cannot be loaded ({error}); reinstall it with {INSTALL_NNCF}") from None
    return nncf


def model_to_quantize(path: str | Path) -> ov.Model:
    """An IR and a PyTorch file as a run reads them; another format through OpenVINO's converter
    (`convert_model`), which folds constants as `ovc` does.  `read_model` does not, and NNCF then
    finds no bias to correct where a convolution's bias is added through a shape subgraph (the
    ShapeOf → Broadcast → Reshape that YOLOv5n's ONNX file has for each of its 60 biases): its fast
    bias correction silently did nothing, and the INT8 scores moved twice as far."""
    path = check_model_path(path)
    if path.suffix.lower() == ".xml" or is_torch_file(path):
        return read_model(shared_core(), path)
    if not frontend_reads(path):
        raise OvguiError(f"cannot read model {path.name}: {not_valid(path)}")
    try:
        return ov.convert_model(str(path))
    except Exception as error:  # noqa: BLE001 - the converter raises its own error types, none of them ours
        raise OvguiError(f"cannot convert model {path.name}: {openvino_message(error)}") from None


def kept_float(model: ov.Model, wanted: tuple[str, ...]) -> KeptFloat:
    """Each entry is an operation type when the model has operations of that type, else a layer
    name, which must be one of the model's; one line names the entries that are neither."""
    types = {op.get_type_name() for op in model.get_ops()}
    names = {op.get_friendly_name() for op in model.get_ops()}
    unknown = [entry for entry in wanted if entry not in types and entry not in names]
    if unknown:
        raise OvguiError(f"keep in float: the model has no layer and no operation type named {', '.join(unknown)}")
    return KeptFloat(tuple(entry for entry in wanted if entry in types),
                     tuple(entry for entry in wanted if entry not in types))


def quantize_here(request: dict[str, Any], emit: Emit) -> dict[str, Any]:
    """Quantize, write the INT8 IR to the temporary name, and return what the parent reports."""
    nncf = import_nncf()
    options = QuantizeOptions.from_json(request["options"])
    config = RunConfig(**request["config"])
    started = time.perf_counter()
    emit({"phase": "read"})
    model = model_to_quantize(request["model"])
    model_format = MODEL_FORMATS.get(Path(request["model"]).suffix.lower(), "OpenVINO model")
    family = model_family(model, config.decoder)
    calibration = open_calibration(model, model_format, family, config, request["calibration"], options.subset_size)
    for note in calibration.notes:
        emit({"note": note})
    keep = kept_float(model, options.keep_float)
    read_s = time.perf_counter() - started
    emit({"phase": "calibrate", "of": len(calibration.paths)})
    started = time.perf_counter()
    quantized = nncf.quantize(
        model,
        nncf.Dataset(calibration.paths, counting(calibration, emit)),
        subset_size=len(calibration.paths),
        preset=getattr(nncf.QuantizationPreset, options.preset.upper()) if options.preset else None,
        model_type=getattr(nncf.ModelType, options.model_type.upper()) if options.model_type else None,
        fast_bias_correction=options.fast_bias_correction,
        ignored_scope=nncf.IgnoredScope(names=list(keep.names), types=list(keep.types)),
    )
    quantize_s = time.perf_counter() - started
    emit({"phase": "save"})
    mark_source(quantized, request["model"])
    started = time.perf_counter()
    try:
        ov.save_model(quantized, request["temporary"], compress_to_fp16=request["compress_to_fp16"])
    except (RuntimeError, OSError) as error:
        raise OvguiError(f"cannot save the INT8 IR in {Path(request['temporary']).parent}: {openvino_message(error)}") from None
    return {
        "images": len(calibration.paths),
        "fake_quantize": sum(1 for op in quantized.get_ops() if op.get_type_name() == "FakeQuantize"),
        "family": family,
        "read_s": read_s,
        "quantize_s": quantize_s,
        "write_s": time.perf_counter() - started,
        "notes": calibration.notes,
    }


def counting(calibration: Calibration, emit: Emit) -> Callable[[Path], dict]:
    """NNCF's transform function: each image's inputs, each one counted to the parent as it is fed."""
    fed = 0

    def transform(path: Path) -> dict:
        nonlocal fed
        inputs = calibration.inputs_for(path)
        fed += 1
        emit({"fed": fed})
        return inputs

    return transform


def answer_stream() -> TextIO:
    """The parent's channel (this process's stdout as started), while stdout itself now goes to
    stderr: NNCF logs and draws its progress on stdout, and its lines must not be read as answers."""
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1, encoding="utf-8")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return answers


def drop_when_let_go(temporary: Path) -> threading.Thread:
    """The parent closes this process's stdin once it has renamed the IR it was told of (or given
    up on it), and the system closes it when the parent dies (the window killed, the terminal
    closed): then whatever is still under the temporary name goes, and this process ends, at once
    if it was still quantizing, with the processes it started (`end_process_group`).

    The pipe is read from a descriptor of its own, and stdin becomes the null device: a thread
    blocked in `sys.stdin.read()` holds the stream's lock, and a process forked meanwhile
    (OpenVINO's and NNCF's telemetry fork one per event) closes `sys.stdin` as it starts and
    waits on that lock for ever."""
    let_go = os.dup(sys.stdin.fileno())
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, sys.stdin.fileno())
    os.close(null)

    def watch() -> None:
        while os.read(let_go, 4096):
            pass
        for path in (temporary, temporary.with_suffix(".bin")):
            path.unlink(missing_ok=True)
        end_process_group()

    watcher = threading.Thread(target=watch, name="ovgui-quantize-stdin", daemon=True)
    watcher.start()
    return watcher


def end_process_group() -> None:
    """This process and every process it forked (telemetry senders, which hold copies of the
    parent's pipes) end now: the parent started this one as the leader of a process group of its own."""
    if hasattr(os, "killpg"):
        os.killpg(os.getpgrp(), signal.SIGKILL)
    os._exit(0)


def main(argv: list[str]) -> int:
    answers = answer_stream()
    request = json.loads(argv[0])
    watcher = drop_when_let_go(Path(request["temporary"]))

    def emit(message: dict[str, Any]) -> None:
        answers.write(json.dumps(message) + "\n")

    try:
        emit({"done": quantize_here(request, emit)})
    except OvguiError as error:
        emit({"error": str(error)})
    except Exception as error:  # noqa: BLE001 - NNCF's and OpenVINO's failures: one line up, the traceback to the log
        traceback.print_exc()
        reason = openvino_message(error) if isinstance(error, RuntimeError) else first_line(error)
        emit({"error": f"quantization failed: {reason}"})
    watcher.join()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The latency ladder, "From PyTorch to OpenVINO": the steps from a model as a training framework
leaves it to a tuned OpenVINO deployment, each step one configuration of a comparison.

After OpenVINO's tutorial that times YOLOv5n in PyTorch, then in OpenVINO from ONNX, as IR, then
with shared memory, more threads and the LATENCY hint.  The ladder is built from whatever the user
gave; each OpenVINO step changes one thing from the step before, so a row's speed-up over the row
above is what that one change bought:

1. **PyTorch**: the .pt/.pt2 file run by PyTorch (a PyTorch model only).
2. **ONNX Runtime**: the .onnx file: the model itself, the .onnx beside an IR of the same name, or
   the PyTorch model exported with `torch.onnx.export` (the TorchScript exporter, `dynamo=False`:
   the dynamo exporter needs onnxscript; both need the `onnx` package).
3. **OpenVINO (.suffix)**: OpenVINO on the file as given (a PyTorch file is converted at every
   start, in its own 'convert' phase), with no performance hint (`hint none`: the device's own
   default), the input copied at every inference (`shared_memory` off, as naive code does) and the
   device's default thread count.
4. **OpenVINO (IR)**: the same on the IR ovgui saved (`openvino.save_model`, FP16 weights).
5. **+ shared memory**: the input buffer shared with OpenVINO instead of copied.
6. **+ threads**: INFERENCE_NUM_THREADS set to the physical core count.
7. **+ LATENCY hint**: PERFORMANCE_HINT LATENCY.
8. **+ model cache (first compile, writes it)**: CACHE_DIR, emptied first: this compile writes it.
9. **+ model cache (loaded from it)**: the same folder: this compile loads what step 8 wrote.

Every step runs in latency mode (one synchronous inference at a time) without per-layer counters
(PERF_COUNT costs time in every inference; the tutorial times without it).  A step that cannot be
made (no ONNX file, torch cannot export the model, the model already an IR) is left out with a
one-line note.  The files the ladder makes are kept under the user's cache folder, one folder per
model file content (``~/.cache/ovgui/ladder/<name>-<hash>``), and reused by the next ladder.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import secrets
import shutil
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import openvino as ov
import psutil

from ovgui.core import events
from ovgui.core.blocking import call
from ovgui.core.compare import Configured, Variant, ignore_event, run_variants
from ovgui.core.decoders.families import guess_family
from ovgui.core.devices import shared_core
from ovgui.core.engines.capabilities import fixed_values, missing_extra
from ovgui.core.errors import OvguiError, RunCancelled, first_line
from ovgui.core.inputs import open_source
from ovgui.core.model import MODEL_FORMATS, check_model_path, read_model
from ovgui.core.options import RunConfig, format_value, make_config
from ovgui.core.preprocess import chosen_values, fix_input_shapes, recipe_for
from ovgui.core.roofline import default_cache_dir
from ovgui.core.runner import RunRequest, declared_outputs
from ovgui.core.save_ir import save_as_ir
from ovgui.core.torch_model import TORCH_STATE, import_torch, is_torch_file, load_torch_model, quiet

LADDER = "ladder"
"""The name `--compare` takes for the ladder (a file of that name is read as ``./ladder``)."""
HASH_CHUNK_BYTES = 1 << 20
HASH_DIGITS = 16
PER_STEP = {"mode": "latency", "perf_counters": False, "engine": "openvino", "hint": None, "nstreams": None,
            "nireq": None, "nthreads": None, "cache_dir": None, "shared_memory": True}
"""What every step starts from: the settings the ladder steps through, at their defaults."""
NAIVE = {"hint": "none", "shared_memory": False}
"""OpenVINO's first steps: no hint, the input copied at every inference."""
IR_SUFFIX = ".xml"


def is_ladder(compare: str | Path) -> bool:
    """Whether `--compare` names the ladder rather than a configurations file: the bare word only."""
    return str(compare) == LADDER


def ladder_root() -> Path:
    return default_cache_dir() / "ladder"


@dataclass(frozen=True)
class Files:
    """What the ladder runs: the user's model, the IR (None when the model is one already), the
    ONNX file (None when there is none), the empty model cache folder for the cache steps, and
    the preprocessing every step is given (`pinned_preprocessing`)."""

    model: Path
    ir: Path | None
    onnx: Path | None
    cache: Path
    preprocessing: dict[str, Any]


def run_ladder(
    base: RunRequest,
    on_event: Callable[[str, events.Event], None] = ignore_event,
    cancel: threading.Event | None = None,
    live: Callable[[], events.LiveData] = events.LiveData,
    root: Path | None = None,
) -> Iterator[Configured]:
    """The ladder's files made (or found), then each step as `run_variants` runs configurations.

    The preparation is followed as a run of its own (`live` once), so a window shows it is busy;
    its notes come as events.  A stop during it raises `RunCancelled`: nothing was measured."""
    cancel = cancel or threading.Event()
    live()
    tell = partial(_tell, partial(on_event, LADDER))
    files = prepare_files(base, tell, cancel, root or ladder_root())
    request = replace(base, config=make_config({**PER_STEP, **files.preprocessing}, base.config))
    yield from run_variants(request, ladder_steps(request, files, tell), on_event, cancel, live)


def _tell(emit: events.EventCallback, text: str) -> None:
    emit(events.Note(f"ladder: {text}"))


def prepare_files(base: RunRequest, tell: Callable[[str], None], cancel: threading.Event, root: Path) -> Files:
    model = check_model_path(base.model_path).resolve()
    folder = root / f"{model.stem}-{content_hash(model, cancel)}"
    folder.mkdir(parents=True, exist_ok=True)
    tell(f"its files are in {folder}")
    ir = None if model.suffix.lower() == IR_SUFFIX else saved_ir(model, folder, tell, cancel)
    onnx = onnx_file(base, model, ir, folder, tell, cancel)
    cache = folder / "model-cache"
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir()
    preprocessing = pinned_preprocessing(base.config, model, ir or model)
    tell(f"every step is fed the image as the {MODEL_FORMATS[model.suffix.lower()]} file is: "
         f"{', '.join(f'{name} {format_value(value)}' for name, value in preprocessing.items())}")
    return Files(model, ir, onnx, cache, preprocessing)


def pinned_preprocessing(config: RunConfig, model: Path, readable: Path) -> dict[str, Any]:
    """Colour order, mean, scale and resize as a run of the user's file chooses them (their own
    settings, else what the model states, else its family's or its format's guess), for every step:
    the saved IR alone would be guessed as an Open Model Zoo IR (raw BGR), and the ONNX export
    states nothing.  `readable` is the IR when there is one: it states what the file stated, without
    converting a PyTorch file again (the file itself when no IR could be saved).  An empty mean or
    scale is written as the identity."""
    graph = read_model(shared_core(), readable)
    family = config.decoder if config.decoder not in ("auto", "none") else guess_family(declared_outputs(graph))
    chosen, _sources = chosen_values(recipe_for(family, MODEL_FORMATS[model.suffix.lower()], graph), config)
    return {"color_order": chosen.color_order.lower(), "mean": list(chosen.mean) or [0.0],
            "scale": list(chosen.scale) or [1.0], "resize": chosen.resize.lower()}


def content_hash(path: Path, cancel: threading.Event) -> str:
    """The file's SHA-256 (its first digits): the same model file finds the same folder, wherever it moved."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(HASH_CHUNK_BYTES):
            if cancel.is_set():
                raise RunCancelled("ladder stopped while reading the model file")
            digest.update(chunk)
    return digest.hexdigest()[:HASH_DIGITS]


def saved_ir(model: Path, folder: Path, tell: Callable[[str], None], cancel: threading.Event) -> Path | None:
    """The IR of `model`, saved once into `folder`; None (with a note) when OpenVINO cannot save it."""
    target = folder / f"{model.stem}{IR_SUFFIX}"
    if target.is_file() and target.with_suffix(".bin").is_file():
        tell(f"IR {target.name} reused (saved by an earlier ladder)")
        return target
    tell(f"saving {model.name} as IR (openvino.save_model, FP16 weights)…")
    try:
        saved = placed(target, (".bin", IR_SUFFIX), lambda out: save_as_ir(model, out), cancel, "saving the IR")
    except RunCancelled:
        raise
    except OvguiError as error:
        tell(f"the IR steps run on {model.name} itself: {error}")
        return None
    tell(f"IR saved in {saved.read_s + saved.write_s:.2f} s: {target}")
    return target


def placed(target: Path, suffixes: tuple[str, ...], write: Callable[[Path], Any], cancel: threading.Event,
           doing: str) -> Any:
    """`write(path)` into a folder of its own beside `target`, then each file (by `suffixes`, the
    one whose presence means "complete" last) moved into place: a stopped or failed write never
    leaves a half-written file where the next ladder would take it for done."""
    scratch = target.parent / f".partial-{secrets.token_hex(4)}"
    scratch.mkdir()
    out = scratch / target.name
    try:
        result = call(lambda: write(out), cancel, name="ovgui-ladder", stopped=f"ladder stopped while {doing}")
    except RunCancelled:
        raise  # the write goes on, walked away from, in its own folder
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    for suffix in suffixes:
        if out.with_suffix(suffix).exists():
            os.replace(out.with_suffix(suffix), target.with_suffix(suffix))
    shutil.rmtree(scratch, ignore_errors=True)
    return result


def onnx_file(base: RunRequest, model: Path, ir: Path | None, folder: Path, tell: Callable[[str], None],
              cancel: threading.Event) -> Path | None:
    """The ONNX file the ONNX Runtime step runs, or None with the note that says why there is none."""
    missing = missing_extra("onnxruntime")
    if missing:
        tell(f"no ONNX Runtime step: {missing}")
        return None
    if model.suffix.lower() == ".onnx":
        return model
    beside = model.with_suffix(".onnx")
    if model.suffix.lower() == IR_SUFFIX and beside.is_file():
        tell(f"ONNX Runtime runs {beside.name}, the ONNX file beside the IR (taken to be the same model)")
        return beside
    if not is_torch_file(model):
        tell(f"no ONNX Runtime step: {model.name} is neither ONNX nor PyTorch, and no {beside.name} is beside it")
        return None
    if ir is None:
        tell("no ONNX Runtime step: exporting needs the input shapes, read from the IR, which could not be saved")
        return None
    try:
        return exported_onnx(base, model, ir, folder, tell, cancel)
    except RunCancelled:
        raise
    except OvguiError as error:
        tell(f"no ONNX Runtime step: {error}")
        return None


def exported_onnx(base: RunRequest, model: Path, ir: Path, folder: Path, tell: Callable[[str], None],
                  cancel: threading.Event) -> Path:
    """`torch.onnx.export` of the PyTorch model with inputs of the shapes the OpenVINO steps run."""
    if importlib.util.find_spec("onnx") is None:
        raise OvguiError("torch.onnx.export needs the onnx package: pip install onnx")
    shapes = run_input_shapes(base, ir)
    target = folder / f"{model.stem}-{'-'.join('x'.join(map(str, shape)) for shape, _dtype in shapes)}.onnx"
    if target.is_file():
        tell(f"ONNX file {target.name} reused (exported by an earlier ladder)")
        return target
    tell(f"exporting {model.name} to ONNX (torch.onnx.export)…")
    placed(target, (".onnx",), lambda out: export_onnx(model, shapes, out), cancel, "exporting to ONNX")
    tell(f"exported: {target}")
    return target


def run_input_shapes(base: RunRequest, ir: Path) -> list[tuple[list[int], np.dtype]]:
    """Each input's shape and type as an OpenVINO step of this request runs it (the user's shapes,
    else the image's size for a dynamic one), read from the IR."""
    source = open_source([base.image_path, *base.more_images], base.config.frames, base.config.stride)
    first = next(source.frames(), None)
    if first is None:
        raise OvguiError(f"{source.description} holds no image to size the export by")
    model = shared_core().read_model(str(ir))
    fix_input_shapes(model, first.image, base.config)
    return [([d.get_length() for d in port.get_partial_shape()], port.get_element_type().to_dtype())
            for port in model.inputs]


def export_onnx(model: Path, shapes: list[tuple[list[int], np.dtype]], out: Path) -> None:
    """The TorchScript exporter: the dynamo one needs onnxscript.  PRESERVE, because an
    ExportedProgram's module refuses `train()`, and both formats come in eval mode already."""
    torch = import_torch()
    module = load_torch_model(model).module
    random = np.random.default_rng(0)
    inputs = tuple(torch.from_numpy(random.random(shape).astype(dtype)) for shape, dtype in shapes)
    try:
        with TORCH_STATE, quiet(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(module, inputs, str(out), dynamo=False, training=torch.onnx.TrainingMode.PRESERVE)
    except Exception as error:  # noqa: BLE001 - the exporter raises anything a model trips in it
        raise OvguiError(f"torch.onnx.export cannot export {model.name}: {first_line(error)}") from None


def ladder_steps(request: RunRequest, files: Files, tell: Callable[[str], None]) -> list[Variant]:
    """The configurations, in order, each with the note that says what it changes."""
    return [*framework_steps(files), *openvino_steps(request, files, tell)]


def framework_steps(files: Files) -> list[Variant]:
    steps = []
    if is_torch_file(files.model):
        steps.append(Variant("PyTorch", {"engine": "pytorch", **fixed_values("pytorch")}, str(files.model),
                             f"PyTorch runs {files.model.name} (its own module, torch.inference_mode) on the CPU"))
    if files.onnx is not None:
        steps.append(Variant("ONNX Runtime", {"engine": "onnxruntime", **fixed_values("onnxruntime")}, str(files.onnx),
                             f"ONNX Runtime's CPU session on {files.onnx.name}, the input prepared on the host"))
    return steps


def openvino_steps(request: RunRequest, files: Files, tell: Callable[[str], None]) -> list[Variant]:
    """OpenVINO on the file as given, then on the IR, each step adding one change to the one before."""
    device = request.config.device
    default = device_default_hint(device)
    deployed = str(files.ir or files.model)
    converted = "converted by OpenVINO at every start (the Convert column)" if is_torch_file(files.model) else \
        "read by OpenVINO (a non-IR file is converted while it is read)"
    steps = [Variant(f"OpenVINO ({files.model.suffix.lower()})", NAIVE, str(files.model),
                     f"{files.model.name} {converted}; no performance hint (OpenVINO's default on {device}: "
                     f"{default or 'unknown'}), the input copied at every inference, the default thread count")]
    if files.ir is not None:
        steps.append(Variant("OpenVINO (IR)", NAIVE, deployed,
                             f"the IR saved with FP16 weights ({files.ir}): nothing to convert at start"))
    elif files.model.suffix.lower() == IR_SUFFIX:
        tell(f"no separate IR step: {files.model.name} is an IR already")
    changes = {**NAIVE, "shared_memory": True}
    steps.append(Variant("+ shared memory", changes, deployed,
                         "the input buffer shared with OpenVINO instead of copied at every inference"))
    if device.upper().startswith("CPU"):
        threads = psutil.cpu_count(logical=False) or os.cpu_count() or 1
        changes = {**changes, "nthreads": threads}
        steps.append(Variant(f"+ threads = {threads} cores", changes, deployed, f"INFERENCE_NUM_THREADS {threads}, "
                             "the physical cores; the Threads column shows what the rows before used"))
    else:
        tell(f"no threads step: INFERENCE_NUM_THREADS is the CPU's setting, not {device}'s")
    changes = {**changes, "hint": "latency"}
    steps.append(Variant("+ LATENCY hint", changes, deployed, latency_hint_note(device, default)))
    changes = {**changes, "cache_dir": str(files.cache)}
    return [*steps,
            Variant("+ model cache (first compile, writes it)", changes, deployed,
                    f"CACHE_DIR {files.cache}, emptied before the ladder: this compile writes the cache"),
            Variant("+ model cache (loaded from it)", changes, deployed,
                    "the same CACHE_DIR: this compile loads what the row before wrote (the Cache column says which did)")]


def device_default_hint(device: str) -> str:
    """The PERFORMANCE_HINT the device uses when none is given, as it reports it; "" if it does not say."""
    try:
        value = shared_core().get_property(device, "PERFORMANCE_HINT")
    except (RuntimeError, TypeError):
        return ""
    return str(getattr(value, "name", value))


def latency_hint_note(device: str, default: str) -> str:
    version = ov.get_version().split("-")[0]
    if default == "LATENCY":
        return (f"PERFORMANCE_HINT LATENCY; OpenVINO {version} on {device} already uses LATENCY without a hint, "
                "so this step changes nothing here")
    return f"PERFORMANCE_HINT LATENCY; without a hint OpenVINO {version} on {device} uses {default or 'its own default'}"

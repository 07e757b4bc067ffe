"""The report: one schema for what a profiling run measured.

The GUI, the CLI printer, the JSON/CSV exports and (later) imports and
comparisons all read these dataclasses, so a field added here shows up
everywhere.  JSON is the dataclasses' own shape (``dataclasses.asdict``), and
`Report.from_dict` rebuilds it exactly, so a saved report reopens unchanged.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import MISSING, asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

import numpy as np

from ovgui.core.errors import OvguiError

SCHEMA_VERSION = 2


@dataclass
class TensorInfo:
    name: str
    shape: str
    element_type: str
    names: list[str] = field(default_factory=list)


@dataclass
class ModelInfo:
    path: str
    format: str
    file_size_bytes: int
    inputs: list[TensorInfo] = field(default_factory=list)
    outputs: list[TensorInfo] = field(default_factory=list)
    is_demo: bool = False


@dataclass
class DeviceInfo:
    name: str
    full_name: str


@dataclass
class ImageInfo:
    path: str
    width: int
    height: int
    channels: int
    dtype: str


@dataclass
class RunConfig:
    """What the user asked for; `None` means "let ovgui / OpenVINO choose"."""

    device: str = "CPU"
    mode: str = "latency"
    iterations: int | None = 100
    duration_s: float | None = None
    hint: str | None = None
    precision: str | None = None
    nireq: int | None = None
    nstreams: int | None = None
    nthreads: int | None = None
    cache_dir: str | None = None
    shared_memory: bool = True
    decoder: str = "auto"
    threshold: float | None = None
    nms_iou: float = 0.45
    labels_path: str | None = None
    decoder_file: str | None = None
    decoder_timeout_s: float = 5.0
    min_area_px: float = 16.0
    map_channel: int = 0
    map_output: str | None = None
    layout: str | None = None
    color_order: str | None = None
    mean: list[float] | None = None
    scale: list[float] | None = None
    resize: str | None = None
    input_shape: list[int] | None = None
    perf_counters: bool = True
    preprocess: str = "host"
    engine: str = "openvino"
    frames: int | None = None
    stride: int = 1
    roofline: bool = True
    inter_op_threads: int | None = None
    graph_optimization: str | None = None
    execution_mode: str | None = None


@dataclass
class EngineInfo:
    """Which inference engine ran the model: its name and version, and where it ran (OpenVINO's
    execution devices, or ONNX Runtime's execution providers)."""

    name: str = "OpenVINO"
    version: str = ""
    providers: list[str] = field(default_factory=list)


@dataclass
class PreprocessInfo:
    """What preprocessing was actually applied (after family defaults and overrides)."""

    input_name: str = ""
    input_shape: list[int] = field(default_factory=list)
    model_layout: str = ""
    color_order: str = "bgr"
    mean: list[float] = field(default_factory=list)
    scale: list[float] = field(default_factory=list)
    resize: str = "stretch"
    family: str = ""
    mode: str = "host"
    batch: int = 1


@dataclass
class CompiledSettings:
    """What OpenVINO actually chose, read back from the compiled model (not what was asked)."""

    performance_hint: str = ""
    num_streams: int = 0
    inference_num_threads: int = 0
    inference_precision: str = ""
    optimal_requests: int = 0
    requests_used: int = 1
    execution_devices: list[str] = field(default_factory=list)
    loaded_from_cache: bool = False


@dataclass
class Timings:
    read_model: float = 0.0
    compile: float = 0.0
    first_inference: float = 0.0


@dataclass
class LatencyStats:
    samples: list[float] = field(default_factory=list)
    median: float = 0.0
    mean: float = 0.0
    min: float = 0.0
    max: float = 0.0
    p90: float = 0.0
    p99: float = 0.0
    end_times_s: list[float] = field(default_factory=list)

    @classmethod
    def from_samples(cls, samples_ms: list[float]) -> "LatencyStats":
        if not samples_ms:
            return cls()
        values = np.asarray(samples_ms, dtype=np.float64)
        return cls(
            samples=[float(v) for v in values],
            median=float(np.median(values)),
            mean=float(values.mean()),
            min=float(values.min()),
            max=float(values.max()),
            p90=float(np.percentile(values, 90)),
            p99=float(np.percentile(values, 99)),
        )


@dataclass
class LayerStats:
    index: int
    name: str
    type: str
    exec_type: str
    status: str
    real_time_ms: float
    real_time_median_ms: float | None
    cpu_time_ms: float
    share: float
    runtime_precision: str = ""
    output_layouts: str = ""
    original_layers: list[str] = field(default_factory=list)
    first_inference_ms: float | None = None
    role: str = "model"
    flops: float | None = None
    gflops_per_s: float | None = None
    bytes_read: int | None = None
    bytes_written: int | None = None
    efficiency: float | None = None

    @property
    def arithmetic_intensity(self) -> float | None:
        """Operations per byte moved (None when either is unknown or nothing moved)."""
        moved = (self.bytes_read or 0) + (self.bytes_written or 0)
        return self.flops / moved if self.flops is not None and moved > 0 else None

    @property
    def executed(self) -> bool:
        return self.status == "EXECUTED"

    @property
    def is_preprocessing(self) -> bool:
        return self.role == "preprocess"


@dataclass
class LayerTypeTotal:
    type: str
    count: int
    real_time_ms: float
    share: float


@dataclass
class ProfileSummary:
    """What the per-layer figures are, how they relate to the measured latency, and what reading them cost.

    `counters` is what the engine's counters turned out to hold: "aggregate" (a running mean since
    compile, as OpenVINO's CPU plugin keeps) or "per_inference" (the latest inference only).
    `layers_sum_ms` is the model's layers only; layers that in-graph preprocessing added are in
    `preprocess_sum_ms`.
    """

    iterations_profiled: int = 0
    layers_sum_ms: float = 0.0
    latency_median_ms: float = 0.0
    collection_cost_ms: float = 0.0
    counters: str = ""
    excludes_first_inference: bool = False
    rounding_error_ms: float = 0.0
    method: str = ""
    distributions: bool = False
    preprocess_sum_ms: float = 0.0


@dataclass
class MemoryPhase:
    name: str
    start_s: float
    end_s: float
    rss_start_mib: float
    rss_end_mib: float
    rss_delta_mib: float


@dataclass
class MemoryReport:
    samples: list[list[float]] = field(default_factory=list)
    phases: list[MemoryPhase] = field(default_factory=list)
    peak_mib: float = 0.0
    peak_t_s: float = 0.0


@dataclass
class Detection:
    class_id: int
    label: str
    score: float
    box: list[float]


@dataclass
class ClassScore:
    class_id: int
    label: str
    score: float


@dataclass
class DecoderInfo:
    name: str = "none"
    note: str = ""


# --- Model outputs: statistics, segmentation shares, drift between runs (issue 13) ---


@dataclass
class OutputStats:
    """What one output tensor held after the first inference, so any model's result can be looked at.

    min/max/mean/std cover the finite values only (None when there are none); `nan` and `inf`
    count the rest.  `values` keeps small tensors (at most 64 elements, see `ovgui.core.outputs`) in full, None
    when the tensor is larger; a non-finite element is None there (JSON has no NaN).
    """

    name: str
    shape: list[int]
    element_type: str
    min: float | None = None
    max: float | None = None
    mean: float | None = None
    std: float | None = None
    nan: int = 0
    inf: int = 0
    histogram_edges: list[float] = field(default_factory=list)
    histogram_counts: list[int] = field(default_factory=list)
    values: list[float | None] | None = None
    names: list[str] = field(default_factory=list)


@dataclass
class ClassShare:
    """One class of a class map: how much of the photo it covers (0..1)."""

    class_id: int
    label: str
    share: float


@dataclass
class OutputDrift:
    """How far one output moved between two runs of the same model (reference first).

    `Report.drift` holds a comparison run's drift against the comparison's first configuration
    (empty outside comparisons).

    `compared` is False when the shapes differ (e.g. a detector returning another row count);
    `note` then says why.  `nonfinite_mismatch` counts elements that are NaN/inf in one run and
    not the same in the other; the figures cover the elements finite in both.
    """

    name: str
    shape: list[int]
    compared: bool = True
    max_abs_diff: float = 0.0
    mean_abs_diff: float = 0.0
    cosine_similarity: float = 1.0
    nonfinite_mismatch: int = 0
    note: str = ""


@dataclass
class PipelineTimes:
    """Where one frame's time went, in ms: reading it, turning it into the input tensor, the
    inference (the engine's own latency) and turning the outputs into boxes or classes."""

    decode: float = 0.0
    preprocess: float = 0.0
    infer: float = 0.0
    postprocess: float = 0.0

    @property
    def total(self) -> float:
        return self.decode + self.preprocess + self.infer + self.postprocess


@dataclass
class FrameResult:
    """One image of a set, or one frame of a video: what the model found and what it cost."""

    index: int
    source: str
    width: int
    height: int
    latency_ms: float
    wall_ms: float
    pipeline_ms: PipelineTimes = field(default_factory=PipelineTimes)
    detections: list[Detection] = field(default_factory=list)
    classes: list[ClassScore] = field(default_factory=list)


@dataclass
class ClassCount:
    label: str
    count: int


@dataclass
class FrameSetSummary:
    """A set of images or a video run once, frame by frame, through one compiled model.

    `end_to_end_fps` is frames over the whole pass (decode to boxes); `inference_fps` is what
    the model alone could do: 1000 / the mean inference latency, times the requests in flight in
    throughput mode (an estimate there); the gap is what the rest of the pipeline costs.
    """

    kind: str = "images"
    source: str = ""
    inputs: list[str] = field(default_factory=list)
    frames: int = 0
    skipped: list[str] = field(default_factory=list)
    total_s: float = 0.0
    end_to_end_fps: float = 0.0
    inference_fps: float = 0.0
    pipeline_median_ms: PipelineTimes = field(default_factory=PipelineTimes)
    class_histogram: list[ClassCount] = field(default_factory=list)


@dataclass
class EnvironmentInfo:
    """The software and machine a run was measured on, so two reports can be told apart later."""

    ovgui: str = ""
    openvino: str = ""
    python: str = ""
    os: str = ""
    cpu: str = ""


@dataclass
class Roofline:
    """What the device can do at the run's precision and thread count, measured once (ovgui.core.roofline)."""

    device: str
    precision: str
    threads: int
    openvino_version: str
    gflops_per_s: float
    gbytes_per_s: float | None = None
    method: str = ""

    @property
    def ridge_intensity(self) -> float | None:
        """Operations per byte where the memory roof meets the compute roof."""
        return self.gflops_per_s / self.gbytes_per_s if self.gbytes_per_s else None


@dataclass
class Report:
    model: ModelInfo
    device: DeviceInfo
    config: RunConfig
    image: ImageInfo | None = None
    engine: EngineInfo = field(default_factory=EngineInfo)
    preprocess: PreprocessInfo = field(default_factory=PreprocessInfo)
    compiled: CompiledSettings = field(default_factory=CompiledSettings)
    timings_ms: Timings = field(default_factory=Timings)
    latency_ms: LatencyStats = field(default_factory=LatencyStats)
    throughput_fps: float = 0.0
    completed: bool = True
    layers: list[LayerStats] = field(default_factory=list)
    layer_types: list[LayerTypeTotal] = field(default_factory=list)
    profile: ProfileSummary = field(default_factory=ProfileSummary)
    memory: MemoryReport = field(default_factory=MemoryReport)
    decoder: DecoderInfo = field(default_factory=DecoderInfo)
    detections: list[Detection] = field(default_factory=list)
    classes: list[ClassScore] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    environment: EnvironmentInfo = field(default_factory=EnvironmentInfo)
    per_image: list[FrameResult] = field(default_factory=list)
    frame_set: FrameSetSummary | None = None
    flops_total: float | None = None
    rooflines: list[Roofline] = field(default_factory=list)  # the run's precision first
    schema_version: int = SCHEMA_VERSION
    outputs: list[OutputStats] = field(default_factory=list)
    segments: list[ClassShare] = field(default_factory=list)
    drift: list[OutputDrift] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {"schema_version": data.pop("schema_version"), **data}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, allow_nan=False, default=_finite)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Report":
        """Every value is checked against the schema; a wrong one raises `SchemaError` naming it.
        A report from a newer ovgui keeps what this version knows, with a note that says so."""
        if not isinstance(data, dict) or not {"model", "device", "config"} <= data.keys():
            raise SchemaError("it has no model, device and config sections")
        version = data.get("schema_version", 1)
        newer = isinstance(version, int) and version > SCHEMA_VERSION
        try:
            report = _build(cls, data, "report")
        except SchemaError as error:
            if newer:
                raise SchemaError(f"{error} (written by a newer ovgui: schema {version}, this one reads {SCHEMA_VERSION})") from None
            raise
        if newer:
            report.notes.insert(0, newer_schema_note(version))
        return report

    @classmethod
    def from_json(cls, text: str) -> "Report":
        return cls.from_dict(json.loads(text))

    @classmethod
    def load(cls, path: str | Path) -> "Report":
        """A saved report, or one line on why the file is not one."""
        path = Path(path)
        try:
            return cls.from_json(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise OvguiError(f"report not found: {path}") from None
        except SchemaError as error:
            raise OvguiError(f"{path.name}: {error}") from None
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise OvguiError(f"{path.name} is not an ovgui report: {error}") from None

    def save_json(self, path: str | Path) -> None:
        try:
            text = self.to_json()
        except ValueError as error:
            raise OvguiError(f"cannot write the report: {error}") from None
        Path(path).write_text(text, encoding="utf-8")

    @property
    def from_newer_ovgui(self) -> bool:
        return self.schema_version > SCHEMA_VERSION

    def layers_csv(self) -> str:
        return layers_to_csv(self.layers)

    def per_image_csv(self) -> str:
        return frames_to_csv(self.per_image)


LAYER_CSV_COLUMNS = [f.name for f in fields(LayerStats)]


def layers_to_csv(layers: list[LayerStats]) -> str:
    """Per-layer CSV with the same column names as the JSON layer records."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(LAYER_CSV_COLUMNS)
    for layer in layers:
        writer.writerow([_csv_cell(getattr(layer, name)) for name in LAYER_CSV_COLUMNS])
    return out.getvalue()


FRAME_CSV_COLUMNS = ["index", "source", "width", "height", "latency_ms", "wall_ms", "decode_ms", "preprocess_ms",
                     "infer_ms", "postprocess_ms", "detections", "top_label", "top_score"]


def frames_to_csv(frames: list[FrameResult]) -> str:
    """One row per image or frame: where its time went, and its top result (box count and best
    box, or the top class)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FRAME_CSV_COLUMNS)
    for frame in frames:
        best = max(frame.detections, key=lambda d: d.score, default=None) or (frame.classes[0] if frame.classes else None)
        times = frame.pipeline_ms
        writer.writerow([
            frame.index, frame.source, frame.width, frame.height, frame.latency_ms, frame.wall_ms, times.decode,
            times.preprocess, times.infer, times.postprocess, len(frame.detections),
            best.label if best else "", best.score if best else "",
        ])
    return out.getvalue()


def _csv_cell(value: Any) -> Any:
    return ";".join(value) if isinstance(value, list) else value


def _finite(value: Any) -> Any:
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    raise TypeError(f"cannot serialise {type(value).__name__}")


class SchemaError(ValueError):
    """A value in a saved report that does not fit the schema, with where it is."""


def newer_schema_note(version: int) -> str:
    return f"written by a newer ovgui (report schema {version}, this one reads {SCHEMA_VERSION}): fields it does not know are left out"


def _build(kind: Any, data: Any, where: str) -> Any:
    """Rebuild a (possibly nested, possibly optional) dataclass value from JSON data, checking types."""
    origin = get_origin(kind)
    if origin is list:
        if not isinstance(data, list):
            raise SchemaError(f"{where} should be a list, not {_shown(data)}")
        (item,) = get_args(kind)
        return [_build(item, value, f"{where}[{i}]") for i, value in enumerate(data)]
    if origin is not None:  # Optional[X] / X | None
        if data is None and type(None) in get_args(kind):
            return None
        options = [arg for arg in get_args(kind) if arg is not type(None)]
        return _build(options[0], data, where)
    if is_dataclass(kind):
        return _build_dataclass(kind, data, where)
    return _checked_scalar(kind, data, where)


def _build_dataclass(kind: Any, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise SchemaError(f"{where} should be an object, not {_shown(data)}")
    hints = get_type_hints(kind)
    known = {f.name: f for f in fields(kind)}
    required = [name for name, f in known.items() if f.default is MISSING and f.default_factory is MISSING]
    missing = [name for name in required if name not in data]
    if missing:
        raise SchemaError(f"{where}.{missing[0]} is missing")
    return kind(**{k: _build(hints[k], v, f"{where}.{k}") for k, v in data.items() if k in known})


SCALARS = {float: "a number", int: "a whole number", str: "text", bool: "true or false"}


def _checked_scalar(kind: Any, data: Any, where: str) -> Any:
    if kind is Any or kind not in SCALARS:
        return data
    if kind is float and isinstance(data, (int, float)) and not isinstance(data, bool) and math.isfinite(data):
        return float(data)
    if kind is int and isinstance(data, int) and not isinstance(data, bool):
        return data
    if kind in (str, bool) and isinstance(data, kind):
        return data
    raise SchemaError(f"{where} should be {SCALARS[kind]}, not {_shown(data)}")


def _shown(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:39] + "…"

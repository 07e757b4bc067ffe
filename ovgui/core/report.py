"""The report: one schema for what a profiling run measured.

The GUI, the CLI printer, the JSON/CSV exports and (later) imports and
comparisons all read these dataclasses, so a field added here shows up
everywhere.  JSON is the dataclasses' own shape (``dataclasses.asdict``), and
`Report.from_dict` rebuilds it exactly (checked by `ovgui.core.schema`), so a
saved report reopens unchanged.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, get_type_hints

import numpy as np

from ovgui.core.engines.capabilities import name_of
from ovgui.core.errors import OvguiError
from ovgui.core.files import parse_json, read_text_limited, write_text_atomic
from ovgui.core.options import RunConfig
from ovgui.core.precision import ran_at
from ovgui.core.schema import MAX_NUMBER, SchemaError, decode, shown

SCHEMA_VERSION = 2


@dataclass
class TensorInfo:
    name: str
    shape: str
    element_type: str
    names: list[str] = field(default_factory=list)
    layout: str = ""
    """The layout the model declares for the tensor (``[N,C,H,W]``), empty when it declares none."""


@dataclass
class ModelInfo:
    path: str
    format: str
    file_size_bytes: int
    inputs: list[TensorInfo] = field(default_factory=list)
    outputs: list[TensorInfo] = field(default_factory=list)
    is_demo: bool = False
    source_path: str = ""
    """The file this IR was made from when ovgui wrote it (an INT8 copy, an FP16 IR); "" otherwise."""


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
class EngineInfo:
    """Which inference engine ran the model: its name as `--engine` spells it ("openvino",
    "onnxruntime", "pytorch"; `capabilities.label_of` gives what the window shows), its version,
    and where it ran (OpenVINO's execution devices, ONNX Runtime's execution providers, PyTorch's
    CPU).  Reports written before the name was recorded this way hold the label ("OpenVINO"),
    which reading them turns into the name."""

    name: str = "openvino"
    version: str = ""
    providers: list[str] = field(default_factory=list)


@dataclass
class InputFeed:
    """What one model input was fed: `source` is a short text such as `image bus.jpg`, `npy pose.npy`,
    `const 0` or `random[0,255] seed 0`; `shape` is the model input's shape in the run."""

    name: str
    element_type: str
    shape: list[int] = field(default_factory=list)
    layout: str = ""
    source: str = ""


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
    substitutions: list[str] = field(default_factory=list)
    """Each way an input was not fed the photo as such (zeros, the same photo to several inputs, a
    repeated batch), one line each, for the window to show beside the photo."""
    inputs: list[InputFeed] = field(default_factory=list)
    """Every model input and its data, in the model's order (empty in reports from before issue 21)."""
    sources: dict[str, str] = field(default_factory=dict)
    """Where each value came from, by field name (color_order, mean, scale, resize, layout,
    input_shape): "set by you", "from the model's rt_info (…)", "guessed: …".  Empty in reports
    written before ovgui read the model's own metadata."""


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
    input_shapes: dict[str, str] = field(default_factory=dict)
    """Each input's shape as compiled (``[1,3,?,?]`` for a dynamic one, ``[1,3,320..1280,…]``
    bounded); empty in older reports and for engines that do not say."""


@dataclass
class Timings:
    """Each phase's wall time in ms; `convert` is OpenVINO's conversion of a PyTorch model (0 for
    other files); `release` freeing the compiled model after the run (0 in older reports)."""

    read_model: float = 0.0
    convert: float = 0.0
    compile: float = 0.0
    first_inference: float = 0.0
    release: float = 0.0


@dataclass
class LatencyStats:
    """Per-iteration latencies and their statistics.

    `history` says what `samples` holds: "all" (every iteration, in order) or "reservoir" (a
    run longer than the history's cap: a uniform random sample of `count` iterations, and
    `sample_iterations` gives each one's iteration number).  `count`, `mean`, `min` and `max` are
    exact over every iteration either way; with a reservoir, `median`, `p90` and `p99` are the
    reservoir's.  Reports written before these fields have `count` 0: `iterations` falls back to
    the samples."""

    samples: list[float] = field(default_factory=list)
    median: float = 0.0
    mean: float = 0.0
    min: float = 0.0
    max: float = 0.0
    p90: float = 0.0
    p99: float = 0.0
    end_times_s: list[float] = field(default_factory=list)
    history: str = "all"
    count: int = 0
    sample_iterations: list[int] = field(default_factory=list)
    percentile: float = 50.0
    at_percentile: float = 0.0
    """The latency at `percentile` (``--latency-percentile``, benchmark_app's spelling), from the
    samples the median comes from; 0 in reports written before it."""

    @classmethod
    def from_samples(cls, samples_ms: Sequence[float] | np.ndarray, keep_samples: bool = True) -> LatencyStats:
        """Every iteration's latency; `keep_samples=False` gives the figures alone (a live view,
        once a second: making 100,000 Python floats would cost more than the statistics)."""
        values = np.asarray(samples_ms, dtype=np.float64)
        if not len(values):
            return cls()
        median, p90, p99 = (float(v) for v in np.percentile(values, [50, 90, 99]))
        return cls(
            samples=[float(v) for v in values] if keep_samples else [],
            median=median,
            mean=float(values.mean()),
            min=float(values.min()),
            max=float(values.max()),
            p90=p90,
            p99=p99,
            count=len(values),
        )

    @classmethod
    def from_reservoir(cls, samples_ms: Sequence[float] | np.ndarray, sample_iterations: Sequence[int], count: int,
                       sum_ms: float, min_ms: float, max_ms: float, keep_samples: bool = True) -> LatencyStats:
        """Percentiles from a uniform sample; count, mean, min and max exact over all `count` iterations."""
        stats = cls.from_samples(samples_ms, keep_samples)
        stats.history = "reservoir"
        stats.count = count
        stats.sample_iterations = list(sample_iterations) if keep_samples else []
        stats.mean, stats.min, stats.max = sum_ms / count, min_ms, max_ms
        return stats

    @property
    def iterations(self) -> int:
        return self.count or len(self.samples)

    def read_at(self, percentile: float) -> None:
        """Record the latency at `percentile` of the samples."""
        self.percentile = percentile
        self.at_percentile = float(np.percentile(self.samples, percentile)) if self.samples else 0.0

    @property
    def sampled(self) -> bool:
        return self.history == "reservoir"

    def history_text(self) -> str:
        """What the percentiles come from, where it matters ("" when they cover every iteration)."""
        if not self.sampled:
            return ""
        return (f"median and percentiles from a uniform sample of {len(self.samples):,} of {self.count:,} iterations; "
                "count, mean, min and max over all")


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
    def ran_precision(self) -> str:
        """The precision the kernel ran at (its `exec_type`), else `runtime_precision`, normalised:
        OpenVINO can label a layer f16 whose kernel runs f32 (ovgui.core.precision)."""
        return ran_at(self.runtime_precision, self.exec_type)

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
    `preprocess_sum_ms`.  A sum of per-layer means pairs with `latency_mean_ms`, the mean of the
    timed inferences; it is 0 in reports written before it was recorded, which are read against
    `latency_median_ms` and say so.  Where the per-layer figures come from a separate
    profiled session (ONNX Runtime), `profiled_mean_ms` is that session's own mean latency over the
    runs the figures come from and `profiled_first_ms` its first run (the first-inference column);
    both are 0 when the figures come from the timed inferences themselves.
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
    latency_mean_ms: float = 0.0
    profiled_mean_ms: float = 0.0
    profiled_first_ms: float = 0.0


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
class DecoderSuggestion:
    """A decoder that might read outputs nothing decoded: why, and the run options to try
    (names as in `ovgui.core.options`; empty when only a decoder file of the user's can, see `guide`)."""

    title: str
    reason: str
    changes: dict[str, str | float] = field(default_factory=dict)
    guide: str = ""


@dataclass
class DecoderInfo:
    name: str = "none"
    note: str = ""
    suggestions: list[DecoderSuggestion] = field(default_factory=list)


@dataclass
class RecognisedText:
    """A text recogniser's line (CTC decoder) and the mean probability of its characters."""

    text: str
    confidence: float


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
class ClassAccuracy:
    """One class of a labelled set: `count` is its images (classification) or its ground-truth
    boxes (detection); the figures are fractions in [0, 1], None where they do not apply (AP of a
    class with no box in the images evaluated)."""

    label: str
    count: int
    top1: float | None = None
    top5: float | None = None
    ap50: float | None = None
    ap50_95: float | None = None


@dataclass
class ImageAccuracy:
    """One evaluated image, as the Accuracy panel lists it and the filmstrip draws it.

    `score` orders the images, the worst first (a classifier's misses before its hits): for a
    classifier the probability the model gave the true class (0 when it is not in the top-5), for
    a detector the F1 of its boxes at IoU 0.5 (2·matched / (2·matched + missed + false positives);
    1 for an image with no box on either side).  `label` and `rank` are a classifier's (the true
    class, and its place in the top-5, 0 outside it); `truth` and the three counts a detector's,
    counted by the COCO evaluator's own matching at IoU 0.5."""

    source: str
    score: float
    label: str = ""
    rank: int = 0
    truth: list[Detection] = field(default_factory=list)
    matched: int = 0
    missed: int = 0
    false_positives: int = 0


@dataclass
class Accuracy:
    """A set's results scored against its annotations (`--accuracy ANNOTATIONS`, ovgui.core.accuracy).

    `format` is how the annotations were written ("folders", "csv" or "coco"), `task` what was
    scored ("classification": `top1`, `top5`; "detection": `map50`, `map50_95` from pycocotools'
    COCOeval), every figure a fraction in [0, 1] over the `evaluated` images (annotated and run).
    `worst` is every evaluated image, the worst first; `not_run` the annotated images the run has no
    result for (`--frames`, unreadable, stopped), `not_annotated` the images run that the
    annotations do not name; `images` is the IMAGE the run was given."""

    annotations: str
    format: str
    task: str
    evaluated: int
    images: str = ""
    top1: float | None = None
    top5: float | None = None
    map50: float | None = None
    map50_95: float | None = None
    per_class: list[ClassAccuracy] = field(default_factory=list)
    worst: list[ImageAccuracy] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)
    not_annotated: list[str] = field(default_factory=list)
    method: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class EnvironmentInfo:
    """The software and machine a run was measured on, so two reports can be told apart later."""

    ovgui: str = ""
    openvino: str = ""
    python: str = ""
    os: str = ""
    cpu: str = ""
    measured_at: str = ""  # ISO 8601, UTC, to the second; "" in reports written before it existed


@dataclass
class TargetInfo:
    """Where a remote run (`--target HOST`) ran and how ovgui reached it: the name the user gave
    (an ``~/.ssh/config`` alias or a host), the host, user and port it resolved to, how it
    authenticated (a key file or the agent), the known_hosts files its host key was checked
    against, and the target's Python, ovgui and OpenVINO versions."""

    name: str
    host: str
    user: str
    port: int
    auth: str = ""
    known_hosts: list[str] = field(default_factory=list)
    python: str = ""
    ovgui: str = ""
    openvino: str = ""


@dataclass
class MemoryRoof:
    """One level of the memory hierarchy: the bandwidth of a streaming copy over a working set that fits it."""

    level: str  # "L2", "L3" or "DRAM"
    capacity_bytes: int  # the largest working set judged against this roof (the cache's size; DRAM: none larger)
    working_set_bytes: int  # what the copy streamed through
    gbytes_per_s: float


@dataclass
class Roofline:
    """What the device can do at a precision and thread count (ovgui.core.roofline).  `precision`
    is what the device used (read back), `requested_precision` what was asked; `gbytes_per_s` is
    the DRAM roof, `memory_roofs` every level from the smallest; `load_average` is the 1-minute
    load when it was measured (None in reports from before it was recorded)."""

    device: str
    precision: str
    threads: int
    openvino_version: str
    gflops_per_s: float
    gbytes_per_s: float | None = None
    method: str = ""
    memory_roofs: list[MemoryRoof] = field(default_factory=list)
    requested_precision: str = ""
    load_average: float | None = None
    measured_at: str = ""  # ISO 8601, UTC
    cpu: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def ridge_intensity(self) -> float | None:
        """Operations per byte where the memory roof meets the compute roof."""
        return self.gflops_per_s / self.gbytes_per_s if self.gbytes_per_s else None

    @classmethod
    def from_dict(cls, data: Any) -> Roofline:
        """Checked like a report's fields: a wrong type or a non-finite number raises `SchemaError`."""
        return decode(cls, data, "roofline")


@dataclass
class ShapeRun:
    """One shape of a `--data-shape` list: the shapes its inputs were given (by input name) and its
    own latency, throughput and per-layer times, measured on a model compiled for that shape alone."""

    inputs: dict[str, list[int]] = field(default_factory=dict)
    latency_ms: LatencyStats = field(default_factory=LatencyStats)
    throughput_fps: float = 0.0
    layers: list[LayerStats] = field(default_factory=list)


@dataclass
class SweepPoint:
    """One point of a sweep (`ovgui.core.sweep`): its settings and, over its `runs` repeats, the
    medians of each run's figures with the spread (lowest, highest) of the ones the choice rests
    on.  `latency_ms` is the latency at the sweep's `percentile`; `compile_ms` is the first run's
    (later repeats load the shared CACHE_DIR; `compile_cached` when even the first did, because an
    earlier point compiled the same model: a dynamic compile serves every shape);
    `rss_after_release_mib` the process's RSS once the last run released its compiled model (one
    process runs every point, so a value that climbs from point to point is memory never given
    back); `streams` and `requests` are what the device used;
    `compiled_shape` the inputs' shapes as compiled (``[1,3,?,?]`` for a dynamic compile).
    `baseline` marks the device's default throughput configuration; `pareto` a point no other beats
    on both latency and throughput."""

    name: str
    settings: dict[str, Any] = field(default_factory=dict)
    baseline: bool = False
    runs: int = 0
    latency_ms: float = 0.0
    latency_spread_ms: list[float] = field(default_factory=list)
    p50_ms: float = 0.0
    p90_ms: float = 0.0
    p99_ms: float = 0.0
    throughput_fps: float = 0.0
    throughput_spread_fps: list[float] = field(default_factory=list)
    compile_ms: float = 0.0
    peak_rss_mib: float = 0.0
    rss_after_release_mib: float = 0.0
    streams: int = 0
    requests: int = 0
    mode: str = ""
    error: str = ""
    pareto: bool = False
    compiled_shape: str = ""
    compile_cached: bool = False


@dataclass
class SweepBest:
    """The chosen point (`index` into `Sweep.points`, -1 when none meets the budget) and why, in words."""

    index: int
    name: str
    reason: str
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass
class Sweep:
    """Every point of a sweep, the percentile its latencies are read at (50: the median) and the
    budget (None: none) the best point was chosen under."""

    points: list[SweepPoint] = field(default_factory=list)
    repeats: int = 0
    percentile: float = 50.0
    budget_ms: float | None = None
    best: SweepBest | None = None


@dataclass
class RateTrial:
    """One LoadGen Server test of a rate search: the target rate it scheduled and LoadGen's verdict."""

    target_qps: float
    result: str
    p99_ms: float | None = None


@dataclass
class ScenarioResult:
    """A MLPerf LoadGen test (`--scenario`, ovgui.core.scenario), every figure as LoadGen's own log
    (mlperf_log_detail.txt) gives it, in ms where LoadGen gives ns: its verdict (`result` VALID or
    INVALID) with the reasons it gives, latency `percentiles_ms` keyed as LoadGen names them
    ("50.00", "99.00", per sample; `query_percentiles_ms` per query where it has them), its `rates`
    by LoadGen's names (e.g. "completed_samples_per_sec", "qps_with_loadgen_overhead"),
    `duration_ms` LoadGen's log time at its result.  `official` is always False: a short run is
    not an MLPerf result, `not_official_reason` says why.  A Server rate search keeps every test in
    `trials` and the highest VALID rate in `found_qps`; `stopped` when Stop ended the test early."""

    scenario: str = ""
    result: str = ""
    invalid_reasons: list[str] = field(default_factory=list)
    percentiles_ms: dict[str, float] = field(default_factory=dict)
    query_percentiles_ms: dict[str, float] = field(default_factory=dict)
    mean_ms: float = 0.0
    min_ms: float = 0.0
    max_ms: float = 0.0
    rates: dict[str, float] = field(default_factory=dict)
    target_qps: float | None = None
    p99_bound_ms: float | None = None
    min_duration_ms: float = 0.0
    min_query_count: int = 0
    duration_ms: float = 0.0
    query_count: int = 0
    samples_per_query: int = 1
    official: bool = False
    not_official_reason: str = ""
    trials: list[RateTrial] = field(default_factory=list)
    found_qps: float | None = None
    search_resolution: float | None = None
    stopped: bool = False
    loadgen_version: str = ""


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
    shape_runs: list[ShapeRun] = field(default_factory=list)
    text: RecognisedText | None = None
    accuracy: Accuracy | None = None
    sweep: Sweep | None = None
    target: TargetInfo | None = None
    scenario: ScenarioResult | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {"schema_version": data.pop("schema_version"), **data}

    def to_json_dict(self) -> dict[str, Any]:
        """What JSON can hold: JSON has no NaN or infinity, so such values become null and a note lists where."""
        data, non_finite = non_finite_as_null(self.to_dict(), "")
        if non_finite:
            data["notes"] = [*data["notes"], non_finite_note(non_finite)]
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_json_dict(), indent=1, allow_nan=False, default=_finite)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """Every value is checked against the schema; a wrong one raises `SchemaError` naming it.
        A report from a newer ovgui keeps what this version knows, with a note that says so."""
        if not isinstance(data, dict) or not {"model", "device", "config"} <= data.keys():
            raise SchemaError("it has no model, device and config sections")
        version = data.get("schema_version", 1)
        if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= MAX_NUMBER:
            raise SchemaError(f"report.schema_version should be a positive whole number, not {shown(version)}")
        newer = version > SCHEMA_VERSION
        try:
            report = decode(cls, data, "report", filled=_results_with_nan(data))
        except SchemaError as error:
            if newer:
                newer_line = f"written by a newer ovgui: schema {version}, this one reads {SCHEMA_VERSION}"
                raise SchemaError(f"{error} ({newer_line})") from None
            raise
        _check_paths(report)
        report.engine.name = name_of(report.engine.name)
        if newer:
            report.notes.insert(0, newer_schema_note(version))
        return report

    @classmethod
    def from_json(cls, text: str, name: str = "report") -> Report:
        """`name` is what a line about the text's size or nesting calls it (its file's name)."""
        return cls.from_dict(parse_json(text, name))

    @classmethod
    def load(cls, path: str | Path) -> Report:
        """A saved report, or one line on why the file is not one."""
        path = Path(path)
        try:
            return cls.from_json(read_text_limited(path), path.name)
        except FileNotFoundError:
            raise OvguiError(f"report not found: {path}") from None
        except SchemaError as error:
            raise OvguiError(f"{path.name}: {error}") from None
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise OvguiError(f"{path.name} is not an ovgui report: {error}") from None

    def save_json(self, path: str | Path) -> None:
        """Atomically: a failed write leaves the previous file at `path` as it was."""
        write_text_atomic(path, self.to_json())

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
    writer = _csv_writer(out)
    writer.writerow(LAYER_CSV_COLUMNS)
    for layer in layers:
        writer.writerow([csv_cell(getattr(layer, name)) for name in LAYER_CSV_COLUMNS])
    return out.getvalue()


FRAME_CSV_COLUMNS = ["index", "source", "width", "height", "latency_ms", "wall_ms", "decode_ms", "preprocess_ms",
                     "infer_ms", "postprocess_ms", "detections", "top_label", "top_score"]


def frames_to_csv(frames: list[FrameResult]) -> str:
    """One row per image or frame: where its time went, and its top result (box count and best
    box, or the top class)."""
    out = io.StringIO()
    writer = _csv_writer(out)
    writer.writerow(FRAME_CSV_COLUMNS)
    for frame in frames:
        best = max(frame.detections, key=lambda d: d.score, default=None) or (frame.classes[0] if frame.classes else None)
        times = frame.pipeline_ms
        writer.writerow([csv_cell(value) for value in (
            frame.index, frame.source, frame.width, frame.height, frame.latency_ms, frame.wall_ms, times.decode,
            times.preprocess, times.infer, times.postprocess, len(frame.detections),
            best.label if best else "", best.score if best else "",
        )])
    return out.getvalue()


def _csv_writer(out: io.StringIO) -> Any:
    """RFC 4180's CRLF rows: with "\\n" alone the csv module leaves a carriage return inside a cell
    unquoted, and a spreadsheet starts a new row there."""
    return csv.writer(out, lineterminator="\r\n")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell that a spreadsheet shows and never runs.

    Text that begins with = + - @, a tab or a carriage return is read as a formula by
    Excel, LibreOffice and Google Sheets (a layer named ``=HYPERLINK(...)`` would become a
    link), so such text gets a leading apostrophe, which they show as text.  Only text
    cells are prefixed: numbers (a negative delta included) stay numbers.  A list becomes
    one ``;``-separated text cell, checked as text."""
    if isinstance(value, list):
        value = ";".join(str(item) for item in value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def non_finite_note(places: list[str]) -> str:
    listed = ", ".join(places[:8]) + (f" and {len(places) - 8} more" if len(places) > 8 else "")
    return f"values that are not finite (NaN or infinity) written as null: {listed}"


def non_finite_as_null(value: Any, where: str) -> tuple[Any, list[str]]:
    """`value` with every NaN and infinity replaced by None, and where each was (``outputs[0].mean``)."""
    if isinstance(value, (np.floating, np.integer)):
        value = value.item()
    if isinstance(value, float):
        return (value, []) if math.isfinite(value) else (None, [where])
    if isinstance(value, dict):
        keyed = [(key, non_finite_as_null(item, f"{where}.{key}" if where else str(key))) for key, item in value.items()]
        return {key: item for key, (item, _) in keyed}, [place for _, (_, places) in keyed for place in places]
    if isinstance(value, (list, tuple)):
        pairs = [non_finite_as_null(item, f"{where}[{index}]") for index, item in enumerate(value)]
        return [item for item, _ in pairs], [place for _, places in pairs for place in places]
    return value, []


def _finite(value: Any) -> Any:
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def newer_schema_note(version: int) -> str:
    return (f"written by a newer ovgui (report schema {version}, this one reads {SCHEMA_VERSION}): "
            "fields it does not know are left out")


def _results_with_nan(data: dict[str, Any]) -> dict[str, Any]:
    """A report's data with the nulls `to_json_dict` wrote for non-finite model results (a score, a
    box corner, a drift) back as NaN; copied where changed, so the caller's dict stays as it was."""
    filled = _sections_with_nan(data, REPORT_RESULTS)
    if isinstance(data.get("per_image"), list):
        filled["per_image"] = [_sections_with_nan(frame, FRAME_RESULTS) if isinstance(frame, dict) else frame
                               for frame in data["per_image"]]
    return filled


def _sections_with_nan(data: dict[str, Any], sections: dict[str, type]) -> dict[str, Any]:
    changed = {key: [_item_with_nan(item, kind) for item in data[key]]
               for key, kind in sections.items() if isinstance(data.get(key), list)}
    return {**data, **changed}


def _item_with_nan(item: Any, kind: type) -> Any:
    if not isinstance(item, dict):
        return item
    numbers, lists = _FLOAT_FIELDS[kind]
    changed: dict[str, Any] = {name: math.nan for name in numbers if name in item and item[name] is None}
    changed.update({name: [math.nan if value is None else value for value in item[name]]
                    for name in lists if isinstance(item.get(name), list)})
    return {**item, **changed} if changed else item


def _float_fields(kind: type) -> tuple[list[str], list[str]]:
    """A result type's fields that hold a float, and those that hold a list of floats (not the optional ones)."""
    hints = get_type_hints(kind)
    return [name for name, hint in hints.items() if hint is float], [name for name, hint in hints.items() if hint == list[float]]


# where a null stands for a model result that was not finite (see Report.to_json_dict); never a time
REPORT_RESULTS: dict[str, type] = {"classes": ClassScore, "detections": Detection, "outputs": OutputStats,
                                   "segments": ClassShare, "drift": OutputDrift}
FRAME_RESULTS: dict[str, type] = {"classes": ClassScore, "detections": Detection}
_FLOAT_FIELDS = {kind: _float_fields(kind) for kind in REPORT_RESULTS.values()}


MAX_PATH_CHARS = 4096  # Linux's PATH_MAX; Windows' long paths stay below it too


def _check_paths(report: Report) -> None:
    """The files a report names are opened and remembered by the window: a path no system could
    hold (a million characters, a NUL byte) makes the report unusable rather than the window."""
    named = [("report.model.path", report.model.path), ("report.config.labels_path", report.config.labels_path),
             ("report.config.decoder_file", report.config.decoder_file), ("report.config.accuracy", report.config.accuracy)]
    if report.image is not None:
        named.append(("report.image.path", report.image.path))
    if report.frame_set is not None:
        named += [(f"report.frame_set.inputs[{i}]", path) for i, path in enumerate(report.frame_set.inputs)]
    for where, path in named:
        if path and len(path) > MAX_PATH_CHARS:
            raise SchemaError(f"{where} should be a file path, not text of {len(path)} characters "
                              f"(a path has at most {MAX_PATH_CHARS})")
        if path and "\0" in path:
            raise SchemaError(f"{where} should be a file path, not text holding a NUL character")

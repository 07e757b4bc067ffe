"""Every run option, declared once: its name, type and default (`RunConfig`), and its flags,
label, help, choices, range and checks (`OPTIONS`).

This module is a leaf: it imports only the standard library, `ovgui.core.errors`
and the engines' and decoders' names, so ``ovgui-profile --help`` and every
argument error answer without loading OpenVINO, numpy, OpenCV or Qt (the import
contracts in pyproject.toml keep it so).

The command line (`ovgui.cli`), the window's settings panels and the validation
of a run or a `--compare` entry are all generated from `OPTIONS`, so an option
cannot be accepted in one place and dropped or checked differently in another.  Values come from three kinds
of source — command-line text, JSON, widgets — and every one goes through
`Option.check`, which makes the same one-line message for the same mistake.
"""

from __future__ import annotations

import math
import re
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

from ovgui.core.decoders import DECODERS
from ovgui.core.engines.capabilities import DECLARED, ENGINES
from ovgui.core.errors import OvguiError

MAX_ITERATIONS = 10_000_000
MAX_DURATION_S = 86_400.0
MAX_REQUESTS = 256
MAX_STREAMS = 256
MAX_THREADS = 1024
MAX_RANK = 8
MAX_DIMENSION = 16_384
EXCLUSIVE_BUDGET = "budget"
MAX_QPS = 1_000_000.0
SCENARIOS = ("singlestream", "multistream", "server", "offline")


@dataclass(frozen=True)
class Preset:
    """A common input range a user picks in one click; `color_order` None leaves the colour order as it is."""

    label: str
    color_order: str | None
    mean: tuple[float, ...]
    scale: tuple[float, ...]


IMAGENET_MEAN_RGB = (123.675, 116.28, 103.53)
IMAGENET_STD_RGB = (58.395, 57.12, 57.375)
PRESETS = {
    "raw": Preset("raw 0..255", None, (0.0,), (1.0,)),
    "unit": Preset("0..1 (÷255)", None, (0.0,), (255.0,)),
    "signed": Preset("−1..1", None, (127.5,), (127.5,)),
    "imagenet-rgb": Preset("ImageNet mean/std, RGB", "rgb", IMAGENET_MEAN_RGB, IMAGENET_STD_RGB),
    "imagenet-bgr": Preset("ImageNet mean/std, BGR", "bgr", IMAGENET_MEAN_RGB[::-1], IMAGENET_STD_RGB[::-1]),
}


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
    batch: int | None = None
    input_shapes: str | None = None
    data_shapes: str | None = None
    input: dict[str, str] | None = None
    preset: str | None = None
    accuracy: str | None = None
    latency_percentile: float = 50.0
    shape_mode: str = "static"
    shape_bounds: str | None = None
    scenario: str | None = None
    target_qps: float | None = None
    p99_ms: float | None = None


class OptionError(OvguiError):
    """A value an option does not accept; names the option so each front end can point at it."""

    def __init__(self, option: Option, problem: str):
        super().__init__(f"{option.title} {problem}")
        self.option = option
        self.problem = problem


@dataclass(frozen=True)
class Option:
    """One `RunConfig` field as the user meets it.

    `flags` take a value on the command line; `switches` are flags that store a fixed value
    (``--rgb``, ``--no-layers``), each with its own help.  `choice_labels` name choices in the
    window; `choice_help` explains what each choice does.  `minimum`/`maximum` bound a number
    (or each number of a list); `above` makes the minimum exclusive.  `lengths` are the list
    sizes allowed.  `unset` is what ``None`` means, in words.  `path` is "file", "folder" or
    "file or folder" for options that name one (a file, and either, must exist); `exclusive`
    groups options the command line takes only one of.  `reader` reads a text option's own
    spelling (benchmark_app's shapes) and raises ValueError with the problem when the text does
    not follow it.
    """

    name: str
    label: str
    help: str
    group: str
    flags: tuple[str, ...] = ()
    switches: tuple[tuple[str, Any, str], ...] = ()
    choices: tuple[str, ...] = ()
    choice_labels: Mapping[str, str] = field(default_factory=dict)
    choice_help: Mapping[str, str] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    above: bool = False
    lengths: tuple[int, ...] = ()
    unset: str = "auto"
    path: str = ""
    exclusive: str = ""
    metavar: str | None = None
    reader: Callable[[str], Any] | None = None
    repeatable: bool = False

    @property
    def title(self) -> str:
        """How messages name the option: its label, and the flags that set it."""
        flags = "/".join(self.flags or tuple(flag for flag, _value, _help in self.switches))
        return f"{self.label} ({flags})" if flags else self.label

    @property
    def default(self) -> Any:
        """RunConfig's default: declared once, on the field."""
        return RunConfig.__dataclass_fields__[self.name].default

    @property
    def value_type(self) -> Any:
        """The field's type without its ``None``: int, float, str, bool, list[int] or list[float]."""
        hint = _HINTS[self.name]
        if get_origin(hint) in (Union, types.UnionType):
            hint = next(arg for arg in get_args(hint) if arg is not type(None))
        return hint

    @property
    def optional(self) -> bool:
        hint = _HINTS[self.name]
        return get_origin(hint) in (Union, types.UnionType) and type(None) in get_args(hint)

    @property
    def item_type(self) -> type | None:
        """int or float for a list option, None for a scalar one."""
        return get_args(self.value_type)[0] if get_origin(self.value_type) is list else None

    def parse(self, text: str) -> Any:
        """A value from what the user typed (command line or a text field); blank means the default."""
        text = text.strip()
        if not text:
            return self.default
        if self.value_type == dict[str, str]:
            return self._pair(text)
        if self.item_type is not None:
            parts = [part for part in text.strip("[]()").replace(";", ",").replace(" ", ",").split(",") if part]
            return [self._number(part, self.item_type) for part in parts]
        if self.value_type in (int, float):
            return self._number(text, self.value_type)
        return text

    def check(self, value: Any) -> Any:
        """`value` if this option accepts it, else an `OptionError` that says what is wrong."""
        if value is None:
            if self.optional:
                return None
            raise OptionError(self, "needs a value")
        if self.value_type == dict[str, str]:
            return self._check_mapping(value)
        item_type = self.item_type
        if item_type is not None:
            return self._check_list(value, item_type)
        if self.value_type is bool:
            if not isinstance(value, bool):
                raise OptionError(self, f"must be true or false, got {_shown(value)}")
            return value
        if self.value_type in (int, float):
            return self._check_number(value, self.value_type)
        return self._check_text(value)

    def describe_default(self) -> str:
        if self.default is None:
            return self.unset
        if isinstance(self.default, bool):
            return "on" if self.default else "off"
        return format_value(self.default)

    def describe_range(self) -> str:
        if self.minimum is None:
            return ""
        lowest = f"more than {format_value(self.minimum)}" if self.above else f"at least {format_value(self.minimum)}"
        if self.maximum is None:
            return lowest
        if self.above:
            return f"{lowest} and at most {format_value(self.maximum)}"
        return f"between {format_value(self.minimum)} and {format_value(self.maximum)}"

    def help_text(self) -> str:
        """The help with the default and the accepted range, for ``--help`` and tooltips alike."""
        extras = [f"default: {self.describe_default()}"]
        if self.describe_range():
            extras.append(("each " if self.item_type else "") + self.describe_range())
        choices = "".join(f"; {choice}: {words}" for choice, words in self.choice_help.items())
        return f"{self.help}{choices} ({'; '.join(extras)})"

    def _number(self, text: str, kind: type) -> int | float:
        try:
            return kind(text)
        except ValueError:
            expected = "a whole number" if kind is int else "a number"
            raise OptionError(self, f"expects {expected}, got '{text}'") from None

    def _check_number(self, value: Any, kind: type) -> int | float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and not isinstance(value, int)):
            expected = "a whole number" if kind is int else "a number"
            raise OptionError(self, f"must be {expected}, got {_shown(value)}")
        if not math.isfinite(value):
            raise OptionError(self, f"must be a finite number, got {_shown(value)}")
        too_low = self.minimum is not None and (value <= self.minimum if self.above else value < self.minimum)
        too_high = self.maximum is not None and value > self.maximum
        if too_low or too_high:
            each = "values must each" if self.item_type else "must"
            raise OptionError(self, f"{each} be {self.describe_range()}, got {_shown(value)}")
        return kind(value)

    def _check_list(self, value: Any, item_type: type) -> list:
        if not isinstance(value, (list, tuple)):
            raise OptionError(self, f"must be a list of numbers, got {_shown(value)}")
        if self.lengths and len(value) not in self.lengths:
            raise OptionError(self, f"takes {_counts(self.lengths)}, got {len(value)}: {_shown(value)}")
        return [self._check_number(item, item_type) for item in value]

    def _pair(self, text: str) -> dict[str, str]:
        """``NAME=SOURCE`` as a one-entry mapping; a repeated flag gathers several."""
        name, equals, source = text.partition("=")
        if not equals or not name.strip() or not source.strip():
            raise OptionError(self, f"takes NAME=SOURCE (an input's name or index, then its data), got '{text}'")
        return {name.strip(): source.strip()}

    def _check_mapping(self, value: Any) -> dict[str, str]:
        if not isinstance(value, Mapping):
            raise OptionError(self, f"must map input names to sources, got {_shown(value)}")
        for name, source in value.items():
            if not isinstance(name, str) or not isinstance(source, str) or not name.strip() or not source.strip():
                raise OptionError(self, f"must map input names to sources (text), got {_shown(name)}: {_shown(source)}")
        return dict(value)

    def _check_text(self, value: Any) -> str:
        if not isinstance(value, str):
            raise OptionError(self, f"must be text, got {_shown(value)}")
        if self.choices and value not in self.choices:
            raise OptionError(self, f"must be one of {', '.join(self.choices)}, got {_shown(value)}")
        if not value.strip():
            raise OptionError(self, "must not be blank")
        self._check_path(value)
        if self.reader is not None:
            try:
                self.reader(value)
            except ValueError as error:
                raise OptionError(self, str(error)) from None
        return value

    def _check_path(self, value: str) -> None:
        path = Path(value).expanduser()
        if self.path == "folder" and path.exists() and not path.is_dir():
            raise OptionError(self, f"must be a folder, but {value} is a file")
        if self.path == "file" and not path.is_file():
            problem = "is a folder" if path.is_dir() else "does not exist"
            raise OptionError(self, f"must be a file, but {value} {problem}")
        if self.path == "file or folder" and not path.exists():
            raise OptionError(self, f"must be a file or a folder, but {value} does not exist")


_HINTS = get_type_hints(RunConfig)
_SHAPE_GROUP = re.compile(r"\s*([^\[\],\s]*)\s*((?:\[[^\[\]]*\]\s*)+)(?:,|$)")


def shape_groups(text: str) -> list[tuple[str, list[list[int]]]]:
    """benchmark_app's spelling of shapes, read as (input name or index, its shapes) groups:
    ``x[1,3,48,320]``, ``[1,3,320,320][1,3,640,640]``, ``a[1,3,8,8][1,3,16,16],b[1,2][1,2]``.
    An unnamed group has the name "".  ValueError says what does not follow the spelling."""
    groups: list[tuple[str, list[list[int]]]] = []
    text = text.strip()
    position = 0
    while position < len(text):
        match = _SHAPE_GROUP.match(text, position)
        if match is None:
            raise ValueError(f"cannot read '{text[position:]}': write NAME[1,3,48,320] or [1,3,320,320][1,3,640,640]")
        groups.append((match.group(1), [_dimensions(part) for part in re.findall(r"\[([^\]]*)\]", match.group(2))]))
        position = match.end()
    names = [name for name, _shapes in groups]
    if len(set(names)) != len(names):
        raise ValueError(f"names an input twice: {text}")
    return groups


def _dimensions(text: str) -> list[int]:
    parts = [part.strip() for part in text.split(",")]
    if not 1 <= len(parts) <= MAX_RANK or not all(part.isdigit() and 1 <= int(part) <= MAX_DIMENSION for part in parts):
        raise ValueError(f"[{text}] is not a shape: give 1 to {MAX_RANK} sizes between 1 and {MAX_DIMENSION}")
    return [int(part) for part in parts]


def named_shapes(text: str) -> dict[str, list[int]]:
    """``--shape NAME[1,3,48,320]``: one shape for each named input."""
    groups = shape_groups(text)
    for name, shapes in groups:
        if not name:
            raise ValueError(f"{text} names no input: write NAME[1,3,48,320] (an input's name or index)")
        if len(shapes) != 1:
            raise ValueError(f"gives input '{name}' {len(shapes)} shapes; one each (several shapes: --data-shape)")
    return {name: shapes[0] for name, shapes in groups}


SHAPE_MODES = ("static", "dynamic", "bounded")


def shape_bounds(text: str) -> list[tuple[int, int]]:
    """``1,3,320..1280,320..1280``: each dimension's (lowest, highest), -1 for an unbounded ``?``."""
    parts = [part.strip() for part in text.split(",")]
    if not 1 <= len(parts) <= MAX_RANK:
        raise ValueError(f"'{text}' is not a shape: give 1 to {MAX_RANK} dimensions, each N, LOW..HIGH or ?")
    return [_bound(part, text) for part in parts]


def _bound(part: str, text: str) -> tuple[int, int]:
    if part == "?":
        return (-1, -1)
    low, dots, high = part.partition("..")
    ends = [low.strip(), high.strip()] if dots else [low.strip()] * 2
    if not all(end.isdigit() and 1 <= int(end) <= MAX_DIMENSION for end in ends) or int(ends[0]) > int(ends[1]):
        raise ValueError(f"cannot read '{part}' in '{text}': each dimension is N, LOW..HIGH (LOW ≤ HIGH) or ?, "
                         f"sizes between 1 and {MAX_DIMENSION}")
    return int(ends[0]), int(ends[1])


def data_shape_runs(text: str) -> list[dict[str, list[int]]]:
    """``--data-shape``: the input shapes of each run, in order; "" names the model's only image input.
    Named groups give their i-th shapes to run i, as benchmark_app's -data_shape."""
    groups = shape_groups(text)
    counts = {len(shapes) for _name, shapes in groups}
    if len(counts) != 1:
        raise ValueError(f"gives the inputs different numbers of shapes ({text}); give each input one shape per run")
    if len(groups) > 1 and any(not name for name, _shapes in groups):
        raise ValueError(f"mixes named and unnamed shapes ({text}); name every input")
    return [{name: shapes[run] for name, shapes in groups} for run in range(counts.pop())]

OPTIONS: tuple[Option, ...] = (
    Option("engine", "engine", "which runtime runs the model; ONNX Runtime (an extra) takes .onnx models on the CPU, "
           "PyTorch (an extra) .pt and .pt2 models",
           "run", flags=("--engine",), choices=ENGINES, choice_labels={declared.name: declared.label for declared in DECLARED}),
    Option("device", "device", "inference device, as OpenVINO names it (see --list-devices)", "run",
           flags=("-d", "--device")),
    Option("mode", "mode", "latency: one synchronous request; throughput: an AsyncInferQueue of requests", "run",
           flags=("--mode",), choices=("latency", "throughput"),
           choice_labels={"latency": "latency (sync)", "throughput": "throughput (async)"}),
    Option("iterations", "iterations", "timed iterations after the first inference", "run",
           flags=("-n", "--iterations"), minimum=1, maximum=MAX_ITERATIONS, exclusive=EXCLUSIVE_BUDGET, metavar="N"),
    Option("duration_s", "time", "run for this many seconds instead of a number of iterations", "run",
           flags=("-t", "--time"), minimum=0, maximum=MAX_DURATION_S, above=True, unset="none",
           exclusive=EXCLUSIVE_BUDGET, metavar="S"),
    Option("precision", "precision",
           "INFERENCE_PRECISION_HINT; unset lets the device choose (bf16 on CPUs with AMX/AVX512-BF16)", "run",
           flags=("--precision",), choices=("f32", "bf16", "f16"), unset="the device's"),
    Option("latency_percentile", "latency percentile",
           "the percentile the report's latency is read at (latency_ms.at_percentile), and a sweep's budget at, as "
           "benchmark_app's -latency_percentile; 50 is the median", "run", flags=("--latency-percentile",),
           minimum=0, maximum=100, above=True, metavar="P"),
    Option("scenario", "LoadGen scenario",
           "measure with MLPerf LoadGen (the loadgen extra) in this serving scenario instead of the timed loop; short "
           "runs (--time sets LoadGen's minimum duration, -n its minimum query count) are not official MLPerf results",
           "run", flags=("--scenario",), choices=SCENARIOS,
           choice_labels={"singlestream": "SingleStream", "multistream": "MultiStream", "server": "Server",
                          "offline": "Offline"}, unset="none (the timed loop)"),
    Option("target_qps", "target QPS", "Server: the Poisson arrival rate LoadGen schedules; unset with --p99-ms searches "
           "the highest rate meeting the p99 bound", "run", flags=("--target-qps",), minimum=0, maximum=MAX_QPS,
           above=True, unset="searched", metavar="Q"),
    Option("p99_ms", "p99 bound", "Server: LoadGen's target latency, its 99th percentile in ms", "run",
           flags=("--p99-ms",), minimum=0, maximum=MAX_DURATION_S * 1000.0, above=True, unset="none", metavar="MS"),
    Option("hint", "hint", "PERFORMANCE_HINT; unset follows the mode, as benchmark_app does", "run",
           flags=("--hint",), choices=("latency", "throughput", "cumulative_throughput", "none"),
           unset="follows the mode"),
    Option("nstreams", "streams", "NUM_STREAMS", "run", flags=("--nstreams",),
           minimum=1, maximum=MAX_STREAMS, unset="the hint's choice", metavar="N"),
    Option("nthreads", "threads", "INFERENCE_NUM_THREADS (ONNX Runtime, PyTorch: intra-op threads)", "run",
           flags=("--nthreads",), minimum=1, maximum=MAX_THREADS, unset="the device's", metavar="N"),
    Option("nireq", "requests", "infer requests in throughput mode; unset uses OPTIMAL_NUMBER_OF_INFER_REQUESTS", "run",
           flags=("--nireq",), minimum=1, maximum=MAX_REQUESTS, unset="the device's optimum", metavar="N"),
    Option("inter_op_threads", "inter-op threads", "ONNX Runtime: threads running independent nodes in parallel "
           "(with --execution-mode parallel); PyTorch: torch.set_num_interop_threads (once per process)", "run",
           flags=("--inter-op-threads",), minimum=1, maximum=MAX_THREADS, unset="the engine's", metavar="N"),
    Option("graph_optimization", "graph optimisation", "ONNX Runtime: graph optimisation level", "run",
           flags=("--graph-optimization",), choices=("disable", "basic", "extended", "all"), unset="all"),
    Option("execution_mode", "execution mode", "ONNX Runtime: run nodes one at a time or independent ones in parallel",
           "run", flags=("--execution-mode",), choices=("sequential", "parallel"), unset="sequential"),
    Option("frames", "frames", "for a video or a set: at most this many frames", "run", flags=("--frames",),
           minimum=1, maximum=MAX_ITERATIONS, unset="all", metavar="N"),
    Option("stride", "stride", "for a video: every N-th frame", "run", flags=("--stride",), minimum=1, maximum=10_000,
           metavar="N"),
    Option("cache_dir", "cache folder", "CACHE_DIR: compiled models are cached here (compare compile times)", "run",
           flags=("--cache-dir",), unset="none", path="folder", metavar="DIR"),
    Option("shared_memory", "share the input buffer",
           "share the numpy input with OpenVINO; off copies it on every inference, as naive code does", "run",
           switches=(("--no-shared-memory", False, "copy the input on every inference instead of sharing the numpy buffer"),)),
    Option("perf_counters", "per-layer counters",
           "compile with PERF_COUNT for the per-layer table; off times the model without it", "run",
           switches=(("--no-layers", False, "compile without PERF_COUNT: no per-layer table"),)),
    Option("roofline", "roofline",
           "measure what the device can do (once per device, precision and threads; cached) for each layer's efficiency",
           "run", switches=(("--no-roofline", False, "no attainable GFLOP/s and no per-layer efficiency"),)),
    Option("decoder", "decoder", "how outputs become boxes or classes; auto picks from the output shapes", "output",
           flags=("--decoder",), choices=DECODERS),
    Option("threshold", "threshold", "score threshold", "output", flags=("--threshold",),
           minimum=0, maximum=1, unset="the decoder's", metavar="T"),
    Option("nms_iou", "NMS IoU", "boxes overlapping more than this are merged", "output", flags=("--nms",),
           minimum=0, maximum=1, metavar="IOU"),
    Option("labels_path", "labels", "label file, one name per line (line number = class id); for --decoder ctc the dictionary, "
           "one character per line as PaddleOCR's ppocr_keys_v1.txt (line k = class k, 0 is the blank)", "output",
           flags=("--labels",), unset="from the model or the decoder", path="file", metavar="FILE"),
    Option("decoder_file", "decoder file",
           "a Python file with decode(outputs, info) -> dict (see docs/decoders.md); replaces the built-in decoders; "
           "it is code that runs with your rights, so use only files you trust",
           "output", flags=("--decoder-file",), unset="none", path="file", metavar="FILE.py"),
    Option("decoder_timeout_s", "decoder timeout",
           "seconds a decoder file's code may take (loading it, or decoding one result) before its decoding "
           "is stopped with one line; the timings are kept", "output", flags=("--decoder-timeout",),
           minimum=0, maximum=MAX_DURATION_S, above=True, metavar="S"),
    Option("min_area_px", "minimum area", "probability map: smallest region kept as a box, in photo pixels", "output",
           flags=("--min-area",), minimum=0, maximum=1e8, metavar="PX"),
    Option("map_channel", "map channel", "probability map / overlay: which channel of the map to read", "output",
           flags=("--map-channel",), minimum=0, maximum=4096, metavar="C"),
    Option("map_output", "map output", "probability map / segmentation: which output to read (by name)", "output",
           flags=("--map-output",), unset="the first that lines up with the input", metavar="NAME"),
    Option("accuracy", "accuracy", "score a set's results against annotations: a folder-per-class tree (give the tree as "
           "IMAGE too), a CSV of image,label rows or a COCO JSON, their image paths relative to the image folder (IMAGE); "
           "top-1/top-5 for a classifier, mAP@0.5 and mAP@[.5:.95] (pycocotools) for a detector; class names match the "
           "model's labels", "output", flags=("--accuracy",), unset="none", path="file or folder", metavar="ANNOTATIONS"),
    Option("preprocess", "preprocessing",
           "where the image is converted to the model's input", "preprocess",
           flags=("--preprocess",), choices=("host", "graph"),
           choice_help={
               "host": "the image is converted once, outside the timed region: the model alone is timed, as benchmark_app does",
               "graph": "the conversions are added to the model (u8 image in) and timed with it, end to end",
           }),
    Option("layout", "layout", "the model input's layout", "preprocess", flags=("--layout",),
           choices=("NCHW", "NHWC"), unset="guessed"),
    Option("color_order", "colour order", "channel order the model expects", "preprocess",
           switches=(("--rgb", "rgb", "feed RGB"), ("--bgr", "bgr", "feed BGR")), choices=("rgb", "bgr"),
           choice_labels={"rgb": "RGB", "bgr": "BGR"}, unset="guessed"),
    Option("mean", "mean", "per-channel mean to subtract, e.g. 123.7,116.3,103.5", "preprocess",
           flags=("--mean",), lengths=(1, 3), unset="guessed", metavar="M[,M,M]"),
    Option("scale", "scale", "per-channel divisor, applied after the mean, e.g. 255 or 58.4,57.1,57.4", "preprocess",
           flags=("--scale",), lengths=(1, 3), minimum=0, above=True, unset="guessed", metavar="S[,S,S]"),
    Option("resize", "resize", "how the image fits the input", "preprocess", flags=("--resize",),
           choices=("stretch", "letterbox"), unset="guessed"),
    Option("input_shape", "input shape",
           "static shape for a dynamic input, e.g. 1,3,640,640; unset, a dynamic size is the image's rounded up to 32",
           "preprocess", flags=("--shape",), lengths=tuple(range(1, MAX_RANK + 1)), minimum=1, maximum=MAX_DIMENSION,
           unset="guessed", metavar="N,C,H,W"),
    Option("shape_mode", "compiled shape", "how the image input is compiled; the tensor fed is the run's shape either way",
           "preprocess", flags=("--shape-mode",), choices=SHAPE_MODES,
           choice_help={
               "static": "at the run's shape, as benchmark_app does for a static -shape",
               "dynamic": "height and width left unknown ([1,3,?,?]), as benchmark_app -shape [1,3,?,?]",
               "bounded": "height and width within --shape-bounds ([1,3,320..1280,320..1280])",
           }),
    Option("shape_bounds", "shape bounds", "each dimension of the image input for --shape-mode bounded: a size, "
           "LOW..HIGH or ?; in a sweep over shapes, unset, the swept shapes' smallest..largest", "preprocess",
           flags=("--shape-bounds",), unset="none", metavar="1,3,320..1280,320..1280", reader=shape_bounds),
    Option("batch", "batch", "the inputs' batch size (layout N, else the first dimension), as benchmark_app -b; "
           "an image input repeats the image, and throughput counts images", "preprocess", flags=("-b", "--batch"),
           minimum=1, maximum=MAX_DIMENSION, unset="the model's", metavar="N"),
    Option("input_shapes", "input shapes", "static shape per input, by name or index, as benchmark_app -shape "
           "(repeat --shape, or comma-separate: x[1,3,48,320],y[1,2])", "preprocess", flags=("--shape",),
           unset="guessed", metavar="NAME[1,3,48,320]", reader=named_shapes),
    Option("data_shapes", "data shapes", "profile each shape in turn, each its own latency and layers, as benchmark_app "
           "-data_shape: [1,3,320,320][1,3,640,640] or x[1,3,8,8][1,3,16,16],y[1,2][1,2]", "preprocess",
           flags=("--data-shape",), unset="none", metavar="SHAPES", reader=data_shape_runs),
    Option("input", "input data",
           "data for one input, by its name or index (repeat for several): an image, .npy, .npz[:KEY], const:VALUE or "
           "random[:LOW:HIGH] (seed 0); unnamed image inputs get the photo, other inputs random data as benchmark_app does",
           "inputs", flags=("--input",), unset="the photo, or random data", metavar="NAME=SOURCE", repeatable=True),
    Option("preset", "preset", "a common input range for colour order, mean and scale; a value set on its own "
           "(--rgb, --mean, --scale) wins", "preprocess", flags=("--preset",), choices=tuple(PRESETS),
           choice_labels={name: preset.label for name, preset in PRESETS.items()}, unset="none"),
)

BY_NAME: dict[str, Option] = {option.name: option for option in OPTIONS}
PANEL_TITLES = {"run": "Run", "output": "Run", "preprocess": "Preprocessing", "inputs": "Inputs"}
"""The window's settings panel that holds each group's fields, for a message that points at one."""


def where_to_set(option: Option) -> str:
    """Where the user changes `option`, in both front ends: ``--shape N,C,H,W`` on the command
    line, "Preprocessing › Input shape" in the window."""
    flag = " ".join(filter(None, [option.flags[0] if option.flags else option.switches[0][0], option.metavar]))
    field = option.label[:1].upper() + option.label[1:]
    return f"{flag} on the command line, {PANEL_TITLES[option.group]} › {field} in the window"


def options_in(group: str) -> list[Option]:
    return [option for option in OPTIONS if option.group == group]


def make_config(changes: Mapping[str, Any], base: RunConfig | None = None) -> RunConfig:
    """`base` with `changes`; choosing one of iterations / time clears the other, as on the command line."""
    base = base or RunConfig()
    values = dict(changes)
    if values.get("duration_s") is not None and "iterations" not in values:
        values["iterations"] = None
    if values.get("iterations") is not None and "duration_s" not in values:
        values["duration_s"] = None
    return replace(base, **values)


def validate(config: RunConfig) -> RunConfig:
    """Every field checked against its declaration, then the rules between fields."""
    for option in OPTIONS:
        option.check(getattr(config, option.name))
    if config.iterations is None and config.duration_s is None:
        raise OptionError(BY_NAME["iterations"], f"or a {BY_NAME['duration_s'].title} is needed")
    if config.shape_mode == "bounded" and not config.shape_bounds:
        raise OptionError(BY_NAME["shape_bounds"], f"are needed with {BY_NAME['shape_mode'].title} bounded")
    check_scenario(config)
    if config.shape_mode != "static" and config.preprocess == "graph":
        raise OptionError(BY_NAME["shape_mode"], f"{config.shape_mode} needs {BY_NAME['preprocess'].title} host: "
                          "in the graph the input is the photo's own size")
    return config


def check_scenario(config: RunConfig) -> None:
    """The LoadGen options go together: a rate and a bound only for Server, which needs the bound;
    LoadGen drives OpenVINO's AsyncInferQueue, so only the OpenVINO engine."""
    scenario, target_qps, p99 = BY_NAME["scenario"], BY_NAME["target_qps"], BY_NAME["p99_ms"]
    if config.scenario is None:
        extra = target_qps if config.target_qps is not None else p99 if config.p99_ms is not None else None
        if extra is not None:
            raise OptionError(extra, f"needs {scenario.title} server")
        return
    if config.scenario != "server":
        for option in (target_qps, p99):
            if getattr(config, option.name) is not None:
                raise OptionError(option, f"is for {scenario.title} server, not {config.scenario}")
    elif config.p99_ms is None:
        raise OptionError(p99, f"is needed with {scenario.title} server (the p99 latency LoadGen holds the rate to)")
    if config.engine != "openvino":
        raise OptionError(scenario, f"runs on the OpenVINO engine (its AsyncInferQueue), not {config.engine}")


def format_value(value: Any) -> str:
    """A value as the user would type it back (lists comma-separated, floats without noise)."""
    if isinstance(value, (list, tuple)):
        return ",".join(format_value(item) for item in value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return "" if value is None else str(value)


def markdown_table() -> str:
    """The README's table of run options, so the documentation is made from the same declarations."""
    rows = ["| option | meaning | default |", "|---|---|---|"]
    for option in OPTIONS:
        flags, meaning = _switch_row(option) if option.switches else _value_row(option)
        rows.append(" | ".join(["", _escaped(flags), _escaped(meaning), option.describe_default(), ""]).strip())
    return "\n".join(rows) + "\n"


def _switch_row(option: Option) -> tuple[str, str]:
    flags = ", ".join(f"`{flag}`" for flag, _value, _words in option.switches)
    if len(option.switches) == 1:
        return flags, option.switches[0][2]
    return flags, "; ".join(f"`{flag}`: {words}" for flag, _value, words in option.switches)


def _value_row(option: Option) -> tuple[str, str]:
    flags = ", ".join(f"`{flag}`" for flag in option.flags)
    if option.metavar or option.choices:
        flags += " " + (option.metavar or "|".join(option.choices))
    meaning = option.help + "".join(f"; {choice}: {words}" for choice, words in option.choice_help.items())
    limits = []
    if option.describe_range():
        limits.append(("each " if option.item_type else "") + option.describe_range())
    if option.lengths and option.item_type is float:
        limits.append(_counts(option.lengths))
    return flags, meaning + (f" ({', '.join(limits)})" if limits else "")


def _escaped(cell: str) -> str:
    return cell.replace("|", "\\|")


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return str(value).lower()
    return format_value(value)


def _counts(lengths: tuple[int, ...]) -> str:
    if len(lengths) > 2 and lengths == tuple(range(lengths[0], lengths[-1] + 1)):
        return f"{lengths[0]} to {lengths[-1]} values"
    return " or ".join(str(n) for n in lengths) + " values"


if __name__ == "__main__":
    print(markdown_table(), end="")

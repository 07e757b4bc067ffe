"""What a sweep takes, declared once and read by the command line and the window's dialog: the
axes (`parse_axis`, over the declared run options), the grid of points, and their names.

A leaf like `ovgui.core.options`: ``ovgui-profile --sweep`` checks its axes before OpenVINO loads.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ovgui.core.errors import OvguiError
from ovgui.core.options import BY_NAME, OptionError, format_value

ALIASES = {"shape": "input_shape", "threads": "nthreads", "streams": "nstreams", "requests": "nireq"}
"""Shorter names a sweep also takes: the issue's and benchmark_app's words for the declared options."""
NOT_SWEPT = frozenset({"iterations", "duration_s", "accuracy", "frames", "stride", "data_shapes", "input",
                       "labels_path", "decoder_file", "cache_dir"})
"""Options that say how long or on what a run measures, not how it runs: the same for every point."""
THROUGHPUT_OPTIONS = frozenset({"nstreams", "nireq"})
DEFAULT_REPEATS = 3
MAX_POINTS = 1000
MAX_REPEATS = 100
BASELINE = "device default (THROUGHPUT hint)"


@dataclass(frozen=True)
class Axis:
    """One swept option (its declared name) and the values it takes, in order."""

    name: str
    values: tuple[Any, ...]


def parse_axis(text: str) -> Axis:
    """``KEY=V1,V2`` or, for a whole number, ``KEY=LOW..HIGH`` (every number between, both ends
    included); ``shape=1x3x320x320,1x3x640x640`` or ``shape=1x3x320..1280/320x320..1280/320``.  A
    key that is not a run option, or a value its declaration refuses, is one line."""
    key, equals, values = text.partition("=")
    key = ALIASES.get(key.strip(), key.strip())
    if not equals or not values.strip():
        raise OvguiError(f"--sweep takes KEY=V1,V2 or KEY=LOW..HIGH, got '{text}'")
    option = BY_NAME.get(key)
    if option is None or key in NOT_SWEPT:
        sweepable = sorted({*ALIASES, *BY_NAME} - NOT_SWEPT)
        raise OvguiError(f"--sweep: '{key}' is not a run option a sweep can vary; one of: {', '.join(sweepable)}")
    texts = _range(key, values) if ".." in values and option.item_type is None else _items(key, values)
    try:
        parsed = tuple(option.check(option.parse(item)) for item in texts)
    except OptionError as error:
        raise OvguiError(f"--sweep {key}: {error.problem}") from None
    if len(set(map(repr, parsed))) != len(parsed):
        raise OvguiError(f"--sweep {key}: a value is given twice ({values})")
    return Axis(key, parsed)


def _items(key: str, values: str) -> list[str]:
    """Comma-separated values; a shape's sizes are written with x (1x3x320x320) so commas part the
    shapes, and a size may be a stepped range (`shape_range`)."""
    items = [item.strip() for item in values.split(",") if item.strip()]
    if BY_NAME[key].item_type is not int:
        return items if BY_NAME[key].item_type is None else [item.replace("x", ",") for item in items]
    return [",".join(shape) for item in items for shape in shape_range(key, item)]


def shape_range(key: str, item: str) -> list[list[str]]:
    """``1x3x320..1280/320x320..1280/320``: the shapes whose ranged sizes step together (320x320,
    640x640, … 1280x1280), not every combination of them; a plain shape is itself."""
    sizes = item.split("x")
    ranged = {axis: _stepped(key, size) for axis, size in enumerate(sizes) if ".." in size}
    counts = {len(steps) for steps in ranged.values()}
    if len(counts) > 1:
        raise OvguiError(f"--sweep {key}: the ranges in {item} have different numbers of sizes ({sorted(counts)}); "
                         "they step together, so give them the same count")
    return [[str(ranged[axis][step]) if axis in ranged else size for axis, size in enumerate(sizes)]
            for step in range(counts.pop() if counts else 1)]


def _stepped(key: str, size: str) -> list[int]:
    span, slash, step = size.partition("/")
    low, _dots, high = span.partition("..")
    if not slash or not all(part.strip().isdigit() for part in (low, high, step)) or int(step) == 0:
        raise OvguiError(f"--sweep {key}: a range of sizes is LOW..HIGH/STEP (320..1280/320), got '{size}'")
    if int(low) > int(high):
        raise OvguiError(f"--sweep {key}: {span} is empty (LOW above HIGH)")
    return list(range(int(low), int(high) + 1, int(step)))


def _range(key: str, values: str) -> list[str]:
    low, _dots, high = values.partition("..")
    if BY_NAME[key].value_type is not int or not low.strip().isdigit() or not high.strip().isdigit():
        raise OvguiError(f"--sweep {key}: LOW..HIGH takes two whole numbers, got '{values}'")
    if int(low) > int(high):
        raise OvguiError(f"--sweep {key}: {low}..{high} is empty (LOW above HIGH)")
    return [str(number) for number in range(int(low), int(high) + 1)]


def grid(axes: Sequence[Axis]) -> list[dict[str, Any]]:
    """Every combination of the axes' values, the first axis changing slowest."""
    names = [axis.name for axis in axes]
    if len(set(names)) != len(names):
        raise OvguiError(f"--sweep names {', '.join(sorted({n for n in names if names.count(n) > 1}))} twice")
    points = [dict(zip(names, values)) for values in itertools.product(*(axis.values for axis in axes))]
    if len(points) > MAX_POINTS:
        raise OvguiError(f"--sweep makes {len(points)} points; at most {MAX_POINTS}")
    return points


SHAPE_OPTIONS = frozenset({"input_shape", "input_shapes", "shape_mode", "shape_bounds"})
"""Axes that change what is computed, not how: a sweep over them alone compares shapes, not
configurations, so it has no baseline and no best point.  Batch is not one: throughput counts
images, so a larger batch is a configuration traded against latency (DL Workbench's streams ×
batch grid with its sweet spot)."""


BASELINE_CHANGES = {"mode": "throughput", "hint": "throughput", "nstreams": None, "nireq": None, "nthreads": None}
"""What benchmark_app runs by default for throughput: the THROUGHPUT hint, streams, requests and
threads left to the device."""


def run_changes(settings: dict[str, Any], baseline: bool = False, bounds: str | None = None) -> dict[str, Any]:
    """What a point changes in a run's settings (a sweep's run, or the window's "use this
    configuration"): its values, in throughput mode when it sets streams or requests, which only
    mean something to an asynchronous run, and `bounds` for a bounded compile that names none;
    the baseline's are `BASELINE_CHANGES`."""
    if baseline:
        return dict(BASELINE_CHANGES)
    changes = dict(settings)
    if THROUGHPUT_OPTIONS & settings.keys():
        changes["mode"] = "throughput"
    if settings.get("shape_mode") == "bounded" and "shape_bounds" not in settings and bounds:
        changes["shape_bounds"] = bounds
    return changes


def compiled_bounds(compiled_shape: str) -> str | None:
    """``[1,3,320..1280,320..1280]`` as `--shape-bounds` spells it; None for anything but one shape."""
    text = compiled_shape.strip()
    if " " in text or not (text.startswith("[") and text.endswith("]")):
        return None
    return text[1:-1]


def swept_bounds(points: Sequence[dict[str, Any]]) -> str | None:
    """``1,3,320..1280,320..1280``: each dimension from the smallest to the largest of the swept
    shapes, what a bounded compile covers when the user gave no bounds; None without shapes."""
    shapes = [point["input_shape"] for point in points if "input_shape" in point]
    if not shapes or len({len(shape) for shape in shapes}) != 1:
        return None
    ends = [(min(sizes), max(sizes)) for sizes in zip(*shapes)]
    return ",".join(str(low) if low == high else f"{low}..{high}" for low, high in ends)


def compares_configurations(points: Sequence[dict[str, Any]]) -> bool:
    """Whether the sweep varies how the model runs (streams, threads, precision…), not only its shape."""
    return any(settings.keys() - SHAPE_OPTIONS for settings in points)


def point_name(settings: dict[str, Any]) -> str:
    """``nstreams=2 · nireq=4``, ``input_shape=1x3x320x320``, as the user would type the point."""
    return " · ".join(f"{name}={value_text(value)}" for name, value in settings.items()) or BASELINE


def value_text(value: Any) -> str:
    """A shape as a sweep spells it (1x3x320x320), anything else as the options do."""
    return "x".join(map(str, value)) if isinstance(value, (list, tuple)) else format_value(value)


COUNTED = {"nstreams": "stream", "nireq": "request", "nthreads": "thread"}


def describe(point: Any) -> str:
    """A `SweepPoint` in words: "4 streams × 8 requests", "batch 2", falling back to its name."""
    parts = [f"{value} {COUNTED[name]}{'' if value == 1 else 's'}" if name in COUNTED else f"{name} {value_text(value)}"
             for name, value in point.settings.items()]
    return " × ".join(parts) or point.name


def percentile_label(percentile: float) -> str:
    return "median" if percentile == 50 else f"p{percentile:g}"

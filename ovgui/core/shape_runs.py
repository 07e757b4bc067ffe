"""Several input shapes profiled in one ovgui run, as benchmark_app's ``-data_shape`` list with ``-pcseq``.

Each shape is a run of its own, on a model reshaped and compiled static for that shape, where
benchmark_app compiles once dynamic.  OpenVINO's CPU per-layer counters are running means since
compile, so one compiled model would blend every shape's layer times into one table; a compile per
shape gives each shape its own counters, and the static kernels a deployment at that shape gets.
The price is one compile per shape.

The first shape's run is the outcome the views show (photo, detections, layers); every shape's
latency and layers are in `Report.shape_runs`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from ovgui.core import events
from ovgui.core.formatting import format_ms, ms_text
from ovgui.core.options import RunConfig, data_shape_runs, format_value, named_shapes
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import LayerStats, Report, ShapeRun

if TYPE_CHECKING:
    from ovgui.core.runner import RunRequest


def shape_configs(config: RunConfig) -> list[tuple[dict[str, list[int]], RunConfig]]:
    """Each `--data-shape` entry and the config of its run: an unnamed shape is the image input's
    (`input_shape`), named ones join the `--shape NAME[...]` given and win over them."""
    return [(shapes, config_for(config, shapes)) for shapes in data_shape_runs(config.data_shapes or "")]


def config_for(config: RunConfig, shapes: dict[str, list[int]]) -> RunConfig:
    named = {**(named_shapes(config.input_shapes) if config.input_shapes else {}),
             **{name: dims for name, dims in shapes.items() if name}}
    spelled = ",".join(f"{name}[{format_value(dims)}]" for name, dims in named.items())
    return replace(config, data_shapes=None, input_shape=shapes.get("", config.input_shape), input_shapes=spelled or None)


def describe(shapes: dict[str, list[int]]) -> str:
    return ", ".join(f"{name or 'image'} [{format_value(dims)}]" for name, dims in shapes.items())


def run_each_shape(request: RunRequest, run_one: Callable[[RunRequest], RunOutcome], on_event: events.EventCallback,
                   cancel: threading.Event) -> RunOutcome:
    """`run_one` each shape in turn (a Note says which is starting); a stop ends the list where it is."""
    planned = shape_configs(request.config)
    outcomes: list[RunOutcome] = []
    for number, (shapes, config) in enumerate(planned, 1):
        if outcomes and cancel.is_set():
            break
        on_event(events.Note(f"shape {number} of {len(planned)}: {describe(shapes)}"))
        outcomes.append(run_one(replace(request, config=config)))
    runs = [shape_run(outcome.report, shapes) for outcome, (shapes, _config) in zip(outcomes, planned)]
    first = outcomes[0]
    sources = {**first.report.preprocess.sources, "input_shape": f"the first of the {len(planned)} --data-shape shapes"}
    shown = replace(first.report.preprocess, sources=sources)
    return replace(first, report=replace(first.report, config=request.config, preprocess=shown, shape_runs=runs))


def shape_run(report: Report, shapes: dict[str, list[int]]) -> ShapeRun:
    """The shapes as run: the image input's as it was fed, the others as given with `-b`'s batch first."""
    batch = report.config.batch
    used = {}
    for key, dims in shapes.items():
        name = input_name(report, key)
        if name == report.preprocess.input_name:
            used[name] = list(report.preprocess.input_shape)
        else:
            used[name] = [batch, *dims[1:]] if batch else dims
    return ShapeRun(used, report.latency_ms, report.throughput_fps, report.layers)


def input_name(report: Report, key: str) -> str:
    """The model's name for an input given as "" (the image input) or by index."""
    if not key:
        return report.preprocess.input_name
    inputs = report.model.inputs
    return inputs[int(key)].name if key.isdigit() and int(key) < len(inputs) else key


def shape_text(run: ShapeRun) -> str:
    """e.g. "x [1,3,48,320]"; several inputs comma-separated."""
    return ", ".join(f"{name} [{format_value(dims)}]" for name, dims in run.inputs.items())


def top_layer(run: ShapeRun) -> LayerStats | None:
    """The shape's slowest layer of the model itself (preprocessing steps left out)."""
    return max((layer for layer in run.layers if not layer.is_preprocessing), key=lambda layer: layer.real_time_ms, default=None)


def format_shape_runs(report: Report) -> str:
    """The text summary's table: one row per shape, as the latency section has its figures."""
    if not report.shape_runs:
        return ""
    width = max([len(shape_text(run)) for run in report.shape_runs] + [5])
    header = f"  {'shape':<{width}} {'iterations':>10} {'median ms':>9} {'mean ms':>8} {'p90 ms':>8} {'FPS':>8}"
    rows = [f"{header}  slowest layer (mean ms)"]
    for run in report.shape_runs:
        latency, top = run.latency_ms, top_layer(run)
        slowest = f"{top.name} ({ms_text(top.real_time_ms)})" if top else "not profiled"
        rows.append(f"  {shape_text(run):<{width}} {latency.iterations:>10} {format_ms(latency.median):>9} "
                    f"{format_ms(latency.mean):>8} {format_ms(latency.p90):>8} {run.throughput_fps:8.1f}  {slowest}")
    return ("Shapes, one run each (--data-shape; each compiled for its shape; FPS completed/elapsed)\n"
            + "\n".join(rows))

"""Terminal output for `ovgui-profile`: a progress line while running and a summary after."""

from __future__ import annotations

import sys
from typing import TextIO

from ovgui.core import events
from ovgui.core.accuracy_text import accuracy_line, format_accuracy
from ovgui.core.agreement import agreement
from ovgui.core.compare import speed_ups
from ovgui.core.decoders.suggestions import as_flags
from ovgui.core.drift import format_drift
from ovgui.core.engines.capabilities import label_of
from ovgui.core.errors import headline
from ovgui.core.formatting import (
    MISSING,
    format_ms,
    latency_line,
    layers_reference_ms,
    layers_vs_latency_text,
    mean_fps_text,
    ms_text,
    preprocess_text,
    speed_up_text,
    throughput_text,
)
from ovgui.core.memory import kept_after_release_mib
from ovgui.core.outcome import RunOutcome
from ovgui.core.outputs import format_outputs
from ovgui.core.quantize import QuantizeEvent
from ovgui.core.report import Report, Sweep
from ovgui.core.scenario_text import scenario_lines
from ovgui.core.shape_runs import format_shape_runs
from ovgui.core.sweep_options import percentile_label

BAR_WIDTH = 30
TOP_LAYERS = 10
TOP_FRAMES = 20


class ProgressPrinter:
    """Consumes engine events; draws a one-line bar on stderr only when it is a terminal."""

    def __init__(self, stream: TextIO | None = None):
        self._stream = stream or sys.stderr
        self._live = self._stream.isatty()

    def __call__(self, event: events.Event) -> None:
        if isinstance(event, events.Note):
            self._line(f"note: {event.text}")
        elif not self._live:
            return
        elif isinstance(event, events.PhaseStarted):
            self._overwrite(f"{events.PHASE_TITLES[event.name]}…")
        elif isinstance(event, events.PhaseFinished) and event.name != "steady_state":
            self._line(f"{events.PHASE_TITLES[event.name]:<16} {event.duration_ms:10.1f} ms")
        elif isinstance(event, events.Progress):
            filled = int(BAR_WIDTH * event.fraction)
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            self._overwrite(f"[{bar}] {event.iterations_done} it  {event.elapsed_s:5.1f} s  {throughput_text(event.fps)}")

    def finish(self) -> None:
        if self._live:
            self._overwrite("")

    def _overwrite(self, text: str) -> None:
        self._stream.write("\r\033[K" + text)
        self._stream.flush()

    def _line(self, text: str) -> None:
        self._overwrite(text + "\n") if self._live else self._stream.write(text + "\n")


class QuantizationPrinter(ProgressPrinter):
    """A quantization's progress on the same one-line bar (calibration images fed, or the phase),
    its notes and warnings as lines of their own."""

    def __call__(self, event: QuantizeEvent) -> None:
        if isinstance(event, events.Note):
            self._line(event.text if event.text.startswith("warning:") else f"note: {event.text}")
        elif self._live:
            fraction = event.fraction
            if fraction is None:
                self._overwrite(event.text())
                return
            filled = int(BAR_WIDTH * fraction)
            self._overwrite(f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {event.text()}")


def format_summary(report: Report) -> str:
    sections = [
        _header(report),
        _timings(report),
        _latency(report),
        _scenario(report),
        format_shape_runs(report),
        _layers(report),
        _memory(report),
        _frames(report),
        format_accuracy(report),
        _results(report),
        format_outputs(report),
    ]
    if report.notes:
        sections.append("Notes\n" + "\n".join(f"  - {note}" for note in report.notes))
    return "\n\n".join(s for s in sections if s) + "\n"


def _header(report: Report) -> str:
    model = report.model
    lines = [
        f"Model   {model.path}  ({model.format}, {model.file_size_bytes / 1e6:.1f} MB)",
        f"Device  {report.device.name}  ({report.device.full_name})",
    ]
    if report.image:
        image = report.image
        lines.append(f"Image   {image.path}  ({image.width}x{image.height}, {image.channels} ch, {image.dtype})")
    pre = report.preprocess
    if pre.input_name:
        lines.append(
            f"Input   {pre.input_name} {pre.input_shape} {pre.model_layout}, {pre.color_order.upper()}, "
            f"{pre.resize}, mean {pre.mean or '-'}, scale {pre.scale or '-'}"
        )
    lines.append(f"Run     {settings_line(report)}")
    env = report.environment
    if env.openvino:
        lines.append(f"Env     ovgui {env.ovgui} · OpenVINO {env.openvino} · Python {env.python} · {env.os} · {env.cpu}")
    if report.target is not None:
        target = report.target
        lines.append(f"Target  {target.name}  ({target.user}@{target.host}:{target.port}, {target.auth or 'ssh'}, "
                     f"host key checked against {', '.join(target.known_hosts)})")
    if not report.completed:
        lines.append("Run     stopped before the end; figures cover the iterations done")
    return "\n".join(lines)


def settings_line(report: Report) -> str:
    """What the engine actually used, read back from the compiled model or the session."""
    used = report.compiled
    mode = "sync latency" if report.config.mode == "latency" else f"async throughput, {used.requests_used} requests"
    if report.engine.name != "openvino":
        engine, providers = label_of(report.engine.name), ", ".join(report.engine.providers)
        return f"{engine} {report.engine.version} · {mode} · {used.inference_num_threads} threads · {providers}"
    cache = ", loaded from cache" if used.loaded_from_cache else ""
    loose = (f" · compiled {report.config.shape_mode} {' '.join(used.input_shapes.values())}"
             if report.config.shape_mode != "static" and used.input_shapes else "")
    return (
        f"{mode} · hint {used.performance_hint or '-'} · {used.num_streams} streams · "
        f"{used.inference_num_threads} threads · {used.inference_precision or '-'} · "
        f"optimal requests {used.optimal_requests}{cache}{loose}"
    )


def _timings(report: Report) -> str:
    t = report.timings_ms
    return (
        "Timings (ms)\n"
        f"  read_model {t.read_model:10.1f}\n  compile    {t.compile:10.1f}\n  first inf. {t.first_inference:10.1f}"
    )


def _latency(report: Report) -> str:
    lat = report.latency_ms
    measured = preprocess_text(report.preprocess.mode)
    return (
        f"Latency over {lat.iterations} iterations" + (f" ({measured}; first inference excluded)" if measured else "") + "\n"
        f"  {latency_line(lat)} · min {format_ms(lat.min)} · max {format_ms(lat.max)} ms\n"
        f"  {mean_fps_text(lat.mean)} · {throughput_text(report.throughput_fps)}"
    )


def _scenario(report: Report) -> str:
    """LoadGen's verdict and figures, a few lines after the run's own (`--scenario`)."""
    if report.scenario is None:
        return ""
    return "MLPerf LoadGen\n" + "\n".join(f"  {line}" for line in scenario_lines(report.scenario))


def _layers(report: Report) -> str:
    if not report.layers:
        return "Layers  not profiled (" + ("during a LoadGen test" if report.scenario else "PERF_COUNT off") + ")"
    model_layers = [layer for layer in report.layers if not layer.is_preprocessing]
    slowest = sorted(model_layers, key=lambda layer: layer.real_time_ms, reverse=True)[:TOP_LAYERS]
    width = min(48, max([len(layer.name) for layer in slowest] + [5]))
    rows = [f"  {'layer':<{width}} {'type':<16} {'exec type':<22} {'mean ms':>8} {'first ms':>8} {'share':>6}"]
    for layer in slowest:
        name = _clip(layer.name, width)
        rows.append(
            f"  {name:<{width}} {layer.type:<16.16} {layer.exec_type:<22.22} {layer.real_time_ms:8.3f} "
            f"{ms_text(layer.first_inference_ms):>8} {layer.share:6.1%}"
        )
    return f"Top {len(slowest)} layers by real time\n" + "\n".join(rows + _layer_notes(report))


def _layer_notes(report: Report) -> list[str]:
    """What the per-layer figures are and how they add up against what was timed."""
    prof = report.profile
    executed = sum(1 for layer in report.layers if layer.executed)
    rows = [f"  figures: {prof.method}" if prof.method else "  figures: imported"]
    if prof.counters:
        running_means = "" if prof.distributions else " (no per-layer distributions: the counters are running means)"
        rows.append(f"  counters: {prof.counters}{running_means}")
    reference_ms = layers_reference_ms(prof)[1]
    ratio = f" (x{prof.layers_sum_ms / reference_ms:.2f})" if reference_ms > 0 else ""
    rows.append(
        f"  {len(report.layers)} layers ({executed} executed); model {layers_vs_latency_text(prof)}{ratio}"
    )
    if prof.preprocess_sum_ms > 0:
        rows.append(f"  in-graph preprocessing layers {format_ms(prof.preprocess_sum_ms)} ms, kept out of the model's totals")
    firsts = [layer.first_inference_ms for layer in report.layers if layer.first_inference_ms is not None]
    if firsts and prof.profiled_first_ms > 0:
        rows.append(f"  first inference column: the profiled session's own first run, layers sum {format_ms(sum(firsts))} ms "
                    f"of its {format_ms(prof.profiled_first_ms)} ms (not the timed session's first inference)")
    elif firsts:
        rows.append(f"  first inference: layers sum {format_ms(sum(firsts))} ms "
                    f"of {format_ms(report.timings_ms.first_inference)} ms measured")
    if report.latency_ms.median > 0:
        rows.append(
            f"  reading counters cost {prof.collection_cost_ms:.3f} ms/iteration "
            f"({prof.collection_cost_ms / report.latency_ms.median:.2%} of the median), outside the timed region"
        )
    return rows


def _frames(report: Report) -> str:
    """A set or a video: the pass's FPS against the model's, the stage medians, the first rows."""
    summary = report.frame_set
    if summary is None:
        return ""
    stages = summary.pipeline_median_ms
    rows = [
        f"  {summary.frames} {'frames' if summary.kind == 'video' else 'images'} in {summary.total_s:.2f} s: "
        f"{summary.end_to_end_fps:.1f} FPS end to end (decode to boxes) vs {summary.inference_fps:.1f} FPS "
        f"inference only ({_inference_fps_basis(report)})",
        f"  median per frame (ms): decode {stages.decode:.2f}  preprocess {stages.preprocess:.2f}  "
        f"infer {stages.infer:.2f}  postprocess {stages.postprocess:.2f}",
    ]
    if summary.class_histogram:
        rows.append("  found: " + ", ".join(f"{c.label} ×{c.count}" for c in summary.class_histogram[:8]))
    rows.append(f"  {'#':>4} {'source':<32} {'latency':>8} {'wall':>8}  result")
    for frame in report.per_image[:TOP_FRAMES]:
        rows.append(f"  {frame.index:>4} {_clip(frame.source, 32):<32} {frame.latency_ms:8.2f} {frame.wall_ms:8.2f}  "
                    f"{_frame_result(frame)}")
    if len(report.per_image) > TOP_FRAMES:
        rows.append(f"  … {len(report.per_image) - TOP_FRAMES} more (--per-image-csv writes them all)")
    return f"Frames ({summary.source})\n" + "\n".join(rows)


def _inference_fps_basis(report: Report) -> str:
    requests = report.compiled.requests_used
    return "1000 / mean latency" if requests <= 1 else f"{requests} requests in flight × 1000 / mean latency, an estimate"


def _frame_result(frame) -> str:
    if frame.classes:
        return f"{frame.classes[0].label} {frame.classes[0].score:.3f}"
    best = max(frame.detections, key=lambda d: d.score, default=None)
    return f"{len(frame.detections)} boxes" + (f", best {best.label}" if best else "")


def _memory(report: Report) -> str:
    mem = report.memory
    rows = [f"  {events.PHASE_TITLES.get(p.name, p.name):<16} {p.rss_delta_mib:+9.1f} MiB" for p in mem.phases]
    rows.append(f"  peak RSS         {mem.peak_mib:9.1f} MiB  ({len(mem.samples)} samples)")
    kept = kept_after_release_mib(report)
    if kept is not None:
        rows.append(f"  kept after release {kept:+7.1f} MiB  (RSS after the release − before the read: not given back)")
    return "Memory (process RSS, includes memory-mapped weights)\n" + "\n".join(rows)


def _results(report: Report) -> str:
    return "\n".join([_found(report), *(f"  try: {as_flags(s)}  ({s.reason})" for s in report.decoder.suggestions)])


def _found(report: Report) -> str:
    if report.text is not None:
        text = f"Text (decoder {report.decoder.name})  \"{report.text.text}\"  mean confidence {report.text.confidence:.3f}"
        return text + (f"  ({report.decoder.note})" if report.decoder.note else "")
    if report.classes:
        rows = [f"  {c.class_id:>5}  {c.score:6.3f}  {c.label}" for c in report.classes]
        return "Top-5 classes\n" + "\n".join(rows)
    if report.detections:
        rows = [
            f"  {d.class_id:>3} {d.label:<16} {d.score:6.3f}  [{', '.join(f'{v:.0f}' for v in d.box)}]"
            for d in report.detections
        ]
        return f"Detections ({len(report.detections)}, decoder {report.decoder.name})\n" + "\n".join(rows)
    if report.decoder.name == "classify":
        return f"Top-5 classes  none: {report.decoder.note or 'no scores'}"
    reason = report.decoder.note or "nothing above the threshold"
    return f"Detections  none ({report.decoder.name}): {reason}"


def format_comparison(results: list[tuple[str, RunOutcome | str]]) -> str:
    """One row per configuration (its name and outcome, or its error); the fastest median is
    marked so the answer stands out, and each median is set against the first row's and the
    previous row's (a ladder's steps read top to bottom)."""
    done = [(name, outcome.report) for name, outcome in results if isinstance(outcome, RunOutcome)]
    best = min((report.latency_ms.median for _name, report in done), default=None)
    width = max([len(name) for name, _outcome in results] + [13])
    hosts = [host_of(outcome) for _name, outcome in results]
    fleet = any(isinstance(outcome, RunOutcome) and outcome.report.target is not None for _name, outcome in results)
    names = [f"{name:<{width}}" for name, _outcome in results]
    label = f"{'configuration':<{width}}"
    if fleet:
        host_width = max(len(host) for host in [*hosts, "host"])
        names = [f"{name} {host:<{host_width}}" for name, host in zip(names, hosts)]
        label += f" {'host':<{host_width}}"
    header = (f"  {label} {'median ms':>10} {'p90 ms':>9} {'vs first':>8} {'vs prev':>8} "
              f"{'throughput':>10} {'first ms':>9} {'convert ms':>10} {'compile ms':>11} {'size MB':>8}  settings used")
    rows = [header]
    for (_name, outcome), shown, (over_first, over_previous) in zip(results, names, speed_ups(results)):
        if isinstance(outcome, str):
            rows.append(f"  {shown} failed: {headline(outcome)}")
            continue
        r = outcome.report
        mark = " *" if r.latency_ms.median == best else "  "
        convert = f"{r.timings_ms.convert:10.1f}" if r.timings_ms.convert > 0 else f"{MISSING:>10}"
        rows.append(
            f"  {shown} {r.latency_ms.median:10.2f} {r.latency_ms.p90:9.2f} {speed_up_text(over_first):>8} "
            f"{speed_up_text(over_previous):>8} {r.throughput_fps:10.1f} {r.timings_ms.first_inference:9.1f} "
            f"{convert} {r.timings_ms.compile:11.1f} {r.model.file_size_bytes / 1e6:8.1f}{mark}{settings_line(r)}"
        )
    rows += _agreement_rows(done)
    return ("Comparison (* = lowest median latency; vs first / vs prev = median latency of the first / previous "
            "configuration that ran over this one's; throughput in FPS, completed/elapsed; size = the model's files "
            "on disk)\n" + "\n".join(rows) + "\n")


LOCAL_HOST = "here"


def host_of(outcome: RunOutcome | str) -> str:
    """Where a configuration ran, for a fleet's host column: its target, "here", or "" when it failed."""
    if isinstance(outcome, str):
        return ""
    target = outcome.report.target
    return target.name if target is not None else LOCAL_HOST


def _agreement_rows(done: list[tuple[str, Report]]) -> list[str]:
    """Each configuration's results against the first one that ran, and every configuration's
    memory by phase (one process: a peak includes what earlier configurations left behind)."""
    if not done:
        return []
    reference_name, reference = done[0]
    rows = []
    for name, report in done[1:]:
        rows.append(f"  {name}: {agreement(reference, report).summary()} (against '{reference_name}')")
        rows += [f"  {line}" for line in format_drift(report.drift).splitlines()]
    rows += [f"  {name}: accuracy {accuracy_line(report.accuracy)}" for name, report in done if report.accuracy]
    for name, report in done:
        phases = " · ".join(f"{events.PHASE_TITLES.get(p.name, p.name)} {p.rss_delta_mib:+.0f}"
                            for p in report.memory.phases)
        rows.append(f"  {name}: RSS by phase (MiB) {phases} · peak {report.memory.peak_mib:.0f}")
    return rows


def format_layer_deltas(deltas: list, limit: int = 20, summary: str | None = None) -> str:
    """The pairs in `compare_layers`' order; `summary` (the precision mix of a quantized model) under the title."""
    rows = [f"  {'layer (A)':<40} {'layer (B)':<40} {'A ms':>8} {'B ms':>8} {'Δ ms':>8} {'B/A':>6}  match"]
    for d in deltas[:limit]:
        ratio = f"{d.ratio:6.2f}" if d.ratio is not None else "     —"
        match = d.matched_by or d.presence
        why = f" · {d.why}" if d.why else ""
        rows.append(
            f"  {_clip(d.name_a, 40):<40} {_clip(d.name_b, 40):<40} {d.time_a_ms:8.3f} {d.time_b_ms:8.3f} "
            f"{d.delta_ms:+8.3f} {ratio}  {match}{why}"
        )
    only_a = sum(1 for d in deltas if d.presence == "only in A")
    only_b = sum(1 for d in deltas if d.presence == "only in B")
    rows.append(f"  {len(deltas)} layers; {only_a} only in A, {only_b} only in B")
    order = ("slowed Reorders, quantizers and float layers first, then by change" if any(d.why for d in deltas)
             else "by change")
    title = f"Layers, B against A: {order} (top {min(limit, len(deltas))})\n"
    return title + (f"  {summary}\n" if summary else "") + "\n".join(rows) + "\n"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else "…" + text[-width + 1 :]


def format_sweep(sweep: Sweep) -> str:
    """One row per point, in the order they ran (the baseline first): the latency at the sweep's
    percentile and the throughput, each the median of the repeats with their spread; * marks the
    Pareto front, > the best point, whose reason follows in words."""
    label = percentile_label(sweep.percentile)
    width = max([len(point.name) for point in sweep.points] + [12])
    rows = [f"  {'point':<{width}}   {'at ' + label:>9} {'spread':>15} {'FPS':>9} {'spread':>17} {'median':>8} "
            f"{'p90':>8} {'p99':>8} {'streams':>7} {'requests':>8} {'compile':>8} {'peak RSS':>8} {'RSS after':>9}"]
    best = sweep.best.index if sweep.best is not None else -1
    for index, point in enumerate(sweep.points):
        mark = (">" if index == best else " ") + ("*" if point.pareto else " ")
        if point.error:
            rows.append(f"{mark}{point.name:<{width}}   failed: {headline(point.error)}")
            continue
        low, high = point.latency_spread_ms
        fps_low, fps_high = point.throughput_spread_fps
        rows.append(f"{mark}{point.name:<{width}}   {point.latency_ms:9.2f} {f'{low:.2f}..{high:.2f}':>15} "
                    f"{point.throughput_fps:9.1f} {f'{fps_low:.1f}..{fps_high:.1f}':>17} {point.p50_ms:8.2f} "
                    f"{point.p90_ms:8.2f} {point.p99_ms:8.2f} {point.streams:7d} {point.requests:8d} {point.compile_ms:8.1f} "
                    f"{point.peak_rss_mib:8.1f} {point.rss_after_release_mib:9.1f}")
    budget = f"; budget {label} ≤ {sweep.budget_ms:g} ms" if sweep.budget_ms is not None else ""
    title = (f"Sweep: {len(sweep.points)} points × {sweep.repeats} repeats, round-robin; latencies in ms, each figure "
             f"the median of the repeats, with their spread (lowest..highest); compile: the point's first (ms); "
             f"peak RSS (MiB) over its runs; RSS after: "
             f"the process's MiB once its last run released the compiled model; * Pareto front, > best{budget}\n")
    chosen = f"best: {sweep.best.reason}\n" if sweep.best is not None else ""
    return title + "\n".join(rows) + "\n" + chosen

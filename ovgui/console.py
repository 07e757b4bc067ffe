"""Terminal output for `ovgui-profile`: a progress line while running and a summary after."""

from __future__ import annotations

import sys
from typing import TextIO

from ovgui.core import events
from ovgui.core.report import Report

BAR_WIDTH = 30
TOP_LAYERS = 10


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
            self._overwrite(f"[{bar}] {event.iterations_done} it  {event.elapsed_s:5.1f} s  {event.fps:7.1f} FPS")

    def finish(self) -> None:
        if self._live:
            self._overwrite("")

    def _overwrite(self, text: str) -> None:
        self._stream.write("\r\033[K" + text)
        self._stream.flush()

    def _line(self, text: str) -> None:
        self._overwrite(text + "\n") if self._live else self._stream.write(text + "\n")


def format_summary(report: Report) -> str:
    sections = [
        _header(report),
        _timings(report),
        _latency(report),
        _layers(report),
        _memory(report),
        _results(report),
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
    if not report.completed:
        lines.append("Run     stopped before the end; figures cover the iterations done")
    return "\n".join(lines)


def settings_line(report: Report) -> str:
    """What OpenVINO actually used, read back from the compiled model."""
    used = report.compiled
    mode = "sync latency" if report.config.mode == "latency" else f"async throughput, {used.requests_used} requests"
    cache = ", loaded from cache" if used.loaded_from_cache else ""
    return (
        f"{mode} · hint {used.performance_hint or '-'} · {used.num_streams} streams · "
        f"{used.inference_num_threads} threads · {used.inference_precision or '-'} · "
        f"optimal requests {used.optimal_requests}{cache}"
    )


def _timings(report: Report) -> str:
    t = report.timings_ms
    return (
        "Timings (ms)\n"
        f"  read_model {t.read_model:10.1f}\n  compile    {t.compile:10.1f}\n  first inf. {t.first_inference:10.1f}"
    )


def _latency(report: Report) -> str:
    lat = report.latency_ms
    return (
        f"Latency over {len(lat.samples)} iterations (ms), {measured_scope(report)}, first inference excluded\n"
        f"  median {lat.median:8.2f}   mean {lat.mean:8.2f}   min {lat.min:8.2f}   max {lat.max:8.2f}\n"
        f"  p90    {lat.p90:8.2f}   p99  {lat.p99:8.2f}   throughput {report.throughput_fps:.1f} FPS"
    )


def measured_scope(report: Report) -> str:
    """What the timed region holds, in the words the window uses too."""
    if report.preprocess.mode == "graph":
        return "end to end: preprocessing in the graph is timed"
    return "model only: preprocessing on the host, not timed"


def _layers(report: Report) -> str:
    if not report.layers:
        return "Layers  not profiled (PERF_COUNT off)"
    model_layers = [layer for layer in report.layers if not layer.is_preprocessing]
    slowest = sorted(model_layers, key=lambda layer: layer.real_time_ms, reverse=True)[:TOP_LAYERS]
    width = min(48, max([len(layer.name) for layer in slowest] + [5]))
    rows = [f"  {'layer':<{width}} {'type':<16} {'exec type':<22} {'mean ms':>8} {'first ms':>8} {'share':>6}"]
    for layer in slowest:
        name = _clip(layer.name, width)
        rows.append(
            f"  {name:<{width}} {layer.type:<16.16} {layer.exec_type:<22.22} {layer.real_time_ms:8.3f} "
            f"{_optional_ms(layer.first_inference_ms):>8} {layer.share:6.1%}"
        )
    return f"Top {len(slowest)} layers by real time\n" + "\n".join(rows + _layer_notes(report))


def _layer_notes(report: Report) -> list[str]:
    """What the per-layer figures are and how they add up against what was timed."""
    prof = report.profile
    executed = sum(1 for layer in report.layers if layer.executed)
    rows = [f"  figures: {prof.method}" if prof.method else "  figures: imported"]
    if prof.counters:
        rows.append(f"  counters: {prof.counters}" + ("" if prof.distributions else " (no per-layer distributions: the counters are running means)"))
    ratio = prof.layers_sum_ms / prof.latency_median_ms if prof.latency_median_ms > 0 else float("nan")
    rows.append(
        f"  {len(report.layers)} layers ({executed} executed); model layers sum {prof.layers_sum_ms:.2f} ms "
        f"vs median latency {prof.latency_median_ms:.2f} ms (x{ratio:.2f})"
    )
    if prof.preprocess_sum_ms > 0:
        rows.append(f"  in-graph preprocessing layers {prof.preprocess_sum_ms:.2f} ms, kept out of the model's totals")
    firsts = [layer.first_inference_ms for layer in report.layers if layer.first_inference_ms is not None]
    if firsts:
        rows.append(f"  first inference: layers sum {sum(firsts):.2f} ms of {report.timings_ms.first_inference:.2f} ms measured")
    if report.latency_ms.median > 0:
        rows.append(
            f"  reading counters cost {prof.collection_cost_ms:.3f} ms/iteration "
            f"({prof.collection_cost_ms / report.latency_ms.median:.2%} of the median), outside the timed region"
        )
    return rows


def _optional_ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _memory(report: Report) -> str:
    mem = report.memory
    rows = [f"  {events.PHASE_TITLES.get(p.name, p.name):<16} {p.rss_delta_mib:+9.1f} MiB" for p in mem.phases]
    rows.append(f"  peak RSS         {mem.peak_mib:9.1f} MiB  ({len(mem.samples)} samples)")
    return "Memory (process RSS, includes memory-mapped weights)\n" + "\n".join(rows)


def _results(report: Report) -> str:
    if report.classes:
        rows = [f"  {c.class_id:>5}  {c.score:6.3f}  {c.label}" for c in report.classes]
        return "Top-5 classes\n" + "\n".join(rows)
    if report.detections:
        rows = [
            f"  {d.class_id:>3} {d.label:<16} {d.score:6.3f}  [{', '.join(f'{v:.0f}' for v in d.box)}]"
            for d in report.detections
        ]
        return f"Detections ({len(report.detections)}, decoder {report.decoder.name})\n" + "\n".join(rows)
    reason = report.decoder.note or "nothing above the threshold"
    return f"Detections  none ({report.decoder.name}): {reason}"


def format_comparison(results: list) -> str:
    """One row per configuration; the fastest median is marked so the answer stands out."""
    done = [r for r in results if r.report is not None]
    best = min((r.report.latency_ms.median for r in done), default=None)
    width = max([len(r.name) for r in results] + [13])
    header = f"  {'configuration':<{width}} {'median ms':>10} {'p90 ms':>9} {'FPS':>9} {'first ms':>9} {'compile ms':>11}  settings used"
    rows = [header]
    for result in results:
        if result.report is None:
            rows.append(f"  {result.name:<{width}} failed: {result.error}")
            continue
        r = result.report
        mark = " *" if r.latency_ms.median == best else "  "
        rows.append(
            f"  {result.name:<{width}} {r.latency_ms.median:10.2f} {r.latency_ms.p90:9.2f} {r.throughput_fps:9.1f} "
            f"{r.timings_ms.first_inference:9.1f} {r.timings_ms.compile:11.1f}{mark}{settings_line(r)}"
        )
    return "Comparison (* = lowest median latency)\n" + "\n".join(rows) + "\n"


def format_layer_deltas(deltas: list, limit: int = 20) -> str:
    rows = [f"  {'layer (A)':<40} {'layer (B)':<40} {'A ms':>8} {'B ms':>8} {'Δ ms':>8} {'B/A':>6}  match"]
    for d in deltas[:limit]:
        ratio = f"{d.ratio:6.2f}" if d.ratio is not None else "     -"
        match = d.matched_by or d.presence
        rows.append(
            f"  {_clip(d.name_a, 40):<40} {_clip(d.name_b, 40):<40} {d.time_a_ms:8.3f} {d.time_b_ms:8.3f} "
            f"{d.delta_ms:+8.3f} {ratio}  {match}"
        )
    only_a = sum(1 for d in deltas if d.presence == "only in A")
    only_b = sum(1 for d in deltas if d.presence == "only in B")
    rows.append(f"  {len(deltas)} layers; {only_a} only in A, {only_b} only in B")
    return f"Layers by change, B against A (top {min(limit, len(deltas))})\n" + "\n".join(rows) + "\n"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else "…" + text[-width + 1 :]

"""Sweeps: a grid over declared run options, each point run several times, and the best point
under a latency budget.

benchmark_app's own help says its automatic streams and requests "may be non-optimal"; a sweep
measures the alternatives instead.  The axes are `OPTIONS` by name (``nstreams=1,2,4``,
``nireq=1..8``), each value checked by its declaration, so a sweep accepts exactly what a run
does.  Every point runs `repeats` times, round-robin (point 1, 2, …, then again), so a slow spell
of the machine spreads over the points instead of sinking one; each point's figures are the
medians of its repeats with their spread (lowest..highest).  The device's default throughput
configuration (THROUGHPUT hint, streams and requests left to the device) runs beside them as
the baseline the best point is held against.  Points share a CACHE_DIR, so a repeat loads what
its first run compiled.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import numpy as np

from ovgui.core import events
from ovgui.core.compare import Comparison, Configured, ignore_event, run_variant
from ovgui.core.options import make_config
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import Report, Sweep, SweepBest, SweepPoint
from ovgui.core.runner import ProfileRun, RunRequest
from ovgui.core.sweep_options import (
    BASELINE,
    DEFAULT_REPEATS,
    compares_configurations,
    describe,
    percentile_label,
    point_name,
    run_changes,
    swept_bounds,
)

PER_POINT = {"perf_counters": False, "roofline": False}
"""A sweep times the model alone: per-layer counters cost time in every inference."""


def point_config(base: RunRequest, settings: dict[str, Any], cache_dir: str, baseline: bool = False,
                 bounds: str | None = None) -> RunRequest:
    """The base run with the point's changes (`run_changes`; the baseline's with `baseline`),
    timed alone and sharing the sweep's cache; a bounded compile without bounds of its own takes
    `bounds` (the swept shapes')."""
    swept = None if base.config.shape_bounds else bounds
    changes = {**PER_POINT, "cache_dir": base.config.cache_dir or cache_dir, **run_changes(settings, baseline, swept)}
    return replace(base, config=make_config(changes, base.config))


def baseline_config(base: RunRequest, cache_dir: str) -> RunRequest:
    """What benchmark_app runs by default for throughput (`BASELINE_CHANGES`)."""
    return point_config(base, {}, cache_dir, baseline=True)


@dataclass(frozen=True)
class SweepRun:
    """One run of one point: which point (-1: the baseline), which repeat, and how it went."""

    point: int
    repeat: int
    outcome: RunOutcome | str


def run_sweep(
    base: RunRequest,
    points: list[dict[str, Any]],
    repeats: int = DEFAULT_REPEATS,
    on_event: Callable[[str, events.Event], None] = ignore_event,
    cancel: threading.Event | None = None,
    live: Callable[[], events.LiveData] = events.LiveData,
    baseline: bool | None = None,
) -> Iterator[SweepRun]:
    """Every point `repeats` times, round-robin, the baseline first in each round (by default when
    the sweep compares configurations, not only shapes); each run as it ends.  After the first
    round a note says how long the rest will take at that pace."""
    cancel = cancel or threading.Event()
    baseline = compares_configurations(points) if baseline is None else baseline
    cache = tempfile.mkdtemp(prefix="ovgui-sweep-cache-")
    requests = [(-1, baseline_config(base, cache))] if baseline else []
    bounds = swept_bounds(points)
    requests += [(number, point_config(base, settings, cache, bounds=bounds)) for number, settings in enumerate(points)]
    names = [BASELINE if number < 0 else point_name(points[number]) for number, _request in requests]
    started = time.perf_counter()
    try:
        for repeat in range(repeats):
            for (number, request), name in zip(requests, names):
                if cancel.is_set():
                    return
                emit = partial(on_event, name)
                outcome = run_variant(ProfileRun(request, emit, live(), cancel=cancel))
                yield SweepRun(number, repeat, outcome)
            if repeat == 0 and repeats > 1:
                round_s = time.perf_counter() - started
                on_event("sweep", events.Note(f"sweep: {len(requests)} runs a round took {round_s:.0f} s; "
                                              f"{repeats - 1} more rounds, about {round_s * (repeats - 1):.0f} s"))
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def run_name(name: str, repeat: int) -> str:
    return f"{name} (run {repeat + 1})"


def sweep_comparison(points: list[dict[str, Any]], repeats: int = DEFAULT_REPEATS) -> Comparison:
    """The sweep as a `Comparison`: each run a configuration named after its point and repeat
    ("nstreams=2 · nireq=4 (run 1)"), so a window runs it as it runs a comparison; `runs_of`
    turns the configurations back into `SweepRun`s."""

    def comparison(base: RunRequest, on_event: Callable[[str, events.Event], None] = ignore_event,
                   cancel: threading.Event | None = None,
                   live: Callable[[], events.LiveData] = events.LiveData) -> Iterator[Configured]:
        for run in run_sweep(base, points, repeats, on_event, cancel, live):
            name = BASELINE if run.point < 0 else point_name(points[run.point])
            yield run_name(name, run.repeat), run.outcome

    return comparison


def runs_of(points: list[dict[str, Any]], results: Sequence[Configured]) -> list[SweepRun]:
    """A sweep comparison's configurations, in the order `run_sweep` ran them (the baseline, then
    each point, round after round), as the runs they were."""
    first = -1 if compares_configurations(points) else 0
    per_round = len(points) - first
    return [SweepRun(number % per_round + first, number // per_round, outcome)
            for number, (_name, outcome) in enumerate(results)]


def at_percentile(report: Report, percentile: float) -> float:
    """The run's latency at `percentile`, from its samples (the reservoir's, for a long run)."""
    samples = report.latency_ms.samples
    if samples:
        return float(np.percentile(samples, percentile))
    known = {50.0: report.latency_ms.median, 90.0: report.latency_ms.p90, 99.0: report.latency_ms.p99}
    return known.get(float(percentile), report.latency_ms.median)


def summarise(points: list[dict[str, Any]], runs: Sequence[SweepRun], percentile: float,
              budget_ms: float | None, repeats: int) -> Sweep:
    """The sweep's points (the baseline first when it ran) with the medians of their repeats and
    their spread, which of them are on the Pareto front, and the best under the budget; points
    that differ only in shape compute different things, so they have neither front nor best."""
    numbers = ([-1] if any(run.point < 0 for run in runs) else []) + list(range(len(points)))
    made = [_point(number, points[number] if number >= 0 else {}, [r for r in runs if r.point == number], percentile)
            for number in numbers]
    configurations = compares_configurations(points)
    front = pareto_front([(p.latency_ms, p.throughput_fps) if not p.error and configurations else None for p in made])
    made = [replace(point, pareto=index in front) for index, point in enumerate(made)]
    sweep = Sweep(points=made, repeats=repeats, percentile=percentile, budget_ms=budget_ms)
    sweep.best = best_point(sweep) if configurations else None
    return sweep


def _point(number: int, settings: dict[str, Any], runs: list[SweepRun], percentile: float) -> SweepPoint:
    reports = [run.outcome.report for run in runs if isinstance(run.outcome, RunOutcome)]
    errors = [run.outcome for run in runs if isinstance(run.outcome, str)]
    name = BASELINE if number < 0 else point_name(settings)
    if not reports:
        return SweepPoint(name, settings, baseline=number < 0, runs=len(runs), error=errors[0] if errors else "not run")
    chosen = [at_percentile(report, percentile) for report in reports]
    fps = [report.throughput_fps for report in reports]
    last = reports[-1]
    return SweepPoint(
        name, settings, baseline=number < 0, runs=len(reports),
        latency_ms=float(np.median(chosen)), latency_spread_ms=[min(chosen), max(chosen)],
        p50_ms=float(np.median([report.latency_ms.median for report in reports])),
        p90_ms=float(np.median([report.latency_ms.p90 for report in reports])),
        p99_ms=float(np.median([report.latency_ms.p99 for report in reports])),
        throughput_fps=float(np.median(fps)), throughput_spread_fps=[min(fps), max(fps)],
        compile_ms=reports[0].timings_ms.compile, peak_rss_mib=max(report.memory.peak_mib for report in reports),
        rss_after_release_mib=next((phase.rss_end_mib for phase in last.memory.phases if phase.name == "release"), 0.0),
        streams=last.compiled.num_streams, requests=last.compiled.requests_used,
        mode=last.config.mode, error=errors[0] if errors else "",
        compiled_shape=" ".join(last.compiled.input_shapes.values()),
        compile_cached=reports[0].compiled.loaded_from_cache,
    )


def pareto_front(points: Sequence[tuple[float, float] | None]) -> set[int]:
    """The indices of the points no other point beats on both latency (lower) and throughput
    (higher) — at least as good on both and better on one; None (a failed point) is on no front."""
    scored = [(index, point) for index, point in enumerate(points) if point is not None]
    return {index for index, (latency, fps) in scored
            if not any(other_latency <= latency and other_fps >= fps and (other_latency, other_fps) != (latency, fps)
                       for _other, (other_latency, other_fps) in scored)}


def best_point(sweep: Sweep) -> SweepBest | None:
    """The highest throughput whose latency at the sweep's percentile is within the budget (any
    latency without a budget); a tie goes to the lower latency.  Its reason in words, against the
    baseline when it ran."""
    label = percentile_label(sweep.percentile)
    done = [(index, point) for index, point in enumerate(sweep.points) if not point.error and not point.baseline]
    within = [(index, point) for index, point in done if sweep.budget_ms is None or point.latency_ms <= sweep.budget_ms]
    if not within:
        if done and sweep.budget_ms is not None:
            fastest = min(point.latency_ms for _index, point in done)
            return SweepBest(-1, "", f"no point meets {label} ≤ {sweep.budget_ms:g} ms; the lowest is {fastest:.2f} ms")
        return None
    index, point = max(within, key=lambda item: (item[1].throughput_fps, -item[1].latency_ms))
    reason = f"{describe(point)}: {point.throughput_fps:.1f} FPS at {label} {point.latency_ms:.2f} ms"
    if sweep.budget_ms is not None:
        reason += f" (within the {sweep.budget_ms:g} ms budget)"
    baseline = next((p for p in sweep.points if p.baseline and not p.error), None)
    if baseline is not None and baseline.throughput_fps > 0:
        reason += (f"; the device's default gives {baseline.throughput_fps:.1f} FPS at {label} "
                   f"{baseline.latency_ms:.2f} ms ({point.throughput_fps / baseline.throughput_fps:.2f}×)")
        if baseline.throughput_fps >= point.throughput_fps and (sweep.budget_ms is None
                                                               or baseline.latency_ms <= sweep.budget_ms):
            reason += " — no point beats the default: keep it"
    return SweepBest(index, point.name, reason, dict(point.settings))


def chosen_run(sweep: Sweep, runs: Sequence[SweepRun]) -> SweepRun | None:
    """The run whose report stands for the sweep (and holds it): the best point's last finished
    run; without a best point, the last run that finished."""
    best = sweep.best.index if sweep.best is not None and sweep.best.index >= 0 else None
    point = None if best is None else (-1 if sweep.points[best].baseline else best - (1 if sweep.points[0].baseline else 0))
    done = [run for run in runs if isinstance(run.outcome, RunOutcome)]
    chosen = [run for run in done if run.point == point] or done
    return chosen[-1] if chosen else None

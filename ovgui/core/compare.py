"""Comparing runs: several configurations of one model side by side, and two runs layer by layer.

A configuration is a name plus the `RunConfig` fields (and optionally the
model file) it changes; they run one after another with the same image, so
the table compares like with like.  The layer-by-layer A/B view matches layers
by name first and then by the original layers fused into them (the runtime
graph's ``originalLayersNames``), because a different precision or device
fuses differently and renames what it fuses.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeAlias

from ovgui.core import events
from ovgui.core.drift import output_drift
from ovgui.core.errors import OvguiError
from ovgui.core.files import read_json
from ovgui.core.layer_causes import cause, is_quantized, quantizer_free
from ovgui.core.options import BY_NAME, OptionError, make_config
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import LayerStats, Report
from ovgui.core.runner import ProfileRun, RunRequest

Configured: TypeAlias = tuple[str, RunOutcome | str]
"""A configuration's name and its outcome, or the one line saying why it could not run."""


Comparison: TypeAlias = Callable[..., Iterator[Configured]]
"""What runs a comparison: called with the base `RunRequest` and `on_event`, `cancel` and `live` as
`run_variants` takes them (which, given its variants, is one), it yields each configuration's result."""


def report_of(outcome: RunOutcome | str) -> Report | None:
    """The configuration's report; None for one that could not run."""
    return outcome.report if isinstance(outcome, RunOutcome) else None


@dataclass(frozen=True)
class Variant:
    """One configuration to compare: what it changes relative to the base run, and optionally
    the model file it runs and a `note` that says what it is (the report's first note)."""

    name: str
    changes: dict[str, Any]
    model_path: str | None = None
    note: str = ""
    target: str = ""
    """The host it runs on (``"target"`` in a --compare entry, `ovgui.core.remote.fleet`); "" here."""
    target_python: str = ""

    def request(self, base: RunRequest) -> RunRequest:
        config = make_config(self.changes, base.config)
        return replace(base, model_path=self.model_path or base.model_path, config=config)


TARGET_KEYS = ("target", "target_python")


def load_variants(path: str | Path) -> list[Variant]:
    """A JSON list of objects: ``{"name": ..., "model": optional path, "target": optional ssh host,
    "target_python": optional path, <RunConfig field>: value, ...}``."""
    path = Path(path)
    try:
        entries = read_json(path)
    except FileNotFoundError:
        raise OvguiError(f"comparison file not found: {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise OvguiError(f"cannot read comparison file {path.name}: {error}") from None
    if not isinstance(entries, list) or not entries:
        raise OvguiError(f"{path.name} must hold a non-empty JSON list of configurations")
    return [parse_variant(entry, index, path.parent) for index, entry in enumerate(entries)]


def parse_variant(entry: Any, index: int, base_dir: Path) -> Variant:
    """One entry, each setting checked by its declaration: a bad one is named with its configuration."""
    if not isinstance(entry, dict):
        raise OvguiError(f"configuration #{index + 1} must be a JSON object")
    name = str(entry.get("name") or f"config {index + 1}")
    changes = {k: v for k, v in entry.items() if k not in ("name", "model", *TARGET_KEYS)}
    unknown = sorted(set(changes) - BY_NAME.keys())
    if unknown:
        raise OvguiError(f"configuration '{name}': unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(BY_NAME))}")
    for key, value in changes.items():
        try:
            changes[key] = BY_NAME[key].check(value)
        except OptionError as error:
            raise OvguiError(f"configuration '{name}': {key} {error.problem}") from None
    model = entry.get("model")
    if model is not None and not isinstance(model, str):
        raise OvguiError(f"configuration '{name}': model must be a file path, got {model!r}")
    model_path = str((base_dir / model).resolve()) if model else None
    target, target_python = (entry.get(key, "") for key in TARGET_KEYS)
    if not isinstance(target, str) or not isinstance(target_python, str):
        raise OvguiError(f"configuration '{name}': target and target_python must be text (an ssh host and a path)")
    return Variant(name, changes, model_path, target=target, target_python=target_python)


def ignore_event(_name: str, _event: events.Event) -> None:
    """The default `on_event` of `run_variants`: nobody is watching."""


def run_variants(
    base: RunRequest,
    variants: list[Variant],
    on_event: Callable[[str, events.Event], None] = ignore_event,
    cancel: threading.Event | None = None,
    live: Callable[[], events.LiveData] = events.LiveData,
) -> Iterator[Configured]:
    """Each variant in turn, as it ends; a variant OpenVINO rejects yields its error, and the others still run.

    Setting `cancel` stops the run under way (every run shares it) and skips the rest.  `live`
    makes each run's live data as it starts, so a window can follow one run after another.
    Output drift is against the first configuration that ran.  A variant's note comes as an
    event before it runs, and first among its report's notes."""
    cancel = cancel or threading.Event()
    reference: RunOutcome | None = None
    for variant in variants:
        if cancel.is_set():
            return
        if variant.note:
            on_event(variant.name, events.Note(f"{variant.name}: {variant.note}"))
        outcome = run_variant(ProfileRun(variant.request(base), partial(on_event, variant.name), live(), cancel=cancel))
        if isinstance(outcome, RunOutcome) and variant.note:
            outcome.report.notes.insert(0, variant.note)
        if isinstance(outcome, RunOutcome):
            outcome = outcome if reference is None else with_drift(outcome, reference)
            reference = reference or outcome
        yield variant.name, outcome


class Runnable(Protocol):
    """A run here (`ProfileRun`) or on a target (`ovgui.core.remote.run.RemoteRun`)."""

    def run(self) -> RunOutcome: ...

    def release(self) -> None: ...


def run_variant(run: Runnable) -> RunOutcome | str:
    """The run's outcome, or why it could not run; the compiled model is freed before anyone sees either."""
    try:
        return run.run()
    except OvguiError as error:
        return str(error)
    finally:
        run.release()


def speed_up(before: Report, after: Report) -> float | None:
    """How many times faster `after` ran than `before`: the ratio of their median latencies
    (×2: half the time).  Two runs' medians, not a paired measurement; None where either has none."""
    if before.latency_ms.median <= 0 or after.latency_ms.median <= 0:
        return None
    return before.latency_ms.median / after.latency_ms.median


def speed_ups(results: Sequence[Configured]) -> list[tuple[float | None, float | None]]:
    """Each configuration's speed-up over the first that ran and over the one that ran before it
    (failed ones skipped); (None, None) for one that failed, and no "before" for the first."""
    ups: list[tuple[float | None, float | None]] = []
    first: Report | None = None
    previous: Report | None = None
    for _name, outcome in results:
        report = report_of(outcome)
        if report is None:
            ups.append((None, None))
            continue
        first = first or report
        ups.append((speed_up(first, report), None if previous is None else speed_up(previous, report)))
        previous = report
    return ups


def with_drift(outcome: RunOutcome, reference: RunOutcome) -> RunOutcome:
    """The outcome with how far each raw output moved from the reference's (precision, engine, device)."""
    report = replace(outcome.report, drift=output_drift(list(reference.outputs), list(outcome.outputs)))
    return replace(outcome, report=report)


@dataclass
class LayerDelta:
    name_a: str
    name_b: str
    type: str
    time_a_ms: float
    time_b_ms: float
    matched_by: str
    role: str = "model"
    why: str = ""
    """What B's layer is when it is one of a quantized model's usual costs (`layer_causes.cause`)."""
    rank: int = 0
    """Its place in `compare_layers`' order, which a sorted table can go back to."""

    @property
    def delta_ms(self) -> float:
        return self.time_b_ms - self.time_a_ms

    @property
    def ratio(self) -> float | None:
        """None against a zero (or so small the quotient overflows) time in A: no ratio, not infinity."""
        ratio = self.time_b_ms / self.time_a_ms if self.time_a_ms > 0 else math.inf
        return ratio if math.isfinite(ratio) else None

    @property
    def presence(self) -> str:
        if not self.name_a:
            return "only in B"
        if not self.name_b:
            return "only in A"
        return "both"


PREPROCESSING = "preprocessing"


def compare_layers(a: Report, b: Report) -> list[LayerDelta]:
    """Executed layers of A and B paired up: when B ran a quantized model, the layers of B that
    got slower and are one of its usual costs (a Reorder, an unfused FakeQuantize, a layer left in
    floating point) first, most slowed first; then the biggest absolute change first.

    Layers that in-graph preprocessing added have auto-generated names (Transpose_5027 in one
    run, Transpose_11882 in the next), so they are paired by role: one "preprocessing" row
    with each side's summed time."""
    layers_a = [layer for layer in a.layers if layer.executed and not layer.is_preprocessing]
    layers_b = [layer for layer in b.layers if layer.executed and not layer.is_preprocessing]
    quantized_b = is_quantized(b)
    by_name_a = {layer.name: layer for layer in layers_a}
    by_name_b = {layer.name: layer for layer in layers_b}
    owners_a = {original: layer.name for layer in layers_a for original in layer.original_layers}
    deltas = [replace(delta, why=cause(by_name_a.get(delta.name_a), by_name_b.get(delta.name_b), quantized_b, owners_a))
              for delta in _model_deltas(layers_a, layers_b)] + _preprocessing_delta(a, b)
    return [replace(delta, rank=rank) for rank, delta in enumerate(sorted(deltas, key=_slowed_cost_first))]


def _slowed_cost_first(delta: LayerDelta) -> tuple[bool, float]:
    if delta.why and delta.delta_ms > 0:
        return False, -delta.delta_ms
    return True, -abs(delta.delta_ms)


def _preprocessing_delta(a: Report, b: Report) -> list[LayerDelta]:
    times = [[layer.real_time_ms for layer in report.layers if layer.executed and layer.is_preprocessing]
             for report in (a, b)]
    if not any(times):
        return []
    name_a, name_b = (PREPROCESSING if side else "" for side in times)
    return [LayerDelta(name_a, name_b, PREPROCESSING, sum(times[0]), sum(times[1]), "role", "preprocess")]


def _model_deltas(layers_a: list[LayerStats], layers_b: list[LayerStats]) -> list[LayerDelta]:
    by_name_b = {layer.name: layer for layer in layers_b}
    matched_b: set[str] = set()
    deltas: list[LayerDelta] = []
    unmatched_a: list[LayerStats] = []
    for layer in layers_a:
        partner = by_name_b.get(layer.name)
        if partner is None:
            unmatched_a.append(layer)
            continue
        matched_b.add(partner.name)
        deltas.append(_delta(layer, partner, "name"))
    owners_b = _owners_of_original_layers([layer for layer in layers_b if layer.name not in matched_b])
    by_plain_name_b = {quantizer_free(layer.name): layer for layer in layers_b if layer.name not in matched_b}
    for layer in unmatched_a:
        partner = next((owners_b[o] for o in layer.original_layers if o in owners_b and owners_b[o].name not in matched_b), None)
        matched_by = "fused layers"
        if partner is None:
            partner, matched_by = by_plain_name_b.get(quantizer_free(layer.name)), "quantizer name"
        if partner is None or partner.name in matched_b:
            deltas.append(LayerDelta(layer.name, "", layer.type, layer.real_time_ms, 0.0, ""))
            continue
        matched_b.add(partner.name)
        deltas.append(_delta(layer, partner, matched_by))
    deltas += [LayerDelta("", layer.name, layer.type, 0.0, layer.real_time_ms, "")
               for layer in layers_b if layer.name not in matched_b]
    return deltas


def _delta(a: LayerStats, b: LayerStats, matched_by: str) -> LayerDelta:
    return LayerDelta(a.name, b.name, a.type, a.real_time_ms, b.real_time_ms, matched_by)


def _owners_of_original_layers(layers: list[LayerStats]) -> dict[str, LayerStats]:
    return {original: layer for layer in layers for original in layer.original_layers}

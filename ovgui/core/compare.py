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
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ovgui.core import events
from ovgui.core.decoders.base import ModelOutput
from ovgui.core.drift import output_drift
from ovgui.core.errors import OvguiError
from ovgui.core.files import read_json
from ovgui.core.geometry import Geometry
from ovgui.core.graph import RuntimeGraph
from ovgui.core.options import BY_NAME, OptionError, make_config
from ovgui.core.profile import LayerProfiler
from ovgui.core.report import LayerStats, Report
from ovgui.core.runner import ProfileRun, RunRequest


@dataclass(frozen=True)
class Variant:
    """One configuration to compare: what it changes relative to the base run."""

    name: str
    changes: dict[str, Any]
    model_path: str | None = None

    def request(self, base: RunRequest) -> RunRequest:
        config = make_config(self.changes, base.config)
        return replace(base, model_path=self.model_path or base.model_path, config=config)


def load_variants(path: str | Path) -> list[Variant]:
    """A JSON list of objects: ``{"name": ..., "model": optional path, <RunConfig field>: value, ...}``."""
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
    changes = {k: v for k, v in entry.items() if k not in ("name", "model")}
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
    return Variant(name, changes, model_path)


@dataclass
class VariantResult:
    name: str
    report: Report | None
    error: str = ""
    profiler: LayerProfiler | None = field(default=None, repr=False, compare=False)
    outputs: list[ModelOutput] = field(default_factory=list, repr=False, compare=False)
    geometry: Geometry | None = field(default=None, repr=False, compare=False)
    mask: np.ndarray | None = field(default=None, repr=False, compare=False)
    graph: RuntimeGraph | None = field(default=None, repr=False, compare=False)


def run_variants(
    base: RunRequest,
    variants: list[Variant],
    on_event: Callable[[str, events.Event], None] = lambda _name, _event: None,
    should_stop: Callable[[], bool] = lambda: False,
    on_run: Callable[[str, ProfileRun], None] = lambda _name, _run: None,
    on_result: Callable[[VariantResult], None] = lambda _result: None,
) -> list[VariantResult]:
    """Run each variant in turn; a variant OpenVINO rejects is reported, and the others still run."""
    results: list[VariantResult] = []
    for variant in variants:
        if should_stop():
            break
        run = ProfileRun(variant.request(base), lambda event, name=variant.name: on_event(name, event))
        on_run(variant.name, run)
        try:
            report = run.run()
            result = VariantResult(variant.name, report, profiler=run.profiler, outputs=run.outputs,
                                   geometry=run.geometry, mask=run.mask, graph=run.graph)
        except OvguiError as error:
            result = VariantResult(variant.name, None, str(error))
        finally:
            run.release()
        add_drift(result, next((r for r in results if r.report is not None), None))
        results.append(result)
        on_result(result)
    return results


def add_drift(result: VariantResult, reference: VariantResult | None) -> None:
    """How far each raw output moved from the first configuration's (precision, engine, device)."""
    if result.report is not None and reference is not None:
        result.report.drift = output_drift(reference.outputs, result.outputs)


@dataclass
class LayerDelta:
    name_a: str
    name_b: str
    type: str
    time_a_ms: float
    time_b_ms: float
    matched_by: str
    role: str = "model"

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
    """Executed layers of A and B paired up, biggest absolute change first.

    Layers that in-graph preprocessing added have auto-generated names (Transpose_5027 in one
    run, Transpose_11882 in the next), so they are paired by role: one "preprocessing" row
    with each side's summed time."""
    layers_a = [layer for layer in a.layers if layer.executed and not layer.is_preprocessing]
    layers_b = [layer for layer in b.layers if layer.executed and not layer.is_preprocessing]
    deltas = _model_deltas(layers_a, layers_b) + _preprocessing_delta(a, b)
    return sorted(deltas, key=lambda d: abs(d.delta_ms), reverse=True)


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
    for layer in unmatched_a:
        partner = next((owners_b[o] for o in layer.original_layers if o in owners_b and owners_b[o].name not in matched_b), None)
        if partner is None:
            deltas.append(LayerDelta(layer.name, "", layer.type, layer.real_time_ms, 0.0, ""))
            continue
        matched_b.add(partner.name)
        deltas.append(_delta(layer, partner, "fused layers"))
    deltas += [LayerDelta("", layer.name, layer.type, 0.0, layer.real_time_ms, "") for layer in layers_b if layer.name not in matched_b]
    return deltas


def _delta(a: LayerStats, b: LayerStats, matched_by: str) -> LayerDelta:
    return LayerDelta(a.name, b.name, a.type, a.real_time_ms, b.real_time_ms, matched_by)


def _owners_of_original_layers(layers: list[LayerStats]) -> dict[str, LayerStats]:
    return {original: layer for layer in layers for original in layer.original_layers}

"""What File › Export offers, declared as data: the menu and the save dialog are made from it, so
every export keeps the extension it writes and is enabled only when there is something to write."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ovgui.core.annotate import annotated_image, save_image
from ovgui.core.files import path_exists, write_text_atomic
from ovgui.core.graph import graph_to_dot
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import layers_to_csv
from ovgui.core.trace import save_trace


@dataclass(frozen=True)
class Export:
    """One file a shown outcome can be written as."""

    text: str  # the menu entry
    caption: str  # the save dialog's title
    suffix: str  # added to the model's name for the proposed file name
    name_filter: str
    write: Callable[[RunOutcome, Path], None]
    enabled_if: Callable[[RunOutcome], bool] = lambda _outcome: True
    shortcut: str | None = None


def annotated_copy(report_path: Path) -> Path:
    """Where a saved run keeps its annotated image: next to the JSON, same name."""
    return report_path.with_suffix(".png")


def with_filter_suffix(path: str, name_filter: str) -> str:
    """`path`, with the filter's first suffix added unless it already ends in one of the filter's."""
    suffixes = re.findall(r"\*(\.[\w.]+)", name_filter)
    if not suffixes or Path(path).suffix.lower() in suffixes:
        return path
    return path + suffixes[0]


def save_run(outcome: RunOutcome, path: Path) -> None:
    """The JSON report, and beside it the annotated image, so the run reopens without its files."""
    report = outcome.report
    report.save_json(path)
    if report.image and path_exists(report.image.path):
        save_image(annotated_image(report), annotated_copy(path))


def _has_image(outcome: RunOutcome) -> bool:
    return outcome.report.image is not None


EXPORTS = (
    Export("&Export report…", "Export report", ".json", "JSON report (*.json)", save_run, shortcut="Ctrl+E"),
    Export("Export &layers CSV…", "Export layers", "_layers.csv", "CSV (*.csv)",
           lambda outcome, path: write_text_atomic(path, layers_to_csv(outcome.report.layers)),
           lambda outcome: bool(outcome.report.layers)),
    Export("Export &annotated image…", "Export annotated image", "_annotated.png", "PNG image (*.png)",
           lambda outcome, path: save_image(annotated_image(outcome.report), path), _has_image),
    Export("Export &trace (Perfetto)…", "Export trace", "_trace.json", "Trace-event JSON (*.json)",
           lambda outcome, path: save_trace(outcome.report, path)),
    Export("Export &per-image CSV…", "Export per-image results", "_per_image.csv", "CSV (*.csv)",
           lambda outcome, path: write_text_atomic(path, outcome.report.per_image_csv()),
           lambda outcome: outcome.report.frame_set is not None),
    Export("Export &graph (DOT)…", "Export graph", "_graph.dot", "Graphviz DOT (*.dot *.gv)",
           lambda outcome, path: write_text_atomic(path, graph_to_dot(outcome.graph)),
           lambda outcome: outcome.graph is not None),
)

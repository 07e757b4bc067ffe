"""A scored set in words: the CLI's Accuracy section and the lines the window shows (`Report.accuracy`)."""

from __future__ import annotations

from pathlib import Path

from ovgui.core.decoders.classify import TOP_K
from ovgui.core.report import Accuracy, ImageAccuracy, Report

WORST_SHOWN = 5
CLASSES_SHOWN = 15


def accuracy_line(accuracy: Accuracy) -> str:
    """The figures in one line, e.g. "top-1 85.7% · top-5 100.0% over 7 images"."""
    return f"{accuracy_figures(accuracy)} over {accuracy.evaluated} {'image' if accuracy.evaluated == 1 else 'images'}"


def accuracy_figures(accuracy: Accuracy) -> str:
    """The set's two figures, e.g. "top-1 85.7% · top-5 100.0%" or "mAP@0.5 0.812 · mAP@[.5:.95] 0.544"."""
    if accuracy.task == "classification":
        return f"top-1 {percent(accuracy.top1)} · top-{TOP_K} {percent(accuracy.top5)}"
    return f"mAP@0.5 {fraction(accuracy.map50)} · mAP@[.5:.95] {fraction(accuracy.map50_95)}"


def coverage(accuracy: Accuracy) -> str:
    """Which images the figures cover: the annotated ones the run has results for."""
    parts = [f"{accuracy.evaluated + len(accuracy.not_run)} annotated in {Path(accuracy.annotations).name} "
             f"({accuracy.format})"]
    if accuracy.not_run:
        parts.append(f"{len(accuracy.not_run)} of them not run")
    if accuracy.not_annotated:
        parts.append(f"{len(accuracy.not_annotated)} images run without an annotation, left out")
    return "; ".join(parts)


def image_text(image: ImageAccuracy) -> str:
    """One image's result in a few words: where the true class came (a classifier's row has its
    true class), or the boxes matched."""
    if image.label:
        place = f"top-{image.rank}" if image.rank else f"not in the top-{TOP_K}"
        return f"{image.label}: {place}, {image.score:.3f}"
    return f"F1 {image.score:.2f}: {image.matched} matched, {image.missed} missed, {image.false_positives} false"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def fraction(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def format_accuracy(report: Report) -> str:
    """The CLI's Accuracy section: the figures, per class, the worst images and what was left out."""
    accuracy = report.accuracy
    if accuracy is None:
        return ""
    rows = [f"  {accuracy_line(accuracy)}", f"  {coverage(accuracy)}", f"  method: {accuracy.method}"]
    rows += _class_rows(accuracy)
    worst = accuracy.worst[:WORST_SHOWN]
    if worst:
        rows.append("  worst images:")
        rows += [f"    {Path(image.source).name}  {image_text(image)}" for image in worst]
    rows += [f"  note: {note}" for note in accuracy.notes]
    return "Accuracy\n" + "\n".join(rows)


def _class_rows(accuracy: Accuracy) -> list[str]:
    """The classes, the worst first (lowest top-1, or AP@0.5), as many as `CLASSES_SHOWN`."""
    classifier = accuracy.task == "classification"
    ranked = sorted(accuracy.per_class, key=lambda row: ((row.top1 if classifier else row.ap50) or 0.0, row.label))
    shown = ranked[:CLASSES_SHOWN]
    width = min(32, max([len(row.label) for row in shown] + [5]))
    if classifier:
        rows = [f"  {'class':<{width}} {'images':>6} {'top-1':>7} {'top-' + str(TOP_K):>7}"]
        rows += [f"  {row.label[:width]:<{width}} {row.count:>6} {percent(row.top1):>7} {percent(row.top5):>7}"
                 for row in shown]
    else:
        rows = [f"  {'class':<{width}} {'boxes':>6} {'AP@0.5':>7} {'AP@[.5:.95]':>12}"]
        rows += [f"  {row.label[:width]:<{width}} {row.count:>6} {fraction(row.ap50):>7} {fraction(row.ap50_95):>12}"
                 for row in shown]
    if len(ranked) > len(shown):
        rows.append(f"  … {len(ranked) - len(shown)} more classes (--json has them all)")
    return rows

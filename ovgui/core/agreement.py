"""Whether two runs' results agree: the same model through another engine, precision or device.

Detections are paired greedily, best score first, with the same class and IoU >= 0.5; what is
left over is missed (in the reference only) or extra (in the other run only).  Classifiers
compare their top-1 class and how many of the top-5 classes both lists hold.
"""

from __future__ import annotations

from dataclasses import dataclass

from ovgui.core.report import Detection, Report

MATCH_IOU = 0.5


@dataclass(frozen=True)
class Agreement:
    """Run B against reference A."""

    kind: str
    matched: int = 0
    missed: int = 0
    extra: int = 0
    max_score_diff: float = 0.0
    top1_same: bool = False
    top5_shared: int = 0

    def summary(self) -> str:
        if self.kind == "detections":
            return (
                f"{self.matched} matched, {self.missed} missed, {self.extra} extra"
                f" (IoU >= {MATCH_IOU}; largest score difference {self.max_score_diff:.3f})"
            )
        if self.kind == "classes":
            top1 = "same" if self.top1_same else "differs"
            return f"top-1 {top1}, top-5 {self.top5_shared}/5 shared (largest score difference {self.max_score_diff:.3f})"
        return "no detections or classes to compare"


def agreement(reference: Report, other: Report) -> Agreement:
    if reference.classes or other.classes:
        return _classes(reference, other)
    if reference.detections or other.detections:
        return _detections(reference.detections, other.detections)
    return Agreement("none")


def _classes(reference: Report, other: Report) -> Agreement:
    ids_a = [c.class_id for c in reference.classes[:5]]
    ids_b = [c.class_id for c in other.classes[:5]]
    scores_b = {c.class_id: c.score for c in other.classes}
    diffs = [abs(c.score - scores_b[c.class_id]) for c in reference.classes if c.class_id in scores_b]
    return Agreement(
        "classes",
        top1_same=bool(ids_a and ids_b and ids_a[0] == ids_b[0]),
        top5_shared=len(set(ids_a) & set(ids_b)),
        max_score_diff=max(diffs, default=0.0),
    )


def _detections(reference: list[Detection], other: list[Detection]) -> Agreement:
    left = sorted(other, key=lambda d: d.score, reverse=True)
    matched, diffs = 0, []
    for detection in sorted(reference, key=lambda d: d.score, reverse=True):
        candidates = [(iou(detection.box, o.box), i) for i, o in enumerate(left) if o.class_id == detection.class_id]
        best = max(candidates, default=(0.0, -1))
        if best[0] >= MATCH_IOU:
            diffs.append(abs(detection.score - left.pop(best[1]).score))
            matched += 1
    return Agreement("detections", matched, len(reference) - matched, len(left), max(diffs, default=0.0))


def iou(a: list[float], b: list[float]) -> float:
    ax1, ay1, ax2, ay2 = a
    bx1, by1, bx2, by2 = b
    inter = max(0.0, min(ax2, bx2) - max(ax1, bx1)) * max(0.0, min(ay2, by2) - max(ay1, by1))
    union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter
    return float(inter / union) if union > 0 else 0.0

"""Accuracy on a labelled set: a set's per-image results scored against annotations.

`--accuracy ANNOTATIONS` takes three spellings:

* a folder-per-class tree: each sub-folder's name is a class and the images in it are that
  class's; the tree holds its own images, so it is IMAGE too (a folder with no images of its own
  runs its sub-folders' images, `ovgui.core.inputs.folder_images`);
* a CSV of ``image,label`` rows (a header row ``image,label`` may come first);
* a COCO JSON (``images``, ``annotations`` with ``bbox`` [x, y, width, height], ``categories``).

A CSV's ``image`` paths and a COCO JSON's ``file_name`` are relative to the image folder: IMAGE
when it is a folder, else the folder of the annotations file.  The run is IMAGE as always (a run
of one image is scored on its own results); its images are then matched to the annotations by
path: an image the annotations do not name is listed as not annotated, an annotated image the
run has no result for as not run.

Class names meet the model's labels by name — exactly, else ignoring case and with ``_`` read as
a space, also on a label's first comma-separated name ("tabby, tabby cat") — and a name used by
the annotations that matches no label stops the run before it compiles, in one line.

A classifier is scored top-1 and top-5 on its decoded top-5.  A detector is scored by
pycocotools' COCOeval (the reference implementation of COCO's bbox metric): mAP@0.5 and
mAP@[.5:.95] from its `summarize`, each class's AP from its precision table, and each image's
matched, missed and false boxes from its own matching at IoU 0.5.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import numpy as np

from ovgui.core.decoders.classify import TOP_K
from ovgui.core.decoders.families import default_threshold
from ovgui.core.errors import OvguiError
from ovgui.core.files import read_json, read_text_limited
from ovgui.core.inputs import FrameSource, images_in
from ovgui.core.options import BY_NAME
from ovgui.core.report import Accuracy, ClassAccuracy, Detection, FrameResult, ImageAccuracy, Report
from ovgui.core.schema import SchemaError, decode

NAMES_SHOWN = 4
COCO_MAX_BOXES = 100
"""COCOeval scores at most this many boxes per image (its `maxDets`), the best first."""
FULL_RECALL_THRESHOLD = 0.05
"""Above this score threshold a detector's mAP is below what COCO's published figures (boxes kept
down to 0.001) would give it; the report says so."""


@dataclass
class _CocoImage:
    id: int
    file_name: str


@dataclass
class _CocoBox:
    image_id: int
    category_id: int
    bbox: list[float]
    iscrowd: int = 0
    area: float | None = None


@dataclass
class _CocoCategory:
    id: int
    name: str


@dataclass
class _CocoFile:
    images: list[_CocoImage]
    annotations: list[_CocoBox]
    categories: list[_CocoCategory]


@dataclass
class LabelledSet:
    """Annotations as read: `images` maps each annotated image (by `image_key`) to its path as
    shown; a classification set has each image's class in `labels`, a COCO set its boxes.
    `described` is the run's IMAGE as the report records it."""

    path: str
    format: str
    images: dict[str, str]
    described: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    coco: _CocoFile | None = None
    image_ids: dict[str, int] = field(default_factory=dict)

    @property
    def task(self) -> str:
        return "detection" if self.coco is not None else "classification"

    @property
    def name(self) -> str:
        return Path(self.path).name or self.path

    def names(self) -> set[str]:
        """The class names the annotations use (a COCO category no box uses is not among them)."""
        if self.coco is None:
            return set(self.labels.values())
        used = {box.category_id for box in self.coco.annotations}
        return {category.name for category in self.coco.categories if category.id in used}

    def unused_names(self) -> set[str]:
        """A COCO file's categories that no box uses: a prediction of one is a false positive, if it matches."""
        return {category.name for category in self.coco.categories} - self.names() if self.coco is not None else set()

    def matched(self, labels: list[str] | None, family: str) -> ScoredSet:
        """The set with its names matched to the model's labels, before anything is compiled:
        names that match no label, or a model whose outputs are not what the annotations score
        (`family`, the decoder the outputs look like; "" when a decoder file decides), are one line."""
        self._check_family(family)
        return ScoredSet(self, class_ids(self.names(), labels, self.name, self.unused_names()))

    def _check_family(self, family: str) -> None:
        if not family or family == "none" or (family == "classify") == (self.task == "classification"):
            return
        if self.task == "classification":
            raise OvguiError(f"{self.name} labels whole images (top-1/top-5 needs a classifier), but the model's outputs "
                             f"decode as {family}; give a COCO JSON of boxes, or --decoder classify")
        raise OvguiError(f"{self.name} holds boxes (mAP needs a detector), but the model's outputs decode as classes; "
                         "give a folder-per-class tree or a CSV of image,label")


@dataclass(frozen=True)
class ScoredSet:
    """A labelled set whose class names each stand for a set of the model's class ids (two labels
    may share a name, as ImageNet's two "crane"s do)."""

    labelled: LabelledSet
    classes: dict[str, frozenset[int]]

    def score(self, report: Report) -> Accuracy:
        """The report's per-image results against the annotations (one image: the report's own results)."""
        labelled = self.labelled
        run = {image_key(result.source): result for result in report.per_image or _single_result(report)}
        scored = [(key, result) for key, result in run.items() if key in labelled.images]
        accuracy = Accuracy(
            annotations=labelled.path, format=labelled.format, task=labelled.task, evaluated=len(scored),
            images=labelled.described,
            not_run=[shown for key, shown in labelled.images.items() if key not in run],
            not_annotated=[result.source for key, result in run.items() if key not in labelled.images],
        )
        if labelled.coco is None:
            _score_classes(accuracy, labelled.labels, self.classes, scored)
        else:
            threshold = report.config.threshold
            _score_boxes(accuracy, labelled, self.classes, scored,
                         default_threshold(report.decoder.name) if threshold is None else threshold)
        accuracy.worst.sort(key=lambda image: (image.rank == 1, image.score, image.source))
        return accuracy


def image_accuracy(accuracy: Accuracy | None, source: str) -> ImageAccuracy | None:
    """An evaluated image's row (its ground truth with it) by the image's path, None when it was not scored."""
    if accuracy is None:
        return None
    key = image_key(source)
    return next((image for image in accuracy.worst if image_key(image.source) == key), None)


def _single_result(report: Report) -> list[FrameResult]:
    """A run of one image as the one row of a set: its steady loop's results, its median latency."""
    if report.image is None or report.frame_set is not None:
        return []
    image = report.image
    return [FrameResult(0, image.path, image.width, image.height, report.latency_ms.median, report.latency_ms.median,
                        detections=report.detections, classes=report.classes)]


def image_key(path: str | Path) -> str:
    """One spelling for one file: a run's image and an annotation's path are compared by it."""
    return os.path.normcase(os.path.abspath(path))


def read_labelled_set(path: str, source: FrameSource) -> LabelledSet:
    """The annotations at `path`, for a run of `source`: one line when they cannot be read, when
    the run is a video, or when none of its images is annotated."""
    if source.kind == "video":
        raise OvguiError(f"{BY_NAME['accuracy'].title} scores images: give a folder, a glob or several images as IMAGE, "
                         "not a video")
    given = Path(path).expanduser()
    root = Path(source.inputs[0]) if len(source.inputs) == 1 and Path(source.inputs[0]).is_dir() else given.parent
    if given.is_dir():
        labelled = _read_tree(given)
    elif given.suffix.lower() == ".csv":
        labelled = _read_csv(given, root)
    elif given.suffix.lower() == ".json":
        labelled = _read_coco(given, root)
    else:
        raise OvguiError(f"{given.name} is no annotations ovgui reads: give a folder-per-class tree, "
                         "a .csv of image,label rows or a COCO .json")
    labelled.path, labelled.described = path, source.description
    if not any(image_key(image) in labelled.images for image in source.paths):
        raise OvguiError(f"none of the {len(source.paths)} images of {source.description} is named by {labelled.name} "
                         f"(its paths are relative to {root})")
    return labelled


def class_ids(names: Iterable[str], labels: list[str] | None, where: str,
              optional: Iterable[str] = ()) -> dict[str, frozenset[int]]:
    """Each annotation name's class ids in `labels`; every one of `names` must match at least one,
    the `optional` ones are left out when they match none."""
    wanted = sorted(names)
    if not labels:
        raise OvguiError(f"the model has no class names to match {where}'s classes with; give --labels FILE")
    exact: dict[str, set[int]] = defaultdict(set)
    loose: dict[str, set[int]] = defaultdict(set)
    for class_id, label in enumerate(labels):
        exact[label].add(class_id)
        for spelling in _spellings(label):
            loose[spelling].add(class_id)
    found = {name: frozenset(exact.get(name) or set().union(*(loose.get(s, set()) for s in _spellings(name))))
             for name in [*wanted, *optional]}
    unmatched = [name for name in wanted if not found[name]]
    if unmatched:
        listed = ", ".join(repr(name) for name in unmatched[:NAMES_SHOWN])
        more = f" and {len(unmatched) - NAMES_SHOWN} more" if len(unmatched) > NAMES_SHOWN else ""
        like = ", ".join(repr(label) for label in labels[:2])
        raise OvguiError(f"{len(unmatched)} of {len(wanted)} classes of {where} match none of the model's "
                         f"{len(labels)} labels: {listed}{more} (its labels read like {like}); rename them, "
                         "or give --labels FILE with the annotations' names")
    return {name: ids for name, ids in found.items() if ids}


def _spellings(name: str) -> set[str]:
    """A name ignoring case, with ``_`` for a space, whole and by its first comma-separated part."""
    def plain(text: str) -> str:
        return " ".join(text.replace("_", " ").split()).casefold()

    return {plain(name), plain(name.split(",")[0])} - {""}


# --- reading the three spellings -------------------------------------------------------------


def _read_tree(tree: Path) -> LabelledSet:
    images = [(image, folder.name) for folder in sorted(p for p in tree.iterdir() if p.is_dir())
              for image in images_in(folder)]
    if not images:
        raise OvguiError(f"{tree} holds no class folders with images (a folder-per-class tree: one folder per class, "
                         "named as the class, its images inside)")
    return LabelledSet(str(tree), "folders", {image_key(image): str(image) for image, _label in images},
                       labels={image_key(image): label for image, label in images})


def _read_csv(path: Path, root: Path) -> LabelledSet:
    try:
        rows = list(csv.reader(io.StringIO(_text(path))))
    except csv.Error as error:
        raise OvguiError(f"{path.name} is not a CSV of image,label rows: {error}") from None
    images: dict[str, str] = {}
    labels: dict[str, str] = {}
    for number, row in enumerate(rows, start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells) or (number == 1 and [cell.casefold() for cell in cells] == ["image", "label"]):
            continue
        if len(cells) != 2 or not all(cells):
            raise OvguiError(f"{path.name} line {number}: expected image,label, got {','.join(row)[:60]!r}")
        image = root / cells[0]
        key = image_key(image)
        if key in labels:
            raise OvguiError(f"{path.name} line {number}: {cells[0]} is labelled twice")
        images[key], labels[key] = str(image), cells[1]
    if not labels:
        raise OvguiError(f"{path.name} holds no image,label rows")
    return LabelledSet(str(path), "csv", images, labels=labels)


def _read_coco(path: Path, root: Path) -> LabelledSet:
    try:
        data = read_json(path)
    except json.JSONDecodeError as error:
        raise OvguiError(f"{path.name} is not JSON: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise OvguiError(f"cannot read {path.name}: {getattr(error, 'strerror', None) or error}") from None
    if not isinstance(data, dict) or not {"images", "annotations", "categories"} <= data.keys():
        raise OvguiError(f"{path.name} is not a COCO annotations file: it has no images, annotations and categories")
    try:
        coco = decode(_CocoFile, data, "")
    except SchemaError as error:
        raise OvguiError(f"{path.name}: {str(error).lstrip('.')}") from None
    _check_coco(coco, path.name)
    images = {image_key(root / image.file_name): image for image in coco.images}
    return LabelledSet(str(path), "coco", {key: str(root / image.file_name) for key, image in images.items()},
                       coco=coco, image_ids={key: image.id for key, image in images.items()})


def _check_coco(coco: _CocoFile, name: str) -> None:
    """What the schema cannot say: boxes of four sizes, and ids that name an image and a category."""
    image_ids = {image.id for image in coco.images}
    category_ids = {category.id for category in coco.categories}
    for index, box in enumerate(coco.annotations):
        where = f"{name}: annotations[{index}]"
        if len(box.bbox) != 4 or box.bbox[2] < 0 or box.bbox[3] < 0:
            raise OvguiError(f"{where}.bbox should be [x, y, width, height] with sizes of at least 0, not {box.bbox}")
        if box.image_id not in image_ids:
            raise OvguiError(f"{where}.image_id {box.image_id} names no image of its images")
        if box.category_id not in category_ids:
            raise OvguiError(f"{where}.category_id {box.category_id} names no category of its categories")
    if len(image_ids) != len(coco.images) or len(category_ids) != len(coco.categories):
        raise OvguiError(f"{name}: two images, or two categories, share an id")


def _text(path: Path) -> str:
    try:
        return read_text_limited(path, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise OvguiError(f"cannot read {path.name}: {getattr(error, 'strerror', None) or error}") from None


# --- scoring -------------------------------------------------------------------------------------


def _score_classes(accuracy: Accuracy, labels: dict[str, str], classes: dict[str, frozenset[int]],
                   scored: list[tuple[str, FrameResult]]) -> None:
    for key, result in scored:
        truth = labels[key]
        rank = next((place for place, found in enumerate(result.classes[:TOP_K], start=1)
                     if found.class_id in classes[truth]), 0)
        score = result.classes[rank - 1].score if rank else 0.0
        accuracy.worst.append(ImageAccuracy(result.source, score, label=truth, rank=rank))
    accuracy.top1, accuracy.top5 = _hit_rates(accuracy.worst)
    by_class: dict[str, list[ImageAccuracy]] = defaultdict(list)
    for image in accuracy.worst:
        by_class[image.label].append(image)
    for label in sorted(by_class):
        top1, top5 = _hit_rates(by_class[label])
        accuracy.per_class.append(ClassAccuracy(label, len(by_class[label]), top1=top1, top5=top5))
    accuracy.method = (f"top-1: the true class is the model's first; top-{TOP_K}: among its {TOP_K} best "
                       "(names matched to the model's labels)")


def _hit_rates(images: list[ImageAccuracy]) -> tuple[float | None, float | None]:
    if not images:
        return None, None
    return (sum(image.rank == 1 for image in images) / len(images),
            sum(image.rank >= 1 for image in images) / len(images))


def _score_boxes(accuracy: Accuracy, labelled: LabelledSet, classes: dict[str, frozenset[int]],
                 scored: list[tuple[str, FrameResult]], threshold: float) -> None:
    coco = labelled.coco
    assert coco is not None
    names = {category.id: category.name for category in coco.categories}
    category_of: dict[int, int] = {}
    for category in sorted(coco.categories, key=lambda c: c.id):
        for class_id in sorted(classes.get(category.name, ())):
            category_of.setdefault(class_id, category.id)
    ids = {labelled.image_ids[key]: result for key, result in scored}
    accuracy.method = (f"pycocotools {version('pycocotools')} COCOeval (bbox): mAP@0.5 and mAP@[.5:.95] as its summary "
                       f"gives them, at most {COCO_MAX_BOXES} boxes per image; per image, its matching at IoU 0.5")
    if not ids:
        return
    predictions, unscored = _predictions(ids, category_of)
    evaluator = _evaluate(coco, predictions, sorted(ids))
    counts = _image_counts(evaluator)
    truth = _truth_boxes(coco, classes, names, set(ids))
    for image_id, result in ids.items():
        matched, missed, false = counts.get(image_id, (0, 0, 0))
        total = 2 * matched + missed + false
        score = 2 * matched / total if total else 1.0
        accuracy.worst.append(ImageAccuracy(result.source, score, truth=truth.get(image_id, []), matched=matched,
                                            missed=missed, false_positives=false))
    stats = evaluator.stats
    accuracy.map50_95 = float(stats[0]) if stats[0] >= 0 else None
    accuracy.map50 = float(stats[1]) if stats[1] >= 0 else None
    accuracy.per_class = _class_aps(evaluator, names, truth)
    if threshold > FULL_RECALL_THRESHOLD:
        accuracy.notes.append(f"scored on the boxes above the decoder's threshold ({threshold:g}); COCO's published mAPs "
                              "keep boxes down to 0.001 (--threshold 0.001)")
    if unscored:
        listed = ", ".join(f"{label} ×{count}" for label, count in unscored.most_common(NAMES_SHOWN))
        count = sum(unscored.values())
        accuracy.notes.append(f"{count} {'box' if count == 1 else 'boxes'} of classes the annotations do not name "
                              f"were not scored ({listed})")


def _predictions(images: dict[int, FrameResult], category_of: dict[int, int]) -> tuple[list[dict], Counter]:
    """The detections as COCO results ([x, y, width, height]); those of classes no category names are counted apart."""
    predictions: list[dict] = []
    unscored: Counter = Counter()
    for image_id, result in images.items():
        for detection in result.detections:
            category = category_of.get(detection.class_id)
            if category is None:
                unscored[detection.label] += 1
                continue
            x1, y1, x2, y2 = detection.box
            predictions.append({"id": len(predictions) + 1, "image_id": image_id, "category_id": category,
                                "bbox": [x1, y1, x2 - x1, y2 - y1], "area": (x2 - x1) * (y2 - y1),
                                "score": detection.score})
    return predictions, unscored


def _evaluate(coco: _CocoFile, predictions: list[dict], image_ids: list[int]):
    """COCOeval on the evaluated images.  pycocotools prints its progress on stdout, which is the
    CLI's summary: it is kept out of it."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    images = [{"id": image.id} for image in coco.images]
    categories = [{"id": category.id, "name": category.name} for category in coco.categories]
    truth = [{"id": index, "image_id": box.image_id, "category_id": box.category_id, "bbox": box.bbox,
              "iscrowd": box.iscrowd, "area": box.bbox[2] * box.bbox[3] if box.area is None else box.area}
             for index, box in enumerate(coco.annotations, start=1)]
    with contextlib.redirect_stdout(io.StringIO()):
        ground = _dataset(COCO(), images, truth, categories)
        found = _dataset(COCO(), images, predictions, categories)
        evaluator = COCOeval(ground, found, "bbox")
        evaluator.params.imgIds = image_ids
        evaluator.params.maxDets = [1, 10, COCO_MAX_BOXES]
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    return evaluator


def _dataset(coco, images: list[dict], annotations: list[dict], categories: list[dict]):
    coco.dataset = {"images": images, "annotations": annotations, "categories": categories}
    coco.createIndex()
    return coco


def _image_counts(evaluator) -> dict[int, tuple[int, int, int]]:
    """Each image's matched, missed and false boxes at IoU 0.5, summed over categories, from
    COCOeval's own per-image matching (boxes matched to a crowd region are neither)."""
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    whole_image = evaluator.params.areaRng[0]
    for entry in evaluator.evalImgs:
        if entry is None or entry["aRng"] != whole_image:
            continue
        found = np.asarray(entry["dtMatches"])[0] > 0
        found_counted = ~np.asarray(entry["dtIgnore"], dtype=bool)[0]
        truth = np.asarray(entry["gtMatches"])[0] > 0
        truth_counted = ~np.asarray(entry["gtIgnore"], dtype=bool)
        tally = counts[entry["image_id"]]
        tally[0] += int((found & found_counted).sum())
        tally[1] += int((~truth & truth_counted).sum())
        tally[2] += int((~found & found_counted).sum())
    return {image_id: (matched, missed, false) for image_id, (matched, missed, false) in counts.items()}


def _truth_boxes(coco: _CocoFile, classes: dict[str, frozenset[int]], names: dict[int, str],
                 image_ids: set[int]) -> dict[int, list[Detection]]:
    """The ground truth of the evaluated images as boxes to draw, coloured as the model's class of the same name."""
    boxes: dict[int, list[Detection]] = defaultdict(list)
    for box in coco.annotations:
        if box.image_id in image_ids:
            name = names[box.category_id]
            x, y, width, height = box.bbox
            boxes[box.image_id].append(Detection(min(classes.get(name) or {-1}), name, 1.0, [x, y, x + width, y + height]))
    return boxes


def _class_aps(evaluator, names: dict[int, str], truth: dict[int, list[Detection]]) -> list[ClassAccuracy]:
    """Each category with boxes in the evaluated images: its AP@0.5 and AP@[.5:.95] from COCOeval's
    precision table (IoU × recall × category × area × boxes per image), whole image, 100 boxes."""
    precision = evaluator.eval["precision"]
    boxes = Counter(box.label for image in truth.values() for box in image)
    rows = []
    for index, category_id in enumerate(evaluator.params.catIds):
        name = names[category_id]
        if boxes[name]:
            table = precision[:, :, index, 0, -1]
            rows.append(ClassAccuracy(name, boxes[name], ap50=_mean(table[0]), ap50_95=_mean(table)))
    return sorted(rows, key=lambda row: row.label)


def _mean(values: np.ndarray) -> float | None:
    valid = values[values > -1]
    return float(valid.mean()) if valid.size else None


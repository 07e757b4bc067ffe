"""Accuracy on a labelled set: annotations made from the model's own f32 results score it 100%,
a label changed on purpose lowers the figure by exactly what it should, and annotations that
cannot be used are one line before anything is compiled."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from shared_data import IMAGES, MODELS, image_path, model_path

from ovgui.cli import EXIT_USAGE, profile_main
from ovgui.core.accuracy import class_ids, read_labelled_set
from ovgui.core.errors import OvguiError
from ovgui.core.inputs import open_source
from ovgui.core.report import Report, RunConfig
from ovgui.core.runner import RunRequest, run_profile

SQUEEZENET_TOP1 = {"chelsea.png": "Egyptian cat", "dog.jpg": "dogsled", "kite.jpg": "sandbar", "bus.jpg": "amphibian",
                   "person.jpg": "llama"}
"""The manifest's top-1 classes (its other two photos hold low-confidence guesses, taken from the run itself)."""
COCO_NAMES = (MODELS / "labels" / "coco.names").read_text(encoding="utf-8").splitlines()


def run(model: str, images: str, **config) -> Report:
    return run_profile(RunRequest(str(model_path(model)), images,
                                  RunConfig(precision="f32", roofline=False, perf_counters=False, **config))).report


def by_name(report: Report) -> dict:
    return {Path(result.source).name: result for result in report.per_image}


@pytest.fixture(scope="module")
def squeezenet_set() -> Report:
    """The photos through SqueezeNet at f32, once: the classes the labelled sets are made of."""
    report = run("squeezenet", str(IMAGES))
    assert len(report.per_image) == 7
    return report


@pytest.fixture(scope="module")
def yolov5_set() -> Report:
    report = run("yolov5", str(IMAGES))
    assert len(report.per_image) == 7
    return report


def own_top1(report: Report) -> dict[str, str]:
    """Each photo's top-1 class as the run found it, checked against the manifest where it names one."""
    found = {name: result.classes[0].label for name, result in by_name(report).items()}
    assert {name: found[name] for name in SQUEEZENET_TOP1} == SQUEEZENET_TOP1
    return found


def class_tree(folder: Path, labels: dict[str, str]) -> Path:
    """A folder-per-class tree of the photos, folder names written as datasets write them ("Egyptian_cat")."""
    for name, label in labels.items():
        target = folder / label.replace(" ", "_")
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(image_path(name), target / name)
    return folder


def coco_file(path: Path, report: Report, relabel: dict[str, str] | None = None) -> Path:
    """The run's own boxes as COCO ground truth ([x, y, width, height], file names relative to the
    photo folder), every COCO-80 name a category; `relabel` gives one photo's boxes another class."""
    images, boxes = [], []
    for image_id, (name, result) in enumerate(sorted(by_name(report).items()), start=1):
        images.append({"id": image_id, "file_name": name, "width": result.width, "height": result.height})
        for detection in result.detections:
            x1, y1, x2, y2 = detection.box
            label = (relabel or {}).get(name, detection.label)
            boxes.append({"id": len(boxes) + 1, "image_id": image_id, "category_id": COCO_NAMES.index(label) + 1,
                          "bbox": [x1, y1, x2 - x1, y2 - y1], "iscrowd": 0, "segmentation": []})
    categories = [{"id": index + 1, "name": name, "supercategory": "coco"} for index, name in enumerate(COCO_NAMES)]
    path.write_text(json.dumps({"images": images, "annotations": boxes, "categories": categories}), encoding="utf-8")
    return path


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = profile_main([*map(str, argv), "--precision", "f32", "--no-roofline", "--no-layers"])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_folder_per_class_tree_of_the_models_own_classes_scores_100_percent(squeezenet_set, tmp_path):
    tree = class_tree(tmp_path / "tree", own_top1(squeezenet_set))
    report = run("squeezenet", str(tree), accuracy=str(tree))
    accuracy = report.accuracy
    assert len(report.per_image) == 7, "a tree given as IMAGE runs its class folders' images"
    assert (accuracy.task, accuracy.format, accuracy.evaluated) == ("classification", "folders", 7)
    assert (accuracy.top1, accuracy.top5) == (1.0, 1.0)
    assert accuracy.map50 is None and accuracy.map50_95 is None
    assert sorted(row.label for row in accuracy.per_class) == sorted(label.replace(" ", "_")
                                                                     for label in own_top1(squeezenet_set).values())
    assert all((row.count, row.top1, row.top5) == (1, 1.0, 1.0) for row in accuracy.per_class)
    assert all(image.rank == 1 for image in accuracy.worst)
    assert [image.score for image in accuracy.worst] == sorted(image.score for image in accuracy.worst)
    assert accuracy.not_run == [] and accuracy.not_annotated == []
    assert Report.from_json(report.to_json()).accuracy == accuracy


def write_csv(path: Path, labels: dict[str, str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([("image", "label"), *sorted(labels.items())])
    return path


def test_one_wrong_label_in_a_csv_lowers_top1_by_exactly_one_seventh(squeezenet_set, tmp_path):
    labels = {**own_top1(squeezenet_set), "chelsea.png": "tabby"}  # third in chelsea's top-5
    report = run("squeezenet", str(IMAGES), accuracy=str(write_csv(tmp_path / "labels.csv", labels)))
    accuracy = report.accuracy
    assert accuracy.format == "csv" and accuracy.evaluated == 7
    assert accuracy.top1 == pytest.approx(1 - 1 / 7) and accuracy.top5 == 1.0
    rows = {row.label: row for row in accuracy.per_class}
    assert (rows["tabby"].count, rows["tabby"].top1, rows["tabby"].top5) == (1, 0.0, 1.0)
    assert all(row.top1 == 1.0 for label, row in rows.items() if label != "tabby")
    worst = accuracy.worst[0]
    assert (Path(worst.source).name, worst.label, worst.rank) == ("chelsea.png", "tabby", 3)
    chelsea = by_name(squeezenet_set)["chelsea.png"].classes
    assert worst.score == pytest.approx(next(c.score for c in chelsea if c.label == "tabby"))

    labels["dog.jpg"] = "tench"  # nowhere in dog's top-5
    labelled = read_labelled_set(str(write_csv(tmp_path / "two.csv", labels)), open_source([str(IMAGES)]))
    again = labelled.matched(squeezenet_labels(), "classify").score(report)
    assert again.top1 == pytest.approx(1 - 2 / 7) and again.top5 == pytest.approx(1 - 1 / 7)
    assert [(Path(image.source).name, image.rank) for image in again.worst[:2]] == [("dog.jpg", 0), ("chelsea.png", 3)]


def squeezenet_labels() -> list[str]:
    return (MODELS / "labels" / "imagenet_classes.txt").read_text(encoding="utf-8").splitlines()


def test_a_coco_json_of_the_detectors_own_boxes_scores_map_1_and_the_cli_prints_it(yolov5_set, tmp_path, capsys):
    annotations = coco_file(tmp_path / "instances.json", yolov5_set)
    saved = tmp_path / "report.json"
    code, out, err = cli(capsys, model_path("yolov5"), IMAGES, "--accuracy", annotations, "--json", saved)
    assert code == 0, err
    accuracy = Report.load(saved).accuracy
    assert (accuracy.task, accuracy.format, accuracy.evaluated) == ("detection", "coco", 7)
    assert accuracy.map50 == pytest.approx(1.0) and accuracy.map50_95 == pytest.approx(1.0)
    assert accuracy.top1 is None and accuracy.top5 is None
    found = {detection.label for result in yolov5_set.per_image for detection in result.detections}
    assert {row.label for row in accuracy.per_class} == found
    assert all(row.ap50 == pytest.approx(1.0) and row.ap50_95 == pytest.approx(1.0) for row in accuracy.per_class)
    person = next(row for row in accuracy.per_class if row.label == "person")
    assert person.count == sum(d.label == "person" for r in yolov5_set.per_image for d in r.detections)
    assert all(image.score == 1.0 and image.missed == image.false_positives == 0 for image in accuracy.worst)
    kite = next(image for image in accuracy.worst if image.source.endswith("kite.jpg"))
    assert kite.matched == len(kite.truth) == len(by_name(yolov5_set)["kite.jpg"].detections)
    assert "Accuracy\n  mAP@0.5 1.000 · mAP@[.5:.95] 1.000 over 7 images" in out
    assert "pycocotools" in out and "threshold (0.25)" in out


def test_one_wrong_category_lowers_map_by_one_class_in_nine(yolov5_set, tmp_path):
    """chelsea's cat called a toothbrush: the toothbrush class has one box and no prediction (AP 0),
    the cat no box any more (no AP): of the nine classes with boxes, eight still score 1."""
    annotations = coco_file(tmp_path / "wrong.json", yolov5_set, relabel={"chelsea.png": "toothbrush"})
    labelled = read_labelled_set(str(annotations), open_source([str(IMAGES)]))
    accuracy = labelled.matched(COCO_NAMES, "yolov5").score(yolov5_set)
    assert accuracy.map50 == pytest.approx(8 / 9) and accuracy.map50_95 == pytest.approx(8 / 9)
    rows = {row.label: row for row in accuracy.per_class}
    assert rows["toothbrush"].ap50 == 0.0 and "cat" not in rows
    worst = accuracy.worst[0]
    assert Path(worst.source).name == "chelsea.png"
    assert (worst.score, worst.matched, worst.missed, worst.false_positives) == (0.0, 0, 1, 1)
    assert [(box.label, box.score) for box in worst.truth] == [("toothbrush", 1.0)]


def test_names_match_by_case_underscores_and_first_synonym_and_share_ids():
    labels = ["tabby, tabby cat", "Egyptian cat", "crane", "crane", "dog"]
    found = class_ids({"tabby", "egyptian_cat", "crane", "Dog"}, labels, "x")
    assert found == {"tabby": {0}, "egyptian_cat": {1}, "crane": {2, 3}, "Dog": {4}}


def test_unmatched_class_names_stop_the_run_in_one_line_before_it_compiles(tmp_path, capsys):
    tree = tmp_path / "tree"
    for folder in ("n01440764", "n01443537", "dogsled"):
        (tree / folder).mkdir(parents=True)
        shutil.copy(image_path("dog.jpg"), tree / folder / f"{folder}.jpg")
    code, out, err = cli(capsys, model_path("squeezenet"), tree, "--accuracy", tree)
    lines = err.strip().splitlines()
    assert code == EXIT_USAGE and len(lines) == 1 and "Traceback" not in err
    assert lines[0] == ("error: 2 of 3 classes of tree match none of the model's 1000 labels: 'n01440764', 'n01443537' "
                        "(its labels read like 'tench', 'goldfish'); rename them, or give --labels FILE with the "
                        "annotations' names")
    assert out == ""


def test_a_detectors_annotations_on_a_classifier_are_one_line(yolov5_set, tmp_path):
    with pytest.raises(OvguiError, match="holds boxes .mAP needs a detector., but the model's outputs decode as classes"):
        run("squeezenet", str(IMAGES), accuracy=str(coco_file(tmp_path / "boxes.json", yolov5_set)))


def test_images_the_annotations_do_not_name_and_annotations_not_run_are_listed(squeezenet_set, tmp_path):
    table = tmp_path / "some.csv"
    table.write_text("bus.jpg,amphibian\ndog.jpg,dogsled\nmissing.jpg,tench\n", encoding="utf-8")
    accuracy = run("squeezenet", str(IMAGES), accuracy=str(table), frames=6).accuracy
    assert accuracy.evaluated == 2 and accuracy.top1 == 1.0
    assert [Path(path).name for path in accuracy.not_run] == ["missing.jpg"]
    assert sorted(Path(path).name for path in accuracy.not_annotated) == ["astronaut.png", "chelsea.png", "kite.jpg",
                                                                          "person.jpg"]


def test_one_image_is_scored_on_its_own_results(tmp_path):
    table = tmp_path / "one.csv"
    table.write_text(f"{image_path('chelsea.png')},Egyptian cat\n", encoding="utf-8")
    accuracy = run("squeezenet", str(image_path("chelsea.png")), accuracy=str(table), iterations=2).accuracy
    assert (accuracy.evaluated, accuracy.top1) == (1, 1.0)


def malformed(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def coco_text(**changes) -> str:
    data = {"images": [{"id": 1, "file_name": "bus.jpg"}], "categories": [{"id": 1, "name": "bus"}],
            "annotations": [{"image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4]}]}
    return json.dumps({**data, **changes})


MALFORMED = [
    ("csv row of three", lambda t: malformed(t, "a.csv", "image,label\nbus.jpg,bus,extra\n"),
     "a.csv line 2: expected image,label, got 'bus.jpg,bus,extra'"),
    ("csv without a label", lambda t: malformed(t, "a.csv", "bus.jpg,\n"), "a.csv line 1: expected image,label"),
    ("csv without rows", lambda t: malformed(t, "a.csv", "image,label\n"), "a.csv holds no image,label rows"),
    ("csv image twice", lambda t: malformed(t, "a.csv", "bus.jpg,bus\nbus.jpg,car\n"), "a.csv line 2: bus.jpg is labelled twice"),
    ("not JSON", lambda t: malformed(t, "a.json", "{images"), "a.json is not JSON: "),
    ("JSON not COCO", lambda t: malformed(t, "a.json", "[1, 2]"),
     "a.json is not a COCO annotations file: it has no images, annotations and categories"),
    ("bbox of text", lambda t: malformed(t, "a.json", coco_text(annotations=[{"image_id": 1, "category_id": 1,
                                                                              "bbox": "big"}])),
     'a.json: annotations[0].bbox should be a list, not "big"'),
    ("bbox of three", lambda t: malformed(t, "a.json", coco_text(annotations=[{"image_id": 1, "category_id": 1,
                                                                               "bbox": [1, 2, 3]}])),
     "a.json: annotations[0].bbox should be [x, y, width, height] with sizes of at least 0, not [1.0, 2.0, 3.0]"),
    ("unknown image", lambda t: malformed(t, "a.json", coco_text(annotations=[{"image_id": 9, "category_id": 1,
                                                                               "bbox": [1, 2, 3, 4]}])),
     "a.json: annotations[0].image_id 9 names no image of its images"),
    ("image without file name", lambda t: malformed(t, "a.json", coco_text(images=[{"id": 1}])),
     "a.json: images[0].file_name is missing"),
    ("other suffix", lambda t: malformed(t, "a.txt", "bus.jpg bus"),
     "a.txt is no annotations ovgui reads: give a folder-per-class tree, a .csv of image,label rows or a COCO .json"),
    ("tree without class folders", lambda t: (t / "empty").mkdir() or t / "empty", "holds no class folders with images"),
    ("names no image run", lambda t: malformed(t, "a.csv", "elsewhere/bus.jpg,bus\n"),
     f"none of the 7 images of {IMAGES} is named by a.csv (its paths are relative to {IMAGES})"),
    ("missing", lambda t: t / "nothing.csv", "accuracy (--accuracy) must be a file or a folder, but"),
]


@pytest.mark.parametrize("case,make,message", MALFORMED, ids=[case for case, _make, _message in MALFORMED])
def test_annotations_that_cannot_be_used_are_one_line_and_exit_2(tmp_path, capsys, case, make, message):
    code, out, err = cli(capsys, model_path("squeezenet"), IMAGES, "--accuracy", make(tmp_path), "-n", "2")
    lines = err.strip().splitlines()
    assert code == EXIT_USAGE and len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("error: ") and message in lines[0], lines[0]
    assert out == ""


def test_a_video_is_refused(tmp_path, capsys):
    from shared_data import write_video

    table = malformed(tmp_path, "a.csv", "bus.jpg,bus\n")
    code, _out, err = cli(capsys, model_path("squeezenet"), write_video(tmp_path / "clip.avi", 2), "--accuracy", table)
    assert code == EXIT_USAGE and err.strip() == ("error: accuracy (--accuracy) scores images: give a folder, a glob or "
                                                  "several images as IMAGE, not a video")


def test_a_wrong_accuracy_value_in_a_saved_report_is_named(squeezenet_set, tmp_path):
    data = squeezenet_set.to_dict()
    data["accuracy"] = {"annotations": "a.csv", "format": "csv", "task": "classification", "evaluated": 1, "top1": "all"}
    with pytest.raises(Exception, match=r"report.accuracy.top1 should be a number, not \"all\""):
        Report.from_dict(data)

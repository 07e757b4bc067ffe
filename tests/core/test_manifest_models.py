"""The real models in ../shared, run through the whole engine, against MANIFEST.md's results.

Precision is pinned to f32 (the manifest's numbers were taken that way); boxes
are compared within 8 px and scores within 0.03, and expected detections that
sit within 0.05 of the threshold may come or go.
"""

from __future__ import annotations

import pytest
from shared_data import NOT_PYTORCH_PHASES, image_path, model_path

from ovgui.core.report import Report, RunConfig
from ovgui.core.runner import RunRequest, run_profile

ITERATIONS = 5
SCORE_TOL = 0.03
BOX_TOL = 8
EDGE = 0.05


def profile(model: str, image: str, **config) -> Report:
    settings = {"iterations": ITERATIONS, "precision": "f32", **config}
    return run_profile(RunRequest(str(model_path(model)), str(image_path(image)), RunConfig(**settings))).report


def assert_detections(report: Report, expected: list[tuple[int, float, list[int]]], threshold: float) -> None:
    """The manifest's boxes are the model's raw ones; ovgui clips to the image, so clip them too."""
    found = list(report.detections)
    width, height = report.image.width, report.image.height
    for class_id, score, raw_box in expected:
        box = [min(max(v, 0), limit) for v, limit in zip(raw_box, (width, height, width, height))]
        match = next(
            (d for d in found if d.class_id == class_id and all(abs(a - b) <= BOX_TOL for a, b in zip(d.box, box))),
            None,
        )
        if match is None:
            assert score < threshold + EDGE, f"missing {class_id} {score} {box} in {found}"
            continue
        assert abs(match.score - score) <= SCORE_TOL, (match, score)
        found.remove(match)
    unexpected = [d for d in found if d.score >= threshold + EDGE]
    assert not unexpected, f"unexpected detections {unexpected}"


def assert_complete(report: Report, iterations: int = ITERATIONS) -> None:
    assert report.completed
    assert len(report.latency_ms.samples) == iterations
    assert report.latency_ms.min <= report.latency_ms.median <= report.latency_ms.max
    assert report.timings_ms.read_model > 0 and report.timings_ms.compile > 0 and report.timings_ms.first_inference > 0
    executed = [layer for layer in report.layers if layer.executed]
    assert executed and all(layer.real_time_ms > 0 for layer in executed[:3])
    assert sum(layer.real_time_ms for layer in report.layers) > 0
    assert sum(layer.share for layer in report.layers) == pytest.approx(1.0, abs=1e-6)
    assert [phase.name for phase in report.memory.phases] == NOT_PYTORCH_PHASES
    starts = [phase.start_s for phase in report.memory.phases]
    assert starts == sorted(starts)
    assert len(report.memory.samples) >= 4
    assert report.memory.peak_mib >= max(phase.rss_end_mib for phase in report.memory.phases)


FACE = [
    ("zidane.jpg", [(1, 0.992, [915, 100, 1055, 281]), (1, 0.849, [546, 233, 665, 440])]),
    ("astronaut.png", [(1, 1.000, [181, 57, 269, 179])]),
    ("bus.jpg", [(1, 0.769, [115, 412, 154, 470]), (1, 0.587, [264, 416, 305, 477])]),
    ("dog.jpg", []),
]
PVB2002 = [
    ("bus.jpg", [(1, 0.998, [48, 393, 241, 906]), (1, 0.986, [221, 399, 344, 854]), (1, 0.846, [676, 423, 808, 892])]),
    ("astronaut.png", [(1, 0.853, [58, 16, 369, 494]), (0, 0.836, [277, 349, 519, 521])]),
]
YOLOV5 = [
    (
        "bus.jpg",
        [
            (0, 0.823, [219, 408, 349, 863]),
            (0, 0.816, [52, 399, 207, 895]),
            (0, 0.676, [680, 377, 810, 870]),
            (5, 0.526, [49, 237, 810, 772]),
        ],
    ),
    (
        "dog.jpg",
        [
            (16, 0.765, [132, 215, 313, 546]),
            (2, 0.705, [468, 80, 690, 169]),
            (1, 0.485, [208, 135, 575, 435]),
            (1, 0.339, [140, 142, 259, 215]),
        ],
    ),
]
YOLOV8 = [
    (
        "bus.jpg",
        [
            (0, 0.898, [672, 374, 810, 879]),
            (0, 0.896, [50, 399, 243, 903]),
            (0, 0.896, [221, 408, 344, 856]),
            (5, 0.834, [34, 231, 798, 769]),
            (0, 0.314, [0, 551, 61, 868]),
        ],
    ),
    ("person.jpg", [(0, 0.942, [191, 99, 276, 375]), (17, 0.922, [407, 139, 600, 347]), (16, 0.910, [64, 265, 205, 344])]),
]
PVB2004 = [
    ("bus.jpg", [(1, 0.595, [49, 392, 230, 902]), (1, 0.433, [219, 394, 339, 861])]),
    ("kite.jpg", [(1, 0.662, [215, 693, 274, 868]), (1, 0.536, [115, 612, 165, 767]), (1, 0.408, [79, 506, 106, 566])]),
]


@pytest.mark.parametrize("image, expected", FACE)
def test_face_detection_adas(image, expected):
    report = profile("face", image)
    assert report.decoder.name == "ssd"
    assert_detections(report, expected, 0.5)
    assert all(d.label == "face" for d in report.detections)


@pytest.mark.parametrize("image, expected", PVB2002)
def test_person_vehicle_bike_2002(image, expected):
    report = profile("pvb2002", image)
    assert_detections(report, expected, 0.5)
    assert {d.label for d in report.detections} <= {"person", "vehicle", "bike"}


@pytest.mark.parametrize("image, expected", YOLOV5)
def test_yolov5_fp16_letterbox(image, expected):
    report = profile("yolov5", image)
    assert report.decoder.name == "yolov5" and report.preprocess.resize == "letterbox"
    assert_detections(report, expected, 0.25)


@pytest.mark.parametrize("image, expected", YOLOV8)
def test_yolov8_int8_letterbox(image, expected):
    report = profile("yolov8", image)
    assert report.decoder.name == "yolov8"
    assert_detections(report, expected, 0.25)
    assert report.detections[0].label == "person"


def test_yolov8_stretch_override():
    report = profile("yolov8", "bus.jpg", resize="stretch")
    expected = [
        (0, 0.921, [671, 391, 810, 877]),
        (0, 0.910, [52, 396, 240, 905]),
        (0, 0.887, [225, 406, 344, 857]),
        (5, 0.875, [7, 224, 799, 747]),
        (0, 0.664, [0, 555, 74, 871]),
    ]
    assert_detections(report, expected, 0.25)


@pytest.mark.parametrize("image, expected", PVB2004)
def test_person_vehicle_bike_2004_dynamic_outputs(image, expected):
    report = profile("pvb2004", image)
    assert report.decoder.name == "boxes_labels"
    assert_detections(report, expected, 0.3)
    assert_complete(report)


@pytest.mark.parametrize(
    "image, top5",
    [
        ("chelsea.png", [(285, 0.507), (282, 0.285), (281, 0.187), (287, 0.020), (293, 0.000)]),
        ("dog.jpg", [(537, 0.641), (249, 0.125), (248, 0.062), (160, 0.033), (250, 0.032)]),
        ("kite.jpg", [(977, 0.518), (978, 0.438), (701, 0.032), (460, 0.003), (975, 0.001)]),
    ],
)
def test_squeezenet_top5(image, top5):
    report = profile("squeezenet", image)
    assert report.decoder.name == "classify"
    assert [c.class_id for c in report.classes[:3]] == [cid for cid, _ in top5[:3]]
    for got, (class_id, score) in zip(report.classes, top5):
        assert got.score == pytest.approx(score, abs=SCORE_TOL), (got, class_id)
    assert report.classes[0].label == {"chelsea.png": "Egyptian cat", "dog.jpg": "dogsled", "kite.jpg": "sandbar"}[image]


def test_yunet_dynamic_gets_shape_from_image():
    report = profile("yunet_dynamic", "zidane.jpg")
    assert report.preprocess.input_shape == [1, 3, 736, 1280]
    expected = [(0, 0.939, [916, 101, 1055, 280]), (0, 0.896, [557, 259, 656, 411]), (0, 0.702, [1064, 282, 1280, 527])]
    assert_detections(report, expected, 0.6)
    assert_complete(report)


def test_yunet_dynamic_user_shape():
    report = profile("yunet_dynamic", "zidane.jpg", input_shape=[1, 3, 640, 640])
    assert report.preprocess.input_shape == [1, 3, 640, 640]
    expected = [(0, 0.883, [904, 112, 1077, 270]), (0, 0.831, [526, 282, 660, 408]), (0, 0.651, [1082, 297, 1280, 485])]
    assert_detections(report, expected, 0.6)


def test_gaze_three_inputs_full_report():
    report = profile("gaze", "zidane.jpg")
    assert_complete(report)
    assert report.decoder.name == "none" and "gaze_vector" in report.decoder.note
    assert not report.detections and not report.classes
    assert any("head_pose_angles" in note and "random[0,255] seed 0" in note for note in report.notes)


def test_head_pose_three_outputs_full_report():
    report = profile("headpose", "astronaut.png")
    assert_complete(report)
    assert report.decoder.note


def test_complete_report_and_iteration_count():
    report = profile("face", "zidane.jpg", iterations=12)
    assert_complete(report, iterations=12)
    assert report.profile.iterations_profiled == 12
    assert report.profile.layers_sum_ms == pytest.approx(sum(layer.real_time_ms for layer in report.layers))
    assert report.throughput_fps > 0
    assert {row.type for row in report.layer_types} == {layer.type for layer in report.layers}


def test_time_budget_runs_for_the_duration():
    report = profile("squeezenet", "chelsea.png", iterations=None, duration_s=0.5)
    assert len(report.latency_ms.samples) >= 10
    assert sum(report.latency_ms.samples) <= 500 + max(report.latency_ms.samples) + 5


def test_without_perf_counters_no_layers():
    report = profile("squeezenet", "chelsea.png", perf_counters=False)
    assert report.layers == [] and len(report.latency_ms.samples) == ITERATIONS
    assert report.classes[0].class_id == 285

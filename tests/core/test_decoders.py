"""Decoders: synthetic arrays with boxes at known places, then the real models against MANIFEST.md's numbers.

The real-model checks prepare images with the manifest's own recipes (cv2 and
numpy here, not ovgui's preprocessing), so a decoder bug cannot hide behind a
matching preprocessing bug.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import openvino as ov
import pytest
from shared_data import image_path, model_path

from ovgui.core.decoders import DECODERS
from ovgui.core.decoders.base import DecodeOptions, ModelOutput
from ovgui.core.decoders.families import class_count, decode, default_threshold, guess_family
from ovgui.core.decoders.labels import bundled_labels, default_labels, labels_from_metadata, load_labels
from ovgui.core.errors import OvguiError
from ovgui.core.geometry import Geometry

SCORE_TOLERANCE = 0.03
BOX_TOLERANCE_PX = 8
NEAR_THRESHOLD = 0.05


def output(name: str, data: np.ndarray, *aliases: str) -> ModelOutput:
    return ModelOutput(sorted([name, *aliases]), list(data.shape), data)


def boxes_of(result) -> list[list[float]]:
    return [detection.box for detection in result.detections]


# --- SSD -------------------------------------------------------------------------------------------


def ssd_output(rows: list[list[float]], total: int = 10) -> ModelOutput:
    data = np.zeros((1, 1, total, 7), np.float32)
    data[0, 0, : len(rows)] = rows
    return output("detection_out", data)


def test_ssd_maps_normalised_corners_to_image_and_stops_at_terminator():
    rows = [
        [0, 1, 0.9, 0.1, 0.2, 0.3, 0.4],
        [0, 2, 0.4, 0.5, 0.5, 0.6, 0.6],
        [0, 1, 0.8, -0.1, 0.5, 0.2, 1.2],
        [-1, 0, 0, 0, 0, 0, 0],
        [0, 1, 0.99, 0.1, 0.1, 0.2, 0.2],
    ]
    geometry = Geometry.stretch((200, 100), (100, 50))
    result = decode([ssd_output(rows)], geometry, DecodeOptions())
    assert result.decoder == "ssd" and result.note == ""
    assert [(d.class_id, d.label) for d in result.detections] == [(1, "class 1"), (1, "class 1")]
    assert [d.score for d in result.detections] == pytest.approx([0.9, 0.8])
    assert boxes_of(result) == [pytest.approx([20, 20, 60, 40]), pytest.approx([0, 50, 40, 100])]


def test_ssd_threshold_and_labels_options():
    rows = [[0, 1, 0.9, 0.1, 0.2, 0.3, 0.4], [0, 2, 0.4, 0.5, 0.5, 0.6, 0.6]]
    geometry = Geometry.stretch((100, 100), (100, 100))
    result = decode([ssd_output(rows)], geometry, DecodeOptions(threshold=0.3, labels=["bg", "cat", "dog"]))
    assert [(d.label, round(d.score, 2)) for d in result.detections] == [("cat", 0.9), ("dog", 0.4)]


# --- YOLO ------------------------------------------------------------------------------------------


@dataclass
class Candidate:
    cx: float
    cy: float
    w: float
    h: float
    class_id: int
    score: float


def yolo_rows(candidates: list[Candidate], num_classes: int = 3, count: int = 40, objectness: bool = True):
    """Rows [cx,cy,w,h,(obj),classes...]; with objectness the class prob is 1 so score = obj."""
    first_class = 5 if objectness else 4
    rows = np.zeros((count, first_class + num_classes), np.float32)
    for index, c in enumerate(candidates):
        rows[index, :4] = c.cx, c.cy, c.w, c.h
        rows[index, first_class + c.class_id] = 1.0 if objectness else c.score
        if objectness:
            rows[index, 4] = c.score
    return rows


def yolov5_output(candidates: list[Candidate], dtype=np.float32) -> ModelOutput:
    return output("output0", yolo_rows(candidates)[None].astype(dtype))


def yolov8_output(candidates: list[Candidate]) -> ModelOutput:
    return output("output0", np.ascontiguousarray(yolo_rows(candidates, objectness=False).T[None]))


LETTERBOX_1280x720 = Geometry.letterbox((1280, 720), (640, 640))  # scale 0.5, pad_top 140


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_yolov5_letterbox_mapping_and_float16(dtype):
    candidates = [Candidate(320, 320, 100, 50, 2, 0.8), Candidate(100, 200, 40, 40, 0, 0.6)]
    result = decode([yolov5_output(candidates, dtype)], LETTERBOX_1280x720, DecodeOptions())
    assert result.note == "" and result.decoder == "yolov5"
    assert [d.class_id for d in result.detections] == [2, 0]
    assert [d.score for d in result.detections] == pytest.approx([0.8, 0.6], abs=1e-3)
    assert boxes_of(result) == [pytest.approx([540, 310, 740, 410]), pytest.approx([160, 80, 240, 160])]
    assert all(isinstance(value, float) for value in result.detections[0].box)


def test_yolov5_objectness_times_class_probability_and_threshold():
    rows = yolo_rows([Candidate(320, 320, 100, 100, 1, 0.5), Candidate(100, 100, 50, 50, 0, 0.9)])
    rows[0, 5 + 1] = 0.6  # 0.5 * 0.6 = 0.30 > 0.25
    rows[1, 5 + 0] = 0.2  # 0.9 * 0.2 = 0.18 < 0.25
    result = decode([output("output0", rows[None])], Geometry.stretch((640, 640), (640, 640)), DecodeOptions())
    assert [(d.class_id, round(d.score, 3)) for d in result.detections] == [(1, 0.3)]


def test_yolo_nms_removes_duplicate_of_same_class_only():
    candidates = [
        Candidate(300, 300, 100, 100, 0, 0.9),
        Candidate(305, 302, 100, 100, 0, 0.7),
        Candidate(300, 300, 100, 100, 1, 0.5),
        Candidate(450, 450, 100, 100, 0, 0.45),
        Candidate(510, 450, 100, 100, 0, 0.4),  # IoU 0.25 with the one before: both stay
    ]
    geometry = Geometry.stretch((640, 640), (640, 640))
    result = decode([yolov5_output(candidates)], geometry, DecodeOptions())
    assert [(d.class_id, round(d.score, 2)) for d in result.detections] == [(0, 0.9), (1, 0.5), (0, 0.45), (0, 0.4)]
    looser = decode([yolov5_output(candidates)], geometry, DecodeOptions(nms_iou=0.95))
    assert len(looser.detections) == 5


def test_yolov8_channels_first_clips_to_image():
    candidates = [Candidate(10, 150, 40, 20, 1, 0.9), Candidate(320, 320, 100, 50, 2, 0.3)]
    result = decode([yolov8_output(candidates)], LETTERBOX_1280x720, DecodeOptions(labels=["a", "b", "c"]))
    assert result.decoder == "yolov8" and result.note == ""
    assert [(d.label, round(d.score, 2)) for d in result.detections] == [("b", 0.9), ("c", 0.3)]
    assert boxes_of(result)[0] == pytest.approx([0, 0, 60, 40])


def test_yolo_box_entirely_in_padding_is_dropped():
    result = decode([yolov8_output([Candidate(320, 50, 40, 40, 0, 0.9)])], LETTERBOX_1280x720, DecodeOptions())
    assert result.detections == []


# --- classification --------------------------------------------------------------------------------


def test_classify_keeps_probabilities_and_returns_top5():
    probabilities = np.random.default_rng(0).dirichlet(np.ones(1000)).astype(np.float32)
    result = decode([output("prob", probabilities.reshape(1, 1000, 1, 1))], LETTERBOX_1280x720, DecodeOptions())
    expected = np.argsort(-probabilities)[:5]
    assert [c.class_id for c in result.classes] == expected.tolist()
    assert [c.score for c in result.classes] == pytest.approx(probabilities[expected].tolist())
    assert result.detections == [] and result.classes[0].label == f"class {expected[0]}"


def test_classify_applies_softmax_to_logits_and_handles_fewer_than_five_classes():
    logits = np.array([[2.0, -1.0, 0.5]], np.float32)
    result = decode([output("logits", logits)], LETTERBOX_1280x720, DecodeOptions(decoder="classify"))
    softmax = np.exp(logits[0]) / np.exp(logits[0]).sum()
    assert [c.class_id for c in result.classes] == [0, 2, 1]
    assert [c.score for c in result.classes] == pytest.approx(softmax[[0, 2, 1]].tolist())


# --- boxes + labels --------------------------------------------------------------------------------


def boxes_labels_outputs(rows: list[list[float]], labels: list[int]) -> list[ModelOutput]:
    boxes = np.asarray(rows, np.float32).reshape(-1, 5)
    return [output("boxes", boxes), output("labels", np.asarray(labels, np.int64))]


def test_boxes_labels_scales_input_pixels_and_filters():
    rows = [[44.8, 25.6, 89.6, 51.2, 0.6], [0, 0, 10, 10, 0.2], [400, 200, 460, 300, 0.5]]
    geometry = Geometry.stretch((896, 512), (448, 256))
    result = decode(boxes_labels_outputs(rows, [1, 0, 2]), geometry, DecodeOptions())
    assert result.decoder == "boxes_labels" and result.note == ""
    assert [(d.class_id, d.score) for d in result.detections] == [(1, pytest.approx(0.6)), (2, pytest.approx(0.5))]
    assert boxes_of(result) == [pytest.approx([89.6, 51.2, 179.2, 102.4]), pytest.approx([800, 400, 896, 512])]


def test_boxes_labels_with_zero_rows_is_empty_without_note():
    result = decode(boxes_labels_outputs([], []), Geometry.stretch((10, 10), (448, 256)), DecodeOptions())
    assert (result.decoder, result.detections, result.note) == ("boxes_labels", [], "")


def test_boxes_labels_row_count_mismatch_is_a_note():
    result = decode(boxes_labels_outputs([[0, 0, 1, 1, 0.9]], [1, 2]), LETTERBOX_1280x720, DecodeOptions())
    assert result.detections == [] and "1 boxes but 2 labels" in result.note


# --- YuNet -----------------------------------------------------------------------------------------


def yunet_outputs(width: int, height: int, cells: dict[tuple[int, int], tuple[float, list[float]]]):
    """Outputs for a width x height input; ``cells`` maps (stride, index) to (score, bbox)."""
    outputs = []
    for stride, alias in zip((8, 16, 32), (291, 292, 293)):
        count = (width // stride) * (height // stride)
        heads = {
            "cls": np.zeros((1, count, 1), np.float32),
            "obj": np.zeros((1, count, 1), np.float32),
            "bbox": np.zeros((1, count, 4), np.float32),
            "kps": np.zeros((1, count, 10), np.float32),
        }
        for (cell_stride, index), (score, bbox) in cells.items():
            if cell_stride == stride:
                heads["cls"][0, index] = heads["obj"][0, index] = score
                heads["bbox"][0, index] = bbox
        outputs += [output(f"{head}_{stride}", data, f"{alias}{head}") for head, data in heads.items()]
    return outputs


def test_yunet_decodes_grid_cells_and_suppresses_overlap_across_strides():
    cells = {
        (8, 2 * 8 + 3): (0.9, [0.5, 0.5, math.log(2), math.log(4)]),  # cx 28, cy 20, w 16, h 32
        (16, 1 * 4 + 1): (0.7, [0.75, 0.25, 0.0, math.log(2)]),  # the same box, weaker
        (32, 3): (0.5, [0.5, 0.5, 0.0, 0.0]),  # below the 0.6 default
    }
    geometry = Geometry.stretch((128, 128), (64, 64))
    result = decode(yunet_outputs(64, 64, cells), geometry, DecodeOptions())
    assert result.decoder == "yunet" and result.note == ""
    assert [(d.label, round(d.score, 3)) for d in result.detections] == [("face", 0.9)]
    assert boxes_of(result) == [pytest.approx([40, 8, 72, 72])]


def test_yunet_outputs_for_another_input_size_give_a_note():
    result = decode(yunet_outputs(64, 64, {}), Geometry.stretch((128, 128), (128, 64)), DecodeOptions())
    assert result.detections == [] and "cls_8" in result.note and "128x64" in result.note


# --- choosing a decoder ----------------------------------------------------------------------------


def test_explicit_decoder_that_does_not_fit_is_a_note():
    data = np.zeros((1, 25200, 85), np.float16)
    result = decode([output("output0", data)], LETTERBOX_1280x720, DecodeOptions(decoder="ssd"))
    assert result.decoder == "ssd" and result.detections == []
    assert result.note == "ssd decoder expects one output [1,1,N,7]; model gives output0 [1,25200,85]"


def test_unknown_outputs_give_a_note():
    outputs = [output("gaze_vector", np.zeros((1, 3), np.float32))]
    result = decode(outputs, LETTERBOX_1280x720, DecodeOptions())
    assert (result.decoder, result.detections, result.classes) == ("none", [], [])
    assert result.note == "no decoder recognises outputs gaze_vector [1,3]; showing timing only"


def test_decoder_none_unknown_name_and_missing_data_give_notes():
    data = output("detection_out", np.zeros((1, 1, 5, 7), np.float32))
    assert "timing only" in decode([data], LETTERBOX_1280x720, DecodeOptions(decoder="none")).note
    assert "unknown decoder 'retina'" in decode([data], LETTERBOX_1280x720, DecodeOptions(decoder="retina")).note
    no_data = ModelOutput(["detection_out"], [1, 1, 5, 7])
    assert "no output data" in decode([no_data], LETTERBOX_1280x720, DecodeOptions()).note


def test_family_argument_is_used_by_auto():
    data = output("prob", np.full((1, 4), 0.25, np.float32))
    assert decode([data], LETTERBOX_1280x720, DecodeOptions(), family="none").decoder == "none"
    assert decode([data], LETTERBOX_1280x720, DecodeOptions(), family="classify").decoder == "classify"


@pytest.mark.parametrize(
    ("shapes", "family"),
    [
        ({"output0": [1, -1, 85]}, "yolov5"),
        ({"output0": [-1, 84, -1]}, "yolov8"),
        ({"output0": [1, 84, 84]}, "none"),
        ({"detection_out": [-1, 1, -1, 7]}, "ssd"),
        ({"logits": [1, 10]}, "classify"),
        ({"logits": [1, 1]}, "none"),
        ({"boxes": [1, -1, 5], "labels": [1, -1]}, "boxes_labels"),
    ],
)
def test_guess_family_on_synthetic_shapes(shapes, family):
    assert guess_family([ModelOutput([name], shape) for name, shape in shapes.items()]) == family


def shape_outputs(model: ov.Model) -> list[ModelOutput]:
    return [
        ModelOutput(
            sorted(out.get_names()), [d.get_length() if d.is_static else -1 for d in out.get_partial_shape()]
        )
        for out in model.outputs
    ]


@pytest.mark.parametrize(
    ("key", "family"),
    [
        ("face", "ssd"),
        ("pvb2002", "ssd"),
        ("yolov5", "yolov5"),
        ("yolov8", "yolov8"),
        ("squeezenet", "classify"),
        ("pvb2004", "boxes_labels"),
        ("yunet_dynamic", "yunet"),
        ("yunet_640", "yunet"),
        ("gaze", "none"),
        ("headpose", "none"),
    ],
)
def test_guess_family_on_real_models(key, family):
    assert guess_family(shape_outputs(ov.Core().read_model(model_path(key)))) == family


def test_default_thresholds_and_class_counts():
    assert [default_threshold(f) for f in ("ssd", "yolov5", "yolov8", "boxes_labels", "yunet")] == [
        0.5,
        0.25,
        0.25,
        0.3,
        0.6,
    ]
    assert DECODERS == (
        "auto", "ssd", "yolov5", "yolov8", "classify", "boxes_labels", "yunet", "segmentation", "probability_map", "ctc",
        "none",
    )
    assert class_count("yolov5", [ModelOutput(["o"], [1, 25200, 85])]) == 80
    assert class_count("yolov8", [ModelOutput(["o"], [1, 84, 8400])]) == 80
    assert class_count("classify", [ModelOutput(["prob"], [1, 1000, 1, 1])]) == 1000
    assert class_count("ssd", [ModelOutput(["o"], [1, 1, 200, 7])]) is None
    assert class_count("yolov8", [ModelOutput(["o"], [1, 25200, 85])]) is None


# --- labels ----------------------------------------------------------------------------------------


def test_load_labels_keeps_blank_lines_as_ids_and_accepts_bom(tmp_path: Path):
    path = tmp_path / "labels.txt"
    path.write_text("\ufeffcat\n\n  dög \n", encoding="utf-8")
    assert load_labels(path) == ["cat", "", "dög"]


@pytest.mark.parametrize("content", [None, "", "\n\n", b"\xff\xfe\x00bad"])
def test_load_labels_errors_are_user_errors(tmp_path: Path, content):
    path = tmp_path / "labels.txt"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(OvguiError, match="label file"):
        load_labels(path)


def test_bundled_labels():
    coco, voc, imagenet = bundled_labels("coco"), bundled_labels("voc"), bundled_labels("imagenet")
    assert (len(coco), coco[0], coco[5], coco[79]) == (80, "person", "bus", "toothbrush")
    assert (len(voc), voc[0], voc[15], voc[20]) == (21, "background", "person", "tvmonitor")
    assert (len(imagenet), imagenet[285], imagenet[999]) == (1000, "Egyptian cat", "toilet tissue")
    with pytest.raises(OvguiError):
        bundled_labels("cityscapes")


def test_labels_from_metadata():
    coco = bundled_labels("coco")
    assert labels_from_metadata(str(dict(enumerate(coco)))) == coco
    assert labels_from_metadata({"0": "a", 2: "c"}) == ["a", "class 1", "c"]
    assert labels_from_metadata(["x", "y"]) == ["x", "y"]
    for bad in (None, "", "not python", "__import__('os').system('true')", "{'a': 'b'}", "{-1: 'x'}", "{}"):
        assert labels_from_metadata(bad) is None


def test_labels_from_real_yolo_metadata():
    model = ov.Core().read_model(model_path("yolov8"))
    names = model.get_rt_info(["framework", "names"]).value
    labels = labels_from_metadata(names)
    assert (len(labels), labels[0], labels[3], labels[79]) == (80, "person", "motorcycle", "toothbrush")


@pytest.mark.parametrize(
    ("family", "count", "path", "first"),
    [
        ("ssd", None, "omz/face-detection-adas-0001/FP16/face-detection-adas-0001.xml", ["background", "face"]),
        ("boxes_labels", None, "x/person-vehicle-bike-detection-2004.xml", ["vehicle", "person", "bike"]),
        ("ssd", None, "x/Person-Vehicle-Bike-Detection-2002.xml", ["vehicle", "person", "bike"]),
        ("ssd", None, "x/pedestrian-and-vehicle-detector-adas-0001.xml", ["background", "vehicle", "pedestrian"]),
        ("yolov8", 80, "yolov8n.onnx", ["person", "bicycle"]),
        ("classify", 1000, "squeezenet1.1.xml", ["tench", "goldfish"]),
        ("classify", 1001, "mobilenet.xml", ["background", "tench"]),
        ("ssd", 21, "mobilenet-ssd.xml", ["background", "aeroplane"]),
        ("yolov5", 20, "voc.onnx", ["aeroplane", "bicycle"]),
        ("yunet", None, "yunet_s_dynamic.onnx", ["face"]),
    ],
)
def test_default_labels(family, count, path, first):
    labels = default_labels(family, count, path)
    assert labels[: len(first)] == first


@pytest.mark.parametrize(
    ("family", "count"), [("yolov8", 3), ("classify", 10), ("classify", 21), ("none", None), ("ssd", None)]
)
def test_default_labels_unknown(family, count):
    assert default_labels(family, count, "/models/custom.xml") is None


# --- real models against MANIFEST.md ---------------------------------------------------------------


def omz_bgr(image: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, Geometry]:
    """MANIFEST "OMZ-BGR": stretch to W x H, BGR 0..255 float32, NCHW."""
    resized = cv2.resize(image, size, interpolation=cv2.INTER_LINEAR).astype(np.float32)
    height, width = image.shape[:2]
    return nchw(resized), Geometry(width, height, *size, size[0] / width, size[1] / height)


def yolo_letterbox(image: np.ndarray, size: int = 640) -> tuple[np.ndarray, Geometry]:
    """MANIFEST "YOLO-letterbox": keep aspect, centre on a 114-grey canvas, RGB, /255, NCHW."""
    height, width = image.shape[:2]
    scale = min(size / height, size / width)
    new_w, new_h = round(width * scale), round(height * scale)
    left, top = (size - new_w) // 2, (size - new_h) // 2
    canvas = np.full((size, size, 3), 114, np.uint8)
    canvas[top : top + new_h, left : left + new_w] = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
    tensor = nchw(canvas[:, :, ::-1].astype(np.float32) / 255.0)
    return tensor, Geometry(width, height, size, size, scale, scale, left, top)


def nchw(hwc: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(hwc.transpose(2, 0, 1)[None])


def run_model(key: str, image_name: str, recipe: str, input_size: tuple[int, int] | None = None):
    core = ov.Core()
    model = core.read_model(model_path(key))
    if input_size is not None:
        model.reshape({model.inputs[0]: [1, 3, input_size[1], input_size[0]]})
    image = cv2.imread(str(image_path(image_name)))
    if recipe == "letterbox":
        tensor, geometry = yolo_letterbox(image)
    else:
        shape = model.inputs[0].shape
        tensor, geometry = omz_bgr(image, (shape[3], shape[2]))
    compiled = core.compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    results = compiled.create_infer_request().infer({0: tensor})
    outputs = [ModelOutput(sorted(out.get_names()), list(results[out].shape), results[out]) for out in compiled.outputs]
    return guess_family(shape_outputs(model)), outputs, geometry


def assert_detections_match(detections, expected, threshold: float, image_size: tuple[int, int]):
    """Every firm expected box is found once and nothing firm is extra; near-threshold ones may go either way."""
    firm_found = [d for d in detections if d.score - threshold >= NEAR_THRESHOLD]
    firm_expected = [e for e in expected if e[1] - threshold >= NEAR_THRESHOLD]
    unmatched = list(detections)
    for class_id, score, box in firm_expected:
        clipped = np.clip(box, 0, [image_size[0], image_size[1]] * 2)
        match = next(
            (
                d
                for d in unmatched
                if d.class_id == class_id
                and abs(d.score - score) <= SCORE_TOLERANCE
                and np.abs(np.subtract(d.box, clipped)).max() <= BOX_TOLERANCE_PX
            ),
            None,
        )
        assert match is not None, f"expected {class_id} {score} {box} not in {detections}"
        unmatched.remove(match)
    assert len(firm_found) == len(firm_expected), f"extra detections: {unmatched}"


DETECTION_CASES = [
    (
        "face",
        "zidane.jpg",
        "omz",
        None,
        "ssd",
        [(1, 0.992, [915, 100, 1055, 281]), (1, 0.849, [546, 233, 665, 440])],
    ),
    (
        "pvb2002",
        "bus.jpg",
        "omz",
        None,
        "ssd",
        [(1, 0.998, [48, 393, 241, 906]), (1, 0.986, [221, 399, 344, 854]), (1, 0.846, [676, 423, 808, 892])],
    ),
    (
        "yolov5",
        "bus.jpg",
        "letterbox",
        None,
        "yolov5",
        [
            (0, 0.823, [219, 408, 349, 863]),
            (0, 0.816, [52, 399, 207, 895]),
            (0, 0.676, [680, 377, 810, 870]),
            (5, 0.526, [49, 237, 810, 772]),
        ],
    ),
    (
        "yolov8",
        "bus.jpg",
        "letterbox",
        None,
        "yolov8",
        [
            (0, 0.898, [672, 374, 810, 879]),
            (0, 0.896, [50, 399, 243, 903]),
            (0, 0.896, [221, 408, 344, 856]),
            (5, 0.834, [34, 231, 798, 769]),
            (0, 0.314, [0, 551, 61, 868]),
        ],
    ),
    (
        "yolov8",
        "dog.jpg",
        "letterbox",
        None,
        "yolov8",
        [
            (16, 0.955, [132, 219, 308, 540]),
            (1, 0.885, [132, 138, 569, 421]),
            (2, 0.587, [468, 74, 693, 171]),
            (7, 0.512, [468, 75, 693, 171]),
        ],
    ),
    (
        "pvb2004",
        "bus.jpg",
        "omz",
        None,
        "boxes_labels",
        [(1, 0.595, [49, 392, 230, 902]), (1, 0.433, [219, 394, 339, 861])],
    ),
    (
        "yunet_dynamic",
        "zidane.jpg",
        "omz",
        (640, 640),
        "yunet",
        [(0, 0.883, [904, 112, 1077, 270]), (0, 0.831, [526, 282, 660, 408]), (0, 0.651, [1082, 297, 1283, 485])],
    ),
    (
        "yunet_dynamic",
        "zidane.jpg",
        "omz",
        (1280, 736),
        "yunet",
        [(0, 0.939, [916, 101, 1055, 280]), (0, 0.896, [557, 259, 656, 411]), (0, 0.702, [1064, 282, 1287, 527])],
    ),
]


@pytest.mark.parametrize(
    ("key", "image_name", "recipe", "input_size", "family", "expected"),
    DETECTION_CASES,
    ids=[f"{case[0]}-{case[1]}-{case[3] or case[2]}" for case in DETECTION_CASES],
)
def test_real_model_detections_match_manifest(key, image_name, recipe, input_size, family, expected):
    guessed, outputs, geometry = run_model(key, image_name, recipe, input_size)
    assert guessed == family
    result = decode(outputs, geometry, DecodeOptions(), family=guessed)
    assert (result.decoder, result.note) == (family, "")
    assert [d.score for d in result.detections] == sorted((d.score for d in result.detections), reverse=True)
    image_size = (geometry.image_width, geometry.image_height)
    assert_detections_match(result.detections, expected, default_threshold(family), image_size)


def test_real_yolov5_output_is_float16_and_decodes_with_coco_labels():
    family, outputs, geometry = run_model("yolov5", "bus.jpg", "letterbox")
    assert outputs[0].data.dtype == np.float16
    labels = default_labels(family, class_count(family, outputs), str(model_path("yolov5")))
    result = decode(outputs, geometry, DecodeOptions(labels=labels))
    assert [d.label for d in result.detections] == ["person", "person", "person", "bus"]


def test_real_squeezenet_top5_matches_manifest():
    family, outputs, geometry = run_model("squeezenet", "chelsea.png", "omz")
    result = decode(outputs, geometry, DecodeOptions(labels=bundled_labels("imagenet")))
    assert result.decoder == "classify" == family
    assert [(c.class_id, c.label) for c in result.classes] == [
        (285, "Egyptian cat"),
        (282, "tiger cat"),
        (281, "tabby"),
        (287, "lynx"),
        (293, "cheetah"),
    ]
    assert [c.score for c in result.classes] == pytest.approx([0.507, 0.285, 0.187, 0.020, 0.000], abs=SCORE_TOLERANCE)


def test_real_yolov8_output_with_yolov5_decoder_is_a_note():
    _, outputs, geometry = run_model("yolov8", "dog.jpg", "letterbox")
    result = decode(outputs, geometry, DecodeOptions(decoder="yolov5"))
    assert result.detections == [] and result.note.startswith("yolov5 decoder expects one output [1,N,5+C]")

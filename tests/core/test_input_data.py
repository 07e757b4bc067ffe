"""Data for every input (`--input NAME=SOURCE`): each element type from each kind of source, checked
on the arrays a model actually received (the models echo their inputs), the one line each bad
source gets, and the real gaze model fed its own eye crops and a head pose from a `.npy`."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import openvino as ov
import openvino.opset13 as ops
import pytest
from shared_data import image_path, model_path
from test_bad_input import assert_one_line_error, run_cli

from ovgui.cli import profile_main
from ovgui.core.compare import parse_variant
from ovgui.core.errors import OvguiError
from ovgui.core.image import load_image
from ovgui.core.input_data import RANDOM_SEED
from ovgui.core.preprocess import prepare_inputs
from ovgui.core.report import Report, RunConfig

TYPES = {"u8": ov.Type.u8, "i8": ov.Type.i8, "i32": ov.Type.i32, "i64": ov.Type.i64,
         "f16": ov.Type.f16, "f32": ov.Type.f32, "bool": ov.Type.boolean}


def echo_model(inputs: list[tuple[str, list[int], ov.Type]]) -> ov.Model:
    """Each input back out as f32, so what was bound can be read from the outputs."""
    params = [ops.parameter(ov.PartialShape(shape), kind, name=name) for name, shape, kind in inputs]
    return ov.Model([ops.convert(param, ov.Type.f32) for param in params], params, "echo")


def bound(model: ov.Model, feeds: dict[str, str], photo: Path | None = None, **config) -> list[np.ndarray]:
    """What the model saw for each input, through prepare_inputs and a plain OpenVINO call."""
    run_config = RunConfig(input=feeds, mean=[0.0], scale=[1.0], color_order="bgr", **config)
    prepared = prepare_inputs(model, load_image(photo or image_path("dog.jpg")), "none", "OpenVINO IR", run_config)
    compiled = ov.Core().compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    results = compiled(prepared.arrays)
    return [results[index] for index in range(len(model.outputs))]


def save_npy(tmp_path: Path, name: str, array: np.ndarray) -> str:
    path = tmp_path / f"{name}.npy"
    np.save(path, array)
    return str(path)


@pytest.mark.parametrize("type_name", TYPES)
def test_every_element_type_from_npy_npz_const_and_random(tmp_path, type_name):
    kind = TYPES[type_name]
    dtype = kind.to_dtype()
    given = np.array([[0, 1, 1, 0, 1]], dtype=dtype)
    npz = tmp_path / "arrays.npz"
    np.savez(npz, first=np.zeros((1, 5), dtype), wanted=given)
    model = echo_model([(name, [1, 5], kind) for name in ("npy", "npz", "const", "random", "ranged", "default")])
    seen = bound(model, {"npy": save_npy(tmp_path, "given", given), "npz": f"{npz}:wanted", "const": "const:1",
                         "random": "random", "ranged": "random:0:1"})
    assert seen[0].tolist() == given.astype(np.float32).tolist()
    assert seen[1].tolist() == given.astype(np.float32).tolist()
    assert seen[2].tolist() == [[1.0] * 5]
    top = {"bool": 1, "i8": 127}.get(type_name, 255)
    for values in (seen[3], seen[5]):
        assert values.min() >= 0 and values.max() <= top and len(np.unique(values)) > 1
    assert np.array_equal(seen[3], seen[5]), f"random is seeded ({RANDOM_SEED}): the same data every run"
    assert set(np.unique(seen[4])) <= {0.0, 1.0} if dtype.kind in "iub" else seen[4].max() < 1.0


@pytest.mark.parametrize("type_name", ["u8", "f16", "f32", "i32"])
def test_an_image_input_of_each_type_takes_its_own_picture(tmp_path, type_name):
    own = np.arange(4 * 4 * 3, dtype=np.uint8).reshape(4, 4, 3) * 5
    picture = tmp_path / "own.png"
    cv2.imwrite(str(picture), own)
    model = echo_model([("photo", [1, 3, 4, 4], TYPES[type_name]), ("own", [1, 3, 4, 4], TYPES[type_name])])
    photo_seen, own_seen = bound(model, {"1": str(picture)})
    assert own_seen[0].transpose(1, 2, 0).tolist() == own.astype(np.float32).tolist()
    photo = cv2.resize(cv2.imread(str(image_path("dog.jpg"))), (4, 4), interpolation=cv2.INTER_LINEAR)
    assert photo_seen[0].transpose(1, 2, 0).tolist() == photo.astype(np.float32).tolist()


def test_graph_preprocessing_fits_an_own_picture_like_the_photo(tmp_path):
    own = np.full((8, 8, 3), (10, 20, 30), dtype=np.uint8)
    picture = tmp_path / "own.png"
    cv2.imwrite(str(picture), own)
    model = echo_model([("photo", [1, 3, 4, 4], ov.Type.f32), ("own", [1, 3, 4, 4], ov.Type.f32)])
    _photo, own_seen = bound(model, {"own": str(picture)}, preprocess="graph")
    assert own_seen[0, :, 0, 0].tolist() == pytest.approx([10, 20, 30], abs=1)


def test_a_dynamic_input_takes_the_shape_of_its_array(tmp_path):
    given = np.arange(12, dtype=np.int64).reshape(1, 12)
    model = echo_model([("tokens", [1, -1], ov.Type.i64), ("mask", [1, -1], ov.Type.i64)])
    tokens, mask = bound(model, {"tokens": save_npy(tmp_path, "tokens", given), "mask": "const:1"})
    assert tokens.tolist() == given.astype(np.float32).tolist()
    assert mask.shape == (1, 1), "an input no array sizes keeps 1 for its dynamic dimension"


def test_an_image_input_given_an_array_is_fed_it_as_it_is_in_graph_mode(tmp_path):
    given = np.full((1, 3, 4, 4), 7, np.float32)
    model = echo_model([("photo", [1, 3, 4, 4], ov.Type.f32), ("planes", [1, 3, 4, 4], ov.Type.f32)])
    photo, planes = bound(model, {"planes": save_npy(tmp_path, "planes", given)}, preprocess="graph")
    assert planes.tolist() == given.tolist() and photo.std() > 0


def three_inputs(tmp_path: Path) -> Path:
    model = echo_model([("image", [1, 3, 4, 4], ov.Type.f32), ("pose", [1, 3], ov.Type.f32), ("count", [1, 2], ov.Type.i64)])
    path = tmp_path / "three.xml"
    ov.save_model(model, path)
    return path


def test_a_three_input_model_gets_a_picture_an_npy_and_a_constant_from_the_command_line(tmp_path):
    own = np.random.default_rng(1).integers(0, 256, (4, 4, 3), dtype=np.uint8)
    picture = tmp_path / "own.png"
    cv2.imwrite(str(picture), own)
    pose = save_npy(tmp_path, "pose", np.array([[-9.5, 5.6, 0.1]]))
    report_path = tmp_path / "three.json"
    code = profile_main([str(three_inputs(tmp_path)), str(image_path("dog.jpg")), "-n", "2", "-q", "--no-roofline",
                         "--decoder", "none", "--bgr", "--mean", "0", "--scale", "1", "--input", f"image={picture}",
                         "--input", f"1={pose}", "--input", "count=const:7", "--json", str(report_path)])
    assert code == 0
    report = Report.load(report_path)
    echoed = [report.outputs[index].values for index in range(3)]
    assert echoed[0] == own.transpose(2, 0, 1).astype(np.float32).ravel().tolist()
    assert echoed[1] == pytest.approx([-9.5, 5.6, 0.1])
    assert echoed[2] == [7.0, 7.0]
    assert [(feed.name, feed.element_type, feed.shape, feed.source) for feed in report.preprocess.inputs] == [
        ("image", "f32", [1, 3, 4, 4], "image own.png"), ("pose", "f32", [1, 3], "npy pose.npy"),
        ("count", "i64", [1, 2], "const 7")]
    assert report.preprocess.substitutions == [
        "input 'image' [1,3,4,4] fed its own picture own.png, fitted as the photo",
        "input 'pose' [1,3] fed npy pose.npy", "input 'count' [1,2] fed const 7"]
    older = report.to_json_dict()
    del older["preprocess"]["inputs"]
    assert Report.from_json(json.dumps(older)).preprocess.inputs == []


def test_a_non_image_input_gets_seeded_random_data_by_default_and_says_so(tmp_path):
    model = echo_model([("features", [1, 10], ov.Type.f32)])
    first, = bound(model, {})
    again, = bound(echo_model([("features", [1, 10], ov.Type.f32)]), {})
    assert np.array_equal(first, again) and 0 <= first.min() and first.max() <= 255 and first.std() > 1
    path = tmp_path / "vector.xml"
    ov.save_model(echo_model([("features", [1, 10], ov.Type.f32)]), path)
    report_path = tmp_path / "vector.json"
    assert profile_main([str(path), str(image_path("dog.jpg")), "-n", "2", "-q", "--no-roofline", "--decoder", "none",
                         "--json", str(report_path)]) == 0
    report = Report.load(report_path)
    assert report.preprocess.substitutions == [
        "input 'features' [1,10] is not an image; fed random[0,255] seed 0 as benchmark_app does "
        "(give it data with --input features=SOURCE)"]
    assert report.preprocess.inputs[0].source == "random[0,255] seed 0"


@pytest.mark.parametrize(("feed", "words"), [
    ("pose={missing}", ["pose", "missing.npy", "does not exist"]),
    ("pose={wrong_shape}", ["'pose' [1,3] f32", "[1, 4] float64", "shape [1, 3]"]),
    ("count={floats}", ["'count' [1,2] i64", "float32", "without changing values"]),
    ("count=const:1.5", ["'count'", "const 1.5", "element type"]),
    ("count=const:abc", ["'count'", "const:VALUE needs a number"]),
    ("pose=random:5:1", ["'pose'", "LOW below HIGH"]),
    ("pose=random:1", ["'pose'", "random:LOW:HIGH"]),
    ("pose={npz}:nope", ["'pose'", "no array 'nope'", "first"]),
    ("pose={picture}", ["'pose' [1,3]", "not an image input"]),
    ("image={bad_picture}", ["'image'", "not an image opencv can read"]),
    ("nope=const:1", ["no input 'nope'", "0: 'image'", "1: 'pose'", "2: 'count'"]),
    ("7=const:1", ["no input '7'"]),
])
def test_a_bad_source_is_one_line_and_exit_2(capsys, tmp_path, feed, words):
    npz = tmp_path / "arrays.npz"
    np.savez(npz, first=np.zeros((1, 3)))
    picture = tmp_path / "own.png"
    cv2.imwrite(str(picture), np.zeros((4, 4, 3), np.uint8))
    (tmp_path / "bad.png").write_text("not a picture")
    files = {"missing": tmp_path / "missing.npy", "wrong_shape": save_npy(tmp_path, "wide", np.zeros((1, 4))),
             "floats": save_npy(tmp_path, "floats", np.zeros((1, 2), np.float32)), "npz": npz, "picture": picture,
             "bad_picture": tmp_path / "bad.png"}
    code, err = run_cli(capsys, three_inputs(tmp_path), image_path("dog.jpg"), "--no-roofline", "--input", feed.format(**files))
    assert_one_line_error(code, err, *words)


def test_an_input_without_a_source_is_refused_as_the_command_line_is_read(capsys):
    with pytest.raises(SystemExit) as leaving:
        profile_main(["model.xml", "photo.jpg", "--input", "pose"])
    assert leaving.value.code == 2
    assert capsys.readouterr().err.startswith("error: argument --input: takes NAME=SOURCE")


def test_a_compare_entry_takes_input_as_a_mapping_and_refuses_anything_else():
    variant = parse_variant({"name": "posed", "input": {"head_pose_angles": "const:0"}}, 0, Path("."))
    assert variant.changes["input"] == {"head_pose_angles": "const:0"}
    with pytest.raises(OvguiError, match="configuration 'bad': input must map input names to sources"):
        parse_variant({"name": "bad", "input": ["const:0"]}, 0, Path("."))


def eye_crops(folder: Path) -> tuple[Path, Path]:
    """The manifest's gaze chain on astronaut.png: square crops of 0.3 x the face's width (89 px)
    centred on the right (205,100) and left (246,102) eye landmarks."""
    photo = cv2.imread(str(image_path("astronaut.png")))
    side = round(0.3 * (269 - 180))
    paths = []
    for name, (x, y) in (("right", (205, 100)), ("left", (246, 102))):
        top, left = y - side // 2, x - side // 2
        path = folder / f"{name}_eye.png"
        cv2.imwrite(str(path), photo[top:top + side, left:left + side])
        paths.append(path)
    return paths[0], paths[1]


def test_the_gaze_model_with_real_eye_crops_and_a_head_pose_looks_at_the_camera(tmp_path):
    right, left = eye_crops(tmp_path)
    pose = save_npy(tmp_path, "head_pose", np.array([[-9.5, 5.6, 0.1]], np.float32))
    report_path = tmp_path / "gaze.json"
    code = profile_main([str(model_path("gaze")), str(image_path("astronaut.png")), "-n", "2", "-q", "--no-roofline",
                         "--input", f"left_eye_image={left}", "--input", f"right_eye_image={right}",
                         "--input", f"head_pose_angles={pose}", "--json", str(report_path)])
    assert code == 0
    report = Report.load(report_path)
    gaze = next(output for output in report.outputs if output.name == "gaze_vector")
    assert gaze.values == pytest.approx([-0.043, -0.012, -0.973], abs=0.1)
    assert [feed.source for feed in report.preprocess.inputs] == ["image left_eye.png", "image right_eye.png",
                                                                    "npy head_pose.npy"]

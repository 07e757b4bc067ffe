"""Every bad input ends as one `error: ...` line and exit code 2, never a traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import openvino as ov
import openvino.opset13 as ops
import pytest
from bad_options import BAD_OPTIONS, PARSE_ERRORS, filled
from shared_data import image_path, model_path

from ovgui.cli import EXIT_USAGE, profile_main
from ovgui.core.model import openvino_message
from ovgui.core.options import BY_NAME


@pytest.fixture()
def face_ir(tmp_path: Path) -> Path:
    """A private copy of a real IR so a test can damage it."""
    source = model_path("face")
    for suffix in (".xml", ".bin"):
        shutil.copy(source.with_suffix(suffix), tmp_path / f"face{suffix}")
    return tmp_path / "face.xml"


def run_cli(capsys, *argv: str) -> tuple[int, str]:
    code = profile_main([*map(str, argv), "-n", "2", "-q"])
    err = capsys.readouterr().err
    return code, err


def assert_one_line_error(code: int, err: str, *words: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == EXIT_USAGE
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    for word in words:
        assert word.lower() in lines[0].lower(), lines[0]


def test_missing_model(capsys, tmp_path):
    code, err = run_cli(capsys, tmp_path / "nope.xml", image_path("bus.jpg"))
    assert_one_line_error(code, err, "not found", "nope.xml")


def test_xml_without_bin(capsys, face_ir):
    face_ir.with_suffix(".bin").unlink()
    code, err = run_cli(capsys, face_ir, image_path("bus.jpg"))
    assert_one_line_error(code, err, "face.bin", "not found")


def test_truncated_bin(capsys, face_ir):
    weights = face_ir.with_suffix(".bin")
    weights.write_bytes(weights.read_bytes()[:100_000])
    code, err = run_cli(capsys, face_ir, image_path("bus.jpg"))
    assert_one_line_error(code, err, "cannot read model", "weights")


def test_random_bytes_onnx(capsys, tmp_path):
    fake = tmp_path / "random.onnx"
    fake.write_bytes(np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    code, err = run_cli(capsys, fake, image_path("bus.jpg"))
    assert_one_line_error(code, err, "cannot read model", "random.onnx")


def test_image_given_as_model(capsys):
    code, err = run_cli(capsys, image_path("bus.jpg"), image_path("bus.jpg"))
    assert_one_line_error(code, err, "not a model file")


def test_missing_image(capsys, tmp_path):
    code, err = run_cli(capsys, model_path("face"), tmp_path / "missing.jpg")
    assert_one_line_error(code, err, "image file not found")


def test_text_file_as_image(capsys, tmp_path):
    text = tmp_path / "notes.jpg"
    text.write_text("this is not a picture\n")
    code, err = run_cli(capsys, model_path("face"), text)
    assert_one_line_error(code, err, "not an image")


def test_empty_file_as_image(capsys, tmp_path):
    empty = tmp_path / "empty.png"
    empty.touch()
    code, err = run_cli(capsys, model_path("face"), empty)
    assert_one_line_error(code, err, "empty")


def test_empty_directory_as_image(capsys, tmp_path):
    code, err = run_cli(capsys, model_path("face"), tmp_path)
    assert_one_line_error(code, err, "holds no images OpenCV can read")


def test_directory_as_model(capsys, tmp_path):
    code, err = run_cli(capsys, tmp_path, image_path("bus.jpg"))
    assert_one_line_error(code, err, "folder")


def test_unknown_device_lists_available(capsys):
    code, err = run_cli(capsys, model_path("face"), image_path("bus.jpg"), "-d", "TPU")
    assert_one_line_error(code, err, "unknown device 'TPU'", "available devices", "CPU", "AUTO")


@pytest.mark.parametrize("name, text, message", BAD_OPTIONS, ids=[f"{n}={t}" for n, t, _ in BAD_OPTIONS])
def test_bad_option_values_are_refused_in_one_line(capsys, tmp_path, name, text, message):
    """Every case of the shared table, through ovgui-profile: one line, exit 2, then a good run works."""
    file, missing = str(image_path("bus.jpg")), str(tmp_path / "missing.txt")
    flag = BY_NAME[name].flags[-1]
    argv = [str(model_path("face")), str(image_path("bus.jpg")), "-q", f"{flag}={filled(text, file, missing)}"]
    try:
        code = profile_main(argv)
    except SystemExit as exit_info:
        code = exit_info.code
    err = capsys.readouterr().err
    assert_one_line_error(code, err)
    line = err.strip()
    expected = filled(message, file, missing)
    if text in PARSE_ERRORS:
        assert line.startswith(f"error: argument {'/'.join(BY_NAME[name].flags)}: {expected}")
    else:
        assert line == f"error: {expected}"
    assert profile_main([str(model_path("face")), str(image_path("bus.jpg")), "-q", "-n", "2"]) == 0


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"name": "abc", "iterations": "abc"}, "configuration 'abc': iterations must be a whole number, got 'abc'"),
        ({"name": "wide", "nms_iou": 5}, "configuration 'wide': nms_iou must be between 0 and 1, got 5"),
        ({"name": "t", "duration_s": float("nan")}, "configuration 't': duration_s must be a finite number, got nan"),
        ({"name": "flag", "shared_memory": "no"}, "configuration 'flag': shared_memory must be true or false, got 'no'"),
        (
            {"name": "shape", "input_shape": [1, 3, 0, 64]},
            "configuration 'shape': input_shape values must each be between 1 and 16384, got 0",
        ),
        ({"name": "typo", "iteration": 5}, "configuration 'typo': unknown setting(s) iteration"),
    ],
)
def test_compare_entries_are_checked_like_options(capsys, tmp_path, entry, message):
    config = tmp_path / "compare.json"
    config.write_text(json.dumps([{"name": "ok", "precision": "f32"}, entry]))
    code, err = run_cli(capsys, model_path("face"), image_path("bus.jpg"), "--compare", config)
    assert_one_line_error(code, err)
    assert err.strip().startswith(f"error: {message}")


def test_unwritable_output_fails_before_running(capsys, tmp_path):
    code, err = run_cli(capsys, model_path("face"), image_path("bus.jpg"), "--json", tmp_path / "no" / "r.json")
    assert_one_line_error(code, err, "does not exist")


def test_bad_labels_file(capsys, tmp_path):
    code, err = run_cli(capsys, model_path("face"), image_path("bus.jpg"), "--labels", tmp_path / "none.txt")
    assert_one_line_error(code, err, "none.txt")


def test_usage_error_uses_same_convention(capsys):
    with pytest.raises(SystemExit) as exit_info:
        profile_main([str(model_path("face")), str(image_path("bus.jpg")), "-n", "ten"])
    assert exit_info.value.code == EXIT_USAGE
    assert capsys.readouterr().err.startswith("error: ")


def test_console_script_prints_no_traceback(tmp_path):
    """The real process, stderr and all: what a user at a terminal sees."""
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"\x00\x01garbage" * 100)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from ovgui.cli import profile_main; sys.exit(profile_main())",
            str(fake),
            str(image_path("bus.jpg")),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == EXIT_USAGE
    assert result.stderr.strip().splitlines() == [
        "error: cannot read model model.onnx: it is not a valid ONNX file (damaged, incomplete or another format)"
    ]


def test_a_device_that_fails_to_compile(capsys):
    code, err = run_cli(capsys, model_path("face"), image_path("bus.jpg"), "-d", "AUTO:FPGA")
    assert_one_line_error(code, err, "cannot compile the model for AUTO:FPGA")


def test_input_of_unknown_rank_needs_a_shape(capsys, tmp_path):
    param = ops.parameter(ov.PartialShape.dynamic(), ov.Type.f32, name="x")
    model = tmp_path / "any_rank.xml"
    ov.save_model(ov.Model([ops.relu(param)], [param], "any_rank"), model)
    code, err = run_cli(capsys, model, image_path("bus.jpg"))
    assert_one_line_error(code, err, "unknown rank", "--shape")
    assert profile_main([str(model), str(image_path("bus.jpg")), "-n", "2", "-q", "--shape", "1,3,64,64"]) == 0


def test_openvino_messages_lose_their_breadcrumbs_and_stay_short():
    error = RuntimeError(
        "Exception from src/inference/src/cpp/core.cpp:117:\n"
        "Exception from src/a.cpp:54: Cannot load " + "x" * 500
    )
    message = openvino_message(error)
    assert message.startswith("Cannot load") and len(message) <= 300 and "\n" not in message

"""Save as IR: what a run reads (a PyTorch file converted, an ONNX file as read) written as IR
reopens and gives the same outputs; FP16 weights by default, FP32 on request; never over the
model it reads; the CLI's --save-ir checks its target before the run."""

from __future__ import annotations

import numpy as np
import openvino as ov
import pytest
from shared_data import image_path, model_path
from torch_models import HEAD_INPUT, torch

from ovgui.cli import profile_main
from ovgui.core.errors import OvguiError
from ovgui.core.save_ir import save_as_ir
from ovgui.core.torch_model import load_torch_model

F32 = {"INFERENCE_PRECISION_HINT": "f32"}



def torch_outputs(path, example: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return load_torch_model(path).module(torch.from_numpy(example)).numpy()


def ir_outputs(xml, example: np.ndarray) -> np.ndarray:
    return ov.Core().compile_model(str(xml), "CPU", F32)(example)[0]


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a.ravel(), b.ravel()) / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.mark.parametrize("which", [0, 1], ids=["pt", "pt2"])
def test_a_saved_ir_reopens_with_pytorchs_outputs(tmp_path, head, which):
    example = np.random.default_rng(5).random(HEAD_INPUT, dtype=np.float32)
    expected = torch_outputs(head[which], example)
    exact = save_as_ir(head[which], tmp_path / "fp32.xml", compress_to_fp16=False)
    half = save_as_ir(head[which], tmp_path / "fp16.xml")
    assert exact.converted and not exact.fp16 and half.fp16
    assert np.abs(ir_outputs(exact.xml, example) - expected).max() < 1e-4
    compressed = ir_outputs(half.xml, example)
    assert cosine(compressed, expected) > 0.9999 and np.abs(compressed - expected).max() < 0.5  # boxes are in pixels
    weights = [saved.xml.with_suffix(".bin").stat().st_size for saved in (half, exact)]
    assert weights[0] < 0.6 * weights[1]


def test_an_onnx_model_saved_as_ir_gives_the_onnx_outputs(tmp_path):
    source = model_path("yolov5")
    saved = save_as_ir(source, tmp_path / "yolov5n.xml")
    assert not saved.converted
    core = ov.Core()
    original = core.compile_model(core.read_model(str(source)), "CPU", F32)
    example = np.random.default_rng(2).random((1, 3, 640, 640), dtype=np.float32)
    assert np.abs(ir_outputs(saved.xml, example) - original(example)[0]).max() < 1e-3


@pytest.mark.parametrize("name, problem", [
    ("model.onnx", "an IR is saved as an .xml file"),
    ("missing/model.xml", "does not exist"),
])
def test_a_bad_target_is_one_line_before_any_work(tmp_path, head, name, problem):
    with pytest.raises(OvguiError, match=problem):
        save_as_ir(head[1], tmp_path / name)


def test_an_ir_is_never_saved_over_the_model_it_reads(tmp_path, head):
    saved = save_as_ir(head[1], tmp_path / "head.xml")
    before = saved.xml.with_suffix(".bin").read_bytes()
    with pytest.raises(OvguiError, match="over the model it is read from"):
        save_as_ir(saved.xml, saved.xml)
    assert saved.xml.with_suffix(".bin").read_bytes() == before


def test_the_cli_saves_what_it_ran(tmp_path, head, capsys):
    out = tmp_path / "head.xml"
    code = profile_main([str(head[1]), str(image_path("bus.jpg")), "-n", "3", "--save-ir", str(out),
                         "--no-fp16-compression"])
    assert code == 0
    line = capsys.readouterr().out.splitlines()[-1]
    assert line.startswith(f"saved {out} (") and "FP32 weights): read and converted in" in line
    assert out.with_suffix(".bin").stat().st_size > 0


def test_the_cli_checks_the_ir_name_before_the_run(head, capsys):
    code = profile_main([str(head[1]), str(image_path("bus.jpg")), "-n", "3", "--save-ir", "out.txt"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.strip() == "error: an IR is saved as an .xml file (with its .bin beside it), not out.txt"


def test_the_cli_saves_no_ir_from_a_comparison(head, capsys):
    with pytest.raises(SystemExit) as exit_code:
        profile_main([str(head[1]), str(image_path("bus.jpg")), "--save-ir", "a.xml", "--compare", "c.json"])
    assert exit_code.value.code == 2
    assert "--save-ir saves the model of one run; leave out --compare" in capsys.readouterr().err

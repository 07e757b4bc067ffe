"""PyTorch files in: the two archive formats load without unpickling, a pickled module and a
damaged archive are refused in one line, and OpenVINO converts what it reads in a phase of its own."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from shared_data import image_path
from torch_models import CNN_INPUT, HEAD_INPUT, pickled_module, torch

import ovgui
from ovgui.core.errors import OvguiError
from ovgui.core.model import inspect_model
from ovgui.core.options import make_config
from ovgui.core.runner import RunRequest, run_profile
from ovgui.core.torch_model import EXPORTED_PROGRAM, TORCHSCRIPT, archive_kind, load_torch_model


def test_each_format_is_told_by_its_members(cnn):
    script, program = cnn
    assert archive_kind(script) == TORCHSCRIPT and archive_kind(program) == EXPORTED_PROGRAM


def test_an_exported_program_records_its_input_shape_and_torchscript_does_not(cnn):
    script, program = cnn
    assert load_torch_model(program).input_shapes == (CNN_INPUT,)
    assert load_torch_model(script).input_shapes == ()
    assert inspect_model(program).inputs[0].shape == "[1,3,64,64]"
    assert inspect_model(script).inputs[0].shape == "[?,3,?,?]"


def test_a_pickled_module_is_refused_without_loading_it(tmp_path, monkeypatch):
    path = pickled_module(tmp_path)
    monkeypatch.setattr(torch, "load", lambda *a, **k: pytest.fail("the pickle was loaded"))
    with pytest.raises(OvguiError) as error:
        load_torch_model(path)
    message = str(error.value)
    assert "\n" not in message and "pickled nn.Module" in message and "torch.jit.save" in message


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04 truncated"])
def test_a_damaged_archive_is_one_line(tmp_path, content):
    path = tmp_path / "broken.pt2"
    path.write_bytes(content or b"\0")
    with pytest.raises(OvguiError) as error:
        load_torch_model(path)
    assert "\n" not in str(error.value) and "broken.pt2" in str(error.value)


def test_a_truncated_torchscript_archive_is_one_line(tmp_path, cnn):
    path = tmp_path / "cut.pt"
    path.write_bytes(cnn[0].read_bytes()[: cnn[0].stat().st_size // 2])
    with pytest.raises(OvguiError) as error:
        load_torch_model(path)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("which, shape", [(0, [1, 3, 1088, 832]), (1, list(HEAD_INPUT))], ids=["pt", "pt2"])
def test_openvino_runs_a_pytorch_file_with_conversion_as_its_own_phase(head, which, shape):
    """TorchScript records no shape: the photo's size, rounded up to 32, as for a dynamic ONNX model."""
    request = RunRequest(str(head[which]), str(image_path("bus.jpg")), make_config({"iterations": 5}))
    report = run_profile(request).report
    phases = [phase.name for phase in report.memory.phases]
    assert phases[:3] == ["read_model", "convert", "compile"]
    assert report.timings_ms.convert > 0 and report.model.format.startswith("PyTorch")
    assert report.decoder.name == "yolov8" and report.preprocess.input_shape == shape
    assert report.latency_ms.count == 5


def test_converted_outputs_match_pytorch(head):
    """The same input through torch and through OpenVINO's conversion gives the same numbers."""
    import openvino as ov

    model = load_torch_model(head[1])
    example = torch.rand(*HEAD_INPUT, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        expected = model.module(example).numpy()
    compiled = ov.Core().compile_model(inspect_model_as_ov(head[1]), "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    got = compiled(example.numpy())[0]
    assert np.abs(got - expected).max() < 1e-4


def inspect_model_as_ov(path):
    from ovgui.core.devices import shared_core
    from ovgui.core.model import read_model

    return read_model(shared_core(), path)


def test_threads_load_the_same_file_at_once(cnn):
    """The window reads a model's summary while a run loads it; torch.export.load alone refuses that."""
    errors: list[str] = []

    def load_a_few_times() -> None:
        for _ in range(5):
            try:
                load_torch_model(cnn[1])
            except OvguiError as error:
                errors.append(str(error))

    threads = [threading.Thread(target=load_a_few_times) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


FIRST_CONVERSIONS = """
import sys, threading
from ovgui.core.torch_model import convert, load_torch_model
errors = []
def work():
    try:
        convert(load_torch_model(sys.argv[1]))
    except Exception as error:
        errors.append(str(error))
threads = [threading.Thread(target=work) for _ in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(errors)
"""


def test_two_threads_convert_at_once_in_a_fresh_process(cnn):
    """OpenVINO's first conversion in a process registers torch operator implementations; two at
    once fail with "Trying to override a python impl" unless one waits for the other."""
    done = subprocess.run([sys.executable, "-c", FIRST_CONVERSIONS, str(cnn[1])], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": str(Path(ovgui.__file__).parents[1])})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_without_torch_a_pytorch_file_says_how_to_install_the_extra(head):
    """As on a machine without the extra: torch cannot be imported, the CLI says how to get it in one line."""
    import subprocess
    import sys

    code = "import sys; sys.modules['torch'] = None; from ovgui.cli import profile_main; sys.exit(profile_main())"
    result = subprocess.run([sys.executable, "-c", code, str(head[1]), str(image_path("bus.jpg")), "-n", "2"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: PyTorch is not installed; install it with pip install 'ovgui[torch]' "
        "(on Linux x86_64 take the CPU build first: see the README)"
    ]

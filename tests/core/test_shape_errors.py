"""A model that takes one input size only (as a text recogniser takes 48 px high lines) fed a
photo: the message names the setting that fixes it in both front ends, lists the model's inputs,
and gives OpenVINO's reason in full under a first line that stands alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from shape_models import needs_height_48
from shared_data import image_path, model_path

from ovgui.core.errors import SettingError, error_text
from ovgui.core.report import RunConfig
from ovgui.core.runner import RunRequest, run_profile

PROJECT = Path(__file__).resolve().parents[2]
WHERE = "--shape N,C,H,W on the command line, Preprocessing › Input shape in the window"


def run(model: Path, **config) -> None:
    run_profile(RunRequest(str(model), str(image_path("bus.jpg")), RunConfig(iterations=2, roofline=False, **config)))


def test_a_shape_the_model_refuses_names_the_setting_and_the_inputs(tmp_path):
    with pytest.raises(SettingError) as caught:
        run(needs_height_48(tmp_path))
    first, inputs, detail = str(caught.value).splitlines()
    assert first == ("cannot reshape the model to x [1,3,1088,832] (ovgui's guess: the image's size rounded up to 32): "
                     f"give a shape it takes with {WHERE}")
    assert inputs == "model inputs: x [?,3,?,?]"
    assert detail.startswith("OpenVINO: While validating node") and detail.endswith("is incompatible with input shape")
    assert caught.value.setting == "input_shape"


def test_the_shape_the_message_points_at_runs(tmp_path):
    run(needs_height_48(tmp_path), input_shape=[1, 3, 48, 320])


def test_a_given_shape_the_model_refuses_says_it_was_given(tmp_path):
    with pytest.raises(SettingError, match=r"^cannot reshape the model to x \[1,3,64,320\] \(the input shape given\)"):
        run(needs_height_48(tmp_path), input_shape=[1, 3, 64, 320])


def test_a_shape_of_the_wrong_rank_names_the_setting():
    with pytest.raises(SettingError, match=f"give 4 positive sizes with {WHERE}$"):
        run(model_path("face"), input_shape=[1, 3, 7])


def test_detail_lines_print_under_one_error_line():
    assert error_text("first\nsecond\nthird") == "error: first\n  second\n  third"
    assert error_text("alone") == "error: alone"


def profile(*argv: object) -> subprocess.CompletedProcess:
    main = "import sys; from ovgui.cli import profile_main; sys.exit(profile_main())"
    return subprocess.run([sys.executable, "-c", main, *map(str, argv)], capture_output=True, text=True, timeout=300, cwd=PROJECT,
                          env={**os.environ, "PYTHONPATH": str(PROJECT)})


def test_the_command_line_prints_one_error_line_and_the_detail_under_it(tmp_path):
    result = profile(needs_height_48(tmp_path), image_path("bus.jpg"), "-n", "2", "--no-roofline", "-q")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    first, *detail = result.stderr.splitlines()
    assert first.startswith("error: cannot reshape the model to x [1,3,1088,832]") and first.endswith(WHERE)
    assert detail[0] == "  model inputs: x [?,3,?,?]" and detail[1].startswith("  OpenVINO: While validating node")
    assert len(detail) == 2


def test_a_comparison_table_shows_the_first_line_and_stderr_the_rest(tmp_path):
    configs = tmp_path / "configs.json"
    configs.write_text(json.dumps([{"name": "guessed"}, {"name": "tall", "input_shape": [1, 3, 48, 320]}]))
    result = profile(needs_height_48(tmp_path), image_path("bus.jpg"), "-n", "2", "--no-roofline", "--compare", configs)
    assert result.returncode == 2
    [failed] = [line for line in result.stdout.splitlines() if "failed:" in line]
    assert failed.endswith(WHERE) and "model inputs" not in result.stdout
    first, *detail = result.stderr.splitlines()
    assert first.startswith("error: configuration 'guessed': cannot reshape the model to x [1,3,1088,832]")
    assert len(detail) == 2 and detail[0].startswith("  model inputs: ") and detail[1].startswith("  OpenVINO: While")

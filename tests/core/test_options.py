"""The run-option declarations: one per RunConfig field, and what every front end is made from."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from ovgui.cli import profile_parser, run_config
from ovgui.core.options import BY_NAME, OPTIONS, OptionError, RunConfig, format_value, make_config, markdown_table, validate
from ovgui.core.quantize_options import PRESETS as QUANTIZE_PRESETS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_config_field_is_declared_once():
    assert len(OPTIONS) == len(BY_NAME)
    assert sorted(BY_NAME) == sorted(f.name for f in fields(RunConfig))
    flags = [flag for option in OPTIONS for flag in (*option.flags, *(s[0] for s in option.switches))]
    assert [flag for flag in set(flags) if flags.count(flag) > 1] == ["--shape"]


def test_shape_hands_each_spelling_to_its_option():
    args = profile_parser().parse_args(["--shape", "x[1,3,48,320]", "--shape", "1,3,64,64", "--shape", "y[1,2]"])
    assert (args.input_shapes, args.input_shape) == ("x[1,3,48,320],y[1,2]", [1, 3, 64, 64])


def test_the_command_line_is_made_from_the_declarations():
    parser = profile_parser()
    by_dest = {action.dest: action for action in parser._actions}
    for option in OPTIONS:
        action = by_dest["input_shape" if option.name == "input_shapes" else option.name]
        assert set(action.option_strings) <= {*option.flags, *(flag for flag, _value, _words in option.switches)}
        if option.choices and option.flags:
            # ovgui-profile's --preset also takes NNCF's quantization presets (names of their own) for --quantize
            extra = tuple(QUANTIZE_PRESETS) if option.name == "preset" else ()
            assert tuple(action.choices) == (*option.choices, *extra)


def test_no_options_give_the_config_defaults():
    assert run_config(profile_parser().parse_args([])) == RunConfig()


def test_a_time_budget_clears_the_iterations():
    assert run_config(profile_parser().parse_args(["-t", "2"])) == RunConfig(iterations=None, duration_s=2.0)
    assert make_config({"iterations": 5}, RunConfig(iterations=None, duration_s=2.0)).duration_s is None


@pytest.mark.parametrize("name, value", [
    ("iterations", 7), ("duration_s", 0.25), ("threshold", 0.3), ("mean", [123.675, 116.28, 103.53]),
    ("scale", [255.0]), ("input_shape", [1, 3, 320, 320]), ("cache_dir", "/tmp/cache"), ("nms_iou", 0.45),
])
def test_a_value_written_back_as_text_parses_to_itself(name, value):
    option = BY_NAME[name]
    assert option.check(option.parse(format_value(value))) == value


@pytest.mark.parametrize("name, value, problem", [
    ("iterations", True, "must be a whole number, got true"),
    ("iterations", 2.5, "must be a whole number, got 2.5"),
    ("threshold", "0.5", "must be a number, got '0.5'"),
    ("mean", 5, "must be a list of numbers, got 5"),
    ("mode", "fast", "must be one of latency, throughput, got 'fast'"),
    ("shared_memory", 1, "must be true or false, got 1"),
    ("nms_iou", None, "needs a value"),
    ("duration_s", float("inf"), "must be a finite number, got inf"),
])
def test_values_of_the_wrong_type_are_refused(name, value, problem):
    with pytest.raises(OptionError) as error:
        BY_NAME[name].check(value)
    assert error.value.problem == problem


def test_a_config_without_a_budget_is_refused():
    with pytest.raises(OptionError, match="or a time"):
        validate(RunConfig(iterations=None, duration_s=None))


def test_the_readme_table_is_made_from_the_declarations():
    assert markdown_table() in README.read_text(encoding="utf-8"), "run `python -m ovgui.core.options` into README.md"

"""The user's files (issue 18, items 2, 3, 5, 6, 8, 12): written whole or not at all, read within
limits, never a spreadsheet formula, never a traceback; NaN outputs and crafted reports end in one line."""

from __future__ import annotations

import copy
import csv
import errno
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import openvino as ov
import openvino.opset13 as ops
import pytest
from shared_data import image_path, model_path

from ovgui.cli import EXIT_USAGE, profile_main
from ovgui.core import files
from ovgui.core.compare import LayerDelta
from ovgui.core.errors import OvguiError
from ovgui.core.files import json_depth, path_exists, path_problem, read_json, write_bytes_atomic, write_text_atomic
from ovgui.core.report import ClassScore, FrameResult, LayerStats, OutputDrift, Report, SchemaError, frames_to_csv, layers_to_csv
from ovgui.core.trace import save_trace

PROJECT = Path(__file__).resolve().parents[2]
NESTED = "[" * 100_000 + "]" * 100_000


def cli_process(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    """`ovgui-profile` as its own process: the exit code and stderr a user sees."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    code = "import sys; from ovgui.cli import profile_main; sys.exit(profile_main())"
    return subprocess.run([sys.executable, "-c", code, *map(str, argv)], capture_output=True, text=True, timeout=300,
                          env=env, cwd=cwd)


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


@pytest.fixture(scope="module")
def saved_report(tmp_path_factory) -> Path:
    """A real squeezenet run's JSON report, to damage copies of."""
    path = tmp_path_factory.mktemp("report") / "squeezenet.json"
    assert profile_main([str(model_path("squeezenet")), str(image_path("dog.jpg")), "-n", "3", "-q", "--json", str(path)]) == 0
    return path


def damaged(saved_report: Path, folder: Path, change) -> Path:
    data = json.loads(saved_report.read_text())
    change(data)
    path = folder / "damaged.json"
    path.write_text(json.dumps(data))
    return path


# --- item 2: atomic writes ---------------------------------------------------------------------


def no_space(_descriptor: int) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_failed_write_leaves_the_old_file_and_names_it(tmp_path, monkeypatch):
    target = tmp_path / "report.json"
    target.write_text('{"good": true}')
    monkeypatch.setattr(files.os, "fsync", no_space)
    with pytest.raises(OvguiError) as raised:
        write_text_atomic(target, "{" * 10_000)
    assert str(raised.value) == f"cannot write {target}: No space left on device"
    assert target.read_text() == '{"good": true}'
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary left behind


def test_a_write_replaces_whole_keeps_mode_and_follows_links(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_bytes_atomic(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"
    assert real.stat().st_mode & 0o777 == 0o640
    write_text_atomic(tmp_path / "fresh.txt", "é")
    assert (tmp_path / "fresh.txt").read_text(encoding="utf-8") == "é"


def test_cli_on_a_full_disk_keeps_the_previous_report(tmp_path, monkeypatch, capsys, saved_report):
    """In-process, with fsync failing as a full disk does: the line names the file, the old report stays."""
    target = tmp_path / "report.json"
    target.write_bytes(saved_report.read_bytes())
    monkeypatch.setattr(files.os, "fsync", no_space)
    code = profile_main([str(model_path("squeezenet")), str(image_path("dog.jpg")), "-n", "2", "-q", "--json", str(target)])
    assert code == EXIT_USAGE
    assert one_error_line(capsys.readouterr().err) == f"error: cannot write {target}: No space left on device"
    assert target.read_bytes() == saved_report.read_bytes()


@pytest.fixture()
def small_tmpfs(tmp_path):
    """A real 64 KiB file system; needs root and a kernel that lets this process mount."""
    folder = tmp_path / "tmpfs"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip() or 'mount failed'}); the fsync test covers ENOSPC")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


def test_cli_on_a_real_full_tmpfs_keeps_the_previous_report(small_tmpfs, tmp_path, saved_report):
    target = small_tmpfs / "report.json"
    good = saved_report.read_bytes()
    assert len(good) < 60 * 1024, "the saved report must fit the tmpfs for this test"
    target.write_bytes(good)
    filler = small_tmpfs / "filler"
    with pytest.raises(OSError, match="No space left"), open(filler, "wb", buffering=0) as out:
        while True:  # fill what is left, so no second copy fits
            out.write(b"\0" * 4096)
    result = cli_process(model_path("squeezenet"), image_path("dog.jpg"), "-n", "2", "-q", "--json", target, cwd=tmp_path)
    assert result.returncode == EXIT_USAGE
    assert one_error_line(result.stderr) == f"error: cannot write {target}: No space left on device"
    assert target.read_bytes() == good
    assert sorted(p.name for p in small_tmpfs.iterdir()) == ["filler", "report.json"]


# --- item 3: NaN outputs ---------------------------------------------------------------------------


def nan_classifier(folder: Path) -> Path:
    """A [1,1000] classifier whose every score is NaN (its input times NaN)."""
    image = ops.parameter([1, 3, 32, 32], ov.Type.f32, name="image")
    pooled = ops.reduce_mean(image, ops.constant(np.array([2, 3], np.int64)), keep_dims=False)
    wide = ops.matmul(pooled, ops.constant(np.ones((3, 1000), np.float32)), False, False)
    scores = ops.multiply(wide, ops.constant(np.float32(np.nan)))
    scores.output(0).get_tensor().set_names({"prob"})
    path = folder / "nan_classifier.xml"
    ov.save_model(ov.Model([ops.result(scores)], [image], "nan-classifier"), path)
    return path


def test_a_nan_classifier_runs_writes_json_and_says_the_scores_are_not_finite(tmp_path):
    report_path = tmp_path / "nan.json"
    result = cli_process(nan_classifier(tmp_path), image_path("dog.jpg"), "-n", "3", "--json", report_path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Top-5 classes  none: the scores are not finite (1000 of 1000 are NaN or infinity)" in result.stdout
    assert "tench" not in result.stdout
    report = Report.load(report_path)
    assert report.classes == [] and "not finite" in report.decoder.note
    assert report.outputs[0].nan == 1000


def test_non_finite_values_are_written_as_null_with_a_note_and_read_back(saved_report):
    report = Report.load(saved_report)
    report.classes = [ClassScore(0, "tench", math.nan), ClassScore(1, "goldfish", 0.5)]
    report.drift = [OutputDrift("prob", [1, 1000], max_abs_diff=math.inf)]
    data = json.loads(report.to_json())
    assert data["classes"][0]["score"] is None and data["drift"][0]["max_abs_diff"] is None
    assert data["notes"][-1] == ("values that are not finite (NaN or infinity) written as null: "
                                 "classes[0].score, drift[0].max_abs_diff")
    again = Report.from_dict(data)
    assert math.isnan(again.classes[0].score) and again.classes[1].score == 0.5
    data["timings_ms"]["compile"] = None
    with pytest.raises(SchemaError, match=r"report.timings_ms.compile should be a number, not null"):
        Report.from_dict(data)


# --- item 5: CSV formula injection -----------------------------------------------------------------


HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+SUM(1+1)", "-2+3", "@SUM(1)", "\tTAB", "\rCR"]


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_layer_csv_cells_are_never_formulas_and_numbers_stay_numbers():
    layers = [LayerStats(index=i, name=name, type="Convolution", exec_type="jit", status="EXECUTED",
                         real_time_ms=-1.5 if i == 0 else 0.25, real_time_median_ms=None, cpu_time_ms=0.1, share=0.5,
                         original_layers=[name, "plain"])
              for i, name in enumerate(HOSTILE)]
    rows = read_csv(layers_to_csv(layers))
    assert [row["name"] for row in rows] == ["'" + name for name in HOSTILE]
    assert all(row["original_layers"].startswith("'") for row in rows)
    assert rows[0]["real_time_ms"] == "-1.5" and rows[1]["real_time_ms"] == "0.25"
    assert read_csv(layers_to_csv([layers[0]]))[0]["type"] == "Convolution"


def test_per_image_csv_cells_are_never_formulas():
    frames = [FrameResult(index=0, source="=cmd|' /C calc'!A0.jpg", width=10, height=10, latency_ms=1.0, wall_ms=2.0,
                          classes=[ClassScore(1, "@label", 0.9)])]
    row = read_csv(frames_to_csv(frames))[0]
    assert row["source"] == "'=cmd|' /C calc'!A0.jpg" and row["top_label"] == "'@label" and row["top_score"] == "0.9"


# --- item 6: JSON nesting and size ----------------------------------------------------------------


def test_depth_is_counted_without_recursion_and_ignores_brackets_in_strings():
    assert json_depth(NESTED) == 100_000
    assert json_depth('{"a": "[[[[{{{{", "b": [[1]], "c": "\\"[["}') == 3
    assert json_depth("3") == 0


def test_read_json_refuses_deep_and_large_files_in_one_line(tmp_path):
    deep = tmp_path / "report.json"
    deep.write_text(NESTED)
    with pytest.raises(OvguiError, match=r"^report.json: nested deeper than 64 levels$"):
        read_json(deep)
    big = tmp_path / "big.json"
    big.write_text("[" + "1," * 600_000 + "1]")
    with pytest.raises(OvguiError, match=r"^big.json: larger than 1 MiB$"):
        read_json(big, max_bytes=2**20)
    assert read_json(big)[-1] == 1


def test_diff_and_compare_refuse_deep_json_in_one_line(tmp_path, saved_report):
    deep = tmp_path / "deep.json"
    deep.write_text(NESTED)
    result = cli_process("--diff", deep, saved_report, cwd=tmp_path)
    assert result.returncode == EXIT_USAGE
    assert one_error_line(result.stderr) == "error: deep.json: nested deeper than 64 levels"
    result = cli_process(model_path("squeezenet"), image_path("dog.jpg"), "--compare", deep, cwd=tmp_path)
    assert result.returncode == EXIT_USAGE
    assert one_error_line(result.stderr) == "error: deep.json: nested deeper than 64 levels"


# --- item 8: long or unreadable paths ---------------------------------------------------------------


def test_path_checks_give_a_reason_instead_of_raising(tmp_path):
    assert path_problem("/" + "x" * 1_000_000) == "File name too long"
    assert path_problem("a\0b") is not None and not path_exists("a\0b")
    assert path_problem(tmp_path / "missing") == "not found"
    assert path_problem(tmp_path) is None


def test_a_report_naming_a_path_no_system_holds_is_refused(tmp_path, saved_report):
    def long_path(data):
        data["image"]["path"] = "/" + "x" * 1_000_000

    too_long = r"^damaged.json: report.image.path should be a file path, not text of 1000001 characters"
    with pytest.raises(OvguiError, match=too_long):
        Report.load(damaged(saved_report, tmp_path, long_path))

    def nul(data):
        data["model"]["path"] = "/tmp/a\0b.xml"

    with pytest.raises(OvguiError, match="report.model.path should be a file path, not text holding a NUL character"):
        Report.load(damaged(saved_report, tmp_path, nul))


# --- item 12: --annotated suffix, --diff checks ------------------------------------------------------


def test_annotated_with_a_suffix_opencv_cannot_write_is_refused_before_the_run(tmp_path):
    result = cli_process(model_path("squeezenet"), image_path("dog.jpg"), "-n", "2", "--annotated", tmp_path / "x.txt",
                         cwd=tmp_path)
    assert result.returncode == EXIT_USAGE
    line = one_error_line(result.stderr)
    assert line.startswith(f"error: cannot write {tmp_path / 'x.txt'}: OpenCV writes no image format for .txt")
    assert "Latency" not in result.stdout and not (tmp_path / "x.txt").exists()


def test_annotated_is_written_in_the_format_its_suffix_names(tmp_path, capsys):
    jpeg, png = tmp_path / "x.jpg", tmp_path / "x.png"
    argv = [str(model_path("squeezenet")), str(image_path("dog.jpg")), "-n", "2", "-q"]
    assert profile_main([*argv, "--annotated", str(jpeg)]) == 0
    assert profile_main([*argv, "--annotated", str(png)]) == 0
    assert jpeg.read_bytes()[:3] == b"\xff\xd8\xff" and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(schema_version=-1), "report.schema_version should be a positive whole number, not -1"),
    (lambda d: d.update(schema_version="2"), 'report.schema_version should be a positive whole number, not "2"'),
    (lambda d: d["timings_ms"].update(compile=1e300),
     "report.timings_ms.compile should be a finite number of at most 1e+15 in size, not 1e+300"),
    (lambda d: d["latency_ms"].update(median=10**300),
     "report.latency_ms.median should be a finite number of at most 1e+15 in size, not a number of 301 digits"),
    (lambda d: d["layers"][0].update(real_time_ms=-1e16),
     "report.layers[0].real_time_ms should be a finite number of at most 1e+15 in size, not -1e+16"),
])
def test_diff_refuses_crafted_numbers_naming_the_field(tmp_path, saved_report, change, message):
    path = damaged(saved_report, tmp_path, change)
    result = cli_process("--diff", saved_report, path, cwd=tmp_path)
    assert result.returncode == EXIT_USAGE
    assert one_error_line(result.stderr) == f"error: damaged.json: {message}"


def test_diff_shows_a_dash_for_a_ratio_against_zero(tmp_path, saved_report):
    def zero_first_layer(data):
        executed = next(layer for layer in data["layers"] if layer["real_time_ms"] > 0.01)
        executed["real_time_ms"] = 5e-324  # the smallest float above zero: B/A overflows to infinity

    result = cli_process("--diff", damaged(saved_report, tmp_path, zero_first_layer), saved_report, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "inf" not in result.stdout and "  —  " in result.stdout
    assert LayerDelta("a", "b", "Convolution", 5e-324, 1.0, "name").ratio is None
    assert LayerDelta("a", "b", "Convolution", 0.0, 1.0, "name").ratio is None
    assert LayerDelta("a", "b", "Convolution", 2.0, 1.0, "name").ratio == 0.5


def test_a_saved_report_still_round_trips(saved_report):
    text = saved_report.read_text()
    again = Report.from_json(text)
    assert json.loads(again.to_json()) == copy.deepcopy(json.loads(text))


@pytest.mark.parametrize("real, shown", [("1e300", "'1e300'"), ("1" * 310, "'" + "1" * 38 + "…")])
def test_benchmark_app_counters_with_absurd_times_are_refused_naming_the_line(tmp_path, capsys, real, shown):
    path = tmp_path / "counters.csv"
    path.write_text("layerName;execStatus;layerType;execType;realTime (ms);cpuTime (ms)\n"
                    f"conv;EXECUTED;Convolution;jit;{real};1\nTotal;;;;1;1\n")
    assert profile_main(["--diff", str(path), str(path)]) == EXIT_USAGE
    assert one_error_line(capsys.readouterr().err) == (
        f"error: counters.csv: line 2: realTime {shown} is not a time in ms (a finite number from 0 to 1e+15)")


def test_benchmark_app_json_with_a_huge_integer_time_is_refused(tmp_path, capsys):
    path = tmp_path / "counters.json"
    node = {"name": "a", "status": "EXECUTED", "node_type": "t", "exec_type": "e", "real_time": 10**400, "cpu_time": 1}
    path.write_text(json.dumps({"avg_performance": {"nodes": [node]}}))
    assert profile_main(["--diff", str(path), str(path)]) == EXIT_USAGE
    assert "node 1: real_time" in one_error_line(capsys.readouterr().err)


def test_a_trace_with_non_finite_layer_figures_is_valid_json(tmp_path, saved_report):
    report = Report.load(saved_report)
    layer = next(layer for layer in report.layers if layer.executed)
    layer.gflops_per_s, layer.flops = math.inf, math.nan
    path = tmp_path / "trace.json"
    save_trace(report, path)

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in the trace")

    events = json.loads(path.read_text(), parse_constant=refuse)["traceEvents"]
    assert any(event["name"] == layer.name and event["args"]["gflops_per_s"] is None for event in events)

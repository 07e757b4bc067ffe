"""The latency ladder ("From PyTorch to OpenVINO", `--compare ladder`) on real models: the steps it
builds from what the user gave, the files it makes and keeps, what each step changes (read back
from the compiled model), and that a step it cannot make is a note, never a crash."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import psutil
import pytest
from shared_data import image_path, model_path
from torch_models import torch

from ovgui.cli import profile_main
from ovgui.core import events
from ovgui.core.compare import Configured, speed_ups
from ovgui.core.errors import RunCancelled
from ovgui.core.ladder import (
    LADDER,
    Files,
    device_default_hint,
    is_ladder,
    openvino_steps,
    pinned_preprocessing,
    prepare_files,
    run_ladder,
)
from ovgui.core.options import RunConfig
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import DeviceInfo, LatencyStats, ModelInfo, Report
from ovgui.core.runner import RunRequest

ITERATIONS = 5
CORES = psutil.cpu_count(logical=False)
OPENVINO_STEPS = ["+ shared memory", f"+ threads = {CORES} cores", "+ LATENCY hint",
                  "+ model cache (first compile, writes it)", "+ model cache (loaded from it)"]


def ladder(model: Path, image: Path, root: Path, **settings) -> tuple[list[Configured], list[str]]:
    """The ladder's results and the notes it told, as `ovgui-profile --compare ladder` runs it."""
    notes: list[str] = []

    def heard(_name: str, event: events.Event) -> None:
        if isinstance(event, events.Note):
            notes.append(event.text)

    config = RunConfig(iterations=ITERATIONS, **settings)
    return list(run_ladder(RunRequest(str(model), str(image), config), heard, root=root)), notes


def reports(results: list[Configured]) -> dict[str, Report]:
    assert all(isinstance(outcome, RunOutcome) for _name, outcome in results), results
    return {name: outcome.report for name, outcome in results}


@pytest.fixture(scope="module")
def cnn_pt2(cnn) -> Path:
    return cnn[1]


@pytest.fixture(scope="module")
def pytorch_ladder(cnn_pt2, tmp_path_factory) -> tuple[list[Configured], list[str], Path]:
    root = tmp_path_factory.mktemp("ladder")
    results, notes = ladder(cnn_pt2, image_path("chelsea.png"), root)
    return results, notes, root


def test_the_cli_runs_the_ladder_on_an_onnx_model_and_writes_the_comparison_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "ladder.json"
    code = profile_main([str(model_path("yolov5")), str(image_path("bus.jpg")), "--compare", LADDER,
                         "-n", str(ITERATIONS), "--json", str(out)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    entries = json.loads(out.read_text(encoding="utf-8"))["comparison"]
    assert [entry["name"] for entry in entries] == ["ONNX Runtime", "OpenVINO (.onnx)", "OpenVINO (IR)", *OPENVINO_STEPS]
    assert all(entry["error"] == "" for entry in entries)
    ir = next((tmp_path / "cache" / "ovgui" / "ladder").glob("yolov5n_fp16-*/yolov5n_fp16.xml"))
    assert [entry["report"]["model"]["path"] for entry in entries[2:]] == [str(ir)] * 6
    assert "vs first" in printed.out and "×1.00" in printed.out
    assert "note: ladder: its files are in" in printed.err


def test_each_openvino_step_changes_one_thing_read_back_from_the_compiled_model(pytorch_ladder):
    results, _notes, _root = pytorch_ladder
    by_name = reports(results)
    naive = [by_name["OpenVINO (.pt2)"], by_name["OpenVINO (IR)"]]
    assert [(r.config.hint, r.config.shared_memory, r.config.nthreads) for r in naive] == [("none", False, None)] * 2
    assert by_name["+ shared memory"].config.shared_memory and by_name["+ shared memory"].config.hint == "none"
    threaded = by_name[f"+ threads = {CORES} cores"]
    assert threaded.config.nthreads == CORES == threaded.compiled.inference_num_threads
    assert by_name["+ LATENCY hint"].config.hint == "latency"
    assert by_name["+ LATENCY hint"].compiled.performance_hint == "LATENCY"
    first, loaded = by_name[OPENVINO_STEPS[3]], by_name[OPENVINO_STEPS[4]]
    assert first.config.cache_dir == loaded.config.cache_dir
    assert (first.compiled.loaded_from_cache, loaded.compiled.loaded_from_cache) == (False, True)
    assert all(report.config.mode == "latency" and not report.layers for report in by_name.values())


def test_without_a_hint_openvino_uses_the_default_the_hint_step_names(pytorch_ladder):
    """The LATENCY step's note states the device's default hint: a step without one reads it back."""
    by_name = reports(pytorch_ladder[0])
    default = device_default_hint("CPU")
    assert default and by_name["OpenVINO (IR)"].compiled.performance_hint == default
    note = by_name["+ LATENCY hint"].notes[0]
    assert note.startswith("PERFORMANCE_HINT LATENCY") and default in note
    assert ("changes nothing here" in note) == (default == "LATENCY")


def test_a_pytorch_model_gets_its_ir_its_onnx_export_and_the_same_input_in_every_step(pytorch_ladder, cnn_pt2):
    results, notes, root = pytorch_ladder
    by_name = reports(results)
    assert list(by_name) == ["PyTorch", "ONNX Runtime", "OpenVINO (.pt2)", "OpenVINO (IR)", *OPENVINO_STEPS]
    folder = next(root.glob("small_cnn-*"))
    assert by_name["ONNX Runtime"].model.path == str(folder / "small_cnn-1x3x64x64.onnx")
    assert by_name["OpenVINO (IR)"].model.path == str(folder / "small_cnn.xml")
    assert by_name["OpenVINO (.pt2)"].timings_ms.convert > 0 and by_name["OpenVINO (IR)"].timings_ms.convert == 0
    assert not list(folder.glob(".partial-*")), "the scratch folders are gone once the files are in place"
    assert any(note.endswith("color_order rgb, mean 123.675,116.28,103.53, scale 58.395,57.12,57.375, resize stretch")
               for note in notes), "the PyTorch classifier's torchvision input, not the raw BGR an IR alone would get"
    reference = results[0][1].report
    for report in list(by_name.values())[1:]:
        assert report.preprocess.color_order == reference.preprocess.color_order == "rgb"
        assert [round(d.cosine_similarity, 3) for d in report.drift] == [1.0], (report.model.path, report.drift)


def test_a_second_ladder_reuses_the_files_and_empties_the_model_cache(pytorch_ladder, cnn_pt2):
    _results, _notes, root = pytorch_ladder
    told: list[str] = []
    files = prepare_files(RunRequest(str(cnn_pt2), str(image_path("chelsea.png")), RunConfig()), told.append,
                          threading.Event(), root)
    assert any(note.startswith("IR small_cnn.xml reused") for note in told)
    assert any(note.startswith("ONNX file small_cnn-1x3x64x64.onnx reused") for note in told)
    assert files.cache.is_dir() and not any(files.cache.iterdir())


def test_an_export_torch_refuses_leaves_the_onnx_runtime_step_out_with_a_note(cnn_pt2, tmp_path, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise RuntimeError("Unsupported: ONNX export of operator foo\nwith pages of detail")

    monkeypatch.setattr(torch.onnx, "export", refuse)
    told: list[str] = []
    files = prepare_files(RunRequest(str(cnn_pt2), str(image_path("chelsea.png")), RunConfig()), told.append,
                          threading.Event(), tmp_path)
    assert files.onnx is None and files.ir is not None
    assert not list(tmp_path.glob("*/.partial-*")), "the failed export's scratch folder is gone"
    assert "no ONNX Runtime step: torch.onnx.export cannot export small_cnn.pt2: Unsupported: ONNX export of operator foo" \
        in told


def test_without_an_ir_the_preprocessing_is_read_from_the_pytorch_file_itself(cnn_pt2):
    """A failed IR save leaves the ladder the user's file to read what it is fed, converted again."""
    assert pinned_preprocessing(RunConfig(), cnn_pt2, cnn_pt2) == {
        "color_order": "rgb", "mean": [123.675, 116.28, 103.53], "scale": [58.395, 57.12, 57.375], "resize": "stretch"}


def test_an_ir_has_no_ir_step_and_no_onnx_step(tmp_path):
    results, notes = ladder(model_path("squeezenet"), image_path("chelsea.png"), tmp_path)
    assert [name for name, _outcome in results] == ["OpenVINO (.xml)", *OPENVINO_STEPS]
    assert "ladder: no separate IR step: squeezenet1.1.xml is an IR already" in notes
    assert any(note.startswith("ladder: no ONNX Runtime step: squeezenet1.1.xml is neither ONNX nor PyTorch") for note in notes)


def test_a_folder_runs_the_ladder_frame_by_frame(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("chelsea.png", "dog.jpg", "bus.jpg"):
        shutil.copy(image_path(name), folder)
    results, _notes = ladder(model_path("squeezenet"), folder, tmp_path / "cache")
    for report in reports(results).values():
        assert report.frame_set is not None and report.frame_set.frames == 3
        assert [Path(row.source).name for row in report.per_image] == ["bus.jpg", "chelsea.png", "dog.jpg"]


def test_a_stop_while_preparing_raises_before_anything_runs(cnn_pt2, tmp_path):
    cancel = threading.Event()
    cancel.set()
    ran: list[str] = []
    request = RunRequest(str(cnn_pt2), str(image_path("chelsea.png")), RunConfig(iterations=ITERATIONS))
    with pytest.raises(RunCancelled, match="ladder stopped"):
        ran += [name for name, _outcome in run_ladder(request, cancel=cancel, root=tmp_path)]
    assert not ran


def test_only_the_bare_word_names_the_ladder_and_dot_slash_reads_a_file_of_that_name(tmp_path, monkeypatch, capsys):
    assert is_ladder("ladder") and not is_ladder("./ladder") and not is_ladder("ladder.json")
    monkeypatch.chdir(tmp_path)
    Path("ladder").write_text(json.dumps([{"name": "from the file", "precision": "f32"}]), encoding="utf-8")
    code = profile_main([str(model_path("squeezenet")), str(image_path("chelsea.png")), "--compare", "./ladder",
                         "-n", "3"])
    assert code == 0 and "from the file" in capsys.readouterr().out


def make_report(median_ms: float) -> Report:
    return Report(ModelInfo("m.xml", "OpenVINO IR", 1), DeviceInfo("CPU", "cpu"), RunConfig(),
                  latency_ms=LatencyStats(median=median_ms))


def test_speed_ups_are_over_the_first_and_the_previous_configuration_that_ran():
    results: list[Configured] = [("a", RunOutcome(make_report(10.0))), ("failed", "no such device"),
                                 ("b", RunOutcome(make_report(5.0))), ("c", RunOutcome(make_report(2.5)))]
    assert speed_ups(results) == [(1.0, None), (None, None), (2.0, 2.0), (4.0, 2.0)]


def test_off_the_cpu_the_threads_step_is_left_out_with_a_note(tmp_path):
    """INFERENCE_NUM_THREADS is a CPU property: on another device the step would only fail."""
    told: list[str] = []
    files = Files(Path("m.onnx"), tmp_path / "m.xml", None, tmp_path / "cache", {})
    steps = openvino_steps(RunRequest("m.onnx", "x.jpg", RunConfig(device="GPU")), files, told.append)
    assert [step.name for step in steps] == ["OpenVINO (.onnx)", "OpenVINO (IR)", "+ shared memory", "+ LATENCY hint",
                                             *OPENVINO_STEPS[3:]]
    assert told == ["no threads step: INFERENCE_NUM_THREADS is the CPU's setting, not GPU's"]

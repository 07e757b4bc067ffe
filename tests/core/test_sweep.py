"""Sweeps over declared run options: the axes are read as the options' declarations read values,
a 2×2 grid on SqueezeNet gives four points (and the device's default) with spreads and a Pareto
front consistent with them, the best point under a budget is the one a user would pick, and a
sweep over shapes compiles each one static, dynamic or bounded."""

from __future__ import annotations

import json

import numpy as np
import pytest
from shared_data import image_path, model_path

from ovgui.cli import profile_main
from ovgui.core.errors import OvguiError
from ovgui.core.report import Report, RunConfig, Sweep, SweepPoint
from ovgui.core.runner import RunRequest, run_profile
from ovgui.core.sweep import best_point, pareto_front, point_config, run_sweep, runs_of, summarise, sweep_comparison
from ovgui.core.sweep_options import (
    BASELINE,
    compares_configurations,
    compiled_bounds,
    grid,
    parse_axis,
    run_changes,
    swept_bounds,
)

SQUEEZENET = ["--precision", "f32", "-n", "60"]


def test_axes_are_read_by_the_options_declarations():
    assert parse_axis("nstreams=1,2,4").values == (1, 2, 4)
    assert parse_axis("requests=2..5") == parse_axis("nireq=2,3,4,5")
    assert parse_axis("shape=1x3x320x320,1x3x640x640").values == ([1, 3, 320, 320], [1, 3, 640, 640])
    assert parse_axis("precision=f32,bf16").name == "precision"
    points = grid([parse_axis("nstreams=1,2"), parse_axis("nireq=1,4")])
    assert points == [{"nstreams": 1, "nireq": 1}, {"nstreams": 1, "nireq": 4},
                      {"nstreams": 2, "nireq": 1}, {"nstreams": 2, "nireq": 4}]


@pytest.mark.parametrize("text, message", [
    ("speed=1,2", "'speed' is not a run option a sweep can vary"),
    ("iterations=10,20", "'iterations' is not a run option a sweep can vary"),
    ("nstreams=0,1", "--sweep nstreams: must be between 1 and 256, got 0"),
    ("precision=f64", "--sweep precision: must be one of f32, bf16, f16, got 'f64'"),
    ("nireq=8..1", "--sweep nireq: 8..1 is empty (LOW above HIGH)"),
    ("precision=a..b", "--sweep precision: LOW..HIGH takes two whole numbers, got 'a..b'"),
    ("nstreams=1,1", "--sweep nstreams: a value is given twice (1,1)"),
    ("nstreams", "--sweep takes KEY=V1,V2 or KEY=LOW..HIGH, got 'nstreams'"),
    ("shape=1x3x320..1280x320..1280", "a range of sizes is LOW..HIGH/STEP (320..1280/320), got '320..1280'"),
    ("shape=1x3x320..1280/320x320..640/320", "have different numbers of sizes ([2, 4])"),
    ("shape=1x3x640..320/32", "640..320 is empty"),
    ("shape=1x3x320..640/0", "a range of sizes is LOW..HIGH/STEP"),
])
def test_a_wrong_axis_is_one_line(text, message):
    with pytest.raises(OvguiError) as error:
        parse_axis(text)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_a_shape_range_steps_its_ranged_sizes_together():
    assert parse_axis("shape=1x3x320..1280/320x320..1280/320").values == (
        [1, 3, 320, 320], [1, 3, 640, 640], [1, 3, 960, 960], [1, 3, 1280, 1280])
    assert parse_axis("shape=1x3x320..640/320x480,1x3x64x64").values == ([1, 3, 320, 480], [1, 3, 640, 480], [1, 3, 64, 64])


def test_the_same_option_twice_is_refused():
    with pytest.raises(OvguiError, match="names nstreams twice"):
        grid([parse_axis("nstreams=1,2"), parse_axis("streams=4")])


def point(name: str, latency: float, fps: float, baseline: bool = False) -> SweepPoint:
    return SweepPoint(name, {"nstreams": int(name)} if name.isdigit() else {}, baseline=baseline, runs=3,
                      latency_ms=latency, throughput_fps=fps)


def test_the_best_point_under_a_budget_is_the_highest_throughput_within_it():
    points = [point("default", 20.0, 240.0, baseline=True), point("1", 5.0, 200.0), point("2", 9.0, 300.0),
              point("4", 31.0, 312.0), point("8", 60.0, 330.0), point("3", 9.0, 300.0)]
    sweep = Sweep(points=points, repeats=3, percentile=90, budget_ms=32.0)
    best = best_point(sweep)
    assert best.index == 3 and best.settings == {"nstreams": 4}
    assert best.reason == ("4 streams: 312.0 FPS at p90 31.00 ms (within the 32 ms budget); the device's default "
                           "gives 240.0 FPS at p90 20.00 ms (1.30×)")
    sweep.budget_ms = 10.0
    assert best_point(sweep).index == 2, "a tie in throughput goes to the lower latency, then the first"
    sweep.budget_ms = None
    assert best_point(sweep).index == 4, "no budget: the highest throughput"
    sweep.budget_ms = 1.0
    assert best_point(sweep).reason == "no point meets p90 ≤ 1 ms; the lowest is 5.00 ms"


def test_a_default_no_point_beats_is_said_to_be_kept():
    points = [point("default", 20.0, 340.0, baseline=True), point("1", 5.0, 200.0), point("2", 9.0, 300.0)]
    sweep = Sweep(points=points, repeats=3, percentile=90, budget_ms=None)
    assert best_point(sweep).reason.endswith("(0.88×) — no point beats the default: keep it")
    sweep.budget_ms = 10.0
    assert "keep it" not in best_point(sweep).reason, "the default is outside the budget"


def test_the_pareto_front_holds_the_points_nothing_beats_on_both():
    assert pareto_front([(5.0, 200.0), (9.0, 300.0), (9.0, 250.0), (31.0, 312.0), (40.0, 300.0), None]) == {0, 1, 3}


@pytest.fixture(scope="module")
def squeezenet_sweep() -> tuple[list[dict], Sweep, list]:
    points = grid([parse_axis("nstreams=1,2"), parse_axis("nireq=1,2")])
    base = RunRequest(str(model_path("squeezenet")), str(image_path("dog.jpg")),
                      RunConfig(precision="f32", iterations=60, latency_percentile=90))
    runs = list(run_sweep(base, points, repeats=2))
    return points, summarise(points, runs, 90, 10.0, 2), runs


def test_a_two_by_two_sweep_gives_four_points_and_the_baseline_with_spreads(squeezenet_sweep):
    points, sweep, runs = squeezenet_sweep
    assert len(runs) == 10 and [run.point for run in runs[:5]] == [-1, 0, 1, 2, 3], "round-robin, baseline first"
    assert [p.name for p in sweep.points] == [BASELINE, "nstreams=1 · nireq=1", "nstreams=1 · nireq=2",
                                              "nstreams=2 · nireq=1", "nstreams=2 · nireq=2"]
    for made, settings in zip(sweep.points[1:], points):
        assert made.settings == settings and made.runs == 2 and not made.error
        assert (made.streams, made.requests, made.mode) == (settings["nstreams"], settings["nireq"], "throughput")
        low, high = made.latency_spread_ms
        assert low <= made.latency_ms <= high and made.throughput_spread_fps[0] <= made.throughput_fps
        reports = [run.outcome.report for run in runs if run.point == points.index(settings)]
        assert made.latency_ms == pytest.approx(np.median([np.percentile(r.latency_ms.samples, 90) for r in reports]))
        assert all(not r.layers and r.config.cache_dir for r in reports), "timed without counters, on a shared cache"
    assert sweep.points[0].baseline and sweep.points[0].mode == "throughput"


def test_the_front_and_the_best_are_consistent_with_the_points(squeezenet_sweep):
    _points, sweep, _runs = squeezenet_sweep
    scored = [(p.latency_ms, p.throughput_fps) for p in sweep.points]
    for index, (latency, fps) in enumerate(scored):
        beaten = any(o_lat <= latency and o_fps >= fps and (o_lat, o_fps) != (latency, fps) for o_lat, o_fps in scored)
        assert sweep.points[index].pareto is not beaten
    within = [p for p in sweep.points[1:] if p.latency_ms <= 10.0]
    if within:
        assert sweep.points[sweep.best.index].throughput_fps == max(p.throughput_fps for p in within)


def test_the_command_line_sweeps_and_writes_every_point_in_the_best_points_report(tmp_path, capsys):
    out = tmp_path / "sweep.json"
    code = profile_main([str(model_path("squeezenet")), str(image_path("dog.jpg")), "--sweep", "nstreams=1,2",
                         "--repeats", "1", "--latency-budget-ms", "1000", "--json", str(out), *SQUEEZENET])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "Sweep: 3 points × 1 repeats" in printed.out and "best: " in printed.out
    assert "sweep 3/3: nstreams=2 (repeat 1)" in printed.err
    data = json.loads(out.read_text())
    report = Report.from_dict(data)
    assert [p.name for p in report.sweep.points] == [BASELINE, "nstreams=1", "nstreams=2"]
    assert report.sweep.best.settings == report.sweep.points[report.sweep.best.index].settings
    assert report.config.nstreams == report.sweep.best.settings.get("nstreams"), "the report is the best point's run"


@pytest.mark.parametrize("argv, message", [
    (["--sweep", "bogus=1"], "error: --sweep: 'bogus' is not a run option a sweep can vary"),
    (["--repeats", "2"], "--repeats goes with --sweep KEY=VALUES"),
    (["--sweep", "nstreams=1", "--repeats", "0"], "--repeats must be between 1 and 100, got 0"),
    (["--sweep", "nstreams=1", "--latency-budget-ms", "nan"], "--latency-budget-ms must be a positive number"),
    (["--sweep", "nstreams=1", "--csv", "x.csv"], "leave out --csv"),
])
def test_wrong_sweep_arguments_are_one_line_and_exit_2(argv, message, capsys):
    try:
        code = profile_main([str(model_path("squeezenet")), str(image_path("dog.jpg")), *argv])
    except SystemExit as stopped:
        code = stopped.code
    assert code == 2 and message in capsys.readouterr().err


def test_a_run_reports_its_latency_at_the_chosen_percentile():
    report = run_profile(RunRequest(str(model_path("squeezenet")), str(image_path("dog.jpg")),
                                    RunConfig(precision="f32", iterations=40, latency_percentile=95))).report
    assert report.latency_ms.percentile == 95
    assert report.latency_ms.at_percentile == pytest.approx(np.percentile(report.latency_ms.samples, 95))
    assert report.latency_ms.median <= report.latency_ms.at_percentile <= report.latency_ms.max


def test_the_sweep_as_a_comparison_names_each_run_and_gives_its_runs_back(squeezenet_sweep):
    points, sweep, _runs = squeezenet_sweep
    base = RunRequest(str(model_path("squeezenet")), str(image_path("dog.jpg")),
                      RunConfig(precision="f32", iterations=20))
    results = list(sweep_comparison(points[:2], repeats=2)(base))
    assert [name for name, _outcome in results] == [
        f"{BASELINE} (run 1)", "nstreams=1 · nireq=1 (run 1)", "nstreams=1 · nireq=2 (run 1)",
        f"{BASELINE} (run 2)", "nstreams=1 · nireq=1 (run 2)", "nstreams=1 · nireq=2 (run 2)"]
    runs = runs_of(points[:2], results)
    assert [(run.point, run.repeat) for run in runs] == [(-1, 0), (0, 0), (1, 0), (-1, 1), (0, 1), (1, 1)]
    assert [p.runs for p in summarise(points[:2], runs, 50, None, 2).points] == [2, 2, 2]


def test_a_shape_sweep_on_the_dynamic_yunet_gives_latency_compile_and_memory_per_shape(capsys):
    """Shapes alone compare no configurations: no baseline, no best point; each shape compiled static."""
    points = grid([parse_axis("shape=1x3x320x320,1x3x640x640,1x3x960x960")])
    base = RunRequest(str(model_path("yunet_dynamic")), str(image_path("zidane.jpg")), RunConfig(iterations=10))
    runs = list(run_sweep(base, points, repeats=1))
    assert [run.point for run in runs] == [0, 1, 2]
    sweep = summarise(points, runs, 50, None, 1)
    assert [p.name for p in sweep.points] == ["input_shape=1x3x320x320", "input_shape=1x3x640x640",
                                              "input_shape=1x3x960x960"]
    assert sweep.best is None and not any(p.baseline for p in sweep.points)
    for made, run in zip(sweep.points, runs):
        report = run.outcome.report
        assert report.preprocess.input_shape == made.settings["input_shape"]
        assert made.compile_ms == report.timings_ms.compile > 0 and made.peak_rss_mib == report.memory.peak_mib
        assert made.rss_after_release_mib == report.memory.phases[-1].rss_end_mib
    assert sweep.points[0].latency_ms < sweep.points[2].latency_ms, "nine times the pixels take longer"
    assert [(r.point, r.repeat) for r in runs_of(points, [(p.name, r.outcome) for p, r in zip(sweep.points, runs)])] == [
        (0, 0), (1, 0), (2, 0)]


def test_a_shape_sweep_compiles_each_shape_static_dynamic_and_bounded_side_by_side():
    """`shape_mode` as a second axis: every shape fed the same tensor, compiled three ways, read
    back from the compiled model; the bounded compile takes the swept shapes' range; a dynamic
    compile serves every shape, so after the first shape it loads from the sweep's cache, and
    static shapes never do (each is its own model)."""
    points = grid([parse_axis("shape=1x3x320x320,1x3x640x640"), parse_axis("shape_mode=static,dynamic,bounded")])
    base = RunRequest(str(model_path("yunet_dynamic")), str(image_path("zidane.jpg")), RunConfig(iterations=5))
    runs = list(run_sweep(base, points, repeats=1))
    sweep = summarise(points, runs, 50, None, 1)
    assert sweep.best is None and not any(p.baseline or p.pareto for p in sweep.points)
    compiled = {(p.settings["input_shape"][2], p.settings["shape_mode"]): p.compiled_shape for p in sweep.points}
    assert compiled == {(320, "static"): "[1,3,320,320]", (320, "dynamic"): "[1,3,?,?]",
                        (320, "bounded"): "[1,3,320..640,320..640]", (640, "static"): "[1,3,640,640]",
                        (640, "dynamic"): "[1,3,?,?]", (640, "bounded"): "[1,3,320..640,320..640]"}
    for made, run in zip(sweep.points, runs):
        report = run.outcome.report
        assert report.preprocess.input_shape == made.settings["input_shape"], "the tensor fed is the shape swept"
        assert report.config.shape_mode == made.settings["shape_mode"]
        assert made.peak_rss_mib > made.rss_after_release_mib > 0
    cached = {(p.settings["input_shape"][2], p.settings["shape_mode"]): p.compile_cached for p in sweep.points}
    assert cached[(640, "dynamic")] and cached[(640, "bounded")]
    assert not cached[(320, "static")] and not cached[(640, "static")] and not cached[(320, "dynamic")]


@pytest.mark.parametrize(("argv", "message"), [
    (["--shape-mode", "bounded"], "shape bounds (--shape-bounds) are needed with compiled shape (--shape-mode) bounded"),
    (["--shape-mode", "dynamic", "--preprocess", "graph"], "dynamic needs preprocessing (--preprocess) host"),
    (["--shape-mode", "bounded", "--shape-bounds", "1,3,320..x"], "cannot read '320..x'"),
    (["--shape-mode", "bounded", "--shape-bounds", "1,3,640..320,?"], "LOW ≤ HIGH"),
    (["--shape", "1,3,640,640", "--shape-mode", "bounded", "--shape-bounds", "1,3,320..480,?"],
     "leaves out the shape fed 1,3,640,640: 640 not in 320..480"),
    (["--shape-mode", "bounded", "--shape-bounds", "1,3,320..1280"], "has 3 dimensions; the input has 4"),
])
def test_a_compile_shape_it_cannot_make_is_one_line(argv, message, capsys):
    code = profile_main([str(model_path("yunet_dynamic")), str(image_path("zidane.jpg")), "-n", "2", *argv])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_bounded_sweep_takes_the_swept_shapes_range_unless_bounds_are_given():
    assert swept_bounds([{"input_shape": [1, 3, 320, 480]}, {"input_shape": [1, 3, 1280, 640]}]) == "1,3,320..1280,480..640"
    assert swept_bounds([{"nstreams": 1}]) is None
    base = RunRequest("m.xml", "i.jpg", RunConfig(shape_bounds="1,3,?,?"))
    assert point_config(base, {"shape_mode": "bounded"}, "/tmp", bounds="1,3,320..640,320..640").config.shape_bounds == "1,3,?,?"
    unbounded = RunRequest("m.xml", "i.jpg", RunConfig())
    swept = "1,3,8..9,8..9"
    assert point_config(unbounded, {"shape_mode": "bounded"}, "/tmp", bounds=swept).config.shape_bounds == swept
    assert point_config(unbounded, {"shape_mode": "static"}, "/tmp", bounds=swept).config.shape_bounds is None


def test_batch_is_a_configuration_and_shapes_alone_are_not():
    assert compares_configurations([{"batch": 1}, {"batch": 2}]), "a batch trades latency for images per second"
    assert not compares_configurations([{"input_shape": [1, 3, 320, 320], "shape_mode": "dynamic"}])


def test_using_a_bounded_point_keeps_the_bounds_it_was_compiled_with():
    assert compiled_bounds("[1,3,320..1280,320..1280]") == "1,3,320..1280,320..1280"
    assert compiled_bounds("[1,3,?,?] [1,2]") is None and compiled_bounds("") is None
    assert run_changes({"shape_mode": "bounded"}, bounds="1,3,8..9,8..9") == {"shape_mode": "bounded",
                                                                             "shape_bounds": "1,3,8..9,8..9"}
    assert run_changes({"shape_mode": "dynamic"}, bounds="1,3,8..9,8..9") == {"shape_mode": "dynamic"}

"""The Perfetto / Chrome trace export (ovgui.core.trace), on hand-built reports: every track of the
trace-event JSON, event by event.  Times are multiples of 1/64 s and 1/64 ms so that the
microseconds the writer computes are exact and compared with ==.  One real run, through the CLI,
pins what only a run has: inference spans that follow the session's clock."""

from __future__ import annotations

import json

from shared_data import image_path, model_path

from ovgui.cli import profile_main
from ovgui.core.report import (
    SCHEMA_VERSION,
    DeviceInfo,
    FrameResult,
    FrameSetSummary,
    LatencyStats,
    LayerStats,
    MemoryPhase,
    MemoryReport,
    ModelInfo,
    Report,
    RunConfig,
)
from ovgui.core.trace import save_trace, trace_events

PHASES_ALLOWED = {"M", "X", "b", "e", "C"}


def report(mode: str = "latency", **fields) -> Report:
    model = ModelInfo(path="/models/face/face.xml", format="OpenVINO IR", file_size_bytes=1)
    return Report(model=model, device=DeviceInfo(name="CPU", full_name="a CPU"), config=RunConfig(mode=mode), **fields)


def phase(name: str, start_s: float, end_s: float, rss_delta_mib: float = 0.0) -> MemoryPhase:
    return MemoryPhase(name, start_s, end_s, rss_start_mib=100.0, rss_end_mib=100.0 + rss_delta_mib, rss_delta_mib=rss_delta_mib)


def layer(index: int, name: str, real_time_ms: float, status: str = "EXECUTED", **fields) -> LayerStats:
    fields = {"share": 0.0, **fields}
    return LayerStats(index=index, name=name, type="Convolution", exec_type="jit_avx2_FP32", status=status,
                      real_time_ms=real_time_ms, real_time_median_ms=None, cpu_time_ms=real_time_ms, **fields)


def span(name: str, tid: int, ts: float, dur: float, **args) -> dict:
    return {"name": name, "ph": "X", "pid": 1, "tid": tid, "ts": ts, "dur": dur, "args": args}


def track(report: Report, tid: int, phases: set[str] = PHASES_ALLOWED - {"M"}) -> list[dict]:
    return [event for event in trace_events(report)["traceEvents"] if event["tid"] == tid and event["ph"] in phases]


def test_an_empty_run_is_one_process_with_its_named_tracks():
    assert trace_events(report()) == {
        "traceEvents": [
            {"name": "process_name", "ph": "M", "pid": 1, "tid": 0, "args": {"name": "face.xml on CPU (latency)"}},
            {"name": "thread_name", "ph": "M", "pid": 1, "tid": 1, "args": {"name": "phases"}},
            {"name": "thread_name", "ph": "M", "pid": 1, "tid": 2, "args": {"name": "inferences"}},
            {"name": "thread_name", "ph": "M", "pid": 1, "tid": 3, "args": {"name": "layers (one mean inference)"}},
        ],
        "displayTimeUnit": "ms",
        "otherData": {"tool": "ovgui", "schema_version": SCHEMA_VERSION},
    }


def test_phases_are_spans_with_their_titles_and_memory_change():
    phases = [phase("read_model", 0.0, 0.25, 1.234), phase("compile", 0.25, 1.0, 50.0), phase("first_inference", 1.0, 1.125),
              phase("steady_state", 1.125, 2.5, -0.5), phase("results", 2.5, 2.5), phase("warm_up", 3.0, 2.75)]
    assert track(report(memory=MemoryReport(phases=phases)), 1) == [
        span("read", 1, 0.0, 250_000.0, rss_delta_mib=1.23),
        span("compile", 1, 250_000.0, 750_000.0, rss_delta_mib=50.0),
        span("first inference", 1, 1_000_000.0, 125_000.0, rss_delta_mib=0.0),
        span("steady state", 1, 1_125_000.0, 1_375_000.0, rss_delta_mib=-0.5),
        span("results", 1, 2_500_000.0, 0.0, rss_delta_mib=0.0),
        span("warm_up", 1, 3_000_000.0, 0.0, rss_delta_mib=0.0),
    ], "a phase without a title keeps its name; one that ends before it starts lasts nothing"


def test_sync_inferences_are_spans_ending_at_their_end_times():
    latency = LatencyStats(samples=[125.0, 250.0, 62.5], end_times_s=[1.25, 1.5, 1.5625])
    assert track(report(latency_ms=latency), 2) == [
        span("inference 0", 2, 1_125_000.0, 125_000.0, latency_ms=125.0),
        span("inference 1", 2, 1_250_000.0, 250_000.0, latency_ms=250.0),
        span("inference 2", 2, 1_500_000.0, 62_500.0, latency_ms=62.5),
    ]


def test_throughput_inferences_are_async_slices_that_may_overlap():
    latency = LatencyStats(samples=[250.0, 250.0], end_times_s=[1.25, 1.375])
    common = {"name": "inference", "cat": "inference", "pid": 1, "tid": 2}
    assert track(report("throughput", latency_ms=latency), 2) == [
        {**common, "id": 0, "ph": "b", "ts": 1_000_000.0, "args": {"index": 0, "latency_ms": 250.0}},
        {**common, "id": 0, "ph": "e", "ts": 1_250_000.0},
        {**common, "id": 1, "ph": "b", "ts": 1_125_000.0, "args": {"index": 1, "latency_ms": 250.0}},
        {**common, "id": 1, "ph": "e", "ts": 1_375_000.0},
    ]


def test_a_sampled_history_numbers_each_inference_by_its_iteration():
    latency = LatencyStats.from_reservoir([125.0, 62.5], sample_iterations=[3, 250], count=1000, sum_ms=90_000.0,
                                          min_ms=50.0, max_ms=300.0)
    latency.end_times_s = [0.5, 30.0]
    assert [event["name"] for event in track(report(latency_ms=latency), 2)] == ["inference 2", "inference 249"]
    async_ids = [event["id"] for event in track(report("throughput", latency_ms=latency), 2)]
    assert async_ids == [2, 2, 249, 249]


def test_executed_layers_are_laid_end_to_end_from_the_steady_state_in_execution_order():
    layers = [
        layer(2, "relu", 31.25, share=0.123456, flops=8.0, gflops_per_s=2.0),
        layer(0, "conv", 62.5, share=0.5, flops=1e9, gflops_per_s=16.0),
        layer(1, "folded", 0.0, status="NOT_RUN"),
        layer(3, "output", 15.625),
    ]
    memory = MemoryReport(phases=[phase("compile", 0.0, 1.0), phase("steady_state", 1.0, 2.0)])
    kernel = {"type": "Convolution", "exec_type": "jit_avx2_FP32"}
    assert track(report(layers=layers, memory=memory), 3) == [
        span("conv", 3, 1_000_000.0, 62_500.0, **kernel, share=0.5, flops=1e9, gflops_per_s=16.0),
        span("relu", 3, 1_062_500.0, 31_250.0, **kernel, share=0.1235, flops=8.0, gflops_per_s=2.0),
        span("output", 3, 1_093_750.0, 15_625.0, **kernel, share=0.0, flops=None, gflops_per_s=None),
    ]
    without_steady_state = [(event["ts"], event["dur"]) for event in track(report(layers=layers), 3)]
    assert without_steady_state == [(0.0, 62_500.0), (62_500.0, 31_250.0), (93_750.0, 15_625.0)], "from the run's start"


def test_memory_samples_are_one_counter_track():
    memory = MemoryReport(samples=[[0.0, 100.0], [0.5, 180.25], [1.25, 150.0]])
    assert track(report(memory=memory), 0, {"C"}) == [
        {"name": "RSS (MiB)", "ph": "C", "pid": 1, "tid": 0, "ts": 0.0, "args": {"rss": 100.0}},
        {"name": "RSS (MiB)", "ph": "C", "pid": 1, "tid": 0, "ts": 500_000.0, "args": {"rss": 180.25}},
        {"name": "RSS (MiB)", "ph": "C", "pid": 1, "tid": 0, "ts": 1_250_000.0, "args": {"rss": 150.0}},
    ]


def test_a_video_run_is_named_after_its_model_with_one_inference_per_frame():
    frames = [FrameResult(index=i, source=f"frame {i}", width=64, height=48, latency_ms=125.0, wall_ms=250.0) for i in range(3)]
    video = report("throughput", latency_ms=LatencyStats(samples=[125.0] * 3, end_times_s=[0.25, 0.5, 0.75]), per_image=frames,
                   frame_set=FrameSetSummary(kind="video", source="/clips/street.avi", frames=3))
    process = trace_events(video)["traceEvents"][0]
    assert process["args"] == {"name": "face.xml on CPU (throughput)"}
    starts = [(event["id"], event["ts"]) for event in track(video, 2, {"b"})]
    assert starts == [(0, 125_000.0), (1, 375_000.0), (2, 625_000.0)]


def refuse(constant: str) -> None:
    raise AssertionError(f"{constant} is not JSON")


def test_the_saved_trace_is_strict_json_with_null_for_what_is_not_finite(tmp_path):
    def run(gflops: tuple[float | None, float | None], rss: float | None) -> Report:
        layers = [layer(0, "conv", 62.5, gflops_per_s=gflops[0]), layer(1, "relu", 31.25, gflops_per_s=gflops[1])]
        return report(layers=layers, memory=MemoryReport(samples=[[0.0, rss], [0.5, 120.0]]))

    path = tmp_path / "run_trace.json"
    save_trace(run((float("inf"), float("nan")), float("nan")), path)
    saved = json.loads(path.read_text(), parse_constant=refuse)
    assert saved == json.loads(json.dumps(trace_events(run((None, None), None))))


def test_the_cli_writes_a_run_whose_sync_inference_spans_follow_one_another(tmp_path):
    """Only a real run has end times on the session's clock: one inference starts after the last ended."""
    out = tmp_path / "run_trace.json"
    args = [str(model_path("squeezenet")), str(image_path("chelsea.png")), "-n", "6", "-q", "--no-roofline", "--trace", str(out)]
    assert profile_main(args) == 0
    events = json.loads(out.read_text())["traceEvents"]
    assert {event["ph"] for event in events} <= PHASES_ALLOWED
    phases = [event for event in events if event["tid"] == 1 and event["ph"] == "X"]
    assert [event["name"] for event in phases] == ["read", "compile", "first inference", "steady state", "results", "release"]
    assert [event["ts"] for event in phases] == sorted(event["ts"] for event in phases)
    inferences = [event for event in events if event["tid"] == 2 and event["ph"] == "X"]
    assert [event["name"] for event in inferences] == [f"inference {index}" for index in range(6)]
    steady = next(event for event in phases if event["name"] == "steady state")
    assert all(steady["ts"] - 1000 <= event["ts"] <= steady["ts"] + steady["dur"] for event in inferences)
    ends = [event["ts"] + event["dur"] for event in inferences]
    assert all(later["ts"] >= end - 100 for later, end in zip(inferences[1:], ends)), "one at a time, to 0.1 ms"

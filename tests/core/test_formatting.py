"""One formatter for latency and FPS, and one for what a run measured, shared by the window and the CLI."""

from __future__ import annotations

from ovgui.console import format_summary
from ovgui.core.formatting import (
    MISSING,
    format_ms,
    layers_vs_median_text,
    mean_fps_text,
    preprocess_text,
    throughput_text,
)
from ovgui.core.report import DeviceInfo, LatencyStats, ModelInfo, PreprocessInfo, ProfileSummary, Report, RunConfig


def test_milliseconds_keep_about_three_significant_figures():
    assert [format_ms(v) for v in (0.1234, 8.123, 41.26, 1203.4)] == ["0.12", "8.12", "41.3", "1203"]
    assert format_ms(None) == MISSING


def test_each_fps_says_which_fps_it_is():
    assert mean_fps_text(8.0) == "125.0 FPS (1000/mean)"
    assert throughput_text(299.7) == "throughput 299.7 FPS (completed/elapsed)"
    assert mean_fps_text(0.0) == f"{MISSING} (1000/mean)"


def test_preprocessing_mode_reads_as_what_the_latency_covers():
    assert preprocess_text("host") == "model only, host preprocessing"
    assert preprocess_text("graph") == "end to end, preprocessing in the graph"


def test_layers_sum_is_compared_with_the_median_only_when_profiled():
    assert layers_vs_median_text(ProfileSummary(layers_sum_ms=60.12, latency_median_ms=73.8)) == "layers sum 60.1 ms vs median 73.8 ms"
    assert layers_vs_median_text(ProfileSummary()) == ""


def test_console_summary_uses_the_same_wording():
    report = Report(
        ModelInfo("m.xml", "ir", 1),
        DeviceInfo("CPU", "Test CPU"),
        RunConfig(),
        latency_ms=LatencyStats.from_samples([2.0, 2.2, 2.4]),
        throughput_fps=299.7,
        preprocess=PreprocessInfo(mode="graph"),
    )
    text = format_summary(report)
    assert "(end to end, preprocessing in the graph; first inference excluded)" in text
    assert "median 2.20 ms · p90" in text
    assert "454.5 FPS (1000/mean) · throughput 299.7 FPS (completed/elapsed)" in text

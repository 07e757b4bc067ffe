"""One formatter for latency and FPS, and one for what a run measured, shared by the window and the CLI."""

from __future__ import annotations

from ovgui.console import format_summary
from ovgui.core.formatting import (
    MISSING,
    bytes_moved,
    format_ms,
    layers_vs_latency_text,
    mean_fps_text,
    ms_text,
    preprocess_text,
    throughput_text,
)
from ovgui.core.report import DeviceInfo, LatencyStats, LayerStats, ModelInfo, PreprocessInfo, ProfileSummary, Report, RunConfig


def test_milliseconds_keep_about_three_significant_figures():
    assert [format_ms(v) for v in (0.1234, 8.123, 41.26, 1203.4)] == ["0.12", "8.12", "41.3", "1203"]
    assert format_ms(None) == MISSING


def test_layer_times_keep_the_counters_microseconds():
    assert [ms_text(v) for v in (0.012, 41.3, None)] == ["0.012", "41.300", MISSING]


def test_bytes_moved_is_missing_only_when_nothing_was_counted():
    def layer(read: int | None, written: int | None) -> LayerStats:
        return LayerStats(0, "conv", "Convolution", "jit", "EXECUTED", 1.0, None, 1.0, 1.0,
                          bytes_read=read, bytes_written=written)

    assert bytes_moved(layer(None, None)) is None
    assert bytes_moved(layer(300, None)) == 300
    assert bytes_moved(layer(300, 200)) == 500


def test_each_fps_says_which_fps_it_is():
    assert mean_fps_text(8.0) == "125.0 FPS (1000/mean)"
    assert throughput_text(299.7) == "throughput 299.7 FPS (completed/elapsed)"
    assert mean_fps_text(0.0) == f"{MISSING} (1000/mean)"


def test_preprocessing_mode_reads_as_what_the_latency_covers():
    assert preprocess_text("host") == "model only, host preprocessing"
    assert preprocess_text("graph") == "end to end, preprocessing in the graph"


def test_layers_sum_is_compared_with_the_mean_latency_only_when_profiled():
    """A sum of per-layer means pairs with a mean; a median drifts from it with skewed latencies."""
    profile = ProfileSummary(layers_sum_ms=60.12, latency_median_ms=73.8, latency_mean_ms=61.04)
    assert layers_vs_latency_text(profile) == "layers sum 60.1 ms vs mean 61.0 ms"
    assert layers_vs_latency_text(ProfileSummary()) == ""


def test_a_separate_profiled_session_is_named_beside_the_timed_mean():
    profile = ProfileSummary(layers_sum_ms=9.8, latency_mean_ms=9.9, profiled_mean_ms=10.44)
    assert layers_vs_latency_text(profile) == "layers sum 9.80 ms vs profiled-session mean 10.4 ms; timed mean 9.90 ms"


def test_a_report_from_before_the_mean_was_recorded_says_median():
    old = ProfileSummary(layers_sum_ms=60.12, latency_median_ms=73.8)
    assert layers_vs_latency_text(old) == "layers sum 60.1 ms vs median 73.8 ms"
    assert layers_vs_latency_text(ProfileSummary(layers_sum_ms=5.0)) == "layers sum 5.00 ms", "an import without latency"


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


def test_console_summary_compares_the_layers_sum_with_the_mean():
    """Skewed latencies, as a busy machine gives: the median (2.0) and the mean (3.0) differ, and
    the summary sets the layers' sum against the mean, with the ratio to it."""
    latency = LatencyStats.from_samples([2.0, 2.0, 2.0, 2.0, 7.0])
    report = Report(ModelInfo("m.xml", "ir", 1), DeviceInfo("CPU", "Test CPU"), RunConfig(), latency_ms=latency)
    report.layers = [LayerStats(0, "conv", "Convolution", "jit", "EXECUTED", 2.85, None, 2.85, 1.0)]
    report.profile = ProfileSummary(iterations_profiled=5, layers_sum_ms=2.85, latency_median_ms=latency.median,
                                    latency_mean_ms=latency.mean, method="steady-state mean of 5 inferences")
    text = format_summary(report)
    assert latency.mean == 3.0 and latency.median == 2.0
    assert "model layers sum 2.85 ms vs mean 3.00 ms (x0.95)" in text
    assert "vs median" not in text

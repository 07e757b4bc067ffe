"""How latency, FPS and "what was measured" read, in the window and on the terminal alike.

One module so a figure never reads differently in two places, and so every FPS
says which FPS it is: 1000 / mean latency (what one request sustains) and
completed / elapsed (what the run achieved, counting the gaps between
requests, or the overlap of several) differ, sometimes by a factor.
"""

from __future__ import annotations

from ovgui.core.report import LatencyStats, LayerStats, ProfileSummary

MISSING = "—"
"""Shown for a value that was not measured: never a 0 that looks like a measurement."""

PREPROCESS_MODES = {
    "host": "model only, host preprocessing",
    "graph": "end to end, preprocessing in the graph",
}


def format_ms(value: float | None) -> str:
    """Three significant figures or so, whatever the scale (0.123, 8.12, 41.3, 1203)."""
    if value is None:
        return MISSING
    if value < 10:
        return f"{value:.2f}"
    if value < 100:
        return f"{value:.1f}"
    return f"{value:.0f}"


def ms_text(value: float | None) -> str:
    """A layer's time to the microsecond its counters carry (0.012, 41.300), in tables and lists."""
    return MISSING if value is None else f"{value:.3f}"


def bytes_moved(layer: LayerStats) -> int | None:
    """Read plus written, or None when neither was counted: never a 0 that looks like a measurement."""
    if layer.bytes_read is None and layer.bytes_written is None:
        return None
    return (layer.bytes_read or 0) + (layer.bytes_written or 0)


def speed_up_text(ratio: float | None) -> str:
    """A speed-up as a factor, "×2.26" (twice and a quarter as fast); "—" where there is none."""
    return MISSING if ratio is None else f"×{ratio:.2f}"


def format_duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def format_fps(fps: float | None) -> str:
    return MISSING if not fps else f"{fps:.1f} FPS"


def fps_from_mean(mean_ms: float) -> float | None:
    return 1000.0 / mean_ms if mean_ms > 0 else None


def mean_fps_text(mean_ms: float) -> str:
    """The rate one request sustains, e.g. "13.5 FPS (1000/mean)"."""
    return f"{format_fps(fps_from_mean(mean_ms))} (1000/mean)"


def throughput_text(fps: float) -> str:
    """What the run achieved, e.g. "throughput 14.4 FPS (completed/elapsed)"."""
    return f"throughput {format_fps(fps)} (completed/elapsed)"


def latency_line(stats: LatencyStats) -> str:
    """e.g. "median 73.8 ms · p90 81.9 · p99 97.1 · mean 70.2 ms"."""
    return (
        f"median {format_ms(stats.median)} ms · p90 {format_ms(stats.p90)} · "
        f"p99 {format_ms(stats.p99)} · mean {format_ms(stats.mean)} ms"
    )


def preprocess_text(mode: str) -> str:
    """What the latency covers, from the report's preprocessing mode."""
    return PREPROCESS_MODES.get(mode, f"preprocessing: {mode}" if mode else "")


def layers_reference_ms(profile: ProfileSummary) -> tuple[str, float]:
    """What the layers' summed means are set against, and its value: the mean latency of the runs
    the figures come from (ONNX Runtime's profiled session, else the timed inferences); a report
    written before the mean was recorded has only the median, and says so."""
    if profile.profiled_mean_ms > 0:
        return "profiled-session mean", profile.profiled_mean_ms
    if profile.latency_mean_ms > 0:
        return "mean", profile.latency_mean_ms
    return "median", profile.latency_median_ms


def layers_vs_latency_text(profile: ProfileSummary) -> str:
    """e.g. "layers sum 60.1 ms vs mean 61.0 ms" (model layers only), or with a separate profiled
    session "layers sum 9.80 ms vs profiled-session mean 10.4 ms; timed mean 9.90 ms"; "" when
    nothing was profiled."""
    if not profile.layers_sum_ms:
        return ""
    layers = f"layers sum {format_ms(profile.layers_sum_ms)} ms"
    name, reference_ms = layers_reference_ms(profile)
    if reference_ms <= 0:
        return layers
    text = f"{layers} vs {name} {format_ms(reference_ms)} ms"
    if profile.profiled_mean_ms > 0 and profile.latency_mean_ms > 0:
        text += f"; timed mean {format_ms(profile.latency_mean_ms)} ms"
    return text

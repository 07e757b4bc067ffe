"""What a device can do: its compute roofs and memory roofs, measured in a child process and cached
only when they can be trusted.

A layer's achieved GFLOP/s means little alone; against what the same device reaches at the same
precision and thread count it says how well the layer uses the hardware.  The compute roof is the
fastest of a MatMul and 3x3 and 1x1 convolutions (the kernels OpenVINO tunes hardest) at the
precision the device really used (read back: an f16 request on an AVX2 CPU compiles as f32),
each timed by its own layer counter as a model's layers are (ovgui.core.roof_probe); the memory
roofs a multi-threaded streaming copy over working sets that fit L2, L3 and far exceed L3
(ovgui.core.bandwidth), a level large enough to time raised to the rate a weight-streaming layer
reads it at where that is higher.  Each is the best of several short windows.

The measurement runs in a child process (ovgui.core.roof_probe): its buffers (hundreds of MiB
for the DRAM roof) never count towards the run's memory.  A roof is cached per device, requested
precision, threads and OpenVINO version, with the CPU, the time and the load average it was
measured at.  One measured on a busy machine (load average above the cores in use) is measured
again on the first run that finds the machine quiet; while it stays busy a new measurement would
be no better and cost seconds per run, so the busy one is used, with a note saying so.  A cache
entry that is not a well-formed, finite, positive roof is measured again, never used.  A layer is
judged against min(compute roof, bandwidth of the level its working set fits x its intensity),
as Intel Advisor's hierarchical roofline does.  A layer's time is
known to the counters' resolution only (±`ProfileSummary.rounding_error_ms`, half of (N+1)/N µs
for OpenVINO's running means), so a layer beats its roof only when even its slowest consistent
time does: then a roof is wrong, they are measured again once, and if a layer still beats them,
the report and the plot say so.  A layer above 100 % by less than its timing's uncertainty is
named in a note of its own, never shown silently.
"""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
import sys
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import openvino as ov

import ovgui
from ovgui.core.errors import OvguiError
from ovgui.core.files import read_json, write_text_atomic
from ovgui.core.report import LayerStats, MemoryRoof, Report, Roofline, SchemaError

CACHE_FILE = "roofline.json"
MAX_CACHE_BYTES = 1 << 20
WINDOWS = 3
COMPUTE_WINDOW_S = 0.01
COPY_WINDOW_S = 0.05
PROBE_TIMEOUT_S = 300.0
FLOAT_PRECISIONS = ("f32", "bf16", "f16")
ABOVE_ROOF = "ran faster than the roofs allow"
WITHIN_TIMING = "within their timing's uncertainty"


def default_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ovgui"


def cache_key(device: str, precision: str, threads: int, openvino_version: str) -> str:
    """`threads` 0 means OpenVINO's default; `precision` is the requested one."""
    return f"{device}|{precision or 'default'}|{threads}|{openvino_version}"


def cpu_name() -> str:
    """The CPU model: a cache moved to another machine (or a VM moved to another host) is not used."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def measured_busy(roof: Roofline) -> bool:
    """Whether the machine was busier than the cores the roof used when it was measured (unknown: busy)."""
    cores = roof.threads or usable_cores()
    return roof.load_average is None or roof.load_average > cores


def busy_now(threads: int) -> bool:
    return os.getloadavg()[0] > (threads or usable_cores())


def trusted(roof: Roofline, cpu: str, busy: bool) -> bool:
    """A cached roof is used only when it is finite and positive, measured on this CPU, and
    measured quietly unless the machine is busy now too (`busy`)."""
    numbers = [roof.gflops_per_s, *(memory.gbytes_per_s for memory in roof.memory_roofs)]
    if roof.gbytes_per_s is not None:
        numbers.append(roof.gbytes_per_s)
    return (
        all(math.isfinite(n) and n > 0 for n in numbers)
        and all(memory.capacity_bytes >= 0 and memory.working_set_bytes > 0 for memory in roof.memory_roofs)
        and roof.threads >= 0
        and roof.cpu == cpu
        and (busy or not measured_busy(roof))
    )


def attainable(
    device: str, precision: str = "", threads: int = 0, cache_dir: Path | None = None, fresh: bool = False
) -> Roofline:
    """The device's roofs at this precision hint ("" for the device default) and thread count
    (0 for the default), from the cache when they were measured there quietly."""
    return measured_roofs(device, [precision], threads, cache_dir, fresh)[0]


def measured_roofs(
    device: str, precisions: list[str], threads: int, cache_dir: Path | None = None, fresh: bool = False,
    keep_best: bool = False,
) -> list[Roofline]:
    """One roof per requested precision, in order; those the cache cannot vouch for (or all,
    with `fresh`, over four times the windows) measured together in one child process.  With
    `keep_best` each fresh figure is the higher of it and the cached one: every measurement is a
    lower bound of what the hardware does, so the higher one is the better bound."""
    version, cpu = ov.get_version(), cpu_name()
    path = (cache_dir or default_cache_dir()) / CACHE_FILE
    cached = _read_cache(path)
    keys = {precision: cache_key(device, precision, threads, version) for precision in precisions}
    busy = busy_now(threads)
    found = {} if fresh else {p: cached[k] for p, k in keys.items() if k in cached and trusted(cached[k], cpu, busy)}
    missing = [p for p in dict.fromkeys(precisions) if p not in found]
    if missing:
        for precision, roof in zip(missing, measure(device, missing, threads, WINDOWS * 4 if fresh else WINDOWS)):
            old = cached.get(keys[precision])
            kept = old if keep_best and old is not None and trusted(old, cpu, busy=True) else None
            found[precision] = higher(kept, roof) if kept is not None else roof
        _write_cache(path, {**cached, **{keys[p]: found[p] for p in missing}})
    return [found[precision] for precision in precisions]


def higher(old: Roofline, new: Roofline) -> Roofline:
    """`new` with each roof raised to `old`'s where that was higher."""
    old_levels = {memory.level: memory for memory in old.memory_roofs}
    levels = [
        replace(memory, gbytes_per_s=max(memory.gbytes_per_s, old_levels[memory.level].gbytes_per_s))
        if memory.level in old_levels else memory
        for memory in new.memory_roofs
    ]
    dram = max(filter(None, [old.gbytes_per_s, new.gbytes_per_s]), default=None)
    return replace(new, gflops_per_s=max(old.gflops_per_s, new.gflops_per_s), gbytes_per_s=dram, memory_roofs=levels,
                   method=f"{new.method}; each roof the higher of this and an earlier measurement ({old.measured_at})")


def measure(device: str, precisions: list[str], threads: int, windows: int = WINDOWS) -> list[Roofline]:
    """The roofs measured now, in a child process, one per requested precision."""
    request = {
        "device": device, "precisions": precisions, "threads": threads, "windows": windows,
        "compute_window_s": COMPUTE_WINDOW_S, "copy_window_s": COPY_WINDOW_S,
    }
    package_root = str(Path(ovgui.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ovgui.core.roof_probe", json.dumps(request)],
            stdout=subprocess.PIPE, text=True, env=env, timeout=PROBE_TIMEOUT_S, check=False,
        )
        answer = json.loads(done.stdout)
    except subprocess.TimeoutExpired:
        raise OvguiError(f"measuring what {device} can do took over {PROBE_TIMEOUT_S:.0f} s") from None
    except (OSError, ValueError, RecursionError) as error:
        raise OvguiError(f"cannot measure what {device} can do: the measuring process failed ({error})") from None
    if isinstance(answer, dict) and isinstance(answer.get("error"), str):
        raise OvguiError(answer["error"])
    try:
        return [Roofline.from_dict(entry) for entry in answer]
    except (SchemaError, TypeError) as error:
        raise OvguiError(f"cannot measure what {device} can do: the measuring process answered {error}") from None


def _read_cache(path: Path) -> dict[str, Roofline]:
    """The well-formed entries of the cache; a missing, unreadable, oversized, too deeply nested
    or foreign cache is an empty one, and a malformed entry is left out (and so measured again)."""
    try:
        entries = read_json(path, max_bytes=MAX_CACHE_BYTES)
    except (OSError, ValueError, OvguiError):
        return {}
    if not isinstance(entries, dict):
        return {}
    roofs = {}
    for key, value in entries.items():
        try:
            roofs[key] = Roofline.from_dict(value)
        except (SchemaError, TypeError, RecursionError):
            continue
    return roofs


def _write_cache(path: Path, entries: dict[str, Roofline]) -> None:
    """Best effort and atomic: a read-only or full cache folder costs a new measurement next
    time, never a half-written cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, json.dumps({key: asdict(roof) for key, roof in entries.items()}, indent=1))
    except (OSError, OvguiError):
        pass


def roofs_for_run(
    report: Report, cache_dir: Path | None = None, fresh: bool = False, keep_best: bool = False
) -> list[Roofline]:
    """The roofs a run's layers are judged against: at the run's inference precision, and at each
    other float precision its counted layers' kernels ran at (a bf16 run keeps some layers in f32,
    e.g. all of YOLOv8n's int8-quantised convolutions).  Requests the device compiles at the same
    precision (f16 as f32 on AVX2) give one roof, not two."""
    run_precision = report.compiled.inference_precision or (report.config.precision or "")
    ran_at = [
        layer.ran_precision for layer in report.layers
        if layer.flops and layer.executed and layer.ran_precision in FLOAT_PRECISIONS
    ]
    precisions = list(dict.fromkeys([run_precision, *ran_at]))
    threads = report.compiled.inference_num_threads
    roofs = measured_roofs(report.device.name, precisions, threads, cache_dir, fresh, keep_best)
    return list({roof.precision: roof for roof in reversed(roofs)}.values())[::-1]


def memory_roof_for(roof: Roofline, working_set_bytes: int) -> MemoryRoof | None:
    """The smallest level the working set fits (DRAM's capacity 0: any set); None for a report
    from before the levels were measured.

    A level's capacity is what the threads in use hold together (ovgui.core.bandwidth: a private
    L2 per core times the cores in use, a shared L3 once): the threads split a layer's work and
    with it the data each one touches, so a layer whose bytes fit the cores' L2s together can run
    from L2, and its bound is L2's bandwidth; a larger set cannot be held by any faster level, so
    the level it fits is the fastest it can be served from and its bandwidth an upper bound."""
    for memory in roof.memory_roofs:
        if memory.capacity_bytes == 0 or working_set_bytes <= memory.capacity_bytes:
            return memory
    return None


def attainable_gflops(layer: LayerStats, roofs: list[Roofline]) -> float | None:
    """min(compute roof at the precision the layer's kernel ran at, bandwidth of its level x its
    intensity).  A precision no compute roof was measured at (int8) is bounded by memory alone."""
    if not roofs or layer.gflops_per_s is None:
        return None
    compute = {roof.precision: roof for roof in roofs}.get(layer.ran_precision)
    memory_source = compute or roofs[0]
    intensity = layer.arithmetic_intensity
    bounds = [compute.gflops_per_s] if compute is not None else []
    if intensity:
        moved = (layer.bytes_read or 0) + (layer.bytes_written or 0)
        level = memory_roof_for(memory_source, moved)
        bandwidth = level.gbytes_per_s if level is not None else memory_source.gbytes_per_s
        if bandwidth:
            bounds.append(bandwidth * intensity)
    return min(bounds) if bounds else None


def slowest_consistent_gflops(gflops_per_s: float, time_ms: float, error_ms: float) -> float:
    """A layer's rate at the longest time its counters allow (its mean plus their rounding
    error): the rate it reached at least."""
    return gflops_per_s * time_ms / (time_ms + error_ms) if time_ms > 0 else gflops_per_s


def beats_roof(layer: LayerStats, error_ms: float) -> bool:
    """Above its roof beyond the uncertainty of its time (a 70 µs layer known to ±0.5 µs at
    +0.4 % is not)."""
    if layer.efficiency is None or layer.efficiency <= 1.0 or layer.gflops_per_s is None:
        return False
    bound = layer.gflops_per_s / layer.efficiency
    return slowest_consistent_gflops(layer.gflops_per_s, layer.real_time_ms, error_ms) > bound


@dataclass(frozen=True)
class Judgement:
    """A run's layers judged against roofs: each layer's efficiency (in the layers' order), the
    roofs with their notes (so a saved report's plot says them too) and the report's notes."""

    efficiencies: list[float | None]
    rooflines: list[Roofline]
    notes: list[str]

    def judged(self, layers: list[LayerStats]) -> list[LayerStats]:
        """Copies of `layers` with their efficiencies."""
        return [replace(layer, efficiency=efficiency) for layer, efficiency in zip(layers, self.efficiencies)]

    def apply_to(self, report: Report) -> None:
        """Judge a shown report again (the window's new roofs): its layers in place, so every view
        holding them sees the change, and the notes an earlier judgement left replaced."""
        for layer, efficiency in zip(report.layers, self.efficiencies):
            layer.efficiency = efficiency
        report.rooflines = self.rooflines
        report.notes = [*(note for note in report.notes if not _ours(note)), *self.notes]


def efficiencies(layers: list[LayerStats], roofs: list[Roofline]) -> list[float | None]:
    """Each layer's achieved GFLOP/s as a fraction of what its roofs allow it."""
    efficiencies: list[float | None] = []
    for layer in layers:
        bound = attainable_gflops(layer, roofs)
        efficiencies.append(layer.gflops_per_s / bound if bound and layer.gflops_per_s is not None else None)
    return efficiencies


def beyond_roofs(layers: list[LayerStats], roofs: list[Roofline], error_ms: float) -> list[LayerStats]:
    """The layers (judged copies) that beat their roofs beyond the uncertainty of their times."""
    judged = [replace(layer, efficiency=efficiency) for layer, efficiency in zip(layers, efficiencies(layers, roofs))]
    return [layer for layer in judged if beats_roof(layer, error_ms)]


def judge(report: Report, cache_dir: Path | None = None) -> Judgement:
    """Efficiencies against the roofs; a layer above its roof means the roofs are wrong (measured
    busy, or cached from another day): measure them again once (keeping the higher of each
    figure), and if a layer still beats them, say so on the roofs and in the notes instead of
    showing > 100 % silently.  Roofs that cannot be measured cost the run its efficiencies, with a
    note, never its other results."""
    try:
        roofs = roofs_for_run(report, cache_dir)
        if beyond_roofs(report.layers, roofs, report.profile.rounding_error_ms):
            roofs = roofs_for_run(report, cache_dir, fresh=True, keep_best=True)
    except OvguiError as error:
        return Judgement([None] * len(report.layers), [], [f"no roofline: {error}"])
    return judgement(report, roofs)


def judgement(report: Report, roofs: list[Roofline]) -> Judgement:
    """`report`'s layers against `roofs`, with the notes these roofs give (the report is only read)."""
    error_ms = report.profile.rounding_error_ms
    found = efficiencies(report.layers, roofs)
    judged = [replace(layer, efficiency=efficiency) for layer, efficiency in zip(report.layers, found)]
    above = [layer for layer in judged if beats_roof(layer, error_ms)]
    notes = []
    if above:
        worst = max(above, key=_efficiency)
        notes.append(
            f"{len(above)} layer(s) {ABOVE_ROOF}, also after measuring the roofs again "
            f"(worst: {worst.name} at {_efficiency(worst):.0%}): a roof or these layers' byte counts are wrong"
        )
    within = [layer for layer in judged if _efficiency(layer) > 1.0 and all(layer is not beaten for beaten in above)]
    if within:
        worst = max(within, key=_efficiency)
        notes.append(
            f"{len(within)} layer(s) at up to {_efficiency(worst):.1%} of their roofs, {WITHIN_TIMING} "
            f"(±{error_ms * 1000:.2f} µs a layer; worst: {worst.name})"
        )
    rooflines = [replace(roof, notes=[*_roof_notes(roof), *notes]) for roof in roofs]
    return Judgement(found, rooflines, notes)


def apply_roofs(report: Report, roofs: list[Roofline]) -> None:
    """Judge the report's layers against `roofs` measured again from the window."""
    judgement(report, roofs).apply_to(report)


def _efficiency(layer: LayerStats) -> float:
    return layer.efficiency if layer.efficiency is not None else 0.0


def _ours(note: str) -> bool:
    """Whether a note is one a judgement writes (and the next one replaces)."""
    return ABOVE_ROOF in note or WITHIN_TIMING in note


def _roof_notes(roof: Roofline) -> list[str]:
    """A roof's notes without an earlier judgement's, with whether it was measured busy."""
    kept = [note for note in roof.notes if not _ours(note) and note != busy_note(roof)]
    return [*kept, busy_note(roof)] if measured_busy(roof) else kept


def busy_note(roof: Roofline) -> str:
    load = "unknown" if roof.load_average is None else f"{roof.load_average:.2f}"
    return (f"roofs measured while the machine was busy (load average {load} on {roof.threads or usable_cores()} "
            "cores in use): they may be low, and are measured again once the machine is quiet")

"""What `ovgui-profile` does once its arguments are parsed: run, print, write files."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TypeVar

from ovgui.console import (
    ProgressPrinter,
    QuantizationPrinter,
    format_comparison,
    format_layer_deltas,
    format_summary,
    format_sweep,
)
from ovgui.core import event_stream, events
from ovgui.core.annotate import annotated_image, check_image_path, save_annotated_frames, save_image
from ovgui.core.blocking import call, exit_now
from ovgui.core.compare import Configured, compare_layers, load_variants, run_variants
from ovgui.core.devices import list_devices
from ovgui.core.errors import OvguiError, RunCancelled, error_text
from ovgui.core.files import write_text_atomic
from ovgui.core.graph import RuntimeGraph, graph_to_dot
from ovgui.core.imports import load_report
from ovgui.core.int8_comparison import run_int8_comparison
from ovgui.core.ladder import is_ladder, run_ladder
from ovgui.core.layer_causes import quantization_summary
from ovgui.core.logs import tell
from ovgui.core.outcome import RunOutcome
from ovgui.core.quantize import STOPPED, Quantization, QuantizeRequest, quantized_text
from ovgui.core.quantize_options import QuantizeOptions
from ovgui.core.remote.fleet import fleet_version_lines, has_targets, run_fleet
from ovgui.core.remote.run import RemoteRun
from ovgui.core.remote.target import DEFAULT_PYTHON, Target
from ovgui.core.report import SCHEMA_VERSION, Report, RunConfig
from ovgui.core.runner import ProfileRun, RunRequest
from ovgui.core.save_ir import check_ir_target, save_as_ir, saved_ir_text
from ovgui.core.sweep import SweepRun, chosen_run, run_sweep, summarise
from ovgui.core.sweep_options import BASELINE, compares_configurations, point_name
from ovgui.core.trace import save_trace

log = logging.getLogger(__name__)
EXIT_FAILED = 2
T = TypeVar("T")
"""A run or a comparison's configuration failed (the same code as a usage error, see `ovgui.cli`)."""
EXIT_SIGNAL_BASE = 128
"""A run stopped by a signal exits as the shell reports a process killed by it: 130 SIGINT, 143 SIGTERM."""


def list_devices_text() -> str:
    return "\n".join(f"{d.name:<8} {d.full_name}" for d in list_devices())


def check_writable(*paths: Path | None) -> None:
    """Fail before a long run rather than after it."""
    for path in paths:
        if path is not None and not path.parent.is_dir():
            raise OvguiError(f"cannot write {path}: folder {path.parent} does not exist")


def run_request(args: argparse.Namespace, config: RunConfig) -> RunRequest:
    return RunRequest(args.model, args.images[0], config, more_images=tuple(args.images[1:]))


def profile_to_files(args: argparse.Namespace, config: RunConfig) -> int:
    """One run; with ``--events jsonl`` its events and report as JSON lines on stdout (`event_stream`)."""
    if args.events == event_stream.FORMAT:
        return profile_to_event_stream(args, config)
    return one_run_to_files(args, config, ProgressPrinter(), events.LiveData())


def profile_to_event_stream(args: argparse.Namespace, config: RunConfig) -> int:
    """The run with its events as JSON lines on stdout and every human line on stderr.  When the
    reader goes away (an SSH connection dropped) the run stops as on Ctrl+C: nobody is watching."""
    live = events.LiveData()
    stop = partial(os.kill, os.getpid(), signal.SIGINT)
    with event_stream.EventWriter(sys.stdout, live, on_broken=stop) as writer, contextlib.redirect_stdout(sys.stderr):
        try:
            return one_run_to_files(args, config, writer, live, writer.report)
        except OvguiError as error:
            writer.error(str(error))
            raise


def one_run_to_files(args: argparse.Namespace, config: RunConfig, printer: ProgressPrinter | event_stream.EventWriter,
                     live: events.LiveData, on_report: Callable[[Report], None] = lambda _report: None) -> int:
    check_writable(args.json, args.csv, args.annotated, args.trace, args.per_image_csv, args.dot)
    if args.save_ir is not None:
        check_ir_target(args.model, args.save_ir)
    if args.annotated is not None:
        check_image_path(args.annotated)
    if args.annotated_dir is not None and not args.annotated_dir.is_dir():
        raise OvguiError(f"cannot write annotated frames: folder {args.annotated_dir} does not exist")
    run = one_run(args, run_request(args, config), printer, live)
    with Interrupts(run.cancel, lambda: run.partial, args.json) as interrupts:
        try:
            outcome = call(run.run)
        except RunCancelled:
            if interrupts.number is None:
                raise
            tell(log, f"error: {interrupts.name}: run stopped before the first inference")
            return interrupts.exit_code
        finally:
            run.release()
    printer.finish()
    report = outcome.report
    on_report(report)
    if not args.quiet:
        print(format_summary(report), end="")
    write_outputs(report, args.json, args.csv, args.annotated)
    write_set_outputs(report, args.per_image_csv, args.annotated_dir)
    if args.trace:
        save_trace(report, args.trace)
    if args.dot:
        write_dot(outcome.graph, args.dot)
    if args.save_ir is not None and interrupts.number is None:
        saved = save_as_ir(args.model, args.save_ir, args.fp16_compression)
        if not args.quiet:
            print(saved_ir_text(saved))
    return 0 if report.completed and interrupts.number is None else interrupts.exit_code


def one_run(args: argparse.Namespace, request: RunRequest, printer: events.EventCallback,
            live: events.LiveData) -> ProfileRun | RemoteRun:
    """A run here, or with ``--target HOST`` on that host (`ovgui.core.remote`), which works alike."""
    if not args.target:
        return ProfileRun(request, printer, live)
    return RemoteRun(request, target_of(args, args.target), printer, live)


def target_of(args: argparse.Namespace, name: str) -> Target:
    return Target(name, args.ssh_config, args.target_python or DEFAULT_PYTHON)


class Interrupts:
    """Ctrl+C (or a SIGTERM) stops the run between its steps, so the figures so far still print and
    are written; a second one ends the process at once, writing the partial report it has to the
    `--json` file, with the shell's code (128 + the signal's number).

    The run works on another thread (`blocking.call`) while this one waits in short slices, so
    the handlers run at once whatever the run is inside, a C++ call included."""

    def __init__(self, cancel: Callable[[], None], partial: Callable[[], Report | None] = lambda: None,
                 json_path: Path | None = None):
        self._cancel = cancel
        self._partial = partial
        self._json_path = json_path
        self._previous: dict[int, object] = {}
        self.number: int | None = None

    @property
    def name(self) -> str:
        return signal.Signals(self.number).name if self.number is not None else ""

    @property
    def exit_code(self) -> int:
        return EXIT_SIGNAL_BASE + (self.number or signal.SIGINT)

    def __enter__(self) -> Interrupts:
        self._previous = {number: signal.signal(number, self._received) for number in (signal.SIGINT, signal.SIGTERM)}
        return self

    def __exit__(self, *_exc) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)

    def _received(self, number: int, _frame) -> None:
        if self.number is None:
            self.number = number
            tell(log, f"note: {signal.Signals(number).name}: stopping; a second one ends ovgui-profile at once")
            self._cancel()
            return
        tell(log, f"error: {signal.Signals(number).name} again: stopped at once{self._write_partial()}")
        exit_now(EXIT_SIGNAL_BASE + number)

    def _write_partial(self) -> str:
        """The report as it stood (the timings, before decoding), marked incomplete; never a half-written file."""
        report = self._partial()
        if report is None or self._json_path is None:
            return "; no report was written"
        report.completed = False
        try:
            report.save_json(self._json_path)
        except (OSError, ValueError, OvguiError) as error:
            return f"; the partial report could not be written: {error}"
        return f"; the partial report is in {self._json_path}"


def compare_to_files(args: argparse.Namespace, config: RunConfig) -> int:
    """`--compare ladder` runs the latency ladder (`ovgui.core.ladder`), anything else names a
    configurations file (``./ladder`` a file of that name)."""
    if is_ladder(args.compare):
        return comparison_to_files(args, config, run_ladder)
    variants = [replace(variant, target=variant.target or args.target or "",
                        target_python=variant.target_python or args.target_python or "")
                for variant in load_variants(args.compare)]
    if has_targets(variants):
        return comparison_to_files(args, config, partial(run_fleet, variants=variants, ssh_config=args.ssh_config))
    return comparison_to_files(args, config, partial(run_variants, variants=variants))


def interruptible(work: Callable[[], T], stop: Callable[[], None]) -> tuple[T | None, Interrupts]:
    """`work`'s result with Ctrl+C (or a SIGTERM) calling `stop`; None, its `error:` line said,
    when a signal stopped it before it returned anything."""
    with Interrupts(stop) as interrupts:
        try:
            return call(work), interrupts
        except RunCancelled as stopped:
            if interrupts.number is None:
                raise
            tell(log, f"error: {interrupts.name}: {stopped}")
            return None, interrupts


def comparison_to_files(args: argparse.Namespace, config: RunConfig, comparison: Callable[..., Iterable[Configured]],
                        layers: bool = False) -> int:
    """Each configuration of `comparison` in turn on the IMAGE, the table printed and the comparison
    written to --json; with `layers`, the first and the last configuration layer by layer too."""
    check_writable(args.json)
    printer = ProgressPrinter()
    cancel = threading.Event()
    results, interrupts = interruptible(lambda: list(comparison(run_request(args, config),
                                                                on_event=lambda _name, event: printer(event),
                                                                cancel=cancel)), cancel.set)
    if results is None:
        return interrupts.exit_code
    printer.finish()
    print(format_comparison(results), end="")
    for line in fleet_version_lines([outcome.report for _name, outcome in results if isinstance(outcome, RunOutcome)]):
        print(line)
    if layers:
        print_layer_deltas(results)
    if args.json:
        write_text_atomic(args.json, json.dumps({"schema_version": SCHEMA_VERSION, "comparison": comparison_entries(results)},
                                                indent=1, allow_nan=False))
    return comparison_exit_code(results, interrupts)


def quantize_to_files(args: argparse.Namespace, config: RunConfig, options: QuantizeOptions) -> int:
    """Quantize MODEL into the --save-ir IR; given an IMAGE, then profile MODEL and the INT8 IR on it
    with the same settings, side by side, as a comparison of two configurations does.  Ctrl+C ends
    the quantizing process at once and leaves no file behind."""
    check_writable(args.json)
    printer = QuantizationPrinter()
    quantization = Quantization(QuantizeRequest(args.model, args.quantize, args.save_ir, options, config,
                                                args.fp16_compression))
    with Interrupts(quantization.stop) as interrupts:
        try:
            quantized = call(lambda: quantization.run(printer))
        except RunCancelled:
            if interrupts.number is None:
                raise
            printer.finish()
            tell(log, f"error: {interrupts.name}: {STOPPED}")
            return interrupts.exit_code
    printer.finish()
    if not args.quiet:
        print(quantized_text(quantized))
    if not args.images:
        if not args.quiet:
            print(f"not profiled (no IMAGE given); to see both side by side: "
                  f"ovgui-profile {args.model} IMAGE --quantize {args.quantize} --save-ir {args.save_ir}")
        return 0
    if not args.quiet:
        print(f"Profiling {Path(args.model).name} and its INT8 copy on {' '.join(args.images)} with the same settings:")
    comparison = partial(run_int8_comparison, source=args.model, int8=quantized.xml, with_fp16=args.with_fp16_ir)
    return comparison_to_files(args, config, comparison, layers=True)


def print_layer_deltas(results: list[Configured]) -> None:
    """The first configuration that ran (A) against the last (B), layer by layer."""
    reports = [outcome.report for _name, outcome in results if isinstance(outcome, RunOutcome)]
    if len(reports) > 1 and reports[0].layers and reports[-1].layers:
        print(format_layer_deltas(compare_layers(reports[0], reports[-1]), summary=quantization_summary(reports[0], reports[-1])),
              end="")


def sweep_to_files(args: argparse.Namespace, config: RunConfig, points: list[dict], repeats: int) -> int:
    """Every point of the sweep, `repeats` times, a line on stderr as each run ends; then the table,
    the best point in words, and --json: the best point's last report, holding every point."""
    check_writable(args.json)
    printer = ProgressPrinter()
    seen: set[str] = set()

    def once(_name: str, event: events.Event) -> None:
        """A note said by every run of every point is said once."""
        if not isinstance(event, events.Note) or event.text not in seen:
            seen.add(getattr(event, "text", ""))
            printer(event)

    cancel = threading.Event()
    total = (len(points) + compares_configurations(points)) * repeats
    sweep_runs = partial(run_sweep, run_request(args, config), points, repeats, once, cancel)
    runs, interrupts = interruptible(lambda: list(sweep_progress(sweep_runs(), points, total)), cancel.set)
    if runs is None:
        return interrupts.exit_code
    printer.finish()
    sweep = summarise(points, runs, config.latency_percentile, args.latency_budget_ms, repeats)
    print(format_sweep(sweep), end="")
    if args.json:
        chosen = chosen_run(sweep, runs)
        if chosen is not None:
            chosen.outcome.report.sweep = sweep
            chosen.outcome.report.save_json(args.json)
    failed = [point for point in sweep.points if point.error]
    for point in failed:
        tell(log, error_text(f"sweep point '{point.name}': {point.error}"))
    if interrupts.number is not None:
        return interrupts.exit_code
    return EXIT_FAILED if failed else 0


def sweep_progress(runs: Iterable[SweepRun], points: list[dict], total: int) -> Iterator[SweepRun]:
    """Each run as it ends, with its line on stderr: which run of how many, and what it measured."""
    for done, run in enumerate(runs, start=1):
        name = BASELINE if run.point < 0 else point_name(points[run.point])
        outcome = run.outcome
        measured = (f"{outcome.report.throughput_fps:.1f} FPS, median {outcome.report.latency_ms.median:.2f} ms"
                    if isinstance(outcome, RunOutcome) else f"failed: {outcome}")
        tell(log, f"sweep {done}/{total}: {name} (repeat {run.repeat + 1}): {measured}")
        yield run


def comparison_entries(results: list[Configured]) -> list[dict]:
    """Each configuration as the comparison's JSON file has it: a failed one has its error and no report."""
    return [{"name": name, "error": "", "report": outcome.report.to_json_dict()} if isinstance(outcome, RunOutcome)
            else {"name": name, "error": outcome, "report": None} for name, outcome in results]


def comparison_exit_code(results: list[Configured], interrupts: Interrupts) -> int:
    """Each configuration that failed gets its `error:` line on stderr (the others were run and
    written); a signal's code wins over a failure's, because the run was not finished."""
    failed = [(name, error) for name, error in results if isinstance(error, str)]
    for name, error in failed:
        tell(log, error_text(f"configuration '{name}': {error}"))
    if interrupts.number is not None:
        return interrupts.exit_code
    return EXIT_FAILED if failed else 0


def diff_reports(path_a: Path, path_b: Path) -> int:
    reports = [load_report(path_a), load_report(path_b)]
    for path, report in zip((path_a, path_b), reports):
        if report.from_newer_ovgui:
            tell(log, f"warning: {path.name}: {report.notes[0]}")
    print(format_layer_deltas(compare_layers(*reports), summary=quantization_summary(*reports)), end="")
    return 0


def write_dot(graph: RuntimeGraph | None, path: Path) -> None:
    if graph is None:
        raise OvguiError(f"cannot write {path}: the executed graph is known only for OpenVINO runs")
    write_text_atomic(path, graph_to_dot(graph))


def write_outputs(report: Report, json_path: Path | None, csv_path: Path | None, png_path: Path | None) -> None:
    if json_path:
        report.save_json(json_path)
    if csv_path:
        write_text_atomic(csv_path, report.layers_csv())
    if png_path:
        save_image(annotated_image(report), png_path)


def write_set_outputs(report: Report, csv_path: Path | None, folder: Path | None) -> None:
    """The per-image CSV and annotated frames: asked for a single image, they say why not."""
    if (csv_path or folder) and report.frame_set is None:
        raise OvguiError("--per-image-csv and --annotated-dir need a set of images or a video")
    if csv_path:
        write_text_atomic(csv_path, report.per_image_csv())
    if folder:
        save_annotated_frames(report, folder)


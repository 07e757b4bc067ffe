"""What `ovgui-profile` does once its arguments are parsed: run, print, write files."""

from __future__ import annotations

import argparse
import signal
from pathlib import Path

from ovgui.console import ProgressPrinter, format_summary
from ovgui.core.annotate import draw_classes, draw_detections, save_png
from ovgui.core.devices import list_devices
from ovgui.core.errors import OvguiError
from ovgui.core.image import load_image
from ovgui.core.report import Report, RunConfig
from ovgui.core.runner import ProfileRun, RunRequest


def list_devices_text() -> str:
    return "\n".join(f"{d.name:<8} {d.full_name}" for d in list_devices())


def check_writable(*paths: Path | None) -> None:
    """Fail before a long run rather than after it."""
    for path in paths:
        if path is not None and not path.parent.is_dir():
            raise OvguiError(f"cannot write {path}: folder {path.parent} does not exist")


def profile_to_files(args: argparse.Namespace, config: RunConfig) -> int:
    check_writable(args.json, args.csv, args.annotated)
    printer = ProgressPrinter()
    run = ProfileRun(RunRequest(args.model, args.image, config), printer)
    previous = signal.signal(signal.SIGINT, lambda *_: run.cancel())
    try:
        report = run.run()
    finally:
        signal.signal(signal.SIGINT, previous)
        printer.finish()
    if not args.quiet:
        print(format_summary(report), end="")
    write_outputs(report, args.json, args.csv, args.annotated)
    return 0 if report.completed else 130


def write_outputs(report: Report, json_path: Path | None, csv_path: Path | None, png_path: Path | None) -> None:
    try:
        if json_path:
            report.save_json(json_path)
        if csv_path:
            csv_path.write_text(report.layers_csv(), encoding="utf-8")
    except OSError as error:
        raise OvguiError(f"cannot write {error.filename}: {error.strerror}") from None
    if png_path:
        save_png(annotated_image(report), png_path)


def annotated_image(report: Report):
    bgr = load_image(report.image.path).bgr
    return draw_classes(bgr, report.classes) if report.classes else draw_detections(bgr, report.detections)

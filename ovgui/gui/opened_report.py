"""A report opened from a file: read, and its image found, off the GUI thread, so the window changes
only once everything about it is known."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ovgui.core.files import path_exists, path_problem
from ovgui.core.formatting import format_ms, layers_vs_latency_text, preprocess_text
from ovgui.core.imports import load_report
from ovgui.core.inputs import report_input
from ovgui.core.report import Report
from ovgui.gui.exports import annotated_copy


def report_summary(report: Report) -> str:
    """The status line after a run: iterations, median, what the latency covers, layers sum vs mean latency."""
    lat = report.latency_ms
    parts = [
        f"{lat.iterations} iterations, median {format_ms(lat.median)} ms",
        preprocess_text(report.preprocess.mode),
        layers_vs_latency_text(report.profile),
    ]
    return " · ".join(part for part in parts if part)


def measured_when(report: Report, saved_at: float | None) -> str:
    """When an opened report was measured: its own timestamp, or, for a report written before
    ovgui kept one, the file's modification time, said to be that."""
    if report.environment.measured_at:
        when = datetime.fromisoformat(report.environment.measured_at).astimezone()
        return f"measured {when:%Y-%m-%d %H:%M}"
    if saved_at is not None:
        return f"file saved {datetime.fromtimestamp(saved_at):%Y-%m-%d %H:%M} (the report holds no measurement time)"
    return "measured at a time the report does not hold"


@dataclass(frozen=True)
class OpenedReport:
    """A saved report and the image to show with it: all the window needs, decided before it changes."""

    name: str
    report: Report
    image_path: str
    message: str
    when: str
    is_annotated_copy: bool = False

    def banner_text(self) -> str:
        cpu = self.report.environment.cpu or "an unrecorded CPU"
        return (f"Showing report {self.name}, {self.when} on {self.report.device.name} ({cpu}) — not a run of "
                f"this session. Run (F5) measures again.")


def open_saved_report(path: str) -> OpenedReport:
    """The report, and its image if still there, else the annotated copy saved beside it.

    Runs on a background job; every path is checked without raising (a path too long for the
    system or unreadable is a reason in the status line, not a traceback)."""
    report = load_report(path)
    name = Path(path).name
    when = measured_when(report, modified_time(path))
    copy = annotated_copy(Path(path))
    given = report_input(report) if report.image else ""
    problem = path_problem(given) if given else "not found"
    if problem is None:
        return OpenedReport(name, report, given, f"Opened report {name}: {report_summary(report)}", when)
    if path_exists(copy):
        return OpenedReport(name, report, str(copy), f"Opened report {name}; the image is the annotated copy saved with it",
                            when, True)
    what = "images are" if report.frame_set else "image is"
    gone = "gone" if problem == "not found" else f"unreadable ({problem})"
    return OpenedReport(name, report, "", f"Opened report {name}; its {what} {gone}", when)


def modified_time(path: str) -> float | None:
    try:
        return Path(path).stat().st_mtime
    except OSError:
        return None

"""A run's events as JSON lines (`ovgui-profile … --events jsonl`), and those lines back as events.

A run on another machine (`ovgui.core.remote`) is watched through its stdout: each event of
`ovgui.core.events` is one line, and what a local run puts in `LiveData` for pollers (each
iteration's latency, memory samples, layer snapshots, the first inference's time) is sent as it
accumulates, a batch per line about four times a second (never a line per iteration: a fast model
does thousands a second).  The last line is the report, as ``--json`` writes it.  `StreamReader`
turns the lines back into the same event objects and fills a `LiveData`, so a remote run feeds
the printer and the window's live views exactly as a local one does.

Each line is an object with a ``"type"``: an event's class name (``PhaseStarted``, ``Progress``…)
with its fields, or one of ``latencies`` (``ms``: a list), ``first_inference`` (``ms``),
``memory`` (``samples``: [[t_s, rss_mib], …], on the run's clock, as its phase events are),
``phase_marks`` (``marks``: [[phase, t_s], …], where the memory chart draws each phase's start),
``layers`` (``layers``: `LayerStats` objects, a whole snapshot), ``error`` (``text``, the one
line the run ended with) and ``report`` (``report``).  Once the latency history is sampled
(`LiveData.sampled`, past 100,000 iterations) no more latencies are sent: the report holds the
run's exact figures and its sample.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TextIO, get_args

from ovgui.core import events
from ovgui.core.report import LayerStats, Report
from ovgui.core.schema import SchemaError, decode

FORMAT = "jsonl"
PUMP_INTERVAL_S = 0.25
EVENT_TYPES: dict[str, type] = {kind.__name__: kind for kind in get_args(events.Event)}


@dataclass(frozen=True)
class Latencies:
    ms: list[float]


@dataclass(frozen=True)
class FirstInference:
    ms: float


@dataclass(frozen=True)
class MemorySamples:
    samples: list[list[float]]


@dataclass(frozen=True)
class PhaseMarks:
    marks: list[tuple[str, float]]


@dataclass(frozen=True)
class LayerSnapshot:
    layers: list[LayerStats]


@dataclass(frozen=True)
class StreamError:
    text: str


@dataclass(frozen=True)
class FinalReport:
    report: Report


Item = events.Event | Latencies | FirstInference | MemorySamples | PhaseMarks | LayerSnapshot | StreamError | FinalReport
DATA_TYPES: dict[str, type] = {"latencies": Latencies, "first_inference": FirstInference, "memory": MemorySamples,
                               "phase_marks": PhaseMarks, "layers": LayerSnapshot, "error": StreamError}


def to_line(item: Item) -> str:
    """One item as one line of JSON (no newline inside: JSON escapes them)."""
    if isinstance(item, FinalReport):
        return json.dumps({"type": "report", "report": item.report.to_json_dict()}, allow_nan=False)
    name = next((key for key, kind in DATA_TYPES.items() if isinstance(item, kind)), type(item).__name__)
    return json.dumps({"type": name, **asdict(item)}, allow_nan=False)


class StreamLineError(ValueError):
    """A line that is not one of the stream's, with why."""


def parse_line(line: str) -> Item:
    """The item a line holds, checked against its dataclass; `StreamLineError` names what is wrong."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise StreamLineError(f"not JSON: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise StreamLineError("not an object with a type")
    name = data.pop("type")
    try:
        if name == "report":
            return FinalReport(Report.from_dict(data.get("report")))  # type: ignore[arg-type]
        kind = EVENT_TYPES.get(name) or DATA_TYPES.get(name)
        if kind is None:
            raise StreamLineError(f"unknown type {name!r}")
        return decode(kind, data, name)
    except SchemaError as error:
        raise StreamLineError(str(error)) from None


class EventWriter:
    """The run's event callback and a thread that sends what `live` gathers, as JSON lines on `stream`.

    Use as a context manager around the run.  Writing is locked (events come from the run's
    threads, batches from the pump).  When the stream breaks (the reader is gone: an SSH
    connection dropped), `on_broken` is called once, so the run can stop rather than measure for
    nobody; later writes are dropped."""

    def __init__(self, stream: TextIO, live: events.LiveData, on_broken: Callable[[], None] = lambda: None,
                 interval_s: float = PUMP_INTERVAL_S):
        self._stream = stream
        self._live = live
        self._on_broken = on_broken
        self._interval_s = interval_s
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._pump_loop, name="ovgui-event-stream", daemon=True)
        self._sent = _Sent()
        self.broken = False

    def __enter__(self) -> EventWriter:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.pump()

    def __call__(self, event: events.Event) -> None:
        """Everything gathered so far first: a phase's end follows the latencies measured in it."""
        with self._lock:
            self._pump_locked()
            self._write(event)

    def finish(self) -> None:
        """As `ProgressPrinter.finish`: what is gathered is sent."""
        self.pump()

    def report(self, report: Report) -> None:
        with self._lock:
            self._pump_locked()
            self._write(FinalReport(report))

    def error(self, text: str) -> None:
        with self._lock:
            self._write(StreamError(text))

    def pump(self) -> None:
        with self._lock:
            self._pump_locked()

    def _pump_loop(self) -> None:
        while not self._stop.wait(self._interval_s):
            self.pump()

    def _pump_locked(self) -> None:
        live, sent = self._live, self._sent
        if live.first_inference_ms is not None and not sent.first_inference:
            sent.first_inference = True
            self._write(FirstInference(live.first_inference_ms))
        if not live.sampled and len(live.latencies_ms) > sent.latencies:
            new = live.latencies_ms[sent.latencies:]
            sent.latencies += len(new)
            self._write(Latencies(new))
        if len(live.memory_samples) > sent.memory:
            samples = live.memory_samples[sent.memory:]
            sent.memory += len(samples)
            self._write(MemorySamples([[t_s, rss] for t_s, rss in samples]))
        if len(live.phase_marks) > sent.phase_marks:
            marks = live.phase_marks[sent.phase_marks:]
            sent.phase_marks += len(marks)
            self._write(PhaseMarks(marks))
        if live.layers_version != sent.layers_version:
            sent.layers_version = live.layers_version
            self._write(LayerSnapshot(list(live.layers)))

    def _write(self, item: Item) -> None:
        if self.broken:
            return
        try:
            self._stream.write(to_line(item) + "\n")
            self._stream.flush()
        except (OSError, ValueError):  # a closed pipe; ValueError: a closed file object
            self.broken = True
            self._on_broken()


@dataclass
class _Sent:
    """How much of each `LiveData` buffer has been written."""

    latencies: int = 0
    memory: int = 0
    phase_marks: int = 0
    layers_version: int = 0
    first_inference: bool = False


@dataclass
class StreamReader:
    """Lines of a run's stream, fed in order, into the events and live data a local run gives.

    `on_event` receives each event of `ovgui.core.events` (a line that is not the stream's
    becomes a `Note` quoting it: a target's stray print is shown, not lost); `live` fills as a
    local run's would.  `report` is the final report once its line came,
    `error` the line the run ended with, `phases` the timings of the phases finished."""

    on_event: events.EventCallback = events.ignore_event
    live: events.LiveData = field(default_factory=events.LiveData)
    report: Report | None = None
    error: str = ""
    phases: dict[str, float] = field(default_factory=dict)

    def feed(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        try:
            item = parse_line(line)
        except StreamLineError:
            self.on_event(events.Note(f"the target printed: {line[:200]}"))
            return
        self._apply(item)

    def _apply(self, item: Item) -> None:
        live = self.live
        if isinstance(item, Latencies):
            for latency_ms in item.ms:
                live.add_iteration(latency_ms)
        elif isinstance(item, FirstInference):
            live.first_inference_ms = item.ms
        elif isinstance(item, MemorySamples):
            live.memory_samples.extend((t_s, rss) for t_s, rss in item.samples)
        elif isinstance(item, PhaseMarks):
            live.phase_marks.extend(item.marks)
        elif isinstance(item, LayerSnapshot):
            live.publish_layers(item.layers)
        elif isinstance(item, StreamError):
            self.error = item.text
        elif isinstance(item, FinalReport):
            self.report = item.report
        else:
            if isinstance(item, events.PhaseFinished):
                self.phases[item.name] = item.duration_ms
            self.on_event(item)

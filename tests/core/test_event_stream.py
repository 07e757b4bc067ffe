"""The JSON-lines event stream (`--events jsonl`): a run's events and live data written as lines
and read back into the same objects, and the command's stdout holding nothing else."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from shared_data import image_path, model_path

from ovgui.core import events
from ovgui.core.event_stream import (
    EventWriter,
    FinalReport,
    Latencies,
    StreamError,
    StreamLineError,
    StreamReader,
    parse_line,
    to_line,
)
from ovgui.core.report import RunConfig
from ovgui.core.runner import ProfileRun, RunRequest

ROOT = Path(__file__).resolve().parents[2]
PROFILE = [sys.executable, "-c", "import sys; from ovgui.cli import profile_main; sys.exit(profile_main())"]


@pytest.mark.parametrize("item", [
    events.PhaseStarted("compile", 0.5),
    events.PhaseFinished("compile", 1.5, 1000.0),
    events.Progress(7, 0.35, 1.25, 5.6),
    events.Note("a note with \"quotes\" and a\nnewline"),
    Latencies([1.5, 2.25]),
    StreamError("model not found: x.xml"),
])
def test_each_item_comes_back_as_it_went(item):
    line = to_line(item)
    assert "\n" not in line
    assert parse_line(line) == item


@pytest.mark.parametrize("line, problem", [
    ("not json", "not JSON"),
    ("[1, 2]", "not an object with a type"),
    ('{"type": "Explosion"}', "unknown type 'Explosion'"),
    ('{"type": "Progress", "iterations_done": "many", "fraction": 0, "elapsed_s": 0, "fps": 0}', "Progress.iterations_done"),
])
def test_a_line_that_is_not_the_streams_says_why(line, problem):
    with pytest.raises(StreamLineError, match=problem):
        parse_line(line)


def test_a_run_read_back_from_its_lines_is_the_run(tmp_path):
    """A real run writes its stream; the reader's events, live data and report equal the run's own.
    It runs 1.3 s: the live layer table is published once a second of steady state."""
    stream = io.StringIO()
    sent_live = events.LiveData()
    sent: list[events.Event] = []
    request = RunRequest(str(model_path("squeezenet")), str(image_path("dog.jpg")), RunConfig(iterations=None, duration_s=1.3))
    with EventWriter(stream, sent_live) as writer:
        run = ProfileRun(request, lambda event: (sent.append(event), writer(event)), sent_live)
        try:
            outcome = run.run()
        finally:
            run.release()
        writer.report(outcome.report)
    received: list[events.Event] = []
    reader = StreamReader(received.append)
    for line in stream.getvalue().splitlines():
        reader.feed(line)
    live = reader.live
    assert received == sent
    assert live.latencies_ms == sent_live.latencies_ms and len(live.latencies_ms) == outcome.report.latency_ms.count
    assert live.memory_samples == sent_live.memory_samples
    assert live.phase_marks == sent_live.phase_marks
    assert live.first_inference_ms == sent_live.first_inference_ms
    assert live.layers == sent_live.layers and live.layers
    assert reader.report is not None
    assert reader.report.to_json_dict() == outcome.report.to_json_dict()
    assert reader.phases["compile"] == outcome.report.timings_ms.compile


def test_a_stray_line_is_shown_as_a_note():
    notes: list[events.Event] = []
    reader = StreamReader(notes.append)
    reader.feed("Segmentation fault (core dumped)")
    assert notes == [events.Note("the target printed: Segmentation fault (core dumped)")]


def test_a_broken_stream_calls_on_broken_once():
    class Closed(io.StringIO):
        def write(self, _text):
            raise BrokenPipeError(32, "Broken pipe")

    calls = []
    writer = EventWriter(Closed(), events.LiveData(), on_broken=lambda: calls.append(1))
    writer(events.Note("one"))
    writer(events.Note("two"))
    assert writer.broken and calls == [1]


def test_the_command_writes_only_json_lines_on_stdout_the_report_last(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([*PROFILE, str(model_path("squeezenet")), str(image_path("dog.jpg")), "-n", "8", "--events", "jsonl"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines[-1]["type"] == "report" and lines[-1]["report"]["latency_ms"]["count"] == 8
    assert sum(len(line["ms"]) for line in lines if line["type"] == "latencies") == 8
    kinds = {line["type"] for line in lines}
    assert {"PhaseStarted", "PhaseFinished", "Progress", "memory", "phase_marks", "first_inference"} <= kinds
    assert "Latency" in done.stderr
    assert isinstance(parse_line(done.stdout.splitlines()[-1]), FinalReport)


def test_a_failed_run_ends_its_stream_with_the_error(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([*PROFILE, str(tmp_path / "missing.xml"), str(image_path("dog.jpg")), "--events", "jsonl"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2
    last = parse_line(done.stdout.splitlines()[-1])
    assert isinstance(last, StreamError) and "missing.xml" in last.text
    assert done.stderr.startswith("error: ")

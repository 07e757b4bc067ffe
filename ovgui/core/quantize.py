"""INT8 quantization with NNCF (post-training quantization): a model and a folder of calibration
images in, an INT8 OpenVINO IR out.

The work runs in a child process (`ovgui.core.quantize_worker`): NNCF has no cancel hook, and a
Stop must end it at once, so `Quantization.stop` kills the process.  Its answers (progress, notes,
the result) come back line by line; everything else it prints (NNCF's log and progress bars,
OpenVINO's warnings) goes to ovgui's log, never to the floor.  The child writes the IR under a
temporary name beside the target, and this process renames it over the target only once the
child has answered that it is complete: a Stop, a crash or a full disk leaves no half-written
model and no temporary file (and a child whose parent died removes its own, see
`ovgui.core.quantize_worker`).

Calibration sees what inference sees: each image is preprocessed as a run preprocesses a set
(`ovgui.core.calibration`), with the run settings given.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import ovgui
from ovgui.core import events
from ovgui.core.errors import OvguiError, RunCancelled
from ovgui.core.model import check_model_path
from ovgui.core.quantize_options import INSTALL_NNCF, QuantizeOptions
from ovgui.core.report import RunConfig
from ovgui.core.save_ir import check_ir_target

log = logging.getLogger(__name__)
STOPPED = "quantization stopped; nothing was written"
TEMPORARY_SUFFIX = ".ovgui-tmp"
OWN_GROUP = hasattr(os, "killpg")
"""Whether the child is started as the leader of a process group of its own (POSIX), so a Stop ends what it forked too."""
KEPT_LINES = 20
"""The child's last lines of output kept for the message when it dies without an answer."""
PHASES = {
    "start": "starting NNCF",
    "read": "reading the model and the calibration images",
    "calibrate": "calibrating",
    "save": "writing the INT8 IR",
}


@dataclass(frozen=True)
class QuantizeRequest:
    """Quantize `model_path` with the images of `calibration` (a folder or a glob), preprocessed as
    `config` says, into the IR `out` (an .xml; weights that stay in floating point in FP16 unless
    `compress_to_fp16` is off)."""

    model_path: str
    calibration: str
    out: Path
    options: QuantizeOptions = QuantizeOptions()
    config: RunConfig = field(default_factory=RunConfig)
    compress_to_fp16: bool = True


@dataclass(frozen=True)
class QuantizeProgress:
    """Where the quantization is: its phase, and while calibrating the images fed to NNCF so far.
    Should NNCF go over the images again (another statistics pass), `fed` passes `of`."""

    phase: str
    fed: int = 0
    of: int = 0

    @property
    def pass_number(self) -> int:
        return (self.fed - 1) // self.of + 1 if self.fed and self.of else 1

    @property
    def fraction(self) -> float | None:
        """Of the current pass over the calibration images; None outside calibration (no measure of it)."""
        if self.phase != "calibrate" or not self.of:
            return None
        return (self.fed - (self.pass_number - 1) * self.of) / self.of

    def text(self) -> str:
        if self.phase != "calibrate":
            return f"{PHASES[self.phase]}…"
        done = self.fed - (self.pass_number - 1) * self.of
        step = f"calibration pass {self.pass_number}: {done} of {self.of} images"
        return f"{step}; NNCF computes and applies the ranges…" if done == self.of else step


QuantizeEvent = QuantizeProgress | events.Note


def ignore_event(_event: QuantizeEvent) -> None:
    """The default `on_event`: nobody is watching."""


@dataclass(frozen=True)
class QuantizedIr:
    """The INT8 IR written (`xml`, its .bin beside it) from `source`, and how it was made.
    `fake_quantize` counts the quantization nodes NNCF inserted; the times are the child's own."""

    source: str
    xml: Path
    calibration: str
    images: int
    fake_quantize: int
    options: QuantizeOptions
    total_s: float
    quantize_s: float
    notes: tuple[str, ...] = ()

    @property
    def size_bytes(self) -> int:
        return sum(path.stat().st_size for path in (self.xml, self.xml.with_suffix(".bin")) if path.is_file())


def nncf_missing() -> str | None:
    """The line saying how to install NNCF, or None when it is there (found, not imported)."""
    if importlib.util.find_spec("nncf") is None:
        return f"NNCF is not installed; install it with {INSTALL_NNCF}"
    return None


class Quantization:
    """One quantization; `stop()` may be called from any thread and ends it at once."""

    def __init__(self, request: QuantizeRequest):
        self.request = request
        self._process: subprocess.Popen | None = None
        self._stopped = threading.Event()
        self._lock = threading.Lock()

    def stop(self) -> None:
        with self._lock:
            self._stopped.set()
            if self._process is not None:
                end_group(self._process)

    def run(self, on_event: Callable[[QuantizeEvent], None] = ignore_event) -> QuantizedIr:
        """The INT8 IR, or `RunCancelled` when stopped, or the `OvguiError` line saying why not."""
        request = self.request
        missing = nncf_missing()
        if missing:
            raise OvguiError(missing)
        out = check_ir_target(request.model_path, request.out)
        check_model_path(request.model_path)
        options = request.options.checked()
        log.info("quantize: %s with %s into %s (%s)", request.model_path, request.calibration, out, options.describe())
        temporary = out.with_name(f".{out.stem}.{secrets.token_hex(6)}{TEMPORARY_SUFFIX}.xml")
        started = time.perf_counter()
        try:
            done = self._run_child(self._payload(temporary), temporary, out, on_event)
        finally:
            for path in (temporary, temporary.with_suffix(".bin")):
                path.unlink(missing_ok=True)
        quantized = QuantizedIr(request.model_path, out, request.calibration, done["images"], done["fake_quantize"],
                                options, time.perf_counter() - started, done["quantize_s"], tuple(done["notes"]))
        log.info("quantize: %s", quantized_text(quantized))
        return quantized

    def _payload(self, temporary: Path) -> dict[str, Any]:
        request = self.request
        return {"model": str(request.model_path), "calibration": request.calibration, "temporary": str(temporary),
                "options": request.options.to_json(), "config": asdict(request.config),
                "compress_to_fp16": request.compress_to_fp16}

    def _run_child(self, payload: dict[str, Any], temporary: Path, out: Path,
                   on_event: Callable[[QuantizeEvent], None]) -> dict[str, Any]:
        """The child's `done` answer, the IR renamed to `out` before the child is let go; its error
        line, or a line saying how it died, as an `OvguiError`.  A Stop wins until the IR is renamed."""
        on_event(QuantizeProgress("start"))
        with self._lock:
            if self._stopped.is_set():
                raise RunCancelled(STOPPED)
            process = self._process = subprocess.Popen(
                [sys.executable, "-m", "ovgui.core.quantize_worker", json.dumps(payload)], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8", errors="replace", env=child_env(),
                start_new_session=OWN_GROUP,
            )
        assert process.stdin is not None and process.stdout is not None and process.stderr is not None
        last_lines: deque[str] = deque(maxlen=KEPT_LINES)
        logger = threading.Thread(target=log_lines, args=(process.stderr, last_lines), name="ovgui-quantize-log", daemon=True)
        committed = False
        with process:
            logger.start()
            try:
                answer = self._read_answers(process.stdout, on_event)
                with self._lock:
                    if "done" in answer and not self._stopped.is_set():
                        commit(temporary, out)
                        committed = True
            except BaseException:
                end_group(process)
                raise
            finally:
                process.stdin.close()
                process.wait()
                logger.join()
        if committed:
            return answer["done"]
        if self._stopped.is_set():
            raise RunCancelled(STOPPED)
        if "error" in answer:
            raise OvguiError(answer["error"])
        said = f": {last_lines[-1]}" if last_lines else ""
        raise OvguiError(f"quantization failed: the quantizing process ended with code {process.returncode}{said} "
                         "(its output is in the log)")

    def _read_answers(self, answers: IO[str], on_event: Callable[[QuantizeEvent], None]) -> dict[str, Any]:
        """Progress and notes handed on as they come; the last answer (done or error) returned."""
        phase, of = "start", 0
        for line in answers:
            try:
                message = json.loads(line)
            except json.JSONDecodeError:
                log.info("quantizer: %s", line.rstrip())
                continue
            if "note" in message:
                log.info("quantize: %s", message["note"])
                on_event(events.Note(message["note"]))
            elif "phase" in message:
                phase, of = message["phase"], message.get("of", of)
                on_event(QuantizeProgress(phase, 0, of))
            elif "fed" in message:
                on_event(QuantizeProgress(phase, message["fed"], of))
            else:
                return message
        return {}


def end_group(process: subprocess.Popen) -> None:
    """The child killed at once, with what it forked: OpenVINO's and NNCF's telemetry fork a
    process per event, which would outlive the child holding its pipes open (the answers would
    never end).  On POSIX the child leads a process group of its own (`OWN_GROUP`); elsewhere
    `kill` ends the child alone."""
    if process.returncode is not None:
        return  # reaped: its number may be another process's now
    if OWN_GROUP:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    else:
        process.kill()


def log_lines(stream: IO[str], last_lines: deque[str]) -> None:
    """The child's own output, line by line, into ovgui's log (progress bars redraw with carriage returns)."""
    for line in stream:
        text = line.rstrip().rsplit("\r", 1)[-1].strip()
        if text:
            last_lines.append(text)
            log.info("quantizer: %s", text)


def child_env() -> dict[str, str]:
    """The child imports this ovgui, wherever it was imported from."""
    package_root = str(Path(ovgui.__file__).resolve().parents[1])
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}


def commit(temporary: Path, out: Path) -> None:
    """The finished IR under its name.  An .xml already there goes first and the new one comes
    last, after its weights: an .xml is never beside the .bin of another model."""
    try:
        out.unlink(missing_ok=True)
        os.replace(temporary.with_suffix(".bin"), out.with_suffix(".bin"))
        os.replace(temporary, out)
    except OSError as error:
        raise OvguiError(f"cannot save the INT8 IR {out}: {error.strerror or error}") from None


def quantized_text(quantized: QuantizedIr) -> str:
    """One line for the status bar and the CLI: what was made, from what, and how long it took."""
    images = f"{quantized.images} calibration image{'s' if quantized.images != 1 else ''}"
    return (f"quantized {Path(quantized.source).name} to INT8 with {images} of {quantized.calibration} "
            f"({quantized.options.describe()}): {quantized.fake_quantize} FakeQuantize nodes; saved {quantized.xml} "
            f"({quantized.size_bytes / 1e6:.1f} MB) in {quantized.total_s:.1f} s (NNCF {quantized.quantize_s:.1f} s)")

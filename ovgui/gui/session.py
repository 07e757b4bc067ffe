"""The bridge between the engine and the window: a worker on a QThread, and small background jobs.

`RunSession` owns one QThread for the lifetime of the window.  A run is a
`RunWorker` moved to that thread; the engine's events become queued signals,
while per-iteration data stays in the `LiveData` buffers the charts poll.  Stop
sets the engine's cancel flag and returns at once; the worker ends at the next
iteration (the engine walks away from a compile or a user's decoder still running,
see `ovgui.core.blocking`) and reports back: a run ends with one `RunResult`, the
report plus what the views need beyond it.  A worker still busy `GRACE_MS` after
Stop is stuck in a call nothing can interrupt: the session walks away from it (a
running QThread must never be destroyed, so its thread is kept, and a fresh one
runs the next run), and `abandoned` says so.  Other OpenVINO
calls the window needs (reading a model for its summary, listing devices,
writing the demo files) run as `BackgroundJob`s on the global thread pool, so
the GUI thread never calls OpenVINO.
"""

from __future__ import annotations

import math
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
from PySide6.QtCore import QMetaObject, QObject, QRunnable, Qt, QThread, QThreadPool, QTimer, Signal, SignalInstance, Slot

from ovgui.core import events
from ovgui.core.blocking import walked_away
from ovgui.core.compare import Variant, VariantResult, run_variants
from ovgui.core.decoders.base import ModelOutput
from ovgui.core.errors import OvguiError, RunCancelled
from ovgui.core.geometry import Geometry
from ovgui.core.graph import RuntimeGraph
from ovgui.core.report import Report
from ovgui.core.runner import ProfileRun, RunRequest

PROGRESS_SHOWN_INTERVAL_S = 0.5
GRACE_MS = 3000
WAIT_SLICE_MS = 100


def user_message(error: BaseException) -> str:
    """One line for the user; a genuine bug also goes to stderr with its traceback, for a bug report."""
    if isinstance(error, OvguiError):
        return str(error)
    traceback.print_exception(error, file=sys.stderr)
    return f"unexpected {type(error).__name__}: {error}"


@dataclass(frozen=True)
class RunResult:
    """One run as the window receives it: the report, and what the views need beyond it.

    `layer_samples` holds each layer's real time per profiled iteration (rows: iterations,
    columns: layer index) only when the report says they are real per-iteration values
    (`profile.distributions`): OpenVINO's CPU counters are running means since compile, and
    statistics of those would mean nothing.  `outputs` are the first inference's raw outputs and
    `geometry` how the image was fitted (for the outputs panel and overlays), `mask` a decoder's
    class or probability mask at photo size, `graph` the executed graph (OpenVINO runs).  A
    comparison's configuration that could not run has no report and says why in `error`.
    """

    report: Report | None
    layer_samples: np.ndarray | None = field(default=None, repr=False, compare=False)
    name: str = ""
    error: str = ""
    outputs: list[ModelOutput] = field(default_factory=list, repr=False, compare=False)
    geometry: Geometry | None = field(default=None, repr=False, compare=False)
    mask: np.ndarray | None = field(default=None, repr=False, compare=False)
    graph: RuntimeGraph | None = field(default=None, repr=False, compare=False)

    def samples_of(self, layer_index: int) -> np.ndarray | None:
        if self.layer_samples is None or not 0 <= layer_index < self.layer_samples.shape[1]:
            return None
        return self.layer_samples[:, layer_index]


def run_result(report: Report, run: ProfileRun | VariantResult | None, name: str = "") -> RunResult:
    """Built on the worker thread, so copying the samples of 800 layers costs the GUI nothing;
    `run` (a run, or a comparison's configuration) holds what the views need beyond the report."""
    if run is None:
        return RunResult(report, name=name)
    profiler = run.profiler
    samples = None
    if report.profile.distributions and profiler is not None and profiler.iterations and report.layers:
        samples = np.column_stack([profiler.layer_samples(layer.index) for layer in report.layers])
    return RunResult(report, samples, name, outputs=run.outputs, geometry=run.geometry, mask=run.mask, graph=run.graph)


class EngineWorker(QObject):
    """Signals named as superqt's workers name them; the engine's events (what superqt would
    call `yielded`) come one signal per kind.  `finished` follows each of the others."""

    phase_started = Signal(str)
    progress = Signal(object)
    note = Signal(str)
    aborted = Signal()
    errored = Signal(str)
    finished = Signal()

    _progress_shown_s = -math.inf

    def forward(self, event: events.Event) -> None:
        if isinstance(event, events.PhaseStarted):
            self.phase_started.emit(event.name)
            self._progress_shown_s = -math.inf
        elif isinstance(event, events.Progress):
            if self._progress_due(event):
                self.progress.emit(event)
        elif isinstance(event, events.Note):
            self.note.emit(event.text)

    def _progress_due(self, event: events.Progress) -> bool:
        """The engine reports progress 10 times a second; the window shows it at most twice (and
        always the end): a progress bar's `setValue` repaints at once, CPU the timed inference
        would otherwise lose on a 2-core machine."""
        if event.fraction < 1.0 and event.elapsed_s - self._progress_shown_s < PROGRESS_SHOWN_INTERVAL_S:
            return False
        self._progress_shown_s = event.elapsed_s
        return True


class RunWorker(EngineWorker):
    returned = Signal(object)
    """The run's `RunResult`."""

    def __init__(self, request: RunRequest, live: events.LiveData):
        super().__init__()
        self._run = ProfileRun(request, self.forward, live)

    def cancel(self) -> None:
        """Called from the GUI thread; the engine reads the flag from the worker thread."""
        self._run.cancel()

    @Slot()
    def run(self) -> None:
        try:
            result = run_result(self._run.run(), self._run)
        except RunCancelled:
            self.aborted.emit()
        except Exception as error:  # noqa: BLE001 - the worker must report every failure, never die
            self.errored.emit(user_message(error))
        else:
            self.returned.emit(result)
        finally:
            self._run.release()
            self.finished.emit()


class ComparisonWorker(EngineWorker):
    """Runs configurations one after another; each one's live data is handed over as it starts."""

    run_started = Signal(object)
    """The `LiveData` of the configuration that starts."""
    yielded = Signal(object)
    """Each configuration's `RunResult` as it ends."""
    returned = Signal(object)
    """Every configuration's `RunResult`, in order."""

    def __init__(self, base: RunRequest, variants: list[Variant]):
        super().__init__()
        self._base = base
        self._variants = variants
        self._stopped = threading.Event()
        self._current: ProfileRun | None = None

    def cancel(self) -> None:
        self._stopped.set()
        if self._current is not None:
            self._current.cancel()

    @Slot()
    def run(self) -> None:
        results: list[RunResult] = []
        try:
            run_variants(
                self._base,
                self._variants,
                on_event=lambda _name, event: self.forward(event),
                should_stop=self._stopped.is_set,
                on_run=self._started,
                on_result=lambda variant: self._ended(variant, results),
            )
        except Exception as error:  # noqa: BLE001 - the worker must report every failure, never die
            self.errored.emit(user_message(error))
        else:
            self.returned.emit(results)
        finally:
            self.finished.emit()

    def _started(self, _name: str, run: ProfileRun) -> None:
        self._current = run
        if self._stopped.is_set():
            run.cancel()
        self.run_started.emit(run.live)

    def _ended(self, variant: VariantResult, results: list[RunResult]) -> None:
        if variant.report is None:
            result = RunResult(None, name=variant.name, error=variant.error)
        else:
            result = run_result(variant.report, variant, variant.name)
        results.append(result)
        self.yielded.emit(result)


def running(thread: QThread) -> bool:
    """Whether `thread` still runs; one whose Qt object is gone has long ended."""
    try:
        return not thread.isFinished()
    except RuntimeError:
        return False


class RunSession(QObject):
    """Starts and stops runs; at most one at a time, and a new one may be asked for while the last is ending.

    Every run ends with exactly one of `finished` (its `RunResult`), `cancelled`, `failed`,
    `abandoned` (the one line saying why) or, for a comparison, `comparison_finished` (a
    `RunResult` per configuration)."""

    started = Signal(object)
    phase_started = Signal(str)
    progress = Signal(object)
    note = Signal(str)
    finished = Signal(object)
    cancelled = Signal()
    failed = Signal(str)
    variant_finished = Signal(object)
    comparison_finished = Signal(object)
    abandoned = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._thread = self._new_thread()
        self._worker: RunWorker | ComparisonWorker | None = None
        self._pending: RunRequest | tuple[RunRequest, list[Variant]] | None = None
        self._left: list[tuple[QThread, EngineWorker]] = []
        self._grace = QTimer(self, singleShot=True, interval=GRACE_MS)
        self._grace.timeout.connect(self._walk_away)

    def _new_thread(self) -> QThread:
        thread = QThread(self)
        thread.setObjectName("ovgui-run")
        thread.start()
        return thread

    @property
    def busy(self) -> bool:
        return self._worker is not None

    def start(self, request: RunRequest) -> None:
        """Run now, or as soon as the run that is ending has ended."""
        if self._defer(request):
            return
        live = events.LiveData()
        worker = RunWorker(request, live)
        worker.returned.connect(self._on_returned)
        self._launch(worker)
        self.started.emit(live)

    def start_comparison(self, base: RunRequest, variants: list[Variant]) -> None:
        """Configurations in turn on the same thread; Stop ends the current one and skips the rest."""
        if self._defer((base, variants)):
            return
        worker = ComparisonWorker(base, variants)
        worker.run_started.connect(self.started)
        worker.yielded.connect(self.variant_finished)
        worker.returned.connect(self._on_comparison_returned)
        self._launch(worker)

    def _defer(self, pending: object) -> bool:
        if self._worker is None:
            return False
        self._pending = pending
        self._cancel_worker()
        return True

    def _cancel_worker(self) -> None:
        self._worker.cancel()
        if not self._grace.isActive():
            self._grace.start()

    def _launch(self, worker: EngineWorker) -> None:
        worker.moveToThread(self._thread)
        worker.phase_started.connect(self.phase_started)
        worker.progress.connect(self.progress)
        worker.note.connect(self.note)
        worker.aborted.connect(self._on_aborted)
        worker.errored.connect(self._on_errored)
        self._worker = worker
        QMetaObject.invokeMethod(worker, "run", Qt.ConnectionType.QueuedConnection)

    def stop(self) -> None:
        self._pending = None
        if self._worker is not None:
            self._cancel_worker()

    @Slot()
    def _walk_away(self) -> None:
        """The worker did not end within the grace period: leave it (and its thread, kept alive
        and never destroyed while it runs) and give the next run a fresh thread."""
        worker, self._worker = self._worker, None
        if worker is None:
            return
        worker.blockSignals(True)
        self._thread.quit()
        self._left.append((self._thread, worker))
        walked_away(partial(running, self._thread))
        self._thread = self._new_thread()
        self.abandoned.emit(
            f"the run did not stop within {GRACE_MS / 1000:g} s (a call that cannot be interrupted); "
            "it was left to end in the background, and the next run starts afresh"
        )
        self._start_pending()

    def shutdown(self) -> None:
        """For window close: stop, let the worker finish its current step, end the thread.  The
        calls that could block for good are walked away from by the run itself; the wait is in
        short slices so Python's signal handlers still run (a second Ctrl+C leaves at once)."""
        self.stop()
        self._grace.stop()
        self._thread.quit()
        while not self._thread.wait(WAIT_SLICE_MS):
            pass

    def is_shut_down(self) -> bool:
        return self._thread.isFinished()

    def left_running(self) -> bool:
        """Whether a worker walked away from is still inside its call: the process must then leave
        without destroying its thread (`ovgui.core.blocking` counts it too, for `exit_now`)."""
        self._left = [(thread, worker) for thread, worker in self._left if not thread.isFinished()]
        return bool(self._left)

    @Slot(object)
    def _on_returned(self, result: RunResult) -> None:
        self._done(self.finished, result)

    @Slot(object)
    def _on_comparison_returned(self, results: list[RunResult]) -> None:
        self._done(self.comparison_finished, results)

    @Slot()
    def _on_aborted(self) -> None:
        self._done(self.cancelled)

    @Slot(str)
    def _on_errored(self, message: str) -> None:
        self._done(self.failed, message)

    def _done(self, signal: Any, *payload: Any) -> None:
        if self.sender() is not self._worker:
            return  # a worker walked away from, ending late
        self._grace.stop()
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.deleteLater()
        signal.emit(*payload)
        self._start_pending()

    def _start_pending(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self.start_comparison(*pending) if isinstance(pending, tuple) else self.start(pending)


class _JobSignals(QObject):
    returned = Signal(object)
    errored = Signal(str)
    finished = Signal()


class BackgroundJob(QRunnable):
    """Runs `function()` on the global pool; `returned(result)` or `errored(message)`, then
    `finished`, are queued to the GUI thread (the signals' object lives there)."""

    def __init__(self, function: Callable[[], Any]):
        super().__init__()
        self.signals = _JobSignals()
        self._function = function

    def run(self) -> None:
        """The job lets go of its signals and function once it has reported: the binding may keep
        a run job's wrapper alive, and it must not keep a Qt object (and a closure) with it."""
        signals, function = self.signals, self._function
        self.signals = self._function = None
        try:
            result = function()
        except Exception as error:  # noqa: BLE001 - reported to the user as one line
            signals.errored.emit(user_message(error))
        else:
            signals.returned.emit(result)
        finally:
            signals.finished.emit()


class BackgroundJobs(QObject):
    """Keeps each job's signals alive until it has reported (the pool deletes the job itself once
    it has run; a job the pool does not own stays referenced by the binding, signals and all).

    Pass bound methods of GUI-thread QObjects (or their signals) as `on_done` / `on_failed`:
    a lambda has no thread of its own, so Qt could call it on the pool's thread."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._running: dict[QObject, _JobSignals] = {}

    def submit(self, function: Callable[[], Any], on_done: Callable[[Any], None] | SignalInstance,
               on_failed: Callable[[str], None] | SignalInstance) -> None:
        job = BackgroundJob(function)
        job.signals.returned.connect(on_done)
        job.signals.errored.connect(on_failed)
        job.signals.finished.connect(self._forget)
        self._running[job.signals] = job.signals
        QThreadPool.globalInstance().start(job)

    @Slot()
    def _forget(self) -> None:
        self._running.pop(self.sender(), None)

    def wait(self) -> None:
        QThreadPool.globalInstance().waitForDone()

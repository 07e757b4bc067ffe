"""The bridge between the engine and the window: a worker on a QThread, and small background jobs.

`RunSession` owns one QThread for the lifetime of the window.  A run is a
`RunWorker` moved to that thread; the engine's events become queued signals,
while per-iteration data stays in the `LiveData` buffers the charts poll.  Stop
sets the engine's cancel flag and returns at once; the worker ends at the next
iteration (or after a compile in progress) and reports back.  Other OpenVINO
calls the window needs (reading a model for its summary, listing devices,
writing the demo files) run as `BackgroundJob`s on the global thread pool, so
the GUI thread never calls OpenVINO.
"""

from __future__ import annotations

import sys
import threading
import traceback
from typing import Any, Callable

import numpy as np
from PySide6.QtCore import QMetaObject, QObject, QRunnable, Qt, QThread, QThreadPool, Signal, Slot

from ovgui.core import events
from ovgui.core.compare import Variant, VariantResult, run_variants
from ovgui.core.errors import OvguiError, RunCancelled
from ovgui.core.profile import LayerProfiler
from ovgui.core.report import Report
from ovgui.core.runner import ProfileRun, RunRequest


def user_message(error: BaseException) -> str:
    """One line for the user; a genuine bug also goes to stderr with its traceback, for a bug report."""
    if isinstance(error, OvguiError):
        return str(error)
    traceback.print_exception(error, file=sys.stderr)
    return f"unexpected {type(error).__name__}: {error}"


KEPT_PROFILERS = 8


class EngineWorker(QObject):
    """What every worker tells the session: engine events as signals, and how it ended."""

    phase_started = Signal(str)
    progress = Signal(object)
    note = Signal(str)
    cancelled = Signal()
    failed = Signal(str)

    def forward(self, event: events.Event) -> None:
        if isinstance(event, events.PhaseStarted):
            self.phase_started.emit(event.name)
        elif isinstance(event, events.Progress):
            self.progress.emit(event)
        elif isinstance(event, events.Note):
            self.note.emit(event.text)


class RunWorker(EngineWorker):
    finished = Signal(object)

    def __init__(self, request: RunRequest, live: events.LiveData):
        super().__init__()
        self._run = ProfileRun(request, self.forward, live)

    def cancel(self) -> None:
        """Called from the GUI thread; the engine reads the flag from the worker thread."""
        self._run.cancel()

    @property
    def profile_run(self) -> ProfileRun:
        return self._run

    @Slot()
    def run(self) -> None:
        try:
            report = self._run.run()
        except RunCancelled:
            self.cancelled.emit()
        except Exception as error:  # noqa: BLE001 - the worker must report every failure, never die
            self.failed.emit(user_message(error))
        else:
            self.finished.emit(report)
        finally:
            self._run.release()


class ComparisonWorker(EngineWorker):
    """Runs configurations one after another; each one's live data is handed over as it starts."""

    variant_started = Signal(str, object)
    variant_finished = Signal(object)
    finished = Signal(object)

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

    @property
    def profile_run(self) -> ProfileRun | None:
        return self._current

    @Slot()
    def run(self) -> None:
        try:
            results = run_variants(
                self._base,
                self._variants,
                on_event=lambda _name, event: self.forward(event),
                should_stop=self._stopped.is_set,
                on_run=self._started,
                on_result=self.variant_finished.emit,
            )
        except Exception as error:  # noqa: BLE001 - the worker must report every failure, never die
            self.failed.emit(user_message(error))
        else:
            self.finished.emit(results)

    def _started(self, name: str, run: ProfileRun) -> None:
        self._current = run
        if self._stopped.is_set():
            run.cancel()
        self.variant_started.emit(name, run.live)


class RunSession(QObject):
    """Starts and stops runs; at most one at a time, and a new one may be asked for while the last is ending."""

    started = Signal(object)
    phase_started = Signal(str)
    progress = Signal(object)
    note = Signal(str)
    finished = Signal(object)
    cancelled = Signal()
    failed = Signal(str)
    variant_started = Signal(str, object)
    variant_finished = Signal(object)
    comparison_finished = Signal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._thread = QThread(self)
        self._thread.setObjectName("ovgui-run")
        self._thread.start()
        self._worker: RunWorker | ComparisonWorker | None = None
        self._pending: RunRequest | tuple[RunRequest, list[Variant]] | None = None
        self.live: events.LiveData | None = None
        self._profilers: dict[int, LayerProfiler] = {}

    @property
    def busy(self) -> bool:
        return self._worker is not None

    def start(self, request: RunRequest) -> None:
        """Run now, or as soon as the run that is ending has ended."""
        if self._defer(request):
            return
        self.live = events.LiveData()
        worker = RunWorker(request, self.live)
        worker.finished.connect(self._on_finished)
        self._launch(worker)
        self.started.emit(self.live)

    def start_comparison(self, base: RunRequest, variants: list[Variant]) -> None:
        """Configurations in turn on the same thread; Stop ends the current one and skips the rest."""
        if self._defer((base, variants)):
            return
        worker = ComparisonWorker(base, variants)
        worker.variant_started.connect(self._on_variant_started)
        worker.variant_finished.connect(self._on_variant_finished)
        worker.finished.connect(self._on_comparison_finished)
        self._launch(worker)

    def _defer(self, pending: object) -> bool:
        if self._worker is None:
            return False
        self._pending = pending
        self._worker.cancel()
        return True

    def _launch(self, worker: EngineWorker) -> None:
        worker.moveToThread(self._thread)
        worker.phase_started.connect(self.phase_started)
        worker.progress.connect(self.progress)
        worker.note.connect(self.note)
        worker.cancelled.connect(self._on_cancelled)
        worker.failed.connect(self._on_failed)
        self._worker = worker
        QMetaObject.invokeMethod(worker, "run", Qt.ConnectionType.QueuedConnection)

    def stop(self) -> None:
        self._pending = None
        if self._worker is not None:
            self._worker.cancel()

    def shutdown(self) -> None:
        """For window close: stop, let the worker finish its current OpenVINO call, end the thread."""
        self.stop()
        self._thread.quit()
        self._thread.wait()

    @Slot(object)
    def is_shut_down(self) -> bool:
        return self._thread.isFinished()

    def layer_samples(self, report: Report | None, index: int) -> np.ndarray | None:
        """A layer's real times over the kept iterations of one of the recent runs, if still held."""
        profiler = self._profilers.get(id(report))
        return profiler.layer_samples(index) if profiler is not None and profiler.iterations else None

    def _keep_profiler(self, report: Report, profiler: LayerProfiler) -> None:
        """The last few runs' samples stay available for the layer detail panel; older ones go."""
        self._profilers[id(report)] = profiler
        while len(self._profilers) > KEPT_PROFILERS:
            self._profilers.pop(next(iter(self._profilers)))

    @Slot(object)
    def _on_finished(self, report: Report) -> None:
        self._keep_profiler(report, self._worker.profile_run.profiler)
        self._done(self.finished, report)

    @Slot(object)
    def _on_variant_finished(self, result: VariantResult) -> None:
        if result.report is not None and result.profiler is not None:
            self._keep_profiler(result.report, result.profiler)
        self.variant_finished.emit(result)

    @Slot(str, object)
    def _on_variant_started(self, name: str, live: events.LiveData) -> None:
        self.live = live
        self.variant_started.emit(name, live)
        self.started.emit(live)

    @Slot(object)
    def _on_comparison_finished(self, results: list) -> None:
        self._done(self.comparison_finished, results)

    @Slot()
    def _on_cancelled(self) -> None:
        self._done(self.cancelled)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._done(self.failed, message)

    def _done(self, signal: Any, *payload: Any) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.deleteLater()
        signal.emit(*payload)
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self.start_comparison(*pending) if isinstance(pending, tuple) else self.start(pending)


class _JobSignals(QObject):
    done = Signal(object)
    failed = Signal(str)


class BackgroundJob(QRunnable):
    """Runs `function()` on the global pool; `done(result)` or `failed(message)` are queued to the GUI thread."""

    def __init__(self, function: Callable[[], Any]):
        super().__init__()
        self.setAutoDelete(False)
        self.signals = _JobSignals()
        self._function = function

    def run(self) -> None:
        try:
            result = self._function()
        except Exception as error:  # noqa: BLE001 - reported to the user as one line
            self.signals.failed.emit(user_message(error))
        else:
            self.signals.done.emit(result)


class BackgroundJobs(QObject):
    """Keeps each job alive until it has reported; connect to slots of GUI-thread objects only."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._running: dict[QObject, BackgroundJob] = {}

    def submit(self, function: Callable[[], Any], on_done: Callable[[Any], None], on_failed: Callable[[str], None]) -> None:
        job = BackgroundJob(function)
        job.signals.done.connect(on_done)
        job.signals.failed.connect(on_failed)
        job.signals.done.connect(self._forget)
        job.signals.failed.connect(self._forget)
        self._running[job.signals] = job
        QThreadPool.globalInstance().start(job)

    @Slot()
    def _forget(self) -> None:
        self._running.pop(self.sender(), None)

    def wait(self) -> None:
        QThreadPool.globalInstance().waitForDone()

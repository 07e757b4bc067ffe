"""The bridge between the engine and the window: superqt's workers for runs and small background jobs.

Every worker speaks superqt's vocabulary: `started`, `yielded`, `returned`, `errored`,
`aborted`, then `finished`.  `RunSession` runs one `RunWorker` (or `ComparisonWorker`) at a
time, each on a daemon thread of its own, and speaks the same vocabulary to the window: the
engine's events are yielded (and, for the views, split by kind), while per-iteration data stays
in the `LiveData` buffers the charts poll.  Stop sets the engine's cancel flag and returns at
once; the worker ends at the next iteration (the engine walks away from a compile or a user's
decoder still running, see `ovgui.core.blocking`) and reports back: a run returns its
`RunOutcome`, the report plus what the views need beyond it.  A worker still busy `GRACE_MS`
after Stop is stuck in a call nothing can interrupt: the session walks away from it, and
`abandoned` says so.  A thread per run, not a pool, because a stuck worker keeps its thread for
good and must not hold a slot the next run or a background job waits for.  Other OpenVINO calls
the window needs (reading a model for its summary, listing devices, writing the demo files) run
as `Job`s on the global thread pool, so the GUI thread never calls OpenVINO.
"""

from __future__ import annotations

import logging
import math
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal, SignalInstance, Slot
from superqt.utils import WorkerBase
from superqt.utils._qthreading import GeneratorWorkerSignals

from ovgui.core import events
from ovgui.core.blocking import walked_away
from ovgui.core.compare import Comparison, Configured, Variant, run_variants
from ovgui.core.errors import OvguiError, RunCancelled
from ovgui.core.outcome import RunOutcome
from ovgui.core.remote.run import RemoteRun
from ovgui.core.remote.target import Target
from ovgui.core.runner import ProfileRun, RunRequest

PROGRESS_SHOWN_INTERVAL_S = 0.5
GRACE_MS = 3000
WAIT_SLICE_MS = 100


@dataclass(frozen=True)
class Remote:
    """Where a run goes when it is not here: the target, and who is asked about a host key it
    does not know yet (called from the run's thread)."""

    target: Target
    accept_host_key: Callable[[str, str], bool] | None = None


def user_message(error: BaseException) -> str:
    """One line for the user; a genuine bug also goes to stderr and the log with its traceback, for a bug report."""
    if isinstance(error, OvguiError):
        return str(error)
    traceback.print_exception(error, file=sys.stderr)
    logging.getLogger(__name__).error("unexpected error", exc_info=error)
    return f"unexpected {type(error).__name__}: {error}"


class Worker(WorkerBase):
    """superqt's worker with its own `run`: superqt's wraps the work in `warnings.catch_warnings`,
    which swaps the process's warning filters from the worker's thread (a warning anywhere would
    be shown instead of raised while a run lasts, and a worker walked away from would put stale
    filters back when it ends), and it cannot tell a cancelled run from a failed one.  Here a
    cancelled run is `aborted`, any other exception is `errored` (the exception itself: the GUI
    thread makes its one line), and `finished` follows each of them and `returned`."""

    def __init__(self) -> None:
        super().__init__(SignalsClass=GeneratorWorkerSignals)
        self.ended = threading.Event()
        """Set once the work has returned or raised, from the worker's thread."""

    def run(self) -> None:
        self.started.emit()
        self._running = True
        try:
            result = self.work()
        except RunCancelled:
            self.aborted.emit()
        except Exception as error:  # noqa: BLE001 - the worker must report every failure, never die
            self.errored.emit(error)
        else:
            self.returned.emit(result)
        finally:
            self._running = False
            self.ended.set()
            self.finished.emit()


class Job(Worker):
    """`function()` in a worker, as superqt's `FunctionWorker` but run by `Worker.run`."""

    def __init__(self, function: Callable[[], Any]) -> None:
        super().__init__()
        self._function: Callable[[], Any] | None = function

    def run(self) -> None:
        """The job lets go of its function and signals once it has reported: the binding may keep a
        pool job's wrapper alive, and it must not keep a Qt object (and a closure) with it."""
        super().run()
        self.signals = self._function = None

    def work(self) -> Any:
        return self._function()


class EngineWorker(Worker):
    """A run's worker: the engine's events are yielded as they come, progress at most twice a second."""

    _progress_shown_s = -math.inf

    def cancel(self) -> None:
        """Called from the GUI thread; the engine reads the flag from the worker thread."""
        raise NotImplementedError

    def forward(self, event: events.Event) -> None:
        if isinstance(event, events.PhaseStarted):
            self._progress_shown_s = -math.inf
        elif isinstance(event, events.Progress):
            if not self._progress_due(event):
                return
        elif not isinstance(event, events.Note):
            return  # a phase's end: the window has nothing to show for it
        self.yielded.emit(event)

    def _progress_due(self, event: events.Progress) -> bool:
        """The engine reports progress 10 times a second; the window shows it at most twice (and
        always the end): a progress bar's `setValue` repaints at once, CPU the timed inference
        would otherwise lose on a 2-core machine."""
        if event.fraction < 1.0 and event.elapsed_s - self._progress_shown_s < PROGRESS_SHOWN_INTERVAL_S:
            return False
        self._progress_shown_s = event.elapsed_s
        return True


class RunWorker(EngineWorker):
    """One run, here or on a target over SSH (`Remote`: the same events and live data); it returns
    the run's `RunOutcome`."""

    def __init__(self, request: RunRequest, live: events.LiveData, remote: Remote | None = None):
        super().__init__()
        self._run: ProfileRun | RemoteRun = (ProfileRun(request, self.forward, live) if remote is None else
                                             RemoteRun(request, remote.target, self.forward, live,
                                                       accept_host_key=remote.accept_host_key))

    def cancel(self) -> None:
        self._run.cancel()

    def work(self) -> RunOutcome:
        try:
            return self._run.run()
        finally:
            self._run.release()


class ComparisonWorker(EngineWorker):
    """Runs configurations one after another (`comparison`: `run_variants` over a list, or the
    latency ladder).  Besides the engine's events it yields each configuration's `LiveData` as it
    starts and its name and `RunOutcome` (or error line) as it ends; it returns every
    configuration's name and outcome, in order."""

    def __init__(self, base: RunRequest, comparison: Comparison):
        super().__init__()
        self._base = base
        self._comparison = comparison
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Every configuration's run shares the flag: the one under way stops, the rest never start."""
        self._cancel.set()

    def work(self) -> list[Configured]:
        results: list[Configured] = []
        for result in self._comparison(self._base, on_event=lambda _name, event: self.forward(event),
                                       cancel=self._cancel, live=self._live_for_next):
            results.append(result)
            self.yielded.emit(result)
        return results

    def _live_for_next(self) -> events.LiveData:
        live = events.LiveData()
        self.yielded.emit(live)
        return live


class RunSession(QObject):
    """Starts and stops runs; at most one at a time, and a new one may be asked for while the last is ending.

    `started` gives each run's (and each configuration's) `LiveData`; `yielded` the engine's
    events and a comparison's `(name, outcome or error line)` per configuration, also split by
    kind for the views (`phase_started`, `progress`, `note`, `variant_finished`).  Every run ends
    with exactly one of `returned` (a run's `RunOutcome`, a comparison's list of
    `(name, outcome or error line)`), `aborted`, `errored` or `abandoned` (the one line saying
    why), then `finished`."""

    started = Signal(object)
    yielded = Signal(object)
    phase_started = Signal(str)
    progress = Signal(object)
    note = Signal(str)
    variant_finished = Signal(object)
    returned = Signal(object)
    aborted = Signal()
    errored = Signal(str)
    abandoned = Signal(str)
    finished = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._worker: EngineWorker | None = None
        self._thread: threading.Thread | None = None
        self._pending: Callable[[], None] | None = None
        self._left: list[tuple[threading.Thread, EngineWorker]] = []
        self._grace = QTimer(self, singleShot=True, interval=GRACE_MS)
        self._grace.timeout.connect(self._walk_away)

    @property
    def busy(self) -> bool:
        return self._worker is not None

    def start(self, request: RunRequest, remote: Remote | None = None) -> None:
        """Run now, or as soon as the run that is ending has ended; on `remote`'s target when given."""
        if self._defer(partial(self.start, request, remote)):
            return
        live = events.LiveData()
        self._launch(RunWorker(request, live, remote))
        self.started.emit(live)

    def start_comparison(self, base: RunRequest, variants: list[Variant]) -> None:
        """Configurations in turn on the same thread; Stop ends the current one and skips the rest."""
        self.start_comparing(base, partial(run_variants, variants=variants))

    def start_comparing(self, base: RunRequest, comparison: Comparison) -> None:
        """`comparison`'s configurations (the ladder's, say) as `start_comparison` runs a list's."""
        if self._defer(partial(self.start_comparing, base, comparison)):
            return
        self._launch(ComparisonWorker(base, comparison))

    def _defer(self, pending: Callable[[], None]) -> bool:
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
        """The worker's signals live in the GUI thread, so what it emits reaches the slots below queued."""
        worker.yielded.connect(self._on_yielded)
        worker.returned.connect(self._on_returned)
        worker.aborted.connect(self._on_aborted)
        worker.errored.connect(self._on_errored)
        self._worker = worker
        self._thread = threading.Thread(target=worker.run, name="ovgui-run", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._pending = None
        if self._worker is not None:
            self._cancel_worker()

    @Slot()
    def _walk_away(self) -> None:
        """The worker did not end within the grace period: leave it to end on its own thread, unheard."""
        worker, self._worker = self._worker, None
        if worker is None:
            return
        worker.signals.blockSignals(True)
        self._left.append((self._thread, worker))
        walked_away(self._thread.is_alive)
        self.abandoned.emit(
            f"the run did not stop within {GRACE_MS / 1000:g} s (a call that cannot be interrupted); "
            "it was left to end in the background, and the next run starts afresh"
        )
        self.finished.emit()
        self._start_pending()

    def shutdown(self) -> None:
        """For window close: stop and let the worker finish its current step.  The calls that could
        block for good are walked away from by the run itself; the wait is in short slices so
        Python's signal handlers still run (a second Ctrl+C leaves at once)."""
        self.stop()
        self._grace.stop()
        while not self.is_shut_down():
            self._thread.join(WAIT_SLICE_MS / 1000)

    def is_shut_down(self) -> bool:
        """Whether no run is under way on a thread the session still waits for."""
        return self._worker is None or self._worker.ended.is_set()

    def left_running(self) -> bool:
        """Whether a worker walked away from is still inside its call: the process must then leave
        without tearing down the libraries under it (`ovgui.core.blocking` counts it too, for `exit_now`)."""
        self._left = [(thread, worker) for thread, worker in self._left if thread.is_alive()]
        return bool(self._left)

    def _from_current(self) -> bool:
        """Whether the signal being handled comes from the run under way, not one walked away from and ending late."""
        return self._worker is not None and self.sender() is self._worker.signals

    @Slot(object)
    def _on_yielded(self, value: object) -> None:
        if not self._from_current():
            return
        if isinstance(value, events.LiveData):
            self.started.emit(value)
            return
        self.yielded.emit(value)
        if isinstance(value, events.PhaseStarted):
            self.phase_started.emit(value.name)
        elif isinstance(value, events.Progress):
            self.progress.emit(value)
        elif isinstance(value, events.Note):
            self.note.emit(value.text)
        else:
            self.variant_finished.emit(value)

    @Slot(object)
    def _on_returned(self, value: RunOutcome | list[Configured]) -> None:
        if self._from_current():
            self._end(self.returned, value)

    @Slot()
    def _on_aborted(self) -> None:
        if self._from_current():
            self._end(self.aborted)

    @Slot(object)
    def _on_errored(self, error: Exception) -> None:
        if self._from_current():
            self._end(self.errored, user_message(error))

    def _end(self, signal: SignalInstance, *payload: Any) -> None:
        self._grace.stop()
        self._worker = None
        signal.emit(*payload)
        self.finished.emit()
        self._start_pending()

    def _start_pending(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending()


class BackgroundJobs(QObject):
    """Runs `Job`s on the global pool and keeps each one's signals alive until it has finished (the
    pool deletes a job once it has run; a job the pool does not own stays referenced by the binding).

    Pass bound methods of GUI-thread QObjects (or their signals) as `on_done`: a lambda has no
    thread of its own, so Qt could call it on the pool's thread.  `on_failed` is called here, on
    the GUI thread, with the error's one line."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._running: dict[QObject, Callable[[str], None]] = {}

    def submit(self, function: Callable[[], Any], on_done: Callable[[Any], None] | SignalInstance,
               on_failed: Callable[[str], None] | SignalInstance) -> None:
        job = Job(function)
        job.returned.connect(on_done)
        job.errored.connect(self._errored)
        job.finished.connect(self._forget)
        self._running[job.signals] = on_failed.emit if isinstance(on_failed, SignalInstance) else on_failed
        QThreadPool.globalInstance().start(job)

    @Slot(object)
    def _errored(self, error: Exception) -> None:
        self._running[self.sender()](user_message(error))

    @Slot()
    def _forget(self) -> None:
        self._running.pop(self.sender(), None)

    def wait(self) -> None:
        QThreadPool.globalInstance().waitForDone()

"""The session's workers speak superqt's vocabulary and report every ending, each in its own way."""

from __future__ import annotations

import threading
import warnings

from ovgui.core.errors import RunCancelled
from ovgui.gui.session import BackgroundJobs, Job


def run_and_record(job: Job, qtbot) -> list[tuple[str, object]]:
    """Run the job on a thread of its own and hear its signals on this one (its signals object is
    kept here: a job lets go of it once it has reported)."""
    heard: list[tuple[str, object]] = []
    signals = job.signals
    for name in ("started", "returned", "errored", "aborted", "finished"):
        getattr(signals, name).connect(lambda *value, name=name: heard.append((name, *value)))
    thread = threading.Thread(target=job.run)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: heard[-1:] == [("finished",)])
    return heard


def cancelled() -> None:
    raise RunCancelled("stopped before the first inference")


def test_a_cancelled_run_is_aborted_not_an_error(qtbot):
    job = Job(cancelled)
    heard = run_and_record(job, qtbot)
    assert heard == [("started",), ("aborted",), ("finished",)]


def test_a_job_returns_its_value_then_finishes(qtbot):
    job = Job(lambda: 42)
    heard = run_and_record(job, qtbot)
    assert heard == [("started",), ("returned", 42), ("finished",)]
    assert job.ended.is_set() and job.signals is None, "a job lets go of its signals once it has reported"


def broken() -> None:
    raise ValueError("a bug")


def test_a_failed_job_reaches_its_caller_as_one_line_and_its_traceback_reaches_stderr(qtbot, capfd):
    jobs = BackgroundJobs()
    done: list[object] = []
    failed: list[str] = []
    jobs.submit(broken, done.append, failed.append)
    qtbot.waitUntil(lambda: bool(failed))
    jobs.wait()
    assert failed == ["unexpected ValueError: a bug"] and not done
    assert "Traceback" in capfd.readouterr().err


def warns() -> str:
    warnings.warn("deprecated", DeprecationWarning, stacklevel=1)
    return "went on"


def test_a_job_leaves_the_warning_filters_to_the_process(qtbot):
    """superqt's own `run` would catch the warning (and swap the process's filters while it ran):
    here the filter the process set decides, as on any other thread."""
    jobs = BackgroundJobs()
    done: list[object] = []
    failed: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        before = list(warnings.filters)
        jobs.submit(warns, done.append, failed.append)
        qtbot.waitUntil(lambda: bool(done or failed))
        jobs.wait()
        assert warnings.filters == before
    assert failed == ["unexpected DeprecationWarning: deprecated"] and not done

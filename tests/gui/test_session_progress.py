"""The worker shows the engine's progress at a rate the window can afford while a run is timed."""

from __future__ import annotations

from ovgui.core.events import PhaseStarted, Progress
from ovgui.gui.session import PROGRESS_SHOWN_INTERVAL_S, EngineWorker


def test_progress_reaches_the_window_at_most_twice_a_second_and_always_at_the_end():
    worker = EngineWorker()
    shown: list[Progress] = []
    worker.yielded.connect(lambda event: isinstance(event, Progress) and shown.append(event))
    worker.forward(PhaseStarted("steady_state", 0.0))
    engine_events = [Progress(10 * step, step / 30, 0.1 * step, 100.0) for step in range(1, 30)]
    for event in [*engine_events, Progress(300, 1.0, 2.95, 100.0)]:
        worker.forward(event)

    gaps = [later.elapsed_s - earlier.elapsed_s for earlier, later in zip(shown, shown[1:-1])]
    assert shown[0] is engine_events[0], "the first progress shows at once"
    assert shown[-1].fraction == 1.0, "the end is always shown"
    assert all(gap >= PROGRESS_SHOWN_INTERVAL_S - 1e-9 for gap in gaps)
    assert 5 <= len(shown) <= 7


def test_a_new_phase_shows_its_first_progress_at_once():
    worker = EngineWorker()
    shown: list[Progress] = []
    worker.yielded.connect(lambda event: isinstance(event, Progress) and shown.append(event))
    worker.forward(Progress(1, 0.1, 5.0, 1.0))
    worker.forward(PhaseStarted("steady_state", 0.0))
    worker.forward(Progress(1, 0.1, 0.05, 1.0))
    assert len(shown) == 2

"""The one timed loop every engine and the frame pass run: budget, Stop, progress, end of input.

Steps hand back their own end times here, so the duration budget is checked on known numbers,
not on this machine's clock."""

from __future__ import annotations

import threading

from ovgui.core.engines.timed_loop import Budget, TimedLoop
from ovgui.core.events import LiveData


def counting_loop(budget: Budget, cancel: threading.Event | None = None) -> tuple[TimedLoop, LiveData, list[tuple]]:
    live, calls = LiveData(), []
    loop = TimedLoop(budget, cancel or threading.Event(), live, lambda *args: calls.append(args))
    return loop, live, calls


def test_an_iteration_budget_runs_exactly_that_many_steps():
    loop, live, calls = counting_loop(Budget(7, None))

    def step() -> tuple[float, int]:
        live.add_iteration(1.0)
        return loop.start, live.iterations

    loop.run(step)
    loop.finish()
    assert live.iterations == 7
    assert calls[-1][0] == 7, "the last progress reports every iteration"


def test_a_time_budget_ends_at_the_first_step_that_reaches_it():
    loop, live, _ = counting_loop(Budget(None, 1.0))

    def step() -> tuple[float, int]:
        live.add_iteration(1.0)
        return loop.start + 0.3 * live.iterations, live.iterations

    loop.run(step)
    assert live.iterations == 4


def test_progress_follows_the_steps_own_times():
    loop, live, calls = counting_loop(Budget(10, None))

    def step() -> tuple[float, int]:
        live.add_iteration(1.0)
        return loop.start + 0.06 * live.iterations, live.iterations

    loop.run(step)
    assert [call[0] for call in calls] == [2, 4, 6, 8], "about every 0.1 s of the steps' time, never after the last"


def test_stop_and_the_end_of_the_input_end_the_loop():
    cancel = threading.Event()
    loop, live, _ = counting_loop(Budget(None, None), cancel)

    def stopping_step() -> tuple[float, int]:
        live.add_iteration(1.0)
        if live.iterations == 3:
            cancel.set()
        return loop.start, live.iterations

    loop.run(stopping_step)
    assert live.iterations == 3
    frames = iter(range(5))
    loop, live, _ = counting_loop(Budget(None, None))

    def frame_step() -> tuple[float, int] | None:
        if next(frames, None) is None:
            return None
        live.add_iteration(1.0)
        return loop.start, live.iterations

    loop.run(frame_step)
    assert live.iterations == 5, "no budget: every frame, then the end of the input"

"""Calls that may block where no cancel flag reaches them, run on a thread the caller can walk away from.

OpenVINO's compile of a huge graph, ONNX Runtime's session creation with a thousand threads, a
user's decoder that loops, a pipe that is never written: none of these look at the run's cancel
flag, and a C++ call cannot be interrupted.  `call` runs such a function on a daemon thread and
waits in short slices, so a Stop (the cancel flag) or a timeout ends the wait at once and the
thread is left to finish on its own.  A daemon thread never keeps the process alive, but the
interpreter's normal exit would tear libraries down under a thread still inside them: while
`abandoned_running()` says one is, the command-line entry points leave with `exit_now` (a
function called in-process, by a test say, never ends its caller's process).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from ovgui.core.errors import RunCancelled

T = TypeVar("T")
WAIT_SLICE_S = 0.05

_abandoned: list[Callable[[], bool]] = []
"""Each walked-away thread's `is_alive`."""


class TimedOut(Exception):
    """The call did not return within its time; the caller says what that means for the user."""

    def __init__(self, seconds: float):
        super().__init__(f"did not return within {seconds:g} s")
        self.seconds = seconds


def call(
    function: Callable[[], T],
    cancel: threading.Event | None = None,
    timeout_s: float | None = None,
    name: str = "ovgui-call",
    stopped: str = "run stopped",
    grace_s: float = 0.0,
) -> T:
    """`function()`'s result or exception; `RunCancelled(stopped)` once `cancel` has been set for
    `grace_s` (a function that honours the flag itself may still return its result in that time),
    and `TimedOut` once `timeout_s` has passed, leaving the thread running."""
    returned: list[T] = []
    raised: list[BaseException] = []
    done = threading.Event()

    def target() -> None:
        try:
            returned.append(function())
        except BaseException as error:  # noqa: BLE001 - handed to the caller's thread as it is
            raised.append(error)
        finally:
            done.set()

    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    started = time.monotonic()
    cancelled_at: float | None = None
    while not done.wait(WAIT_SLICE_S):
        if cancel is not None and cancel.is_set():
            cancelled_at = cancelled_at or time.monotonic()
            if time.monotonic() - cancelled_at < grace_s:
                continue
            _abandoned.append(thread.is_alive)
            raise RunCancelled(stopped)
        if timeout_s is not None and time.monotonic() - started >= timeout_s:
            _abandoned.append(thread.is_alive)
            raise TimedOut(timeout_s)
    if raised:
        raise raised[0]
    return returned[0]


def leave(function: Callable[[], object], name: str = "ovgui-left") -> None:
    """Run `function()` on a daemon thread and do not wait for it at all (dropping the last
    reference to something whose teardown may take minutes, such as a session of 2,000 threads)."""
    thread = threading.Thread(target=function, name=name, daemon=True)
    thread.start()
    _abandoned.append(thread.is_alive)


def walked_away(is_alive: Callable[[], bool]) -> None:
    """Count a thread of another kind (a QThread left running) among those walked away from."""
    _abandoned.append(is_alive)


def abandoned_running() -> bool:
    """Whether a thread walked away from is still inside its call."""
    _abandoned[:] = [is_alive for is_alive in _abandoned if is_alive()]
    return bool(_abandoned)


def exit_now(code: int) -> None:
    """Flush what was written and leave without the interpreter's teardown (no atexit handlers,
    no library destructors racing a thread still inside the library)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)

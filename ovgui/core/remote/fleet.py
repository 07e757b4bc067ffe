"""A fleet comparison: configurations that differ by target (``"target": "edge-1"`` in a ``--compare``
entry) run in parallel across targets, one after another on each target (two runs on one box
would measure each other), and come back in the file's order, as `run_variants` gives them.

Configurations without a target run here, as one more "target".  Output drift needs both runs'
raw outputs, which a remote run leaves on its target, so it is left out for those.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from pathlib import Path

from ovgui.core import events
from ovgui.core.compare import Configured, Variant, ignore_event, run_variant, with_drift
from ovgui.core.environment import environment_info
from ovgui.core.outcome import RunOutcome
from ovgui.core.remote.run import RemoteRun, version_differences
from ovgui.core.remote.target import DEFAULT_PYTHON, Target
from ovgui.core.report import Report
from ovgui.core.runner import ProfileRun, RunRequest

HERE = ""


def has_targets(variants: list[Variant]) -> bool:
    return any(variant.target for variant in variants)


def run_fleet(
    base: RunRequest,
    variants: list[Variant],
    on_event: Callable[[str, events.Event], None] = ignore_event,
    cancel: threading.Event | None = None,
    live: Callable[[], events.LiveData] = events.LiveData,
    ssh_config: Path | None = None,
    targets: Mapping[str, Target] | None = None,
) -> Iterator[Configured]:
    """Each variant's result in the variants' order, each target's runs on a thread of its own.
    `cancel` stops every run under way and skips the rest; a failed variant yields its line.
    `targets` are the window's, each with its own ssh config and Python, by name; a variant's
    target not among them is read from `ssh_config`."""
    known = dict(targets or {})
    cancel = cancel or threading.Event()
    results: dict[int, RunOutcome | str] = {}
    ready = threading.Condition()
    by_target: dict[str, list[int]] = {}
    for index, variant in enumerate(variants):
        by_target.setdefault(variant.target, []).append(index)

    def run_all(indexes: list[int]) -> None:
        for index in indexes:
            variant = variants[index]
            try:
                outcome: RunOutcome | str = "not run: stopped" if cancel.is_set() else run_variant(
                    _run(variant, base, partial(on_event, variant.name), live(), cancel,
                         known.get(variant.target) or _target(variant, ssh_config)))
            except Exception as error:  # a thread that died would leave the comparison waiting forever
                outcome = f"{type(error).__name__}: {error}"
            with ready:
                results[index] = outcome
                ready.notify_all()

    threads = [threading.Thread(target=run_all, args=(indexes,), name=f"ovgui-fleet-{name or 'here'}", daemon=True)
               for name, indexes in by_target.items()]
    for thread in threads:
        thread.start()
    reference: RunOutcome | None = None
    for index, variant in enumerate(variants):
        with ready:
            ready.wait_for(partial(results.__contains__, index))
        outcome = results[index]
        if isinstance(outcome, RunOutcome) and outcome.outputs:
            outcome = outcome if reference is None else with_drift(outcome, reference)
            reference = reference or outcome
        yield variant.name, outcome


def _target(variant: Variant, ssh_config: Path | None) -> Target | None:
    return Target(variant.target, ssh_config, variant.target_python or DEFAULT_PYTHON) if variant.target else None


def _run(variant: Variant, base: RunRequest, on_event: events.EventCallback, live: events.LiveData,
         cancel: threading.Event, target: Target | None) -> ProfileRun | RemoteRun:
    request = variant.request(base)
    if target is None:
        return ProfileRun(request, on_event, live, cancel=cancel)
    return RemoteRun(request, target, on_event, live, cancel)


def fleet_version_lines(reports: list[Report]) -> list[str]:
    """Each version a target runs that differs from this workstation's, once per target."""
    here = environment_info()
    lines: list[str] = []
    for report in reports:
        if report.target is not None:
            lines += [line for line in version_differences(here, report.target.name, report.environment.openvino,
                                                           report.environment.python) if line not in lines]
    return lines

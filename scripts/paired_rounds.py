"""What the comparison scripts share: two programs run in turn, one paired ratio per round, and a
verdict that says "too noisy" rather than PASS when the rounds disagree by more than the bar allows.

A ratio of two medians taken minutes apart mixes the tools' difference with the machine's
drift; a ratio per round compares runs seconds apart, and the spread of those ratios says how
much one round can be trusted.  The verdict is the median of the per-round ratios, and it is
only a PASS when their interquartile range is no wider than the bar's margin (1.03 -> 0.03).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MIN_ROUNDS_FOR_A_VERDICT = 3
STDERR_TAIL_LINES = 15


class BadInput(Exception):
    """A problem with what was asked for, or a run that failed: reported as `error: ...`, exit 2."""


@dataclass(frozen=True)
class Verdict:
    """The median of the per-round ratios against a bar, with the ratios' spread."""

    ratios: list[float]
    bar: float
    higher_is_better: bool

    @property
    def median(self) -> float:
        return statistics.median(self.ratios)

    @property
    def quartiles(self) -> tuple[float, float]:
        if len(self.ratios) < 2:
            return self.ratios[0], self.ratios[0]
        q1, _, q3 = statistics.quantiles(self.ratios, n=4, method="inclusive")
        return q1, q3

    @property
    def margin(self) -> float:
        """How far from 1.0 the bar lets the ratio go: the spread the rounds may have."""
        return abs(self.bar - 1.0)

    @property
    def noisy(self) -> bool:
        q1, q3 = self.quartiles
        return len(self.ratios) < MIN_ROUNDS_FOR_A_VERDICT or q3 - q1 > self.margin

    @property
    def meets_bar(self) -> bool:
        return self.median >= self.bar if self.higher_is_better else self.median <= self.bar

    @property
    def word(self) -> str:
        if self.noisy:
            return "too noisy"
        return "PASS" if self.meets_bar else "FAIL"

    @property
    def exit_code(self) -> int:
        """0 pass, 1 fail, 3 too noisy to say (2 is kept for bad input)."""
        return {"PASS": 0, "FAIL": 1, "too noisy": 3}[self.word]

    def spread(self, digits: int = 3) -> str:
        """The median of the ratios and how far apart the rounds were, as every comparison prints them."""
        q1, q3 = self.quartiles
        low, high = min(self.ratios), max(self.ratios)
        return (f"median of {len(self.ratios)} paired per-round ratios {self.median:.{digits}f} "
                f"(min-max {low:.{digits}f}-{high:.{digits}f}, IQR {q1:.{digits}f}-{q3:.{digits}f})")

    def line(self, what: str) -> str:
        q1, q3 = self.quartiles
        sign = ">=" if self.higher_is_better else "<="
        why = ""
        if len(self.ratios) < MIN_ROUNDS_FOR_A_VERDICT:
            why = f"; fewer than {MIN_ROUNDS_FOR_A_VERDICT} rounds have no spread to judge"
        elif self.noisy:
            why = f"; the middle half of the rounds spans {q3 - q1:.3f}, wider than the bar's margin {self.margin:.3f}"
        return f"{what}: {self.spread()}  {self.word} (bar {sign} {self.bar:g}{why})"

    def as_dict(self) -> dict:
        q1, q3 = self.quartiles
        return {"ratios": self.ratios, "median": self.median, "min": min(self.ratios), "max": max(self.ratios),
                "q1": q1, "q3": q3, "bar": self.bar, "verdict": self.word}


def round_order(index: int, sides: tuple[str, ...]) -> tuple[str, ...]:
    """Rotate who goes first each round, so neither side always runs on a machine the other just warmed."""
    shift = index % len(sides)
    return sides[shift:] + sides[:shift]


def program_beside_python(name: str) -> str:
    """The console script beside this Python first, so both sides come from this environment's wheels."""
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    program = shutil.which(name, path=search)
    if program is None:
        raise BadInput(f"{name} not found beside {sys.executable} or on PATH")
    return program


def run_round(
    index: int, sides: tuple[str, ...], run: Callable[[str, int], tuple[list[float], str]]
) -> tuple[dict[str, list[float]], dict[str, str]]:
    """Round `index`: every side once, in that round's order; each side's values and what it read back."""
    values: dict[str, list[float]] = {}
    used: dict[str, str] = {}
    for side in round_order(index, sides):
        values[side], used[side] = run(side, index)
    return values, used


def run_rounds(
    rounds: int, sides: tuple[str, str], run: Callable[[str, int], tuple[list[float], str]], width: int
) -> tuple[list[list[float]], list[dict[str, list[float]]], dict[str, str]]:
    """Each round runs both sides in turn (who goes first rotates) and prints one row: each side's
    values, then side 0 / side 1 for each value.  Returns the ratios per value, each round's values
    and what each side read back of its compiled settings."""
    ratios: list[list[float]] = []
    rows: list[dict[str, list[float]]] = []
    used: dict[str, str] = {}
    for index in range(rounds):
        values, used = run_round(index, sides, run)
        ratios = ratios or [[] for _ in values[sides[0]]]
        for column, column_ratios in enumerate(ratios):
            column_ratios.append(values[sides[0]][column] / values[sides[1]][column])
        cells = "".join(f"{values[side][column]:>{width}.3f}" for column in range(len(ratios)) for side in sides)
        print(f"{index + 1:<7}{cells}{''.join(f'{r[-1]:>12.3f}' for r in ratios)}", flush=True)
        rows.append(values)
    return ratios, rows, used


def run_program(
    command: list[str], name: str, timeout_s: float, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run one tool to the end; a failure becomes `BadInput` with the tail of what it printed."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, env=env)
    except subprocess.TimeoutExpired:
        raise BadInput(f"{name} did not finish in {timeout_s:.0f} s") from None
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).splitlines()[-STDERR_TAIL_LINES:])
        raise BadInput(f"{name} failed (exit {done.returncode}): {' '.join(command)}\n{tail}")
    return done


def read_json(path: Path, name: str) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BadInput(f"{name} wrote no readable report at {path}: {error}") from None


def compiled_settings(report: dict) -> str:
    """What an ovgui report says its compiled model used (read back, not asked for)."""
    used = report.get("compiled", {})
    return (f"hint {used.get('performance_hint', '?')}, {used.get('num_streams', '?')} stream(s), "
            f"{used.get('inference_num_threads', '?')} thread(s), {used.get('inference_precision', '?')}, "
            f"{used.get('requests_used', '?')} infer request(s)")


def machine_line() -> str:
    return (f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} over the last minute "
            "(other work skews both sides; run on a quiet machine)")


def rounds_parser(doc: str, default_image: Path, image_help: str, iterations: bool = True) -> argparse.ArgumentParser:
    """The options every process-against-process script takes: the photo, the iterations per run
    (unless its runs last a time it declares itself), the rounds and a JSON file for the results;
    a script adds its own."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--image", type=Path, default=default_image, help=image_help)
    if iterations:
        parser.add_argument("--iterations", type=int, default=100, help="timed iterations per run (default 100)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per model (default 5)")
    parser.add_argument("--json", type=Path, dest="json_out", metavar="OUT", help="also write the results as JSON")
    return parser


def parse_shared(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """The script's own arguments (before ``--``) parsed, and in `shared` the ones after it, which
    go to both programs."""
    argv = list(sys.argv[1:] if argv is None else argv)
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    args.shared = argv[split + 1:]
    return args


def parse_rounds(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """`parse_shared` for a `rounds_parser`, its counts checked."""
    args = parse_shared(parser, argv)
    if args.iterations < 1 or args.rounds < 1:
        raise BadInput("--iterations and --rounds must be at least 1")
    return args

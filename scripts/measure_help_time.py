"""How long `ovgui-profile --help` takes as a fresh process: the cost a user pays before any answer.

Runs the console script beside this Python `--runs` times (10 by default) with this checkout first
on PYTHONPATH, and prints the median with its spread (min-max, interquartile range).  With
``--baseline DIR`` it alternates with the same command run against the checkout in DIR (who goes
first rotates each round), so a before/after pair is measured on the same machine in the same
minutes; each side's line says which ovgui it imported.

    python scripts/measure_help_time.py [--runs 10] [--baseline /path/to/old/checkout]

Exit status: 0, or 2 with ``error: ...`` when a run fails or the baseline is not a checkout.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from paired_rounds import BadInput, machine_line, program_beside_python, round_order, run_program

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 60.0
WHERE_FROM = "import ovgui; print(ovgui.__file__)"


def side_env(checkout: Path) -> dict[str, str]:
    """The environment that makes `checkout`'s ovgui the one imported (ahead of any installed copy)."""
    return {**os.environ, "PYTHONPATH": str(checkout)}


def imported_from(checkout: Path) -> str:
    """Where the ovgui a side runs comes from, asked the way the console script will import it."""
    done = run_program([sys.executable, "-c", WHERE_FROM], "python", TIMEOUT_S, env=side_env(checkout))
    return done.stdout.strip()


def timed_run(command: list[str], checkout: Path) -> float:
    """Seconds from starting the process to its exit."""
    start = time.perf_counter()
    run_program(command, "ovgui-profile --help", TIMEOUT_S, env=side_env(checkout))
    return time.perf_counter() - start


def spread_line(name: str, seconds: list[float]) -> str:
    q1, _, q3 = statistics.quantiles(seconds, n=4, method="inclusive") if len(seconds) > 1 else (seconds[0],) * 3
    return (f"{name}: median {statistics.median(seconds):.3f} s over {len(seconds)} runs "
            f"(min-max {min(seconds):.3f}-{max(seconds):.3f}, IQR {q1:.3f}-{q3:.3f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="fresh processes per side (default: 10)")
    parser.add_argument("--baseline", type=Path, metavar="DIR", help="another checkout to alternate with (its root)")
    args = parser.parse_args()
    try:
        if args.runs < 1:
            raise BadInput("--runs must be at least 1")
        if args.baseline is not None and not (args.baseline / "ovgui" / "cli.py").is_file():
            raise BadInput(f"{args.baseline} is not an ovgui checkout (no ovgui/cli.py)")
        sides = {"this checkout": ROOT, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
        command = [program_beside_python("ovgui-profile"), "--help"]
        with tempfile.TemporaryDirectory() as cwd:
            os.chdir(cwd)  # a folder holding no ovgui, so PYTHONPATH alone decides which one is imported
            print(f"command: cd {cwd} && PYTHONPATH=<checkout> {' '.join(command)}")
            for name, checkout in sides.items():
                print(f"  {name}: PYTHONPATH={checkout} imports {imported_from(checkout)}")
            print(machine_line())
            seconds: dict[str, list[float]] = {name: [] for name in sides}
            for index in range(args.runs):
                for name in round_order(index, tuple(sides)):
                    seconds[name].append(timed_run(command, sides[name]))
        for name, values in seconds.items():
            print(spread_line(name, values))
    except BadInput as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

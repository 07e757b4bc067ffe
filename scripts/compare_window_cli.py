"""Is a run in the window as fast as the same run in `ovgui-profile`?  Process against process.

Each round runs the window, `ovgui MODEL IMAGE --run --iterations N --report A.json
--exit-after-run` (on the current display, or offscreen when there is none; the header says
which), and the CLI, `ovgui-profile MODEL IMAGE -n N --json B.json`, in turns (who goes first
rotates), each a new process that reads and compiles the model.  Each round gives one ratio
window / CLI of the reports' median latency (and of their throughput, for information; in
`--mode throughput` the throughput is judged).  The verdict is the median of the paired
per-round ratios with their spread: "too noisy" instead of PASS when the middle half of the
rounds spans more than the bar's margin.  Both reports' read-back compiled settings are
printed, since a difference there would explain a gap better than the window would.

Anything after `--` goes to both programs (e.g. `-- -d CPU --nstreams 1`).

Exit status: 0 pass, 1 fail, 2 bad input or a failed run (`error: ...`), 3 too noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from paired_rounds import (
    BadInput,
    Verdict,
    compiled_settings,
    machine_line,
    parse_shared,
    program_beside_python,
    read_json,
    run_program,
    run_rounds,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEFAULT_MODEL = SHARED / "models" / "classification" / "squeezenet1.1" / "FP16" / "squeezenet1.1.xml"
DEFAULT_IMAGE = SHARED / "images" / "dog.jpg"
SIDES = ("window", "cli")
TIMEOUT_MARGIN_S = 300
TIMEOUT_PER_ITERATION_S = 1.0


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    path: tuple[str, ...]
    higher_is_better: bool
    default_bar: float

    def read(self, report: dict) -> float:
        value = report
        for key in self.path:
            value = value[key]
        return float(value)


LATENCY = Metric("median latency", "ms", ("latency_ms", "median"), False, 1.03)
THROUGHPUT = Metric("throughput", "FPS", ("throughput_fps",), True, 0.97)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", nargs="?", type=Path, default=DEFAULT_MODEL, help="model (default: SqueezeNet 1.1)")
    parser.add_argument("image", nargs="?", type=Path, default=DEFAULT_IMAGE, help="image (default: dog.jpg)")
    parser.add_argument("--iterations", type=int, default=200, help="timed iterations per run (default 200)")
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds (default 7)")
    parser.add_argument("--mode", default="latency", choices=("latency", "throughput"),
                        help="the run mode given to both; throughput mode judges the throughput")
    parser.add_argument("--bar", type=float, help="bar on the judged ratio (default: latency <= 1.03, throughput >= 0.97)")
    parser.add_argument("--json", type=Path, dest="json_out", metavar="OUT", help="also write the results as JSON")
    return parse_shared(parser, argv)


def window_environment() -> tuple[dict[str, str], str]:
    """The window's environment and a line saying where it draws: the current display, or offscreen."""
    env = dict(os.environ)
    if env.get("QT_QPA_PLATFORM"):
        return env, f"QT_QPA_PLATFORM={env['QT_QPA_PLATFORM']} (as set)"
    for variable in ("WAYLAND_DISPLAY", "DISPLAY"):
        if env.get(variable):
            return env, f"{variable}={env[variable]} (the current display)"
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env, "QT_QPA_PLATFORM=offscreen (no display)"


class Sides:
    def __init__(self, args: argparse.Namespace, folder: Path) -> None:
        self.args, self.folder = args, folder
        self.window = program_beside_python("ovgui")
        self.cli = program_beside_python("ovgui-profile")
        self.window_env, self.platform = window_environment()
        self.metrics = (LATENCY, THROUGHPUT) if args.mode == "latency" else (THROUGHPUT, LATENCY)
        self.timeout_s = TIMEOUT_MARGIN_S + args.iterations * TIMEOUT_PER_ITERATION_S

    def common(self) -> list[str]:
        return [str(self.args.model), str(self.args.image), "--mode", self.args.mode, *self.args.shared]

    def run(self, side: str, round_index: int) -> tuple[list[float], str]:
        out = self.folder / f"round{round_index + 1}-{side}.json"
        n = str(self.args.iterations)
        if side == "window":
            command = [self.window, *self.common(), "--run", "--iterations", n, "--report", str(out), "--exit-after-run"]
            run_program(command, "the window (ovgui)", self.timeout_s, self.window_env)
        else:
            command = [self.cli, *self.common(), "-n", n, "--json", str(out), "-q"]
            run_program(command, "ovgui-profile", self.timeout_s)
        report = read_json(out, side)
        done = report["latency_ms"].get("count") or len(report["latency_ms"]["samples"])
        if done != self.args.iterations:
            raise BadInput(f"the {side} ran {done} iterations, not {self.args.iterations}")
        return [metric.read(report) for metric in self.metrics], compiled_settings(report)


def check(args: argparse.Namespace) -> None:
    for name, value in (("--iterations", args.iterations), ("--rounds", args.rounds)):
        if value < 1:
            raise BadInput(f"{name} must be at least 1")
    if args.bar is not None and args.bar <= 0:
        raise BadInput("--bar must be more than 0")
    for path in (args.model, args.image):
        if not path.is_file():
            raise BadInput(f"not found: {path}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        check(args)
        args.model, args.image = args.model.resolve(), args.image.resolve()
        with tempfile.TemporaryDirectory(prefix="ovgui-window-vs-cli-") as temp:
            sides = Sides(args, Path(temp))
            print(f"model:     {args.model}")
            print(f"image:     {args.image}")
            shared = " ".join(args.shared) or "none"
            print(f"per run:   {args.iterations} iterations, {args.mode} mode, shared options: {shared}; rounds: {args.rounds}")
            print(f"window:    {sides.window} --run --exit-after-run, drawing on {sides.platform}")
            print(f"cli:       {sides.cli}")
            print(f"machine:   {machine_line()}")
            print()
            titles = "".join(f"{side + ' ' + metric.unit:>16}" for metric in sides.metrics for side in SIDES)
            ratio_titles = "".join(f"{'ratio ' + metric.unit:>12}" for metric in sides.metrics)
            print(f"{'round':<7}{titles}{ratio_titles}", flush=True)
            ratios, rows, used = run_rounds(args.rounds, SIDES, sides.run, 16)
    except BadInput as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print()
    print(f"read back: window {used['window']}")
    print(f"           cli    {used['cli']}")
    verdicts = []
    for position, (metric, metric_ratios) in enumerate(zip(sides.metrics, ratios)):
        judged = position == 0
        bar = args.bar if args.bar is not None and judged else metric.default_bar
        verdicts.append(Verdict(metric_ratios, bar, metric.higher_is_better))
        print(verdicts[-1].line(f"{metric.name} window / CLI" + ("" if judged else " (for information)")))
    print(f"machine now: {machine_line()}")
    if args.json_out:
        data = {"model": str(args.model), "image": str(args.image), "iterations": args.iterations, "mode": args.mode,
                "shared_options": args.shared, "window_platform": sides.platform, "read_back": used, "rounds": rows,
                "verdicts": {metric.name: verdict.as_dict() for metric, verdict in zip(sides.metrics, verdicts)}}
        args.json_out.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return verdicts[0].exit_code


if __name__ == "__main__":
    sys.exit(main())

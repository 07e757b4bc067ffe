"""Does a sweep's best point beat the defaults?  The best of `ovgui-profile --sweep` against the
device's default throughput configuration and benchmark_app's `-hint throughput`, process against process.

Three models from ../shared/models of different weight: SqueezeNet 1.1 (a small IR), YOLOv5n
(ONNX, FP16 input) and the OMZ detector person-vehicle-bike-detection-2002 (an IR, 512x512); or
the ones given with `--model`.

Per model, first the sweep: `ovgui-profile MODEL IMAGE --sweep nstreams=1,2 nireq=1..4 --repeats 2
--time 5` (the axes, repeats and run length are options).  It runs every point and, beside them,
the device's default throughput configuration (THROUGHPUT hint, streams and requests left to the
device), round-robin, in one process, and names the point of highest throughput.  A best picked
as the highest of noisy figures is flattered by the pick (its luckiest repeats won it), so the
sweep's own best / default is printed but not trusted: the rounds measure again.

Then `--rounds` rounds (default 5).  Each round runs four programs, each a new process, each for
the same `--time` (default 10 s; benchmark_app's `-t`, ovgui-profile's `--time`), in an order that
rotates every round:

  ovgui default   ovgui-profile --mode throughput (the THROUGHPUT hint, streams and requests the device's)
  ovgui best      ovgui-profile --mode throughput --nstreams N --nireq M (the sweep's best point, as the sweep ran it)
  bapp hint       benchmark_app -api async -hint throughput
  bapp best       benchmark_app -api async -hint none -nstreams N -nireq M

benchmark_app takes -nstreams only with `-hint none`, and then the CPU plugin compiles under its own
default hint (LATENCY) with the streams given; ovgui-profile's best point keeps the THROUGHPUT
hint with the same streams.  The streams, threads and requests each side read back are printed:
they are what was compiled.  Both tools are fed the same tensor: ovgui's host preprocessing of the
photo, given to benchmark_app as a .npy (compare_benchmark_app.py explains why).  Per-layer counters
and the roofline are off in ovgui-profile, as in the sweep.  Throughput is frames over the wall time
of the asynchronous loop in both tools.

Each round gives paired ratios of throughput (above 1: the first is faster), and per model the
median of each over the rounds is printed with its spread:

  ovgui best / ovgui default        the sweep's gain, measured again by the tool that swept
  bapp best / bapp hint             the fair pairing for "does the best beat -hint throughput":
                                    the same program, only the configuration differs
  ovgui best / bapp hint            the issue's question as asked, across programs: it mixes the
                                    configuration's gain with the tools' difference, which the next
                                    ratio shows
  ovgui default / bapp hint         the two tools on the same default configuration

A ratio is called better or worse only when the middle half of its rounds (the IQR) lies wholly
above or below 1, and there are at least 3 rounds; otherwise "no clear difference".  Beside the best
point the sweep prints its twin: the swept point that compiled the streams and requests the default
did (2 streams x 2 requests on a 2-core machine); its difference from the default in the same sweep can only be noise, a
yardstick for the sweep's own best / default.  The machine's CPU, load average and CPU
pressure are printed before and after each model: other work on the machine moves every figure.

Exit status: 0 every model measured, 2 bad input or a model that failed (its one line says why;
the other models still run).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compare_benchmark_app import (
    BENCHMARK_REPORT,
    THROUGHPUT,
    TIMEOUT_MARGIN_S,
    Inputs,
    Settings,
    benchmark_app_command,
    benchmark_app_settings,
    ovgui_inputs,
)
from paired_rounds import (
    MIN_ROUNDS_FOR_A_VERDICT,
    BadInput,
    Verdict,
    compiled_settings,
    program_beside_python,
    read_json,
    round_order,
    rounds_parser,
    run_program,
    run_round,
)

from ovgui.core.errors import OvguiError
from ovgui.core.options import BY_NAME, RunConfig
from ovgui.core.sweep_options import grid, parse_axis, point_name

SHARED = Path(__file__).resolve().parents[2] / "shared"
MODELS = SHARED / "models"
DEFAULT_IMAGE = SHARED / "images" / "bus.jpg"
DEFAULT_MODELS = (
    MODELS / "classification" / "squeezenet1.1" / "FP16" / "squeezenet1.1.xml",
    MODELS / "yolo" / "yolov5n_fp16.onnx",
    MODELS / "omz" / "person-vehicle-bike-detection-2002" / "FP16" / "person-vehicle-bike-detection-2002.xml",
)
DEVICE = "CPU"
SIDES = ("ovgui default", "ovgui best", "bapp hint", "bapp best")
RATIOS = (
    ("ovgui best", "ovgui default", "ovgui best / ovgui default", "the sweep's gain, same tool"),
    ("bapp best", "bapp hint", "bapp best / bapp hint", "best vs -hint throughput, same tool (the fair pairing)"),
    ("ovgui best", "bapp hint", "ovgui best / bapp hint", "best vs -hint throughput, across tools (as the issue asks)"),
    ("ovgui default", "bapp hint", "ovgui default / bapp hint", "the two tools on the same default"),
)
BENCHMARK_APP_FLAGS = {"nstreams": "-nstreams", "nireq": "-nireq"}
QUICK = {"rounds": 2, "time_s": 2, "sweep_time_s": 1, "repeats": 1, "nstreams": "1,2", "nireq": "1,2"}
SWEEP_RUN_MARGIN_S = 30
COLUMN = 15


@dataclass
class Best:
    """The sweep's best point: its settings, and the sweep's own figures for it and for the default;
    and the swept point that compiled as the default did (its twin), whose difference from the
    default in the same sweep can only be noise."""

    settings: dict[str, Any]
    reason: str
    fps: float
    default_fps: float
    streams: int
    requests: int
    default_streams: int
    default_requests: int
    twin_name: str
    twin_fps: float


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = rounds_parser(__doc__, DEFAULT_IMAGE, "the photo preprocessed for every run (default: bus.jpg)",
                           iterations=False)
    parser.add_argument("--time", type=int, default=10, dest="time_s", metavar="S",
                        help="seconds per run in the rounds, both tools (default 10)")
    parser.add_argument("--sweep-time", type=int, default=5, dest="sweep_time_s", metavar="S",
                        help="seconds per run of the sweep (default 5)")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each sweep point, round-robin (default 2)")
    parser.add_argument("--nstreams", default="1,2", help="the sweep's streams axis, as --sweep takes it (default 1,2)")
    parser.add_argument("--nireq", default="1..4", help="the sweep's requests axis (default 1..4)")
    parser.add_argument("--model", type=Path, action="append", dest="models", metavar="PATH",
                        help="a model to measure instead of the three (repeat for more)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 2 rounds of 2 s, a sweep of nstreams 1,2 x nireq 1,2 once for 1 s")
    args = parser.parse_args(argv)
    if args.quick:
        vars(args).update(QUICK)
    args.models = args.models or list(DEFAULT_MODELS)
    for name in ("rounds", "time_s", "sweep_time_s", "repeats"):
        if getattr(args, name) < 1:
            raise BadInput(f"--{name.removesuffix('_s').replace('_', '-')} must be at least 1")
    if not args.image.is_file():
        raise BadInput(f"not found: {args.image}")
    args.axes = [f"nstreams={args.nstreams}", f"nireq={args.nireq}"]
    args.points = len(grid([parse_axis(axis) for axis in args.axes]))
    return args


def cpu_model() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        return "CPU model unknown"
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "CPU model unknown")


def load_text() -> str:
    """The load average and, where the kernel keeps it, the share of the last 10 s some task waited for a CPU."""
    one, five, _fifteen = os.getloadavg()
    try:
        pressure = Path("/proc/pressure/cpu").read_text(encoding="utf-8").split()[1].removeprefix("avg10=")
        waited = f", CPU pressure avg10 {pressure}%"
    except (OSError, IndexError):
        waited = ""
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min){waited}"


def sweep(model: Path, args: argparse.Namespace, inputs: Inputs, folder: Path) -> Best:
    """Run ovgui-profile's sweep, print its table, and read its best point from the JSON it wrote."""
    out = folder / "sweep.json"
    command = [program_beside_python("ovgui-profile"), str(model), str(args.image), "-d", DEVICE,
               "--sweep", *args.axes, "--repeats", str(args.repeats), "--time", str(args.sweep_time_s),
               *shape_option(inputs), "--json", str(out), "-q"]
    runs = (args.points + 1) * args.repeats
    started = time.perf_counter()
    done = run_program(command, "ovgui-profile --sweep", TIMEOUT_MARGIN_S + runs * (args.sweep_time_s + SWEEP_RUN_MARGIN_S))
    print(f"sweep: {' '.join(args.axes)} ({args.points} points) and the device default, {args.repeats} repeat(s) "
          f"of {args.sweep_time_s} s each, round-robin, one process: {time.perf_counter() - started:.0f} s")
    print("\n".join(f"  {line}" for line in done.stdout.splitlines()))
    found = read_json(out, "ovgui-profile --sweep").get("sweep") or {}
    best = found.get("best") or {}
    if best.get("index", -1) < 0:
        raise BadInput(f"the sweep named no best point: {best.get('reason') or 'every point failed'}")
    point = found["points"][best["index"]]
    default = next(point for point in found["points"] if point["baseline"])
    compiled = (default["streams"], default["requests"])
    twin: dict[str, Any] = next((other for other in found["points"] if not other["baseline"] and not other["error"]
                 and (other["streams"], other["requests"]) == compiled), {"name": "", "throughput_fps": 0.0})
    return Best(best["settings"], best["reason"], point["throughput_fps"], default["throughput_fps"],
                point["streams"], point["requests"], *compiled, twin["name"], twin["throughput_fps"])


def shape_option(inputs: Inputs) -> list[str]:
    """A dynamic model gets the static shape ovgui's preprocessing chose, as benchmark_app does (`-shape`)."""
    return ["--shape", ",".join(map(str, inputs.shapes[inputs.dynamic[0]]))] if inputs.dynamic else []


class Sides:
    """Runs one of the four programs of a round for one model; returns its throughput and what it compiled."""

    def __init__(self, model: Path, args: argparse.Namespace, inputs: Inputs, best: Best, folder: Path) -> None:
        self.model, self.args, self.inputs, self.best, self.folder = model, args, inputs, best, folder
        self.ovgui = program_beside_python("ovgui-profile")
        self.benchmark_app = program_beside_python("benchmark_app")
        self.timeout_s = TIMEOUT_MARGIN_S + args.time_s

    def run(self, side: str, round_index: int) -> tuple[list[float], str]:
        folder = self.folder / f"round{round_index + 1}-{side.replace(' ', '-')}"
        folder.mkdir()
        return self.run_ovgui(side, folder) if side.startswith("ovgui") else self.run_benchmark_app(side, folder)

    def run_ovgui(self, side: str, folder: Path) -> tuple[list[float], str]:
        tuned = [part for name, value in self.best.settings.items()
                 for part in (BY_NAME[name].flags[0], str(value))] if side == "ovgui best" else []
        command = [self.ovgui, str(self.model), str(self.args.image), "-d", DEVICE, "--mode", "throughput",
                   "--time", str(self.args.time_s), "--no-layers", "--no-roofline", *tuned, *shape_option(self.inputs),
                   "--json", str(folder / "report.json"), "-q"]
        run_program(command, f"ovgui-profile ({side})", self.timeout_s)
        report = read_json(folder / "report.json", "ovgui-profile")
        return [float(report["throughput_fps"])], compiled_settings(report)

    def run_benchmark_app(self, side: str, folder: Path) -> tuple[list[float], str]:
        best = side == "bapp best"
        settings = Settings("throughput", self.model, self.args.image, DEVICE, None, "none" if best else "throughput",
                            None, self.args.time_s, None, None, None)
        command = benchmark_app_command(self.benchmark_app, settings, self.inputs, folder)
        if best:
            command += [part for name, value in self.best.settings.items()
                        for part in (BENCHMARK_APP_FLAGS[name], str(value))]
        done = run_program(command, f"benchmark_app ({side})", self.timeout_s)
        report = read_json(folder / BENCHMARK_REPORT, "benchmark_app")
        return [THROUGHPUT.from_benchmark_app(report)], benchmark_app_settings(report, done.stdout)


def judgement(verdict: Verdict) -> str:
    if len(verdict.ratios) < MIN_ROUNDS_FOR_A_VERDICT:
        return f"too few rounds to say (fewer than {MIN_ROUNDS_FOR_A_VERDICT})"
    q1, q3 = verdict.quartiles
    if q1 > 1:
        return "better"
    if q3 < 1:
        return "worse"
    return "no clear difference (the IQR spans 1)"


def measure(model: Path, args: argparse.Namespace, folder: Path) -> dict:
    """One model: the sweep, then the rounds; prints as it goes and returns what it found."""
    before = load_text()
    print(f"\n{model}\nmachine before: {before}", flush=True)
    inputs = ovgui_inputs(model, args.image, RunConfig(), folder)
    best = sweep(model, args, inputs, folder)
    print(f"best point: {point_name(best.settings)}, read back {best.streams} stream(s) × {best.requests} request(s); "
          f"the device default read back {best.default_streams} stream(s) × {best.default_requests} request(s)")
    print(f"the sweep's own best / default: {best.fps:.1f} / {best.default_fps:.1f} FPS = "
          f"{best.fps / best.default_fps:.3f} (flattered by the pick; the rounds measure again)")
    if (best.streams, best.requests) == (best.default_streams, best.default_requests):
        print("the best point compiles the streams and requests the device picks by default: "
              "best against default can differ only by noise")
    if best.twin_name:
        print(f"the sweep's noise: {best.twin_name} compiles as the default does; the sweep measured "
              f"{best.twin_fps:.1f} / {best.default_fps:.1f} FPS = {best.twin_fps / best.default_fps:.3f} for it")
    print(f"rounds: {args.rounds} × 4 runs of {args.time_s} s, each a new process, the order rotating; throughput in FPS")
    print(f"{'round':<7}{''.join(f'{side:>{COLUMN}}' for side in SIDES)}   order", flush=True)
    sides = Sides(model, args, inputs, best, folder)
    rows: list[dict[str, float]] = []
    used: dict[str, str] = {}
    for index in range(args.rounds):
        values, used = run_round(index, SIDES, sides.run)
        rows.append({side: values[side][0] for side in SIDES})
        order = " > ".join(side for side in round_order(index, SIDES))
        print(f"{index + 1:<7}{''.join(f'{rows[-1][side]:>{COLUMN}.1f}' for side in SIDES)}   {order}", flush=True)
    print("read back (last round):")
    for side in SIDES:
        print(f"  {side:<15}{used[side]}")
    verdicts = {}
    for first, second, title, meaning in RATIOS:
        verdict = Verdict([row[first] / row[second] for row in rows], 1.0, higher_is_better=True)
        verdicts[title] = verdict
        print(f"{title:<27}{verdict.spread(3)}: {judgement(verdict)}  [{meaning}]")
    after = load_text()
    print(f"machine after: {after}", flush=True)
    return {"model": str(model), "best": vars(best), "rounds": rows, "read_back": used, "load": [before, after],
            "ratios": {title: {"ratios": verdict.ratios, "median": verdict.median, "quartiles": verdict.quartiles,
                               "judgement": judgement(verdict)} for title, verdict in verdicts.items()}}


def one_line(error: Exception) -> str:
    """A failure in one line: what failed, and the last thing the failing program said."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if len(lines) < 2 else f"{lines[0]} — {lines[-1]}"


def print_summary(results: list[dict]) -> None:
    if not results:
        return
    print("\nsummary: the sweep's own best / default and twin / default (the point that compiled as the default "
          "did: noise), then the medians of the paired per-round throughput ratios (IQR)")
    print(f"{'model':<36}{'best point':<22}{'sweep best':>11}{'sweep twin':>11}"
          + "".join(f"{title:>30}" for *_, title, _ in RATIOS))
    for result in results:
        best = result["best"]
        twin = f"{best['twin_fps'] / best['default_fps']:>11.3f}" if best["twin_name"] else f"{'-':>11}"
        cells = "".join(f"{ratio['median']:>14.3f} ({ratio['quartiles'][0]:.3f}-{ratio['quartiles'][1]:.3f})"
                        for ratio in result["ratios"].values())
        print(f"{Path(result['model']).stem:<36}{point_name(best['settings']):<22}"
              f"{best['fps'] / best['default_fps']:>11.3f}{twin}{cells}")


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse_args(argv)
        missing = [str(model) for model in args.models if not model.is_file()]
        if missing:
            raise BadInput(f"not found: {', '.join(missing)}")
    except (BadInput, OvguiError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"machine: {cpu_model()}, {os.cpu_count()} CPUs; {load_text()}")
    print(f"image: {args.image}; device {DEVICE}; rounds: {args.rounds} of {args.time_s} s per run; "
          f"sweep: {' '.join(args.axes)}, {args.repeats} repeat(s) of {args.sweep_time_s} s")
    results, failed = [], 0
    for model in args.models:
        with tempfile.TemporaryDirectory(prefix="ovgui-sweep-vs-default-") as temp:
            try:
                results.append(measure(model, args, Path(temp)))
            except (BadInput, OvguiError) as error:
                failed += 1
                print(f"error: {model.name}: {one_line(error)}", file=sys.stderr, flush=True)
    print_summary(results)
    print(f"\nmachine now: {load_text()}")
    if args.json_out:
        args.json_out.write_text(json.dumps({"settings": {key: str(value) if isinstance(value, Path) else value
                                                          for key, value in vars(args).items() if key != "models"},
                                             "cpu": cpu_model(), "models": results}, indent=1), encoding="utf-8")
    return 2 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

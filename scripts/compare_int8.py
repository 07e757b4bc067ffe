"""FP32 against INT8: how much faster is the INT8 IR NNCF makes than its source, process against process.

Three models from ../shared/models: SqueezeNet 1.1 (an IR), YOLOv5n (ONNX) and the OMZ detector
person-vehicle-bike-detection-2002 (an IR).  Each is quantized once, into a temporary folder, with
`ovgui-profile MODEL --quantize CALIB_DIR --save-ir TMP/NAME-int8.xml` (CALIB_DIR: the photos in
../shared/images, all of them).  That is a smoke calibration: a handful of images make INT8 ranges
good enough to time the INT8 model, not to judge its accuracy.  The quantization's wall time is
printed with ovgui's own line (which gives NNCF's share), and both models' size on disk (an IR's
.xml and .bin, or the .onnx).

"Source" is the model file as it is: these are FP16 files on disk (the shared folder has no FP32
copies), and OpenVINO computes them at the device's inference precision.  On CPUs with AMX or
AVX512-BF16 that precision is bf16 by default, not f32; add `-- --precision f32` to compare INT8
against f32 arithmetic.  The INT8 IR's layers that stay in floating point run at that precision too.

Each round runs, for the source and then for the INT8 IR (who goes first rotates every round),
`ovgui-profile MODEL IMAGE --no-layers -n N --json …` (sync latency mode, no per-layer profiling,
so both time the bare inference) and, as a cross-check from a second tool, OpenVINO's
`benchmark_app -api sync -hint latency -niter N` on the same file, each a new process.
benchmark_app is fed the tensor ovgui's host preprocessing makes of the photo, as a .npy in the
element type the model declares (compare_benchmark_app.py explains why), and its median latency is
read from its `-json_stats` report (`-latency_percentile 50`), or from the "Median:" line of its
log should the report lack it.  Each round gives one ratio per tool, source / INT8 median latency
(above 1: INT8 is faster by that factor); printed per model is the median of the paired per-round
ratios with their spread, and what each side read back (inference precision, streams, threads).

Anything after `--` goes to every ovgui-profile command (the quantization too, so the calibration
images are preprocessed as the runs' are); the device, hint, precision, streams and threads among
them go to benchmark_app as well.  The script compares sync latency, so `--mode` and the run length
(`-n`, `--time`) are its own to set.  Exit status: 0 done, 2 bad input or a failed run.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from compare_benchmark_app import (
    BENCHMARK_REPORT,
    LATENCY,
    TIMEOUT_MARGIN_S,
    TIMEOUT_PER_ITERATION_S,
    Inputs,
    Settings,
    benchmark_app_command,
    benchmark_app_settings,
    ovgui_inputs,
)
from paired_rounds import (
    BadInput,
    Verdict,
    compiled_settings,
    machine_line,
    parse_rounds,
    program_beside_python,
    read_json,
    rounds_parser,
    run_program,
    run_rounds,
)

from ovgui.cli import profile_parser, run_config
from ovgui.core.errors import OvguiError
from ovgui.core.model import model_file_size
from ovgui.core.options import RunConfig

SHARED = Path(__file__).resolve().parents[2] / "shared"
MODELS = SHARED / "models"
DEFAULT_IMAGE = SHARED / "images" / "bus.jpg"
DEFAULT_CALIBRATION = SHARED / "images"
SIDES = ("source", "int8")
TOOLS = ("ovgui-profile", "benchmark_app")
QUANTIZE_TIMEOUT_S = 1800
MEDIAN_ON_STDOUT = re.compile(r"Median:\s*([0-9.]+)\s*ms")
RUN_LENGTH_OPTIONS = {"mode": "--mode", "iterations": "-n/--iterations", "duration_s": "-t/--time"}
COLUMN = 17


@dataclass(frozen=True)
class Case:
    name: str
    path: Path


CASES = (
    Case("SqueezeNet 1.1 (FP16 IR, 227x227)", MODELS / "classification" / "squeezenet1.1" / "FP16" / "squeezenet1.1.xml"),
    Case("YOLOv5n (FP16 ONNX, 640x640)", MODELS / "yolo" / "yolov5n_fp16.onnx"),
    Case("person-vehicle-bike-detection-2002 (FP16 IR, 512x512)",
         MODELS / "omz" / "person-vehicle-bike-detection-2002" / "FP16" / "person-vehicle-bike-detection-2002.xml"),
)


@dataclass
class Pair:
    """One model and its INT8 IR, with the tensors ovgui feeds each (saved for benchmark_app)."""

    case: Case
    int8: Path
    inputs: dict[str, Inputs]

    def path(self, side: str) -> Path:
        return self.case.path if side == "source" else self.int8


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = rounds_parser(__doc__, DEFAULT_IMAGE, "the photo timed (default: bus.jpg)")
    parser.add_argument("--calibration", type=Path, default=DEFAULT_CALIBRATION,
                        help="folder of calibration images (default: ../shared/images)")
    args = parse_rounds(parser, argv)
    for path in (args.image, args.calibration, *(case.path for case in CASES)):
        if not path.exists():
            raise BadInput(f"not found: {path}")
    args.config = shared_config(args.shared)
    return args


def shared_config(shared: list[str]) -> RunConfig:
    """The options after `--` as ovgui-profile itself reads them (its own parser, so they are
    declared once); the run's mode and length stay the script's."""
    namespace = profile_parser().parse_args(shared)
    taken = [flag for name, flag in RUN_LENGTH_OPTIONS.items() if hasattr(namespace, name)]
    if taken or namespace.model or namespace.images:
        raise BadInput(f"after --, give options only, and not {', '.join(taken) or 'a model or an image'}: "
                       "the script runs sync latency mode for its own --iterations")
    try:
        return run_config(namespace)
    except OvguiError as error:
        raise BadInput(str(error)) from None


def quantize(case: Case, args: argparse.Namespace, folder: Path) -> tuple[Path, dict]:
    """The INT8 IR of `case`, and how long the quantizing process took (with ovgui's own line)."""
    out = folder / f"{case.path.stem}-int8.xml"
    command = [program_beside_python("ovgui-profile"), str(case.path), "--quantize", str(args.calibration),
               "--save-ir", str(out), *args.shared]
    started = time.perf_counter()
    done = run_program(command, "ovgui-profile --quantize", QUANTIZE_TIMEOUT_S)
    wall_s = time.perf_counter() - started
    said = next((line for line in done.stdout.splitlines() if line.startswith("quantized ")), "")
    return out, {"wall_s": wall_s, "ovgui_says": said}


def benchmark_app_report(report_folder: Path) -> dict:
    """benchmark_app's `-json_stats` report, or nothing when it wrote none readable (its log still has the figures)."""
    try:
        return json.loads((report_folder / BENCHMARK_REPORT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def benchmark_app_median(report: dict, stdout: str) -> float:
    """benchmark_app's median latency: from its JSON report, else from the "Median:" line of its log."""
    try:
        return LATENCY.from_benchmark_app(report)
    except (BadInput, ValueError):
        pass
    found = MEDIAN_ON_STDOUT.findall(stdout)
    if not found:
        raise BadInput(f"benchmark_app reported no median latency (no {BENCHMARK_REPORT}, no 'Median:' line)")
    return float(found[-1])


class Sides:
    """Runs one side of a pair (the source or the INT8 IR) with both tools; returns both medians."""

    def __init__(self, args: argparse.Namespace, folder: Path) -> None:
        self.args, self.folder = args, folder
        self.ovgui = program_beside_python("ovgui-profile")
        self.benchmark_app = program_beside_python("benchmark_app")
        self.timeout_s = TIMEOUT_MARGIN_S + args.iterations * TIMEOUT_PER_ITERATION_S
        self.pair: Pair | None = None

    def run(self, side: str, round_index: int) -> tuple[list[float], str]:
        assert self.pair is not None
        model = self.pair.path(side)
        folder = self.folder / f"{model.stem}-round{round_index + 1}-{side}"
        folder.mkdir()
        command = [self.ovgui, str(model), str(self.args.image), "--no-layers", "-n", str(self.args.iterations),
                   "--json", str(folder / "report.json"), "-q", *self.args.shared]
        run_program(command, f"ovgui-profile on the {side} model", self.timeout_s)
        report = read_json(folder / "report.json", "ovgui-profile")
        done = run_program(benchmark_app_command(self.benchmark_app, self.settings(model), self.pair.inputs[side], folder),
                           f"benchmark_app on the {side} model", self.timeout_s)
        benchmark = benchmark_app_report(folder)
        medians = [float(report["latency_ms"]["median"]), benchmark_app_median(benchmark, done.stdout)]
        used = f"ovgui-profile  {compiled_settings(report)}\nbenchmark_app  {benchmark_app_settings(benchmark, done.stdout)}"
        return medians, used

    def settings(self, model: Path) -> Settings:
        config = self.args.config
        return Settings("latency", model, self.args.image, config.device, config.precision, config.hint or "latency",
                        self.args.iterations, None, config.nstreams, config.nthreads, None)


def prepare(case: Case, args: argparse.Namespace, folder: Path) -> tuple[Pair, dict]:
    """Quantize, then make the tensors ovgui feeds each side, for benchmark_app."""
    int8, quantized = quantize(case, args, folder)
    inputs = {}
    for side, model in (("source", case.path), ("int8", int8)):
        side_folder = folder / f"{case.path.stem}-{side}-inputs"
        side_folder.mkdir()
        inputs[side] = ovgui_inputs(model, args.image, args.config, side_folder)
    if inputs["source"].shapes != inputs["int8"].shapes:
        raise BadInput(f"{case.name}: the INT8 IR's inputs {inputs['int8'].shapes} differ from the source's "
                       f"{inputs['source'].shapes}")
    return Pair(case, int8, inputs), quantized


def print_model_header(pair: Pair, quantized: dict) -> dict[str, int]:
    sizes = {side: model_file_size(pair.path(side)) for side in SIDES}
    print(f"\n{pair.case.name}  ({pair.case.path})")
    print(f"quantized in {quantized['wall_s']:.1f} s (wall time of the ovgui-profile --quantize process, start-up included); "
          f"it said: {quantized['ovgui_says'] or '(no summary line)'}")
    print(f"size on disk: source {sizes['source'] / 1e6:.2f} MB, INT8 {sizes['int8'] / 1e6:.2f} MB "
          f"(INT8 / source {sizes['int8'] / sizes['source']:.2f})")
    print(f"machine: {machine_line()}")
    columns = "".join(f"{f'{tool} {side}':>{COLUMN}}" for tool in ("ovgui", "bapp") for side in ("source ms", "INT8 ms"))
    ratios = "".join(f"{f'{tool} src/INT8':>16}" for tool in ("ovgui", "bapp"))
    print(f"{'round':<7}{columns}{ratios}", flush=True)
    return sizes


def print_read_back(used: dict[str, str]) -> None:
    print("read back (last round):")
    for side, title in (("source", "source"), ("int8", "INT8")):
        for index, line in enumerate(used[side].splitlines()):
            print(f"  {title if index == 0 else '':<8}{line}")


def ratio_line(tool: str, verdict: Verdict) -> str:
    faster = "INT8 faster" if verdict.median >= 1 else "INT8 slower"
    return f"{tool}: source / INT8 median latency, {verdict.spread(2)}: {faster} ×{max(verdict.median, 1 / verdict.median):.2f}"


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse_args(argv)
        summary = []
        with tempfile.TemporaryDirectory(prefix="ovgui-fp32-vs-int8-") as temp:
            sides = Sides(args, Path(temp))
            print(f"calibration: every image in {args.calibration}: a smoke calibration, fine for latency, not for accuracy")
            print(f"image: {args.image}; per run: {args.iterations} iterations, sync latency, no per-layer profiling; "
                  f"rounds: {args.rounds}")
            print(f"options after --: {' '.join(args.shared) or 'none'} (benchmark_app: device {args.config.device}, "
                  f"precision {args.config.precision or 'the device default'}, hint {args.config.hint or 'latency'}, "
                  f"streams {args.config.nstreams or 'the hint'}, threads {args.config.nthreads or 'the device'})")
            for case in CASES:
                sides.pair, quantized = prepare(case, args, Path(temp))
                sizes = print_model_header(sides.pair, quantized)
                ratios, rows, used = run_rounds(args.rounds, SIDES, sides.run, COLUMN)
                print_read_back(used)
                verdicts = [Verdict(tool_ratios, 1.0, higher_is_better=True) for tool_ratios in ratios]
                for tool, verdict in zip(TOOLS, verdicts):
                    print(ratio_line(tool, verdict))
                summary.append({"model": case.name, "path": str(case.path), "quantize": quantized, "size_bytes": sizes,
                                "rounds": rows, "read_back": used,
                                "ratios": {tool: {"ratios": verdict.ratios, "median": verdict.median,
                                                  "quartiles": verdict.quartiles} for tool, verdict in zip(TOOLS, verdicts)}})
    except (BadInput, OvguiError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"\nmachine now: {machine_line()}")
    if args.json_out:
        data = {"iterations": args.iterations, "shared": args.shared, "models": summary}
        args.json_out.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

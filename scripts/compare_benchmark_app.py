"""Are ovgui's latency and throughput honest?  `ovgui-profile` against OpenVINO's `benchmark_app`, process against process.

Both tools run as programs, the same way: a new process per run, which reads and
compiles the model and times the steady inferences.  They take turns for `--rounds`
rounds (who goes first rotates), and each round gives one ratio ovgui / benchmark_app;
the verdict is the median of those paired ratios, with their spread (min-max and
interquartile range).  When the middle half of the rounds spans more than the bar's
margin (a bar of 1.03 allows 0.03) the script prints "too noisy", never PASS.

Same graph, same data: ovgui's default host preprocessing turns the photo into the
model's input tensor (f32, the model's layout and size) outside the graph.  The
script computes that tensor with ovgui's own preprocessing code and gives it to
benchmark_app as a .npy file (`-i input:file.npy`), so benchmark_app feeds exactly
the bytes ovgui feeds, in the element type the model declares: given the photo
itself, benchmark_app would add a u8 input and a conversion to the graph.  Inputs that
are not image-like get ovgui's zeros the same way.  A dynamic model gets the static
shape ovgui's preprocessing chose (or `--shape`), given to both tools (`--shape`,
`-shape`).

The numbers come from machine-readable output: ovgui's `--json` report (median latency,
throughput, and the compiled settings it read back) and benchmark_app's `-json_stats`
report (`-latency_percentile 50`: its "latency" is the median); benchmark_app's compiled
settings come from step 8 of its log, where it prints the compiled model's properties.
Device, hint, precision, streams and threads are given to both and read back from both.

In throughput mode benchmark_app rounds `-niter` up to a multiple of its request count;
the script compiles the model once beforehand to learn OPTIMAL_NUMBER_OF_INFER_REQUESTS
and rounds the count up for both tools.

Exit status: 0 pass, 1 fail, 2 bad input or a failed run (`error: ...`), 3 too noisy.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openvino as ov
from paired_rounds import (
    BadInput,
    Verdict,
    compiled_settings,
    machine_line,
    program_beside_python,
    read_json,
    run_program,
    run_rounds,
)

from ovgui.core.decoders.families import guess_family
from ovgui.core.devices import resolve_device, shared_core
from ovgui.core.engines.openvino import HINTS, compile_properties
from ovgui.core.errors import OvguiError
from ovgui.core.inputs import open_source
from ovgui.core.model import describe_model, read_model
from ovgui.core.options import BY_NAME
from ovgui.core.preprocess import prepare_inputs
from ovgui.core.report import RunConfig
from ovgui.core.runner import declared_outputs

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEFAULT_MODEL = SHARED / "models" / "omz" / "face-detection-adas-0001" / "FP16" / "face-detection-adas-0001.xml"
DEFAULT_IMAGE = SHARED / "images" / "bus.jpg"
SIDES = ("ovgui", "benchmark_app")
BENCHMARK_REPORT = "benchmark_report.json"
REQUESTS_IN_REPORT = "number of parallel infer requests"
REQUESTS_ON_STDOUT = re.compile(r"(\d+) inference requests")
PROPERTY_ON_STDOUT = re.compile(r"^\[ INFO \]\s+([A-Z_]+): (.+)$", re.MULTILINE)
PRECISIONS = BY_NAME["precision"].choices
PRECISION_NAMES = {str(getattr(ov.Type, name)): name for name in PRECISIONS}
TIMEOUT_MARGIN_S = 300
TIMEOUT_PER_ITERATION_S = 1.0


@dataclass(frozen=True)
class Metric:
    """One compared number: where it is in each tool's report, and which direction is better."""

    name: str
    unit: str
    ovgui_path: tuple[str, ...]
    benchmark_key: str
    higher_is_better: bool
    default_bar: float

    def from_ovgui(self, report: dict) -> float:
        value = report
        for key in self.ovgui_path:
            value = value[key]
        return float(value)

    def from_benchmark_app(self, report: dict) -> float:
        """The value under the key containing `benchmark_key` in `execution_results` ("latency (ms)"
        does not match "avg latency")."""
        for key, value in report.get("execution_results", {}).items():
            if self.benchmark_key in key:
                return float(value)
        raise BadInput(f"benchmark_app's report has no {self.benchmark_key!r} in its execution_results")


LATENCY = Metric("median latency", "ms", ("latency_ms", "median"), "latency (ms)", False, 1.03)
THROUGHPUT = Metric("throughput", "FPS", ("throughput_fps",), "throughput", True, 0.97)
METRICS = {"latency": (LATENCY,), "throughput": (LATENCY, THROUGHPUT)}
API = {"latency": "sync", "throughput": "async"}


@dataclass
class Settings:
    """What both tools are told to do (a precision of None: the device's own, as neither tool is told one)."""

    mode: str
    model: Path
    image: Path
    device: str
    precision: str | None
    hint: str
    iterations: int | None
    time_s: int | None
    nstreams: int | None
    nthreads: int | None
    shape: list[int] | None

    def ovgui_config(self) -> RunConfig:
        return RunConfig(device=self.device, mode=self.mode, iterations=self.iterations, duration_s=self.time_s,
                         hint=self.hint, precision=self.precision, nstreams=self.nstreams, nthreads=self.nthreads,
                         input_shape=self.shape)

    @property
    def expected_s(self) -> float:
        return self.time_s if self.time_s is not None else self.iterations * TIMEOUT_PER_ITERATION_S


@dataclass(frozen=True)
class Inputs:
    """The tensors ovgui feeds, saved for benchmark_app, and what benchmark_app must be told about them."""

    files: dict[str, Path]
    shapes: dict[str, list[int]]
    dynamic: list[str]

    def benchmark_app_input(self) -> str:
        return ",".join(f"{name}:{path}" for name, path in self.files.items())

    def benchmark_app_precision(self) -> list[str]:
        """benchmark_app makes image-like inputs u8 on its own (and adds a conversion to the graph);
        each input is kept at the element type of the tensor ovgui feeds."""
        types = {name: ov.Type(np.load(path, mmap_mode="r").dtype).get_type_name() for name, path in self.files.items()}
        return ["-iop", ",".join(f"{name}:{kind}" for name, kind in types.items())]

    def benchmark_app_shape(self) -> list[str]:
        if not self.dynamic:
            return []
        return ["-shape", ",".join(f"{name}[{','.join(map(str, self.shapes[name]))}]" for name in self.dynamic)]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", nargs="?", type=Path, default=DEFAULT_MODEL,
                        help="model .xml/.onnx (default: face-detection-adas-0001)")
    parser.add_argument("image", nargs="?", type=Path, default=DEFAULT_IMAGE, help="photo ovgui preprocesses (default: bus.jpg)")
    parser.add_argument("--device", default="CPU")
    parser.add_argument("--precision", default="f32", choices=PRECISIONS, help="inference precision hint for both tools")
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--iterations", type=int, default=300, help="timed iterations per run (default 300)")
    length.add_argument("--time", type=int, dest="time_s", metavar="S", help="run each tool for S seconds instead")
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds (default 7)")
    parser.add_argument("--hint", choices=(*HINTS, "none"), help="performance hint for both tools (default: the mode's own)")
    parser.add_argument("--nstreams", type=int, help="NUM_STREAMS for both tools (default: the hint's choice)")
    parser.add_argument("--nthreads", type=int, help="INFERENCE_NUM_THREADS for both tools (default: the device's choice)")
    parser.add_argument("--shape",
                        help="static input shape N,C,H,W for a dynamic model (default: the one ovgui's preprocessing picks)")
    parser.add_argument("--mode", default="latency", choices=METRICS, help="sync latency (default) or async throughput")
    parser.add_argument("--bar", type=float, help="latency ratio bar (default 1.03; throughput mode: 0.97 on throughput)")
    parser.add_argument("--json", type=Path, dest="json_out", metavar="OUT", help="also write the results as JSON")
    args = parser.parse_args(argv)
    if args.time_s is not None:
        args.iterations = None
    args.hint = args.hint or args.mode
    return args


def check_numbers(args: argparse.Namespace) -> None:
    """Reject counts that cannot make a measurement before anything slow starts."""
    for name, value in (("--iterations", args.iterations), ("--time", args.time_s), ("--rounds", args.rounds),
                        ("--nstreams", args.nstreams), ("--nthreads", args.nthreads)):
        if value is not None and value < 1:
            raise BadInput(f"{name} must be at least 1")
    if args.bar is not None and args.bar <= 0:
        raise BadInput("--bar must be more than 0")
    for path in (args.model, args.image):
        if not path.is_file():
            raise BadInput(f"not found: {path}")


def parse_shape(text: str | None) -> list[int] | None:
    if text is None:
        return None
    try:
        dims = [int(part) for part in text.split(",")]
    except ValueError:
        raise BadInput(f"--shape should be numbers separated by commas, e.g. 1,3,640,640, not {text!r}") from None
    if any(dim < 1 for dim in dims):
        raise BadInput(f"--shape dimensions must be at least 1: {text}")
    return dims


def ovgui_inputs(model_path: Path, image_path: Path, config: RunConfig, folder: Path) -> Inputs:
    """ovgui's own preprocessing of the photo (host mode, as `ovgui-profile` runs by default), saved as .npy."""
    try:
        model = read_model(shared_core(), str(model_path))
        dynamic = [port.get_any_name() for port in model.inputs if port.get_partial_shape().is_dynamic]
        info = describe_model(model, str(model_path), False)
        image = next(open_source([str(image_path)]).frames()).image
        prepared = prepare_inputs(model, image, guess_family(declared_outputs(model)), info.format, config)
    except (OvguiError, StopIteration, RuntimeError) as error:
        raise BadInput(f"cannot prepare the input the way ovgui does: {error}") from None
    files, shapes = {}, {}
    for index, array in prepared.arrays.items():
        name = model.inputs[index].get_any_name()
        files[name] = folder / f"input{index}.npy"
        shapes[name] = list(array.shape)
        np.save(files[name], np.ascontiguousarray(array))
    return Inputs(files, shapes, dynamic)


def optimal_requests(settings: Settings) -> int:
    """OPTIMAL_NUMBER_OF_INFER_REQUESTS for the properties ovgui compiles with; benchmark_app asks the same property."""
    try:
        model = read_model(shared_core(), str(settings.model))
        if settings.shape and model.inputs[0].get_partial_shape().is_dynamic:
            model.reshape({model.inputs[0].get_any_name(): ov.PartialShape(settings.shape)})
        compiled = shared_core().compile_model(model, settings.device, compile_properties(settings.ovgui_config()))
        return int(compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
    except (OvguiError, RuntimeError, TypeError, ValueError) as error:
        raise BadInput(f"cannot compile {settings.model.name} to learn its request count: {error}") from None


def align_length(settings: Settings) -> str:
    """Throughput by iterations: both tools run ceil(n / requests) * requests frames. A note for the header."""
    if settings.mode != "throughput" or settings.iterations is None:
        return ""
    requests = optimal_requests(settings)
    asked = settings.iterations
    settings.iterations = math.ceil(asked / requests) * requests
    return f" ({requests} optimal infer requests{'' if asked == settings.iterations else f', {asked} rounded up'})"


def ovgui_command(program: str, settings: Settings, inputs: Inputs, out: Path) -> list[str]:
    length = ["--time", str(settings.time_s)] if settings.time_s is not None else ["-n", str(settings.iterations)]
    command = [program, str(settings.model), str(settings.image), "-d", settings.device, "--mode", settings.mode,
               *length, "--hint", settings.hint, "--precision", settings.precision, "--json", str(out), "-q"]
    if settings.nstreams is not None:
        command += ["--nstreams", str(settings.nstreams)]
    if settings.nthreads is not None:
        command += ["--nthreads", str(settings.nthreads)]
    if inputs.dynamic:
        command += ["--shape", ",".join(map(str, next(inputs.shapes[name] for name in inputs.dynamic)))]
    return command


def benchmark_app_command(program: str, settings: Settings, inputs: Inputs, report_folder: Path) -> list[str]:
    length = ["-t", str(settings.time_s)] if settings.time_s is not None else ["-niter", str(settings.iterations)]
    command = [program, "-m", str(settings.model), "-d", settings.device, "-api", API[settings.mode], *length,
               "-hint", settings.hint, "-i", inputs.benchmark_app_input(), *inputs.benchmark_app_precision(),
               *inputs.benchmark_app_shape(), "-latency_percentile", "50", "-report_type", "no_counters", "-json_stats",
               "-report_folder", str(report_folder)]
    if settings.precision is not None:
        command += ["-infer_precision", settings.precision]
    if settings.nstreams is not None:
        command += ["-nstreams", str(settings.nstreams)]
    if settings.nthreads is not None:
        command += ["-nthreads", str(settings.nthreads)]
    return command


def benchmark_app_settings(report: dict, stdout: str) -> str:
    """From step 8 of benchmark_app's log, where it prints the compiled model's properties."""
    found = dict(PROPERTY_ON_STDOUT.findall(stdout))
    precision = found.get("INFERENCE_PRECISION_HINT", "?")
    setup = report.get("configuration_setup", {})
    requests = setup.get(REQUESTS_IN_REPORT)
    if requests is None:
        match = REQUESTS_ON_STDOUT.search(stdout)
        requests = match.group(1) if match else 1
    return (f"hint {found.get('PERFORMANCE_HINT', '?')}, {found.get('NUM_STREAMS', '?')} stream(s), "
            f"{found.get('INFERENCE_NUM_THREADS', '?')} thread(s), {PRECISION_NAMES.get(precision, precision)}, "
            f"{requests} infer request(s)")


class Tools:
    """Runs each side once and returns its numbers (one per metric) and its read-back settings."""

    def __init__(self, settings: Settings, inputs: Inputs, folder: Path) -> None:
        self.settings, self.inputs, self.folder = settings, inputs, folder
        self.ovgui = program_beside_python("ovgui-profile")
        self.benchmark_app = program_beside_python("benchmark_app")
        self.metrics = METRICS[settings.mode]

    def run(self, side: str, round_index: int) -> tuple[list[float], str]:
        folder = self.folder / f"round{round_index + 1}-{side}"
        folder.mkdir()
        timeout = TIMEOUT_MARGIN_S + self.settings.expected_s
        if side == "ovgui":
            out = folder / "report.json"
            run_program(ovgui_command(self.ovgui, self.settings, self.inputs, out), "ovgui-profile", timeout)
            report = read_json(out, "ovgui-profile")
            return [metric.from_ovgui(report) for metric in self.metrics], compiled_settings(report)
        command = benchmark_app_command(self.benchmark_app, self.settings, self.inputs, folder)
        done = run_program(command, "benchmark_app", timeout)
        report = read_json(folder / BENCHMARK_REPORT, "benchmark_app")
        return [metric.from_benchmark_app(report) for metric in self.metrics], benchmark_app_settings(report, done.stdout)


def print_header(settings: Settings, tools: Tools, inputs: Inputs, length_note: str, rounds: int) -> None:
    length = f"{settings.time_s} s" if settings.time_s is not None else f"{settings.iterations} iterations"
    dtypes = {name: np.load(inputs.files[name], mmap_mode="r").dtype for name in inputs.shapes}
    tensors = ", ".join(f"{name} {shape} {dtypes[name]}" for name, shape in inputs.shapes.items())
    print(f"model:     {settings.model}")
    print(f"input:     {settings.image} as ovgui preprocesses it (host): {tensors}; the same .npy to benchmark_app")
    if inputs.dynamic:
        print(f"shape:     dynamic inputs {', '.join(inputs.dynamic)} set to the same static shape on both (--shape / -shape)")
    asked = [f"device {settings.device}", f"precision {settings.precision}", f"hint {settings.hint}",
             f"streams {settings.nstreams or 'hint'}", f"threads {settings.nthreads or 'device'}"]
    print(f"asked:     {', '.join(asked)}; {API[settings.mode]} API ({settings.mode} mode)")
    print(f"per run:   {length}{length_note}   rounds: {rounds}   OpenVINO {ov.get_version()}")
    print(f"programs:  {tools.ovgui}  vs  {tools.benchmark_app}, each run a new process, alternating")
    print(f"machine:   {machine_line()}")
    print()
    titles = "".join(f"{side + ' ' + metric.unit:>22}" for metric in tools.metrics for side in SIDES)
    ratios = "".join(f"{'ratio ' + metric.unit:>12}" for metric in tools.metrics)
    print(f"{'round':<7}{titles}{ratios}", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        check_numbers(args)
        device = resolve_device(args.device).name
        settings = Settings(args.mode, args.model.resolve(), args.image.resolve(), device, args.precision, args.hint,
                            args.iterations, args.time_s, args.nstreams, args.nthreads, parse_shape(args.shape))
        with tempfile.TemporaryDirectory(prefix="ovgui-vs-benchmark-app-") as temp:
            folder = Path(temp)
            inputs = ovgui_inputs(settings.model, settings.image, settings.ovgui_config(), folder)
            tools = Tools(settings, inputs, folder)
            print_header(settings, tools, inputs, align_length(settings), args.rounds)
            ratios, rows, used = run_rounds(args.rounds, SIDES, tools.run, 22)
    except (BadInput, OvguiError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print()
    print(f"read back: ovgui         {used['ovgui']}")
    print(f"           benchmark_app {used['benchmark_app']}")
    verdicts = []
    for metric, metric_ratios in zip(tools.metrics, ratios):
        judged = metric is tools.metrics[-1]
        bar = args.bar if args.bar is not None and judged else metric.default_bar
        verdicts.append(Verdict(metric_ratios, bar, metric.higher_is_better))
        print(verdicts[-1].line(f"{metric.name} ovgui / benchmark_app" + ("" if judged else " (for information)")))
    print(f"machine now: {machine_line()}")
    if args.json_out:
        data = {"settings": {key: str(value) if isinstance(value, Path) else value for key, value in vars(settings).items()},
                "openvino": ov.get_version(), "read_back": used, "rounds": rows,
                "verdicts": {metric.name: verdict.as_dict() for metric, verdict in zip(tools.metrics, verdicts)}}
        args.json_out.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return verdicts[-1].exit_code


if __name__ == "__main__":
    sys.exit(main())

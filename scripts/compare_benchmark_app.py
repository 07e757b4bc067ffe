"""Are ovgui's latency and throughput honest?  Compare them with OpenVINO's own `benchmark_app`.

`--mode latency` (the default) compares ovgui's synchronous median latency
with `benchmark_app -api sync`; `--mode throughput` compares ovgui's
asynchronous throughput (an `AsyncInferQueue`, frames over wall time) with
`benchmark_app -api async`.  Everything that differs between the two modes
(API, unit, which number is read, which direction is better, the default
bar) lives in one `Mode` record, so the measuring, the table and the verdict
are the same code for both.

Both tools run the same model on the same device, precision and performance
hint, for the same number of iterations, on the same real photo as it is
(bus.jpg by default, 810x1080): each side resizes it once before timing
(ovgui's default host preprocessing; benchmark_app's `-i`), so the photo's
size must not change what is timed.  They take turns within each
round, and the order rotates from round to round, so machine noise and slow
drifts (thermal, other processes) hit every side equally.  The verdict is the
ratio of the medians over rounds, ovgui / benchmark_app, against a bar.

ovgui is measured twice per round: as users run it, with per-layer counters
(`PERF_COUNT` compiled in, a live per-layer snapshot read about once a second
outside the timed region), which is what the bar judges, and with
`perf_counters=False`, which shows what the counters themselves cost.

ovgui runs in this process, through `run_profile`, because that is how the
GUI and `ovgui-profile` run it: a subprocess would add nothing to what is
timed (each run reads and compiles the model anew and times only the steady
inferences after a first one), while benchmark_app has to be a subprocess
because it is a program, not a library.  benchmark_app is the console script
of the same OpenVINO wheel that is imported here, so both sides use one
runtime build.  What each compiled model reports back (hint, streams,
threads, precision, infer requests) is printed for both sides, because a
difference there would explain a gap better than any loop overhead.

In throughput mode benchmark_app rounds `-niter` up to a multiple of its
request count, so the script first compiles the model once the way ovgui
will (same properties) to learn OPTIMAL_NUMBER_OF_INFER_REQUESTS and rounds
the iteration count up itself: both tools then run exactly the same number
of frames.  Both still choose their own request count, as users would; the
printed request counts show that they agree.

Exit status: 0 when the ratio meets the bar, 1 when it does not, 2 on bad
input or when a run fails.
"""

from __future__ import annotations

import argparse
import json
import math
import operator
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import cv2
import openvino as ov

from ovgui.core.devices import resolve_device, shared_core
from ovgui.core.errors import OvguiError
from ovgui.core.preprocess import channel_layout, is_image_like
from ovgui.core.report import Report, RunConfig
from ovgui.core.options import BY_NAME
from ovgui.core.runner import HINTS, RunRequest, compile_properties, run_profile

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEFAULT_MODEL = SHARED / "models" / "omz" / "face-detection-adas-0001" / "FP16" / "face-detection-adas-0001.xml"
DEFAULT_IMAGE = SHARED / "images" / "bus.jpg"
SIDES = ("ovgui", "ovgui_no_counters", "benchmark_app")
COLUMN_PREFIXES = {"ovgui": "ovgui", "ovgui_no_counters": "ovgui no-pc", "benchmark_app": "bench_app"}
BENCHMARK_REPORT = "benchmark_report.json"
REQUESTS_IN_REPORT = "number of parallel infer requests"
REQUESTS_ON_STDOUT = re.compile(r"(\d+) inference requests")
PROPERTY_ON_STDOUT = re.compile(r"^\[ INFO \]\s+([A-Z_]+): (.+)$", re.MULTILINE)
PRECISIONS = BY_NAME["precision"].choices
PRECISION_NAMES = {str(getattr(ov.Type, name)): name for name in PRECISIONS}
STDERR_TAIL_LINES = 15
TIMEOUT_MARGIN_S = 300
TIMEOUT_PER_ITERATION_S = 1.0


class BadInput(Exception):
    """A problem with what was asked for, or a run that failed: reported as `error: ...`, exit 2."""


@dataclass(frozen=True)
class Mode:
    """Everything that differs between the latency and the throughput comparison, so the rest is shared.

    `report_key` is a substring of the key in benchmark_app's JSON `execution_results`
    ("latency (ms)" does not match "avg latency"); `on_stdout` is the fallback when
    there is no report.  `higher_is_better` flips the bar: a latency may be at most
    `bar` times benchmark_app's, a throughput must be at least `bar` times it.
    """

    name: str
    title: str
    api: str
    unit: str
    ovgui_value: Callable[[Report], float]
    report_key: str
    on_stdout: re.Pattern[str]
    higher_is_better: bool
    default_bar: float

    def passes(self, ratio: float, bar: float) -> bool:
        return ratio >= bar if self.higher_is_better else ratio <= bar

    @property
    def bar_sign(self) -> str:
        return ">=" if self.higher_is_better else "<="


MODES = {
    "latency": Mode(
        "latency", "sync latency (median)", "sync", "ms", operator.attrgetter("latency_ms.median"),
        "latency (ms)", re.compile(r"Median:\s+([0-9.]+)\s*ms"), higher_is_better=False, default_bar=1.03,
    ),
    "throughput": Mode(
        "throughput", "async throughput", "async", "FPS", operator.attrgetter("throughput_fps"),
        "throughput", re.compile(r"Throughput:\s+([0-9.]+)\s*FPS"), higher_is_better=True, default_bar=0.97,
    ),
}


@dataclass
class Settings:
    """What both tools are told to do, in the words of the command line."""

    mode: str
    model: Path
    image: Path
    device: str
    precision: str
    hint: str
    iterations: int | None
    time_s: int | None
    rounds: int


@dataclass(frozen=True)
class Compiled:
    """What a compiled model reports back; both sides must agree for the comparison to be like for like."""

    hint: str
    streams: int
    threads: int
    precision: str
    requests: int

    def __str__(self) -> str:
        return (
            f"hint {self.hint}, {self.streams} stream(s), {self.threads} thread(s), {self.precision}, "
            f"{self.requests} infer request(s)"
        )


@dataclass(frozen=True)
class Measurement:
    """One run's number in the mode's unit (median ms, or FPS) and what its compiled model used."""

    value: float
    compiled: Compiled


@dataclass
class Summary:
    """Medians over rounds per side, the two ovgui / benchmark_app ratios of medians, a paired cross-check, the verdict."""

    medians: dict[str, float]
    ratio: float
    ratio_no_counters: float
    median_round_ratio: float
    bar: float
    passed: bool


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", nargs="?", type=Path, default=DEFAULT_MODEL, help="model .xml/.onnx (default: face-detection-adas-0001)")
    parser.add_argument("--device", default="CPU")
    parser.add_argument("--precision", default="f32", choices=PRECISIONS, help="inference precision hint for both tools")
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--iterations", type=int, default=300, help="timed iterations per run (default 300; throughput mode rounds it up to a multiple of the request count)")
    length.add_argument("--time", type=int, dest="time_s", metavar="S", help="run each tool for S seconds instead")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--image", type=Path, default=DEFAULT_IMAGE, help="photo given to both tools as it is (default: bus.jpg)")
    parser.add_argument("--hint", choices=(*HINTS, "none"), help="performance hint for both tools (default: the mode's own)")
    parser.add_argument("--mode", default="latency", choices=MODES, help="sync latency (default) or async throughput")
    parser.add_argument(
        "--bar", type=float,
        help="pass when ovgui / benchmark_app <= BAR for latency (default 1.03), >= BAR for throughput (default 0.97)",
    )
    parser.add_argument("--json", type=Path, dest="json_out", metavar="OUT", help="also write the results as JSON")
    args = parser.parse_args(argv)
    if args.time_s is not None:
        args.iterations = None
    args.hint = args.hint or args.mode
    if args.bar is None:
        args.bar = MODES[args.mode].default_bar
    return args


def check_numbers(args: argparse.Namespace) -> None:
    """Reject counts that cannot make a measurement before anything slow starts."""
    if args.iterations is not None and args.iterations < 1:
        raise BadInput("--iterations must be at least 1")
    if args.time_s is not None and args.time_s < 1:
        raise BadInput("--time must be at least 1 second")
    if args.rounds < 1:
        raise BadInput("--rounds must be at least 1")
    if args.bar <= 0:
        raise BadInput("--bar must be more than 0")


def device_name(wanted: str) -> str:
    """OpenVINO's spelling of the device ("cpu" -> "CPU"): benchmark_app, unlike ovgui, is case-sensitive."""
    try:
        return resolve_device(wanted).name
    except OvguiError as error:
        raise BadInput(str(error)) from None


def model_input_size(model_path: Path) -> tuple[int, int]:
    """(width, height) of the first image-like input, read the way ovgui reads it, so "input size" means the same."""
    if not model_path.is_file():
        raise BadInput(f"model not found: {model_path}")
    try:
        model = ov.Core().read_model(model_path)
    except RuntimeError as error:
        raise BadInput(f"cannot read the model {model_path}: {error}") from None
    ports = [port for port in model.inputs if is_image_like(port)]
    if not ports:
        raise BadInput(f"{model_path.name} has no image-like input (4-D with 1 or 3 channels)")
    shape = ports[0].get_partial_shape()
    layout = channel_layout(ports[0], None)
    height, width = shape[layout.index("H")], shape[layout.index("W")]
    if height.is_dynamic or width.is_dynamic:
        raise BadInput(f"{model_path.name} has a dynamic input size {shape}; benchmark_app needs a static one")
    return width.get_length(), height.get_length()


def photo_size(path: Path) -> tuple[int, int]:
    """(width, height) of the photo both tools get, or why it cannot be read."""
    pixels = cv2.imread(str(path))
    if pixels is None:
        raise BadInput(f"cannot read the image {path}")
    return pixels.shape[1], pixels.shape[0]


def ovgui_config(settings: Settings, perf_counters: bool) -> RunConfig:
    """The RunConfig a user would give for this comparison; request count and streams left to OpenVINO."""
    return RunConfig(
        device=settings.device,
        mode=settings.mode,
        iterations=settings.iterations,
        duration_s=settings.time_s,
        hint=settings.hint,
        precision=settings.precision,
        perf_counters=perf_counters,
    )


def ovgui_measurement(settings: Settings, perf_counters: bool) -> Measurement:
    """The mode's number from one `run_profile`, exactly as ovgui reports it, and what its compiled model used."""
    config = ovgui_config(settings, perf_counters)
    try:
        report = run_profile(RunRequest(str(settings.model), str(settings.image), config))
    except OvguiError as error:
        raise BadInput(f"ovgui run failed: {error}") from None
    used = report.compiled
    compiled = Compiled(
        used.performance_hint, used.num_streams, used.inference_num_threads, used.inference_precision, used.requests_used
    )
    return Measurement(MODES[settings.mode].ovgui_value(report), compiled)


def optimal_requests(settings: Settings) -> int:
    """OPTIMAL_NUMBER_OF_INFER_REQUESTS for the properties ovgui compiles with; benchmark_app asks the same property."""
    config = ovgui_config(settings, perf_counters=False)
    try:
        compiled = shared_core().compile_model(str(settings.model), settings.device, compile_properties(config))
        return int(compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
    except (RuntimeError, TypeError, ValueError) as error:
        raise BadInput(f"cannot compile {settings.model.name} to learn its request count: {error}") from None


def aligned_iterations(iterations: int, requests: int) -> int:
    """benchmark_app runs ceil(niter / nireq) * nireq frames; ask both tools for that many, so the counts match."""
    return math.ceil(iterations / requests) * requests


def benchmark_app_program() -> str:
    """The benchmark_app beside this Python first, so it is the same OpenVINO wheel that ovgui imports."""
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    program = shutil.which("benchmark_app", path=search)
    if program is None:
        raise BadInput("benchmark_app not found; install the openvino wheel that provides it")
    return program


def benchmark_app_command(program: str, settings: Settings, report_folder: Path) -> list[str]:
    """The mode's API, same hint/precision/length as ovgui; the report holds the median with -latency_percentile 50."""
    length = ["-t", str(settings.time_s)] if settings.time_s is not None else ["-niter", str(settings.iterations)]
    return [
        program, "-m", str(settings.model), "-d", settings.device, "-api", MODES[settings.mode].api, *length,
        "-hint", settings.hint, "-infer_precision", settings.precision, "-i", str(settings.image),
        "-latency_percentile", "50", "-report_type", "no_counters", "-json_stats", "-report_folder", str(report_folder),
    ]


def benchmark_app_measurement(program: str, settings: Settings, report_folder: Path) -> Measurement:
    """Run benchmark_app once; its number from the JSON report (else its summary), its settings from its log."""
    report_folder.mkdir(parents=True, exist_ok=True)
    expected_s = settings.time_s if settings.time_s is not None else settings.iterations * TIMEOUT_PER_ITERATION_S
    command = benchmark_app_command(program, settings, report_folder)
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_MARGIN_S + expected_s)
    except subprocess.TimeoutExpired:
        raise BadInput(f"benchmark_app did not finish in {TIMEOUT_MARGIN_S + expected_s:.0f} s") from None
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).splitlines()[-STDERR_TAIL_LINES:])
        raise BadInput(f"benchmark_app failed (exit {done.returncode}):\n{tail}")
    report = read_report(report_folder / BENCHMARK_REPORT)
    mode = MODES[settings.mode]
    return Measurement(parse_value(mode, report, done.stdout), parse_compiled(report, done.stdout))


def read_report(path: Path) -> dict:
    """benchmark_app's `-json_stats` report, or an empty one when it wrote none (the stdout fallbacks then apply)."""
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def parse_value(mode: Mode, report: dict, stdout: str) -> float:
    """The mode's number from `execution_results` (the key containing `mode.report_key`), else from the summary."""
    for key, value in report.get("execution_results", {}).items():
        if mode.report_key in key:
            return float(value)
    match = mode.on_stdout.search(stdout)
    if match is None:
        raise BadInput(f"benchmark_app printed no {mode.title} and wrote no report with one")
    return float(match.group(1))


def parse_requests(report: dict, stdout: str) -> int:
    """Its request count from the report's setup, else from step 10 of its log; sync prints none, so 1."""
    setup = report.get("configuration_setup", {})
    if REQUESTS_IN_REPORT in setup:
        return int(setup[REQUESTS_IN_REPORT])
    match = REQUESTS_ON_STDOUT.search(stdout)
    return int(match.group(1)) if match else 1


def parse_compiled(report: dict, stdout: str) -> Compiled:
    """From step 8 of benchmark_app's log ("Querying optimal runtime parameters"), where it prints the compiled model's properties."""
    found = dict(PROPERTY_ON_STDOUT.findall(stdout))
    precision = found.get("INFERENCE_PRECISION_HINT", "?")
    return Compiled(
        found.get("PERFORMANCE_HINT", "?"),
        int(found.get("NUM_STREAMS", 0)),
        int(found.get("INFERENCE_NUM_THREADS", 0)),
        PRECISION_NAMES.get(precision, precision),
        parse_requests(report, stdout),
    )


def round_order(index: int) -> tuple[str, ...]:
    """Rotate who goes first each round, so no side always runs right after compiling another's model."""
    shift = index % len(SIDES)
    return SIDES[shift:] + SIDES[:shift]


def measure_round(index: int, settings: Settings, program: str, folder: Path) -> dict[str, Measurement]:
    measure = {
        "ovgui": lambda: ovgui_measurement(settings, perf_counters=True),
        "ovgui_no_counters": lambda: ovgui_measurement(settings, perf_counters=False),
        "benchmark_app": lambda: benchmark_app_measurement(program, settings, folder / f"round{index + 1}"),
    }
    return {side: measure[side]() for side in round_order(index)}


def values_of(round_: dict[str, Measurement]) -> dict[str, float]:
    return {side: measurement.value for side, measurement in round_.items()}


def summarize(rounds: list[dict[str, float]], mode: Mode, bar: float) -> Summary:
    """Medians over rounds first, then the ratio: one noisy round cannot swing the verdict.

    The median of the per-round ratios compares runs that were close in time; when the
    machine changes speed during the run the two disagree, which says to run again.
    """
    medians = {side: statistics.median(r[side] for r in rounds) for side in SIDES}
    reference = medians["benchmark_app"]
    paired = statistics.median(r["ovgui"] / r["benchmark_app"] for r in rounds)
    ratio = medians["ovgui"] / reference
    return Summary(medians, ratio, medians["ovgui_no_counters"] / reference, paired, bar, mode.passes(ratio, bar))


def table_row(label: str, values: dict[str, float]) -> str:
    cells = "".join(f"{values[side]:>16.3f}" for side in SIDES)
    reference = values["benchmark_app"]
    ratios = f"{values['ovgui'] / reference:>9.3f}{values['ovgui_no_counters'] / reference:>13.3f}"
    return f"{label:<8}{cells}{ratios}"


def print_header(settings: Settings, size: tuple[int, int], photo: tuple[int, int], program: str, length_note: str) -> None:
    mode = MODES[settings.mode]
    length = f"{settings.time_s} s" if settings.time_s is not None else f"{settings.iterations} iterations"
    print(f"model:     {settings.model} (input {size[0]}x{size[1]})")
    print(f"image:     {settings.image} ({photo[0]}x{photo[1]}, given as it is; each tool resizes it before timing)")
    print(f"device:    {settings.device}   precision: {settings.precision}   hint: {settings.hint}   mode: {mode.title}")
    print(f"per run:   {length}{length_note}   rounds: {settings.rounds}   OpenVINO {ov.get_version()}")
    print(f"reference: {program} -api {mode.api}")
    print(f"machine:   {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} over the last minute (other work skews both sides)")
    print("columns:   ovgui = default run (per-layer counters on); no-pc = perf_counters=False")
    print()
    titles = "".join(f"{COLUMN_PREFIXES[side] + ' ' + mode.unit:>16}" for side in SIDES)
    print(f"{'round':<8}{titles}{'ratio':>9}{'ratio no-pc':>13}", flush=True)


def print_compiled(last_round: dict[str, Measurement]) -> None:
    """Both sides' compiled settings, from the last round; a difference makes the comparison unfair."""
    ours, theirs = last_round["ovgui"].compiled, last_round["benchmark_app"].compiled
    print(f"compiled:  ovgui         {ours}")
    print(f"           benchmark_app {theirs}{'' if ours == theirs else '   <-- differs: not like for like'}")


def print_verdict(summary: Summary, mode: Mode) -> None:
    """The verdict goes last, so it is the line a reader or a log tail sees."""
    better = "higher" if mode.higher_is_better else "lower"
    print(f"ratio of medians without per-layer counters: {summary.ratio_no_counters:.3f}  (for information)")
    print(f"median of the per-round ratios: {summary.median_round_ratio:.3f}  (cross-check: close to the ratio of medians unless the machine's speed changed)")
    verdict = "PASS" if summary.passed else "FAIL"
    print(
        f"ratio of medians (ovgui / benchmark_app): {summary.ratio:.3f}  {verdict} "
        f"(bar {mode.bar_sign} {summary.bar:g}; {better} {mode.unit} is better)"
    )


def write_json(path: Path, settings: Settings, rounds: list[dict[str, float]], last_round: dict[str, Measurement], summary: Summary) -> None:
    data = {
        "settings": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(settings).items()},
        "openvino": ov.get_version(),
        "unit": MODES[settings.mode].unit,
        "compiled": {side: asdict(measurement.compiled) for side, measurement in last_round.items()},
        "rounds": rounds,
        **asdict(summary),
        "passed": summary.passed,
    }
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def align_length(settings: Settings) -> str:
    """Throughput by iterations: round the count up to a multiple of the request count (see the module docstring).

    Returns a note for the header saying what was done, empty when nothing was.
    """
    if settings.mode != "throughput" or settings.iterations is None:
        return ""
    requests = optimal_requests(settings)
    asked, settings.iterations = settings.iterations, aligned_iterations(settings.iterations, requests)
    rounded = "" if asked == settings.iterations else f", {asked} rounded up"
    return f" ({requests} optimal infer requests{rounded})"


def run(args: argparse.Namespace) -> int:
    check_numbers(args)
    mode = MODES[args.mode]
    device = device_name(args.device)
    model = args.model.expanduser().resolve()
    size = model_input_size(model)
    program = benchmark_app_program()
    with tempfile.TemporaryDirectory(prefix="ovgui-vs-benchmark-app-") as temp:
        folder = Path(temp)
        image = args.image.expanduser().resolve()
        photo = photo_size(image)
        settings = Settings(mode.name, model, image, device, args.precision, args.hint, args.iterations, args.time_s, args.rounds)
        length_note = align_length(settings)
        print_header(settings, size, photo, program, length_note)
        measured = []
        for index in range(settings.rounds):
            measured.append(measure_round(index, settings, program, folder))
            print(table_row(str(index + 1), values_of(measured[-1])), flush=True)
        rounds = [values_of(round_) for round_ in measured]
        summary = summarize(rounds, mode, args.bar)
        print(table_row("median", summary.medians))
        print()
        print_compiled(measured[-1])
        print_verdict(summary, mode)
        if args.json_out:
            write_json(args.json_out, settings, rounds, measured[-1], summary)
    return 0 if summary.passed else 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except BadInput as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""Command lines: `ovgui-profile` (headless) and `ovgui` (the window).

Only argument parsing and wiring live here; the work is in `ovgui.core` and
`ovgui.gui`.  A user mistake ends as ``error: ...`` on stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn, Sequence

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class Parser(argparse.ArgumentParser):
    """argparse, but its complaints follow the ``error: ...`` convention of the rest of ovgui."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"error: {message} (see {self.prog} --help)\n")


def _float_list(text: str) -> list[float]:
    try:
        return [float(v) for v in text.replace(";", ",").split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got '{text}'") from None


def _shape(text: str) -> list[int]:
    try:
        return [int(v) for v in text.strip("[]").split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a shape like 1,3,640,640, got '{text}'") from None


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by `ovgui-profile` and `ovgui`: what to run and how."""
    from ovgui.core.decoders import DECODERS

    parser.add_argument("-d", "--device", default="CPU", help="inference device (default CPU; see --list-devices)")
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("-n", "--iterations", type=int, default=None, help="timed iterations (default 100)")
    budget.add_argument("-t", "--time", type=float, dest="duration_s", help="run for S seconds instead")
    parser.add_argument("--mode", choices=["latency", "throughput"], default="latency",
                        help="latency: one synchronous request; throughput: an AsyncInferQueue (default latency)")
    parser.add_argument("--hint", choices=["latency", "throughput", "cumulative_throughput", "none"],
                        help="PERFORMANCE_HINT (default: follows --mode)")
    parser.add_argument("--precision", choices=["f32", "bf16", "f16"], help="INFERENCE_PRECISION_HINT")
    parser.add_argument("--nireq", type=int, help="infer requests in throughput mode (default: the device's optimum)")
    parser.add_argument("--nstreams", type=int, help="NUM_STREAMS")
    parser.add_argument("--nthreads", type=int, help="INFERENCE_NUM_THREADS")
    parser.add_argument("--cache-dir", help="CACHE_DIR: compiled models are cached here (compare compile times)")
    parser.add_argument("--no-shared-memory", action="store_false", dest="shared_memory",
                        help="copy the input on every inference instead of sharing the numpy buffer")
    parser.add_argument("--decoder", choices=DECODERS, default="auto")
    parser.add_argument("--threshold", type=float, help="score threshold (default per decoder)")
    parser.add_argument("--nms", type=float, default=0.45, dest="nms_iou", help="NMS IoU (default 0.45)")
    parser.add_argument("--labels", dest="labels_path", help="label file, one name per line (index = class id)")
    parser.add_argument("--layout", choices=["NCHW", "NHWC"], help="model input layout (default: guessed)")
    colour = parser.add_mutually_exclusive_group()
    colour.add_argument("--rgb", action="store_const", const="rgb", dest="color_order", help="feed RGB")
    colour.add_argument("--bgr", action="store_const", const="bgr", dest="color_order", help="feed BGR")
    parser.add_argument("--mean", type=_float_list, help="per-channel mean to subtract, e.g. 123.7,116.3,103.5")
    parser.add_argument("--scale", type=_float_list, help="per-channel divisor, e.g. 255 or 58.4,57.1,57.4")
    parser.add_argument("--resize", choices=["stretch", "letterbox"], help="how the image fits the input")
    parser.add_argument("--shape", type=_shape, dest="input_shape", help="static shape for a dynamic input")
    parser.add_argument("--preprocess", choices=["host", "graph"], default="host",
                        help="host: resize and convert the image once, outside the timed region, so the model alone is "
                             "timed (as benchmark_app does); graph: add the conversions to the model (u8 image in, "
                             "end to end) (default host)")
    parser.add_argument("--no-layers", action="store_false", dest="perf_counters", help="compile without PERF_COUNT")


def run_config(args: argparse.Namespace):
    from ovgui.core.report import RunConfig

    iterations = args.iterations if args.iterations is not None else (None if args.duration_s else 100)
    return RunConfig(
        device=args.device,
        mode=args.mode,
        iterations=iterations,
        duration_s=args.duration_s,
        hint=args.hint,
        precision=args.precision,
        nireq=args.nireq,
        nstreams=args.nstreams,
        nthreads=args.nthreads,
        cache_dir=args.cache_dir,
        shared_memory=args.shared_memory,
        decoder=args.decoder,
        threshold=args.threshold,
        nms_iou=args.nms_iou,
        labels_path=args.labels_path,
        layout=args.layout,
        color_order=args.color_order,
        mean=args.mean,
        scale=args.scale,
        resize=args.resize,
        input_shape=args.input_shape,
        perf_counters=args.perf_counters,
        preprocess=args.preprocess,
    )


def profile_parser() -> Parser:
    parser = Parser(prog="ovgui-profile", description="Profile an OpenVINO model on an image, headless.")
    parser.add_argument("model", nargs="?", help="model file: .xml (+ .bin), .onnx, .tflite, .pdmodel")
    parser.add_argument("image", nargs="?", help="image file OpenCV can read")
    add_run_options(parser)
    parser.add_argument("--json", type=Path, help="write the report as JSON")
    parser.add_argument("--csv", type=Path, help="write the per-layer table as CSV")
    parser.add_argument("--annotated", type=Path, help="write the image with detections as PNG")
    parser.add_argument("--trace", type=Path, help="write a Chrome/Perfetto trace (trace-event JSON) of the run")
    parser.add_argument("--compare", type=Path, metavar="CONFIG.json",
                        help="run each configuration in a JSON list in turn and print a comparison table")
    parser.add_argument("--diff", type=Path, nargs=2, metavar=("A.json", "B.json"),
                        help="compare two saved reports (ovgui JSON or benchmark_app counters) layer by layer and exit")
    parser.add_argument("--list-devices", action="store_true", help="list devices and exit")
    parser.add_argument("-q", "--quiet", action="store_true", help="no summary on stdout")
    return parser


def profile_main(argv: Sequence[str] | None = None) -> int:
    parser = profile_parser()
    args = parser.parse_args(argv)
    from ovgui.core.errors import OvguiError
    from ovgui.headless import compare_to_files, diff_reports, list_devices_text, profile_to_files

    try:
        if args.list_devices:
            print(list_devices_text())
            return 0
        if args.diff:
            return diff_reports(*args.diff)
        if not args.model or not args.image:
            parser.error("give a MODEL and an IMAGE")
        if args.compare:
            return compare_to_files(args, run_config(args))
        return profile_to_files(args, run_config(args))
    except OvguiError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def gui_parser() -> Parser:
    parser = Parser(prog="ovgui", description="Profile OpenVINO models in a window.")
    parser.add_argument("model", nargs="?", help="model to preload")
    parser.add_argument("image", nargs="?", help="image to preload")
    add_run_options(parser)
    parser.add_argument("--run", action="store_true", help="start a run at once")
    parser.add_argument("--compare", type=Path, metavar="CONFIG.json", help="start a comparison of these configurations at once")
    parser.add_argument("--screenshot", type=Path, help="save a PNG of the window when the run finishes")
    parser.add_argument("--report", type=Path, help="save the JSON report when the run finishes")
    parser.add_argument("--exit-after-run", action="store_true", help="quit when the run finishes")
    return parser


def gui_main(argv: Sequence[str] | None = None) -> int:
    args = gui_parser().parse_args(argv)
    from ovgui.core.errors import OvguiError
    from ovgui.gui.app import run_app

    try:
        return run_app(args, run_config(args))
    except OvguiError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE

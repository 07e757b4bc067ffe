"""Command lines: `ovgui-profile` (headless) and `ovgui` (the window).

Only argument parsing and wiring live here; the work is in `ovgui.core` and
`ovgui.gui`.  A user mistake ends as ``error: ...`` on stderr with exit code 2.
At the top this module imports only the option declarations (a leaf), and the
run machinery (OpenVINO, OpenCV, Qt) once the arguments have been checked, so
``--help`` and every argument error answer at once.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from ovgui.core.errors import OvguiError, error_text
from ovgui.core.options import BY_NAME, OPTIONS, Option, OptionError, RunConfig, make_config, validate
from ovgui.core.quantize_options import DEFAULT_SUBSET_SIZE, HELP, INSTALL_NNCF, MODEL_TYPES, PRESETS, QuantizeOptions
from ovgui.core.sweep_options import DEFAULT_REPEATS, MAX_REPEATS, grid, parse_axis
from ovgui.gui.view_names import RESULT_VIEWS

log = logging.getLogger(__name__)
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
COMPARE_HELP = ("run each configuration in a JSON list in turn and print a comparison table; 'ladder': the latency "
                "ladder, from PyTorch (or ONNX Runtime) to OpenVINO tuned step by step (a file named ladder: ./ladder)")


class Parser(argparse.ArgumentParser):
    """argparse, but its complaints follow the ``error: ...`` convention of the rest of ovgui."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"error: {message} (see {self.prog} --help)\n")


def add_run_options(parser: argparse.ArgumentParser, quantize_presets: bool = False) -> None:
    """Options shared by `ovgui-profile` and `ovgui`, made from their declarations in `ovgui.core.options`.

    Nothing has an argparse default: the namespace holds only what the user typed, and
    `run_config` lays that over `RunConfig`'s own defaults.  With `quantize_presets`, ``--preset``
    also takes NNCF's quantization presets (`PresetAction`).
    """
    exclusive: dict[str, argparse._MutuallyExclusiveGroup] = {}
    for option in OPTIONS:
        if option.name == "input_shapes":
            continue
        if option.name == "preset" and quantize_presets:
            parser.add_argument(*option.flags, dest=option.name, action=PresetAction, choices=(*option.choices, *PRESETS),
                                metavar=f"{{{','.join(option.choices)}}}|{{{','.join(PRESETS)}}}",
                                help=f"{option.help_text()}; with --quantize, NNCF's quantization preset: "
                                     f"{', '.join(PRESETS)}", default=argparse.SUPPRESS)
            continue
        if option.name == "input_shape":
            parser.add_argument(*option.flags, dest=option.name, action=ShapeAction, metavar=f"{option.metavar}|NAME[1,3,48,320]",
                                help=f"{option.help_text()}; NAME[...] (repeatable): {BY_NAME['input_shapes'].help_text()}",
                                default=argparse.SUPPRESS)
            continue
        if option.exclusive and option.exclusive not in exclusive:
            exclusive[option.exclusive] = parser.add_mutually_exclusive_group()
        target = exclusive[option.exclusive] if option.exclusive else parser
        if option.flags:
            target.add_argument(
                *option.flags, dest=option.name, type=_parser_for(option), choices=option.choices or None,
                action="append" if option.repeatable else "store",
                metavar=option.metavar, help=option.help_text(), default=argparse.SUPPRESS,
            )
        switches = parser.add_mutually_exclusive_group() if len(option.switches) > 1 else target
        for flag, value, help_text in option.switches:
            switches.add_argument(flag, action="store_const", const=value, dest=option.name, help=help_text,
                                  default=argparse.SUPPRESS)


class ShapeAction(argparse.Action):
    """``--shape`` takes both spellings: N,C,H,W for the only image input (`input_shape`) and,
    repeatable, NAME[1,3,48,320] for one input by name or index (`input_shapes`, benchmark_app's -shape)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        text = str(values)
        named = re.match(r"\s*[^\[\],\s]+\s*\[", text) is not None
        option = BY_NAME["input_shapes" if named else "input_shape"]
        if named and getattr(namespace, option.name, None):
            text = f"{getattr(namespace, option.name)},{text}"
        try:
            setattr(namespace, option.name, option.parse(text))
        except OptionError as error:
            raise argparse.ArgumentError(self, error.problem) from None


class PresetAction(argparse.Action):
    """``--preset`` of `ovgui-profile` takes both spellings the issue gave it: a preprocessing preset
    (the run option `preset`: raw, unit, …) or, with --quantize, NNCF's quantization preset
    (performance, mixed), kept as `quantize_preset`.  The two sets of names do not overlap."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        setattr(namespace, "quantize_preset" if values in PRESETS else self.dest, values)


def _parser_for(option: Option) -> Callable[[str], Any]:
    """argparse's `type=`: the option's own text parser, its complaint as argparse's."""

    def parse(text: str) -> Any:
        try:
            return option.parse(text)
        except OptionError as error:
            raise argparse.ArgumentTypeError(error.problem) from None

    parse.__name__ = option.name
    return parse


def run_config(args: argparse.Namespace) -> RunConfig:
    """The options the user gave over `RunConfig`'s defaults (or over a ``--run-config`` file's),
    checked as every front end checks them."""
    given = {option.name: _gathered(option, getattr(args, option.name)) for option in OPTIONS if hasattr(args, option.name)}
    base = read_run_config(args.run_config) if getattr(args, "run_config", None) else None
    return validate(make_config(given, base))


def read_run_config(path: Path) -> RunConfig:
    """A JSON object of run options by their names (as a report's config section holds them),
    each checked by its declaration."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OvguiError(f"run options file not found: {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise OvguiError(f"cannot read run options file {path.name}: {error}") from None
    if not isinstance(entries, dict):
        raise OvguiError(f"{path.name} must hold a JSON object of run options")
    unknown = sorted(set(entries) - BY_NAME.keys())
    if unknown:
        raise OvguiError(f"{path.name}: unknown run option(s) {', '.join(unknown)}")
    try:
        return make_config({name: BY_NAME[name].check(value) for name, value in entries.items()})
    except OptionError as error:
        raise OvguiError(f"{path.name}: {error}") from None


def _gathered(option: Option, value: Any) -> Any:
    """A repeated flag's values (``--input a=x --input b=y``) as one mapping, the last for a name repeated."""
    return {name: source for pair in value for name, source in pair.items()} if option.repeatable else value


def profile_parser() -> Parser:
    parser = Parser(prog="ovgui-profile",
                    description="Profile an OpenVINO model on an image, a set of images or a video, headless.")
    parser.add_argument("model", nargs="?", help="model file: .xml (+ .bin), .onnx, .tflite, .pdmodel, .pt (TorchScript), "
                        ".pt2 (ExportedProgram)")
    parser.add_argument("images", nargs="*", metavar="IMAGE",
                        help="an image, a folder of images, a glob ('photos/*.jpg'), several images, or a video "
                             "(.mp4, .avi, .mkv); a set or a video runs each frame once")
    add_run_options(parser, quantize_presets=True)
    parser.add_argument("--json", type=Path, help="write the report as JSON")
    parser.add_argument("--csv", type=Path, help="write the per-layer table as CSV")
    parser.add_argument("--annotated", type=Path,
                        help="write the image with detections, in the format its suffix names "
                             "(.png, .jpg…; a set: its first image)")
    parser.add_argument("--per-image-csv", type=Path, help="a set or a video: one CSV row per image or frame")
    parser.add_argument("--annotated-dir", type=Path,
                        help="a set or a video: every image or frame with its boxes, into this folder")
    parser.add_argument("--trace", type=Path, help="write a Chrome/Perfetto trace (trace-event JSON) of the run")
    parser.add_argument("--dot", type=Path, metavar="FILE",
                        help="write the executed graph with its times as Graphviz DOT (OpenVINO runs)")
    parser.add_argument("--save-ir", type=Path, metavar="OUT.xml",
                        help="after the run, write the model as OpenVINO IR (OUT.xml + OUT.bin), as the run read it "
                             "(a PyTorch file converted); weights in FP16 unless --no-fp16-compression")
    parser.add_argument("--no-fp16-compression", dest="fp16_compression", action="store_false",
                        help="keep the saved IR's weights in their own precision (FP32) instead of FP16")
    parser.add_argument("--compare", metavar="CONFIG.json|ladder", help=COMPARE_HELP)
    parser.add_argument("--diff", type=Path, nargs=2, metavar=("A.json", "B.json"),
                        help="compare two saved reports (ovgui JSON or benchmark_app counters) layer by layer and exit")
    add_list_devices(parser)
    add_target_options(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="no summary on stdout")
    parser.add_argument("--run-config", type=Path, metavar="FILE.json",
                        help="the run options as a JSON object of their names (as a report's config section holds "
                             "them); options given as flags override it")
    parser.add_argument("--events", choices=("jsonl",),
                        help="jsonl: the run's events as JSON lines on stdout as it goes (phases, progress, notes, "
                             "latencies in batches, memory samples, layer snapshots, an error), the report (as --json "
                             "writes it) last; the summary and every other human line go to stderr")
    add_quantize_options(parser)
    add_sweep_options(parser)
    return parser


def add_target_options(parser: argparse.ArgumentParser) -> None:
    """``--target HOST`` and what it takes (`ovgui.core.remote`)."""
    group = parser.add_argument_group(
        "remote targets (SSH; an extra: pip install 'ovgui[remote]')",
        "MODEL IMAGE --target HOST runs the profile on HOST over SSH (host key checked against known_hosts, a key "
        "or the agent, never a password): ovgui copies itself (a zipapp of its core), the model and the images to "
        "HOST's temp folder, once, and shows the run here; the target needs python3 with openvino, numpy, "
        "opencv-python-headless and psutil. With --compare, entries may name their own \"target\"")
    group.add_argument("--target", metavar="HOST", help="an ssh host or a Host alias of ~/.ssh/config (or --ssh-config)")
    group.add_argument("--ssh-config", type=Path, metavar="FILE", help="read hosts from FILE instead of ~/.ssh/config")
    group.add_argument("--target-python", metavar="PATH", help="the target's Python (default: python3 on its PATH)")


def add_sweep_options(parser: argparse.ArgumentParser) -> None:
    """``--sweep KEY=V1,V2 …`` and what it takes (`ovgui.core.sweep`)."""
    group = parser.add_argument_group(
        "sweeps", "MODEL IMAGE --sweep KEY=V1,V2 [KEY=LOW..HIGH …] runs every combination of the values of declared run "
                  "options (nstreams, nireq, nthreads, batch, precision, shape=1x3x320x320,…, hint, …), each --repeats "
                  "times, beside the device's default throughput configuration, and picks the highest throughput "
                  "within --latency-budget-ms at --latency-percentile; --json writes the best point's report with "
                  "every point in its sweep section")
    group.add_argument("--sweep", nargs="+", action="extend", metavar="KEY=VALUES",
                       help="an option and its values: V1,V2 or, for whole numbers, LOW..HIGH")
    group.add_argument("--repeats", type=int, metavar="N",
                       help=f"runs of each point, round-robin (default: {DEFAULT_REPEATS}); its figures are their medians")
    group.add_argument("--latency-budget-ms", type=float, metavar="X",
                       help="the best point is the highest throughput whose latency at --latency-percentile is at most X")


def add_quantize_options(parser: argparse.ArgumentParser) -> None:
    """``--quantize CALIB_DIR --save-ir OUT.xml`` and what it takes; each option's words are declared
    once in `ovgui.core.quantize_options`, which the window's dialog reads too."""
    group = parser.add_argument_group(
        f"INT8 quantization (NNCF, an extra: {INSTALL_NNCF})",
        "MODEL --quantize CALIB_DIR --save-ir OUT.xml quantizes MODEL with NNCF and writes the INT8 IR; given an "
        "IMAGE too, it then profiles MODEL and the INT8 IR on it with the same settings and prints them side by side "
        "(--json writes both reports)")
    group.add_argument("--quantize", metavar="CALIB_DIR", help=HELP["calibration"])
    group.add_argument("--subset-size", type=int, metavar="N", help=f"{HELP['subset_size']} (default: {DEFAULT_SUBSET_SIZE})")
    group.add_argument("--model-type", choices=tuple(MODEL_TYPES), help=HELP["model_type"])
    group.add_argument("--no-fast-bias-correction", dest="fast_bias_correction", action="store_const", const=False,
                       help=HELP["fast_bias_correction"])
    group.add_argument("--keep-float", nargs="+", action="extend", metavar="NAME_OR_TYPE",
                       help=f"{HELP['keep_float']}; several, or the flag repeated")
    group.add_argument("--with-fp16-ir", action="store_true",
                       help="with an IMAGE, profile an FP16 IR of MODEL too, between MODEL and its INT8 copy (saved once "
                            "under ~/.cache/ovgui/ladder and reused)")


def add_list_devices(parser: argparse.ArgumentParser) -> None:
    """The one declaration of ``--list-devices``, which both commands accept."""
    parser.add_argument("--list-devices", action="store_true",
                        help="list the devices OpenVINO can run on (the names --device takes) and exit")


def print_devices() -> int:
    """What ``--list-devices`` prints, the same for both commands; OpenVINO is loaded only now."""
    from ovgui.headless import list_devices_text

    print(list_devices_text())
    return 0


def profile_main(argv: Sequence[str] | None = None) -> int:
    """The exit code.  As the command (no `argv`), when a call the run walked away from (a compile,
    a decoder) is still running, the process leaves at once (`blocking.exit_now`) rather than tear
    OpenVINO down under it; called with `argv` (in-process), it always returns."""
    return _leaving_at_once(_profile_main(argv), argv)


def _leaving_at_once(code: int, argv: Sequence[str] | None) -> int:
    from ovgui.core.blocking import abandoned_running, exit_now

    if argv is None and abandoned_running():
        exit_now(code)
    return code


def _profile_main(argv: Sequence[str] | None) -> int:
    parser = profile_parser()
    args = parser.parse_args(argv)
    from ovgui.core.logs import setup_logging, tell

    setup_logging("ovgui-profile")
    try:
        return _profile(parser, args)
    except OvguiError as error:
        tell(log, error_text(str(error)))
        return EXIT_USAGE
    except KeyboardInterrupt:
        tell(log, "error: interrupted")
        return EXIT_INTERRUPTED


def _profile(parser: Parser, args: argparse.Namespace) -> int:
    """What the arguments ask for; each branch imports the machinery it needs once its arguments are good."""
    if args.list_devices:
        return print_devices()
    if args.diff:
        from ovgui.headless import diff_reports

        return diff_reports(*args.diff)
    if args.quantize is not None:
        return _quantize(parser, args)
    given = quantize_flags(args)
    if given:
        parser.error(f"{', '.join(given)} go{'es' if len(given) == 1 else ''} with --quantize CALIB_DIR")
    if args.sweep:
        return _sweep(parser, args)
    given = sweep_flags(args)
    if given:
        parser.error(f"{', '.join(given)} go{'es' if len(given) == 1 else ''} with --sweep KEY=VALUES")
    if not args.model or not args.images:
        parser.error("give a MODEL and an IMAGE")
    if args.save_ir and args.compare:
        parser.error("--save-ir saves the model of one run; leave out --compare")
    if args.events and args.compare:
        parser.error("--events streams one run; leave out --compare")
    config = run_config(args)
    from ovgui.headless import compare_to_files, profile_to_files

    return (compare_to_files if args.compare is not None else profile_to_files)(args, config)


ONE_RUN_OUTPUTS = {"compare": "--compare", "csv": "--csv", "annotated": "--annotated", "per_image_csv": "--per-image-csv",
                 "annotated_dir": "--annotated-dir", "trace": "--trace", "dot": "--dot"}
"""Outputs of one run that a quantization, which runs two, does not write."""


def sweep_flags(args: argparse.Namespace) -> list[str]:
    given = [("--repeats", args.repeats is not None), ("--latency-budget-ms", args.latency_budget_ms is not None)]
    return [flag for flag, present in given if present]


def _sweep(parser: Parser, args: argparse.Namespace) -> int:
    if not args.model or not args.images:
        parser.error("give a MODEL and an IMAGE to sweep")
    others = [flag for name, flag in ONE_RUN_OUTPUTS.items() if getattr(args, name)] + (["--save-ir"] if args.save_ir else [])
    if others:
        parser.error(f"--sweep runs many configurations (--json writes the best point's report with every point); "
                     f"leave out {', '.join(others)}")
    repeats = DEFAULT_REPEATS if args.repeats is None else args.repeats
    if not 1 <= repeats <= MAX_REPEATS:
        parser.error(f"--repeats must be between 1 and {MAX_REPEATS}, got {repeats}")
    budget = args.latency_budget_ms
    if budget is not None and not (math.isfinite(budget) and budget > 0):
        parser.error(f"--latency-budget-ms must be a positive number of milliseconds, got {budget}")
    points = grid([parse_axis(text) for text in args.sweep])
    config = run_config(args)
    from ovgui.headless import sweep_to_files

    return sweep_to_files(args, config, points, repeats)


def quantize_flags(args: argparse.Namespace) -> list[str]:
    """The quantization options given, as the user typed them."""
    preset = getattr(args, "quantize_preset", None)
    given = [("--subset-size", args.subset_size is not None), (f"--preset {preset}", preset is not None),
             ("--model-type", args.model_type is not None), ("--no-fast-bias-correction", args.fast_bias_correction is False),
             ("--keep-float", bool(args.keep_float)), ("--with-fp16-ir", args.with_fp16_ir)]
    return [flag for flag, present in given if present]


def quantize_options(args: argparse.Namespace) -> QuantizeOptions:
    return QuantizeOptions(
        subset_size=DEFAULT_SUBSET_SIZE if args.subset_size is None else args.subset_size,
        preset=getattr(args, "quantize_preset", None),
        model_type=args.model_type,
        fast_bias_correction=args.fast_bias_correction is not False,
        keep_float=tuple(args.keep_float or ()),
    ).checked()


def _quantize(parser: Parser, args: argparse.Namespace) -> int:
    if not args.model:
        parser.error("give the MODEL to quantize")
    if args.save_ir is None:
        parser.error("--quantize needs --save-ir OUT.xml: where the INT8 model goes")
    others = [flag for name, flag in ONE_RUN_OUTPUTS.items() if getattr(args, name)]
    if others:
        parser.error(f"--quantize profiles the model and its INT8 copy side by side (--json writes both reports); "
                     f"leave out {', '.join(others)}")
    config = run_config(args)
    options = quantize_options(args)
    from ovgui.headless import quantize_to_files

    return quantize_to_files(args, config, options)


def gui_parser() -> Parser:
    parser = Parser(prog="ovgui", description="Profile OpenVINO models in a window.")
    parser.add_argument("model", nargs="?", help="model to preload")
    parser.add_argument("image", nargs="?", help="image to preload")
    add_run_options(parser)
    parser.add_argument("--run", action="store_true", help="start a run at once")
    parser.add_argument("--compare", metavar="CONFIG.json|ladder", help=f"start at once: {COMPARE_HELP}")
    parser.add_argument("--screenshot", type=Path, help="save a PNG of the window when the run finishes")
    parser.add_argument("--report", type=Path, help="save the JSON report when the run finishes")
    parser.add_argument("--exit-after-run", action="store_true", help="quit when the run finishes")
    parser.add_argument("--view", choices=RESULT_VIEWS, metavar="VIEW",
                        help=f"open on this result view, one of: {', '.join(RESULT_VIEWS)}")
    add_list_devices(parser)
    return parser


def gui_main(argv: Sequence[str] | None = None) -> int:
    args = gui_parser().parse_args(argv)
    from ovgui.core.logs import setup_logging, tell

    setup_logging("ovgui")
    try:
        if args.list_devices:
            return print_devices()
        config = run_config(args)
        from ovgui.headless import check_writable

        check_writable(args.screenshot, args.report)
        from ovgui.gui.app import run_app

        return _leaving_at_once(run_app(args, config), argv)
    except OvguiError as error:
        tell(log, error_text(str(error)))
        return EXIT_USAGE

"""ovgui's ONNX Runtime latency against a plain `InferenceSession.run` loop, process against process.

Each round runs `ovgui-profile --engine onnxruntime --no-layers` and a plain loop, each in its own
process, in alternating order.  Both feed the same tensor (ovgui's host-preprocessed input, made
once and saved to an .npz) to a session with ONNX Runtime's default options and the CPU execution
provider, as ovgui does, and both time each `session.run` with `time.perf_counter`.  Printed: each
round's medians and their ratio ovgui / plain, then the median of the paired ratios and their
spread.  A ratio means something only when the spread is narrower than the difference it claims:
run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PROFILE = "import sys; from ovgui.cli import profile_main; sys.exit(profile_main(sys.argv[1:]))"


def save_ovgui_inputs(model: Path, image: Path, path: Path) -> None:
    """ovgui's own input tensor(s), by input name, made the way its runner makes them."""
    sys.path.insert(0, str(ROOT))
    import openvino as ov

    from ovgui.core.decoders.families import guess_family
    from ovgui.core.image import load_image
    from ovgui.core.model import describe_model, read_model
    from ovgui.core.preprocess import prepare_inputs
    from ovgui.core.report import RunConfig
    from ovgui.core.runner import declared_outputs

    read = read_model(ov.Core(), model)
    info = describe_model(read, model)
    prepared = prepare_inputs(read, load_image(str(image)), guess_family(declared_outputs(read)), info.format, RunConfig())
    names = [port.get_any_name() for port in read.inputs]
    np.savez(path, **{names[index]: array for index, array in prepared.arrays.items()})


def plain_loop(model: Path, inputs: Path, iterations: int, threads: int | None) -> float:
    """The loop a user would write: default options (but the intra-op threads, when given), one
    warm-up run, then the timed runs."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    if threads is not None:
        options.intra_op_num_threads = threads
    session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    with np.load(inputs) as stored:
        feeds = {name: stored[name] for name in stored.files}
    session.run(None, feeds)
    latencies_ms = []
    for _ in range(iterations):
        started = time.perf_counter()
        session.run(None, feeds)
        latencies_ms.append((time.perf_counter() - started) * 1000.0)
    return statistics.median(latencies_ms)


def run_ovgui(model: Path, image: Path, iterations: int, threads: int | None, folder: Path) -> float:
    out = folder / "ovgui.json"
    command = [sys.executable, "-c", PROFILE, str(model), str(image), "--engine", "onnxruntime", "-n", str(iterations),
               "--no-layers", "--json", str(out), "-q", *threads_option("--nthreads", threads)]
    _run(command, "ovgui-profile")
    return json.loads(out.read_text(encoding="utf-8"))["latency_ms"]["median"]


def run_plain(model: Path, inputs: Path, iterations: int, threads: int | None) -> float:
    command = [sys.executable, __file__, "--plain", str(model), str(inputs), "-n", str(iterations),
               *threads_option("--threads", threads)]
    return float(_run(command, "the plain loop"))


def threads_option(flag: str, threads: int | None) -> list[str]:
    return [] if threads is None else [flag, str(threads)]


def _run(command: list[str], what: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"error: {what} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", nargs="?", default=str(SHARED / "models/yolo/yolov5n_fp16.onnx"))
    parser.add_argument("image", nargs="?", default=str(SHARED / "images/bus.jpg"))
    parser.add_argument("-n", "--iterations", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--threads", type=int, help="intra-op threads on both sides (default: ONNX Runtime's own choice)")
    parser.add_argument("--plain", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    model, image = Path(args.model), Path(args.image)
    if args.plain:  # a child: `image` is the saved inputs
        print(plain_loop(model, image, args.iterations, args.threads))
        return 0
    ratios = []
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        inputs = folder / "inputs.npz"
        save_ovgui_inputs(model, image, inputs)
        print(f"{model.name} + {image.name}, {args.iterations} iterations, {args.rounds} rounds (alternating order)")
        print(f"{'round':>5}{'ovgui ms':>11}{'plain ms':>11}{'ratio':>8}")
        for index in range(args.rounds):
            sides = ("ovgui", "plain") if index % 2 == 0 else ("plain", "ovgui")
            medians = {}
            for side in sides:
                medians[side] = (run_ovgui(model, image, args.iterations, args.threads, folder) if side == "ovgui"
                                 else run_plain(model, inputs, args.iterations, args.threads))
            ratios.append(medians["ovgui"] / medians["plain"])
            print(f"{index + 1:>5}{medians['ovgui']:>11.2f}{medians['plain']:>11.2f}{ratios[-1]:>8.3f}")
    print(f"median of paired ratios ovgui / plain: {statistics.median(ratios):.3f} "
          f"(spread {min(ratios):.3f}–{max(ratios):.3f} over {len(ratios)} rounds)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

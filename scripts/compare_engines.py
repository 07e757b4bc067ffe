"""OpenVINO against ONNX Runtime on the same ONNX models and photos: median latency and peak RSS.

Each run is its own `ovgui-profile` process, so one engine's memory never sits under the other's
peak; the engines take turns within each round and the order alternates between rounds.  Both
get the same host-preprocessed input and the same thread count (the machine's default for
each: OpenVINO's LATENCY hint, ONNX Runtime's one thread per physical core).  Printed per model:
the medians over rounds and the ratios OpenVINO / ONNX Runtime (below 1: OpenVINO is faster or
smaller).  Peak RSS is the whole process: Python, both runtimes' libraries and the model.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
CASES = [
    ("yolo/yolov5n_fp16.onnx", "bus.jpg"),
    ("yolo/yolov8n_int8.onnx", "bus.jpg"),
    ("yunet/yunet_s_dynamic.onnx", "zidane.jpg"),
    ("yunet/yunet_s_640_640.onnx", "zidane.jpg"),
]
ENGINES = ("openvino", "onnxruntime")
PROFILE = "import sys; from ovgui.cli import profile_main; sys.exit(profile_main(sys.argv[1:]))"


def measure(model: Path, image: Path, engine: str, iterations: int, folder: Path, extra: list[str]) -> tuple[float, float]:
    out = folder / f"{engine}.json"
    command = [sys.executable, "-c", PROFILE, str(model), str(image), "--engine", engine, "-n", str(iterations),
               "--json", str(out), "-q", *extra]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"error: {engine} on {model.name}: {done.stderr.strip()}")
    report = json.loads(out.read_text(encoding="utf-8"))
    return report["latency_ms"]["median"], report["memory"]["peak_mib"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--no-layers", action="store_true",
                        help="no per-layer profiling: ONNX Runtime then runs no second, profiled session, whose memory "
                             "would otherwise count in its peak")
    args = parser.parse_args(argv)
    extra = ["--no-layers"] if args.no_layers else []
    print(f"{'model':<26}{'OV ms':>9}{'ORT ms':>9}{'ratio':>7}{'OV MiB':>9}{'ORT MiB':>9}{'ratio':>7}")
    with tempfile.TemporaryDirectory() as temp:
        for model_name, image_name in CASES:
            latency: dict[str, list[float]] = {engine: [] for engine in ENGINES}
            peak: dict[str, list[float]] = {engine: [] for engine in ENGINES}
            for index in range(args.rounds):
                for engine in ENGINES if index % 2 == 0 else ENGINES[::-1]:
                    median, rss = measure(SHARED / "models" / model_name, SHARED / "images" / image_name, engine,
                                          args.iterations, Path(temp), extra)
                    latency[engine].append(median)
                    peak[engine].append(rss)
            ov_ms, ort_ms = (statistics.median(latency[e]) for e in ENGINES)
            ov_mib, ort_mib = (statistics.median(peak[e]) for e in ENGINES)
            print(f"{Path(model_name).name:<26}{ov_ms:9.2f}{ort_ms:9.2f}{ov_ms / ort_ms:7.2f}"
                  f"{ov_mib:9.1f}{ort_mib:9.1f}{ov_mib / ort_mib:7.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

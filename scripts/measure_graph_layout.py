"""How long the runtime graph takes to build and lay out (the graph view does it off the GUI thread).

Compiles the model on CPU, runs one inference with profiling on, then builds the executed graph
from `get_runtime_model()` and lays it out `--rounds` times, printing the sizes (runtime ops,
nodes drawn, edges, ranks, crossings left) and the median and worst time of each step.  The bar
is half a second for build + layout.

    python scripts/measure_graph_layout.py [MODEL] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import openvino as ov

from ovgui.core.errors import OvguiError
from ovgui.core.graph import lay_out, layered_layout, runtime_graph
from ovgui.core.model import check_model_path, openvino_message

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEFAULT_MODEL = SHARED / "models/yolo/yolov8n_int8.onnx"
BAR_S = 0.5


def executed_runtime_model(path: Path) -> ov.Model:
    core = ov.Core()
    model = core.read_model(check_model_path(path))
    compiled = core.compile_model(model, "CPU", {"PERF_COUNT": True, "INFERENCE_PRECISION_HINT": "f32"})
    request = compiled.create_infer_request()
    for index, port in enumerate(compiled.inputs):
        request.set_input_tensor(index, ov.Tensor(np.zeros(tuple(port.get_shape()), port.get_element_type().to_dtype())))
    request.infer()
    return compiled.get_runtime_model()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", default=str(DEFAULT_MODEL))
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    try:
        runtime_model = executed_runtime_model(Path(args.model))
    except OvguiError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (RuntimeError, ValueError) as error:
        print(f"error: cannot compile and run {args.model}: {openvino_message(error)}", file=sys.stderr)
        return 2

    build_s, layout_s = [], []
    for _ in range(args.rounds):
        started = time.perf_counter()
        graph = runtime_graph(runtime_model)
        built = time.perf_counter()
        lay_out(graph)
        build_s.append(built - started)
        layout_s.append(time.perf_counter() - built)
    layout = layered_layout(len(graph.nodes), [(edge.source, edge.target) for edge in graph.edges])

    print(f"{Path(args.model).name}: {len(runtime_model.get_ordered_ops())} runtime ops -> {len(graph.nodes)} nodes, "
          f"{len(graph.edges)} edges, {max(layout.ranks) + 1} ranks, {layout.crossings} crossings")
    for name, times in (("build", build_s), ("layout", layout_s)):
        print(f"  {name:6} median {statistics.median(times) * 1000:7.1f} ms   worst {max(times) * 1000:7.1f} ms")
    total = statistics.median(b + lay for b, lay in zip(build_s, layout_s))
    verdict = "PASS" if total <= BAR_S else "FAIL"
    print(f"  build + layout median {total * 1000:.1f} ms (bar {BAR_S * 1000:.0f} ms): {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())

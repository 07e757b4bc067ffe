"""What the preprocessing panel says for each model in ../shared: every value the run uses and
where it came from (the model's rt_info, its ONNX metadata, a guess), as a run with no settings
would choose them.  The input shape's reason is the panel's when the model states none.

    python scripts/preprocessing_sources.py [SHARED_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

import openvino as ov

from ovgui.core.decoders.families import guess_family
from ovgui.core.image import load_image
from ovgui.core.model import describe_model, read_model
from ovgui.core.options import format_value
from ovgui.core.preprocess import prepare_inputs, shape_reason
from ovgui.core.report import RunConfig
from ovgui.core.runner import declared_outputs

OMZ = ("face-detection-adas-0001", "person-vehicle-bike-detection-2002", "person-vehicle-bike-detection-2004",
       "gaze-estimation-adas-0002", "head-pose-estimation-adas-0001", "landmarks-regression-retail-0009")
MODELS = {
    **{name: f"models/omz/{name}/FP16/{name}.xml" for name in OMZ},
    "squeezenet1.1": "models/classification/squeezenet1.1/FP16/squeezenet1.1.xml",
    "yolov5n": "models/yolo/yolov5n_fp16.onnx",
    "yolov8n": "models/yolo/yolov8n_int8.onnx",
    "yunet 640x640": "models/yunet/yunet_s_640_640.onnx",
    "yunet dynamic": "models/yunet/yunet_s_dynamic.onnx",
}
PHOTO = "images/bus.jpg"
FIELDS = ("color_order", "mean", "scale", "resize", "layout", "input_shape")


def describe(name: str, path: Path, photo: Path, core: ov.Core) -> list[str]:
    model = read_model(core, path)
    info = describe_model(model, path)
    family = guess_family(declared_outputs(model))
    applied = prepare_inputs(model, load_image(photo), family, info.format, RunConfig()).info
    lines = [f"{name} ({info.format}, decoder family {family or 'none'})"]
    if not applied.input_name:
        return [*lines, "  no image-like input: every input is fed zeros"]
    values = {"colour": applied.color_order.upper(), "mean": format_value(applied.mean) or "none",
              "scale": format_value(applied.scale) or "none", "resize": applied.resize, "layout": applied.model_layout,
              "shape": format_value(applied.input_shape)}
    sources = {"input_shape": shape_reason(info, applied.input_name), **applied.sources}
    by_source: dict[str, list[str]] = {}
    for (label, value), field in zip(values.items(), FIELDS):
        by_source.setdefault(sources[field], []).append(f"{label} {value}")
    return [*lines, *(f"  {', '.join(chosen)}\n      ← {source}" for source, chosen in by_source.items())]


def main(shared: Path) -> None:
    core = ov.Core()
    for name, relative in MODELS.items():
        print("\n".join(describe(name, shared / relative, shared / PHOTO, core)), end="\n\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared")

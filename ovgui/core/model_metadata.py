"""What a model file says about its own preprocessing, read before ovgui guesses anything.

Three places hold it, and they mean different things:

- ``rt_info/conversion_parameters`` (the legacy Model Optimizer's command line, kept in every
  Open Model Zoo IR): its ``mean_values``, ``scale_values`` and ``reverse_input_channels`` were
  compiled *into* the IR (squeezenet1.1's ``data/mean`` Add sits right after its input), so such
  an IR takes raw BGR 0..255 and applying them again would be wrong.
- ``rt_info/model_info`` (OpenVINO Model API, OTX and Ultralytics IR exports): values the runtime
  is meant to apply (``mean_values="123.675 116.28 103.53"``, ``reverse_input_channels="True"``,
  ``resize_type="fit_to_window_letterbox"``), unless ``embedded_processing`` says they are in the
  graph already.
- ``rt_info/framework``: where OpenVINO's ONNX frontend puts the file's ``metadata_props``;
  Ultralytics writes ``stride``, ``names`` and ``imgsz`` there.

No `onnx` package is needed: OpenVINO exposes the ONNX metadata itself.  OpenVINO's TFLite
frontend exposes no metadata, so TFLite models get a labelled guess in `preprocess.recipe_for`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import openvino as ov

RT_INFO = "from the model's rt_info"
BAKED_FIELDS = ("mean_values", "scale_values", "reverse_input_channels")
MODEL_INFO_RESIZE = {"standard": "stretch", "fit_to_window_letterbox": "letterbox"}
TRUE_WORDS = {"true", "yes", "1"}
ULTRALYTICS_KEYS = ("stride", "names")


@dataclass
class ModelPreprocessing:
    """The preprocessing fields a model states, each with where it was read; empty when it states none."""

    values: dict[str, object] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def state(self, name: str, value: object, source: str) -> None:
        self.values[name] = value
        self.sources[name] = source


def rt_value(model: ov.Model, *path: str) -> str | None:
    """One rt_info entry as text, None when the model does not have it."""
    if not model.has_rt_info(list(path)):
        return None
    return str(model.get_rt_info(list(path)).astype(str)).strip()


def stated_preprocessing(model: ov.Model) -> ModelPreprocessing:
    """The model's own statements, the Model API's `model_info` first, then what the converter
    baked in, then the ONNX metadata; a field the first one states is not overwritten."""
    found = ModelPreprocessing()
    for reader in (read_model_info, read_conversion_parameters, read_onnx_metadata):
        stated = reader(model)
        for name, value in stated.values.items():
            if name not in found.values:
                found.state(name, value, stated.sources[name])
    return found


def read_model_info(model: ov.Model) -> ModelPreprocessing:
    found = ModelPreprocessing()
    if not model.has_rt_info(["model_info"]):
        return found
    embedded = (rt_value(model, "model_info", "embedded_processing") or "").lower() in TRUE_WORDS
    if embedded:
        where = f"{RT_INFO} (model_info: embedded_processing, the preprocessing is inside the graph)"
        return raw_bgr(where)
    reverse = rt_value(model, "model_info", "reverse_input_channels")
    if reverse is not None:
        order = "rgb" if reverse.lower() in TRUE_WORDS else "bgr"
        found.state("color_order", order, f"{RT_INFO} (model_info: reverse_input_channels={reverse})")
    for name, key in (("mean", "mean_values"), ("scale", "scale_values")):
        text = rt_value(model, "model_info", key)
        numbers = numbers_in(text or "")
        if numbers:
            found.state(name, numbers, f"{RT_INFO} (model_info: {key}={text})")
    resize = rt_value(model, "model_info", "resize_type")
    if resize in MODEL_INFO_RESIZE:
        found.state("resize", MODEL_INFO_RESIZE[resize], f"{RT_INFO} (model_info: resize_type={resize})")
    return found


def read_conversion_parameters(model: ov.Model) -> ModelPreprocessing:
    """The converter's recorded mean/scale/reverse are inside the IR already: the model states that it
    takes raw pixels in the order it was converted for (BGR, the order Open Model Zoo feeds)."""
    recorded = [f"{key}={value}" for key in BAKED_FIELDS
                if (value := rt_value(model, "conversion_parameters", key)) not in (None, "", "()", "False")]
    if not recorded:
        return ModelPreprocessing()
    where = f"{RT_INFO}: the converter put {', '.join(recorded)} inside the IR, so it takes raw BGR 0..255"
    return raw_bgr(where)


def raw_bgr(where: str) -> ModelPreprocessing:
    """A model whose preprocessing is inside its graph takes the pixels as they are: BGR 0..255."""
    found = ModelPreprocessing()
    for name, value in (("color_order", "bgr"), ("mean", []), ("scale", [])):
        found.state(name, value, where)
    return found


def read_onnx_metadata(model: ov.Model) -> ModelPreprocessing:
    """An Ultralytics export (its metadata names `stride` and `names`) takes RGB in 0..1, letterboxed."""
    found = ModelPreprocessing()
    if not all(model.has_rt_info(["framework", key]) for key in ULTRALYTICS_KEYS):
        return found
    keys = [key for key in ("imgsz", *ULTRALYTICS_KEYS) if model.has_rt_info(["framework", key])]
    where = f"from the ONNX metadata (Ultralytics export: {', '.join(keys)})"
    for name, value in (("color_order", "rgb"), ("mean", []), ("scale", [255.0]), ("resize", "letterbox")):
        found.state(name, value, where)
    return found


def numbers_in(text: str) -> list[float]:
    """Numbers written as the converters write them: "123.675 116.28 103.53", "[640, 640]", "data[104.0,117.0]"."""
    body = text[text.find("[") + 1:text.rfind("]")] if "[" in text else text
    try:
        return [float(part) for part in body.replace(",", " ").split()]
    except ValueError:
        return []

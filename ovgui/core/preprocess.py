"""From an image to the model's input tensors: on the host (default) or inside the graph.

Host mode (`preprocess="host"`) resizes or letterboxes the image, converts its
colour order, mean/scale, layout and element type once with OpenCV and numpy,
before anything is timed: the timed inference is the model alone, as
benchmark_app times it, whatever the photo's size.

Graph mode (`preprocess="graph"`) hands OpenVINO the image as it is (u8, NHWC,
BGR) and an `openvino.preprocess.PrePostProcessor` adds resize, colour
conversion, mean/scale, element type and layout to the model itself ("image in,
result out", end to end).  The nodes it adds are remembered so the profile can
tell them from the model's own layers.  Only letterboxing, which
PrePostProcessor has no step for, happens on the host in both modes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import openvino as ov
from openvino.preprocess import ColorFormat, PrePostProcessor, ResizeAlgorithm

from ovgui.core.errors import OvguiError, SettingError
from ovgui.core.geometry import Geometry
from ovgui.core.image import LoadedImage, load_image
from ovgui.core.input_data import RANDOM, Source, array_for, describe, feed, file_shapes, sources_for
from ovgui.core.model import DETAIL_LIMIT, openvino_message, rt_text
from ovgui.core.model_metadata import stated_preprocessing
from ovgui.core.options import (
    BY_NAME,
    IMAGENET_MEAN_RGB,
    IMAGENET_STD_RGB,
    PRESETS,
    named_shapes,
    shape_bounds,
    where_to_set,
)
from ovgui.core.report import InputFeed, ModelInfo, PreprocessInfo, RunConfig

PREPROCESS_MODES = ("host", "graph")
SPATIAL_MULTIPLE = 32
GIVEN_SHAPE = "the input shape given"
GIVEN_SHAPES = "the input shapes given"
GUESSED_SHAPE = f"ovgui's guess: the image's size rounded up to {SPATIAL_MULTIPLE}"
LETTERBOX_FILL = 114
PREPROCESSING_KERNELS = {"Interpolate", "Convert", "Transpose", "Gather", "Reorder", "Subgraph", "Eltwise",
                         "Multiply", "Subtract", "Divide", "Add"}


SET_BY_YOU = "set by you"
DEFAULT_GUESS = "ovgui's default"
RECIPE_FIELDS = ("color_order", "mean", "scale", "resize")


@dataclass(frozen=True)
class FamilyRecipe:
    """The preprocessing a model takes: what the model states about itself (`sources` says where
    each such value was read), the rest guessed from its family or format (`guess` says why)."""

    color_order: str
    mean: tuple[float, ...] = ()
    scale: tuple[float, ...] = ()
    resize: str = "stretch"
    guess: str = ""
    sources: Mapping[str, str] = field(default_factory=dict)

    def source(self, name: str) -> str:
        return self.sources.get(name, self.guess)


OMZ_RECIPE = FamilyRecipe(
    "bgr", guess="guessed from the model format (OpenVINO IR: raw BGR 0..255, as Open Model Zoo models take it)")
TFLITE_RECIPE = FamilyRecipe("rgb", (127.5,), (127.5,), guess="guessed: TFLite models are usually RGB in [-1, 1]")
RECIPES = {
    "yolov5": FamilyRecipe("rgb", scale=(255.0,), resize="letterbox", guess="guessed from the yolov5 family"),
    "yolov8": FamilyRecipe("rgb", scale=(255.0,), resize="letterbox", guess="guessed from the yolov8 family"),
    "classify_torchvision": FamilyRecipe(
        "rgb", IMAGENET_MEAN_RGB, IMAGENET_STD_RGB,
        guess="guessed: a classifier that is no OpenVINO IR mostly follows torchvision (ImageNet mean/std, RGB)"),
}


def recipe_for(family: str, model_format: str, model: ov.Model | None = None) -> FamilyRecipe:
    """What `model` states about its preprocessing, the rest from `family_guess`."""
    guess = family_guess(family, model_format)
    if model is None:
        return guess
    stated = stated_preprocessing(model)
    values: dict[str, Any] = {name: tuple(value) if isinstance(value, list) else value
              for name, value in stated.values.items() if name in RECIPE_FIELDS}
    return replace(guess, **values, sources={name: stated.sources[name] for name in values})


def family_guess(family: str, model_format: str) -> FamilyRecipe:
    """Detector families know their recipe; TFLite models mostly take [-1, 1]; OpenVINO IRs (Open Model
    Zoo) raw BGR; other classifiers mostly follow torchvision."""
    if family in RECIPES:
        return RECIPES[family]
    if model_format == "TensorFlow Lite":
        return TFLITE_RECIPE
    if family == "classify" and model_format != "OpenVINO IR":
        return RECIPES["classify_torchvision"]
    if model_format == "OpenVINO IR":
        return OMZ_RECIPE
    known = f"the {family} family" if family and family != "none" else "a model no decoder recognises"
    return replace(OMZ_RECIPE, guess=f"{DEFAULT_GUESS} (raw BGR 0..255): no recipe is known for {known}")


@dataclass
class PreparedInputs:
    """Arrays to bind to the compiled model's inputs, by input index, and how the image was fitted."""

    arrays: dict[int, np.ndarray]
    geometry: Geometry
    info: PreprocessInfo
    notes: list[str] = field(default_factory=list)
    model_ops: frozenset[str] = frozenset()
    image_indices: tuple[int, ...] = ()
    dtype: np.dtype | None = None
    tensor_hw: tuple[int, int] | None = None


def is_image_like(port: ov.Output) -> bool:
    shape = port.get_partial_shape()
    if shape.rank.is_dynamic or shape.rank.get_length() != 4:
        return False
    return any(shape[axis].is_dynamic or shape[axis].get_length() in (1, 3) for axis in (1, 3))


def channel_layout(port: ov.Output, override: str | None) -> str:
    if override:
        return override.upper()
    shape = port.get_partial_shape()
    if shape[1].is_static and shape[1].get_length() in (1, 3):
        return "NCHW"
    if shape[3].is_static and shape[3].get_length() in (1, 3):
        return "NHWC"
    return "NCHW"


def prepare_inputs(model: ov.Model, image: LoadedImage, family: str, model_format: str, config: RunConfig) -> PreparedInputs:
    """Reshape dynamic inputs, add the preprocessing steps to `model` in place, and build the input arrays:
    the photo for the image inputs no other data is named for, each named input its own data."""
    sources = sources_for(model, config.input)
    sized_by_files = file_shapes(model, sources)
    if sized_by_files:
        reshape_ports(model, sized_by_files, "the shape of the array given for it")
    image_names, layout = fix_input_shapes(model, image, config)
    pictured = [name for name in image_names if sources.get(name, PHOTO).kind == "image"]
    if not pictured:
        raise_if_dynamic(model)
        arrays = {i: array_for(port, sources.get(port.get_any_name(), RANDOM)) for i, port in enumerate(model.inputs)}
        info = PreprocessInfo(family=family, inputs=feeds(model, sources, [], ""))
        info.substitutions = substitutions(model, sources, [], info, image.size)
        return PreparedInputs(arrays, Geometry.stretch(image.size, image.size), info, list(info.substitutions))

    main = model.input(pictured[0])
    recipe = recipe_for(family, model_format, model)
    info = applied_preprocessing(main, layout, recipe, config, family)
    dtype = main.get_element_type().to_dtype()
    pixels, geometry = image_tensor(image, info, dtype)
    model_ops = frozenset(op.get_friendly_name() for op in model.get_ops())
    tensor_hw = (pixels.shape[1], pixels.shape[2])
    arrays = {index: input_array(port, sources, pictured, info, pixels, tensor_hw) for index, port in enumerate(model.inputs)}
    info.inputs = feeds(model, sources, pictured, info.model_layout)
    if info.mode == "graph":
        add_preprocessing(model, pictured, pixels.shape, info)
    else:
        loosen_shapes(model, pictured, info, config)
    info.substitutions = substitutions(model, sources, pictured, info, image.size)
    indices = tuple(i for i, port in enumerate(model.inputs) if port.get_any_name() in pictured
                    and port.get_any_name() not in sources)
    return PreparedInputs(arrays, geometry, info, list(info.substitutions), model_ops, indices, dtype, tensor_hw)


PHOTO = Source("image")
"""An image input's source when none is named: the run's photo."""


def input_array(port: ov.Output, sources: dict[str, Source], pictured: list[str], info: PreprocessInfo,
                pixels: np.ndarray, tensor_hw: tuple[int, int]) -> np.ndarray:
    """What `port` is bound to: the photo's tensor, its own picture fitted the same way, or its named data."""
    name = port.get_any_name()
    if name not in pictured:
        return array_for(port, sources.get(name, RANDOM))
    if name not in sources:
        return pixels
    try:
        own = load_image(sources[name].path)
    except OvguiError as error:
        raise OvguiError(f"input '{name}': {error}") from None
    shape = [d.get_length() for d in port.get_partial_shape()]
    port_info = replace(info, input_name=name, input_shape=shape)
    tensor, _geometry = image_tensor(own, port_info, port.get_element_type().to_dtype(),
                                     tensor_hw if info.mode == "graph" else None)
    return tensor


def feeds(model: ov.Model, sources: dict[str, Source], pictured: list[str], layout: str) -> list[InputFeed]:
    """Each input and its data, for the report."""
    return [feed(port, fed_with(port, sources, pictured), layout if port.get_any_name() in pictured else "")
            for port in model.inputs]


def fed_with(port: ov.Output, sources: dict[str, Source], pictured: list[str]) -> str:
    name = port.get_any_name()
    if name in pictured and name not in sources:
        return "the photo"
    return describe(port, sources.get(name, RANDOM))


def substitutions(model: ov.Model, sources: dict[str, Source], pictured: list[str], info: PreprocessInfo,
                  photo_size: tuple[int, int]) -> list[str]:
    """One line for each way an input is not fed the photo as such: an input that is no image gets
    random data (as benchmark_app does) or the data named for it, an image input its own picture,
    several image inputs (a gaze model's two eyes) all the whole photo, a one-channel input the photo
    in grey, a batch repeats it."""
    lines = [named_line(port, sources, pictured) for port in model.inputs
             if port.get_any_name() in sources or port.get_any_name() not in pictured]
    photo_fed = [name for name in pictured if name not in sources]
    if len(photo_fed) > 1:
        height, width = model_hw(info)
        fitted = "letterboxed" if info.resize == "letterbox" else "stretched"
        names = ", ".join(f"'{name}'" for name in photo_fed)
        lines.append(f"the model has several image inputs ({names}); each is fed the same whole photo "
                     f"({photo_size[0]}x{photo_size[1]}), {fitted} to {width}x{height}")
    if pictured and info.input_shape[info.model_layout.index("C")] == 1:
        lines.append(f"input '{info.input_name}' has one channel: fed the photo in grey")
    if pictured and info.batch > 1:
        lines.append(
            f"batch {info.batch}: the image is repeated {info.batch} times, as benchmark_app -b does; "
            "throughput counts images, and the boxes shown are the first image's"
        )
    return lines


def named_line(port: ov.Output, sources: dict[str, Source], pictured: list[str]) -> str:
    name = port.get_any_name()
    source = sources.get(name)
    described = describe(port, source or RANDOM)
    if source is None:
        return (f"input '{name}' {port.get_partial_shape()} is not an image; fed {described} as benchmark_app does "
                f"(give it data with --input {name}=SOURCE)")
    if name in pictured:
        return f"input '{name}' {port.get_partial_shape()} fed its own picture {Path(source.path).name}, fitted as the photo"
    return f"input '{name}' {port.get_partial_shape()} fed {described}"


def fix_input_shapes(model: ov.Model, image: LoadedImage, config: RunConfig) -> tuple[list[str], str]:
    """Give `model` the static input shapes the run uses (the user's shapes, else the image's size,
    then the batch) and return its image-like inputs' names and their layout.  Named shapes come
    first, so a text recogniser `[?,3,?,?]` given `x[1,3,48,320]` is static before the image is
    looked at.  The memory estimate reshapes a copy through here too, so it sizes the run that will happen."""
    if config.input_shapes:
        reshape_ports(model, named_input_shapes(model, named_shapes(config.input_shapes)), GIVEN_SHAPES, "input_shapes")
    if config.input_shape and len(model.inputs) == 1 and model.inputs[0].get_partial_shape().rank.is_dynamic:
        reshape_ports(model, {model.inputs[0].get_any_name(): ov.PartialShape(config.input_shape)}, GIVEN_SHAPE)
    raise_if_unfeedable(model)
    image_names = [port.get_any_name() for port in model.inputs if is_image_like(port)]
    layout = channel_layout(model.input(image_names[0]), config.layout) if image_names else ""
    if image_names:
        reshape_inputs(model, image, layout, config.input_shape)
    if config.batch is not None:
        reshape_ports(model, batched_shapes(model, config.batch), f"batch {config.batch}", "batch")
    return image_names, layout


def named_input_shapes(model: ov.Model, shapes: dict[str, list[int]]) -> dict[str, ov.PartialShape]:
    """`--shape NAME[...]` by input name or index, each checked against its input's rank."""
    option = BY_NAME["input_shapes"]
    names = [port.get_any_name() for port in model.inputs]
    resolved: dict[str, ov.PartialShape] = {}
    for key, dims in shapes.items():
        name = names[int(key)] if key.isdigit() and int(key) < len(names) else key
        if name not in names:
            raise SettingError(f"{option.title}: the model has no input '{key}'; its inputs: "
                               f"{describe_shapes(input_shapes_of(model))}", option.name)
        check_shape_override(model.input(name), dims, option.name)
        resolved[name] = ov.PartialShape(dims)
    return resolved


def batched_shapes(model: ov.Model, batch: int) -> dict[str, ov.PartialShape]:
    """Every input with its batch dimension set, as benchmark_app -b: the layout's N where the model
    declares one, else the first dimension.  Scalars and inputs of unknown rank have no batch to set."""
    shapes: dict[str, ov.PartialShape] = {}
    for port in model.inputs:
        shape = port.get_partial_shape()
        if shape.rank.is_dynamic or shape.rank.get_length() == 0:
            continue
        dims = [d.get_length() if d.is_static else 1 for d in shape]
        layout = ov.layout_helpers.get_layout(port)
        axis = ov.layout_helpers.batch_idx(layout) if ov.layout_helpers.has_batch(layout) else 0
        dims[axis] = batch
        shapes[port.get_any_name()] = ov.PartialShape(dims)
    return shapes


def input_shapes_of(model: ov.Model) -> dict[str, ov.PartialShape]:
    return {port.get_any_name(): port.get_partial_shape() for port in model.inputs}


def image_tensor(
    image: LoadedImage, info: PreprocessInfo, dtype: np.dtype, tensor_hw: tuple[int, int] | None = None
) -> tuple[np.ndarray, Geometry]:
    """One image as the array bound to the model's image inputs, and how it was fitted.

    Graph mode hands over u8 pixels whose size the compiled graph fixed (`tensor_hw`, the first
    frame's): a frame of another size is stretched to it first, which keeps the geometry a plain
    stretch from the frame to the model input."""
    pixels, geometry = fit_image(image, info)
    if info.mode == "host":
        pixels = host_tensor(pixels, info, dtype)
    elif tensor_hw is not None and pixels.shape[1:3] != tensor_hw:
        height, width = tensor_hw
        pixels = cv2.resize(pixels[0], (width, height), interpolation=cv2.INTER_LINEAR).reshape(1, height, width, -1)
    return (np.repeat(pixels, info.batch, axis=0) if info.batch > 1 else pixels), geometry


def frame_inputs(image: LoadedImage, prepared: PreparedInputs) -> tuple[dict[int, np.ndarray], Geometry]:
    """The next frame of a set or a video, for the same compiled model: new arrays for the inputs fed
    the photo only (other inputs keep their own data)."""
    if not prepared.image_indices or prepared.dtype is None:
        return {}, Geometry.stretch(image.size, image.size)
    pixels, geometry = image_tensor(image, prepared.info, prepared.dtype, prepared.tensor_hw)
    return {index: pixels for index in prepared.image_indices}, geometry


def reshape_inputs(model: ov.Model, image: LoadedImage, layout: str, shape_override: list[int] | None) -> None:
    """Give every dynamic dimension a value: the user's shape, else the image's size rounded up to 32, else 1."""
    new_shapes: dict[str, ov.PartialShape] = {}
    for port in model.inputs:
        shape = port.get_partial_shape()
        if is_image_like(port):
            check_shape_override(port, shape_override)
            wanted = shape_override or image_shape_for(shape, layout, image)
        elif shape.is_dynamic:
            wanted = [d.get_length() if d.is_static else 1 for d in shape]
        else:
            continue
        if shape.is_dynamic or shape_override:
            new_shapes[port.get_any_name()] = ov.PartialShape(wanted)
    if new_shapes:
        reshape_ports(model, new_shapes, GIVEN_SHAPE if shape_override else GUESSED_SHAPE)


def reshape_ports(model: ov.Model, new_shapes: dict[str, ov.PartialShape], chosen: str, option: str = "input_shape") -> None:
    """`chosen` says where the new shapes came from, and `option` is the setting that changes them,
    for the message when the model refuses them."""
    before = input_shapes_of(model)
    try:
        model.reshape(new_shapes)
    except (RuntimeError, ValueError) as error:
        raise SettingError(reshape_failure(new_shapes, chosen, before, error, option), option) from None


def reshape_failure(new_shapes: dict[str, ov.PartialShape], chosen: str, inputs: dict[str, ov.PartialShape],
                    error: Exception, option: str = "input_shape") -> str:
    """A line that says which setting fixes it, then the model's inputs as read and OpenVINO's
    reason in full: a model built for one size (a text recogniser 48 px high) fails deep inside."""
    return "\n".join([
        f"cannot reshape the model to {describe_shapes(new_shapes)} ({chosen}): give a shape it takes with "
        f"{where_to_set(BY_NAME[option])}",
        f"model inputs: {describe_shapes(inputs)}",
        f"OpenVINO: {openvino_message(error, DETAIL_LIMIT)}",
    ])


def check_shape_override(port: ov.Output, shape: list[int] | None, option: str = "input_shape") -> None:
    rank = port.get_partial_shape().rank
    if shape is not None and ((rank.is_static and len(shape) != rank.get_length()) or min(shape) < 1):
        raise SettingError(
            f"cannot reshape the model: shape {shape} does not fit input '{port.get_any_name()}' "
            f"{port.get_partial_shape()}; give {rank} positive sizes with {where_to_set(BY_NAME[option])}",
            option,
        )


def image_shape_for(shape: ov.PartialShape, layout: str, image: LoadedImage) -> list[int]:
    height = round_up(image.info.height, SPATIAL_MULTIPLE)
    width = round_up(image.info.width, SPATIAL_MULTIPLE)
    fill = {"N": 1, "C": 3, "H": height, "W": width}
    return [shape[i].get_length() if shape[i].is_static else fill[axis] for i, axis in enumerate(layout)]


def round_up(value: int, multiple: int) -> int:
    return max(multiple, -(-value // multiple) * multiple)


def describe_shapes(shapes: dict[str, ov.PartialShape]) -> str:
    return ", ".join(f"{name} {shape}" for name, shape in shapes.items())


def raise_if_unfeedable(model: ov.Model) -> None:
    """Inputs ovgui cannot make data for get a line of their own, not a runtime error."""
    for port in model.inputs:
        if port.get_element_type() == ov.Type.string:
            raise OvguiError(f"input '{port.get_any_name()}' is a string tensor: ovgui feeds images")


def loosen_shapes(model: ov.Model, pictured: list[str], info: PreprocessInfo, config: RunConfig) -> None:
    """Compile the image inputs dynamic or bounded (`shape_mode`) once the tensor fed is fixed at
    the run's shape: the same data through a model compiled for a range of sizes, which is what
    the static-vs-dynamic memory comparison measures."""
    if config.shape_mode == "static":
        return
    static = info.input_shape
    if config.shape_mode == "dynamic":
        spatial = {info.model_layout.index("H"), info.model_layout.index("W")}
        wanted = ov.PartialShape([-1 if axis in spatial else size for axis, size in enumerate(static)])
        chosen = "--shape-mode dynamic"
    else:
        wanted = bounded_shape(static, config.shape_bounds or "")
        chosen = f"--shape-bounds {config.shape_bounds}"
    reshape_ports(model, dict.fromkeys(pictured, wanted), chosen, "shape_mode")


def bounded_shape(static: list[int], text: str) -> ov.PartialShape:
    """The bounds as a partial shape, refused in one line when the shape fed falls outside them."""
    bounds = shape_bounds(text)
    option = BY_NAME["shape_bounds"]
    if len(bounds) != len(static):
        raise SettingError(f"{option.title} {text} has {len(bounds)} dimensions; the input has {len(static)} "
                           f"({','.join(map(str, static))})", option.name)
    outside = [f"{size} not in {low}..{high}" for size, (low, high) in zip(static, bounds)
               if low >= 0 and not low <= size <= high]
    if outside:
        raise SettingError(f"{option.title} {text} leaves out the shape fed {','.join(map(str, static))}: "
                           f"{'; '.join(outside)}", option.name)
    return ov.PartialShape([ov.Dimension(low, high) if low >= 0 else ov.Dimension() for low, high in bounds])


def raise_if_dynamic(model: ov.Model) -> None:
    if any(port.get_partial_shape().rank.is_dynamic for port in model.inputs):
        raise OvguiError("the model has an input of unknown rank; give its shape with --shape")


def applied_preprocessing(port: ov.Output, layout: str, recipe: FamilyRecipe, config: RunConfig, family: str) -> PreprocessInfo:
    """The values the run uses and where each came from: the user's, else the preset's, else the recipe's.
    The input shape's source is recorded only when the user set it: otherwise it is the model's or
    follows the image, which `shape_reason` tells from the model as read."""
    dims = [d.get_length() for d in port.get_partial_shape()]
    chosen, sources = chosen_values(recipe, config)
    channels_guess = f"guessed from where the input {port.get_partial_shape()} has its channels"
    sources["layout"] = SET_BY_YOU if config.layout else channels_guess
    if config.input_shape:
        sources["input_shape"] = SET_BY_YOU
    return PreprocessInfo(
        input_name=port.get_any_name(),
        input_shape=dims,
        model_layout=layout,
        color_order=chosen.color_order.lower(),
        mean=list(chosen.mean),
        scale=list(chosen.scale),
        resize=chosen.resize.lower(),
        family=family,
        mode=config.preprocess,
        batch=dims[layout.index("N")] if "N" in layout else 1,
        sources=sources,
    )


def chosen_values(recipe: FamilyRecipe, config: RunConfig) -> tuple[FamilyRecipe, dict[str, str]]:
    """Colour order, mean, scale and resize, and where each came from: a value the user set wins, then the
    preset's, then the recipe's."""
    preset = PRESETS.get(config.preset or "")
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name in RECIPE_FIELDS:
        own, from_preset = getattr(config, name), getattr(preset, name, None)
        if own is not None:
            values[name], sources[name] = own, SET_BY_YOU
        elif from_preset is not None and preset is not None:
            values[name], sources[name] = from_preset, f"{SET_BY_YOU} (preset {preset.label})"
        else:
            values[name], sources[name] = getattr(recipe, name), recipe.source(name)
    return replace(recipe, **values), sources


def shape_reason(model: ModelInfo, input_name: str) -> str:
    """Where an input's shape came from when the user gave none, from the model as read (before any reshape)."""
    port = next((port for port in model.inputs if port.name == input_name), None)
    if port is not None and "?" in port.shape:
        return f"the input is dynamic ({port.shape}): the image's size rounded up to {SPATIAL_MULTIPLE}"
    return "the model's own shape"


def model_hw(info: PreprocessInfo) -> tuple[int, int]:
    return info.input_shape[info.model_layout.index("H")], info.input_shape[info.model_layout.index("W")]


def fit_image(image: LoadedImage, info: PreprocessInfo) -> tuple[np.ndarray, Geometry]:
    """The image as an NHWC u8 array: letterboxed, or stretched on the host (graph mode leaves
    the stretch to the graph's own resize)."""
    if info.mode not in PREPROCESS_MODES:
        raise OvguiError(f"unknown preprocessing mode '{info.mode}'; use host or graph")
    height, width = model_hw(info)
    channels = info.input_shape[info.model_layout.index("C")]
    pixels = image.bgr if channels == 3 else cv2.cvtColor(image.bgr, cv2.COLOR_BGR2GRAY)[:, :, None]
    if info.resize == "letterbox":
        geometry = Geometry.letterbox(image.size, (width, height))
        pixels = letterbox(pixels, geometry)
    elif info.resize == "stretch":
        geometry = Geometry.stretch(image.size, (width, height))
        if info.mode == "host" and (pixels.shape[1], pixels.shape[0]) != (width, height):
            pixels = cv2.resize(pixels, (width, height), interpolation=cv2.INTER_LINEAR).reshape(height, width, -1)
    else:
        raise OvguiError(f"unknown resize mode '{info.resize}'; use stretch or letterbox")
    return np.ascontiguousarray(pixels[None]), geometry


def host_tensor(pixels: np.ndarray, info: PreprocessInfo, dtype: np.dtype) -> np.ndarray:
    """The model's own input from a 1xHxWxC u8 BGR image at the model's size: colour order,
    mean/scale, layout and element type, computed once so no inference pays for them."""
    values = pixels[0]
    if values.shape[2] == 3 and info.color_order == "rgb":
        values = cv2.cvtColor(values, cv2.COLOR_BGR2RGB)
    values = values.astype(np.float32)
    if info.mean:
        values = values - np.asarray(info.mean, dtype=np.float32)
    if info.scale:
        values = values / np.asarray(info.scale, dtype=np.float32)
    if info.model_layout == "NCHW":
        values = values.transpose(2, 0, 1)
    if np.issubdtype(dtype, np.integer):
        limits = np.iinfo(dtype)
        values = np.clip(np.rint(values), limits.min, limits.max)
    return np.ascontiguousarray(values[None].astype(dtype))


def letterbox(pixels: np.ndarray, geometry: Geometry) -> np.ndarray:
    new_w, new_h = geometry.resized_size
    resized = cv2.resize(pixels, (new_w, new_h), interpolation=cv2.INTER_LINEAR).reshape(new_h, new_w, -1)
    left, top = int(geometry.pad_left), int(geometry.pad_top)
    right, bottom = geometry.input_width - new_w - left, geometry.input_height - new_h - top
    padded = cv2.copyMakeBorder(resized, top, bottom, left, right, cv2.BORDER_CONSTANT, value=(LETTERBOX_FILL,) * 3)
    return padded.reshape(geometry.input_height, geometry.input_width, -1)


def add_preprocessing(model: ov.Model, input_names: list[str], tensor_shape: tuple[int, ...], info: PreprocessInfo) -> None:
    """Append the u8-NHWC-to-model conversions to each image input; `model` is changed in place."""
    ppp = PrePostProcessor(model)
    for name in input_names:
        configure_input(ppp.input(name), tensor_shape, info)
    try:
        ppp.build()
    except (RuntimeError, ValueError) as error:
        raise OvguiError(f"cannot add preprocessing to the model: {openvino_message(error)}") from None


def configure_input(ppp_input, tensor_shape: tuple[int, ...], info: PreprocessInfo) -> None:
    color = tensor_shape[3] == 3
    tensor = ppp_input.tensor().set_element_type(ov.Type.u8).set_layout(ov.Layout("NHWC")).set_shape(list(tensor_shape))
    if color:
        tensor.set_color_format(ColorFormat.BGR)
    ppp_input.model().set_layout(ov.Layout(info.model_layout))
    steps = ppp_input.preprocess().convert_element_type(ov.Type.f32)
    if (tensor_shape[1], tensor_shape[2]) != model_hw(info):
        steps.resize(ResizeAlgorithm.RESIZE_LINEAR)
    if color and info.color_order == "rgb":
        steps.convert_color(ColorFormat.RGB)
    if info.mean:
        steps.mean(info.mean if len(info.mean) > 1 else info.mean[0])
    if info.scale:
        steps.scale(info.scale if len(info.scale) > 1 else info.scale[0])


def preprocessing_layers(runtime_model: ov.Model, prepared: PreparedInputs) -> set[str]:
    """The executed graph's layers that exist because preprocessing was added to the graph.

    The plugin renames what PrePostProcessor added (``Interpolate_1418`` becomes
    ``Interpolate_6696``), so names alone cannot tell.  Preprocessing is the region between the
    inputs and the model's first own layer: a layer belongs to it when everything feeding it (but
    constants) is an input or preprocessing, and it is not the model's own — its name is not a node
    of the model as read, and the model's nodes fused into it, if any, are the elementwise ops a
    preprocessing kernel absorbs (the IR's baked-in mean/scale fused into the resize).
    """
    if prepared.info.mode != "graph":
        return set()
    upstream = {param.get_friendly_name() for param in runtime_model.get_parameters()}
    found: set[str] = set()
    for op in runtime_model.get_ordered_ops():
        name, rt_info = op.get_friendly_name(), op.get_rt_info()
        kind = rt_text(rt_info, "layerType")
        if name in upstream or kind == "Const":
            continue
        feeds = [value.get_node() for value in op.input_values()]
        fed_by_preprocessing = all(
            feed.get_friendly_name() in upstream or rt_text(feed.get_rt_info(), "layerType") == "Const" for feed in feeds
        )
        if fed_by_preprocessing and not is_model_layer(name, kind, rt_info, prepared.model_ops):
            found.add(name)
            upstream.add(name)
    return found


def is_model_layer(name: str, kind: str, rt_info: ov.RTMap, model_ops: frozenset[str]) -> bool:
    if name in model_ops:
        return True
    originals = [o for o in rt_text(rt_info, "originalLayersNames").split(",") if o]
    return any(o in model_ops for o in originals) and kind not in PREPROCESSING_KERNELS

"""Data for each model input, from what the user names for it (`--input NAME=SOURCE`).

The photo feeds the image-like inputs no source is given for; everything else comes from here:
an image file of its own (a gaze model's eye crops), an array in a `.npy` / `.npz` file, a constant,
or random data.  Random data is what an input gets when nobody says otherwise and it is no image,
drawn the way benchmark_app fills such inputs (a fixed seed, 0..255, 0..1 for bool), so a run of
ovgui and one of benchmark_app see the same kind of values rather than zeros, which can take
shortcuts through a model that real data never takes.
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openvino as ov

from ovgui.core.errors import OvguiError
from ovgui.core.report import InputFeed

RANDOM_SEED = 0
"""benchmark_app's seed (`SeedSequence(0)` in its inputs_filling.py), recorded with every random input."""


@dataclass(frozen=True)
class Source:
    """One input's data as the user named it; `low`/`high` unset mean the element type's default range."""

    kind: str
    path: str = ""
    key: str = ""
    value: float = 0.0
    low: float | None = None
    high: float | None = None


RANDOM = Source("random")


def parse_source(name: str, text: str) -> Source:
    """`text` as typed after ``NAME=``; a mistake is one line that names the input."""
    text = text.strip()
    kind, _, rest = text.partition(":")
    if kind == "const":
        return Source("const", value=_number(name, rest, "const:VALUE needs a number (or true/false)"))
    if kind == "random":
        return _random_source(name, rest) if rest else RANDOM
    path, suffix = text, Path(text).suffix.lower()
    if ".npz:" in text.lower():
        cut = text.lower().rindex(".npz:") + len(".npz")
        path, suffix = text[:cut], ".npz"
    if not Path(path).expanduser().is_file():
        what = "is a folder; give one file" if Path(path).expanduser().is_dir() else "does not exist"
        raise OvguiError(f"input '{name}': {path} {what}")
    if suffix == ".npy":
        return Source("npy", path=path)
    if suffix == ".npz":
        return Source("npz", path=path, key=text[len(path) + 1:])
    return Source("image", path=path)


def _random_source(name: str, rest: str) -> Source:
    parts = rest.split(":")
    if len(parts) != 2:
        raise OvguiError(f"input '{name}': random takes random or random:LOW:HIGH, got 'random:{rest}'")
    low, high = (_number(name, part, f"random:LOW:HIGH needs two numbers, got 'random:{rest}'") for part in parts)
    if not low < high:
        raise OvguiError(f"input '{name}': random:LOW:HIGH needs LOW below HIGH, got 'random:{rest}'")
    return Source("random", low=low, high=high)


def _number(name: str, text: str, problem: str) -> float:
    words = {"true": 1.0, "false": 0.0}
    try:
        value = words.get(text.strip().lower(), None)
        value = float(text) if value is None else value
    except ValueError:
        raise OvguiError(f"input '{name}': {problem}") from None
    if not math.isfinite(value):
        raise OvguiError(f"input '{name}': {problem}")
    return value


def sources_for(model: ov.Model, given: Mapping[str, str] | None) -> dict[str, Source]:
    """Each named input's source by the input's own name; a name or index the model lacks is one
    line listing the inputs it has."""
    names = [port.get_any_name() for port in model.inputs]
    sources: dict[str, Source] = {}
    for key, text in (given or {}).items():
        name = input_named(model, key)
        if name is None:
            listed = ", ".join(f"{index}: '{known}'" for index, known in enumerate(names))
            raise OvguiError(f"--input {key}=…: the model has no input '{key}'; its inputs are {listed}")
        sources[name] = parse_source(name, text)
    return sources


def input_named(model: ov.Model, key: str) -> str | None:
    """The input's name for `key`, one of its names or its index."""
    for index, port in enumerate(model.inputs):
        if key in port.get_names() or key == str(index):
            return port.get_any_name()
    return None


def file_shapes(model: ov.Model, sources: dict[str, Source]) -> dict[str, ov.PartialShape]:
    """The shapes a dynamic input takes from the array given for it, as benchmark_app sizes an input
    from its file; an array that fits none of the input's shapes is left for `cast_array` to refuse."""
    shapes = {}
    for port in model.inputs:
        source = sources.get(port.get_any_name())
        if source is None or source.kind not in ("npy", "npz") or port.get_partial_shape().is_static:
            continue
        wanted = ov.PartialShape(list(read_array(port.get_any_name(), source).shape))
        if port.get_partial_shape().compatible(wanted):
            shapes[port.get_any_name()] = wanted
    return shapes


def array_for(port: ov.Output, source: Source) -> np.ndarray:
    """The array bound to `port` for a non-image source, in the port's element type and shape."""
    dims = run_dims(port)
    dtype = port.get_element_type().to_dtype()
    if source.kind == "image":
        raise OvguiError(f"input '{port.get_any_name()}' {port.get_partial_shape()} is not an image input (4-D with 1 or 3 "
                         f"channels), so it takes no picture; give it a .npy, .npz, const:VALUE or random")
    if source.kind == "const":
        return np.full(dims, _fitting(port, source.value, dtype, "const"), dtype=dtype)
    if source.kind == "random":
        return random_array(port, source)
    return cast_array(port, read_array(port.get_any_name(), source), dims, dtype)


def run_dims(port: ov.Output) -> list[int]:
    """The port's shape for the run: a dimension still dynamic (no image, no array sized it) is 1."""
    return [d.get_length() if d.is_static else 1 for d in port.get_partial_shape()]


def random_array(port: ov.Output, source: Source) -> np.ndarray:
    dims = run_dims(port)
    dtype = port.get_element_type().to_dtype()
    low, high = random_range(port, source)
    state = np.random.RandomState(np.random.MT19937(np.random.SeedSequence(RANDOM_SEED)))
    if dtype.kind in "iub":
        return state.randint(int(low), int(high) + 1, size=dims).astype(dtype)
    return state.uniform(low, high, size=dims).astype(dtype)


def random_range(port: ov.Output, source: Source) -> tuple[float, float]:
    """benchmark_app's range (0..255, bool 0..1) unless the user gave one, checked against the type.
    An i8 input gets 0..127: benchmark_app's 0..255 would wrap to negative values there."""
    dtype = port.get_element_type().to_dtype()
    if source.low is None or source.high is None:
        if dtype.kind == "b":
            return 0.0, 1.0
        return 0.0, float(min(255, np.iinfo(dtype).max)) if dtype.kind in "iu" else 255.0
    return _fitting(port, source.low, dtype, "random LOW"), _fitting(port, source.high, dtype, "random HIGH")


def _fitting(port: ov.Output, value: float, dtype: np.dtype, what: str) -> float:
    """`value` if the port's element type holds it exactly (an integer input takes whole numbers in its range)."""
    if dtype.kind == "b":
        fits = value in (0.0, 1.0)
    elif dtype.kind in "iu":
        limits = np.iinfo(dtype)
        fits = value.is_integer() and limits.min <= value <= limits.max
    else:
        fits = abs(value) <= np.finfo(dtype).max
    if not fits:
        raise OvguiError(f"input '{port.get_any_name()}' {port.get_partial_shape()} {port.get_element_type().get_type_name()}: "
                         f"{what} {value:g} does not fit its element type")
    return value


def read_array(name: str, source: Source) -> np.ndarray:
    try:
        if source.kind == "npz":
            with np.load(source.path, allow_pickle=False) as archive:
                return _member(name, source, archive)
        array = np.load(source.path, allow_pickle=False)
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise OvguiError(f"input '{name}': cannot read {Path(source.path).name} as {source.kind}: {error}") from None
    if not isinstance(array, np.ndarray):
        array.close()
        raise OvguiError(f"input '{name}': {Path(source.path).name} is an .npz archive; name it FILE.npz[:KEY]")
    return array


def _member(name: str, source: Source, archive: np.lib.npyio.NpzFile) -> np.ndarray:
    keys = list(archive.files)
    key = source.key or (keys[0] if len(keys) == 1 else "")
    if key not in keys:
        wanted = f"has no array '{source.key}'" if source.key else "holds several arrays; name one with FILE.npz:KEY"
        raise OvguiError(f"input '{name}': {Path(source.path).name} {wanted} (it holds {', '.join(keys) or 'none'})")
    return archive[key]


def cast_array(port: ov.Output, array: np.ndarray, dims: list[int], dtype: np.dtype) -> np.ndarray:
    """The file's array in the port's type: a cast that could change a value (float to int, a value
    out of the type's range) or a shape that differs is one line with both sides."""
    described = f"input '{port.get_any_name()}' {port.get_partial_shape()} {port.get_element_type().get_type_name()}"
    file_side = f"the file holds {list(array.shape)} {array.dtype}"
    if list(array.shape) != dims:
        raise OvguiError(f"{described}: {file_side}; give an array of shape {dims}")
    if not castable(array, dtype):
        raise OvguiError(f"{described}: {file_side}, which does not convert to {dtype} without changing values")
    return np.ascontiguousarray(array.astype(dtype))


def castable(array: np.ndarray, dtype: np.dtype) -> bool:
    if array.dtype == dtype:
        return True
    if dtype.kind == "b":
        return array.dtype.kind in "iub" and bool(np.isin(array, (0, 1)).all())
    if dtype.kind in "iu":
        if array.dtype.kind not in "iub":
            return False
        limits = np.iinfo(dtype)
        return array.size == 0 or (int(array.min()) >= limits.min and int(array.max()) <= limits.max)
    return array.dtype.kind in "iubf"


def describe(port: ov.Output, source: Source) -> str:
    """The short text a report and the notes beside the photo use for an input's data."""
    if source.kind == "random":
        low, high = random_range(port, source)
        return f"random[{low:g},{high:g}] seed {RANDOM_SEED}"
    if source.kind == "const":
        return f"const {source.value:g}"
    named = Path(source.path).name + (f":{source.key}" if source.key else "")
    return f"{source.kind} {named}"


def feed(port: ov.Output, source_text: str, layout: str = "") -> InputFeed:
    return InputFeed(
        name=port.get_any_name(),
        element_type=port.get_element_type().get_type_name(),
        shape=run_dims(port),
        layout=layout,
        source=source_text,
    )

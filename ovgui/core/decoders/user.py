"""Decoders a user writes: a Python file defining ``decode(outputs, info) -> dict`` (``--decoder-file``).

``outputs`` maps every tensor name of every output to its array (first image of
the batch, read-only); ``info`` holds the input and photo sizes, the
preprocessing's mapping ``input = photo * scale + pad`` as plain numbers, the
labels and the threshold.  The function returns any of ``{"boxes": [[x1, y1,
x2, y2, score, class_id], ...]}`` (photo pixels), ``{"classes": [[class_id,
score], ...]}`` and ``{"mask": array}`` (at the photo's or the input's size).
docs/decoders.md is the user-facing contract.

The file is the user's code, so everything it can do wrong is checked and
turned into one `OvguiError` line naming the file and what is wrong: it would
otherwise reach the user as a traceback from inside ovgui.  Loading it and each
``decode`` call run on a thread the run can walk away from (`ovgui.core.blocking`):
a file that loops is stopped by Stop or after `timeout_s` (``--decoder-timeout``),
and after a timeout the decoder stays stopped for the rest of the run, since its
thread may still be spinning.
"""

from __future__ import annotations

import importlib.util
import inspect
import math
import numbers
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ovgui.core.blocking import TimedOut, call
from ovgui.core.decoders.base import DecodeResult, ModelOutput
from ovgui.core.decoders.common import label_for, make_detections
from ovgui.core.errors import OvguiError, RunCancelled
from ovgui.core.geometry import Geometry
from ovgui.core.overlay import class_shares, to_photo
from ovgui.core.report import ClassScore

RESULT_KEYS = ("boxes", "classes", "mask")
BOX_COLUMNS = ("x1", "y1", "x2", "y2", "score", "class_id")
CLASS_COLUMNS = ("class_id", "score")
EXPECTED = "return a dict with 'boxes', 'classes' or 'mask'"
MAX_CLASS_ID = 2**31 - 1
DEFAULT_TIMEOUT_S = 5.0


@dataclass
class UserDecoder:
    """`stopped` is the line of a decode that did not return in time: later calls give it at once."""

    path: Path
    function: Callable[[dict[str, np.ndarray], dict[str, Any]], Any]
    timeout_s: float = DEFAULT_TIMEOUT_S
    stopped: str = field(default="", compare=False)

    @property
    def name(self) -> str:
        return self.path.name

    def decode(
        self,
        outputs: list[ModelOutput],
        geometry: Geometry,
        labels: list[str] | None,
        threshold: float | None = None,
        cancel: threading.Event | None = None,
    ) -> DecodeResult:
        """Call the user's function; whatever it raises or returns wrongly, or a call that does not
        return within `timeout_s` or before `cancel` is set, becomes one `OvguiError` line."""
        if self.stopped:
            raise OvguiError(self.stopped)
        arrays, info = output_arrays(outputs), decoder_info(geometry, labels, threshold)

        def decode_and_read() -> DecodeResult:
            """Reading the result runs the user's objects' methods too (`__float__`, `__repr__`)."""
            try:
                returned = self.function(arrays, info)
            except (Exception, SystemExit) as error:  # noqa: BLE001 - the user's code may raise anything
                raise OvguiError(f"{self.name}: decode() raised {describe_error(error, self.path)}") from None
            return read_result(returned, geometry, labels, self.name)

        try:
            return call(decode_and_read, cancel, self.timeout_s, "ovgui-user-decoder")
        except TimedOut:
            self.stopped = (
                f"{self.name}: decode() did not return within {self.timeout_s:g} s (--decoder-timeout); "
                "decoding stopped, the timings are kept"
            )
            raise OvguiError(self.stopped) from None
        except RunCancelled:
            self.stopped = f"{self.name}: decode() was still running when the run was stopped; decoding stopped"
            raise OvguiError(self.stopped) from None
        except OvguiError:
            raise
        except Exception as error:  # noqa: BLE001 - reading the user's objects may raise anything
            raise OvguiError(f"{self.name}: decode()'s result could not be read: {describe_error(error, self.path)}") from None


def load_user_decoder(
    path: str | Path, timeout_s: float = DEFAULT_TIMEOUT_S, cancel: threading.Event | None = None
) -> UserDecoder:
    """Run the file once and take its ``decode``: a missing file, a syntax error, an import that fails,
    a file that does not finish loading within `timeout_s` or a ``decode`` that cannot take
    ``(outputs, info)`` is reported before any model is loaded."""
    path = Path(path)
    if not path.exists():
        raise OvguiError(f"decoder file not found: {path}")
    if not path.is_file() or path.suffix != ".py":
        raise OvguiError(f"{path.name} is not a Python file; a decoder file ends in .py and defines decode(outputs, info)")
    check_source(path)
    module_name = f"ovgui_user_decoder_{abs(hash(path.resolve()))}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise OvguiError(f"{path.name} cannot be loaded as a Python module")
    loader = spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and typing in the user's file look their module up here
    try:
        call(lambda: loader.exec_module(module), cancel, timeout_s, "ovgui-user-decoder",
             stopped=f"run stopped while {path.name} was loading")
    except TimedOut:
        raise OvguiError(f"{path.name}: loading the file did not finish within {timeout_s:g} s (--decoder-timeout)") from None
    except SyntaxError as error:
        raise OvguiError(f"{path.name}: syntax error on line {error.lineno}: {error.msg}") from None
    except RunCancelled:
        raise
    except (Exception, SystemExit) as error:  # noqa: BLE001 - importing the user's file may raise anything
        raise OvguiError(f"{path.name}: loading the file raised {describe_error(error, path)}") from None
    function = getattr(module, "decode", None)
    if function is None:
        raise OvguiError(f"{path.name}: defines no decode(outputs, info) function")
    if not callable(function):
        raise OvguiError(f"{path.name}: decode is {_a(function)}, not a function")
    try:
        inspect.signature(function).bind({}, {})
    except TypeError:
        raise OvguiError(f"{path.name}: decode{inspect.signature(function)} must take two arguments (outputs, info)") from None
    except ValueError:  # a builtin without a signature: let the call tell
        pass
    return UserDecoder(path, function, timeout_s)


def check_source(path: Path) -> None:
    """Python refuses a NUL byte with a SyntaxError that has no line; say where it is instead."""
    try:
        source = path.read_bytes()
    except OSError as error:
        raise OvguiError(f"cannot read {path.name}: {error.strerror}") from None
    nul = source.find(b"\0")
    if nul >= 0:
        line = source.count(b"\n", 0, nul) + 1
        raise OvguiError(f"{path.name} contains a NUL byte (line {line}); a decoder file is Python source text")


def describe_error(error: BaseException, path: Path) -> str:
    """``ValueError: message (line 12)``: the deepest line of the user's file the error passed through."""
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__) if Path(frame.filename) == path]
    where = f" (line {lines[-1]})" if lines else ""
    text = _text(error, str).strip()
    message = text.splitlines()[0] if text else ""
    return f"{type(error).__name__}{': ' + message if message else ''}{where}"


def output_arrays(outputs: list[ModelOutput]) -> dict[str, np.ndarray]:
    """Every output under each of its tensor names (YuNet's compiled outputs are both ``291`` and ``cls_8``)."""
    arrays = {}
    for index, output in enumerate(outputs):
        view = np.asarray(output.data).view()
        view.flags.writeable = False
        for name in output.names or [f"output_{index}"]:
            arrays[name] = view
    return arrays


def decoder_info(geometry: Geometry, labels: list[str] | None, threshold: float | None) -> dict[str, Any]:
    return {
        "input_width": geometry.input_width,
        "input_height": geometry.input_height,
        "photo_width": geometry.image_width,
        "photo_height": geometry.image_height,
        "scale_x": geometry.scale_x,
        "scale_y": geometry.scale_y,
        "pad_left": float(geometry.pad_left),
        "pad_top": float(geometry.pad_top),
        "labels": list(labels) if labels else None,
        "threshold": threshold,
    }


def read_result(returned: Any, geometry: Geometry, labels: list[str] | None, file: str) -> DecodeResult:
    """Check what ``decode`` returned, strictly, and turn it into what the built-in decoders give."""
    if not isinstance(returned, dict):
        raise OvguiError(f"{file}: decode() returned {_a(returned)}; {EXPECTED}")
    unknown = [key for key in returned if key not in RESULT_KEYS]
    if unknown:
        raise OvguiError(f"{file}: decode() returned an unknown key {_shown(unknown[0])}; {EXPECTED}")
    if not returned:
        raise OvguiError(f"{file}: decode() returned an empty dict; {EXPECTED}")
    result = DecodeResult("user", note=f"decoded by {file}")
    if "boxes" in returned:
        result.detections = read_boxes(returned["boxes"], geometry, labels, file)
    if "classes" in returned:
        rows = _rows(returned["classes"], CLASS_COLUMNS, "classes", file)
        _check_class_ids(rows, 0, "classes", file)
        ordered = sorted(rows, key=lambda row: -row[1])
        result.classes = [ClassScore(int(cid), label_for(int(cid), labels), score) for cid, score in ordered]
    if "mask" in returned:
        result.mask = read_mask(returned["mask"], geometry, file)
        if result.mask.dtype.kind == "i":
            result.segments = class_shares(result.mask, labels)
    return result


def read_boxes(value: Any, geometry: Geometry, labels: list[str] | None, file: str) -> list:
    """Photo-pixel boxes, clipped, rounded and sorted like the built-in decoders' (same helper)."""
    rows = _rows(value, BOX_COLUMNS, "boxes", file)
    _check_class_ids(rows, 5, "boxes", file)
    for index, (x1, y1, x2, y2, _score, _class) in enumerate(rows):
        if x2 < x1 or y2 < y1:
            raise OvguiError(f"{file}: boxes[{index}] has x2 < x1 or y2 < y1; a box is [x1, y1, x2, y2, score, class_id]")
    boxes = np.asarray(rows, np.float64).reshape(-1, 6)
    identity = Geometry.stretch((geometry.image_width, geometry.image_height), (geometry.image_width, geometry.image_height))
    return make_detections(boxes[:, :4], boxes[:, 4], boxes[:, 5].astype(np.int64), identity, labels)


def read_mask(value: Any, geometry: Geometry, file: str) -> np.ndarray:
    """Integer (or bool) masks are class ids, float masks probabilities; input-sized masks are mapped
    onto the photo through the preprocessing's geometry, so they line up like the built-in overlays."""
    mask = np.asarray(value) if isinstance(value, (np.ndarray, list)) else None
    if mask is None or mask.dtype.kind not in "biuf" or mask.ndim != 2:
        shown = f"{mask.ndim}-D {mask.dtype}" if mask is not None else _a(value)
        raise OvguiError(f"{file}: 'mask' is {shown}; give a 2-D array of class ids or probabilities")
    if not np.isfinite(mask).all():
        raise OvguiError(f"{file}: 'mask' contains NaN or infinity")
    ids = mask.dtype.kind in "biu"
    photo = (geometry.image_height, geometry.image_width)
    if mask.shape == photo:
        return mask.astype(np.int32 if ids else np.float32)
    if mask.shape == (geometry.input_height, geometry.input_width):
        mapped = to_photo(mask.astype(np.float32), geometry, 1, nearest=ids)
        return mapped.astype(np.int32) if ids else mapped
    raise OvguiError(
        f"{file}: 'mask' is {mask.shape[1]}x{mask.shape[0]}; give it at the photo's size "
        f"({photo[1]}x{photo[0]}) or the model input's ({geometry.input_width}x{geometry.input_height})"
    )


def _rows(value: Any, columns: tuple[str, ...], key: str, file: str) -> list[list[float]]:
    layout = f"[{', '.join(columns)}]"
    if isinstance(value, np.ndarray):
        value = value.tolist() if value.ndim == 2 or value.size == 0 else value
    if not isinstance(value, (list, tuple)):
        raise OvguiError(f"{file}: '{key}' is {_a(value)}; give a list of {layout} rows")
    rows = []
    for index, row in enumerate(value):
        row = row.tolist() if isinstance(row, np.ndarray) else row
        if not isinstance(row, (list, tuple)) or len(row) != len(columns):
            raise OvguiError(f"{file}: {key}[{index}] is {_shown(row)}; each row is {layout}")
        for column, item in zip(columns, row):
            if not _finite_number(item):
                raise OvguiError(f"{file}: {key}[{index}] {column} is {_shown(item)}; it must be a finite number")
        rows.append([float(item) for item in row])
    return rows


def _check_class_ids(rows: list[list[float]], column: int, key: str, file: str) -> None:
    for index, row in enumerate(rows):
        if not row[column].is_integer() or not 0 <= row[column] <= MAX_CLASS_ID:
            raise OvguiError(
                f"{file}: {key}[{index}] class_id is {row[column]:g}; it must be a whole number from 0 to {MAX_CLASS_ID}"
            )


def _finite_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)) and math.isfinite(value)


def _a(value: Any) -> str:
    name = type(value).__name__
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


def _shown(value: Any) -> str:
    text = _text(value, repr)
    return text if len(text) <= 40 else text[:39] + "…"


def _text(value: Any, show: Callable[[Any], str]) -> str:
    """`repr` or `str` of the user's object, which may itself raise (or return a non-string)."""
    try:
        text = show(value)
    except Exception as error:  # noqa: BLE001 - the user's __repr__/__str__ may raise anything
        return f"{_a(value)} whose {show.__name__}() raised {type(error).__name__}"
    return text if isinstance(text, str) else f"{_a(value)} whose {show.__name__}() is not text"

"""Class names for decoded boxes: from a user's file, the bundled sets, model metadata, or the model's name.

Every list is indexed by class id, so a label file keeps blank lines (they
still occupy an id) and a metadata dict with gaps is filled with placeholders.
"""

from __future__ import annotations

import ast
import json
from functools import cache
from importlib.resources import files
from pathlib import Path

from ovgui.core.decoders.common import label_for
from ovgui.core.errors import OvguiError

BUNDLED = ("coco", "voc", "imagenet")
_DETECTION_FAMILIES = ("ssd", "yolov5", "yolov8", "boxes_labels")


def load_labels(path: str | Path) -> list[str]:
    """One name per line, line number = class id; ``utf-8-sig`` also accepts files saved with a BOM."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise OvguiError(f"label file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise OvguiError(f"cannot read label file {path}: {error}") from None
    labels = [line.strip() for line in text.splitlines()]
    if not any(labels):
        raise OvguiError(f"label file is empty: {path}")
    return labels


def bundled_labels(name: str) -> list[str]:
    if name not in BUNDLED:
        raise OvguiError(f"no bundled label set '{name}'; choose one of {', '.join(BUNDLED)}")
    return list(_read_bundled(name))


@cache
def _read_bundled(name: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in _resource(f"{name}.txt").splitlines())


def _resource(filename: str) -> str:
    return (resources_root() / "labels" / filename).read_text(encoding="utf-8")


def resources_root():
    """Installed, `resources/` is the package `ovgui.resources`; when the source tree itself is on
    sys.path (``python -m`` from a checkout) it is the top-level `resources/` folder next to `ovgui/`."""
    try:
        return files("ovgui.resources")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[3] / "resources"


def labels_from_metadata(names_value: object) -> list[str] | None:
    """Ultralytics stores ``names`` as a dict literal string; ``literal_eval`` reads it without executing code."""
    names = names_value
    if isinstance(names, str):
        try:
            names = ast.literal_eval(names)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None
    if isinstance(names, (list, tuple)):
        names = dict(enumerate(names))
    if not isinstance(names, dict) or not names:
        return None
    try:
        by_id = {int(key): str(value) for key, value in names.items()}
    except (TypeError, ValueError):
        return None
    if min(by_id) < 0:
        return None
    return [by_id.get(class_id, label_for(class_id, None)) for class_id in range(max(by_id) + 1)]


def default_labels(family: str, num_classes: int | None, model_path: str) -> list[str] | None:
    """Best label set when the user gave none: the model's own name first, then the class count."""
    by_model = _omz_labels(Path(model_path).stem.lower())
    if by_model is not None:
        return by_model
    if family == "yunet":
        return ["face"]
    if family in ("yolov5", "yolov8") and num_classes == 80:
        return bundled_labels("coco")
    if family == "classify" and num_classes in (1000, 1001):
        imagenet = bundled_labels("imagenet")
        return imagenet if num_classes == 1000 else ["background", *imagenet]
    if family in _DETECTION_FAMILIES and num_classes in (20, 21):
        voc = bundled_labels("voc")
        return voc if num_classes == 21 else voc[1:]
    return None


def _omz_labels(model_name: str) -> list[str] | None:
    """Open Model Zoo detectors are recognised by name; the longest matching prefix wins."""
    known = _omz_models()
    prefixes = [prefix for prefix in known if model_name.startswith(prefix)]
    return list(known[max(prefixes, key=len)]) if prefixes else None


@cache
def _omz_models() -> dict[str, tuple[str, ...]]:
    return {prefix: tuple(names) for prefix, names in json.loads(_resource("omz_models.json")).items()}

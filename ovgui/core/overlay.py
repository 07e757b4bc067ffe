"""Outputs drawn over the photo: a heatmap of one channel, or an argmax class map with its legend.

An output is a *map* when its spatial dimensions are the model input's divided
by a whole stride (1 for a full-resolution map, 4, 8, ... for a network's
feature grid), in one of the layouts ``[1,C,H,W]``, ``[1,H,W,C]`` or
``[1,H,W]``.  Anything else (a vector, a row list, YuNet's flattened grids) is
not drawn, because placing it over the photo would invent a geometry.

A map lines up with the input, not with the photo, so it is warped back with
the one affine transform the preprocessing implies (`Geometry`'s scale and
padding): a letterboxed model's padding falls outside the photo and is never
drawn, and a stretched one is un-stretched.  Images are BGR uint8, as the photo.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ovgui.core.annotate import class_color
from ovgui.core.decoders.base import ModelOutput
from ovgui.core.decoders.common import display_name, label_for
from ovgui.core.errors import OvguiError
from ovgui.core.geometry import Geometry
from ovgui.core.report import ClassShare

MAX_STRIDE = 64
MIN_MAP_SIDE = 2
COLORMAPS = {
    "turbo": cv2.COLORMAP_TURBO,
    "jet": cv2.COLORMAP_JET,
    "viridis": cv2.COLORMAP_VIRIDIS,
    "inferno": cv2.COLORMAP_INFERNO,
    "magma": cv2.COLORMAP_MAGMA,
    "plasma": cv2.COLORMAP_PLASMA,
    "hot": cv2.COLORMAP_HOT,
}
DEFAULT_COLORMAP = "turbo"
DEFAULT_OPACITY = 0.5


@dataclass(frozen=True)
class MapLayout:
    """Where the channels and the grid sit in an output, and how many input pixels one cell covers."""

    layout: str
    channels: int
    height: int
    width: int
    stride: int


@dataclass(frozen=True)
class SpatialOutput:
    """An output that maps onto the input, with its layout: what a channel picker lists."""

    output: ModelOutput
    layout: MapLayout

    @property
    def name(self) -> str:
        return display_name(self.output)

    def plane(self, channel: int = 0) -> np.ndarray:
        """One channel of the first image of the batch, as float32 ``[H,W]``."""
        if not 0 <= channel < self.layout.channels:
            raise OvguiError(f"{self.name} has {self.layout.channels} channel(s); choose 0 to {self.layout.channels - 1}")
        first = np.asarray(self.output.data)[0]
        if self.layout.layout == "NCHW":
            first = first[channel]
        elif self.layout.layout == "NHWC":
            first = first[..., channel]
        return first.astype(np.float32)

    def class_ids(self) -> np.ndarray:
        """Argmax over the channels, or the values themselves when there is one channel (class ids)."""
        if self.layout.channels == 1:
            return np.rint(np.nan_to_num(self.plane(0))).astype(np.int32)
        first = np.asarray(self.output.data)[0]
        axis = 0 if self.layout.layout == "NCHW" else -1
        return np.argmax(np.nan_to_num(first.astype(np.float32), nan=-np.inf), axis=axis).astype(np.int32)


@dataclass
class Heatmap:
    image: np.ndarray
    values: np.ndarray
    value_range: tuple[float, float]
    colormap: str


@dataclass
class ClassMap:
    image: np.ndarray
    class_ids: np.ndarray
    legend: list[ClassShare]


def map_layout(shape: list[int], geometry: Geometry) -> MapLayout | None:
    """The layout under which ``shape`` is a grid over the input; channels-first is tried first."""
    if not shape or shape[0] != 1:
        return None
    if len(shape) == 3:
        candidates = [("NHW", 1, shape[1], shape[2])]
    elif len(shape) == 4:
        candidates = [("NCHW", shape[1], shape[2], shape[3]), ("NHWC", shape[3], shape[1], shape[2])]
    else:
        return None
    for layout, channels, height, width in candidates:
        stride = grid_stride(height, width, geometry)
        if stride is not None and channels >= 1:
            return MapLayout(layout, channels, height, width, stride)
    return None


def grid_stride(height: int, width: int, geometry: Geometry) -> int | None:
    """The whole stride at which an ``height x width`` grid covers the input (either rounding of an odd size)."""
    if min(height, width) < MIN_MAP_SIDE:
        return None
    stride = round(geometry.input_width / width)
    if not 1 <= stride <= MAX_STRIDE:
        return None
    covers = all(
        cells in (size // stride, -(-size // stride))
        for cells, size in ((width, geometry.input_width), (height, geometry.input_height))
    )
    return stride if covers else None


def spatial_outputs(outputs: list[ModelOutput], geometry: Geometry) -> list[SpatialOutput]:
    """The outputs that can be drawn over the photo, in the model's order."""
    found = []
    for output in outputs:
        if output.data is None or np.asarray(output.data).dtype.kind not in "biuf":
            continue
        layout = map_layout(list(np.shape(output.data)), geometry)
        if layout is not None:
            found.append(SpatialOutput(output, layout))
    return found


def has_map_shape(outputs: list[ModelOutput]) -> bool:
    """Shapes alone, before the input size is known: some output is ``[1,H,W]`` or ``[1,a,b,c]``."""
    return any(len(output.shape) in (3, 4) and output.shape[0] in (1, -1) for output in outputs)


def find_map(outputs: list[ModelOutput], geometry: Geometry, name: str | None = None) -> SpatialOutput:
    """The named output, or the first one that lines up with the input; ValueError says why none does."""
    candidates = spatial_outputs(outputs, geometry)
    if name is not None:
        named = next((spatial for spatial in candidates if name in spatial.output.names), None)
        if named is None:
            raise ValueError(f"no output named '{name}' lines up with the {geometry.input_width}x{geometry.input_height} input")
        return named
    if not candidates:
        raise ValueError(f"no output lines up with the {geometry.input_width}x{geometry.input_height} input")
    return candidates[0]


def to_photo(plane: np.ndarray, geometry: Geometry, stride: int, nearest: bool = False) -> np.ndarray:
    """Warp a map's ``[H,W]`` plane onto the photo's pixels.

    A photo pixel centre ``x + 0.5`` sits at input ``(x + 0.5) * scale + pad`` and at map
    cell ``input / stride``; OpenCV samples at cell centres, hence the ``- 0.5``.  The map is
    first cut to the cells that hold the photo, so pixels at the photo's edge repeat the edge
    cell instead of blending in a letterbox padding cell.
    """
    content_width, content_height = geometry.resized_size
    left, right = content_cells(geometry.pad_left, content_width, stride, plane.shape[1])
    top, bottom = content_cells(geometry.pad_top, content_height, stride, plane.shape[0])
    matrix = np.array(
        [
            [geometry.scale_x / stride, 0.0, (0.5 * geometry.scale_x + geometry.pad_left) / stride - 0.5 - left],
            [0.0, geometry.scale_y / stride, (0.5 * geometry.scale_y + geometry.pad_top) / stride - 0.5 - top],
        ]
    )
    flags = (cv2.INTER_NEAREST if nearest else cv2.INTER_LINEAR) | cv2.WARP_INVERSE_MAP
    size = (geometry.image_width, geometry.image_height)
    content = np.ascontiguousarray(plane[top:bottom, left:right], np.float32)
    return cv2.warpAffine(content, matrix, size, flags=flags, borderMode=cv2.BORDER_REPLICATE)


def content_cells(pad: float, extent: float, stride: int, cells: int) -> tuple[int, int]:
    """The cells along one axis that the photo's content touches (the rest is padding)."""
    first = min(max(int(np.floor(pad / stride)), 0), cells - 1)
    return first, max(min(int(np.ceil((pad + extent) / stride)), cells), first + 1)


def heatmap_overlay(
    photo_bgr: np.ndarray,
    spatial: SpatialOutput,
    geometry: Geometry,
    channel: int = 0,
    colormap: str = DEFAULT_COLORMAP,
    opacity: float = DEFAULT_OPACITY,
    value_range: tuple[float, float] | None = None,
) -> Heatmap:
    """One channel in a colour map over the photo; NaN and infinite cells stay transparent.

    Without a range, a map whose values all lie in 0..1 is shown on 0..1 (a probability keeps
    its meaning); any other map is stretched over its own finite range on the photo.
    """
    _check_drawing(photo_bgr, geometry, opacity)
    if colormap not in COLORMAPS:
        raise OvguiError(f"unknown colour map '{colormap}'; choose one of {', '.join(COLORMAPS)}")
    plane = spatial.plane(channel)
    invalid = ~np.isfinite(plane)
    values = to_photo(np.where(invalid, 0.0, plane), geometry, spatial.layout.stride)
    hidden = to_photo(invalid.astype(np.float32), geometry, spatial.layout.stride, nearest=True) > 0
    values[hidden] = np.nan
    low, high = value_range or auto_range(values[~hidden])
    span = high - low if high > low else 1.0
    levels = (np.clip((np.nan_to_num(values, nan=low) - low) / span, 0.0, 1.0) * 255).astype(np.uint8)
    colours = cv2.applyColorMap(levels, COLORMAPS[colormap])
    alpha = np.where(hidden, 0.0, opacity)[..., None]
    return Heatmap(blend(photo_bgr, colours, alpha), values, (float(low), float(high)), colormap)


def auto_range(values: np.ndarray) -> tuple[float, float]:
    if values.size == 0:
        return 0.0, 1.0
    low, high = float(values.min()), float(values.max())
    return (0.0, 1.0) if low >= 0.0 and high <= 1.0 else (low, high)


def class_mask(spatial: SpatialOutput, geometry: Geometry) -> np.ndarray:
    """Class ids at the photo's size; argmax at the map's own resolution, then nearest-neighbour."""
    ids = spatial.class_ids()
    return to_photo(ids.astype(np.float32), geometry, spatial.layout.stride, nearest=True).astype(np.int32)


def class_shares(mask: np.ndarray, labels: list[str] | None) -> list[ClassShare]:
    """Each class present in the mask with the fraction of pixels it covers, largest first."""
    ids, counts = np.unique(mask, return_counts=True)
    order = np.argsort(-counts, kind="stable")
    total = mask.size
    return [ClassShare(int(ids[i]), label_for(int(ids[i]), labels), float(counts[i] / total)) for i in order]


def class_overlay(
    photo_bgr: np.ndarray,
    spatial: SpatialOutput,
    geometry: Geometry,
    labels: list[str] | None = None,
    opacity: float = DEFAULT_OPACITY,
) -> ClassMap:
    """The argmax class of every photo pixel in its class colour (the boxes' palette), with the legend."""
    _check_drawing(photo_bgr, geometry, opacity)
    mask = class_mask(spatial, geometry)
    return ClassMap(paint_classes(photo_bgr, mask, opacity), mask, class_shares(mask, labels))


def paint_classes(photo_bgr: np.ndarray, mask: np.ndarray, opacity: float) -> np.ndarray:
    """Negative ids (no class) stay unpainted."""
    ids, where = np.unique(mask, return_inverse=True)
    palette = np.array([class_color(int(i))[::-1] for i in ids], dtype=np.uint8)
    alpha = np.where(mask < 0, 0.0, opacity)[..., None]
    return blend(photo_bgr, palette[where.reshape(mask.shape)], alpha)


def blend(photo_bgr: np.ndarray, colours: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    mixed = photo_bgr.astype(np.float32) * (1.0 - alpha) + colours.astype(np.float32) * alpha
    return np.clip(np.rint(mixed), 0, 255).astype(np.uint8)


def _check_drawing(photo_bgr: np.ndarray, geometry: Geometry, opacity: float) -> None:
    if not 0.0 <= opacity <= 1.0:
        raise OvguiError(f"opacity must be between 0 and 1, not {opacity}")
    if photo_bgr.shape[:2] != (geometry.image_height, geometry.image_width):
        raise ValueError(
            f"photo is {photo_bgr.shape[1]}x{photo_bgr.shape[0]} but the geometry is for "
            f"{geometry.image_width}x{geometry.image_height}"
        )

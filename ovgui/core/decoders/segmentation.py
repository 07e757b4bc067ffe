"""Semantic segmentation: one class per pixel, from ``[1,C,H,W]`` (or ``[1,H,W,C]``) scores or ``[1,H,W]`` ids.

The argmax is taken at the map's own resolution and carried to the photo by
nearest neighbour through the preprocessing's geometry, so a class never
bleeds into the letterbox padding and no ids are invented by interpolation.
"Auto" never picks this decoder: a feature map has the same shape as a
score map, so only the user can say a model segments.
"""

from __future__ import annotations

import numpy as np

from ovgui.core.decoders.base import DecodeOptions, DecodeResult
from ovgui.core.decoders.common import Family, Outputs
from ovgui.core.geometry import Geometry
from ovgui.core.overlay import class_mask, class_shares, find_map, has_map_shape


def decode_segmentation(outputs: Outputs, geometry: Geometry, options: DecodeOptions) -> DecodeResult:
    spatial = find_map(outputs, geometry, options.output)
    if spatial.layout.channels == 1:
        plane = spatial.plane(0)
        if not np.array_equal(plane, np.rint(plane)):
            raise ValueError(
                f"{spatial.name} has one channel of non-integer values, not class ids; "
                "segmentation needs [1,C,H,W] scores or [1,H,W] ids (a probability map is the probability_map decoder's)"
            )
    mask = class_mask(spatial, geometry)
    return DecodeResult("segmentation", mask=mask, segments=class_shares(mask, options.labels))


FAMILY = Family(
    "segmentation",
    "a [1,C,H,W] / [1,H,W,C] score map or [1,H,W] class ids at the input's resolution or a stride of it",
    has_map_shape,
    decode_segmentation,
    recognises=lambda outputs: False,
)

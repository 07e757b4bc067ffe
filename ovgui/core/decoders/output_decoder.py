"""The one way a run turns outputs into results: the user's decoder file when given, else the
built-in family, on the first image of a batch.  Single images and every frame of a set go
through it, so a user's decoder sees video frames exactly as it sees a photo."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass

from ovgui.core.decoders.base import DecodeOptions, DecodeResult, ModelOutput
from ovgui.core.decoders.families import decode
from ovgui.core.decoders.suggestions import suggest
from ovgui.core.decoders.user import UserDecoder
from ovgui.core.errors import OvguiError
from ovgui.core.geometry import Geometry


@dataclass(frozen=True)
class OutputDecoder:
    options: DecodeOptions
    family: str
    batch: int = 1
    user: UserDecoder | None = None
    cancel: threading.Event | None = None
    """The run's cancel flag: a user's decode() still running when it is set is walked away from."""

    def __call__(self, outputs: list[ModelOutput], geometry: Geometry) -> DecodeResult:
        """A result nothing was read from carries suggestions of decoders that might read it."""
        outputs = first_of_batch(outputs, self.batch)
        result = self._decode(outputs, geometry)
        if not result.failed:
            return result
        return dataclasses.replace(result, suggestions=suggest(outputs, result.decoder))

    def _decode(self, outputs: list[ModelOutput], geometry: Geometry) -> DecodeResult:
        if self.user is None:
            return decode(outputs, geometry, self.options, self.family)
        try:
            return self.user.decode(outputs, geometry, self.options.labels, self.options.threshold, self.cancel)
        except OvguiError as error:
            return DecodeResult("user", note=str(error), failed=True)


def first_of_batch(outputs: list[ModelOutput], batch: int) -> list[ModelOutput]:
    """Every image of a batch is the same picture: decode the first."""
    if batch <= 1:
        return outputs
    return [
        ModelOutput(out.names, [1, *out.shape[1:]], out.data[:1])
        if out.data is not None and out.shape and out.shape[0] == batch else out
        for out in outputs
    ]

"""Calibration images for INT8 quantization, each turned into the model's inputs exactly as a run
turns a frame of a set into them, so the ranges NNCF measures are those inference will see.

The first image is prepared as a run prepares its first frame (`prepare_inputs`, on a copy of
the model: the family's recipe, the model's own statements, the user's settings), the others as
a run prepares the next frames of a set (`frame_inputs`): the same fit, colour order, mean,
scale and layout, and inputs that are no image keep the data a run gives them.  Images are read
one at a time as NNCF asks for them, never all held at once.

Three run settings are not applied, each with a note: preprocessing in the graph (calibration
converts on the host, which computes the same values; the INT8 model keeps the source's
interface), a batch and a list of data shapes (the INT8 model keeps the source's input shapes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np
import openvino as ov

from ovgui.core.errors import OvguiError
from ovgui.core.image import load_image
from ovgui.core.inputs import open_source
from ovgui.core.preprocess import PreparedInputs, frame_inputs, prepare_inputs
from ovgui.core.quantize_options import DEFAULT_SUBSET_SIZE, FEW_IMAGES
from ovgui.core.report import RunConfig


@dataclass
class Calibration:
    """The images NNCF is fed (`paths`, already cut to the subset) and how each becomes the model's inputs."""

    paths: list[Path]
    prepared: PreparedInputs
    input_names: list[str]
    notes: list[str] = field(default_factory=list)

    def inputs_for(self, path: Path) -> dict[str, np.ndarray]:
        """The model's inputs for one calibration image, by input name."""
        try:
            image = load_image(path)
        except OvguiError as error:
            raise OvguiError(f"calibration image {path.name}: {error}") from None
        arrays, _geometry = frame_inputs(image, self.prepared)
        merged = {**self.prepared.arrays, **arrays}
        return {self.input_names[index]: array for index, array in merged.items()}


def calibration_images(source: str, subset_size: int) -> tuple[list[Path], list[str]]:
    """The first `subset_size` readable images of `source` (a folder, a glob or one image), and
    notes on what was skipped, capped or is too little to go on."""
    frames = open_source([source])
    if frames.kind == "video":
        raise OvguiError(f"calibration takes a folder of images or a glob, not a video ({Path(source).name})")
    paths: list[Path] = []
    notes: list[str] = []
    for path in frames.paths:
        if len(paths) == subset_size:
            break
        if cv2.haveImageReader(str(path)):
            paths.append(path)
        else:
            notes.append(f"skipped {path.name}: not an image OpenCV can read")
    if len(paths) < subset_size:
        asked = "" if subset_size == DEFAULT_SUBSET_SIZE else f" (subset size {subset_size} asked)"
        notes.append(f"calibration uses all {len(paths)} images of {source}{asked}")
    if len(paths) < FEW_IMAGES:
        notes.append(f"warning: {len(paths)} calibration image{'s' if len(paths) != 1 else ''}, fewer than {FEW_IMAGES}: "
                     f"the INT8 ranges rest on little data (NNCF suggests about {DEFAULT_SUBSET_SIZE})")
    return paths, notes


def calibration_config(config: RunConfig) -> tuple[RunConfig, list[str]]:
    """The run settings calibration applies, and a note for each one it leaves out."""
    notes = []
    if config.preprocess == "graph":
        notes.append("calibration converts the images on the host (preprocessing in the graph computes the same "
                     "values; the INT8 model keeps the source's inputs)")
    if config.batch is not None:
        notes.append(f"batch {config.batch} is not applied: the INT8 model keeps the source's input shapes")
    if config.data_shapes:
        notes.append("the data shapes are not applied: calibration uses each input's own shape")
    return replace(config, preprocess="host", batch=None, data_shapes=None), notes


def open_calibration(model: ov.Model, model_format: str, family: str, config: RunConfig, source: str,
                     subset_size: int) -> Calibration:
    """The calibration set for `model` (left as it is): its images and how each becomes the inputs."""
    paths, notes = calibration_images(source, subset_size)
    if not paths:
        raise OvguiError(f"{source} holds no images OpenCV can read")
    calibrated, config_notes = calibration_config(config)
    first = load_image(paths[0])
    prepared = prepare_inputs(model.clone(), first, family, model_format, calibrated)
    names = [port.get_any_name() for port in model.inputs]
    check_shapes(model.inputs, prepared)
    return Calibration(paths, prepared, names, [*notes, *config_notes, *prepared.notes])


def check_shapes(ports: Sequence[ov.Output], prepared: PreparedInputs) -> None:
    """Each input's calibration data fits the model as it is (a `--shape` the model's static input
    does not have would reshape only the copy the data was made for)."""
    for index, port in enumerate(ports):
        shape = prepared.arrays[index].shape
        if not port.get_partial_shape().compatible(ov.PartialShape(list(shape))):
            raise OvguiError(f"calibration data of shape {list(shape)} does not fit input '{port.get_any_name()}' "
                             f"{port.get_partial_shape()}: quantization keeps the model's own input shapes "
                             "(leave out --shape)")

"""Small models that state their own preprocessing, written as the tools that make them do: an IR
with the Model API's `model_info` or the legacy converter's `conversion_parameters` in its rt_info,
and an ONNX file with `metadata_props`.

The `onnx` package is no dependency of ovgui (nor installed), so the ONNX file is written here in
protobuf's wire format by hand: an Identity model, which is all a metadata test needs.
"""

from __future__ import annotations

from pathlib import Path

import openvino as ov
import openvino.opset13 as ops

ONNX_FLOAT = 1


def image_model(name: str = "x", shape: tuple[int, ...] = (1, 3, 32, 32)) -> ov.Model:
    image = ops.parameter(list(shape), ov.Type.f32, name=name)
    image.output(0).get_tensor().set_names({name})
    return ov.Model([ops.relu(image)], [image], "stated")


def ir_with_rt_info(folder: Path, entries: dict[tuple[str, str], str]) -> Path:
    """An IR saved with `ov.save_model` whose rt_info holds `entries`, keyed by (section, key)."""
    model = image_model()
    for (section, key), value in entries.items():
        model.set_rt_info(value, [section, key])
    path = folder / "stated.xml"
    ov.save_model(model, path)
    return path


def onnx_with_metadata(folder: Path, metadata: dict[str, str], shape: tuple[int, ...] = (1, 3, 32, 32)) -> Path:
    """An ONNX Identity model from x to y with `metadata` as its metadata_props."""
    dims = b"".join(field(1, key(1, 0) + varint(size)) for size in shape)
    tensor_type = key(1, 0) + varint(ONNX_FLOAT) + field(2, dims)
    value_info = {name: field(1, name.encode()) + field(2, field(1, tensor_type)) for name in ("x", "y")}
    node = field(1, b"x") + field(2, b"y") + field(4, b"Identity")
    graph = field(1, node) + field(2, b"g") + field(11, value_info["x"]) + field(12, value_info["y"])
    model = (key(1, 0) + varint(8) + field(2, b"test") + field(7, graph) + field(8, field(1, b"") + key(2, 0) + varint(13))
             + b"".join(field(14, field(1, k.encode()) + field(2, v.encode())) for k, v in metadata.items()))
    path = folder / "stated.onnx"
    path.write_bytes(model)
    return path


def key(number: int, wire_type: int) -> bytes:
    return varint(number << 3 | wire_type)


def field(number: int, payload: bytes) -> bytes:
    """A length-delimited field: a string, bytes or an embedded message."""
    return key(number, 2) + varint(len(payload)) + payload


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)

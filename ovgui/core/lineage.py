"""Which file an IR that ovgui wrote was made from, kept in the IR's own rt_info.

An INT8 copy or an FP16 IR is the same network as its source, under another path: the layer A/B
pairs it with its source and does not warn of two different models, wherever and whenever the
copy is opened, because the IR itself says where it came from.
"""

from __future__ import annotations

from pathlib import Path

import openvino as ov

SOURCE_KEY = ["ovgui", "source_model"]


def mark_source(model: ov.Model, source: str | Path) -> None:
    """Record `source` (as an absolute path) in the model about to be saved."""
    model.set_rt_info(str(Path(source).resolve()), SOURCE_KEY)


def source_of(model: ov.Model) -> str:
    """The file the model was made from, "" for a model ovgui did not write."""
    return model.get_rt_info(SOURCE_KEY).astype(str) if model.has_rt_info(SOURCE_KEY) else ""


def quantized_by_nncf(model: ov.Model) -> bool:
    """NNCF writes its settings into the rt_info of every model it quantizes."""
    return model.has_rt_info(["nncf"])

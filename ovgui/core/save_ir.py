"""Saving a model as OpenVINO IR: what a user ships instead of converting at every start.

The model is read as a run reads it (a PyTorch file converted, an ExportedProgram with the
shapes it recorded) and written with `openvino.save_model`, weights compressed to FP16 by
default as OpenVINO's own tools do (`compress_to_fp16`; the CPU still computes in its own
precision, so outputs stay close).  The source is never overwritten: an IR's .bin beside its
.xml would be written while OpenVINO still maps it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import openvino as ov

from ovgui.core.devices import shared_core
from ovgui.core.errors import OvguiError
from ovgui.core.lineage import mark_source
from ovgui.core.model import check_model_path, openvino_message, read_model
from ovgui.core.torch_model import is_torch_file


@dataclass(frozen=True)
class SavedIr:
    """Where the IR went (`xml`, with its .bin beside it), how long reading (and converting, for
    a PyTorch file) and writing took, and whether the weights were compressed to FP16."""

    xml: Path
    read_s: float
    write_s: float
    fp16: bool
    converted: bool = False

    @property
    def size_bytes(self) -> int:
        return sum(path.stat().st_size for path in (self.xml, self.xml.with_suffix(".bin")) if path.is_file())


def check_ir_target(model_path: str | Path, out: str | Path) -> Path:
    """The .xml to write, or the line saying why not (before any work is done)."""
    out = Path(out)
    if out.suffix.lower() != ".xml":
        raise OvguiError(f"an IR is saved as an .xml file (with its .bin beside it), not {out.name}")
    if not out.parent.is_dir():
        raise OvguiError(f"cannot save the IR: folder {out.parent} does not exist")
    source = Path(model_path).resolve()
    if {out.resolve(), out.with_suffix(".bin").resolve()} & {source, source.with_suffix(".bin")}:
        raise OvguiError(f"cannot save the IR over the model it is read from ({source.name}); choose another name")
    return out


def save_as_ir(model_path: str | Path, out: str | Path, compress_to_fp16: bool = True,
               core: ov.Core | None = None) -> SavedIr:
    """Read `model_path` and write it as IR at `out` (an .xml)."""
    out = check_ir_target(model_path, out)
    started = time.perf_counter()
    model = read_model(core or shared_core(), check_model_path(model_path))
    read_s = time.perf_counter() - started
    mark_source(model, model_path)
    started = time.perf_counter()
    try:
        ov.save_model(model, str(out), compress_to_fp16=compress_to_fp16)
    except (RuntimeError, OSError) as error:
        raise OvguiError(f"cannot save the IR {out.name}: {openvino_message(error)}") from None
    return SavedIr(out, read_s, time.perf_counter() - started, compress_to_fp16, is_torch_file(model_path))


def saved_ir_text(saved: SavedIr) -> str:
    """One line for the status bar and the CLI."""
    read = "read and converted" if saved.converted else "read"
    weights = "FP16 weights" if saved.fp16 else "FP32 weights"
    return (f"saved {saved.xml} ({saved.size_bytes / 1e6:.1f} MB, {weights}): {read} in {saved.read_s:.2f} s, "
            f"written in {saved.write_s:.2f} s")

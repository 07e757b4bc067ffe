"""FP32 against INT8 in one comparison: the source model, optionally an FP16 IR of it, and its
INT8 copy, each run with the same settings on the same images.

The rows answer "is my INT8 model faster, smaller, still right?": the comparison's columns give
each variant's latency, throughput, compile time, peak RSS, size on disk, accuracy (with
``--accuracy``) and output drift against the source; the layer A/B of source and INT8 names the
layers that got slower (`ovgui.core.layer_causes`).  Every variant is fed the image as the source
is: calibration saw the source's preprocessing, and an IR on its own would be guessed differently
(a saved IR says nothing of its colour order, mean or scale).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path

from ovgui.core import events
from ovgui.core.compare import Configured, Variant, ignore_event, run_variants
from ovgui.core.devices import shared_core
from ovgui.core.ladder import content_hash, ladder_root, pinned_preprocessing, saved_ir
from ovgui.core.lineage import quantized_by_nncf
from ovgui.core.model import check_model_path, read_model
from ovgui.core.options import make_config
from ovgui.core.runner import RunRequest

INT8 = "INT8"
"""The name the comparison's own notes come under."""


def int8_variants(source: Path, int8: Path, fp16: Path | None) -> list[Variant]:
    """Source first (the reference every drift and agreement is held against), the copy last (the
    run the window shows, paired in the A/B with the source it was made from).  The copy is called
    INT8 when NNCF made it (its rt_info says so), else an IR: Save as IR's copies compare the same way."""
    variants = [Variant(f"{source.name} (source)", {}, str(source), f"the model as given: {source}")]
    if fp16 is not None:
        variants.append(Variant(f"{fp16.name} (FP16 IR)", {}, str(fp16),
                                f"{source.name} saved as IR with FP16 weights (openvino.save_model): {fp16}"))
    if quantized_by_nncf(read_model(shared_core(), int8)):
        return [*variants, Variant(f"{int8.name} ({INT8})", {}, str(int8), f"the INT8 copy quantized with NNCF: {int8}")]
    return [*variants, Variant(f"{int8.name} (IR)", {}, str(int8), f"the IR ovgui wrote of {source.name}: {int8}")]


def run_int8_comparison(
    base: RunRequest,
    on_event: Callable[[str, events.Event], None] = ignore_event,
    cancel: threading.Event | None = None,
    live: Callable[[], events.LiveData] = events.LiveData,
    *,
    source: str | Path,
    int8: str | Path,
    with_fp16: bool = False,
    root: Path | None = None,
) -> Iterator[Configured]:
    """The variants as `run_variants` runs configurations, after pinning the source's
    preprocessing and, `with_fp16`, saving (or finding) its FP16 IR under the ladder's cache
    folder (`root`), whose notes come as events.  A stop during the save raises `RunCancelled`."""
    cancel = cancel or threading.Event()
    source, int8 = check_model_path(source).resolve(), check_model_path(int8).resolve()
    tell = partial(_tell, partial(on_event, INT8))
    fp16 = None
    if with_fp16:
        live()
        folder = (root or ladder_root()) / f"{source.stem}-{content_hash(source, cancel)}"
        folder.mkdir(parents=True, exist_ok=True)
        fp16 = saved_ir(source, folder, tell, cancel)
    preprocessing = pinned_preprocessing(base.config, source, source)
    request = replace(base, config=make_config(preprocessing, base.config))
    yield from run_variants(request, int8_variants(source, int8, fp16), on_event, cancel, live)


def _tell(emit: events.EventCallback, text: str) -> None:
    emit(events.Note(f"FP32 vs INT8: {text}"))

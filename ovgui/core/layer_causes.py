"""Why a layer of run B costs what it does against run A, when B runs a quantized model.

"My INT8 model is slower than FP32" is most often answered by a few layers: Reorders that
convert between precisions or layouts around the quantized ones, FakeQuantize nodes the plugin
could not fuse into a layer, and compute layers left in floating point (kept on purpose, or
skipped by NNCF).  The CPU plugin says which kernel ran each layer in its exec type, whose last
word is the precision it ran in (``brgconv_avx512_amx_1x1_I8``, ``jit_uni_bf16``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ovgui.core.report import LayerStats, Report

QUANTIZED_PRECISIONS = frozenset({"i8", "u8", "i4", "u4"})
FLOAT_PRECISIONS = frozenset({"f32", "bf16", "f16"})
COMPUTE_TYPES = frozenset({"Convolution", "GroupConvolution", "MatMul", "FullyConnected", "ConvolutionBackpropData",
                           "GroupConvolutionBackpropData", "Deconvolution", "FullyConnectedCompressed"})
"""The layers NNCF quantizes (their weights and inputs), the ones that decide an INT8 model's speed."""

REORDER = "Reorder (conversion)"
"""A Reorder converts between precisions (dequantize, requantize) or memory layouts."""
UNFUSED_FAKE_QUANTIZE = "FakeQuantize alone"
"""A FakeQuantize the plugin could not fuse into a layer, run as a layer of its own."""
FUSED_QUANTIZER = "quantizer fused in"
"""A layer that also quantizes its output: a FakeQuantize fused into it, named after it."""
REFERENCE_KERNEL = "reference kernel"
"""The plugin fell back to its slow reference implementation (``ref_…``) for this layer."""
QUANTIZER_SUFFIX = re.compile(r"/fq_(?:output|weights)_\d+")
"""What NNCF's FakeQuantize nodes add to a name: a layer the plugin fused a quantizer into is
named after the quantizer (``data/mean/fq_output_0``), and so are the Reorders around it
(``data/mean/fq_output_0_abcd_acdb_conv1``)."""


def quantizer_free(name: str) -> str:
    """The layer's name as the model without quantizers names it."""
    return QUANTIZER_SUFFIX.sub("", name)


def exec_precision(layer: LayerStats) -> str:
    """The precision the kernel ran in: the exec type's last word, else the layer's runtime precision."""
    last = layer.exec_type.rsplit("_", 1)[-1].lower()
    return last if last in QUANTIZED_PRECISIONS | FLOAT_PRECISIONS else layer.runtime_precision.lower()


def is_quantized(report: Report) -> bool:
    """Whether any executed compute layer of the run ran in an integer precision."""
    return any(layer.type in COMPUTE_TYPES and exec_precision(layer) in QUANTIZED_PRECISIONS for layer in executed(report))


def executed(report: Report) -> list[LayerStats]:
    return [layer for layer in report.layers if layer.executed and not layer.is_preprocessing]


def cause(layer_a: LayerStats | None, layer_b: LayerStats | None, quantized_b: bool,
          owners_a: Mapping[str, str] | None = None) -> str:
    """What B's layer is, in a few words, when it is one of the usual costs of a quantized model
    (the constants above say each in full); "" otherwise.  `owners_a` names the layer of A each
    original layer ran in (`fused_more`)."""
    if layer_b is None or not quantized_b:
        return ""
    if layer_b.type == "Reorder":
        return REORDER
    if layer_b.type == "FakeQuantize":
        return UNFUSED_FAKE_QUANTIZE
    precision = exec_precision(layer_b)
    if layer_b.type in COMPUTE_TYPES and precision in FLOAT_PRECISIONS:
        return f"left in {precision}"
    if QUANTIZER_SUFFIX.search(layer_b.name):
        return FUSED_QUANTIZER
    if layer_b.exec_type.lower().startswith("ref") and not (layer_a and layer_a.exec_type.lower().startswith("ref")):
        return REFERENCE_KERNEL
    return fused_more(layer_a, layer_b, owners_a or {})


def fused_more(layer_a: LayerStats | None, layer_b: LayerStats, owners_a: Mapping[str, str]) -> str:
    """B's layer also runs layers that A ran as layers of their own (an INT8 convolution takes in
    the residual Add after it): its time holds theirs, so it looks slower than it is.  Only the
    model's layers count, found in A: the dequantization Multiply a quantized layer absorbs is not
    one of them."""
    if layer_a is None:
        return ""
    others = {owners_a[name] for name in map(quantizer_free, layer_b.original_layers) if name in owners_a} - {layer_a.name}
    return f"fused +{len(others)} {'layer' if len(others) == 1 else 'layers'}" if others else ""


def precision_mix(report: Report) -> str:
    """The compute layers by the precision they ran in, and the time Reorders took, in one line:
    "60 compute layers: 58 i8/u8, 2 bf16 · Reorders 0.93 ms"."""
    layers = executed(report)
    compute = [layer for layer in layers if layer.type in COMPUTE_TYPES]
    counts: dict[str, int] = {}
    for layer in compute:
        precision = exec_precision(layer)
        key = "i8/u8" if precision in QUANTIZED_PRECISIONS else precision or "?"
        counts[key] = counts.get(key, 0) + 1
    mix = ", ".join(f"{count} {precision}" for precision, count in sorted(counts.items(), key=lambda item: -item[1]))
    reorder_ms = sum(layer.real_time_ms for layer in layers if layer.type == "Reorder")
    return f"{len(compute)} compute layers: {mix or 'none'} · Reorders {reorder_ms:.3f} ms"


def quantization_summary(a: Report, b: Report) -> str | None:
    """A and B's precision mix side by side when either ran a quantized model; None otherwise."""
    if not (is_quantized(a) or is_quantized(b)):
        return None
    return f"A: {precision_mix(a)}; B: {precision_mix(b)}"


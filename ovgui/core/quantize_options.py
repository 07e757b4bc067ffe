"""The options of INT8 quantization (NNCF post-training quantization), declared once for the
command line (`ovgui-profile --quantize`) and the window's Model › Quantize to INT8… dialog.

They are not run options: a run measures a model as it is, and its report records `RunConfig`;
quantizing makes a new model file once, like saving an IR (whose FP16 switch is not a run option
either).  So they live here, in their own dataclass, not in `ovgui.core.options`'s `OPTIONS`: no
settings panel, no `--compare` entry and no report field should offer them.

A leaf, as `ovgui.core.options` is: the command line reads it before OpenVINO or NNCF is loaded.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ovgui.core.errors import OvguiError

DEFAULT_SUBSET_SIZE = 300
"""NNCF's own default number of calibration samples."""
FEW_IMAGES = 100
"""Below this many calibration images the ranges NNCF measures rest on little data: a warning."""
MAX_SUBSET_SIZE = 100_000
INSTALL_NNCF = "pip install 'ovgui[quantize]'"

PRESETS = {
    "performance": "symmetric weights and activations: the fastest INT8 kernels",
    "mixed": "symmetric weights, asymmetric activations: closer for activations not centred on zero "
             "(no ReLU before them, Swish, a biased input)",
}
MODEL_TYPES = {"transformer": "attention blocks: NNCF keeps the parts that lose accuracy in INT8 in floating point"}
HELP = {
    "calibration": "the calibration images (a folder or a glob), each preprocessed exactly as a run preprocesses it",
    "subset_size": f"calibration images used (NNCF's subset_size), at most those available; NNCF suggests about "
                   f"{DEFAULT_SUBSET_SIZE}, and fewer than {FEW_IMAGES} draws a warning",
    "preset": "NNCF's quantization preset; " + "; ".join(f"{name}: {words}" for name, words in PRESETS.items())
              + " (default: NNCF's choice, performance, mixed for a transformer)",
    "model_type": "the kind of model, where NNCF has one: "
                  + "; ".join(f"{name}: {words}" for name, words in MODEL_TYPES.items()),
    "fast_bias_correction": "fast bias correction (on by default); off runs NNCF's full bias correction, which infers "
                            "the model layer by layer again and takes longer",
    "keep_float": "layers to keep in floating point (NNCF's IgnoredScope): a layer's name, or an operation type "
                  "such as Sigmoid or MatMul for every layer of that type",
}


@dataclass(frozen=True)
class QuantizeOptions:
    """What NNCF is asked for.  `preset` and `model_type` None leave the choice to NNCF;
    `keep_float` holds layer names and operation types alike (the model tells them apart)."""

    subset_size: int = DEFAULT_SUBSET_SIZE
    preset: str | None = None
    model_type: str | None = None
    fast_bias_correction: bool = True
    keep_float: tuple[str, ...] = ()

    def checked(self) -> QuantizeOptions:
        """These options, or the line saying which one is wrong."""
        if isinstance(self.subset_size, bool) or not isinstance(self.subset_size, int) \
                or not 1 <= self.subset_size <= MAX_SUBSET_SIZE:
            raise OvguiError(f"subset size (--subset-size) must be a whole number between 1 and {MAX_SUBSET_SIZE}, "
                             f"got {self.subset_size!r}")
        if self.preset is not None and self.preset not in PRESETS:
            raise OvguiError(f"quantization preset (--preset) must be one of {', '.join(PRESETS)}, got {self.preset!r}")
        if self.model_type is not None and self.model_type not in MODEL_TYPES:
            raise OvguiError(f"model type (--model-type) must be one of {', '.join(MODEL_TYPES)}, got {self.model_type!r}")
        blank = [name for name in self.keep_float if not name.strip()]
        if blank:
            raise OvguiError("keep in float (--keep-float) takes layer names or operation types, not blanks")
        return self

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QuantizeOptions:
        return cls(**{**data, "keep_float": tuple(data.get("keep_float", ()))}).checked()

    def describe(self) -> str:
        """The options as one clause, for the line that says what was done."""
        parts = [f"preset {self.preset or 'NNCF default'}"]
        if self.model_type:
            parts.append(f"model type {self.model_type}")
        parts.append("fast bias correction" if self.fast_bias_correction else "full bias correction")
        if self.keep_float:
            parts.append(f"kept in float: {', '.join(self.keep_float)}")
        return "; ".join(parts)

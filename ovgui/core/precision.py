"""Precision names as OpenVINO spells them in different places, and the precision a kernel ran at.

The runtime graph's `runtimePrecision` says `f32`, `bf16`, `i8`; `ov.Type` names say `float32`;
older tools and OMZ folders say `FP32`/`FP16`; a kernel's `execType` ends in `_f32`, `_bf16` or
`_I8` (`brgconv_avx512_1x1_f32`, `ref_I8`).  One lower-case spelling (`f32`, `bf16`, `i8`...) lets
colours, roofs and tables agree.  Where `runtimePrecision` and the kernel disagree the kernel is
what ran: OpenVINO 2026.4 labels person-vehicle-bike-detection-2002's convolutions `f16` under an
f32 request while their kernels are `brgconv_avx512_1x1_f32`.
"""

from __future__ import annotations

ALIASES = {
    "fp32": "f32", "float32": "f32", "float": "f32", "fp16": "f16", "float16": "f16", "half": "f16",
    "bfloat16": "bf16", "fp64": "f64", "float64": "f64", "double": "f64", "int8": "i8", "uint8": "u8",
    "int4": "i4", "uint4": "u4", "int16": "i16", "uint16": "u16", "int32": "i32", "uint32": "u32",
    "int64": "i64", "uint64": "u64", "bool": "boolean", "bin": "u1",
}
KNOWN = frozenset({
    "f64", "f32", "f16", "bf16", "f8e4m3", "f8e5m2", "f8e8m0", "f4e2m1", "nf4", "i64", "i32", "i16", "i8", "i4",
    "u64", "u32", "u16", "u8", "u6", "u4", "u3", "u2", "u1", "boolean",
})
"""Every element type `ov.Type` names (2026.4) that data can have ("dynamic" and "string" aside)."""


def normalise(name: str) -> str:
    """`FP32`, `float32` and `f32` are all `f32`; an unknown name comes back lower-cased."""
    lowered = name.strip().lower()
    return ALIASES.get(lowered, lowered)


def kernel_precision(exec_type: str) -> str:
    """The precision a kernel name ends in (`jit_avx512_bf16` -> `bf16`, `ref_I8` -> `i8`), or ""
    when its last part names none (`unknown`, `undef`, an empty string)."""
    last = exec_type.rsplit("_", 1)[-1] if "_" in exec_type else ""
    name = normalise(last)
    return name if name in KNOWN else ""


def ran_at(runtime_precision: str, exec_type: str) -> str:
    """The precision a layer ran at: its kernel's where the kernel names one, else `runtimePrecision`."""
    return kernel_precision(exec_type) or normalise(runtime_precision)


def described(runtime_precision: str, exec_type: str) -> str:
    """What a table shows: the precision the kernel ran at, and OpenVINO's label beside it where
    they differ ("f32 (runtime says f16)"), so the disagreement is seen without hovering and the
    column still sorts by what ran."""
    ran, label = ran_at(runtime_precision, exec_type), normalise(runtime_precision)
    return ran if not label or label == ran else f"{ran} (runtime says {label})"

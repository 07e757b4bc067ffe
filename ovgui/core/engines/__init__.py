"""Inference engines behind one contract (`base.Engine`): OpenVINO, and ONNX Runtime as an extra.

The runner's phases, timing, memory marks, preprocessing, decoders and report are the same for
every engine; what differs (how a model is compiled, run, and profiled per layer) lives here.
"""

from __future__ import annotations

from ovgui.core.engines.base import ENGINES, Engine, check_engine_request


def create_engine(name: str, config, core) -> Engine:
    """The engine the user chose; ONNX Runtime is imported only when asked for."""
    if name == "onnxruntime":
        from ovgui.core.engines.onnxruntime import OnnxRuntimeEngine

        return OnnxRuntimeEngine(config)
    from ovgui.core.engines.openvino import OpenVinoEngine

    return OpenVinoEngine(config, core)


__all__ = ["ENGINES", "Engine", "check_engine_request", "create_engine"]

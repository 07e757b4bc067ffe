"""Inference engines behind one contract (`base.Engine`): OpenVINO, and ONNX Runtime as an extra.

The runner's phases, timing, memory marks, preprocessing, decoders and report are the same for
every engine; what differs (how a model is compiled, run, and profiled per layer) lives in each
engine's module, and what each can do in `capabilities`.  This package's top level imports no
engine, so the option declarations can list them cheaply.
"""

from __future__ import annotations

from ovgui.core.engines.capabilities import ENGINES

__all__ = ["ENGINES"]

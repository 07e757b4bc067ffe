"""What the window says and hides around the engine picker, read from the engines' declarations.

The engine combo is made from the `engine` option's declaration like every other field;
this module adds what the window needs around it: why an engine cannot be picked for this
model (in one line, with the command that installs it), which settings to hide because the
chosen engine ignores them, and what the device and mode rows show for an engine that takes
one device or one mode only.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from ovgui.core.engines.capabilities import ENGINES, capabilities


def unavailable(engine: str, model_path: str) -> str:
    """Why `engine` cannot run `model_path`, in one line; "" when it can (or no model is chosen yet;
    an engine no one declared is refused by the `engine` option instead)."""
    if engine not in ENGINES:
        return ""
    declared = capabilities(engine)
    if declared.extra and importlib.util.find_spec(declared.extra) is None:
        return f"{declared.label} is not installed: {declared.install}"
    suffix = Path(model_path).suffix
    if model_path and declared.suffixes is not None and suffix.lower() not in declared.suffixes.values:
        suffixes = declared.suffixes.values
        article = "an" if suffixes[0][1:2] in tuple("aeiou") else "a"
        return f"{declared.label} needs {article} {' or '.join(suffixes)} model, not {suffix or Path(model_path).name}"
    return ""


def fixed_values(engine: str) -> dict[str, str]:
    """The run settings `engine` takes one value of only (device, mode, preprocessing): what a
    configuration for it is given rather than one it refuses."""
    declared = capabilities(engine)
    limits = {"device": declared.devices, "mode": declared.modes, "preprocess": declared.preprocess}
    return {name: limit.values[0] for name, limit in limits.items() if limit is not None and len(limit.values) == 1}


def mode_reason(engine: str) -> str:
    """Why the mode field is fixed for `engine`, in one line; "" where the user chooses it."""
    declared = capabilities(engine)
    mode = fixed_values(engine).get("mode")
    return f"{declared.label} runs {declared.modes.reason} here: {mode} mode" if declared.modes and mode else ""

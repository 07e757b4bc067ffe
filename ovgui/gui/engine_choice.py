"""What the window says and hides around the engine picker, read from the engines' declarations.

The engine combo is made from the `engine` option's declaration like every other field;
this module adds what the window needs around it: why an engine cannot be picked for this
model (in one line, with the command that installs it), which settings to hide because the
chosen engine ignores them, and what the device and mode rows show for an engine that takes
one device or one mode only.
"""

from __future__ import annotations

from pathlib import Path

from ovgui.core.engines.capabilities import ENGINES, capabilities, fixed_values, missing_extra

__all__ = ["fixed_values", "mode_reason", "unavailable"]


def unavailable(engine: str, model_path: str) -> str:
    """Why `engine` cannot run `model_path`, in one line; "" when it can (or no model is chosen yet;
    an engine no one declared is refused by the `engine` option instead)."""
    if engine not in ENGINES:
        return ""
    declared = capabilities(engine)
    missing = missing_extra(engine)
    if missing:
        return missing
    suffix = Path(model_path).suffix
    if model_path and declared.suffixes is not None and suffix.lower() not in declared.suffixes.values:
        suffixes = declared.suffixes.values
        article = "an" if suffixes[0][1:2] in tuple("aeiou") else "a"
        return f"{declared.label} needs {article} {' or '.join(suffixes)} model, not {suffix or Path(model_path).name}"
    return ""


def mode_reason(engine: str) -> str:
    """Why the mode field is fixed for `engine`, in one line; "" where the user chooses it."""
    declared = capabilities(engine)
    mode = fixed_values(engine).get("mode")
    return f"{declared.label} runs {declared.modes.reason} here: {mode} mode" if declared.modes and mode else ""

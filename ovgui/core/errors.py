"""The one exception type that carries a message meant for the user.

Everything the engine cannot do because of what the user gave it (a missing
file, a model OpenVINO refuses, an unknown device) is raised as `OvguiError`
with a one-line message that says what is wrong and what to do.  The CLI prints
it as ``error: ...`` and the window shows it in a dialog; anything else that
escapes is a bug in ovgui.
"""


class OvguiError(Exception):
    """A problem with the user's input, explained in one line."""


class RunCancelled(OvguiError):
    """The user stopped the run before there was anything to report."""


class SettingError(OvguiError):
    """A failure one run setting can fix.  `setting` names its `RunConfig` field (an option's name),
    so the window can take the user to that field.  The message's first line stands alone; the
    lines under it are detail (the model's inputs, OpenVINO's own words)."""

    def __init__(self, message: str, setting: str):
        super().__init__(message)
        self.setting = setting


def headline(message: str) -> str:
    """A message's first line, which stands alone: where there is room for one line (a table's cell, a status bar)."""
    return next(iter(message.splitlines()), "")


def error_text(message: str) -> str:
    """A message as printed on stderr: ``error:`` before its first line and its detail lines
    indented under it, so a script that counts ``error:`` lines counts one per failure."""
    first, *detail = message.splitlines() or [""]
    return "\n".join([f"error: {first}", *(f"  {line}" for line in detail)])


def first_line(error: BaseException) -> str:
    """A third-party exception's first non-empty line (ONNX Runtime's and torch's run to pages), or its type's name."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__

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

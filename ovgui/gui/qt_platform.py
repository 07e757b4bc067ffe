"""Whether Qt can open a window here, and one ``error:`` line that says why not.

Without a display, or with the xcb platform plugin unable to load a system library, Qt prints a
paragraph ("no Qt platform plugin could be initialized. Reinstalling the application may fix
this problem") and aborts with exit 134.  The obvious case (Linux, no DISPLAY nor
WAYLAND_DISPLAY, no QT_QPA_PLATFORM) is refused before the application is made; any other
failure is read from Qt's own messages, which a message handler receives before the abort, and
the process leaves with exit 2 instead.  Qt's text stays in the log.
"""

from __future__ import annotations

import ctypes
import logging
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QMessageLogContext, QtMsgType

from ovgui.core.blocking import exit_now
from ovgui.core.logs import tell

log = logging.getLogger(__name__)
qt_log = logging.getLogger("ovgui.qt")
EXIT_NO_DISPLAY = 2
OFFSCREEN_HINT = "or run with QT_QPA_PLATFORM=offscreen for a scripted run (--run --screenshot --exit-after-run)"
QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
NO_CONNECTION = "could not connect to display"
# dlopen's complaint: "libxcb-cursor.so.0: cannot open shared object file: ..." or "/path/libX.so.1: file too short"
LIBRARY_PROBLEM = re.compile(r"(?P<library>lib[^/\s:]+\.so[.\d]*): (?P<reason>.+)")
SONAME = re.compile(r"lib(?P<name>.+)\.so\.(?P<version>[.\d]+)$")


def missing_display(environ: Mapping[str, str] = os.environ, platform: str = sys.platform) -> str | None:
    """Why no window can open, when it is plain before Qt starts: Linux with neither an X nor a
    Wayland display named, and no platform chosen (QT_QPA_PLATFORM=offscreen needs no display)."""
    if not platform.startswith("linux") or any(environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        return None
    return ("no display: neither DISPLAY nor WAYLAND_DISPLAY is set; start ovgui in a desktop session (or ssh -X), "
            f"{OFFSCREEN_HINT}")


def platform_name(environ: Mapping[str, str] = os.environ) -> str:
    """The platform plugin Qt tries first: QT_QPA_PLATFORM's first (``xcb;wayland``, ``offscreen:opts``), else xcb."""
    return re.split(r"[;:]", environ.get("QT_QPA_PLATFORM", ""))[0] or "xcb"


def platform_problem(qt_lines: list[str], fatal: str, environ: Mapping[str, str] = os.environ) -> str:
    """The one line for a platform plugin that could not start, from what Qt said before its fatal
    message: a display it could not reach, else the system library the plugin cannot load (asked
    of the dynamic loader itself, since Qt names none), else Qt's own first sentence."""
    name = platform_name(environ)
    if any(NO_CONNECTION in line for line in qt_lines):
        display = environ.get("DISPLAY")
        where = f"display '{display}' (DISPLAY)" if display else "a display: DISPLAY is not set"
        return f"no display: Qt's {name} platform cannot connect to {where}; start ovgui in a desktop session, {OFFSCREEN_HINT}"
    library = plugin_load_error(name)
    if library:
        return library
    first = fatal.strip().split(". ")[0].rstrip(".")
    return f"Qt cannot start its '{name}' platform plugin: {first}; {OFFSCREEN_HINT}"


def plugin_load_error(name: str) -> str | None:
    """The system library the platform plugin `name` cannot load, and the package to install, or None."""
    plugin = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms" / f"libq{name}.so"
    if not plugin.is_file():
        return None
    try:
        ctypes.CDLL(str(plugin))
    except OSError as error:
        found = LIBRARY_PROBLEM.search(str(error))
        if found:
            library, reason = found["library"], found["reason"].split(":")[0]
            return (f"Qt's {name} platform plugin cannot load {library} ({reason}): install {debian_package(library)} "
                    f"(its Debian and Ubuntu package), {OFFSCREEN_HINT}")
    return None


def debian_package(library: str) -> str:
    """The Debian package of a shared library, by Debian's naming rule: libxcb-cursor.so.0 is in
    libxcb-cursor0, libxkbcommon-x11.so.0 in libxkbcommon-x11-0 (a hyphen after a name ending in a digit)."""
    found = SONAME.match(library)
    if not found:
        return library
    name, version = found["name"].lower(), found["version"].split(".")[0]
    return f"lib{name}{'-' if name[-1].isdigit() else ''}{version}"


class QtMessages:
    """Qt's messages (a platform plugin, a font, a style sheet) into the log, and on stderr as Qt
    printed them, since a handler replaces Qt's printing.  Until `started`, they are held back:
    if the platform plugin cannot start, Qt's fatal message follows and the user gets one
    ``error:`` line and exit 2 instead of Qt's paragraph and an abort."""

    def __init__(self) -> None:
        self._held: list[str] | None = []

    def __call__(self, kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        line = f"{context.category}: {message}" if context.category not in (None, "", "default") else message
        qt_log.log(QT_LEVELS.get(kind, logging.WARNING), "%s", line)
        if self._held is None:
            print(line, file=sys.stderr)
        elif kind == QtMsgType.QtFatalMsg:
            tell(log, f"error: {platform_problem(self._held, message)}")
            exit_now(EXIT_NO_DISPLAY)
        else:
            self._held.append(line)

    def started(self) -> None:
        """The application exists: what Qt said while it started goes to stderr after all, and later messages at once."""
        for line in self._held or []:
            print(line, file=sys.stderr)
        self._held = None

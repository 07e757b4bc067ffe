"""The log file a bug report asks for: what ran, what failed and why, kept when there is no terminal.

The window is often started from a desktop launcher, where stderr goes nowhere; so both programs
(`ovgui` and `ovgui-profile`) keep a small rotating log under the user's state folder.  Only the
`ovgui` loggers write there (a library's chatter would drown a user's report).  Keeping a log is a
courtesy: a folder that cannot be written costs one line on stderr, never the run.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

import ovgui

LOGGER = "ovgui"
MAX_BYTES = 1_000_000
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"
PREFIX_LEVELS = {"error:": logging.ERROR, "warning:": logging.WARNING}
"""A stderr line's level in the log follows its prefix; any other line (a note, a signal) is INFO."""

_log_file: Path | None = None
_configured = False


def log_folder() -> Path:
    """Where the platform keeps an application's logs; `XDG_STATE_HOME`, when set, wins on every
    platform (it is how a user, or a test, moves them)."""
    state = os.environ.get("XDG_STATE_HOME")
    if state:
        return Path(state) / "ovgui"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Logs" / "ovgui"
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "ovgui" / "Logs"
    return Path.home() / ".local" / "state" / "ovgui"


class _LogFile(RotatingFileHandler):
    """A log file that stops, with one line on stderr, when writing fails (a full disk, a folder
    removed): logging's own answer is a traceback per record."""

    def handleError(self, record: logging.LogRecord) -> None:
        logging.getLogger(LOGGER).removeHandler(self)
        print(f"warning: the log file {self.baseFilename} stopped: {sys.exc_info()[1]}", file=sys.stderr)


def setup_logging(program: str) -> Path | None:
    """Start the log of `program` (its file name) once per process; the file, or None when the
    folder cannot be written (said once on stderr).  Later calls change nothing."""
    global _log_file, _configured
    if _configured:
        return _log_file
    _configured = True
    logger = logging.getLogger(LOGGER)
    logger.setLevel(logging.INFO)
    path = log_folder() / f"{program}.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = _LogFile(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError as error:
        print(f"warning: no log file: cannot write {path.parent}: {error.strerror or error}", file=sys.stderr)
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    logger.addHandler(handler)
    sys.excepthook = _logging_uncaught(sys.excepthook)
    _log_file = path
    logger.info("%s %s started (pid %d)", program, ovgui.__version__, os.getpid())
    return path


def _logging_uncaught(previous: Callable[..., object]) -> Callable[..., None]:
    """An exception nobody caught (a bug; in the window, one raised in a slot) reaches the log with its
    traceback, and then the hook it replaces, which prints it as before."""

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        logging.getLogger(LOGGER).critical("uncaught exception", exc_info=(kind, error, trace))
        previous(kind, error, trace)

    return hook


def tell(log: logging.Logger, line: str) -> None:
    """A line for the user on stderr, worded as ever (scripts and tests read it), and the same in the log."""
    print(line, file=sys.stderr)
    log.log(_level_of(line), "%s", line)


def _level_of(line: str) -> int:
    return next((level for prefix, level in PREFIX_LEVELS.items() if line.startswith(prefix)), logging.INFO)

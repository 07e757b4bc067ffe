"""The user's files: written atomically, JSON read within limits, paths checked without raising.

A write goes to a temporary file beside the target, is flushed and fsync'ed, then
renamed over the target: a full disk or a killed process leaves the previous
file as it was, never half of a new one.  Every failure is one `OvguiError`
line naming the file the user asked for.

JSON is read with a size and a nesting limit.  The nesting is counted by a
scan before parsing rather than by catching `RecursionError`: the json module's
C scanner recurses once per level, so the depth it survives depends on the
interpreter's recursion limit and on how much stack the calling thread already
uses (a worker thread's stack is smaller), and a too-deep file could still pass
the parser and then overflow the report builder, which recurses too.  A scan
gives one fixed, documented limit and the line before any parsing starts.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
from itertools import accumulate
from pathlib import Path
from typing import Any

from ovgui.core.errors import OvguiError

MAX_JSON_BYTES = 256 * 2**20
MAX_JSON_DEPTH = 64
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")


def write_text_atomic(path: str | Path, text: str) -> None:
    """`text` as UTF-8 in `path`, all or nothing."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """`data` in `path`, all or nothing: the old file is untouched when anything fails.

    A symbolic link is followed, so the file it points at is replaced and the link stays.
    A new file gets the usual permissions (0666 less the umask); a replaced one keeps its own."""
    shown = path
    target = Path(os.path.realpath(path))
    temporary = target.parent / f".{secrets.token_hex(6)}.ovgui-tmp"
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise OvguiError(f"cannot write {shown}: {error.strerror}") from None
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        _keep_mode(target, temporary)
        os.replace(temporary, target)
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OvguiError(f"cannot write {shown}: {error.strerror or error}") from None
        raise
    _sync_folder(target.parent)


def _keep_mode(target: Path, temporary: Path) -> None:
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        return
    os.chmod(temporary, mode)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; a file system that cannot fsync a folder is left as it is."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def read_text_limited(path: str | Path, max_bytes: int = MAX_JSON_BYTES, encoding: str = "utf-8") -> str:
    """The file's text, refused in one line when it is larger than `max_bytes`.

    OSError and UnicodeDecodeError pass through, so each caller keeps its own wording for them."""
    with open(path, "rb") as source:
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise OvguiError(f"{Path(path).name}: larger than {max_bytes / 2**20:g} MiB")
    return data.decode(encoding)


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in `text`, counted without recursion (strings skipped)."""
    brackets = _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(1 if c in "[{" else -1 for c in brackets), default=0)


def parse_json(text: str, name: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """json.loads after the nesting check; `name` is what the line calls the text (a file name).

    json.JSONDecodeError passes through for the caller to word."""
    if json_depth(text) > max_depth:
        raise OvguiError(f"{name}: nested deeper than {max_depth} levels")
    return json.loads(text)


def read_json(path: str | Path, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """A JSON file within the size and nesting limits (one `OvguiError` line when past them)."""
    return parse_json(read_text_limited(path, max_bytes), Path(path).name, max_depth)


def path_problem(path: str | Path) -> str | None:
    """Why `path` names no existing file or folder, in words; None when it does.

    Never raises: a path too long for the system, one holding a NUL byte or one in a
    folder that cannot be read is a reason, not a traceback."""
    try:
        return None if Path(path).exists() else "not found"
    except (OSError, ValueError) as error:
        return getattr(error, "strerror", None) or str(error)


def path_exists(path: str | Path) -> bool:
    return path_problem(path) is None

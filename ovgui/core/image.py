"""Reading the user's image into 8-bit BGR, whatever OpenCV can decode.

Opening a named pipe with no writer, or a device, blocks forever (and a window waiting for it
cannot close), so such paths are refused before anything opens them.  The one exception is a
pipe the shell hands over by process substitution (``<(cat photo.jpg)``, a ``/dev/fd/N`` path):
it is read in full on a thread the caller walks away from after `PIPE_TIMEOUT_S`, at most
`MAX_PIPE_BYTES`.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ovgui.core.blocking import TimedOut, call
from ovgui.core.errors import OvguiError
from ovgui.core.report import ImageInfo

SHELL_PIPE_FOLDERS = ("/dev/fd/", "/proc/self/fd/")
MAX_PIPE_BYTES = 512 * 1024 * 1024
PIPE_TIMEOUT_S = 10.0
SPECIAL_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


@dataclass(frozen=True)
class LoadedImage:
    bgr: np.ndarray
    info: ImageInfo

    @property
    def size(self) -> tuple[int, int]:
        return self.info.width, self.info.height


def load_image(path: str | Path) -> LoadedImage:
    """Decode from bytes (so non-ASCII paths work) and normalise depth and channels."""
    path = Path(path)
    if not path.exists():
        raise OvguiError(f"image file not found: {path}")
    if path.is_dir():
        raise OvguiError(f"{path} is a folder; choose an image file")
    check_not_special(path)
    data = read_shell_pipe(path) if is_shell_pipe(path) else np.fromfile(path, dtype=np.uint8)
    if data.size == 0:
        raise OvguiError(f"image file is empty: {path}")
    decoded = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    if decoded is None or decoded.size == 0:
        raise OvguiError(f"{path.name} is not an image OpenCV can read (try .jpg, .png, .bmp or .tiff)")
    channels = 1 if decoded.ndim == 2 else decoded.shape[2]
    info = ImageInfo(str(path), decoded.shape[1], decoded.shape[0], channels, str(decoded.dtype))
    return LoadedImage(to_bgr8(decoded), info)


def special_kind(path: Path) -> str:
    """What `path` is when it is not a file or a folder ("a FIFO (named pipe)", a device, a socket),
    else ""; `stat` never blocks, opening may."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return ""
    return next((kind for test, kind in SPECIAL_KINDS if test(mode)), "")


def is_shell_pipe(path: Path) -> bool:
    """A pipe the shell opened for this process (process substitution), as opposed to one on disk."""
    return str(path).startswith(SHELL_PIPE_FOLDERS) and special_kind(path) == SPECIAL_KINDS[0][1]


def check_not_special(path: Path, pipe_allowed: bool = True) -> None:
    """Refuse, in one line, what opening could block on: a FIFO on disk, a device, a socket."""
    kind = special_kind(path)
    if kind and not (pipe_allowed and is_shell_pipe(path)):
        raise OvguiError(f"{path} is {kind}, not a file; opening it could wait forever, so give an image or video file")


def read_shell_pipe(path: Path) -> np.ndarray:
    """All of a process-substitution pipe, or one line: too big, or nothing arriving in time."""
    def read() -> bytes:
        with open(path, "rb") as pipe:
            return pipe.read(MAX_PIPE_BYTES + 1)

    try:
        data = call(read, timeout_s=PIPE_TIMEOUT_S, name="ovgui-read-pipe")
    except TimedOut:
        raise OvguiError(f"{path}: the pipe sent no end of data within {PIPE_TIMEOUT_S:g} s") from None
    except OSError as error:
        raise OvguiError(f"cannot read {path}: {error.strerror}") from None
    if len(data) > MAX_PIPE_BYTES:
        raise OvguiError(f"{path}: the pipe sent more than {MAX_PIPE_BYTES // 2**20} MiB; save the image to a file")
    return np.frombuffer(data, dtype=np.uint8)


def to_bgr8(pixels: np.ndarray) -> np.ndarray:
    """Any depth, 1/3/4 channels -> contiguous uint8 BGR."""
    if pixels.dtype == np.uint16:
        pixels = (pixels >> 8).astype(np.uint8)
    elif pixels.dtype != np.uint8:
        pixels = cv2.normalize(pixels.astype(np.float32), None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    if pixels.ndim == 2 or pixels.shape[2] == 1:
        return cv2.cvtColor(pixels, cv2.COLOR_GRAY2BGR)
    if pixels.shape[2] == 4:
        return cv2.cvtColor(pixels, cv2.COLOR_BGRA2BGR)
    return np.ascontiguousarray(pixels[:, :, :3])


def fit_within(bgr: np.ndarray, width: int, height: int) -> np.ndarray:
    """A smaller copy that fits `width` x `height`, aspect kept (thumbnails): OpenCV, so it can
    run off the GUI thread."""
    rows, columns = bgr.shape[:2]
    scale = min(width / columns, height / rows)
    size = (max(1, round(columns * scale)), max(1, round(rows * scale)))
    return cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)

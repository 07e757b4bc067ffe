"""What the user points at, as a sequence of frames: one image, a set of images, or a video.

A set is a folder (its images sorted by name; a folder-per-class tree, its sub-folders' images),
a glob, or several files; files OpenCV cannot read, and symbolic links in a folder or a glob that
lead nowhere (a loop, a missing target), are skipped with a note, and a set with no readable
image at all is an error.  A video is read
with OpenCV's VideoCapture, every `stride`-th frame, at most `max_frames` of them.  Each frame
carries how long decoding it took, because decoding is the first stage of a frame's pipeline.

A frame's `FramePosition` says where to find it again (an image file, or frame N of a video):
the report keeps results, not pixels, so a view or an export reads a frame again by position.
"""

from __future__ import annotations

import errno
import glob
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np

from ovgui.core.errors import OvguiError
from ovgui.core.image import LoadedImage, check_not_special, load_image, to_bgr8
from ovgui.core.report import FrameResult, ImageInfo, Report

VIDEO_SUFFIXES = {".mp4", ".avi", ".mkv", ".mov", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv"}
IMAGE_SUFFIXES = {
    ".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pbm", ".jp2", ".exr", ".hdr", ".sr", ".ras",
}
GLOB_CHARACTERS = set("*?[")
VIDEO_FRAME_PREFIX = "frame "
"""A video frame's `FrameResult.source` reads "frame N"; the report schema keeps that string."""


@dataclass(frozen=True)
class FramePosition:
    """Where a frame can be read again: the image file `path`, or frame `frame` of the video
    `path` (counting every frame of the file, the stride's skipped ones included)."""

    path: str
    frame: int | None = None

    @property
    def source(self) -> str:
        """What the report records: the image's path, or "frame N" of a video."""
        return self.path if self.frame is None else f"{VIDEO_FRAME_PREFIX}{self.frame}"

    @classmethod
    def of(cls, result: FrameResult, video: str | None) -> FramePosition:
        """A report row's position: `video` is the run's video, None for a set of images."""
        if video is None:
            return cls(result.source)
        return cls(video, int(result.source.removeprefix(VIDEO_FRAME_PREFIX)))


@dataclass(frozen=True)
class Frame:
    """One picture to run: where it came from and its pixels."""

    index: int
    position: FramePosition
    image: LoadedImage
    decode_ms: float

    @property
    def source(self) -> str:
        return self.position.source


@dataclass
class FrameSource:
    """Frames in order; `kind` is "image", "images" or "video"; `notes` collects what was skipped."""

    kind: str
    description: str
    inputs: list[str] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    video: Path | None = None
    max_frames: int | None = None
    stride: int = 1
    notes: list[str] = field(default_factory=list)

    @property
    def is_set(self) -> bool:
        return self.kind != "image"

    def frames(self) -> Iterator[Frame]:
        if self.video is not None:
            yield from self._video_frames()
        else:
            yield from self._image_frames()

    def _image_frames(self) -> Iterator[Frame]:
        index = 0
        for path in self.paths:
            started = time.perf_counter()
            try:
                image = load_image(path)
            except OvguiError as error:
                if not self.is_set:
                    raise
                self.notes.append(f"skipped {path.name}: {error}")
                continue
            yield Frame(index, FramePosition(str(path)), image, (time.perf_counter() - started) * 1000.0)
            index += 1
            if self.max_frames is not None and index >= self.max_frames:
                return

    def _video_frames(self) -> Iterator[Frame]:
        capture = cv2.VideoCapture(str(self.video))
        try:
            position, index = 0, 0
            while self.max_frames is None or index < self.max_frames:
                started = time.perf_counter()
                ok, pixels = capture.read()
                if not ok or pixels is None:
                    return
                if position % self.stride == 0:
                    bgr = to_bgr8(pixels)
                    info = ImageInfo(f"{self.video}#{position}", bgr.shape[1], bgr.shape[0], 3, "uint8")
                    decode_ms = (time.perf_counter() - started) * 1000.0
                    yield Frame(index, FramePosition(str(self.video), position), LoadedImage(bgr, info), decode_ms)
                    index += 1
                position += 1
        finally:
            capture.release()


def is_video(path: str) -> bool:
    return Path(path).suffix.lower() in VIDEO_SUFFIXES


def is_frame_set(path: str) -> bool:
    """A folder of images or a video: a run of it goes frame by frame."""
    return Path(path).is_dir() or is_video(path)


def run_video(report: Report) -> str | None:
    """The video a report's set was read from, None for images: what `FramePosition.of` needs."""
    summary = report.frame_set
    return summary.source if summary is not None and summary.kind == "video" else None


def report_input(report: Report) -> str:
    """The IMAGE the report's run was given: a set's folder, glob or video, else the image's path
    ("" for a report without an image, an imported one)."""
    if report.frame_set is not None and len(report.frame_set.inputs) == 1:
        return report.frame_set.inputs[0]
    return report.image.path if report.image is not None else ""


def first_frame(path: str) -> LoadedImage:
    """What the image panel shows before a run: the image itself, a set's first image or a
    video's first frame, under the path the user picked (a folder or a video path included)."""
    frame = next(iter(open_source([path], max_frames=1).frames()), None)
    if frame is None:
        raise OvguiError(f"{path} holds no images OpenCV can read")
    return LoadedImage(frame.image.bgr, replace(frame.image.info, path=path))


def read_frame(position: FramePosition) -> np.ndarray:
    """One frame's BGR pixels again, by its position: the image file, or that frame of the video."""
    if position.frame is None:
        return load_image(position.path).bgr
    video = Path(position.path)
    if not video.is_file():
        raise OvguiError(f"the video {video} is gone")
    capture = cv2.VideoCapture(str(video))
    try:
        capture.set(cv2.CAP_PROP_POS_FRAMES, position.frame)
        ok, pixels = capture.read()
    finally:
        capture.release()
    if not ok or pixels is None:
        raise OvguiError(f"cannot read {position.source} of {video.name} again")
    return to_bgr8(pixels)


def frames_again(report: Report, rows: int | None = None) -> Iterator[tuple[FrameResult, Frame]]:
    """A set's report rows (its first `rows`, or all) with their frames, read again from the source
    the report names: the report keeps results, not pixels.  A row whose frame can no longer be
    read is left out; a source that is gone entirely is an `OvguiError`."""
    if report.frame_set is None:
        raise OvguiError("the report holds no set of images or video to read again")
    wanted = {row.index: row for row in report.per_image[:rows]}
    last = max(wanted, default=-1) + 1
    for frame in open_source(report.frame_set.inputs, max_frames=last, stride=report.config.stride).frames():
        row = wanted.get(frame.index)
        if row is not None:
            yield row, frame


def open_source(paths: list[str], max_frames: int | None = None, stride: int = 1) -> FrameSource:
    """IMAGE as the user gave it: one file, a folder, a glob, several files, or a video."""
    if not paths:
        raise OvguiError("give an image, a folder of images or a video")
    if len(paths) == 1 and not (GLOB_CHARACTERS & set(paths[0])):
        source = _single(Path(paths[0]), max_frames, stride)
    else:
        files, notes = _expanded(paths)
        if not files:
            raise OvguiError(f"no file matches {' '.join(paths)}")
        source = _image_set(files, " ".join(paths), max_frames, notes)
    source.inputs = list(paths)
    return source


def _single(path: Path, max_frames: int | None, stride: int) -> FrameSource:
    """A pipe from the shell is read as one image (a video needs a file OpenCV can seek)."""
    check_not_special(path, pipe_allowed=path.suffix.lower() not in VIDEO_SUFFIXES)
    if path.is_dir():
        images, notes = _without_broken_links(folder_images(path))
        files = [p for p in images if p.is_file()]
        if not files:
            raise OvguiError(f"{path} holds no images OpenCV can read")
        return _image_set(files, str(path), max_frames, notes)
    if path.suffix.lower() in VIDEO_SUFFIXES:
        return _video(path, max_frames, stride)
    return FrameSource("image", str(path), paths=[path])


def folder_images(folder: Path) -> list[Path]:
    """A folder's images sorted by name; a folder with none of its own but sub-folders that hold
    some (a folder-per-class tree, as labelled sets come) gives theirs, sub-folder by sub-folder."""
    own = images_in(folder)
    if own:
        return own
    return [image for sub in sorted(p for p in folder.iterdir() if p.is_dir()) for image in images_in(sub)]


def images_in(folder: Path) -> list[Path]:
    """The images directly in `folder`, by their suffix, sorted by name."""
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)


def _expanded(paths: list[str]) -> tuple[list[Path], list[str]]:
    """Files named, and each glob's matches in order, with notes on the broken links skipped."""
    files: list[Path] = []
    notes: list[str] = []
    for pattern in paths:
        if GLOB_CHARACTERS & set(pattern):
            matched, skipped = _without_broken_links(Path(match) for match in sorted(glob.glob(pattern)))
            files += matched
            notes += skipped
        else:
            files.append(Path(pattern))
    return files, notes


def _without_broken_links(paths: Iterable[Path]) -> tuple[list[Path], list[str]]:
    """What a folder or a glob found, less the symbolic links that lead nowhere, each with a note
    (a file named on the command line is not filtered: a missing one is an error)."""
    kept: list[Path] = []
    notes: list[str] = []
    for path in paths:
        problem = _broken_link(path)
        if problem:
            notes.append(f"skipped {path.name}: {problem}")
        else:
            kept.append(path)
    return kept, notes


def _broken_link(path: Path) -> str:
    """Why following the link at `path` fails, or "" when it is no link or leads to something."""
    if not path.is_symlink():
        return ""
    try:
        path.stat()
    except OSError as error:
        return "a symbolic link loop" if error.errno == errno.ELOOP else "a link to a missing file"
    return ""


def _image_set(files: list[Path], description: str, max_frames: int | None, notes: list[str] | None = None) -> FrameSource:
    """Pipes and devices are refused here too: probing a pipe for its format would eat its data."""
    for path in files:
        check_not_special(path, pipe_allowed=False)
    missing = [f for f in files if not f.is_file()]
    if missing:
        raise OvguiError(f"image file not found: {missing[0]}")
    source = FrameSource("images", description, paths=files, max_frames=max_frames, notes=list(notes or []))
    if not any(_readable(path) for path in files):
        raise OvguiError(f"{description} holds no images OpenCV can read")
    return source


def _readable(path: Path) -> bool:
    return cv2.haveImageReader(str(path))


def _video(path: Path, max_frames: int | None, stride: int) -> FrameSource:
    if not path.is_file():
        raise OvguiError(f"video file not found: {path}")
    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened():
            raise OvguiError(f"{path.name} is not a video OpenCV can read (try .mp4 or .avi)")
        ok, _ = capture.read()
        if not ok:
            raise OvguiError(f"{path.name} holds no frames OpenCV can decode")
    finally:
        capture.release()
    return FrameSource("video", str(path), video=path, max_frames=max_frames, stride=stride)

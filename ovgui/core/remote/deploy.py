"""What a remote run needs on the target: ovgui as a zipapp, and the model and images, each
copied once into a folder named by its content's hash and reused by later runs.

The zipapp holds the running ovgui's Qt-free part (`ovgui.core`, the command line, the headless
runner, the console printer, the label files; of `ovgui.gui` only `view_names`, a standard-library
leaf the command line reads), so the target runs exactly the workstation's version.  Its name
carries the hash of its contents: a changed ovgui is pushed again, an unchanged one never.
Everything lives under ``<the target's temp folder>/ovgui-remote``, which `remove_command` removes.
"""

from __future__ import annotations

import hashlib
import io
import shlex
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

import ovgui
from ovgui.core.decoders.labels import resources_root
from ovgui.core.errors import OvguiError

REMOTE_FOLDER = "ovgui-remote"
HASH_CHARS = 16
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
MAIN = "import sys\nfrom ovgui.cli import profile_main\n\nsys.exit(profile_main())\n"
COMPLETE = ".complete"


@dataclass(frozen=True)
class Zipapp:
    data: bytes
    digest: str

    @property
    def name(self) -> str:
        return f"ovgui-{self.digest}.pyz"


def package_files() -> list[tuple[str, bytes]]:
    """(path in the zipapp, contents) of everything the target's ``ovgui-profile`` imports or reads."""
    package = Path(ovgui.__file__).parent
    sources = [package / "__init__.py", package / "cli.py", package / "headless.py", package / "console.py",
               package / "gui" / "__init__.py", package / "gui" / "view_names.py",
               *sorted((package / "core").rglob("*.py"))]
    files = [(f"ovgui/{path.relative_to(package).as_posix()}", path.read_bytes()) for path in sources]
    resources = resources_root()
    files += [(f"ovgui/resources/{entry.name}", entry.read_bytes()) for entry in _files_in(resources)]
    files += [(f"ovgui/resources/labels/{entry.name}", entry.read_bytes()) for entry in _files_in(resources / "labels")]
    return files


def _files_in(folder: Any) -> list[Any]:
    return sorted((entry for entry in folder.iterdir() if entry.is_file() and not entry.name.endswith(".pyc")),
                  key=lambda entry: entry.name)


@cache
def zipapp() -> Zipapp:
    """Built once per process, byte for byte the same for the same sources (fixed dates, sorted)."""
    files = [*package_files(), ("__main__.py", MAIN.encode())]
    digest = hashlib.sha256()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            digest.update(name.encode() + b"\0" + data)
            archive.writestr(zipfile.ZipInfo(name, ZIP_DATE), data, zipfile.ZIP_DEFLATED)
    return Zipapp(buffer.getvalue(), digest.hexdigest()[:HASH_CHARS])


@dataclass(frozen=True)
class Bundle:
    """Local files that must sit side by side on the target (a model's .xml and .bin, a folder's
    images), with the folder they get there: named by the hash of their names and contents."""

    files: tuple[Path, ...]
    digest: str

    @classmethod
    def of(cls, files: list[Path]) -> Bundle:
        digest = hashlib.sha256()
        for path in files:
            digest.update(path.name.encode() + b"\0")
            with path.open("rb") as data:
                for block in iter(lambda: data.read(1 << 20), b""):
                    digest.update(block)
        return cls(tuple(files), digest.hexdigest()[:HASH_CHARS])

    @staticmethod
    def digest_of(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()[:HASH_CHARS]

    def remote_folder(self, root: PurePosixPath) -> PurePosixPath:
        return root / "files" / self.digest


def model_bundle(model: Path) -> Bundle:
    """The model file, and its weights beside an IR's .xml."""
    if not model.is_file():
        raise OvguiError(f"model not found: {model}")
    weights = model.with_suffix(".bin")
    return Bundle.of([model, weights] if model.suffix.lower() == ".xml" and weights.is_file() else [model])


def image_bundle(image: Path) -> Bundle:
    """An image or video file as it is, a folder as its files (not its subfolders)."""
    if image.is_dir():
        return Bundle.of(sorted(path for path in image.iterdir() if path.is_file()))
    if image.is_file():
        return Bundle.of([image])
    raise OvguiError(f"a remote run copies files and folders: {image} is neither (a glob: let the shell expand it)")


async def push_bytes(sftp: Any, data: bytes, path: PurePosixPath) -> None:
    """`data` written under a temporary name, then renamed: a half-copied file is never used."""
    if await sftp.exists(str(path)):
        return
    partial = f"{path}.partial"
    async with sftp.open(partial, "wb") as remote:
        await remote.write(data)
    await sftp.posix_rename(partial, str(path))


async def push_bundle(sftp: Any, bundle: Bundle, root: PurePosixPath) -> PurePosixPath:
    """The bundle's folder on the target, copied unless a complete copy is there already."""
    folder = bundle.remote_folder(root)
    if await sftp.exists(str(folder / COMPLETE)):
        return folder
    await sftp.makedirs(str(folder), exist_ok=True)
    for path in bundle.files:
        await sftp.put(str(path), str(folder / path.name))
    async with sftp.open(str(folder / COMPLETE), "w"):
        pass
    return folder


def remote_root(temp_dir: str) -> PurePosixPath:
    return PurePosixPath(temp_dir) / REMOTE_FOLDER


def remove_command(temp_dir: str) -> str:
    """The shell command that removes everything ovgui copied to the target."""
    return f"rm -rf {shlex.quote(str(remote_root(temp_dir)))}"

"""Real PyTorch models built and saved in the test, in both formats ovgui reads.

`small_cnn`: a classifier [1,3,64,64] -> softmax over 10 classes.  `detection_head`: a
YOLOv8-style detector [1,3,128,128] -> [1,84,256] (4 box values in pixels, then 80 class
scores per candidate), the shape ovgui's YOLOv8 decoder expects.  Weights are seeded, so two
builds are the same model."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="the PyTorch tests need ovgui[torch] (CI installs torch==2.13.0)")

CNN_INPUT = (1, 3, 64, 64)
HEAD_INPUT = (1, 3, 128, 128)


class SmallCnn(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(3, 16, 3, padding=1), torch.nn.BatchNorm2d(16), torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(),
        )
        self.classifier = torch.nn.Linear(32, 10)

    def forward(self, x):
        pooled = self.features(x).mean((2, 3))
        return torch.softmax(self.classifier(pooled), dim=1)


class DetectionHead(torch.nn.Module):
    """Stride-8 features, one candidate per cell: box (cx, cy, w, h) in input pixels, then class scores."""

    def __init__(self, classes: int = 80, size: int = HEAD_INPUT[-1]) -> None:
        super().__init__()
        self.size = size
        self.backbone = torch.nn.Sequential(
            torch.nn.Conv2d(3, 16, 3, stride=2, padding=1), torch.nn.SiLU(),
            torch.nn.Conv2d(16, 32, 3, stride=2, padding=1), torch.nn.SiLU(),
            torch.nn.Conv2d(32, 32, 3, stride=2, padding=1), torch.nn.SiLU(),
        )
        self.boxes = torch.nn.Conv2d(32, 4, 1)
        self.scores = torch.nn.Conv2d(32, classes, 1)

    def forward(self, x):
        features = self.backbone(x)
        boxes = torch.sigmoid(self.boxes(features)).flatten(2) * self.size
        scores = torch.sigmoid(self.scores(features)).flatten(2)
        return torch.cat([boxes, scores], dim=1)


def _save_both(module: torch.nn.Module, shape: tuple[int, ...], folder: Path, stem: str) -> tuple[Path, Path]:
    module.eval()
    example = torch.rand(*shape, generator=torch.Generator().manual_seed(1))
    script, program = folder / f"{stem}.pt", folder / f"{stem}.pt2"
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TorchScript is deprecated, and still what users have
        torch.jit.save(torch.jit.trace(module, example), str(script))
    torch.export.save(torch.export.export(module, (example,)), str(program))
    return script, program


def seeded(build):
    torch.manual_seed(0)
    return build()


def small_cnn(folder: Path) -> tuple[Path, Path]:
    """(TorchScript .pt, ExportedProgram .pt2) of `SmallCnn`."""
    return _save_both(seeded(SmallCnn), CNN_INPUT, folder, "small_cnn")


def detection_head(folder: Path) -> tuple[Path, Path]:
    """(TorchScript .pt, ExportedProgram .pt2) of `DetectionHead`."""
    return _save_both(seeded(DetectionHead), HEAD_INPUT, folder, "detection_head")


def pickled_module(folder: Path) -> Path:
    """`torch.save(model)`: a pickle, which ovgui refuses to load."""
    path = folder / "pickled.pt"
    torch.save(seeded(SmallCnn), str(path))
    return path

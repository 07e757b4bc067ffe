"""PyTorch against OpenVINO on the same PyTorch files: median latency, process against process.

Three models, each saved as an ExportedProgram (.pt2) in a temporary folder: the two test models
of tests/torch_models.py (a small CNN classifier, 64x64, and a YOLOv8-style detection head,
128x128) and a ResNet-18 (224x224) written here in plain torch.nn.  No pretrained weights are
on this machine (and torchvision is not installed), so every model has seeded random weights:
latency does not depend on the weights' values (dense convolutions and matrix products do the
same work whatever the numbers; PyTorch's default initialisation makes no denormals), only on
the architecture and the input size.  The detections or classes are meaningless.

Each round runs `ovgui-profile MODEL.pt2 IMAGE --engine pytorch` and `--engine openvino`
(OpenVINO converts the file at start, then times the compiled model), each a new process,
without per-layer profiling (`--no-layers`) so both time the bare inference; who goes first
rotates.  Each round gives one ratio PyTorch / OpenVINO of the reports' median latency (above 1:
OpenVINO is faster by that factor); printed per model is the median of the paired per-round
ratios with their spread, and what each side read back of its settings (threads; OpenVINO's
hint, streams and inference precision: on CPUs with AMX or AVX512-BF16 OpenVINO runs bf16 by default, where
PyTorch computes in f32 — add `-- --precision f32` to compare like with like).

Anything after `--` goes to both programs.  Exit status: 0 done, 2 bad input or a failed run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from paired_rounds import (
    BadInput,
    Verdict,
    machine_line,
    parse_rounds,
    program_beside_python,
    read_json,
    rounds_parser,
    run_program,
    run_rounds,
)

REPOSITORY = Path(__file__).resolve().parents[1]
SHARED = REPOSITORY.parent / "shared"
DEFAULT_IMAGE = SHARED / "images" / "bus.jpg"
SIDES = ("pytorch", "openvino")
TIMEOUT_MARGIN_S = 300
TIMEOUT_PER_ITERATION_S = 2.0


def resnet18(torch):
    """ResNet-18 (He et al. 2015) as torchvision builds it: a 7x7 stem, four stages of two basic
    blocks (64, 128, 256, 512 channels), global average pooling, a 1000-class linear layer."""
    nn = torch.nn

    class BasicBlock(nn.Module):
        def __init__(self, inputs: int, outputs: int, stride: int) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(inputs, outputs, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(outputs)
            self.conv2 = nn.Conv2d(outputs, outputs, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(outputs)
            self.relu = nn.ReLU(inplace=True)
            self.downsample = None
            if stride != 1 or inputs != outputs:
                self.downsample = nn.Sequential(nn.Conv2d(inputs, outputs, 1, stride, bias=False), nn.BatchNorm2d(outputs))

        def forward(self, x):
            identity = x if self.downsample is None else self.downsample(x)
            out = self.relu(self.bn1(self.conv1(x)))
            return self.relu(self.bn2(self.conv2(out)) + identity)

    class ResNet18(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True),
                                      nn.MaxPool2d(3, 2, 1))
            widths = (64, 128, 256, 512)
            stages = []
            for index, width in enumerate(widths):
                inputs = widths[max(index - 1, 0)]
                stride = 1 if index == 0 else 2
                stages += [BasicBlock(inputs, width, stride), BasicBlock(width, width, 1)]
            self.stages = nn.Sequential(*stages)
            self.fc = nn.Linear(512, 1000)

        def forward(self, x):
            pooled = self.stages(self.stem(x)).mean((2, 3))
            return torch.softmax(self.fc(pooled), dim=1)

    return ResNet18()


@dataclass(frozen=True)
class Case:
    name: str
    path: Path


def saved_models(folder: Path) -> list[Case]:
    """The three models as .pt2 files in `folder`; the test models come from tests/torch_models.py."""
    sys.path.insert(0, str(REPOSITORY / "tests"))
    import torch
    from torch_models import detection_head, seeded, small_cnn

    resnet = seeded(lambda: resnet18(torch)).eval()
    path = folder / "resnet18.pt2"
    example = torch.rand(1, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    torch.export.save(torch.export.export(resnet, (example,)), str(path))
    return [Case("small CNN (64x64)", small_cnn(folder)[1]), Case("detection head (128x128)", detection_head(folder)[1]),
            Case("ResNet-18 (224x224)", path)]


def used_settings(report: dict) -> str:
    used, engine = report.get("compiled", {}), report.get("engine", {})
    text = f"{engine.get('name', '?')} {engine.get('version', '?')}, {used.get('inference_num_threads', '?')} thread(s)"
    if engine.get("name") == "openvino":
        text += (f", hint {used.get('performance_hint', '?')}, {used.get('num_streams', '?')} stream(s), "
                 f"{used.get('inference_precision', '?')}")
    return text


class Sides:
    def __init__(self, args: argparse.Namespace, folder: Path) -> None:
        self.args, self.folder = args, folder
        self.cli = program_beside_python("ovgui-profile")
        self.timeout_s = TIMEOUT_MARGIN_S + args.iterations * TIMEOUT_PER_ITERATION_S
        self.case: Case | None = None

    def run(self, side: str, round_index: int) -> tuple[list[float], str]:
        assert self.case is not None
        out = self.folder / f"{self.case.path.stem}-round{round_index + 1}-{side}.json"
        command = [self.cli, str(self.case.path), str(self.args.image), "--engine", side, "-n", str(self.args.iterations),
                   "--no-layers", "--json", str(out), "-q", *self.args.shared]
        run_program(command, f"ovgui-profile --engine {side}", self.timeout_s)
        report = read_json(out, side)
        return [float(report["latency_ms"]["median"])], used_settings(report)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    args = parse_rounds(rounds_parser(__doc__, DEFAULT_IMAGE, "the photo (default: bus.jpg)"), argv)
    if not args.image.is_file():
        raise BadInput(f"not found: {args.image}")
    return args


def ratio_line(case: Case, verdict: Verdict) -> str:
    return (f"{case.name}: PyTorch / OpenVINO median latency, {verdict.spread(2)}: "
            f"OpenVINO ×{verdict.median:.2f} " + ("faster" if verdict.median >= 1 else "(slower)"))


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse_args(argv)
        summary = []
        with tempfile.TemporaryDirectory(prefix="ovgui-pytorch-vs-openvino-") as temp:
            sides = Sides(args, Path(temp))
            print("models: seeded random weights (latency does not depend on their values), saved as .pt2")
            print(f"image: {args.image}; per run: {args.iterations} iterations, no per-layer profiling; "
                  f"shared options: {' '.join(args.shared) or 'none'}; rounds: {args.rounds}")
            for case in saved_models(Path(temp)):
                sides.case = case
                print(f"\n{case.name}  ({case.path.name})")
                print(f"{'round':<7}{'PyTorch ms':>14}{'OpenVINO ms':>14}{'PT / OV':>12}")
                ratios, rows, used = run_rounds(args.rounds, SIDES, sides.run, 14)
                verdict = Verdict(ratios[0], 1.0, higher_is_better=True)
                print(f"read back: PyTorch  {used['pytorch']}\n           OpenVINO {used['openvino']}")
                print(ratio_line(case, verdict))
                summary.append({"model": case.name, "rounds": rows, "read_back": used, "ratios": verdict.ratios,
                                "median_ratio": verdict.median, "quartiles": verdict.quartiles})
    except BadInput as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"\nmachine now: {machine_line()}")
    if args.json_out:
        args.json_out.write_text(json.dumps({"iterations": args.iterations, "models": summary}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Drive the real window through every result view after real runs, measure what a user can see
of each, and optionally save a screenshot of each view.

Run it from the project's folder on a real X server (the layout test starts Xvfb for it;
`scripts/docs_screenshots.sh` makes the screenshots in docs/):

    DISPLAY=:99 PYTHONPATH=. python scripts/window_tour.py --json tour.json --shots docs/

The runs: face-detection-adas on a photo (Overview, Layers with a selected layer, Graph,
Roofline, Outputs), a comparison of three configurations (Compare), YuNet on OpenVINO then on
ONNX Runtime (A/B of two engines), the latency ladder on a PyTorch detection head (Compare),
YOLOv5n quantized to INT8 and compared with its source and an FP16 IR (Compare, A/B),
face-detection-adas on the folder of photos (Frames), and a sweep of streams × requests on
SqueezeNet (Sweep).
Settings are kept in a temporary folder, so the user's own are neither read nor changed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QTableView, QWidget

from ovgui.core.compare import Variant
from ovgui.core.options import RunConfig
from ovgui.gui.app import make_application
from ovgui.gui.main_window import MainWindow
from tests.gui.chart_geometry import unreadable

SHARED = Path(os.environ.get("OVGUI_SHARED", Path(__file__).resolve().parents[2] / "shared"))
FACE = "models/omz/face-detection-adas-0001/FP16/face-detection-adas-0001.xml"
YUNET = "models/yunet/yunet_s_640_640.onnx"
YUNET_DYNAMIC = "models/yunet/yunet_s_dynamic.onnx"
YOLOV5 = "models/yolo/yolov5n_fp16.onnx"
SQUEEZENET = "models/classification/squeezenet1.1/FP16/squeezenet1.1.xml"
PHOTO = "images/zidane.jpg"
RUN_TIMEOUT_S = 300
SETTLE_MS = 400


def wait_for(signal, timeout_s: float = RUN_TIMEOUT_S):
    """What `signal` carries, or an error naming it when it does not come in time."""
    loop = QEventLoop()
    got: list = []
    signal.connect(lambda *args: (got.append(args), loop.quit()))
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    if not got:
        raise SystemExit(f"error: no {signal} within {timeout_s:.0f} s")
    return got[0]


def settle(ms: int = SETTLE_MS) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main_table(widget: QWidget) -> QTableView:
    """The largest table on screen in `widget`: the one a user reads."""
    tables = [table for table in widget.findChildren(QTableView) if table.isVisible() and table.model() is not None]
    if not tables:
        raise SystemExit(f"error: no table on screen in {type(widget).__name__}")
    return max(tables, key=lambda table: table.viewport().width() * table.viewport().height())


def fully_visible_rows(table: QTableView) -> int:
    """Rows wholly inside the viewport, as scrolled now (a row cut at the bottom does not count)."""
    bottom = table.viewport().height()
    rects = [table.visualRect(table.model().index(row, 0)) for row in range(table.model().rowCount())]
    return sum(1 for rect in rects if rect.height() > 0 and rect.top() >= 0 and rect.top() + rect.height() <= bottom)


def visible_columns(table: QTableView) -> list[str]:
    """Header titles of the columns wholly inside the viewport, as scrolled now."""
    header = table.horizontalHeader()
    width = table.viewport().width()
    model = table.model()
    shown = []
    for logical in range(model.columnCount()):
        if header.isSectionHidden(logical):
            continue
        left = header.sectionViewportPosition(logical)
        if left >= 0 and left + header.sectionSize(logical) <= width:
            shown.append(" ".join(str(model.headerData(logical, header.orientation())).split()))
    return shown


def table_facts(widget: QWidget) -> dict:
    table = main_table(widget)
    return {"rows": table.model().rowCount(), "visible_rows": fully_visible_rows(table), "columns": visible_columns(table),
            "horizontal_scroll": table.horizontalScrollBar().value()}


class Tour:
    def __init__(self, window: MainWindow, shots: Path | None):
        self.window = window
        self.shots = shots
        self.facts: dict = {"window": list(window.size().toTuple())}

    def shoot(self, name: str) -> None:
        if self.shots is not None:
            size = "x".join(map(str, self.window.screen().size().toTuple()))
            self.window.grab().save(str(self.shots / f"{name}-{size}.png"))

    def view(self, name: str) -> QWidget:
        self.window.show_view(name)
        settle()
        return self.window.workspaces.view(name)

    def run(self, model: str, image: str, config: RunConfig):
        self.window.open_model(str(SHARED / model))
        self.window.open_image(str(SHARED / image))
        self.window.set_config(config)
        settle()
        self.window.start_run()
        return wait_for(self.window.report_ready)[0]

    def photo_run(self) -> None:
        report = self.run(FACE, PHOTO, RunConfig(iterations=200, precision="f32"))
        self.view("overview")
        self.shoot("overview")
        layers = self.view("layers")
        self.facts["layers"] = table_facts(layers)
        table = main_table(layers)
        table.horizontalScrollBar().setValue(table.horizontalScrollBar().maximum())
        scrolled_to = table.horizontalScrollBar().value()
        table.selectRow(2)
        settle()
        self.facts["layers_selected"] = {**table_facts(layers), "scrolled_to": scrolled_to}
        table.horizontalScrollBar().setValue(0)
        table.selectRow(0)
        settle()
        self.facts["layers_with_detail"] = {**table_facts(layers), "detail_width": self.window.layer_detail.width()}
        self.shoot("layers")
        graph = self.view("graph")
        if self.window.graph_view.is_laying_out():
            wait_for(self.window.graph_view.drawn)
            settle()
        self.facts["graph_height"] = graph.height()
        self.shoot("graph")
        self.facts["roofline_height"] = self.view("roofline").height()
        self.shoot("roofline")
        self.facts["outputs"] = table_facts(self.view("outputs"))
        self.shoot("outputs")
        self.facts["layer_count"] = len(report.layers)

    def comparison(self) -> None:
        variants = [Variant("latency, 1 stream", {"mode": "latency"}),
                    Variant("throughput, async", {"mode": "throughput"}),
                    Variant("latency, 1 thread", {"mode": "latency", "nthreads": 1})]
        self.window.set_config(RunConfig(iterations=100, precision="f32"))
        self.window.start_comparison(variants)
        wait_for(self.window.session.returned)
        compare = self.view("compare")
        self.facts["compare"] = {**table_facts(compare), "chart_problems": unreadable(compare, [v.name for v in variants])}
        self.shoot("compare")

    def engines(self) -> None:
        self.run(YUNET, PHOTO, RunConfig(iterations=100, precision="f32"))
        self.run(YUNET, PHOTO, RunConfig(iterations=100, engine="onnxruntime"))
        self.facts["ab"] = table_facts(self.view("ab"))
        self.shoot("ab")

    def ladder(self) -> None:
        """The latency ladder on a PyTorch model (the tests' detection head, saved as .pt2 here):
        every step from PyTorch to a cached IR."""
        from tests.torch_models import detection_head

        _, program = detection_head(Path(tempfile.mkdtemp(prefix="ovgui-tour-")))
        self.window.open_model(str(program))
        self.window.open_image(str(SHARED / PHOTO))
        self.window.set_config(RunConfig(iterations=300))
        settle()
        self.window.start_ladder()
        wait_for(self.window.session.returned)
        compare = self.view("compare")
        self.facts["ladder"] = table_facts(compare)
        self.shoot("ladder")

    def int8(self) -> None:
        """YOLOv5n quantized through Model › Quantize to INT8… on the seven photos (a smoke
        calibration), then source, FP16 IR and INT8 side by side (Compare) and source against
        INT8 layer by layer (A/B)."""
        self.window.open_model(str(SHARED / YOLOV5))
        self.window.open_image(str(SHARED / "images/bus.jpg"))
        self.window.set_config(RunConfig(iterations=200))
        settle()
        self.window.commands.quantize.trigger()
        dialog = self.window.quantize_dialog
        dialog.calibration.setText(str(SHARED / "images"))
        dialog.output.setText(str(Path(tempfile.mkdtemp(prefix="ovgui-tour-")) / "yolov5n_int8.xml"))
        dialog.with_fp16.setChecked(True)
        dialog.start_button.click()
        wait_for(self.window.session.returned)
        compare = self.view("compare")
        self.facts["int8_compare"] = table_facts(compare)
        self.shoot("int8-compare")
        self.facts["int8_ab"] = table_facts(self.view("ab"))
        self.shoot("int8-ab")

    def sweep(self) -> None:
        """Run › Sweep… on SqueezeNet: 3 streams × 3 requests and the device's default, twice each,
        with a p90 budget that leaves the deeper queues out."""
        self.window.open_model(str(SHARED / SQUEEZENET))
        self.window.open_image(str(SHARED / "images/dog.jpg"))
        self.window.set_config(RunConfig(iterations=150, precision="f32"))
        settle()
        self.window.commands.sweep.trigger()
        dialog = self.window.sweep_dialog
        dialog.axes.setPlainText("nstreams=1,2,4\nnireq=1,2,4")
        dialog.repeats.setValue(2)
        dialog.budget.setValue(8.0)
        dialog.percentile.setCurrentIndex(dialog.percentile.findData(90.0))
        dialog.ok.click()
        wait_for(self.window.session.returned)
        sweep = self.view("sweep")
        self.facts["sweep"] = {**table_facts(sweep), "reason": self.window.sweep_view.reason.text(),
                               "plot": list(self.window.sweep_view.chart.plot.size().toTuple())}
        self.shoot("sweep")

    def shapes(self) -> None:
        """Run › Sweep… over shapes on the dynamic YuNet: four sizes, each compiled static, dynamic
        and bounded (the swept sizes' range), twice each: the shape-memory chart."""
        self.window.open_model(str(SHARED / YUNET_DYNAMIC))
        self.window.open_image(str(SHARED / PHOTO))
        self.window.set_config(RunConfig(iterations=50))
        settle()
        self.window.commands.sweep.trigger()
        dialog = self.window.sweep_dialog
        dialog.axes.setPlainText("shape=1x3x320x320,1x3x640x640,1x3x960x960,1x3x1280x1280\nshape_mode=static,dynamic,bounded")
        dialog.repeats.setValue(2)
        dialog.ok.click()
        wait_for(self.window.session.returned)
        sweep = self.view("sweep")
        chart = self.window.sweep_view.shape_chart
        self.facts["shapes"] = {**table_facts(sweep), "reason": self.window.sweep_view.reason.text(),
                                "memory_plot": list(chart.memory.size().toTuple()),
                                "memory_lines": chart.series(chart.memory)}
        self.shoot("sweep-shapes")

    def remote(self) -> None:
        """Targets › Add… on a real sshd on this machine (tests/ssh_server.py, as its own "box"
        named edge-1), SqueezeNet run there (the Overview fed by its event stream), then Run on all
        targets: here and edge-1 side by side in Compare with their hosts."""
        from ovgui.core.remote.target import Target
        from tests.ssh_server import SshServer

        os.environ.pop("SSH_AUTH_SOCK", None)
        server = SshServer(Path(tempfile.mkdtemp(prefix="ovgui-tour-sshd-")), "edge-1")
        try:
            self.window.open_model(str(SHARED / SQUEEZENET))
            self.window.open_image(str(SHARED / "images/dog.jpg"))
            self.window.set_config(RunConfig(iterations=300, precision="f32"))
            settle()
            self.window.add_target_now(Target("edge-1", server.ssh_config, sys.executable))
            wait_for(self.window.targets_changed)
            picker = self.window.controls.settings.device
            picker.setCurrentIndex(picker.findText("CPU — host: edge-1"))
            self.window.start_run()
            report = wait_for(self.window.report_ready)[0]
            self.facts["remote"] = {"target": report.target.name if report.target else None,
                                    "top1": report.classes[0].label if report.classes else None}
            self.view("overview")
            self.shoot("remote-overview")
            self.window.commands.all_targets.trigger()
            wait_for(self.window.session.returned)
            self.facts["fleet"] = table_facts(self.view("compare"))
            self.shoot("remote-fleet")
        finally:
            server.stop()

    def frames(self) -> None:
        self.run(FACE, "images", RunConfig(iterations=20, precision="f32"))
        self.view("frames")
        self.shoot("frames")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write what was measured here")
    parser.add_argument("--shots", type=Path, help="save a screenshot of each view into this folder")
    parser.add_argument("--only", nargs="*", default=["photo", "comparison", "engines", "ladder", "int8", "frames", "sweep",
                                                         "shapes", "remote"],
                        help="the parts of the tour to take")
    args = parser.parse_args()
    app = make_application()
    with tempfile.TemporaryDirectory() as settings:
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings)
        window = MainWindow()
        window.show()
        settle(1000)
        tour = Tour(window, args.shots)
        for part in args.only:
            {"photo": tour.photo_run, "comparison": tour.comparison, "engines": tour.engines, "ladder": tour.ladder,
             "int8": tour.int8, "frames": tour.frames, "sweep": tour.sweep, "shapes": tour.shapes,
             "remote": tour.remote}[part]()
        tour.facts["window"] = list(window.size().toTuple())
        tour.facts["maximised"] = window.isMaximized()
        window.close()
        app.processEvents()
    text = json.dumps(tour.facts, indent=2)
    if args.json:
        args.json.write_text(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

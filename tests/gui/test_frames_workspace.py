"""The Frames workspace on its own: filled from LiveData at each refresh, from a report after the run,
its hint when there is no set, and a pipeline summary that wraps instead of being cut."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QFontMetrics

from ovgui.core.events import LiveData
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import DeviceInfo, FrameResult, FrameSetSummary, ModelInfo, PipelineTimes, Report, RunConfig
from ovgui.gui.frames_workspace import FramesWorkspace
from ovgui.gui.pipeline_chart import PipelineChart, medians_text

MEDIANS = PipelineTimes(decode=9.153, preprocess=13.21, infer=406.2, postprocess=13.47)


def frame(index: int) -> FrameResult:
    times = PipelineTimes(decode=2.0 + index, preprocess=3.0, infer=20.0 + index, postprocess=1.5)
    return FrameResult(index, f"frame {index}", 64, 48, 20.0 + index, times.total, times)


def set_report(count: int) -> Report:
    summary = FrameSetSummary(kind="video", source="/videos/clip.avi", frames=count, total_s=1.0, end_to_end_fps=31.4,
                              inference_fps=44.2, pipeline_median_ms=MEDIANS)
    return Report(ModelInfo("model.xml", "ir", 1), DeviceInfo("CPU", "Test CPU"), RunConfig(),
                  per_image=[frame(i) for i in range(count)], frame_set=summary)


@pytest.fixture
def workspace(show_sized):
    view = FramesWorkspace()
    host = show_sized(view)
    yield view
    host.close()


def test_a_running_set_fills_at_each_refresh_and_plays_its_newest_frame(workspace):
    played = []
    workspace.live_frame.connect(lambda pixels, result: played.append(result.index))
    live = LiveData()
    workspace.set_source("/videos/clip.avi")
    workspace.follow(live)
    workspace.refresh()
    assert not workspace.shows_frames(), "the hint until a first frame"

    for index in range(3):
        live.add_frame(np.zeros((48, 64, 3), np.uint8), frame(index))
    workspace.refresh()
    assert workspace.shows_frames()
    assert workspace.strip.model.rowCount() == 3 and workspace.pipeline.bar_count() == 3
    assert played == [2], "only the newest frame is played; the ones between two refreshes are dropped"

    workspace.refresh()
    assert played == [2], "nothing new, nothing played"
    live.add_frame(np.zeros((48, 64, 3), np.uint8), frame(3))
    workspace.stop_following()
    assert workspace.strip.model.rowCount() == 4 and played == [2, 3], "the last pull is not lost"
    live.add_frame(np.zeros((48, 64, 3), np.uint8), frame(4))
    workspace.refresh()
    assert workspace.strip.model.rowCount() == 4, "a finished run is not followed any more"
    assert workspace.strip.position(frame(1)).path == "/videos/clip.avi"


def test_a_finished_set_shows_its_rows_chart_and_first_frame(workspace, qtbot):
    with qtbot.waitSignal(workspace.frame_selected) as picked:
        workspace.show_outcome(RunOutcome(set_report(5)))
    assert picked.args[0].index == 0
    assert workspace.shows_frames() and workspace.pipeline.bar_count() == 5
    assert workspace.pipeline.fps.text().startswith("end-to-end 31.4 FPS")
    assert "5 frames of /videos/clip.avi" in workspace.strip.note.text()


def test_a_run_without_a_set_and_clear_leave_the_hint(workspace):
    workspace.show_outcome(RunOutcome(set_report(3)))
    single = Report(ModelInfo("model.xml", "ir", 1), DeviceInfo("CPU", "Test CPU"), RunConfig())
    workspace.show_outcome(RunOutcome(single))
    assert not workspace.shows_frames() and workspace.strip.model.rowCount() == 0

    workspace.show_outcome(RunOutcome(set_report(3)))
    workspace.clear()
    assert not workspace.shows_frames() and workspace.pipeline.bar_count() == 0


@pytest.mark.parametrize("width", [1850, 1300, 420, 260])
def test_the_pipeline_summary_wraps_and_is_never_cut(qtbot, show_sized, width):
    chart = PipelineChart()
    host = show_sized(chart)
    chart.show_summary(set_report(4).per_image, set_report(4).frame_set)
    host.resize(width, 500)
    chart.resize(width, 500)
    qtbot.waitUntil(lambda: chart.medians.width() <= width)
    for label in (chart.medians, chart.fps):
        needed = QFontMetrics(label.font()).boundingRect(0, 0, label.contentsRect().width(), 10_000,
                                                         Qt.TextFlag.TextWordWrap.value, label.text())
        assert label.contentsRect().height() >= needed.height(), f"{label.text()!r} is cut at {width} px"
        assert label.geometry().right() < chart.width()
    assert chart.medians.geometry().bottom() < chart.fps.geometry().top()
    assert chart.fps.geometry().bottom() < chart.plot.mapTo(chart, QPoint(0, 0)).y(), "no line over the plot"
    assert chart.medians.text() == medians_text(MEDIANS)
    assert "postprocess\u00a013.5" in chart.medians.text(), "a stage is never parted from its figure"
    host.close()


def test_the_selected_frame_is_shaded_in_the_chart_and_a_click_on_a_bar_selects_its_frame(workspace, qtbot):
    workspace.show_outcome(RunOutcome(set_report(6)))
    assert workspace.pipeline.marked_frame() == 0
    workspace.strip.select_row(3)
    assert workspace.pipeline.marked_frame() == 3

    plot = workspace.pipeline.plot
    qtbot.waitUntil(lambda: plot.getViewBox().width() > 100)
    on_bar_4 = plot.mapFromScene(plot.getViewBox().mapViewToScene(QPointF(4.1, 5.0)))
    with qtbot.waitSignal(workspace.frame_selected) as picked:
        qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=on_bar_4)
    assert picked.args[0].index == 4 and workspace.current_frame().index == 4
    assert workspace.pipeline.marked_frame() == 4

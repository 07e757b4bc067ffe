"""A LoadGen scenario from the window: its options are Settings fields like any other, and the
Overview shows LoadGen's verdict, coloured, with its figures and the not-official label."""

from __future__ import annotations

from shared_data import image_path, model_path

from ovgui.core.options import BY_NAME
from ovgui.gui.scenario_block import VERDICT_COLORS

RUN_TIMEOUT_MS = 120_000


def test_a_singlestream_run_shows_loadgen_s_verdict_on_the_overview(window, qtbot):
    settings = window.controls.settings
    scenario = settings.field("scenario")
    assert [scenario.itemText(i) for i in range(scenario.count())][1:] == ["SingleStream", "MultiStream", "Server", "Offline"]
    assert settings.field("target_qps").toolTip().startswith(BY_NAME["target_qps"].help)
    window.open_model(str(model_path("squeezenet")))
    window.open_image(str(image_path("bus.jpg")))
    qtbot.waitUntil(lambda: window.image is not None and window.model_info is not None, timeout=30_000)
    block = window.overview.scenario_block
    assert block.isHidden()
    scenario.setValue("singlestream")
    settings.field("iterations").setValue(70)
    with qtbot.waitSignal(window.report_ready, timeout=RUN_TIMEOUT_MS) as blocker:
        window.commands.run.trigger()
    report = blocker.args[0]
    assert report.scenario is not None and report.scenario.query_count >= 70
    assert block.isVisible()
    text = block.text()
    assert f'color: {VERDICT_COLORS[report.scenario.result]}">LoadGen SingleStream: {report.scenario.result}' in text
    assert "not an official MLPerf result" in text and "latency (ms, issue to completion)" in text

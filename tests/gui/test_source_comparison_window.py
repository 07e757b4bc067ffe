"""Run › Against its source model: an IR that ovgui wrote knows the file it was made from (its
rt_info), so opened later it runs beside that file in Compare and pairs with it in A/B; a model
that records no source, or whose source is gone, is refused in one line."""

from __future__ import annotations

import shutil

from shared_data import image_path, model_path

from ovgui.core.save_ir import save_as_ir

RUN_TIMEOUT_MS = 120_000


def test_a_saved_ir_runs_beside_its_source_and_the_ab_pairs_them(window, qtbot, tmp_path):
    copy = save_as_ir(model_path("squeezenet"), tmp_path / "copy.xml").xml
    window.open_model(str(copy))
    window.open_image(str(image_path("dog.jpg")))
    qtbot.waitUntil(lambda: window.model_info is not None and window.model_info.path == str(copy), timeout=30_000)
    window.controls.settings.iterations.setValue(5)
    with qtbot.waitSignal(window.session.returned, timeout=RUN_TIMEOUT_MS) as compared:
        window.commands.against_source.trigger()
    assert [name for name, _outcome in compared.args[0]] == ["squeezenet1.1.xml (source)", "copy.xml (IR)"]
    assert window.comparison.model.rowCount() == 2
    panel = window.ab_panel
    picked = [panel.history.entry(combo.currentIndex()).report.model.path for combo in (panel.combo_a, panel.combo_b)]
    assert picked == [str(model_path("squeezenet").resolve()), str(copy)]


def test_a_model_without_a_source_or_with_its_source_gone_is_one_line(window, qtbot, tmp_path):
    window.open_image(str(image_path("dog.jpg")))
    window.open_model(str(model_path("squeezenet")))
    qtbot.waitUntil(lambda: window.model_info is not None, timeout=30_000)
    with qtbot.waitSignal(window.run_refused) as refused:
        window.commands.against_source.trigger()
    assert refused.args[0].startswith("this model records no source")
    source = tmp_path / "gone.xml"
    shutil.copy(model_path("squeezenet"), source)
    shutil.copy(model_path("squeezenet").with_suffix(".bin"), source.with_suffix(".bin"))
    copy = save_as_ir(source, tmp_path / "copy.xml").xml
    source.unlink()
    window.open_model(str(copy))
    qtbot.waitUntil(lambda: window.model_info is not None and window.model_info.path == str(copy), timeout=30_000)
    with qtbot.waitSignal(window.run_refused) as refused:
        window.commands.against_source.trigger()
    assert refused.args[0] == f"the model it was made from is no longer there: {source}"
    assert window.banner.isVisible() and "\n" not in refused.args[0]

"""When nothing decodes: a suggestion for each output shape on opset-built models, none when a decoder
decoded, and the BlazeFace anchor template of docs/decoders.md running on BlazeFace's output shapes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from output_models import blazeface_like, brightness_map, colour_scores, photo, run, sequence_scores, square_photo, vectors

from ovgui.console import format_summary
from ovgui.core.decoders.base import DecodeOptions, ModelOutput
from ovgui.core.decoders.output_decoder import OutputDecoder
from ovgui.core.decoders.suggestions import as_flags, suggest
from ovgui.core.decoders.user import load_user_decoder
from ovgui.core.report import DecoderInfo, DecoderSuggestion, DeviceInfo, ModelInfo, RecognisedText, Report, RunConfig

TEMPLATE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "blazeface_anchor_decoder.py"
FACE_ANCHOR = 512 + 6 * (4 * 8 + 3)  # the first anchor of the stride-16 cell at column 3, row 4: centre (56, 72)


def decoded(model, decoder: str = "auto", family: str = "none", user_file: Path | None = None):
    outputs, geometry = run(model, photo(square_photo(64, 64, [(8, 8, 40, 40)])))
    user = load_user_decoder(user_file) if user_file else None
    return OutputDecoder(DecodeOptions(decoder), family, user=user)(outputs, geometry)


def distribution(steps: int, classes: int, best: list[int]) -> np.ndarray:
    rows = np.full((1, steps, classes), 0.1 / (classes - 1), np.float32)
    rows[0, np.arange(steps), best] = 0.9
    return rows


def test_a_one_channel_map_in_0_to_1_gets_the_probability_map_decoder():
    result = decoded(brightness_map(64, 64, 4))
    assert result.decoder == "none"
    assert [(s.title, s.changes) for s in result.suggestions] == [
        ("Try probability map", {"decoder": "probability_map", "threshold": 0.3})]
    assert as_flags(result.suggestions[0]) == "--decoder probability_map --threshold 0.3"


def test_logits_are_no_probability_map_and_a_three_dimensional_map_is_one():
    assert decoded(brightness_map(64, 64, 4, logits=True)).suggestions == []
    assert [s.changes["decoder"] for s in decoded(brightness_map(64, 64, 4, layout="NHW")).suggestions] == ["probability_map"]


def test_several_maps_get_segmentation():
    result = decoded(colour_scores(64, 64, 4))
    assert [(s.title, s.changes) for s in result.suggestions] == [("Try segmentation", {"decoder": "segmentation"})]


def test_with_several_outputs_the_suggestion_names_the_map():
    outputs = [ModelOutput(["heat"], [1, 1, 32, 32], np.full((1, 1, 32, 32), 0.5, np.float32)),
               ModelOutput(["vector"], [1, 3], np.zeros((1, 3), np.float32))]
    (suggestion,) = suggest(outputs)
    assert suggestion.changes == {"decoder": "probability_map", "threshold": 0.3, "map_output": "heat"}
    assert as_flags(suggestion) == "--decoder probability_map --threshold 0.3 --map-output heat"


@pytest.mark.parametrize("log", [False, True])
def test_rows_that_are_distributions_get_ctc(log):
    steps = distribution(40, 97, list(range(40)))
    result = decoded(sequence_scores(np.log(steps) if log else steps))
    assert [(s.title, s.changes) for s in result.suggestions] == [("Try CTC text", {"decoder": "ctc"})]
    assert "40 steps of a distribution over 97 classes" in result.suggestions[0].reason


def test_a_sequence_that_is_no_distribution_gets_nothing():
    assert decoded(sequence_scores(np.random.default_rng(1).normal(size=(1, 40, 97)))).suggestions == []


def test_anchor_offsets_beside_anchor_scores_point_to_a_decoder_file():
    result = decoded(blazeface_like(FACE_ANCHOR, [0, 0, 10, 10]))
    (suggestion,) = result.suggestions
    assert suggestion.changes == {} and "896 anchors" in suggestion.reason
    assert suggestion.guide.startswith("docs/decoders.md")
    assert as_flags(suggestion).startswith("--decoder-file FILE.py (template: docs/decoders.md")


def test_the_guide_names_a_section_of_docs_decoders_md():
    section = suggest([ModelOutput(["r"], [1, 896, 16], np.zeros((1, 896, 16))),
                       ModelOutput(["c"], [1, 896, 1], np.zeros((1, 896, 1)))])[0].guide.split("'")[1]
    assert f"## {section}" in (TEMPLATE.parents[1] / "decoders.md").read_text(encoding="utf-8")


def test_a_decoder_that_decoded_gets_no_suggestions_even_when_it_found_nothing(tmp_path):
    assert decoded(brightness_map(64, 64, 4), decoder="probability_map").suggestions == []
    assert decoded(brightness_map(64, 64, 4), decoder="none").suggestions == []
    assert decoded(vectors(64, 64)).suggestions == []
    empty = tmp_path / "empty.py"
    empty.write_text("def decode(outputs, info):\n    return {'boxes': []}\n", encoding="utf-8")
    assert decoded(brightness_map(64, 64, 4), user_file=empty).suggestions == []


def test_a_failed_decoder_file_gets_suggestions(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("def decode(outputs, info):\n    return outputs['nothing']\n", encoding="utf-8")
    result = decoded(brightness_map(64, 64, 4), user_file=broken)
    assert result.decoder == "user" and "KeyError" in result.note
    assert [s.changes["decoder"] for s in result.suggestions] == ["probability_map"]


def test_a_failed_decoder_gets_suggestions_but_not_itself():
    failed = decoded(brightness_map(64, 64, 4), decoder="yolov5")
    assert "yolov5 decoder expects" in failed.note
    assert [s.changes["decoder"] for s in failed.suggestions] == ["probability_map"]


def test_the_blazeface_template_decodes_the_anchor_it_is_given():
    """Anchor (56, 72) + offsets (2, -2), 40x30 in the 128 px input is [38,55,78,85]; the 256 px photo doubles it."""
    outputs, geometry = run(blazeface_like(FACE_ANCHOR, [2, -2, 40, 30]), photo(np.zeros((256, 256, 3), np.uint8)))
    result = load_user_decoder(TEMPLATE).decode(outputs, geometry, ["face"])
    assert [(d.label, d.box) for d in result.detections] == [("face", [76.0, 110.0, 156.0, 170.0])]
    assert result.detections[0].score == pytest.approx(1.0, abs=1e-4)


def report(**fields) -> Report:
    return Report(ModelInfo("m.xml", "ir", 1), DeviceInfo("CPU", "x"), RunConfig(), **fields)


def test_suggestions_and_text_survive_a_report_round_trip():
    suggestion = DecoderSuggestion("Try x", "why", {"decoder": "probability_map", "threshold": 0.3})
    written = report(decoder=DecoderInfo("none", "no decoder", [suggestion]), text=RecognisedText("abc", 0.9))
    read = Report.from_json(written.to_json())
    assert (read.decoder, read.text) == (written.decoder, written.text)


def test_a_report_written_before_suggestions_still_loads():
    data = report().to_dict()
    del data["decoder"]["suggestions"], data["text"]
    loaded = Report.from_dict(data)
    assert loaded.decoder.suggestions == [] and loaded.text is None


def test_the_summary_names_the_flags_to_add_and_the_text_read():
    suggestion = DecoderSuggestion("Try probability map", "heat [1,1,16,16] is one map",
                                   {"decoder": "probability_map", "threshold": 0.3})
    summary = format_summary(report(decoder=DecoderInfo("none", "no decoder recognises outputs", [suggestion])))
    assert "  try: --decoder probability_map --threshold 0.3  (heat [1,1,16,16] is one map)" in summary.splitlines()
    read = format_summary(report(decoder=DecoderInfo("ctc"), text=RecognisedText("hello", 0.9)))
    assert 'Text (decoder ctc)  "hello"  mean confidence 0.900' in read.splitlines()

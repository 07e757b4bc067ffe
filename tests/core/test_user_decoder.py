"""User decoder files: the worked example on the real model, then every way a file can be wrong, each one line."""

from __future__ import annotations

import textwrap
import threading
from pathlib import Path

import numpy as np
import openvino as ov
import pytest
from output_models import brightness_map, photo, run, square_photo
from shared_data import image_path, model_path

from ovgui.core.decoders.base import ModelOutput
from ovgui.core.decoders.user import load_user_decoder
from ovgui.core.errors import OvguiError
from ovgui.core.geometry import Geometry
from ovgui.core.image import load_image

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "face_detection_adas_decoder.py"
LETTERBOX = Geometry.letterbox((200, 100), (100, 100))  # scale 0.5, 25 px padding top and bottom
OUTPUTS = [ModelOutput(["291", "cls_8"], [1, 4], np.array([[0.1, 0.2, 0.3, 0.4]], np.float32))]


def decoder_file(tmp_path: Path, body: str, name: str = "my_decoder.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def decode_with(tmp_path: Path, body: str, outputs=OUTPUTS, geometry=LETTERBOX, labels=None):
    return load_user_decoder(decoder_file(tmp_path, body)).decode(outputs, geometry, labels)


def test_worked_example_gives_the_manifest_faces_on_the_real_model():
    model = ov.Core().read_model(model_path("face"))
    outputs, geometry = run(model, load_image(image_path("zidane.jpg")))
    result = load_user_decoder(EXAMPLE).decode(outputs, geometry, ["background", "face"])
    assert result.decoder == "user" and result.note == "decoded by face_detection_adas_decoder.py"
    assert [(d.class_id, d.label) for d in result.detections] == [(1, "face"), (1, "face")]
    assert [d.score for d in result.detections] == pytest.approx([0.992, 0.849], abs=0.03)
    assert result.detections[0].box == pytest.approx([915, 100, 1055, 281], abs=8)
    assert result.detections[1].box == pytest.approx([546, 233, 665, 440], abs=8)
    strict = load_user_decoder(EXAMPLE).decode(outputs, geometry, None, threshold=0.9)
    assert [d.label for d in strict.detections] == ["class 1"]


def test_outputs_and_info_the_function_receives(tmp_path):
    result = decode_with(
        tmp_path,
        """
        def decode(outputs, info):
            assert sorted(outputs) == ["291", "cls_8"] and outputs["291"] is outputs["cls_8"]
            assert not outputs["cls_8"].flags.writeable
            assert info == {"input_width": 100, "input_height": 100, "photo_width": 200, "photo_height": 100,
                            "scale_x": 0.5, "scale_y": 0.5, "pad_left": 0.0, "pad_top": 25.0,
                            "labels": ["a", "b"], "threshold": None}
            return {"classes": [[1, 0.25], [0, 0.75]]}
        """,
        labels=["a", "b"],
    )
    assert [(c.class_id, c.label, c.score) for c in result.classes] == [(0, "a", 0.75), (1, "b", 0.25)]


def test_boxes_are_photo_pixels_clipped_sorted_and_labelled(tmp_path):
    result = decode_with(
        tmp_path,
        """
        import numpy as np
        def decode(outputs, info):
            return {"boxes": np.array([[10, 10, 50, 40, 0.5, 2], [-20, 5, 250, 90, 0.9, 0], [300, 0, 310, 10, 0.8, 1]])}
        """,
        labels=["cat", "dog", "bird"],
    )
    assert [(d.label, d.score, d.box) for d in result.detections] == [
        ("cat", 0.9, [0.0, 5.0, 200.0, 90.0]),
        ("bird", 0.5, [10.0, 10.0, 50.0, 40.0]),
    ]


def test_masks_at_input_size_follow_the_letterbox_and_give_shares(tmp_path):
    result = decode_with(
        tmp_path,
        """
        import numpy as np
        def decode(outputs, info):
            mask = np.zeros((info["input_height"], info["input_width"]), np.uint8)
            mask[25:75, 50:] = 1      # the right half of the photo; rows 0-24 and 75-99 are padding
            mask[:25] = 7             # padding only: must not reach the photo
            return {"mask": mask}
        """,
    )
    assert result.mask.shape == (100, 200) and result.mask.dtype == np.int32
    assert [(s.class_id, s.share) for s in result.segments] == [(0, 0.5), (1, 0.5)]
    probabilities = decode_with(tmp_path, "def decode(o, i):\n    return {'mask': [[0.5] * 200] * 100}\n")
    assert probabilities.mask.dtype == np.float32 and probabilities.segments == []


def test_a_user_mask_lines_up_like_the_built_in_overlays(tmp_path):
    image = photo(square_photo(400, 300, [(40, 50, 120, 130)]))
    outputs, geometry = run(brightness_map(96, 160, 1, "NHW"), image, "letterbox")
    result = decode_with(tmp_path, "def decode(o, i):\n    return {'mask': o['heat'][0] > 0.5}\n", outputs, geometry)
    ys, xs = np.nonzero(result.mask)
    assert [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1] == pytest.approx([40, 50, 120, 130], abs=4)


@pytest.mark.parametrize(
    "body, message",
    [
        ("def decode(o, i):\n    return [1, 2]\n",
         "my_decoder.py: decode() returned a list; return a dict with 'boxes', 'classes' or 'mask'"),
        ("def decode(o, i):\n    return None\n", "my_decoder.py: decode() returned a NoneType; return a dict"),
        ("def decode(o, i):\n    return {}\n", "my_decoder.py: decode() returned an empty dict"),
        ("def decode(o, i):\n    return {'box': []}\n", "my_decoder.py: decode() returned an unknown key 'box'"),
        ("def decode(o, i):\n    return {'boxes': 5}\n",
         "my_decoder.py: 'boxes' is an int; give a list of [x1, y1, x2, y2, score, class_id] rows"),
        ("def decode(o, i):\n    return {'boxes': [[1, 2, 3, 4, 0.5]]}\n",
         "my_decoder.py: boxes[0] is [1, 2, 3, 4, 0.5]; each row is [x1, y1, x2, y2, score, class_id]"),
        ("def decode(o, i):\n    return {'boxes': [[1, 2, 3, 4, float('nan'), 0]]}\n",
         "my_decoder.py: boxes[0] score is nan; it must be a finite number"),
        ("def decode(o, i):\n    return {'boxes': [[1, 2, 3, 4, 0.5, '0']]}\n",
         "boxes[0] class_id is '0'; it must be a finite number"),
        ("def decode(o, i):\n    return {'boxes': [[1, 2, 3, 4, True, 0]]}\n",
         "boxes[0] score is True; it must be a finite number"),
        ("def decode(o, i):\n    return {'boxes': [[1, 2, 3, 4, 0.5, 1.5]]}\n",
         "boxes[0] class_id is 1.5; it must be a whole number from 0 to 2147483647"),
        ("def decode(o, i):\n    return {'boxes': [[0, 0, 1, 1, 1, 0], [5, 2, 3, 4, 0.5, 0]]}\n",
         "boxes[1] has x2 < x1 or y2 < y1"),
        ("def decode(o, i):\n    return {'classes': [[-1, 0.5]]}\n",
         "classes[0] class_id is -1; it must be a whole number from 0 to 2147483647"),
        ("def decode(o, i):\n    return {'mask': 'everything'}\n",
         "'mask' is a str; give a 2-D array of class ids or probabilities"),
        ("import numpy as np\ndef decode(o, i):\n    return {'mask': np.zeros((2, 3, 4))}\n",
         "'mask' is 3-D float64; give a 2-D array"),
        ("import numpy as np\ndef decode(o, i):\n    return {'mask': np.zeros((10, 20))}\n",
         "my_decoder.py: 'mask' is 20x10; give it at the photo's size (200x100) or the model input's (100x100)"),
        ("import numpy as np\ndef decode(o, i):\n    return {'mask': np.full((100, 200), np.inf)}\n",
         "'mask' contains NaN or infinity"),
    ],
)
def test_wrong_return_values_are_one_line_errors(tmp_path, body, message):
    with pytest.raises(OvguiError) as error:
        decode_with(tmp_path, body)
    assert message in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize(
    "body, message",
    [
        ("def decode(o, i):\n    return {'boxes': 1 / 0}\n",
         "my_decoder.py: decode() raised ZeroDivisionError: division by zero (line 2)"),
        ("def decode(o, i):\n    return {'boxes': o['missing']}\n",
         "my_decoder.py: decode() raised KeyError: 'missing' (line 2)"),
        ("import sys\ndef decode(o, i):\n    sys.exit(3)\n", "my_decoder.py: decode() raised SystemExit: 3 (line 3)"),
        ("def helper():\n    raise ValueError('bad\\nsecond line')\ndef decode(o, i):\n    helper()\n",
         "my_decoder.py: decode() raised ValueError: bad (line 2)"),
        ("def decode(o, i):\n    o['cls_8'][0, 0] = 5\n",
         "my_decoder.py: decode() raised ValueError: assignment destination is read-only (line 2)"),
    ],
)
def test_exceptions_inside_decode_are_one_line_errors(tmp_path, body, message):
    with pytest.raises(OvguiError) as error:
        decode_with(tmp_path, body)
    assert str(error.value) == message


@pytest.mark.parametrize(
    "body, message",
    [
        ("def decode(o, i)\n    return {}\n", "my_decoder.py: syntax error on line 1: expected ':'"),
        ("def other(o, i):\n    return {}\n", "my_decoder.py: defines no decode(outputs, info) function"),
        ("decode = 42\n", "my_decoder.py: decode is an int, not a function"),
        ("def decode(outputs):\n    return {}\n", "my_decoder.py: decode(outputs) must take two arguments (outputs, info)"),
        ("import no_such_module_here\n",
         "my_decoder.py: loading the file raised ModuleNotFoundError: No module named 'no_such_module_here' (line 1)"),
        ("x = [][1]\ndef decode(o, i):\n    return {}\n",
         "my_decoder.py: loading the file raised IndexError: list index out of range (line 1)"),
    ],
)
def test_broken_files_are_one_line_errors_at_load(tmp_path, body, message):
    with pytest.raises(OvguiError) as error:
        load_user_decoder(decoder_file(tmp_path, body))
    assert str(error.value) == message


def test_missing_folder_and_non_python_files(tmp_path):
    with pytest.raises(OvguiError, match="decoder file not found: .*nope.py"):
        load_user_decoder(tmp_path / "nope.py")
    with pytest.raises(OvguiError, match="is not a Python file"):
        load_user_decoder(tmp_path)
    with pytest.raises(OvguiError, match="decoder.txt is not a Python file"):
        load_user_decoder(decoder_file(tmp_path, "def decode(o, i):\n    return {}\n", "decoder.txt"))


def test_a_dataclass_and_keyword_defaults_in_the_user_file_work(tmp_path):
    result = decode_with(
        tmp_path,
        """
        from dataclasses import dataclass

        @dataclass
        class Box:
            x1: float
            y1: float

        def decode(outputs, info, margin=2):
            box = Box(10, 20)
            return {"boxes": [[box.x1, box.y1, box.x1 + margin, box.y1 + margin, 0.5, 0]]}
        """,
    )
    assert result.detections[0].box == [10.0, 20.0, 12.0, 22.0]


@pytest.mark.parametrize(
    "body, message",
    [
        ("def decode(o, i):\n    return {'classes': [[1e30, 0.5]]}\n",
         "my_decoder.py: classes[0] class_id is 1e+30; it must be a whole number from 0 to 2147483647"),
        ("def decode(o, i):\n    return {'boxes': [[1, 2, 3, 4, 0.5, 1e30]]}\n",
         "my_decoder.py: boxes[0] class_id is 1e+30; it must be a whole number from 0 to 2147483647"),
        ("def decode(o, i):\n    return {'boxes': [[1, 2, 3, 4, 0.5, 2**31]]}\n",
         "my_decoder.py: boxes[0] class_id is 2.14748e+09; it must be a whole number from 0 to 2147483647"),
    ],
)
def test_class_ids_beyond_any_label_are_one_line_not_an_overflow(tmp_path, body, message):
    """1e30 used to become -9223372036854775808 with RuntimeWarnings (which fail this test: filterwarnings=error)."""
    with pytest.raises(OvguiError) as error:
        decode_with(tmp_path, body)
    assert str(error.value) == message


RAISING_REPR = """
class Sly:
    def __repr__(self):
        raise RuntimeError("no repr for you")
    def __str__(self):
        raise RuntimeError("no str either")
"""


@pytest.mark.parametrize(
    "returned, message",
    [
        ("{'classes': [[Sly(), 0.5]]}",
         "my_decoder.py: classes[0] class_id is a Sly whose repr() raised RuntimeError; it must be a finite number"),
        ("{'boxes': [Sly()]}",
         "my_decoder.py: boxes[0] is a Sly whose repr() raised RuntimeError; each row is [x1, y1, x2, y2, score, class_id]"),
        ("{Sly(): 1}", "my_decoder.py: decode() returned an unknown key a Sly whose repr() raised RuntimeError; return a dict"),
    ],
)
def test_a_result_whose_repr_raises_is_one_line(tmp_path, returned, message):
    with pytest.raises(OvguiError) as error:
        decode_with(tmp_path, f"{RAISING_REPR}\ndef decode(o, i):\n    return {returned}\n")
    assert str(error.value).startswith(message) and "\n" not in str(error.value)


def test_an_exception_whose_str_raises_is_one_line(tmp_path):
    body = "class Odd(Exception):\n    def __str__(self):\n        raise RuntimeError('no')\ndef decode(o, i):\n    raise Odd()\n"
    with pytest.raises(OvguiError) as error:
        decode_with(tmp_path, body)
    assert str(error.value) == "my_decoder.py: decode() raised Odd: an Odd whose str() raised RuntimeError (line 5)"


def test_a_nul_byte_is_named_not_a_syntax_error_on_line_none(tmp_path):
    path = tmp_path / "my_decoder.py"
    path.write_bytes(b"def decode(o, i):\n    return {'classes': []}\n\x00\n")
    with pytest.raises(OvguiError) as error:
        load_user_decoder(path)
    assert str(error.value) == "my_decoder.py contains a NUL byte (line 3); a decoder file is Python source text"


NEVER_RETURNS = "import time\ndef decode(o, i):\n    while True:\n        time.sleep(0.05)\n"


def test_a_decode_that_never_returns_times_out_once_and_stays_stopped(tmp_path):
    """The loops sleep, so the thread left behind costs the rest of the test session no CPU."""
    decoder = load_user_decoder(decoder_file(tmp_path, NEVER_RETURNS), timeout_s=0.3)
    expected = "my_decoder.py: decode() did not return within 0.3 s (--decoder-timeout); decoding stopped, the timings are kept"
    with pytest.raises(OvguiError) as error:
        decoder.decode(OUTPUTS, LETTERBOX, None)
    assert str(error.value) == expected
    with pytest.raises(OvguiError) as again:
        decoder.decode(OUTPUTS, LETTERBOX, None, cancel=threading.Event())
    assert str(again.value) == expected, "a decoder whose thread still spins is not called again"


def test_a_file_that_loops_while_loading_times_out(tmp_path):
    with pytest.raises(OvguiError) as error:
        load_user_decoder(decoder_file(tmp_path, "import time\nwhile True:\n    time.sleep(0.05)\n"), timeout_s=0.3)
    assert str(error.value) == "my_decoder.py: loading the file did not finish within 0.3 s (--decoder-timeout)"


def test_a_stop_walks_away_from_a_decode_still_running(tmp_path):
    decoder = load_user_decoder(decoder_file(tmp_path, "import time\ndef decode(o, i):\n    time.sleep(60)\n"), timeout_s=120)
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    with pytest.raises(OvguiError) as error:
        decoder.decode(OUTPUTS, LETTERBOX, None, cancel=cancel)
    assert str(error.value) == "my_decoder.py: decode() was still running when the run was stopped; decoding stopped"

"""stderr survives any number of failing runs: nothing in ovgui points fd 2 elsewhere, even while
the model summary and the run read a damaged model on two threads at once."""

from __future__ import annotations

import os
import sys

import numpy as np

from shared_data import image_path

ROUNDS = 50
RUN_TIMEOUT_MS = 60_000


def test_fifty_failures_in_a_row_each_reach_stderr(window, qtbot, tmp_path, capfd):
    damaged = tmp_path / "damaged.onnx"
    damaged.write_bytes(np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    window.session.failed.connect(lambda message: print(f"error: {message}", file=sys.stderr, flush=True))
    window.open_image(str(image_path("dog.jpg")))
    qtbot.waitUntil(lambda: window.image is not None, timeout=30_000)
    for _ in range(ROUNDS):
        window.open_model(str(damaged))
        with qtbot.waitSignal(window.session.failed, timeout=RUN_TIMEOUT_MS):
            window.start_run()
    window.jobs.wait()
    os.write(2, b"fd 2 still reaches the terminal\n")
    err = capfd.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(lines) == ROUNDS and all("not a valid ONNX file" in line for line in lines)
    assert err.rstrip().endswith("fd 2 still reaches the terminal")

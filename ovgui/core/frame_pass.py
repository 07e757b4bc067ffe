"""A set of images or a video, frame by frame, through one compiled model.

Every frame goes through the whole pipeline once — decode, preprocess, inference,
postprocess — and each stage is timed on its own, so a user whose application is slow sees
which stage costs the frame.  The inference is the engine's own latency, like a single image's;
the first inference (a warm-up on the first frame) stays apart, and the first frame is then run
again as a normal frame.  `--iterations` does not apply: a set runs each frame once (`--time`
still stops it early; `--frames` and `--stride` choose a video's frames).
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from ovgui.core.decoders.output_decoder import OutputDecoder
from ovgui.core.engines.base import Engine, Finished
from ovgui.core.engines.timed_loop import Budget, LoopResult, ProgressCallback, TimedLoop
from ovgui.core.events import LiveData
from ovgui.core.geometry import Geometry
from ovgui.core.inputs import Frame, FrameSource
from ovgui.core.preprocess import PreparedInputs, frame_inputs
from ovgui.core.report import ClassCount, FrameResult, FrameSetSummary, PipelineTimes


@dataclass
class FramePass:
    """What a pass needs besides the frames: the compiled engine, how frames become inputs,
    and how outputs become boxes or classes."""

    engine: Engine
    prepared: PreparedInputs
    decoder: OutputDecoder

    def run(
        self, frames: Iterator[Frame], budget: Budget, cancel: threading.Event, live: LiveData, progress: ProgressCallback
    ) -> tuple[list[FrameResult], LoopResult]:
        """Each frame once: only Stop or the time budget ends a pass early.  With several requests
        (throughput mode) the next frames are decoded and preprocessed while requests infer; a
        frame's "infer" stage is then from hand-over to completion (waiting for a free request
        included), and the stages of overlapping frames do not add up to the pass's wall time."""
        pipeline = self.engine.pipeline()
        loop = TimedLoop(Budget(None, budget.duration_s), cancel, live, progress)
        waiting: dict[int, _InFlight] = {}
        results: list[FrameResult] = []
        fetched_from = loop.start

        def step() -> tuple[float, int] | None:
            """`fetched_from`: when the loop asked for this frame, so its wall time covers its decode too."""
            nonlocal fetched_from
            frame = next(frames, None)
            if frame is None:
                return None
            started = time.perf_counter()
            arrays, geometry = frame_inputs(frame.image, self.prepared)
            prepared_at = time.perf_counter()
            decoded_before = frame.decode_ms if frame.index == 0 else 0.0
            waiting[frame.index] = _InFlight(frame, geometry, fetched_from, decoded_before, started, prepared_at)
            pipeline.submit(arrays, frame.index)
            results.extend(self._collect(pipeline.done(), waiting, live))
            fetched_from = time.perf_counter()
            return fetched_from, len(results)

        loop.run(step)
        pipeline.wait()
        results.extend(self._collect(pipeline.done(), waiting, live))
        results.sort(key=lambda result: result.index)
        return results, LoopResult(loop.finish(), 0.0, pipeline.requests, pipeline.end_reads())

    def _collect(self, finished: list[Finished], waiting: dict[int, _InFlight], live: LiveData) -> list[FrameResult]:
        results = []
        for index, latency_ms, outputs in finished:
            flight = waiting.pop(index)
            inferred_at = time.perf_counter()
            decoded = self.decoder(outputs, flight.geometry)
            finished_at = time.perf_counter()
            times = PipelineTimes(
                decode=flight.frame.decode_ms,
                preprocess=(flight.prepared_at - flight.started) * 1000.0,
                infer=(inferred_at - flight.prepared_at) * 1000.0,
                postprocess=(finished_at - inferred_at) * 1000.0,
            )
            wall_ms = flight.decoded_before + (finished_at - flight.fetched_from) * 1000.0
            result = self._result(flight.frame, latency_ms, wall_ms, times, decoded)
            live.add_iteration(latency_ms)
            live.add_frame(flight.frame.image.bgr, result)
            results.append(result)
        return results

    def _result(self, frame: Frame, latency_ms: float, wall_ms: float, times: PipelineTimes, decoded) -> FrameResult:
        return FrameResult(
            index=frame.index,
            source=frame.source,
            width=frame.image.info.width,
            height=frame.image.info.height,
            latency_ms=latency_ms,
            wall_ms=wall_ms,
            pipeline_ms=times,
            detections=decoded.detections,
            classes=decoded.classes,
        )


@dataclass(frozen=True)
class _InFlight:
    """A frame handed to a request, with what is needed to finish its result when it comes back."""

    frame: Frame
    geometry: Geometry
    fetched_from: float
    decoded_before: float
    started: float
    prepared_at: float


def summarize(source: FrameSource, results: list[FrameResult], loop: LoopResult, decode_first_ms: float) -> FrameSetSummary:
    """Aggregates over the frames: the pass's own FPS against the model's, the stage medians,
    and how often each class was found (top-1 for classifiers, every box for detectors).
    With several requests in flight the model alone could finish `requests` frames per mean
    latency, so its FPS is that (an estimate; one request: exactly 1000 / mean latency)."""
    latencies = [r.latency_ms for r in results]
    total_s = loop.wall_s + decode_first_ms / 1000.0
    labels = Counter(d.label for r in results for d in r.detections) + Counter(r.classes[0].label for r in results if r.classes)
    return FrameSetSummary(
        kind=source.kind,
        source=source.description,
        inputs=list(source.inputs),
        frames=len(results),
        skipped=list(source.notes),
        total_s=total_s,
        end_to_end_fps=len(results) / total_s if total_s > 0 else 0.0,
        inference_fps=loop.requests * 1000.0 / statistics.fmean(latencies) if latencies else 0.0,
        pipeline_median_ms=PipelineTimes(*(
            statistics.median(getattr(r.pipeline_ms, stage) for r in results) if results else 0.0
            for stage in ("decode", "preprocess", "infer", "postprocess")
        )),
        class_histogram=[ClassCount(label, count) for label, count in labels.most_common()],
    )

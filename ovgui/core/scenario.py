"""MLPerf LoadGen serving scenarios (`--scenario`): LoadGen's test drives the compiled model.

LoadGen (the `loadgen` extra, `mlperf_loadgen`) decides when queries arrive — one after another
(SingleStream), eight at a time (MultiStream), at Poisson-distributed times at a target rate
(Server), all at once (Offline) — and judges the run VALID or INVALID by its own rules.  The
system under test here is OpenVINO's `AsyncInferQueue` over the run's compiled model: each
sample LoadGen issues starts a request on the run's prepared input (the query sample library
holds that one input), and the request's callback hands the sample back
(`QuerySamplesComplete`) and adds OpenVINO's own latency of it to the run's live data.

Every figure in `ScenarioResult` is read from LoadGen's log (`mlperf_log_detail.txt`, its
``:::MLLOG`` JSON lines), never recomputed here.  The run's budget sets LoadGen's minimums:
``--time`` its minimum duration and ``-n`` its minimum query count, so runs are seconds long and
labelled as not official MLPerf results.

LoadGen has no cancel: on Stop the system under test answers every query at once without
inferring, so a SingleStream, MultiStream or Offline test runs out in a moment; a Server test
keeps LoadGen's schedule, so the run walks away from it (`blocking.call`) and one LoadGen test
at a time runs in the process (`_ONE_TEST`).
"""

from __future__ import annotations

import importlib
import json
import math
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import openvino as ov

from ovgui.core.blocking import call
from ovgui.core.errors import OvguiError, RunCancelled
from ovgui.core.events import LiveData
from ovgui.core.report import RateTrial, RunConfig, ScenarioResult

INSTALL = "pip install 'ovgui[loadgen]'"
LOADGEN_NAMES = {"singlestream": "SingleStream", "multistream": "MultiStream", "server": "Server", "offline": "Offline"}
OFFICIAL_MIN_DURATION_S = 600.0
"""MLPerf Inference's rules (mlperf.conf) ask every performance run for at least 10 minutes."""
SEARCH_MIN_QUERIES = 500
"""LoadGen's early stopping judges a p99 only after about 460 queries when none is over the bound."""
SEARCH_MAX_RUNS = 7
SEARCH_RESOLUTION = 0.1
STOP_GRACE_S = 1.0
EXPECTATION_MARGIN = 4.0
"""LoadGen generates its queries up front from the expected latency (rate) and ends short of its
minimum duration, INVALID, when they run out; it stops at its minimums whatever it generated, so
the expectations are the first inference's figures made this many times faster."""
LOG_PREFIX = ":::MLLOG "
_ONE_TEST = threading.Lock()


def require_loadgen() -> ModuleType:
    """`mlperf_loadgen`, or one line saying how to install it."""
    try:
        return importlib.import_module("mlperf_loadgen")
    except ImportError as error:
        if isinstance(error, ModuleNotFoundError) and error.name == "mlperf_loadgen":
            raise OvguiError(f"MLPerf LoadGen is not installed; install it with {INSTALL}") from None
        raise OvguiError(f"MLPerf LoadGen cannot be loaded ({error}); reinstall it with {INSTALL}") from None


def read_log(path: Path) -> dict[str, Any]:
    """The values of LoadGen's ``:::MLLOG`` lines by key (a key logged twice: its last value)."""
    entries: dict[str, Any] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith(LOG_PREFIX):
            entry = json.loads(line[len(LOG_PREFIX):])
            entries[entry["key"]] = entry["value"]
            if entry["key"] == "result_validity":
                entries["result_time_ms"] = entry["time_ms"]
    return entries


def summary_from_log(entries: dict[str, Any]) -> ScenarioResult:
    """LoadGen's own figures (ns turned into ms), verdict and reasons, as its log names them."""
    result = ScenarioResult(
        scenario=str(entries.get("effective_scenario", "")),
        result=str(entries.get("result_validity", "")),
        invalid_reasons=invalid_reasons(entries),
        percentiles_ms=_percentiles(entries, "_percentile_latency_ns"),
        query_percentiles_ms=_percentiles(entries, "_percentile_per_query_latency_ns"),
        mean_ms=_ms(entries.get("result_mean_latency_ns", 0)),
        min_ms=_ms(entries.get("result_min_latency_ns", 0)),
        max_ms=_ms(entries.get("result_max_latency_ns", 0)),
        rates={key.removeprefix("result_"): float(value) for key, value in entries.items()
               if key.startswith("result_") and ("per_sec" in key or "qps" in key)},
        min_duration_ms=float(entries.get("effective_min_duration_ms", 0)),
        min_query_count=int(entries.get("effective_min_query_count", 0)),
        duration_ms=float(entries.get("result_time_ms", 0.0)),
        query_count=int(entries.get("result_query_count", 0)),
        samples_per_query=int(entries.get("effective_samples_per_query", 1)),
        loadgen_version=str(entries.get("loadgen_version", "")),
    )
    if result.scenario == "Server":
        result.target_qps = float(entries.get("effective_target_qps", 0.0))
        result.p99_bound_ms = _ms(entries.get("effective_target_latency_ns", 0))
    result.not_official_reason = not_official_reason(result.duration_ms / 1000.0)
    return result


def invalid_reasons(entries: dict[str, Any]) -> list[str]:
    """Why LoadGen said INVALID, in its words: its reason line and each of its checks that failed."""
    if entries.get("result_validity") != "INVALID":
        return []
    checks = [("result_min_duration_met", "minimum duration not met"), ("result_min_queries_met", "minimum queries not met"),
              ("result_perf_constraints_met", "performance constraints not met")]
    reasons = [words for key, words in checks if entries.get(key) is False]
    if entries.get("early_stopping_met") is False:
        reasons.append("early stopping: " + " ".join(str(entries.get("early_stopping_result", "")).split()).lstrip(" *"))
    reason = str(entries.get("result_invalid_reason", "")).strip()
    return [reason, *reasons] if reason else reasons


def not_official_reason(duration_s: float) -> str:
    short = duration_s < OFFICIAL_MIN_DURATION_S
    minimum = f"{OFFICIAL_MIN_DURATION_S:g} s minimum not met: ran {duration_s:.3g} s; " if short else ""
    return f"{minimum}a performance-only test without MLPerf's accuracy run, audit or submission checks"


def _percentiles(entries: dict[str, Any], suffix: str) -> dict[str, float]:
    return {key.removeprefix("result_").removesuffix(suffix): _ms(value) for key, value in entries.items()
            if key.startswith("result_") and key.endswith(suffix)}


def _ms(nanoseconds: Any) -> float:
    return float(nanoseconds) / 1e6


@dataclass
class ServingTarget:
    """What LoadGen drives: the compiled model, the prepared inputs each request shares, how many
    requests, and the first inference's time (LoadGen's expected latency and rates start from it)."""

    compiled: ov.CompiledModel
    arrays: dict[int, np.ndarray]
    requests: int
    first_ms: float


@dataclass
class ServingRun:
    """The LoadGen tests of one run and their wall time (inferences go to `live`)."""

    result: ScenarioResult
    wall_s: float = 0.0
    inferences: int = 0
    trials: list[ScenarioResult] = field(default_factory=list)


class LoadGenSut:
    """The system under test: an `AsyncInferQueue` LoadGen issues samples to.  Once `cancel` is set
    it answers samples at once without inferring (LoadGen has no cancel of its own)."""

    def __init__(self, loadgen: ModuleType, target: ServingTarget, live: LiveData, cancel: threading.Event):
        self._lg, self._live, self._cancel = loadgen, live, cancel
        self.inferences = 0
        self._queue = ov.AsyncInferQueue(target.compiled, target.requests)
        for request in self._queue:
            for index, array in target.arrays.items():
                request.set_input_tensor(index, ov.Tensor(array, shared_memory=True))
        self._queue.set_callback(self._completed)

    def issue(self, samples: list) -> None:
        for sample in samples:
            if self._cancel.is_set():
                self._lg.QuerySamplesComplete([self._lg.QuerySampleResponse(sample.id, 0, 0)])
            else:
                self._queue.start_async(None, sample.id)

    def flush(self) -> None:
        """Every sample is started as it is issued: nothing is held back."""

    def wait(self) -> None:
        self._queue.wait_all()

    def _completed(self, request: ov.InferRequest, sample_id: int) -> None:
        self._live.add_iteration(request.latency)
        self.inferences += 1
        self._lg.QuerySamplesComplete([self._lg.QuerySampleResponse(sample_id, 0, 0)])


def loadgen_settings(loadgen: ModuleType, config: RunConfig, target: ServingTarget, target_qps: float | None,
                  min_queries: int = 1) -> Any:
    """LoadGen's settings for one test: the scenario, performance only, minimums from the run's
    budget (``--time``: minimum duration, ``-n``: minimum query count), expectations from the
    first inference (`EXPECTATION_MARGIN`)."""
    assert config.scenario is not None
    settings = loadgen.TestSettings()
    settings.scenario = getattr(loadgen.TestScenario, LOADGEN_NAMES[config.scenario])
    settings.mode = loadgen.TestMode.PerformanceOnly
    settings.min_duration_ms = round((config.duration_s or 0.0) * 1000.0)
    settings.min_query_count = max(config.iterations or 1, min_queries)
    expected_ns = max(round(target.first_ms * 1e6 / EXPECTATION_MARGIN), 1)
    settings.single_stream_expected_latency_ns = expected_ns
    settings.multi_stream_expected_latency_ns = expected_ns
    settings.offline_expected_qps = capacity_qps(target) * EXPECTATION_MARGIN
    if target_qps is not None:
        settings.server_target_qps = target_qps
    if config.p99_ms is not None:
        settings.server_target_latency_ns = round(config.p99_ms * 1e6)
    return settings


def capacity_qps(target: ServingTarget) -> float:
    """A first guess at the samples per second the requests can serve: each as fast as the first inference."""
    return target.requests * 1000.0 / max(target.first_ms, 1e-3)


def run_test(loadgen: ModuleType, settings: Any, target: ServingTarget, live: LiveData,
             cancel: threading.Event) -> tuple[ScenarioResult, int]:
    """One LoadGen test (one at a time in the process) and how many inferences it ran."""
    with _ONE_TEST, tempfile.TemporaryDirectory(prefix="ovgui-loadgen-") as folder:
        sut = LoadGenSut(loadgen, target, live, cancel)
        handle = loadgen.ConstructSUT(sut.issue, sut.flush)
        library = loadgen.ConstructQSL(1, 1, _nothing, _nothing)
        output = loadgen.LogOutputSettings()
        output.outdir = folder
        output.copy_summary_to_stdout = False
        log_settings = loadgen.LogSettings()
        log_settings.log_output = output
        log_settings.enable_trace = False
        try:
            loadgen.StartTestWithLogSettings(handle, library, settings, log_settings)
            sut.wait()
        finally:
            loadgen.DestroyQSL(library)
            loadgen.DestroySUT(handle)
        result = summary_from_log(read_log(Path(folder) / "mlperf_log_detail.txt"))
    result.stopped = cancel.is_set()
    return result, sut.inferences


def wait_for_loadgen() -> None:
    """Until no LoadGen test runs in the process, one a Stop walked away from included: its C++
    threads must not outlive the interpreter (a test process ending under one aborts)."""
    with _ONE_TEST:
        pass


def _nothing(_samples: list) -> None:
    """The one sample is the run's prepared input, loaded before LoadGen starts."""


def serve(config: RunConfig, target: ServingTarget, live: LiveData, cancel: threading.Event) -> ServingRun:
    """The run's LoadGen measurement: one test, or for Server without a rate the rate search, from
    half the rate the requests would serve at the expected latency (`loadgen_settings`).
    On Stop the run walks away from a test still keeping LoadGen's schedule `STOP_GRACE_S` later."""
    loadgen = require_loadgen()
    run = ServingRun(ScenarioResult())
    started = time.perf_counter()

    def at(target_qps: float | None, min_queries: int = 1) -> ScenarioResult:
        settings = loadgen_settings(loadgen, config, target, target_qps, min_queries)
        result, inferences = call(lambda: run_test(loadgen, settings, target, live, cancel), cancel,
                                  name="ovgui-loadgen", stopped="run stopped during a LoadGen test", grace_s=STOP_GRACE_S)
        run.inferences += inferences
        run.trials.append(result)
        return result

    try:
        if config.scenario == "server" and config.target_qps is None:
            start_qps = capacity_qps(target) * EXPECTATION_MARGIN / 2
            run.result = search(lambda qps: at(qps, SEARCH_MIN_QUERIES), start_qps, cancel, SEARCH_MAX_RUNS)
        else:
            run.result = at(config.target_qps)
    except RunCancelled:
        run.result = run.trials[-1] if run.trials else ScenarioResult(scenario=LOADGEN_NAMES[config.scenario or ""])
    if cancel.is_set():
        run.result.stopped = True
        run.result.not_official_reason = f"stopped before LoadGen's test ended; {run.result.not_official_reason}".rstrip("; ")
    run.wall_s = time.perf_counter() - started
    return run


def search(test_at: Callable[[float], ScenarioResult], start_qps: float, cancel: threading.Event,
           max_runs: int = SEARCH_MAX_RUNS, resolution: float = SEARCH_RESOLUTION) -> ScenarioResult:
    """The highest rate LoadGen finds VALID: double (or halve) from `start_qps` until a VALID and
    an INVALID rate bracket it, then bisect until they are within `resolution` of each other or
    `max_runs` tests have run.  Returns the highest VALID test (else the last one) with every
    test's rate and verdict in `trials`."""
    valid: ScenarioResult | None = None
    low, high = 0.0, math.inf
    trials: list[RateTrial] = []
    last = ScenarioResult()
    rate = start_qps
    while len(trials) < max_runs and not cancel.is_set():
        last = test_at(rate)
        trials.append(RateTrial(rate, last.result, last.percentiles_ms.get("99.00")))
        if last.result == "VALID":
            low, valid = rate, last
        else:
            high = rate
        if high < math.inf and low > 0 and (high - low) <= resolution * low:
            break
        rate = (low + high) / 2 if high < math.inf and low > 0 else rate * 2 if high == math.inf else rate / 2
    chosen = valid or last
    chosen.trials = trials
    chosen.found_qps = low if valid is not None else None
    chosen.search_resolution = resolution
    return chosen

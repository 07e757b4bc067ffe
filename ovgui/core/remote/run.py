"""One run on a target: connect, probe, copy, run ``ovgui-profile --events jsonl`` there, watch it here.

`RemoteRun` is used as `ProfileRun` is (``run()`` → `RunOutcome`, ``cancel()`` from any thread,
``partial``, ``release()``), with the same `on_event` callback and `LiveData`, so the printer, a
comparison and the window's live views take a remote run as they take a local one.  The outcome
has the report only (the raw outputs stay on the target), with the target's `environment`, a
`target` section, and the workstation's paths for the model and images.

Stop sends SIGINT to the remote process group: the remote ovgui stops as on Ctrl+C and still
sends its report (completed false); if it has not ended `STOP_GRACE_S` later it is killed.  A
connection that breaks mid-run ends the run with what had arrived: a report marked incomplete
whose note says so (and the remote ovgui, its stdout gone, stops itself: `event_stream.EventWriter`).
"""

from __future__ import annotations

import asyncio
import json
import shlex
import threading
from dataclasses import fields
from pathlib import Path, PurePosixPath
from typing import Any

import ovgui
from ovgui.core import events
from ovgui.core.errors import OvguiError, RunCancelled
from ovgui.core.event_stream import FORMAT, StreamReader
from ovgui.core.memory import phases_so_far
from ovgui.core.options import BY_NAME, RunConfig
from ovgui.core.outcome import RunOutcome
from ovgui.core.remote import deploy
from ovgui.core.remote.probe import Probe, device_label, parse_probe, probe_command
from ovgui.core.remote.ssh import AcceptHostKey, Resolved, asyncssh, connect
from ovgui.core.remote.target import Target
from ovgui.core.report import DeviceInfo, EnvironmentInfo, MemoryReport, ModelInfo, Report, Timings
from ovgui.core.runner import RunRequest

STOP_GRACE_S = 20.0
"""How long a stopped remote run has to send its report before it is killed (its own steady
loop walks away from a stuck inference after `runner.STEADY_GRACE_S`)."""
POLL_S = 0.1
EXIT_STOPPED = 130
PID_PREFIX = "pid "


async def probe_over(connection: Any, target: Target) -> Probe:
    done = await connection.run(probe_command(target))
    return parse_probe(target, done.exit_status, str(done.stdout or ""), str(done.stderr or ""))


def probe_target(target: Target, accept_host_key: AcceptHostKey | None = None) -> Probe:
    """Connect (host key checked; an unknown one offered to `accept_host_key`) and probe, for a
    window adding a target: its devices, Python, OpenVINO, CPU and free memory, or the one line
    that says why not."""

    async def probe() -> Probe:
        async with await connect(Resolved(target), accept_host_key) as connection:
            return await probe_over(connection, target)

    return asyncio.run(probe())


def local_files(config: RunConfig) -> list[str]:
    """The options that name a workstation file, which a remote run does not copy (yet)."""
    named = [BY_NAME[name].flags[0] for name in ("cache_dir", "labels_path", "decoder_file", "accuracy")
             if getattr(config, name)]
    if any(Path(source).exists() for source in (config.input or {}).values()):
        named.append(BY_NAME["input"].flags[0])
    return named


def config_changes(config: RunConfig) -> dict[str, Any]:
    """The run options that differ from the defaults, as ``--run-config`` reads them."""
    default = RunConfig()
    return {each.name: getattr(config, each.name) for each in fields(RunConfig)
            if getattr(config, each.name) != getattr(default, each.name)}


class RemoteRun:
    def __init__(self, request: RunRequest, target: Target, on_event: events.EventCallback = events.ignore_event,
                 live: events.LiveData | None = None, cancel: threading.Event | None = None,
                 accept_host_key: AcceptHostKey | None = None):
        self.request = request
        self.target = target
        self.live = live or events.LiveData()
        self._on_event = on_event
        self._cancel = cancel or threading.Event()
        self._accept_host_key = accept_host_key
        self._reader = StreamReader(self._event, self.live)
        self._resolved: Resolved | None = None
        self._probe: Probe | None = None
        self._last_fps = 0.0
        self.remote_pid: int | None = None

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def release(self) -> None:
        """Nothing is held once `run` returns: the connection closes with it."""

    @property
    def partial(self) -> Report | None:
        """What has arrived so far as a report marked incomplete; None before the first latency."""
        return self._partial_report(f"stopped while running on {self.target.name}: the figures cover what had arrived")

    def run(self) -> RunOutcome:
        named = local_files(self.request.config)
        if named:
            raise OvguiError(f"a run on {self.target.name} cannot take {', '.join(named)} yet: those files are "
                             "not copied to the target")
        return asyncio.run(self._run())

    async def _run(self) -> RunOutcome:
        resolved = self._resolved = Resolved(self.target)
        connection = await connect(resolved, self._accept_host_key)
        async with connection:
            self._probe = await self._probe_target(connection)
            self._say_version_differences()
            command, local_of = await self._deploy(connection, self._probe)
            return await self._profile(connection, command, local_of)

    async def _probe_target(self, connection: Any) -> Probe:
        return await probe_over(connection, self.target)

    def _say_version_differences(self) -> None:
        from ovgui.core.environment import environment_info

        assert self._probe is not None
        here = environment_info()
        for difference in version_differences(here, self.target.name, self._probe.openvino, self._probe.python):
            self._event(events.Note(difference))

    async def _deploy(self, connection: Any, probe: Probe) -> tuple[str, dict[str, str]]:
        """The command that runs the profile on the target, and each remote path's local one."""
        request = self.request
        root = deploy.remote_root(probe.temp_dir)
        app = deploy.zipapp()
        config = json.dumps(config_changes(request.config), sort_keys=True).encode()
        config_path = root / "configs" / f"{deploy.Bundle.digest_of(config)}.json"
        local_of: dict[str, str] = {}
        async with connection.start_sftp_client() as sftp:
            await sftp.makedirs(str(root / "configs"), exist_ok=True)
            await deploy.push_bytes(sftp, app.data, root / app.name)
            await deploy.push_bytes(sftp, config, config_path)
            model = await self._push(sftp, Path(request.model_path), deploy.model_bundle, root, local_of)
            images = [await self._push(sftp, Path(image), deploy.image_bundle, root, local_of)
                      for image in (request.image_path, *request.more_images)]
        profile = [self.target.python, str(root / app.name), model, *images, "--events", FORMAT,
                   "--run-config", str(config_path), "-q"]
        command = (f"echo {PID_PREFIX}$$; cd {shlex.quote(str(root))} && "
                   f"exec env PYTHONIOENCODING=utf-8 {shlex.join(profile)}")
        return command, local_of

    async def _push(self, sftp: Any, path: Path, bundle_of: Any, root: PurePosixPath, local_of: dict[str, str]) -> str:
        bundle = bundle_of(path)
        folder = await deploy.push_bundle(sftp, bundle, root)
        for local in bundle.files:
            local_of[str(folder / local.name)] = str(local)
        remote = str(folder) if path.is_dir() else str(folder / path.name)
        local_of[remote] = str(path)
        return remote

    async def _profile(self, connection: Any, command: str, local_of: dict[str, str]) -> RunOutcome:
        ssh = asyncssh()
        process = await connection.create_process(command, encoding="utf-8", errors="replace")
        said: list[str] = []
        lost: BaseException | None = None
        stopper = asyncio.ensure_future(self._stop_when_cancelled(connection, process))
        try:
            await asyncio.gather(self._read_stdout(process), self._read_stderr(process, said))
            status = (await process.wait()).exit_status
        except (ssh.Error, OSError, asyncio.IncompleteReadError) as error:
            lost, status = error, None
        finally:
            stopper.cancel()
        if self._reader.report is not None:
            return RunOutcome(self._finished(self._reader.report, local_of))
        if lost is not None or status is None:
            return self._lost(lost)
        return self._failed(status, said)

    async def _read_stdout(self, process: Any) -> None:
        async for line in process.stdout:
            if self.remote_pid is None and line.startswith(PID_PREFIX):
                self.remote_pid = int(line[len(PID_PREFIX):])
                continue
            self._reader.feed(line)

    async def _read_stderr(self, process: Any, said: list[str]) -> None:
        async for line in process.stderr:
            said.append(line.rstrip("\n"))

    async def _stop_when_cancelled(self, connection: Any, process: Any) -> None:
        while not self._cancel.is_set():
            await asyncio.sleep(POLL_S)
        await self._signal(connection, "INT")
        try:
            await asyncio.wait_for(process.wait(), STOP_GRACE_S)
        except asyncio.TimeoutError:
            await self._signal(connection, "KILL")

    async def _signal(self, connection: Any, name: str) -> None:
        """To the remote ovgui's process group (the command's session: sshd starts it with setsid)."""
        if self.remote_pid is not None:
            await connection.run(f"kill -{name} -- -{self.remote_pid} 2>/dev/null || kill -{name} {self.remote_pid}")

    def _event(self, event: events.Event) -> None:
        if isinstance(event, events.Progress):
            self._last_fps = event.fps
        self._on_event(event)

    def _finished(self, report: Report, local_of: dict[str, str]) -> Report:
        assert self._probe is not None
        report.target = self._target_info()
        localise(report, local_of)
        return report

    def _target_info(self) -> Any:
        assert self._resolved is not None
        probe = self._probe
        return self._resolved.info(probe.python if probe else "", f"{ovgui.__version__} (zipapp {deploy.zipapp().digest})",
                                   probe.openvino if probe else "")

    def _lost(self, error: BaseException | None) -> RunOutcome:
        reason = f": {error}" if error is not None and str(error) else ""
        report = self._partial_report(f"the connection to {self.target.name} was lost mid-run{reason}; the figures "
                                      "cover what had arrived")
        if report is None:
            raise OvguiError(f"the connection to {self.target.name} was lost before anything was measured{reason}")
        self._on_event(events.Note(report.notes[-1]))
        return RunOutcome(report)

    def _failed(self, status: int, said: list[str]) -> RunOutcome:
        if status == EXIT_STOPPED or self.cancelled:
            raise RunCancelled("run stopped before the first inference")
        if self._reader.error:
            raise OvguiError(f"{self.target.name}: {self._reader.error}")
        last = next((line for line in reversed(said) if line.strip()), "")
        raise OvguiError(f"{self.target.name}: ovgui-profile ended with exit status {status}"
                         f"{': ' + last if last else ' and said nothing'}")

    def _partial_report(self, note: str) -> Report | None:
        """A report made here from the streamed figures (latencies, memory, layers, phase times):
        the target's own never arrived."""
        live = self.live
        if not live.latencies_ms:
            return None
        request, config = self.request, self.request.config
        model = Path(request.model_path)
        report = Report(ModelInfo(str(model), model.suffix.lstrip("."), model.stat().st_size if model.is_file() else 0),
                        DeviceInfo(config.device, device_label(config.device, self.target.name)), config)
        report.latency_ms = live.latency_stats(keep_samples=True)
        report.latency_ms.read_at(config.latency_percentile)
        report.throughput_fps = self._last_fps
        phases = self._reader.phases
        report.timings_ms = Timings(**{name: phases[name] for name in ("read_model", "convert", "compile",
                                                                       "first_inference", "release") if name in phases})
        report.memory = _memory_so_far(live)
        report.layers = list(live.layers)
        report.completed = False
        probe = self._probe
        report.environment = EnvironmentInfo(ovgui=ovgui.__version__, openvino=probe.openvino if probe else "",
                                             python=probe.python if probe else "", cpu=probe.cpu if probe else "")
        report.notes = [note, f"throughput: the target's last progress figure ({self._last_fps:.1f} FPS), not a whole-run figure"]
        report.target = self._target_info()
        return report


def _memory_so_far(live: events.LiveData) -> MemoryReport:
    import numpy as np

    samples = sorted(live.memory_samples)
    if not samples:
        return MemoryReport()
    t_s, rss = (np.asarray(column) for column in zip(*samples))
    peak_t, peak = max(samples, key=lambda sample: sample[1])
    return MemoryReport([[t, mib] for t, mib in samples], phases_so_far(list(live.phase_marks), t_s, rss), peak, peak_t)


def localise(report: Report, local_of: dict[str, str]) -> None:
    """The target's copies named by the workstation's files they came from."""
    report.model.path = local_of.get(report.model.path, report.model.path)
    if report.image is not None:
        report.image.path = local_of.get(report.image.path, report.image.path)
    if report.frame_set is not None:
        report.frame_set.inputs = [local_of.get(path, path) for path in report.frame_set.inputs]
        report.frame_set.source = local_of.get(report.frame_set.source, report.frame_set.source)
    for frame in report.per_image:
        frame.source = local_of.get(frame.source, frame.source)


def version_differences(here: EnvironmentInfo, name: str, openvino: str, python: str) -> list[str]:
    """One line per version that differs between the workstation and a target (latency depends on them)."""
    pairs = [("OpenVINO", here.openvino, openvino), ("Python", here.python, python)]
    return [f"{what} differs: {theirs} on {name}, {ours} on this workstation" for what, ours, theirs in pairs
            if theirs and ours != theirs]

"""The versions and machine a run was measured on travel in the report."""

from __future__ import annotations

import platform

import openvino as ov

import ovgui
from ovgui.core.environment import cpu_model, environment_info
from ovgui.core.report import DeviceInfo, EnvironmentInfo, ModelInfo, Report, RunConfig


def test_environment_names_every_version():
    env = environment_info()
    assert env.ovgui == ovgui.__version__
    assert env.openvino == ov.get_version()
    assert env.python == platform.python_version()
    assert env.os and env.cpu


def test_cpu_model_comes_from_cpuinfo(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Core(TM) i7-1185G7\n")
    assert cpu_model(cpuinfo) == "Intel(R) Core(TM) i7-1185G7"
    assert cpu_model(tmp_path / "missing") == (platform.processor() or platform.machine())


def test_environment_round_trips_and_old_reports_load_without_it():
    report = Report(ModelInfo("m.xml", "ir", 1), DeviceInfo("CPU", "x"), RunConfig(), environment=environment_info())
    assert Report.from_json(report.to_json()).environment == report.environment
    data = report.to_dict()
    del data["environment"]
    assert Report.from_dict(data).environment == EnvironmentInfo()

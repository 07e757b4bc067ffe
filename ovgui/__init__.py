"""ovgui: a desktop profiler for OpenVINO models."""

__version__ = "0.1.0"

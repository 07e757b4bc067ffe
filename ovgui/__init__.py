"""ovgui: a desktop profiler for OpenVINO models."""

import logging

__version__ = "0.1.0"

# Until a program starts its log file (`ovgui.core.logs`), records go nowhere: without this,
# Python would print warnings and errors to stderr a second time, beside the user's own line.
logging.getLogger(__name__).addHandler(logging.NullHandler())

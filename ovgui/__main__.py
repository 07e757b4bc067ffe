"""`python -m ovgui` opens the window."""

import sys

from ovgui.cli import gui_main

sys.exit(gui_main())

"""Qt widgets: everything that imports PySide6 or pyqtgraph lives here, never in ovgui.core."""

"""The Qt-free engine: everything that reads, runs and measures a model.

Nothing under this package may import Qt or pyqtgraph; the CLI, scripts and
tests use it in a plain Python process, and the GUI wraps it in a worker.
"""

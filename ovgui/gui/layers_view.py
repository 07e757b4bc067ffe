"""The Layers workspace: the per-layer table at full height, and beside it the selected layer up close.

The detail takes no width until a layer is selected, and gives it back when closed or while the
By-type tab is forward (it lists no layers, and its bars need the width): the table is what a
user scans for the slow layer, so it keeps the room the detail does not use.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QSplitter, QToolButton, QVBoxLayout, QWidget

from ovgui.core.events import LiveData
from ovgui.core.outcome import RunOutcome
from ovgui.core.report import LayerStats
from ovgui.gui.layer_detail import LayerDetailPanel
from ovgui.gui.layer_table import LayerTableWidget

DETAIL_SHARE = 0.34
"""Of the workspace's width, what an opened detail takes at first; the splitter moves it after."""
DETAIL_MIN_PX = 340
DETAIL_MAX_PX = 620


class LayersView(QWidget):
    """The table (with its filter and its By-type tab) and the layer detail, side by side in a splitter."""

    layer_selected = Signal(object)
    """The `LayerStats` the user selected in the table, for the views linked to it (graph, roofline)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.table = LayerTableWidget()
        self.detail = LayerDetailPanel()
        self._outcome: RunOutcome | None = None
        self._detail_box = self._make_detail_box()
        self._splitter = QSplitter(Qt.Orientation.Horizontal)
        self._splitter.setChildrenCollapsible(False)
        self._splitter.addWidget(self.table)
        self._splitter.addWidget(self._detail_box)
        self._splitter.setStretchFactor(0, 1)
        self._splitter.setStretchFactor(1, 0)
        self._detail_box.hide()
        self._detail_px = 0
        """The detail's width when it was last put away (0: never shown), so it comes back as the user left it."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._splitter)
        self.table.layer_selected.connect(self._table_selected)
        self.table.layer_updated.connect(self._show_in_detail)
        self.table.types_shown.connect(self._place_detail)

    def show_outcome(self, outcome: RunOutcome) -> None:
        """An open detail follows its layer into the new figures; if the layer is gone, the detail closes."""
        self._outcome = outcome
        self.table.show_outcome(outcome)
        if self.table.selected_layer() is None:
            self.close_detail()

    def clear(self) -> None:
        self._outcome = None
        self.table.clear()
        self.close_detail()

    def follow(self, live: LiveData) -> None:
        self._outcome = None
        self.table.follow(live)
        self.close_detail()

    def refresh(self) -> None:
        self.table.refresh()

    def stop_following(self) -> None:
        self.table.stop_following()

    def select_layer(self, layer_name: str) -> None:
        """From a linked view (graph, roofline): the layer's row becomes current and its detail opens;
        a row the filter hides stays hidden."""
        self.table.select_layer(layer_name)

    def show_layer_detail(self, layer: LayerStats, outcome: RunOutcome | None) -> None:
        """`layer` up close; `outcome` is the finished run it belongs to (None: a live snapshot's layer,
        which has no per-iteration samples yet)."""
        self.detail.show_layer(layer, outcome)
        self._place_detail()

    def detail_open(self) -> bool:
        """Whether a layer is shown up close (while the By-type tab is forward, out of sight)."""
        return self.detail.showing_layer()

    def close_detail(self) -> None:
        """The detail gives its width back, and no row stays selected, so a click on any row opens it again."""
        self.detail.clear()
        self.table.clear_selection()
        self._place_detail()

    def _table_selected(self, layer: LayerStats) -> None:
        self._show_in_detail(layer)
        self.layer_selected.emit(layer)

    def _show_in_detail(self, layer: LayerStats) -> None:
        """A layer of the shown run comes with its outcome's samples; a live snapshot's has none."""
        outcome = self._outcome
        known = outcome is not None and any(shown is layer for shown in outcome.report.layers)
        self.show_layer_detail(layer, outcome if known else None)

    def _place_detail(self) -> None:
        """Beside the table while it lists layers and one is shown up close; otherwise out of the way,
        its width remembered for the next time."""
        wanted = self.detail_open() and not self.table.showing_types()
        if wanted == (not self._detail_box.isHidden()):
            return
        if not wanted:
            self._detail_px = self._splitter.sizes()[1]
            self._detail_box.hide()
            return
        self._detail_box.show()
        width = self._splitter.width()
        detail = self._detail_px or min(max(round(width * DETAIL_SHARE), DETAIL_MIN_PX), DETAIL_MAX_PX)
        self._splitter.setSizes([max(width - detail, 0), detail])

    def _make_detail_box(self) -> QWidget:
        title = QLabel("Layer detail")
        title.setObjectName("detailTitle")
        close = QToolButton(autoRaise=True)
        close.setObjectName("closeDetail")
        close.setText("✕")
        close.setToolTip("Close the layer detail and give its width back to the table (Esc)")
        close.clicked.connect(self.close_detail)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.close_detail)
        header = QHBoxLayout()
        header.setContentsMargins(6, 2, 2, 0)
        header.addWidget(title, 1)
        header.addWidget(close)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.detail)
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addLayout(header)
        column.addWidget(scroll, 1)
        box.setMinimumWidth(DETAIL_MIN_PX // 2)
        return box

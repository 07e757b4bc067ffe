"""Where the inference time goes: per-layer and per-type tables with heat bars.

The models keep raw values under their `SORT_ROLE` so the proxy sorts numbers as
numbers (10.0 after 9.0), while `Qt.DisplayRole` carries the rounded text people
read.  Nothing here talks to OpenVINO: the widget shows the report's
`LayerStats` / `LayerTypeTotal`, whether they come from a live run or a file.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import pyqtgraph as pg
from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QColor, QFontMetrics, QGuiApplication, QKeySequence, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ovgui.core.report import LayerStats, LayerTypeTotal, layers_to_csv

_Role = Qt.ItemDataRole

EMPTY_HINT = "Run a model to see per-layer times"
CHART_TOP_TYPES = 15

ModelIndex = QModelIndex | QPersistentModelIndex
_NUMBER_ALIGNMENT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_TEXT_ALIGNMENT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
MUTED_TEXT = QColor(128, 128, 128)  # mid grey: recedes on light and on dark backgrounds alike
_CELL_PADDING_PX = 14
_SORT_INDICATOR_PX = 22
AXIS_TICK_ROOM_PX = 16
_HEAT_STOPS = (QColor(59, 111, 212), QColor(176, 72, 170), QColor(232, 80, 48))  # blue, magenta, red: no green


def ms_text(value: float) -> str:
    return f"{value:.3f}"


def percent_text(value: float) -> str:
    return f"{value * 100:.1f}%"


def status_text(status: str) -> str:
    return status.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Column:
    """How one column reads its value from a row, shows it, and how wide it needs to be."""

    title: str
    tooltip: str
    field: str
    text: Callable[[Any], str] = str
    numeric: bool = False
    sample: str = ""  # as wide as the column should be; for the stretching column, its floor

    def value(self, row: Any) -> Any:
        return getattr(row, self.field)

    @property
    def header(self) -> str:
        """The title with its unit on a second line, so number columns stay narrow."""
        return self.title.replace(" (", "\n(")


_SHARE_COLUMN = Column(
    "Share",
    "Mean real time as a fraction of the sum over all layers.\n"
    "The bar is scaled to the largest share in this table.",
    "share",
    percent_text,
    numeric=True,
    sample="0" * 14,  # the percentage plus room for a bar worth reading
)


class ShareRowsModel(QAbstractTableModel):
    """Read-only rows of report records that carry a `share`.

    Subclasses declare `COLUMNS` and the row tooltip; the role handling is here
    once so both tables sort, align and paint their bars the same way.
    """

    COLUMNS: tuple[Column, ...] = ()
    SORT_ROLE = _Role.UserRole
    """The raw value (float, int or str), so that sorting is numeric."""
    BAR_FRACTION_ROLE = _Role.UserRole + 1
    """The row's share relative to the largest share in the model: the heat bar's length (0..1)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._rows: list[Any] = []
        self._largest_share = 0.0

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: ModelIndex, role: int = _Role.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == _Role.DisplayRole:
            return column.text(column.value(row))
        if role == self.SORT_ROLE:
            return column.value(row)
        if role == _Role.TextAlignmentRole:
            return _NUMBER_ALIGNMENT if column.numeric else _TEXT_ALIGNMENT
        if role == _Role.ToolTipRole:
            return self._tooltip(row)
        if role == _Role.ForegroundRole:
            return self._foreground(row)
        if role == self.BAR_FRACTION_ROLE:
            return row.share / self._largest_share if self._largest_share > 0 else 0.0
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _Role.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.COLUMNS):
            return None
        if role == _Role.DisplayRole:
            return self.COLUMNS[section].header
        if role == _Role.ToolTipRole:
            return self.COLUMNS[section].tooltip
        return None

    @classmethod
    def column_index(cls, field: str) -> int:
        """The column showing a record field, e.g. ``"real_time_ms"``: stable when columns move."""
        return next(i for i, column in enumerate(cls.COLUMNS) if column.field == field)

    def _set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._largest_share = max((row.share for row in self._rows), default=0.0)
        self.endResetModel()

    def _tooltip(self, row: Any) -> str:
        raise NotImplementedError

    def _foreground(self, row: Any) -> QColor | None:
        return None


class LayerTableModel(ShareRowsModel):
    """One row per runtime layer, in execution order until a view sorts it."""

    COLUMNS = (
        Column("#", "Execution order of the layer in the compiled graph.",
               "index", numeric=True, sample="0000"),
        Column("Layer", "Name of the layer in the compiled (runtime) graph.",
               "name", sample="conv4_3_0_norm_mbox_loc"),
        Column("Type", "Operation type of the runtime layer, e.g. Convolution, Reorder, Subgraph.",
               "type", sample="GroupConvolution"),
        Column("Exec type",
               "Kernel the device plugin chose; it ends with the runtime precision,\n"
               "e.g. jit_avx512_FP32, or brgconv_avx512_bf16 when an FP32 model runs in bf16.",
               "exec_type", sample="brgconv_avx512_1x1_bf16"),
        Column("Status",
               "Executed, Not run (fused into a neighbour or skipped) or Optimized out.",
               "status", status_text, sample="Optimized out"),
        Column("Real mean (ms)",
               "Wall-clock time of the layer from PERF_COUNT, averaged over all profiled iterations.",
               "real_time_ms", ms_text, numeric=True, sample="0000.000"),
        Column("Real median (ms)",
               "Median wall-clock time over the profiled iterations; ignores occasional slow runs.",
               "real_time_median_ms", ms_text, numeric=True, sample="0000.000"),
        Column("CPU mean (ms)",
               "CPU time from PERF_COUNT averaged over all profiled iterations;\n"
               "it differs from real time when a layer waits or runs asynchronously.",
               "cpu_time_ms", ms_text, numeric=True, sample="0000.000"),
        _SHARE_COLUMN,
    )
    def set_layers(self, layers: Sequence[LayerStats]) -> None:
        self._set_rows(layers)

    def layers(self) -> list[LayerStats]:
        return list(self._rows)

    def layer_at(self, row: int) -> LayerStats:
        return self._rows[row]

    def _tooltip(self, layer: LayerStats) -> str:
        return (
            f"{layer.name}\n"
            f"{layer.type} · {layer.exec_type} · {status_text(layer.status)}\n"
            f"real {ms_text(layer.real_time_ms)} ms mean, {ms_text(layer.real_time_median_ms)} ms median · "
            f"CPU {ms_text(layer.cpu_time_ms)} ms · {percent_text(layer.share)} of the layer sum"
        )

    def _foreground(self, layer: LayerStats) -> QColor | None:
        return None if layer.executed else MUTED_TEXT


class TypeTotalsModel(ShareRowsModel):
    """Time summed per operation type: which kind of work dominates the model."""

    COLUMNS = (
        Column("Type", "Operation type of the runtime layers.", "type",
               sample="GroupConvolution"),
        Column("Count", "Number of runtime layers of this type, executed or not.",
               "count", numeric=True, sample="0000"),
        Column("Total (ms)", "Sum of the mean real times of the layers of this type.",
               "real_time_ms", ms_text, numeric=True, sample="0000.000"),
        _SHARE_COLUMN,
    )
    def set_totals(self, totals: Sequence[LayerTypeTotal]) -> None:
        self._set_rows(totals)

    def totals(self) -> list[LayerTypeTotal]:
        return list(self._rows)

    def _tooltip(self, total: LayerTypeTotal) -> str:
        return (
            f"{total.type}: {total.count} layers, {ms_text(total.real_time_ms)} ms, "
            f"{percent_text(total.share)} of the layer sum"
        )


class LayerFilterProxy(QSortFilterProxyModel):
    """Sorts on raw values and narrows the layers to what the user is looking for.

    Its source is a `LayerTableModel`: the filter reads whole `LayerStats` rows.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._text = ""
        self._hide_not_executed = False
        self.setSortRole(LayerTableModel.SORT_ROLE)

    def set_text_filter(self, text: str) -> None:
        """Keep layers whose name or type contains `text`, ignoring case."""
        with self._changing_filter():
            self._text = text.strip().casefold()

    def set_hide_not_executed(self, hide: bool) -> None:
        """Fused and optimised-out layers take no time; hiding them leaves the work that ran."""
        with self._changing_filter():
            self._hide_not_executed = hide

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        layer = self.sourceModel().layer_at(source_row)
        if self._hide_not_executed and not layer.executed:
            return False
        return not self._text or self._text in layer.name.casefold() or self._text in layer.type.casefold()

    @contextmanager
    def _changing_filter(self) -> Iterator[None]:
        self.beginFilterChange()
        yield
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)


def heat_color(fraction: float, alpha: float = 0.6) -> QColor:
    """Cool blue for small, hot red for large; translucent so that the palette's base
    shows through and the palette's text stays readable on top, in light and dark themes."""
    position = min(max(fraction, 0.0), 1.0) * (len(_HEAT_STOPS) - 1)
    low = min(int(position), len(_HEAT_STOPS) - 2)
    start, end, t = _HEAT_STOPS[low], _HEAT_STOPS[low + 1], position - low
    color = QColor.fromRgbF(*(a + (b - a) * t for a, b in zip(start.getRgbF()[:3], end.getRgbF()[:3])))
    color.setAlphaF(alpha)
    return color


class ShareBarDelegate(QStyledItemDelegate):
    """Paints a heat bar behind the share so the hot spots stand out while scrolling."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text, opt.text = opt.text, ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        painter.save()
        self._paint_bar(painter, opt, float(index.data(ShareRowsModel.BAR_FRACTION_ROLE) or 0.0))
        self._paint_text(painter, opt, text)
        painter.restore()

    @staticmethod
    def _paint_bar(painter: QPainter, opt: QStyleOptionViewItem, fraction: float) -> None:
        """On a selected row the heat hue would turn muddy over the highlight: use a light veil instead."""
        area = opt.rect.adjusted(2, 3, -2, -3)
        width = round(area.width() * fraction)
        if width <= 0:
            return
        area.setWidth(width)
        if opt.state & QStyle.StateFlag.State_Selected:
            color = opt.palette.color(QPalette.ColorRole.HighlightedText)
            color.setAlphaF(0.3)
        else:
            color = heat_color(fraction)
        painter.fillRect(area, color)

    @staticmethod
    def _paint_text(painter: QPainter, opt: QStyleOptionViewItem, text: str) -> None:
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(opt.palette.color(role))
        painter.setFont(opt.font)
        painter.drawText(opt.rect.adjusted(4, 0, -6, 0), _NUMBER_ALIGNMENT, text)


class TableView(QTableView):
    """Gives one column whatever the others leave, but never less than a readable floor.

    A plain `QHeaderView.Stretch` section shrinks to nothing in a narrow window; here the
    view scrolls sideways instead, and still gives the column any spare width.
    """

    def __init__(self, stretch_column: int | None):
        super().__init__()
        self._stretch_column = stretch_column
        self._floor_px = 0
        self.horizontalHeader().sectionResized.connect(self._refit_after_resize)

    def set_stretch_floor(self, floor_px: int) -> None:
        self._floor_px = floor_px
        self._fit_stretch_column()

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._fit_stretch_column()
        return super().viewportEvent(event)

    def _refit_after_resize(self, section: int, _old_size: int, _new_size: int) -> None:
        if section != self._stretch_column:
            self._fit_stretch_column()

    def _fit_stretch_column(self) -> None:
        if self._stretch_column is None:
            return
        header = self.horizontalHeader()
        others = header.length() - header.sectionSize(self._stretch_column)
        header.resizeSection(self._stretch_column, max(self._floor_px, self.viewport().width() - others))


def make_table(model: QAbstractItemModel, columns: Sequence[Column], stretch_column: int | None,
               sort_column: int | None = None) -> TableView:
    """The look every ovgui table shares: compact rows, no row numbers, middle-elided text,
    sortable, a heat bar in the share column if there is one."""
    view = TableView(stretch_column)
    view.setModel(model)
    view.setSortingEnabled(True)
    if sort_column is not None:
        view.sortByColumn(sort_column, Qt.SortOrder.DescendingOrder)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    if _SHARE_COLUMN in columns:
        view.setItemDelegateForColumn(columns.index(_SHARE_COLUMN), ShareBarDelegate(view))
    rows = view.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(view.fontMetrics().height() + 6)
    _size_columns(view, columns, stretch_column)
    return view


def _size_columns(view: TableView, columns: Sequence[Column], stretch_column: int | None) -> None:
    """Widths from sample text: the columns stay put between runs instead of jumping with the data."""
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    cell, title = view.fontMetrics(), header.fontMetrics()
    for section, column in enumerate(columns):
        title_width = max(title.horizontalAdvance(line) for line in column.header.splitlines())
        width = max(cell.horizontalAdvance(column.sample), title_width + _SORT_INDICATOR_PX) + _CELL_PADDING_PX
        if section == stretch_column:
            view.set_stretch_floor(width)
        else:
            header.resizeSection(section, width)


def _fit_width_to_columns(view: QTableView) -> None:
    """A side table shows every column rather than scrolling sideways."""
    frame = 2 * view.frameWidth()
    view.setMinimumWidth(view.horizontalHeader().length() + frame + view.verticalScrollBar().sizeHint().width())


def _visible_columns(view: QTableView) -> list[int]:
    header = view.horizontalHeader()
    logical = (header.logicalIndex(visual) for visual in range(header.count()))
    return [section for section in logical if not header.isSectionHidden(section)]


def _tab_separated(model: QAbstractItemModel, rows: Sequence[int], columns: Sequence[int]) -> str:
    """Header line plus rows as shown: pastes cleanly into spreadsheets and chat."""
    titles = (str(model.headerData(c, Qt.Orientation.Horizontal)).replace("\n", " ") for c in columns)
    lines = ["\t".join(titles)]
    lines += ["\t".join(str(model.index(r, c).data()) for c in columns) for r in rows]
    return "\n".join(lines) + "\n"


def _plot_type_bars(plot: pg.PlotItem, top: Sequence[LayerTypeTotal], text_color: QColor) -> None:
    """One bar per type, slowest at the top, each labelled with its time and share."""
    largest = top[0].real_time_ms
    plot.addItem(pg.BarGraphItem(
        x0=0, y=list(range(len(top))), height=0.7, width=[total.real_time_ms for total in top],
        brushes=[heat_color(total.real_time_ms / largest, alpha=0.85) for total in top],
        pen=pg.mkPen(None),
    ))
    for row, total in enumerate(top):
        label = pg.TextItem(f" {ms_text(total.real_time_ms)} ms · {percent_text(total.share)}", color=text_color,
                            anchor=(0, 0.5))
        label.setPos(total.real_time_ms, row)
        plot.addItem(label)
    plot.setRange(xRange=(0, largest * 1.25), yRange=(-0.6, len(top) - 0.4), padding=0)


class LayerTableWidget(QWidget):
    """Per-layer times with filtering, copy and CSV export, plus totals per operation type."""

    layer_selected = Signal(object)
    """The `LayerStats` of the new current row, for a detail panel."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = LayerTableModel(self)
        self._proxy = LayerFilterProxy(self)
        self._proxy.setSourceModel(self._model)
        self._type_model = TypeTotalsModel(self)
        self._type_proxy = QSortFilterProxyModel(self)
        self._type_proxy.setSortRole(TypeTotalsModel.SORT_ROLE)
        self._type_proxy.setSourceModel(self._type_model)

        self._table = make_table(self._proxy, LayerTableModel.COLUMNS,
                                  LayerTableModel.column_index("name"), LayerTableModel.column_index("real_time_ms"))
        self._table.setObjectName("layerTable")
        self._type_table = make_table(self._type_proxy, TypeTotalsModel.COLUMNS,
                                       None, TypeTotalsModel.column_index("real_time_ms"))
        _fit_width_to_columns(self._type_table)
        self._type_table.setObjectName("typeTable")
        self._chart = self._make_chart()
        self._copy_action = self._make_copy_action()

        self._stack = QStackedWidget()
        self._stack.addWidget(self._make_empty_hint())
        self._stack.addWidget(self._make_content())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)

        self._connect()
        self._hide_box.setChecked(True)
        self._show_layers_or_hint()

    @property
    def model(self) -> LayerTableModel:
        return self._model

    @property
    def proxy(self) -> LayerFilterProxy:
        """What the table shows: sorted and filtered rows of `model`."""
        return self._proxy

    def set_layers(self, layers: list[LayerStats], type_totals: list[LayerTypeTotal]) -> None:
        self._model.set_layers(layers)
        self._type_model.set_totals(type_totals)
        self._draw_chart()
        self._show_layers_or_hint()

    def clear(self) -> None:
        self.set_layers([], [])

    def copy_selection(self) -> None:
        """Selected rows, as displayed, with a header line; nothing happens without a selection."""
        rows = sorted(index.row() for index in self._table.selectionModel().selectedRows())
        if rows:
            QGuiApplication.clipboard().setText(_tab_separated(self._proxy, rows, _visible_columns(self._table)))

    def export_csv(self, path: str | Path) -> None:
        """Every layer, whatever the filter shows: the file is data, not a screenshot of the view."""
        Path(path).write_text(layers_to_csv(self._model.layers()), encoding="utf-8")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._draw_chart()

    def _make_empty_hint(self) -> QLabel:
        hint = QLabel(EMPTY_HINT)
        hint.setObjectName("emptyHint")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        return hint

    def _make_content(self) -> QWidget:
        tabs = QTabWidget()
        tabs.setDocumentMode(True)
        tabs.addTab(self._table, "Layers")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._type_table)
        splitter.addWidget(self._chart)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        tabs.addTab(splitter, "By type")
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._make_toolbar())
        layout.addWidget(tabs)
        return content

    def _make_toolbar(self) -> QHBoxLayout:
        self._filter_edit = QLineEdit()
        self._filter_edit.setObjectName("layerFilter")
        self._filter_edit.setPlaceholderText("Filter by layer name or type…")
        self._filter_edit.setClearButtonEnabled(True)
        self._hide_box = QCheckBox("Hide not executed")
        self._hide_box.setToolTip("Hide layers that were fused into a neighbour or optimised out: they take no time.")
        self._count_label = QLabel()
        self._count_label.setObjectName("layerCount")
        self._copy_button = QPushButton("Copy")
        self._copy_button.setToolTip("Copy the selected rows as tab-separated text (Ctrl+C).")
        self._export_button = QPushButton("Export CSV…")
        self._export_button.setToolTip("Save every layer, not only the filtered ones, as CSV.")
        toolbar = QHBoxLayout()
        toolbar.setContentsMargins(6, 6, 6, 0)
        toolbar.addWidget(self._filter_edit, 1)
        toolbar.addWidget(self._hide_box)
        toolbar.addWidget(self._count_label)
        toolbar.addStretch(0)
        toolbar.addWidget(self._copy_button)
        toolbar.addWidget(self._export_button)
        return toolbar

    def _make_copy_action(self) -> QAction:
        action = QAction("Copy", self._table)
        action.setShortcut(QKeySequence.StandardKey.Copy)
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self._table.addAction(action)
        self._table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        return action

    def _make_chart(self) -> pg.PlotWidget:
        chart = pg.PlotWidget()
        chart.setObjectName("typeChart")
        plot = chart.getPlotItem()
        plot.setMouseEnabled(x=False, y=False)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.invertY(True)
        plot.setLabel("bottom", "Total real time (ms)")
        return chart

    def _connect(self) -> None:
        self._filter_edit.textChanged.connect(self._proxy.set_text_filter)
        self._hide_box.toggled.connect(self._proxy.set_hide_not_executed)
        for signal in (self._proxy.rowsInserted, self._proxy.rowsRemoved,
                       self._proxy.modelReset, self._proxy.layoutChanged):
            signal.connect(self._update_count)
        selection = self._table.selectionModel()
        selection.currentRowChanged.connect(self._emit_current_layer)
        selection.selectionChanged.connect(self._update_copy_enabled)
        self._copy_action.triggered.connect(self.copy_selection)
        self._copy_button.clicked.connect(self.copy_selection)
        self._export_button.clicked.connect(self._ask_and_export)

    def _show_layers_or_hint(self) -> None:
        self._stack.setCurrentIndex(1 if self._model.rowCount() else 0)
        self._update_count()
        self._update_copy_enabled()

    def _update_count(self, *_signal_args: Any) -> None:
        self._count_label.setText(f"{self._proxy.rowCount()} of {self._model.rowCount()} layers")

    def _update_copy_enabled(self, *_signal_args: Any) -> None:
        has_selection = self._table.selectionModel().hasSelection()
        self._copy_button.setEnabled(has_selection)
        self._copy_action.setEnabled(has_selection)

    def _emit_current_layer(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.layer_selected.emit(self._model.layer_at(self._proxy.mapToSource(current).row()))

    def _ask_and_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export per-layer times", "layers.csv", "CSV files (*.csv)")
        if not path:
            return
        try:
            self.export_csv(path)
        except OSError as error:
            QMessageBox.warning(self, "Export failed", f"Could not write {path}: {error.strerror or error}")

    def _chart_types(self) -> list[LayerTypeTotal]:
        """The slowest types; types that took no time would only be empty bars."""
        timed = [total for total in self._type_model.totals() if total.real_time_ms > 0]
        return sorted(timed, key=lambda total: total.real_time_ms, reverse=True)[:CHART_TOP_TYPES]

    def _draw_chart(self) -> None:
        """Bars for the slowest types, restyled from the palette so light and dark themes both read."""
        palette = self.palette()
        text_color = palette.color(QPalette.ColorRole.Text)
        self._chart.setBackground(palette.color(QPalette.ColorRole.Base))
        plot = self._chart.getPlotItem()
        plot.clear()
        for side in ("left", "bottom"):
            plot.getAxis(side).setPen(text_color)
            plot.getAxis(side).setTextPen(text_color)
        top = self._chart_types()
        self._label_types(plot.getAxis("left"), [total.type for total in top])
        if top:
            _plot_type_bars(plot, top, text_color)

    def _label_types(self, axis: pg.AxisItem, names: list[str]) -> None:
        """Names as ticks, with the axis as wide as the longest: pyqtgraph only widens it on a later paint."""
        axis.setTicks([list(enumerate(names))])
        metrics = QFontMetrics(self._chart.font())
        axis.setWidth(max((metrics.horizontalAdvance(name) for name in names), default=0) + AXIS_TICK_ROOM_PX)

"""The one table toolkit every ovgui table uses: column declarations, a row model, sorting, the look.

Models keep raw values under `RowsModel.SORT_ROLE` so a proxy sorts numbers as
numbers (10.0 after 9.0), while `Qt.DisplayRole` carries the rounded text people
read.  A value a row does not have is `None`: shown as "—" (never as 0) and
sorted last in either direction.  The models sort themselves (`RowsModel.sort`); a
`RowsProxy` on top only filters.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ovgui.core.formatting import MISSING
from ovgui.gui.plain_text import literal

_Role = Qt.ItemDataRole

ModelIndex = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()
"""The invalid index Qt passes for a flat model's parent: one instance, made once."""
NUMBER_ALIGNMENT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_TEXT_ALIGNMENT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
MUTED_TEXT = QColor(128, 128, 128)  # mid grey: recedes on light and on dark backgrounds alike
_ENSURE_VISIBLE = QAbstractItemView.ScrollHint.EnsureVisible
_CELL_PADDING_PX = 14
_SORT_INDICATOR_PX = 22
_HEAT_STOPS = (QColor(59, 111, 212), QColor(176, 72, 170), QColor(232, 80, 48))  # blue, magenta, red: no green


def percent_text(value: float) -> str:
    return f"{value * 100:.1f}%"


def or_missing(text: Callable[[Any], str]) -> Callable[[Any], str]:
    """A value a row does not have reads "—", never "None" and never 0."""
    return lambda value: MISSING if value is None else text(value)


def styled_font(*, bold: bool = False, italic: bool = False) -> QFont:
    font = QFont()
    font.setBold(bold)
    font.setItalic(italic)
    return font


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


@dataclass(frozen=True)
class ComputedColumn(Column):
    """A column whose value is worked out from the whole row: a nested field or a derived figure.

    `field` stays a unique name, so `column_index` still finds the column."""

    compute: Callable[[Any], Any] = dataclasses.field(kw_only=True)

    def value(self, row: Any) -> Any:
        return self.compute(row)


@dataclass(frozen=True)
class ShareColumn(Column):
    """A row's `share` of a total, drawn as a heat bar (`ShareBarDelegate`) behind the percentage."""


SHARE_COLUMN = ShareColumn(
    "Share",
    "Mean real time as a fraction of the sum over all layers.\n"
    "The bar is scaled to the largest share in this table.",
    "share",
    percent_text,
    numeric=True,
    sample="0" * 14,  # the percentage plus room for a bar worth reading
)


class RowsModel(QAbstractTableModel):
    """Read-only rows of records, one column per `Column` in `COLUMNS`.

    The role handling is here once, so every table sorts, aligns, colours and
    explains its cells the same way; subclasses answer the per-cell hooks.
    """

    COLUMNS: tuple[Column, ...] = ()
    SORT_ROLE = _Role.UserRole
    """The raw value (float, int, str or None), so that sorting is numeric."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._rows: list[Any] = []
        self._positions: list[int] = []
        """Where each row (in the shown order) stood in the list the model was given."""
        self._sort_by: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)

    def rowCount(self, parent: ModelIndex = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = NO_PARENT) -> int:
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
            return NUMBER_ALIGNMENT if column.numeric else _TEXT_ALIGNMENT
        if role == _Role.ToolTipRole:
            return literal(self._tooltip(row))
        if role == _Role.ForegroundRole:
            return self._color(index.row(), column)
        if role == _Role.FontRole:
            return self._font(index.row(), column)
        if role == _Role.DecorationRole:
            return self._icon(index.row(), column)
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

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorts the rows themselves, in Python with one key per row: a proxy's `lessThan` would
        call back into Python twice per comparison, a visible stall on an 800-layer table.
        Missing values go last either way, then each row's `_group` keeps groups apart; column -1
        is the order the rows were given in.  Selection and current row follow their rows."""
        self._sort_by = (column, order)
        if not self._rows:
            return
        self.layoutAboutToBeChanged.emit()
        permutation = self._sorted_rows(column, order)
        self._rows = [self._rows[old] for old in permutation]
        self._positions = [self._positions[old] for old in permutation]
        new_row = {old: new for new, old in enumerate(permutation)}
        persistent = self.persistentIndexList()
        self.changePersistentIndexList(persistent, [self.index(new_row[index.row()], index.column())
                                                    for index in persistent])
        self.layoutChanged.emit()

    def _sorted_rows(self, column: int, order: Qt.SortOrder) -> list[int]:
        natural = sorted(range(len(self._rows)), key=self._positions.__getitem__)
        if not 0 <= column < len(self.COLUMNS):
            present, missing = natural, []
        else:
            read = self.COLUMNS[column].value
            values = {row: read(self._rows[row]) for row in natural}
            present = [row for row in natural if values[row] is not None]
            missing = [row for row in natural if values[row] is None]
            present.sort(key=values.__getitem__, reverse=order == Qt.SortOrder.DescendingOrder)
        ordered = present + missing
        ordered.sort(key=lambda row: self._group(self._rows[row]))  # stable: keeps the order within a group
        return ordered

    def _rows_as_given(self) -> list[Any]:
        """The rows in the order they were given, whatever the current sort."""
        return [self._rows[row] for row in sorted(range(len(self._rows)), key=self._positions.__getitem__)]

    def _set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._positions = list(range(len(self._rows)))
        self._rows_changed()
        self.endResetModel()
        self.sort(*self._sort_by)

    def _replace_rows(self, rows: Sequence[Any]) -> None:
        """The same rows, given in the same order, with new values (a live snapshot): the cells
        change and the view keeps its sort, selection and scroll position, which a reset would lose."""
        given = list(rows)
        self._rows = [given[position] for position in self._positions]
        self._rows_changed()
        self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.COLUMNS) - 1))
        self.sort(*self._sort_by)

    def _append_row(self, row: Any) -> None:
        end = len(self._rows)
        self.beginInsertRows(NO_PARENT, end, end)
        self._rows.append(row)
        self._positions.append(end)
        self.endInsertRows()
        self._rows_changed()
        self.dataChanged.emit(self.index(0, 0), self.index(end, len(self.COLUMNS) - 1), [_Role.FontRole])
        self.sort(*self._sort_by)

    def _rows_changed(self) -> None:
        """Recompute what depends on all rows (e.g. which one is best)."""

    def _group(self, row: Any) -> int:
        """Rows of a higher group sort after every row of a lower one, whatever the column."""
        return 0

    def _tooltip(self, row: Any) -> str:
        raise NotImplementedError

    def _font(self, row: int, column: Column) -> QFont | None:
        return None

    def _color(self, row: int, column: Column) -> QColor | None:
        return None

    def _icon(self, row: int, column: Column) -> QIcon | None:
        return None


class ShareRowsModel(RowsModel):
    """Rows that carry a `share` of a total, drawn as a heat bar in their `ShareColumn`.

    A row outside the total (`_in_share` is false, e.g. a layer ovgui's preprocessing added)
    has no share: "—" and no bar, and it does not set the bars' scale."""

    BAR_FRACTION_ROLE = _Role.UserRole + 1
    """The row's share relative to the largest share in the model: the heat bar's length (0..1)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._largest_share = 0.0

    def data(self, index: ModelIndex, role: int = _Role.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == self.BAR_FRACTION_ROLE:
            in_share = self._in_share(row) and self._largest_share > 0
            return row.share / self._largest_share if in_share else 0.0
        if isinstance(self.COLUMNS[index.column()], ShareColumn) and not self._in_share(row):
            if role == _Role.DisplayRole:
                return MISSING
            if role == self.SORT_ROLE:
                return None
        return super().data(index, role)

    def _rows_changed(self) -> None:
        self._largest_share = max((row.share for row in self._rows if self._in_share(row)), default=0.0)

    def _in_share(self, row: Any) -> bool:
        return True


class RowsProxy(QSortFilterProxyModel):
    """Filters a `RowsModel` and leaves the sorting to it (`RowsModel.sort`): the proxy keeps
    the source's order, so sorting costs one Python key per row, not a callback per comparison."""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sourceModel().sort(column, order)


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
        painter.drawText(opt.rect.adjusted(4, 0, -6, 0), NUMBER_ALIGNMENT, text)


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

    def scrollTo(self, index: ModelIndex, hint: QAbstractItemView.ScrollHint = _ENSURE_VISIBLE) -> None:
        """Only up or down: rows are selected whole, so showing one never needs a sideways scroll,
        and Qt's jump back to the current cell's column would hide the columns being read."""
        sideways = self.horizontalScrollBar().value()
        super().scrollTo(index, hint)
        self.horizontalScrollBar().setValue(sideways)

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
               sort_column: int | None = None, elide: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle) -> TableView:
    """The look every ovgui table shares: compact rows, no row numbers, elided text (in the middle
    unless the table's names differ at one end), sortable, a heat bar in each share column."""
    view = TableView(stretch_column)
    view.setModel(model)
    view.setSortingEnabled(True)
    if sort_column is not None:
        view.sortByColumn(sort_column, Qt.SortOrder.DescendingOrder)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setTextElideMode(elide)
    for section, column in enumerate(columns):
        if isinstance(column, ShareColumn):
            view.setItemDelegateForColumn(section, ShareBarDelegate(view))
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


def fit_width_to_columns(view: QTableView) -> None:
    """A side table shows every column rather than scrolling sideways."""
    frame = 2 * view.frameWidth()
    view.setMinimumWidth(view.horizontalHeader().length() + frame + view.verticalScrollBar().sizeHint().width())


def visible_columns(view: QTableView) -> list[int]:
    header = view.horizontalHeader()
    logical = (header.logicalIndex(visual) for visual in range(header.count()))
    return [section for section in logical if not header.isSectionHidden(section)]


def tab_separated(model: QAbstractItemModel, rows: Sequence[int], columns: Sequence[int]) -> str:
    """Header line plus rows as shown: pastes cleanly into spreadsheets and chat."""
    titles = (str(model.headerData(c, Qt.Orientation.Horizontal)).replace("\n", " ") for c in columns)
    lines = ["\t".join(titles)]
    lines += ["\t".join(str(model.index(r, c).data()) for c in columns) for r in rows]
    return "\n".join(lines) + "\n"


def hint_label(text: str) -> QLabel:
    """The placeholder an empty view shows instead of an empty grid or plot: what to do to fill it."""
    hint = QLabel(text, textFormat=Qt.TextFormat.PlainText)
    hint.setObjectName("emptyHint")
    hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
    hint.setWordWrap(True)
    hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return hint


def hint_or_content(owner: QWidget, hint: str, content: QWidget) -> QStackedWidget:
    """`owner`'s whole area: the hint (page 0) until there is something to show, then `content` (page 1)."""
    stack = QStackedWidget()
    stack.addWidget(hint_label(hint))
    stack.addWidget(content)
    layout = QVBoxLayout(owner)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(stack)
    return stack

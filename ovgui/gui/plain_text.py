"""Names from models, reports, label and decoder files shown as the text they are.

Qt decides by looking whether a tooltip, a message box or a QLabel left at `AutoText` holds
rich text (`Qt.mightBeRichText`): an output named ``<i>out</i>`` would be shown in italics, and a
name with an unclosed tag could hide the rest of the line.  Labels that show such names are
made `PlainText`; where a label needs rich text for its own formatting the names in it go
through `escaped`; tooltips and message boxes, which have no format switch, go through
`literal`.
"""

from __future__ import annotations

import html

from PySide6.QtGui import Qt


def literal(text: str) -> str:
    """`text` as Qt will show it, tags and all: unchanged when Qt would take it as plain text
    anyway (so ordinary tooltips keep their look), else as rich text that spells it out."""
    if not text or not Qt.mightBeRichText(text):
        return text
    return Qt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpacePre)


def escaped(text: str) -> str:
    """`text` inside rich text of ovgui's own (a bold name, a coloured error)."""
    return html.escape(text, quote=False)

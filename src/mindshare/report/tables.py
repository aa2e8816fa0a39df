"""Tables as HTML and Markdown: every cell through one formatter, the table itself through a library (pandas'
`to_html` and `to_markdown`, which is tabulate), so no row is assembled by hand.

A `source_ref` column becomes a link to the source list (on its own page, sources.html); in HTML, a column whose
cells are all numbers is right-aligned (the table carries its numeric columns as classes `r1`, `r2`, …).
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd
from markupsafe import Markup, escape

from mindshare.report.model import Table

SOURCES_PAGE = "sources.html"
MAX_ALIGNED_COLUMNS = 40   # the page's CSS right-aligns numeric columns up to this position


def cell_text(value: Any) -> str:
    """The one way a cell is written: dates as YYYY-MM-DD, thousands separated from 10,000 up, no 'nan'."""
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        if math.isinf(value):
            return str(value)
        if abs(value) >= 1e4:
            return f"{value:,.0f}" if value == int(value) else f"{value:,.4g}"
        return f"{value:g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}" if abs(value) >= 1e4 else str(value)
    return str(value)


def header_text(column: str) -> str:
    return "ref" if column == "source_ref" else str(column).replace("_", " ")


def source_link(ref: str, page: str = SOURCES_PAGE) -> Markup:
    return Markup('<a href="{page}#{ref}">{ref}</a>').format(page=page, ref=ref)


def html_table(table: Table, *, limit: int | None = None, links_to: str = SOURCES_PAGE) -> Markup:
    """`table` as escaped HTML; `source_ref` cells link to their entry on the sources page."""
    frame = table.frame if limit is None else table.frame.head(limit)
    cells = pd.DataFrame({position: [_html_cell(column, value, links_to) for value in frame.iloc[:, position]]
                          for position, column in enumerate(frame.columns)}, index=frame.index)
    cells.columns = [str(escape(header_text(c))) for c in frame.columns]
    numeric = [f"r{position + 1}" for position in range(min(len(frame.columns), MAX_ALIGNED_COLUMNS))
               if len(frame) and frame.iloc[:, position].map(_is_number).all()]
    with pd.option_context("display.max_colwidth", None):
        html = cells.to_html(escape=False, index=False, border=0, justify="left", classes=numeric or None)
    return Markup(html)


def _html_cell(column: str, value: Any, links_to: str) -> Markup:
    if isinstance(value, Markup):   # already HTML (the source list's anchors)
        return value
    text = cell_text(value)
    return source_link(text, links_to) if column == "source_ref" and text else escape(text)


# Where CommonMark could read something other than text: a backslash before punctuation (an escape), "<" before a
# letter, "/", "!" or "?" (raw HTML, an autolink), "&" before "name;" or "#123;" (an entity), "|" (a table cell's
# end). Each gets a backslash, which a Markdown reader drops and a person reading the file skips easily; entities
# ("&lt;") would be read as they are in the file, in a terminal or a diff.
_MD_SPECIAL = re.compile(r"\\(?=[!-/:-@\[-`{-~])|<(?=[A-Za-z/!?])|&(?=#?[A-Za-z0-9]+;)|\|")


def md_escape(text: Any) -> str:
    """Text safe inside Markdown, and readable as it is: no raw HTML, no entity, no table break, one line."""
    one_line = re.sub(r"[\r\n\u2028\u2029]+", " ", str(text))
    return _MD_SPECIAL.sub(lambda found: "\\" + found.group(0), one_line)


def markdown_table(table: Table, limit: int = 40) -> str:
    frame = table.frame.head(limit)
    cells = pd.DataFrame({position: [md_escape(cell_text(v)) for v in frame.iloc[:, position]]
                          for position in range(len(frame.columns))})
    cells.columns = [md_escape(header_text(c)) for c in frame.columns]
    text = cells.to_markdown(index=False, tablefmt="pipe", disable_numparse=True) if len(frame.columns) else ""
    if len(table.frame) > limit:
        text += f"\n\n*{len(table.frame) - limit} more rows in results.json (table `{table.name}`).*"
    return text


# A text cell starting with one of these is run as a formula by spreadsheets (CSV injection; OWASP's advice is to
# start such a cell with an apostrophe, which the spreadsheet shows as text). Numbers are left alone.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defused(value: Any) -> Any:
    """`value` as a CSV cell a spreadsheet shows as text: text a spreadsheet would run as a formula gets an
    apostrophe in front; anything else is returned as it is."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every text cell that a spreadsheet would run as a formula prefixed by an apostrophe (what every
    CSV mindshare writes goes through: `--format csv`, the site's data/)."""
    safe = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[column]) or pd.api.types.is_datetime64_any_dtype(frame[column]):
            continue
        safe[column] = [defused(v) for v in frame[column]]
    return safe


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)

"""What a report is made of, independent of how it is rendered (HTML, Markdown, JSON, PNG)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd


@dataclass
class Table:
    name: str
    caption: str
    frame: pd.DataFrame
    collapsed: bool = False   # long tables start folded in the HTML


@dataclass
class Finding:
    """One sentence of the report, with the figures it was generated from."""

    text: str
    figures: list[dict[str, Any]] = field(default_factory=list)
    detail: bool = False   # a supporting sentence: folded under the section's main findings in the HTML


@dataclass
class Chart:
    name: str
    title: str
    spec: dict[str, Any]      # Vega-Lite, data inlined
    table: str                # the Table holding its numbers


@dataclass
class Section:
    id: str
    title: str
    intro: str = ""
    findings: list[Finding] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # caveats: gaps, partial periods, method changes
    # the section as results.json holds it, when its producer gives that shape itself (the headline:
    # analysis.answer.Answer.as_section()); the renderers then read it rather than the fields above
    document: dict[str, Any] | None = None


@dataclass
class SourceEntry:
    ref: str
    source: str
    reference: str
    method: str
    collected_at: str
    snapshot_id: str
    figures: int = 0


class Provenance:
    """Numbers every (source, reference, method) a figure comes from, so each row can link to it."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str, str], SourceEntry] = {}

    def ref(self, row: pd.Series | dict) -> str:
        entry = self._entry(_key(row), row)
        entry.figures += 1
        return entry.ref

    def refs(self, frame: pd.DataFrame) -> pd.Series:
        """The ref of every row of `frame`; each distinct source is looked at once (reports have thousands of
        rows and few sources)."""
        if frame.empty:
            return pd.Series(dtype="object", index=frame.index)
        parts = []
        for column in ("source", "reference", "method"):
            values = frame[column] if column in frame.columns else pd.Series("", index=frame.index)
            parts.append(values.astype("object").where(values.notna(), "").astype(str))
        joined = parts[0] + _SEPARATOR + parts[1] + _SEPARATOR + parts[2]
        refs = {}
        for position, value in joined.drop_duplicates().items():
            refs[value] = self._entry(tuple(value.split(_SEPARATOR)), frame.loc[position]).ref
        for value, count in joined.value_counts().items():
            self._entries[tuple(value.split(_SEPARATOR))].figures += int(count)
        return joined.map(refs)

    def _entry(self, key: tuple[str, str, str], row) -> SourceEntry:
        entry = self._entries.get(key)
        if entry is None:
            entry = SourceEntry(
                ref=f"S{len(self._entries) + 1}", source=key[0], reference=key[1], method=key[2],
                collected_at=_date_text(row.get("collected_at")), snapshot_id=_text(row.get("snapshot_id")))
            self._entries[key] = entry
        return entry

    @property
    def entries(self) -> list[SourceEntry]:
        return list(self._entries.values())


@dataclass
class Report:
    field_name: str
    field_title: str
    generated_at: str         # the day it was made (YYYY-MM-DD): no time of day, so a rebuild is byte-identical
    as_of: str | None
    store_name: str           # the store's file name: a report is shared, the user's folders are not
    sections: list[Section]
    sources: list[SourceEntry]
    snapshots: pd.DataFrame
    identity: str = ""        # report.build's digest of everything it depends on: the same identity, the same files


_SEPARATOR = "\x1f"


def _text(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def _key(row) -> tuple[str, str, str]:
    return (_text(row.get("source")), _text(row.get("reference")), _text(row.get("method")))


def _date_text(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    try:
        return pd.Timestamp(value).isoformat()
    except (ValueError, TypeError):
        return str(value)


def jsonable(value: Any) -> Any:
    """`value` as plain JSON values: dates as YYYY-MM-DD (with the time only when it has one), NaN as null."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        midnight = (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0)
        return value.date().isoformat() if midnight else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if value is pd.NaT or value is pd.NA:
        return None
    return value

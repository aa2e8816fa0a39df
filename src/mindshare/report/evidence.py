"""What every section reads: the observations known on the report's date, the field they are about, the registry
that numbers their sources, and the few rules every section applies the same way (a partial period, a collected
reading, the rows that belong to the field). A section never opens the store; `report.build` reads it once and
hands each section its Evidence. What a partial period is, and the ids that name sources and methods, come from
`mindshare.observations`, like everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from mindshare.fields import Field
from mindshare.observations import Sources
from mindshare.report.article import Article
from mindshare.report.model import Provenance


@dataclass(frozen=True, eq=False)
class Evidence:
    observations: pd.DataFrame          # newest value of every measurement known on the report's date
    field: Field
    provenance: Provenance              # S-numbers, in the order sections first cite a source
    report_date: date                   # today, or --as-of: the day the report speaks for
    collected_snapshots: frozenset[str] = frozenset()   # snapshots made by `mindshare collect`
    article: Article | None = None      # the published article this field reproduces, if its TOML names one

    def name(self, contender_id: str) -> str:
        found = self.field.find(contender_id)
        return found.name if found else contender_id

    @property
    def palette(self) -> dict[str, str]:
        return {c.name: c.color for c in self.field.contenders if c.color}

    def of(self, signal: str, *, metric: str | list[str] | None = None, numbers: bool = True,
           contenders_only: bool = True) -> pd.DataFrame:
        """The rows of one signal (and metric): numbers only, and only the field's contenders, unless told."""
        frame = self.observations[self.observations["signal"] == signal]
        if metric is not None:
            frame = frame[frame["metric"].isin([metric] if isinstance(metric, str) else metric)]
        if numbers:
            frame = frame[frame["kind"] == "number"]
        if contenders_only:
            frame = frame[frame["contender"].isin(self.field.ids)]
        return frame.copy()

    def with_names(self, frame: pd.DataFrame) -> pd.DataFrame:
        """`frame` with a `framework` column: each contender's display name."""
        return frame.assign(framework=frame["contender"].map(self.name))

    def refs(self, frame: pd.DataFrame) -> pd.Series:
        return self.provenance.refs(frame)

    def is_collected(self, frame: pd.DataFrame) -> pd.Series:
        """Rows that came from a `mindshare collect` run (not from the bundle or an import)."""
        return frame["snapshot_id"].isin(self.collected_snapshots)

    def intro(self, section_id: str, generic: str) -> str:
        """A section's opening words: the article's, for a field that reproduces one, else the section's own."""
        return self.article.intros.get(section_id, generic) if self.article else generic

    def about_field(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Published figures about the field: rows of its contenders, and rows that name no contender (a
        comparison of two contenders in words) only in a field that reproduces the article they were
        quoted with (the bundled facts were compiled for it)."""
        keep = frame["contender"].isin(self.field.ids)
        if self.article is not None:
            keep |= frame["contender"].isna()
        return frame[keep]

    def fact_table(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Published figures as a table: the number, or the source's words where it gave none."""
        frame = frame.assign(source_ref=self.refs(frame))
        return pd.DataFrame({
            "period": frame["period_label"], "subject": frame["subject"],
            "figure": frame["value"].where(frame["value"].notna(), None).astype(object)
            .where(frame["value"].notna(), frame["value_text"]),
            "unit": frame["unit"], "segment": frame["segment"], "source": frame["source"],
            "source_ref": frame["source_ref"]})

    def figure(self, name: str, value: Any, unit: str, row: pd.Series | dict | None = None, **extra: Any) -> dict:
        """One figure a finding states, with the source of `row` when given."""
        item = {"name": name, "value": plain(value), "unit": unit}
        if row is not None:
            item["source_ref"] = self.provenance.ref(row)
        item.update({k: plain(v) for k, v in extra.items()})
        return item


def prefer_live_hn(frame: pd.DataFrame) -> pd.DataFrame:
    """One HN 'Who is hiring?' value per month and subject: a live collection wins over the bundled copy."""
    if frame.empty or "source" not in frame:
        return frame
    ranked = frame.assign(_live=(frame["source"] == Sources.HN_ALGOLIA).astype(int),
                          _who=frame["contender"].fillna(frame["subject"]))
    ranked = ranked.sort_values("_live", ascending=False, kind="stable")
    return ranked.drop_duplicates(["metric", "_who", "period_start"]).drop(columns=["_live", "_who"])


def plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (figures travel into JSON)."""
    return value.item() if hasattr(value, "item") else value

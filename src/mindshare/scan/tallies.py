"""Tallies of scanned documents, for every rule set alike, and the observation rows they are stored as.

A document counts as the rule set says (`RuleSet.counted`: the one contender it is counted for, or several);
this module only adds documents up:

* papers_scanned, papers_failed (text could not be extracted; left out of every share, except under Horace He's
  rules, whose total is every paper of the venue: `RuleSet.total_includes_failed`, H6);
* papers_mentioning:<id> (>= 1 direct mention), papers_only:<id>, papers_several;
* pct_mentioning:<id>, pct_only:<id> (of the total) and pytorch_share = PyTorch-only / (PyTorch-only +
  TensorFlow-only), Horace He's measure.

With `--venue` and `--year` the figures are stored as observations (signal 'research', source `Sources.SCAN`,
segment = venue, period = the year, method = the rules version), which report/scanned.py reads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime
from typing import TYPE_CHECKING, Iterable

from mindshare.scan.rules import RuleSet

if TYPE_CHECKING:
    import pandas as pd

    from mindshare.fields import Field

# mindshare.observations (and with it pandas) is imported only where observation rows are built: a scan without
# --venue never needs it. Its source is observations.Sources.SCAN (report/scanned.py selects the scan's rows by
# it) and its snapshots are of kind observations.SnapshotKind.SCAN.
SIGNAL = "research"


@dataclass
class Tally:
    """Running counts of one set of documents (one venue-year, or one run)."""

    ids: list[str]
    total_includes_failed: bool = False
    scanned: int = 0
    failed: int = 0
    several: int = 0
    mentioning: dict[str, int] = dc_field(default_factory=dict)
    only: dict[str, int] = dc_field(default_factory=dict)

    @classmethod
    def for_rules(cls, rules: RuleSet) -> "Tally":
        return cls(list(rules.ids), rules.total_includes_failed)

    def add(self, mentions: dict[str, int], only: str | None, several: bool, failed: bool) -> None:
        if failed:
            self.failed += 1
            return
        self.scanned += 1
        for cid, n in mentions.items():
            if n and cid in self.ids:
                self.mentioning[cid] = self.mentioning.get(cid, 0) + 1
        if only is not None:
            self.only[only] = self.only.get(only, 0) + 1
        self.several += several

    def merge(self, other: "Tally") -> None:
        """Add another tally's documents (a batch's, added up in its worker)."""
        self.scanned += other.scanned
        self.failed += other.failed
        self.several += other.several
        for mine, theirs in ((self.mentioning, other.mentioning), (self.only, other.only)):
            for cid, n in theirs.items():
                mine[cid] = mine.get(cid, 0) + n

    def add_document(self, rules: RuleSet, doc: dict) -> None:
        """A document as --json prints it (or the store keeps it): mentions, error and the rules' detail."""
        only, several = rules.counted(doc.get("mentions") or {}, doc) if not doc.get("error") else (None, False)
        self.add(doc.get("mentions") or {}, only, several, bool(doc.get("error")))

    @property
    def documents(self) -> int:
        return self.scanned + self.failed

    def figures(self) -> dict[str, float]:
        total = self.documents if self.total_includes_failed else self.scanned
        out: dict[str, float] = {"papers_scanned": total, "papers_failed": self.failed}
        for cid in self.ids:
            out[f"papers_mentioning:{cid}"] = self.mentioning.get(cid, 0)
            out[f"papers_only:{cid}"] = self.only.get(cid, 0)
        out["papers_several"] = self.several
        for cid in self.ids:
            out[f"pct_mentioning:{cid}"] = 100.0 * out[f"papers_mentioning:{cid}"] / total if total else math.nan
            out[f"pct_only:{cid}"] = 100.0 * out[f"papers_only:{cid}"] / total if total else math.nan
        if "pytorch" in self.ids and "tensorflow" in self.ids:
            pt, tf = out["papers_only:pytorch"], out["papers_only:tensorflow"]
            out["pytorch_share"] = pt / (pt + tf) if pt + tf else math.nan
        return out


def aggregate(docs: Iterable[dict], rules: RuleSet) -> dict[str, float]:
    """The figures of documents given as --json prints them (see `Tally.figures` for the keys)."""
    tally = Tally.for_rules(rules)
    for doc in docs:
        tally.add_document(rules, doc)
    return tally.figures()


def observation_rows(tally: Tally, field: "Field", method: str, venue: str, year: int,
                     collected_at: datetime) -> "pd.DataFrame":
    """The tallies of one venue-year as observation rows (signal 'research', segment = venue)."""
    import pandas as pd

    from mindshare.observations import Sources, observation, year_period

    figures = tally.figures()
    names = {c.id: c.name for c in field.contenders}
    start, end, label = year_period(year)
    rows = []

    def add(metric, value, unit, contender=None, subject=None, note=None):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return
        rows.append(observation(
            signal=SIGNAL, metric=metric, source=Sources.SCAN, contender=contender,
            subject=subject or names.get(contender, "all papers"), period_start=start, period_end=end,
            period_label=label, value=value, unit=unit, segment=venue, method=method,
            reference=f"{tally.documents} documents scanned", note=note, collected_at=collected_at))

    add("papers_total", figures["papers_scanned"], "papers", subject="all papers")
    if figures["papers_failed"]:
        add("papers_failed", figures["papers_failed"], "papers", subject="all papers",
            note="documents whose text could not be extracted; left out of every share")
    add("papers_several", figures["papers_several"], "papers", subject="two or more contenders")
    for cid in field.ids:
        add("papers_mentioning", figures[f"papers_mentioning:{cid}"], "papers", cid)
        add("papers_only", figures[f"papers_only:{cid}"], "papers", cid)
        add("pct_papers_mentioning", figures[f"pct_mentioning:{cid}"], "%", cid)
        add("pct_papers_only", figures[f"pct_only:{cid}"], "%", cid)
    if "pytorch_share" in figures:
        add("pytorch_share_of_pt_tf", figures["pytorch_share"], "ratio", "pytorch",
            note="PyTorch-only papers / (PyTorch-only + TensorFlow-only papers)")
    return pd.DataFrame(rows)

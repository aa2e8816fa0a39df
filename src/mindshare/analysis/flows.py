"""Cumulative metrics (all-time GitHub stars, all Stack Overflow questions): the level and the flow.

Why both: a running total is history. TensorFlow's all-time stars were mostly given years ago; whether developers
are starring it *now* is the flow, the new stars per period, the difference of two levels. "Who is ahead now" is read
from the flow; "who has the most" from the level, and the two can disagree (they do on the bundled GitHub data).

The flow is taken only for contenders read at both ends of the window (a repository that drops out of a top-100 list
in between would otherwise show a negative or missing flow), and over exactly the same dates for everyone.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

FLOW_MONTHS = 12


def monthly_levels(frame: pd.DataFrame, *, at: str = "period_start") -> pd.DataFrame:
    """One level per contender and month: its last reading in the month (levels are not added up)."""
    data = frame.dropna(subset=["value"]).copy()
    data["month"] = pd.to_datetime(data[at]).dt.to_period("M").dt.to_timestamp()
    data = data.sort_values([at, "contender"])
    return data.groupby(["contender", "month"], as_index=False).last()


@dataclass(frozen=True)
class LevelAndFlow:
    start: pd.Timestamp             # month the flow is counted from
    end: pd.Timestamp               # month of the latest level
    months: int
    levels: pd.Series               # contender -> level at `end` (everyone read then)
    flows: pd.Series                # contender -> level(end) - level(start), for those read at both ends

    @property
    def level_leader(self) -> str | None:
        return _top(self.levels)

    @property
    def flow_leader(self) -> str | None:
        return _top(self.flows)


def _top(values: pd.Series) -> str | None:
    values = values.dropna()
    if values.empty:
        return None
    frame = values.rename("v").rename_axis("c").reset_index().sort_values(["v", "c"], ascending=[False, True])
    return str(frame["c"].iloc[0])


def level_and_flow(frame: pd.DataFrame, *, months: int = FLOW_MONTHS, at: str = "period_start") -> LevelAndFlow | None:
    """Level at the latest month read for two or more contenders, and the flow over the `months` before it.

    The flow's start is the latest month at least `months` before the end that has readings; `months` in the result
    is the actual span. None when there is no such earlier month or fewer than two contenders at the end.
    """
    levels = monthly_levels(frame, at=at)
    per_month = levels.groupby("month")["contender"].nunique()
    ends = per_month[per_month >= 2].index
    if len(ends) == 0:
        return None
    end = ends.max()
    earlier = ends[ends <= end - pd.DateOffset(months=months)]
    if len(earlier) == 0:
        return None
    start = earlier.max()
    at_end = levels[levels["month"] == end].set_index("contender")["value"]
    at_start = levels[levels["month"] == start].set_index("contender")["value"]
    both = at_end.index.intersection(at_start.index)
    flows = (at_end[both] - at_start[both]).sort_index()
    span = (end.year - start.year) * 12 + end.month - start.month
    return LevelAndFlow(pd.Timestamp(start), pd.Timestamp(end), span, at_end.sort_index(), flows)

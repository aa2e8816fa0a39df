"""When one series first passes another, never across a change in how the source counts."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Crossing:
    passer: str
    passed: str
    date: pd.Timestamp
    method: str
    passer_value: float
    passed_value: float
    previous_date: pd.Timestamp


def first_crossing(frame: pd.DataFrame, passer: str, passed: str, *, who: str = "contender",
                   at: str = "period_start", value: str = "value", method: str = "method") -> Crossing | None:
    """The first `at` where `passer` is above `passed` after having been at or below it.

    Both values must come from the same method, and so must the point before: a jump caused by a new
    counting method (PyPI's 2024-11 switch to all installers, say) is not a crossing.
    """
    wide = frame.pivot_table(index=[at, method], columns=who, values=value, aggfunc="sum")
    if passer not in wide or passed not in wide:
        return None
    wide = wide[[passer, passed]].dropna().reset_index().sort_values(at)
    previous = None
    for row in wide.itertuples(index=False):
        current = row._asdict()
        if previous is not None and previous[method] == current[method]:
            was_behind = previous[passer] <= previous[passed]
            now_ahead = current[passer] > current[passed]
            if was_behind and now_ahead:
                return Crossing(passer, passed, pd.Timestamp(current[at]), current[method],
                                float(current[passer]), float(current[passed]), pd.Timestamp(previous[at]))
        previous = current
    return None

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


def all_crossings(frame: pd.DataFrame, first: str, second: str, *, who: str = "contender",
                  at: str = "period_start", value: str = "value", method: str = "method",
                  last_only: bool = False) -> list[Crossing]:
    """Every change of order between two series, in date order, read only between readings of one method.

    `last_only` keeps the latest pass in each direction (series that cross daily make thousands of crossings).
    """
    import numpy as np

    wide = frame.pivot_table(index=[at, method], columns=who, values=value, aggfunc="sum")
    if first not in wide or second not in wide:
        return []
    wide = wide[[first, second]].dropna().reset_index().sort_values(at)
    a, b = wide[first].to_numpy(float), wide[second].to_numpy(float)
    methods = wide[method].to_numpy()
    dates = pd.DatetimeIndex(wide[at])
    same = np.zeros(len(wide), dtype=bool)
    same[1:] = methods[1:] == methods[:-1]
    found = []
    for up, down, up_name, down_name in ((a, b, first, second), (b, a, second, first)):
        passed = np.zeros(len(wide), dtype=bool)
        passed[1:] = (up[:-1] <= down[:-1]) & (up[1:] > down[1:])
        where = np.nonzero(passed & same)[0]
        for i in (where[-1:] if last_only else where):
            found.append(Crossing(up_name, down_name, dates[i], methods[i], float(up[i]), float(down[i]),
                                  dates[i - 1]))
    return sorted(found, key=lambda c: c.date)

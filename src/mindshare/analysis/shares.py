"""Shares among contenders and leader/follower ratios."""

from __future__ import annotations

import pandas as pd


def share_among(frame: pd.DataFrame, *, by: list[str], who: str = "contender", value: str = "value",
                name: str = "share_pct") -> pd.DataFrame:
    """Each row's share (in %) of the total of its group `by`; groups whose total is 0 get no share (NaN)."""
    totals = frame.groupby(by, dropna=False)[value].transform("sum")
    out = frame.copy()
    out[name] = (frame[value] / totals.where(totals != 0)) * 100.0
    return out


def leader_follower_ratio(frame: pd.DataFrame, leader: str, follower: str, *, at: str = "period_start",
                          who: str = "contender", value: str = "value") -> pd.Series:
    """leader / follower at each `at`, NaN where the follower is 0 or missing."""
    wide = frame.pivot_table(index=at, columns=who, values=value, aggfunc="sum")
    if leader not in wide or follower not in wide:
        return pd.Series(dtype="float64", name="ratio")
    ratio = wide[leader] / wide[follower].where(wide[follower] != 0)
    return ratio.rename("ratio")

"""Shares among contenders and leader/follower ratios."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class RatioChange:
    leader: str
    follower: str
    start: pd.Timestamp
    end: pd.Timestamp
    ratio_start: float
    ratio_end: float

    @property
    def months(self) -> float:
        return (self.end - self.start).days / 30.4375

    def sentence(self, leader_name: str, what: str) -> str:
        return (f"{leader_name}'s lead in {what} went from {self.ratio_start:.1f}x to {self.ratio_end:.1f}x "
                f"in {self.months:.0f} months ({self.start:%Y-%m} to {self.end:%Y-%m}).")


def ratio_change(frame: pd.DataFrame, leader: str, follower: str, start, end, *, at: str = "period_start",
                 who: str = "contender", value: str = "value") -> RatioChange | None:
    """The leader/follower ratio at the observations nearest `start` and `end` (same source assumed)."""
    ratios = leader_follower_ratio(frame, leader, follower, at=at, who=who, value=value).dropna()
    if ratios.empty:
        return None
    index = pd.DatetimeIndex(ratios.index)
    first = index[abs(index - pd.Timestamp(start)).argmin()]
    last = index[abs(index - pd.Timestamp(end)).argmin()]
    if first == last:
        return None
    return RatioChange(leader, follower, first, last, float(ratios.loc[first]), float(ratios.loc[last]))

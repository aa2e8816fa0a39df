"""Like for like: compare only the members (venues, contenders) present in every period compared.

Why: a total over a set that changes from one period to the next measures the set as much as the thing. Research
counts pooled over six venues in one year and over ICLR alone two years later differ because the venues differ;
shares of GitHub stars among "the repositories in a top-100 list" rise and fall as frameworks enter and leave the
list (about 30% of the bundled share slope came from that). So:

- `venue_panel` gives the segments (venues) present in every one of the periods compared; `compare_on_panel` sums
  each contender over that panel only and says how many venues it holds; `panel_run` finds the longest run of
  periods ending at a given one whose common panel is not empty.
- `fixed_members` gives the contenders read at every date of a window, for shares among a fixed set.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


def fixed_members(frame: pd.DataFrame, *, who: str = "contender", at: str = "month") -> list[str]:
    """The members with a (non-missing) reading at every date of `frame`, sorted."""
    data = frame.dropna(subset=["value"])
    dates = data[at].nunique()
    counts = data.groupby(who)[at].nunique()
    return sorted(counts[counts == dates].index)


def venue_panel(frame: pd.DataFrame, periods, *, segment: str = "segment", at: str = "period") -> list[str]:
    """The segments with readings in every one of `periods` (sorted); empty when none is in all of them."""
    periods = list(periods)
    data = frame[frame[at].isin(periods)].dropna(subset=["value"])
    seen = data.groupby(segment)[at].nunique()
    return sorted(seen[seen == len(set(periods))].index)


@dataclass(frozen=True)
class PanelComparison:
    panel: tuple[str, ...]          # the venues both periods have
    periods: tuple                  # the periods compared, in order
    totals: pd.DataFrame            # period x contender: sums over the panel

    @property
    def venues(self) -> int:
        return len(self.panel)


def compare_on_panel(frame: pd.DataFrame, periods, *, segment: str = "segment", at: str = "period",
                     who: str = "contender") -> PanelComparison | None:
    """Each contender's total over the venues present in all `periods`; None when they share no venue.

    `frame`: segment, period, contender, value (one method). An ICLR-only year compared with a six-venue year is
    compared on ICLR alone, and says so (`venues` is 1).
    """
    periods = tuple(periods)
    panel = venue_panel(frame, periods, segment=segment, at=at)
    if not panel:
        return None
    inside = frame[frame[at].isin(periods) & frame[segment].isin(panel)]
    totals = inside.groupby([at, who])["value"].sum().unstack().reindex(list(periods))   # pivot_table, cheaper
    return PanelComparison(tuple(panel), periods, totals)


def panel_run(frame: pd.DataFrame, end, *, segment: str = "segment", at: str = "period",
              min_venues: int = 1) -> tuple[list, list[str]]:
    """The periods from `end` backwards, one at a time, while at least `min_venues` venues are in all of them.

    Returns (periods in date order, the panel). The panel can only shrink as periods are added, so the run stops
    where one more period would leave fewer than `min_venues`.
    """
    available = sorted(frame[at].dropna().unique())
    if end not in available:
        return [], []
    chosen = [end]
    panel = venue_panel(frame, chosen, segment=segment, at=at)
    for period in reversed([p for p in available if p < end]):
        wider = venue_panel(frame, [period, *chosen], segment=segment, at=at)
        if len(wider) < max(1, min_venues):
            break
        chosen.insert(0, period)
        panel = wider
    return chosen, panel

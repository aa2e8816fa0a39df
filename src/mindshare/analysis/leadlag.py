"""Lead–lag: when one contender passed another in each signal, side by side.

Signals move at different speeds: papers follow what researchers pick up first, job posts what employers have
adopted, surveys what developers say a year later, downloads what runs in production. Putting the date each signal
crossed next to the others shows that order (e.g. research 2019, job posts 2022, surveys 2024, downloads 2024).

A pass is read only between two consecutive comparable readings: the same method (a jump caused by a new way of
counting is not a pass), on the series the scoreboard reads the signal from (trailing 12-month sums for small
counts, so a month's noise is not a pass; the flow of new stars, not all-time stars; for venues, the venues both
periods share). The date given is the last pass that still stands: if the contender has been ahead since, that is
when it took the lead. "not crossed" means the other is still ahead at the latest reading; "ahead throughout"
that it was never behind in the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

NOT_CROSSED = "not crossed"
AHEAD_THROUGHOUT = "ahead throughout"


@dataclass(frozen=True)
class Pass:
    signal: str
    status: str                       # 'crossed', NOT_CROSSED, AHEAD_THROUGHOUT, or 'no common readings'
    date: pd.Timestamp | None         # the comparable reading at which the pass was first seen
    first: pd.Timestamp | None        # the range of comparable readings looked at
    last: pd.Timestamp | None
    since: pd.Timestamp | None = None  # the reading before the pass, when the two are far apart (more than twice
                                       # the series' usual spacing): the pass lies between them, not at `date`


def pass_from_history(signal: str, history: pd.DataFrame, passer: str, passed: str) -> Pass:
    """The standing pass of `passer` over `passed` in a history (date, contender, value, method)."""
    wide = history[history["contender"].isin([passer, passed])].groupby(
        ["date", "method", "contender"])["value"].sum().unstack()
    if passer not in wide or passed not in wide:
        return Pass(signal, "no common readings", None, None, None)
    wide = wide[[passer, passed]].dropna().reset_index().sort_values("date")
    if wide.empty:
        return Pass(signal, "no common readings", None, None, None)
    ahead = (wide[passer] > wide[passed]).to_numpy()
    same = (wide["method"] == wide["method"].shift()).to_numpy()
    steps = pd.DataFrame({"date": wide["date"], "before": pd.Series(ahead).shift(fill_value=False).to_numpy(),
                          "after": ahead, "comparable": same, "previous": wide["date"].shift().to_numpy()})
    return _standing_pass(signal, steps.iloc[1:], bool(ahead[-1]), bool(ahead.all()), wide["date"].iloc[0],
                          wide["date"].iloc[-1])


def pass_from_venues(signal: str, venues: pd.DataFrame, passer: str, passed: str) -> Pass:
    """The standing pass in a signal summed over venues, each pair of consecutive periods compared on the venues
    both have. `venues`: segment, period, contender, value."""
    from mindshare.analysis.panels import compare_on_panel

    periods = sorted(venues["period"].dropna().unique())
    rows = []
    for before, after in zip(periods, periods[1:]):
        compared = compare_on_panel(venues, (before, after))
        if compared is None or passer not in compared.totals or passed not in compared.totals:
            continue
        t = compared.totals.fillna(0)
        rows.append({"date": pd.Timestamp(after), "before": t.loc[before, passer] > t.loc[before, passed],
                     "after": t.loc[after, passer] > t.loc[after, passed], "comparable": True})
    if not rows:
        return Pass(signal, "no common readings", None, None, None)
    latest = venues[venues["period"] == periods[-1]].groupby("contender")["value"].sum()
    ahead_now = bool(latest.get(passer, 0) > latest.get(passed, 0))
    steps = pd.DataFrame(rows)
    always = bool(steps["before"].iloc[0]) and bool(steps["after"].all()) and bool(steps["before"].all())
    return _standing_pass(signal, steps, ahead_now, always, pd.Timestamp(periods[0]), pd.Timestamp(periods[-1]))


def _standing_pass(signal: str, steps: pd.DataFrame, ahead_now: bool, always: bool, first, last) -> Pass:
    if not ahead_now:
        return Pass(signal, NOT_CROSSED, None, pd.Timestamp(first), pd.Timestamp(last))
    if always:
        return Pass(signal, AHEAD_THROUGHOUT, None, pd.Timestamp(first), pd.Timestamp(last))
    passes = steps[steps["comparable"] & ~steps["before"].astype(bool) & steps["after"].astype(bool)]
    if passes.empty:
        # ahead now, but every change of order happened across a change of method: no pass can be dated
        return Pass(signal, "ahead, pass not datable within one method", None, pd.Timestamp(first),
                    pd.Timestamp(last))
    standing = passes.iloc[-1]
    since = None
    if "previous" in steps and pd.notna(standing["previous"]):
        spacing = (pd.to_datetime(steps["date"]) - pd.to_datetime(steps["previous"])).median()
        if pd.Timestamp(standing["date"]) - pd.Timestamp(standing["previous"]) > 2 * spacing:
            since = pd.Timestamp(standing["previous"])
    return Pass(signal, "crossed", pd.Timestamp(standing["date"]), pd.Timestamp(first), pd.Timestamp(last), since)

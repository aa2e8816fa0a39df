"""Bridging a change of counting method, only where the data show that shares carry across it.

A source that changes how it counts (PyPI data: pip only until 2024-10, all installers after; 29- to 22-day windows
from 2024-11 to 2025-05; full calendar months from 2025-06) breaks the level of a series. Shares among the
contenders survive such a change only if it scales every contender alike. That is an assumption the data can test:
at each change, compare each contender's share at the last reading before with the first reading after. If no
contender's share moved at the change by more than ordinary reading-to-reading movement allows, the shares are
continuous there and the two methods can be read as one share series; otherwise the trend stays within one method.

The test, per contender: the step at the change against the steps between consecutive readings of one method in the
window. "Ordinary" is measured robustly (1.4826 x the median absolute deviation of those steps, a standard deviation
that one odd month cannot inflate), with a floor of `FLOOR_PTS` so a contender whose share never moves does not fail
on rounding. Continuity holds when every step lies within `LIMIT` of those deviations (3: about 1 in 370 ordinary
steps would exceed it if steps were normal). With fewer than `MIN_STEPS` ordinary steps the test cannot be made and
the change is not bridged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

LIMIT = 3.0
FLOOR_PTS = 0.1
MIN_STEPS = 6


@dataclass(frozen=True)
class MethodChange:
    before: str
    after: str
    last_before: pd.Timestamp
    first_after: pd.Timestamp
    worst_contender: str | None
    worst_step_pts: float | None        # share step of the worst contender at the change
    worst_z: float | None               # that step in robust standard deviations of ordinary steps
    ordinary_steps: int
    continuous: bool
    reason: str


def method_changes(shares: pd.DataFrame, *, at: str = "month", **options) -> list[MethodChange]:
    """Every change of method in a share series, with its continuity test.

    `shares`: contender, `at`, method, share (percent), one method per date.
    """
    data = shares.dropna(subset=["share"]).sort_values(at)
    dates = data[[at, "method"]].drop_duplicates(at).sort_values(at).reset_index(drop=True)
    wide = data.groupby([at, "contender"])["share"].last().unstack().reindex(dates[at])
    return changes_in(wide, dates["method"].to_numpy(), **options)


def changes_in(wide: pd.DataFrame, methods, *, limit: float = LIMIT, floor_pts: float = FLOOR_PTS,
               min_steps: int = MIN_STEPS) -> list[MethodChange]:
    """`method_changes` on shares already side by side: one row per reading in date order (its date the index),
    one column per contender; `methods` gives each row's method."""
    methods = np.asarray(methods)
    if len(wide) < 2 or (methods == methods[0]).all():
        return []
    steps = wide.diff()
    same = np.r_[False, methods[1:] == methods[:-1]]
    ordinary = steps[same]
    spread = (1.4826 * (ordinary - ordinary.median()).abs().median()).clip(lower=floor_pts)
    counted = ordinary.notna().sum()
    changes = []
    for i in np.nonzero(~same)[0][1:]:
        before, after = (methods[i - 1], wide.index[i - 1]), (methods[i], wide.index[i])
        step = steps.iloc[i].dropna()
        step = step[counted.reindex(step.index).fillna(0) >= min_steps]   # contenders whose steps can be judged
        if len(step) < 2:
            changes.append(MethodChange(before[0], after[0], before[1], after[1], None, None, None,
                                        int(counted.max()) if len(counted) else 0, False,
                                        f"fewer than {min_steps} ordinary steps to compare the change with"))
            continue
        z = (step / spread[step.index]).abs()
        worst = z.idxmax()
        ok = bool(z.max() <= limit)
        reason = (f"every share moved by at most {z.max():.1f} times its ordinary spread" if ok else
                  f"{worst}'s share moved {step[worst]:+.1f} points, {z.max():.1f} times its ordinary spread")
        changes.append(MethodChange(before[0], after[0], before[1], after[1], str(worst), float(step[worst]),
                                    float(z.max()), int(counted[step.index].min()), ok, reason))
    return changes


def bridged_start(first, changes: list[MethodChange]):
    """The first date of the latest stretch whose method changes are all continuous.

    Shares before the latest discontinuous change are not comparable with those after it; everything after it can be
    read as one share series.
    """
    start = first
    for change in changes:
        if not change.continuous:
            start = change.first_after
    return start


def bridged_run_start(shares: pd.DataFrame, *, at: str = "month", **options) -> tuple[pd.Timestamp | None,
                                                                                      list[MethodChange]]:
    """`bridged_start` of a long share frame (contender, `at`, method, share), with the changes tested."""
    if shares.empty:
        return None, []
    changes = method_changes(shares, at=at, **options)
    return pd.Timestamp(bridged_start(shares[at].min(), changes)), changes

"""Projected crossovers: when would the trailing contender pass the leader, with a 95% interval, if ever?

The gap is the log of the ratio of the two series (or their difference when a value is not positive), fitted by
ordinary least squares on time within the latest method segment and the last `fit_years`. The projected date is
where the fitted gap reaches zero; its interval is Fieller's: the dates where the 95% confidence band of the fitted
line contains zero. When that set is unbounded (the slope is not clearly non-zero), when the gap is widening, or when
the date lies further ahead than the fitted window is long, the answer is "not within the data's horizon".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mindshare.analysis.crossovers import all_crossings
from mindshare.analysis.trends import DAYS_PER_YEAR, years_since

NOT_WITHIN = "not within the data's horizon"


@dataclass(frozen=True)
class Crossover:
    leader: str                        # ahead at the latest common reading
    trailing: str
    latest: pd.Timestamp
    status: str                        # of a pass by the trailing one: 'projected' or NOT_WITHIN
    observed_date: pd.Timestamp | None     # last date the leader passed the trailing one (same method)
    observed_method: str | None
    projected: pd.Timestamp | None
    projected_low: pd.Timestamp | None
    projected_high: pd.Timestamp | None    # None with status 'projected': the interval's end is past the horizon
    horizon: pd.Timestamp | None
    gap_scale: str                     # 'log ratio' or 'difference'
    ratio_now: float | None
    reason: str
    fit_start: pd.Timestamp | None = None
    fit_points: int = 0

    def sentence(self, name=lambda key: key) -> str:
        lead, trail = name(self.leader), name(self.trailing)
        ratio = f" ({self.ratio_now:.2f}x at {self.latest:%Y-%m})" if self.ratio_now else ""
        text = f"{lead} leads {trail}{ratio}"
        if self.observed_date is not None:
            text += f"; it last moved ahead of {trail} in {self.observed_date:%Y-%m}"
        if self.projected is not None:
            high = f"{self.projected_high:%Y-%m}" if self.projected_high is not None else "beyond the horizon"
            text += (f"; on the current trend {trail} would pass {lead} around {self.projected:%Y-%m} "
                     f"(95% interval {self.projected_low:%Y-%m} to {high})")
        else:
            text += f"; a pass by {trail}: {NOT_WITHIN} ({self.reason})"
        return text + "."


def _to_date(origin: pd.Timestamp, years: float) -> pd.Timestamp:
    return origin + pd.Timedelta(days=float(years) * DAYS_PER_YEAR)


def crossing_projection(x: np.ndarray, gap: np.ndarray, confidence: float = 0.95):
    """(x0, low, high, reason) where the OLS line of gap on x reaches 0; low/high are Fieller bounds.

    Returns x0=None with a reason when the line does not move towards zero or the band never excludes it.
    """
    from scipy import special

    n = len(x)
    if n < 4:
        return None, None, None, f"only {n} comparable reading{'s' if n != 1 else ''}"
    x_mean = x.mean()
    sxx = float(((x - x_mean) ** 2).sum())
    if sxx == 0:
        return None, None, None, "a single date"
    beta = float(((x - x_mean) * (gap - gap.mean())).sum() / sxx)
    alpha = float(gap.mean() - beta * x_mean)
    residuals = gap - (alpha + beta * x)
    s2 = float((residuals ** 2).sum() / (n - 2))
    t2 = special.stdtrit(n - 2, 0.5 + confidence / 2) ** 2
    last_gap = alpha + beta * x.max()
    if beta == 0 or np.sign(beta) == np.sign(last_gap):
        return None, None, None, "the gap is not narrowing"
    x0 = -alpha / beta
    a = beta ** 2 - t2 * s2 / sxx
    b = 2 * alpha * beta + 2 * t2 * s2 * x_mean / sxx
    c = alpha ** 2 - t2 * s2 * (1 / n + x_mean ** 2 / sxx)
    if a <= 0:
        return x0, None, None, "the trend of the gap is not clearly different from zero"
    disc = b * b - 4 * a * c
    if disc < 0:   # cannot happen when a > 0 and the band contains zero at x0, kept for safety
        return x0, None, None, "no bounded interval"
    root = np.sqrt(disc)
    low, high = sorted(((-b - root) / (2 * a), (-b + root) / (2 * a)))
    return x0, low, high, ""


def crossover(frame: pd.DataFrame, first: str, second: str, *, who: str = "contender", at: str = "period_start",
              value: str = "value", method: str = "method", fit_years: float = 3.0,
              confidence: float = 0.95) -> Crossover | None:
    """Observed and projected crossover of two contenders in one signal. None if they never share a reading."""
    data = frame.dropna(subset=[value])
    wide = data.pivot_table(index=[at, method], columns=who, values=value, aggfunc="sum")
    if first not in wide or second not in wide:
        return None
    wide = wide[[first, second]].dropna().reset_index().sort_values(at)
    return crossover_from_wide(wide, first, second, at=at, method=method, fit_years=fit_years,
                               confidence=confidence)


def crossover_from_wide(wide: pd.DataFrame, first: str, second: str, *, at: str = "period_start",
                        method: str = "method", fit_years: float = 3.0, confidence: float = 0.95) -> Crossover | None:
    """`crossover` on readings already side by side: columns `at`, `method`, `first`, `second` (no NaN)."""
    if wide.empty:
        return None
    wide = wide.sort_values(at)
    last = wide.iloc[-1]
    leader, trailing = (first, second) if last[first] >= last[second] else (second, first)
    passes = [c for c in all_crossings(wide.melt(id_vars=[at, method], value_vars=[first, second],
                                                 var_name="contender", value_name="value"),
                                       first, second, at=at, method=method, last_only=True) if c.passer == leader]
    observed = passes[-1] if passes else None
    ratio_now = float(last[leader] / last[trailing]) if last[trailing] > 0 else None
    current = wide[wide[method] == last[method]]
    run_start = current[at].min()
    # only the last uninterrupted run of the latest method
    earlier_other = wide[(wide[at] < last[at]) & (wide[method] != last[method])]
    if not earlier_other.empty:
        run_start = current[current[at] > earlier_other[at].max()][at].min()
    window = current[(current[at] >= run_start) & (current[at] >= last[at] - pd.Timedelta(days=fit_years * DAYS_PER_YEAR))]
    positive = (window[[leader, trailing]] > 0).all().all()
    gap = (np.log(window[trailing] / window[leader]) if positive else window[trailing] - window[leader]).to_numpy(float)
    origin = pd.Timestamp(window[at].min())
    x = years_since(window[at], origin)
    span = x.max() if len(x) else 0.0
    horizon = _to_date(origin, 2 * span) if len(x) else None      # no further ahead than the window is long
    base = dict(leader=leader, trailing=trailing, latest=pd.Timestamp(last[at]),
                observed_date=observed.date if observed else None, observed_method=observed.method if observed else None,
                horizon=horizon, gap_scale="log ratio" if positive else "difference", ratio_now=ratio_now,
                fit_start=origin, fit_points=len(x))
    x0, low, high, reason = crossing_projection(x, gap, confidence)
    if x0 is None or low is None:
        return Crossover(status=NOT_WITHIN, projected=None, projected_low=None, projected_high=None,
                         reason=reason, **base)
    if x0 > 2 * span:
        return Crossover(status=NOT_WITHIN, projected=None, projected_low=None, projected_high=None,
                         reason=f"the fitted trend reaches it only around {_to_date(origin, x0):%Y-%m}, further "
                                f"ahead than the {span:.1f} years of data it rests on", **base)
    return Crossover(status="projected", projected=_to_date(origin, x0), projected_low=_to_date(origin, low),
                     projected_high=_to_date(origin, high) if high <= 2 * span else None, reason="", **base)

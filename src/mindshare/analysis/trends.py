"""Linear trend lines with a 95% interval on the slope."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DAYS_PER_YEAR = 365.25


class SlopeLine:
    """What every fitted trend offers: its direction, judged by the interval, and its value at given dates.
    Subclasses have slope_per_year, ci_low, ci_high, intercept (the value at `origin`) and origin."""

    @property
    def direction(self) -> str:
        """'rising' or 'falling' only when the interval excludes zero."""
        if self.ci_low > 0:
            return "rising"
        if self.ci_high < 0:
            return "falling"
        return "flat (interval includes zero)"

    def at(self, when) -> np.ndarray:
        return self.intercept + self.slope_per_year * years_since(when, self.origin)


def years_since(when, origin: pd.Timestamp) -> np.ndarray:
    """Time from `origin` in years of 365.25 days: the x of every trend fit."""
    return np.asarray((pd.to_datetime(when) - origin) / pd.Timedelta(days=DAYS_PER_YEAR), dtype="float64")


@dataclass(frozen=True)
class TrendFit(SlopeLine):
    slope_per_year: float
    ci_low: float
    ci_high: float
    intercept: float       # value at `origin`
    origin: pd.Timestamp
    r_squared: float
    n: int
    start: pd.Timestamp
    end: pd.Timestamp



def linear_trend(dates, values, confidence: float = 0.95) -> TrendFit | None:
    """Ordinary least squares of value on time (years); None with fewer than 3 points.

    The interval is the t interval of the slope; it assumes independent residuals, which monthly adoption
    series only approximate (later analysis adds robust fits).
    """
    from scipy import stats  # imported here: scipy.stats costs ~0.5 s at start-up and most reports never fit

    frame = pd.DataFrame({"t": pd.to_datetime(dates), "y": pd.to_numeric(values, errors="coerce")}).dropna()
    if len(frame) < 3 or frame["t"].nunique() < 2:
        return None
    origin = frame["t"].min()
    years = years_since(frame["t"], origin)
    y = frame["y"].to_numpy(dtype="float64")
    fit = stats.linregress(years, y)
    dof = len(frame) - 2
    half_width = stats.t.ppf(0.5 + confidence / 2, dof) * fit.stderr if dof > 0 else float("nan")
    slope = float(fit.slope)
    return TrendFit(
        slope_per_year=slope,
        ci_low=slope - half_width, ci_high=slope + half_width,
        intercept=float(fit.intercept), origin=origin,
        r_squared=float(fit.rvalue ** 2) if np.isfinite(fit.rvalue) else float("nan"),
        n=len(frame), start=frame["t"].min(), end=frame["t"].max(),
    )


def trend_line(fit: TrendFit) -> pd.DataFrame:
    """Two points, start and end of the fitted range, for drawing the line."""
    ends = pd.to_datetime([fit.start, fit.end])
    return pd.DataFrame({"date": ends, "trend": fit.at(ends)})

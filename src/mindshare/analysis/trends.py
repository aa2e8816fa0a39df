"""Trend lines with a 95% interval on the slope: ordinary least squares, its autocorrelation-robust (HAC) interval,
and the one `Trend` record every fit returns (Theil–Sen fits in robust.py return it too).

Why two intervals for one OLS slope: the textbook t interval assumes independent errors. Adoption series are
strongly autocorrelated (monthly shares have lag-1 autocorrelation around 0.9: a month above the line is followed
by another), so that interval is far too narrow and calls noise a trend. The Newey–West (HAC) interval estimates the
slope's variance allowing for autocorrelation of unknown form (Bartlett kernel), and is reported beside the naive one.
With short series and strong autocorrelation even HAC under-covers somewhat: read it as the better of the two, not
as exact.

Why six readings: with fewer than `MIN_READINGS` points a "95%" interval rests on three or four degrees of freedom
and on assumptions the data cannot check (with no real trend, a three-point Theil–Sen interval excludes zero about
a third of the time). Below six readings a fit still gives its slope, but `has_interval` is False and `direction`
says "too few readings to tell"; nothing should print its interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DAYS_PER_YEAR = 365.25
MIN_READINGS = 6
TOO_FEW = "too few readings to tell"
FLAT = "flat (interval includes zero)"


def years_since(when, origin: pd.Timestamp) -> np.ndarray:
    """Time from `origin` in years of 365.25 days: the x of every trend fit."""
    return np.asarray((pd.to_datetime(when) - origin) / pd.Timedelta(days=DAYS_PER_YEAR), dtype="float64")


def newey_west_lags(n: int) -> int:
    """Newey and West's (1994) rule of thumb for the HAC lag: floor(4 (n/100)^(2/9)), at least 1."""
    return max(1, int(np.floor(4 * (n / 100) ** (2 / 9))))


@dataclass(frozen=True)
class Trend:
    """One fitted trend: slope per year with its interval, the value at `origin`, and the fitted range.

    `estimator` says how the slope and interval were obtained ('ols', 'ols-hac', 'theil-sen'). OLS fits carry
    `r_squared`; fits of positive series by Theil–Sen carry the growth rate per year (from the slope of log value).
    """

    slope_per_year: float
    ci_low: float
    ci_high: float
    intercept: float          # value at `origin`
    origin: pd.Timestamp
    n: int
    start: pd.Timestamp
    end: pd.Timestamp
    estimator: str = "ols"
    r_squared: float | None = None
    lags: int | None = None                      # HAC only: the Newey–West lag used
    growth_pct_per_year: float | None = None     # Theil–Sen of log(value); None if any value <= 0
    growth_ci_low: float | None = None
    growth_ci_high: float | None = None

    @property
    def has_interval(self) -> bool:
        """Whether the interval may be shown: at least MIN_READINGS readings and a finite interval."""
        return self.n >= MIN_READINGS and bool(np.isfinite(self.ci_low) and np.isfinite(self.ci_high))

    @property
    def direction(self) -> str:
        """'rising' or 'falling' only when the interval excludes zero, and only with enough readings."""
        if not self.has_interval:
            return TOO_FEW
        if self.ci_low > 0:
            return "rising"
        if self.ci_high < 0:
            return "falling"
        return FLAT

    def at(self, when) -> np.ndarray:
        return self.intercept + self.slope_per_year * years_since(when, self.origin)


TrendFit = Trend   # the earlier name (OLS and Theil-Sen fits were two records with the same seven fields)


def fit_points(dates, values):
    """(origin, x in years since it, y, first date, last date), sorted, without missing values; None with fewer
    than 3 points or a single date."""
    frame = pd.DataFrame({"t": pd.to_datetime(dates), "y": pd.to_numeric(values, errors="coerce")}).dropna()
    if len(frame) < 3 or frame["t"].nunique() < 2:
        return None
    frame = frame.sort_values("t")
    origin = frame["t"].min()
    return origin, years_since(frame["t"], origin), frame["y"].to_numpy(dtype="float64"), origin, frame["t"].max()


def linear_trend(dates, values, confidence: float = 0.95) -> Trend | None:
    """Ordinary least squares of value on time (years) with the t interval; None with fewer than 3 points.

    The interval assumes independent residuals: see `hac_trend` for the one that does not.
    """
    from scipy import stats  # imported here: scipy.stats costs ~0.5 s at start-up and most reports never fit

    points = fit_points(dates, values)
    if points is None:
        return None
    origin, x, y, start, end = points
    fit = stats.linregress(x, y)
    dof = len(y) - 2
    half_width = stats.t.ppf(0.5 + confidence / 2, dof) * fit.stderr if dof > 0 else float("nan")
    slope = float(fit.slope)
    return Trend(slope_per_year=slope, ci_low=slope - half_width, ci_high=slope + half_width,
                 intercept=float(fit.intercept), origin=origin, n=len(y), start=start, end=end, estimator="ols",
                 r_squared=float(fit.rvalue ** 2) if np.isfinite(fit.rvalue) else float("nan"))


def hac_trend(dates, values, confidence: float = 0.95, lags: int | None = None) -> Trend | None:
    """OLS slope with the Newey–West (HAC) interval (statsmodels; Bartlett kernel, small-sample factor and t).

    `lags` defaults to Newey–West's rule of thumb. None with fewer than 3 points.
    """
    import statsmodels.api as sm

    points = fit_points(dates, values)
    if points is None:
        return None
    origin, x, y, start, end = points
    lags = lags or newey_west_lags(len(y))
    # use_correction: the small-sample factor n / (n - 2), which widens the interval a little for short series
    fit = sm.OLS(y, sm.add_constant(x)).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True},
                                            use_t=True)
    low, high = fit.conf_int(1 - confidence)[1]
    return Trend(slope_per_year=float(fit.params[1]), ci_low=float(low), ci_high=float(high),
                 intercept=float(fit.params[0]), origin=origin, n=len(y), start=start, end=end,
                 estimator="ols-hac", r_squared=float(fit.rsquared), lags=lags)


def hac_slope_many(x: np.ndarray, values: np.ndarray, confidence: float = 0.95,
                   lags: int | None = None) -> dict[str, np.ndarray]:
    """OLS slope with its Newey–West interval, and the naive t interval beside it, for many series sharing the same
    x (rows of `values`, no NaN).

    Vectorised; gives what `hac_trend` (statsmodels) gives series by series (a test checks it): with centred x the
    slope's HAC variance is S / Sxx^2, where S = sum_l w_l sum_t u_t u_(t-l) (both directions for l > 0),
    u_t = (x_t - mean x) e_t and w_l = 1 - l / (lags + 1), times the small-sample factor n / (n - 2).
    """
    from scipy import special

    x = np.asarray(x, dtype=float)
    values = np.atleast_2d(np.asarray(values, dtype=float))
    n = values.shape[1]
    lags = lags or newey_west_lags(n)
    xc = x - x.mean()
    sxx = float((xc ** 2).sum())
    y_mean = values.mean(axis=1, keepdims=True)
    beta = ((values - y_mean) * xc).sum(axis=1) / sxx
    residual = values - y_mean - beta[:, None] * xc
    # statsmodels' HAC score uses the full regressor (1, x); the slope's entry of the sandwich reduces to the
    # centred x when the intercept is in the model.
    u = residual * xc
    s = (u * u).sum(axis=1)
    for lag in range(1, min(lags, n - 1) + 1):
        s += 2 * (1 - lag / (lags + 1)) * (u[:, lag:] * u[:, :-lag]).sum(axis=1)
    dof = n - 2
    t = special.stdtrit(dof, 0.5 + confidence / 2) if dof > 0 else np.nan
    se = np.sqrt(np.maximum(s, 0) * n / dof) / sxx if dof > 0 else np.full(len(beta), np.nan)
    naive = np.sqrt((residual ** 2).sum(axis=1) / dof / sxx) if dof > 0 else np.full(len(beta), np.nan)
    return {"slope": beta, "ci_low": beta - t * se, "ci_high": beta + t * se, "lags": lags,
            "ols_ci_low": beta - t * naive, "ols_ci_high": beta + t * naive}


def trend_line(fit: Trend) -> pd.DataFrame:
    """Two points, start and end of the fitted range, for drawing the line."""
    ends = pd.to_datetime([fit.start, fit.end])
    return pd.DataFrame({"date": ends, "trend": fit.at(ends)})

"""Robust (Theil–Sen) trends with 95% intervals, growth rates per year, and fits that respect method changes.

A source that changes how it counts (PyPI's 2024-11 switch to all installers, its 2024-12..2025-06 short windows,
its 2025-07 calendar months) produces series whose levels are not comparable across the change. A trend is
therefore fitted per method segment, and every fit says which segment it covers and how (or whether) segments
were bridged: see `trends_by_method`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mindshare.analysis.trends import Trend, fit_points

BRIDGES = ("split", "shares")
BRIDGE_WORDS = {
    "none": "one method throughout; no bridge needed",
    "split": "fitted separately within each method; segments not bridged",
    "shares": ("bridged by working in shares among the contenders, which assumes the method change scales every "
               "contender alike"),
}


def theil_sen_trend(dates, values, confidence: float = 0.95) -> Trend | None:
    """Median of pairwise slopes (per year); None with fewer than 3 points or a single date.

    Assumes a monotone linear trend plus noise with no particular distribution; the interval (Sen 1968) assumes
    independent errors, which adoption series only approximate, so read it as a lower bound on the uncertainty.
    """
    from scipy import stats

    points = fit_points(dates, values)
    if points is None:
        return None
    origin, x, y, start, end = points
    slope, intercept, low, high = stats.theilslopes(y, x, alpha=confidence)
    growth = growth_low = growth_high = None
    if (y > 0).all():
        g, _, g_low, g_high = stats.theilslopes(np.log(y), x, alpha=confidence)
        growth, growth_low, growth_high = (float(np.expm1(v) * 100) for v in (g, g_low, g_high))
    return Trend(slope_per_year=float(slope), ci_low=float(low), ci_high=float(high), intercept=float(intercept),
                 origin=origin, n=len(y), start=start, end=end, estimator="theil-sen",
                 growth_pct_per_year=growth, growth_ci_low=growth_low, growth_ci_high=growth_high)


def method_segments(frame: pd.DataFrame, *, at: str = "period_start", method: str = "method") -> pd.DataFrame:
    """The runs of one method in date order: method, start, end, points (a method that comes back is a new run)."""
    dates = frame[[at, method]].drop_duplicates().sort_values(at)
    run = (dates[method] != dates[method].shift()).cumsum()
    return (dates.assign(run=run).groupby("run", as_index=False)
            .agg(method=(method, "first"), start=(at, "min"), end=(at, "max"), points=(at, "nunique"))
            .drop(columns="run"))


def trends_by_method(frame: pd.DataFrame, *, who: str = "contender", at: str = "period_start",
                     value: str = "value", method: str = "method", bridge: str = "split",
                     min_points: int = 3) -> pd.DataFrame:
    """One robust and one OLS trend per contender and method segment, never across a method change.

    bridge="split" fits each segment on its own. bridge="shares" fits each contender's share of the contenders'
    total over the whole series (valid only if the method change scales everyone by the same factor). Each row says
    which bridge was used in `bridged` and in words in `bridge_note`.
    """
    from mindshare.analysis.shares import share_among
    from mindshare.analysis.trends import linear_trend

    if bridge not in BRIDGES:
        raise ValueError(f"bridge must be one of {BRIDGES}, not {bridge!r}")
    data = frame.dropna(subset=[value])
    segments = method_segments(data, at=at, method=method) if not data.empty else pd.DataFrame()
    n_methods = len(segments)
    rows = []
    if bridge == "shares" and n_methods > 1:
        data = share_among(data, by=[at], who=who, value=value)
        groups = [((c, "all methods (shares)"), g.assign(**{value: g["share_pct"]})) for c, g in data.groupby(who)]
        note = BRIDGE_WORDS["shares"]
    else:
        run = data[[at, method]].drop_duplicates().sort_values(at)
        run["segment"] = (run[method] != run[method].shift()).cumsum()
        data = data.merge(run, on=[at, method])
        groups = [((c, m), g) for (c, _, m), g in data.groupby([who, "segment", method], sort=True)]
        note = BRIDGE_WORDS["none" if n_methods <= 1 else "split"]
    for (contender, segment_method), group in groups:
        if group[at].nunique() < min_points:
            continue
        robust = theil_sen_trend(group[at], group[value])
        ols = linear_trend(group[at], group[value])
        if robust is None or ols is None:
            continue
        rows.append({
            "contender": contender, "method": segment_method, "start": robust.start, "end": robust.end,
            "n": robust.n, "theil_sen_per_year": robust.slope_per_year, "ts_ci_low": robust.ci_low,
            "ts_ci_high": robust.ci_high, "ols_per_year": ols.slope_per_year, "ols_ci_low": ols.ci_low,
            "ols_ci_high": ols.ci_high, "growth_pct_per_year": robust.growth_pct_per_year,
            "growth_ci_low": robust.growth_ci_low, "growth_ci_high": robust.growth_ci_high,
            "direction": robust.direction, "bridged": bridge if n_methods > 1 else "none", "bridge_note": note,
            "unit": "share points" if bridge == "shares" and n_methods > 1 else "value",
        })
    columns = ["contender", "method", "start", "end", "n", "theil_sen_per_year", "ts_ci_low", "ts_ci_high",
               "ols_per_year", "ols_ci_low", "ols_ci_high", "growth_pct_per_year", "growth_ci_low",
               "growth_ci_high", "direction", "bridged", "bridge_note", "unit"]
    return pd.DataFrame(rows, columns=columns)


def _repeat_term(row: np.ndarray) -> float:
    _, counts = np.unique(row, return_counts=True)
    counts = counts[counts > 1].astype(float)
    return float((counts * (counts - 1) * (2 * counts + 5)).sum())


def theil_sen_many(x: np.ndarray, values: np.ndarray, confidence: float = 0.95) -> dict[str, np.ndarray]:
    """Theil–Sen and OLS for many series sharing the same x (rows of `values`, no NaN), vectorised.

    Gives exactly what scipy.stats.theilslopes / linregress give series by series (tests check this): slope,
    intercept ('separate' method), Sen's interval; OLS slope with its t interval.
    """
    from scipy import special  # not scipy.stats: its import costs ~1 s and the report runs this on every build

    x = np.asarray(x, dtype=float)
    values = np.atleast_2d(np.asarray(values, dtype=float))
    m, n = values.shape
    i, j = np.nonzero(x[:, None] - x[None, :] > 0)
    slopes = (values[:, i] - values[:, j]) / (x[i] - x[j])
    slopes.sort(axis=1)
    nt = slopes.shape[1]
    median = np.median(slopes, axis=1)
    intercept = np.median(values, axis=1) - median * np.median(x)
    z = special.ndtri((1 - confidence) / 2)
    x_term = _repeat_term(x)
    y_terms = np.array([_repeat_term(row) for row in values]) if m else np.zeros(0)
    sigma = np.sqrt((n * (n - 1) * (2 * n + 5) - x_term - y_terms) / 18.0)
    upper = np.minimum(np.round((nt - z * sigma) / 2).astype(int), nt - 1)
    lower = np.maximum(np.round((nt + z * sigma) / 2).astype(int) - 1, 0)
    rows = np.arange(m)
    low, high = slopes[rows, lower], slopes[rows, upper]
    x_mean = x.mean()
    sxx = ((x - x_mean) ** 2).sum()
    y_mean = values.mean(axis=1)
    beta = ((values - y_mean[:, None]) * (x - x_mean)).sum(axis=1) / sxx
    alpha = y_mean - beta * x_mean
    residual = values - (alpha[:, None] + beta[:, None] * x)
    dof = n - 2
    se = np.sqrt((residual ** 2).sum(axis=1) / dof / sxx) if dof > 0 else np.full(m, np.nan)
    half = special.stdtrit(dof, 0.5 + confidence / 2) * se if dof > 0 else se
    return {"slope": median, "intercept": intercept, "ci_low": low, "ci_high": high,
            "ols_slope": beta, "ols_ci_low": beta - half, "ols_ci_high": beta + half}

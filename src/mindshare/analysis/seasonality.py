"""Seasonal decomposition (STL) of weekly and monthly series, and the gaps and partial periods of any series.

STL (Cleveland et al. 1990, statsmodels) splits a series into trend + seasonal + remainder with loess. It needs a
regular series with at least two full cycles; a gap is filled by linear interpolation for the fit only and is
reported in `filled`. With `log=True` (the default for positive series) the decomposition is multiplicative:
seasonal effects are read as percentages of the trend, which suits counts that grew tenfold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

PERIODS = {"MS": 12, "W": 52}
WINTER_MONTHS = (12, 1)


@dataclass(frozen=True)
class Seasonality:
    frequency: str            # 'MS' monthly or 'W' weekly
    period: int
    components: pd.DataFrame  # date, observed, trend, seasonal, remainder (log scale when multiplicative)
    multiplicative: bool
    strength: float           # Hyndman's F_S = max(0, 1 - Var(R) / Var(S + R)), 0 = none, 1 = all seasonal
    profile: pd.Series        # mean seasonal effect per month (or week) of year, % of trend when multiplicative
    trough: int               # month (or week) of year with the lowest seasonal effect
    winter_effect_pct: float | None   # mean seasonal effect in Dec and Jan (monthly series only)
    filled: int               # gaps interpolated for the fit

    def sentence(self, what: str) -> str:
        unit = "%" if self.multiplicative else ""
        text = f"{what}: seasonal strength {self.strength:.2f} (0 none, 1 all)"
        if self.winter_effect_pct is not None:
            text += f"; December–January run {self.winter_effect_pct:+.1f}{unit} against the trend"
        return text + (f" ({self.filled} missing periods interpolated for the fit)." if self.filled else ".")


def infer_frequency(dates) -> str | None:
    """'MS' for month starts, 'W' for weekly readings, None otherwise."""
    index = pd.DatetimeIndex(pd.to_datetime(pd.Series(dates)).dropna().unique()).sort_values()
    if len(index) < 3:
        return None
    step = float(np.median(np.diff(index.values).astype("timedelta64[s]").astype(float))) / 86_400
    if 27 <= step <= 32:
        return "MS"
    if 6 <= step <= 8:
        return "W"
    return None


def regular(dates, values, frequency: str) -> tuple[pd.Series, int]:
    """The series on a regular grid (month starts or weeks); returns it and how many periods were missing."""
    series = pd.Series(np.asarray(pd.to_numeric(pd.Series(np.asarray(values)), errors="coerce"), dtype=float),
                       index=pd.to_datetime(dates)).dropna()
    series = series.groupby(series.index).mean().sort_index()
    if frequency == "MS":
        series.index = series.index.to_period("M").to_timestamp()
        series = series.groupby(level=0).mean()
        grid = pd.date_range(series.index.min(), series.index.max(), freq="MS")
    else:
        grid = pd.date_range(series.index.min(), series.index.max(), freq="7D")
        series = series.reindex(grid, method="nearest", tolerance=pd.Timedelta(days=3))
    full = series.reindex(grid)
    missing = int(full.isna().sum())
    return full.interpolate(limit_area="inside"), missing


def stl_decompose(dates, values, *, frequency: str | None = None, log: bool | None = None,
                  robust: bool = True) -> Seasonality | None:
    """STL of a monthly or weekly series; None when it is neither or shorter than two full cycles."""
    frequency = frequency or infer_frequency(dates)
    if frequency not in PERIODS:
        return None
    period = PERIODS[frequency]
    series, missing = regular(dates, values, frequency)
    if len(series) < 2 * period + 1:
        return None
    positive = bool((series > 0).all())
    multiplicative = positive if log is None else (log and positive)
    y = np.log(series) if multiplicative else series
    from statsmodels.tsa.seasonal import STL

    fit = STL(y.to_numpy(float), period=period, robust=robust).fit()
    components = pd.DataFrame({"date": series.index, "observed": y.to_numpy(float), "trend": fit.trend,
                               "seasonal": fit.seasonal, "remainder": fit.resid})
    detrended = fit.seasonal + fit.resid
    var_sr = float(np.var(detrended))
    strength = max(0.0, 1 - float(np.var(fit.resid)) / var_sr) if var_sr > 0 else 0.0
    effect = np.expm1(fit.seasonal) * 100 if multiplicative else fit.seasonal
    key = series.index.month if frequency == "MS" else series.index.isocalendar().week.to_numpy()
    profile = pd.Series(effect, index=key).groupby(level=0).mean()
    winter = float(profile.loc[list(WINTER_MONTHS)].mean()) if frequency == "MS" else None
    return Seasonality(frequency, period, components, multiplicative, strength, profile,
                       int(profile.idxmin()), winter, missing)


def gaps_and_partials(frame: pd.DataFrame, *, who: str = "contender", at: str = "period_start",
                      end: str = "period_end", as_of=None) -> pd.DataFrame:
    """Per contender (and method): missing periods inside its range, and periods still open or marked partial.

    A period is partial when it ends after `as_of` (default: its own `collected_at`, the day it was read), or
    when its note says 'partial'. Output: contender, method, kind ('gap' or 'partial'), period_start, detail.
    """
    rows = []
    by = [who, "method"] if "method" in frame else [who]
    for key, group in frame.dropna(subset=[at]).groupby(by, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        contender, method = key[0], (key[1] if len(key) > 1 else None)
        frequency = infer_frequency(group[at])
        if frequency == "MS":
            present = pd.DatetimeIndex(pd.to_datetime(group[at])).to_period("M").unique()
            grid = pd.period_range(present.min(), present.max(), freq="M")
            for period in grid.difference(present):
                rows.append({"contender": contender, "method": method, "kind": "gap",
                             "period_start": period.to_timestamp(), "detail": "no reading for this month"})
        elif frequency is None and group[at].nunique() >= 3:
            years = pd.to_datetime(group[at]).dt.year
            if (pd.to_datetime(group[at]).dt.day_of_year == 1).all():
                for year in sorted(set(range(years.min(), years.max() + 1)) - set(years)):
                    rows.append({"contender": contender, "method": method, "kind": "gap",
                                 "period_start": pd.Timestamp(year=year, month=1, day=1), "detail": "no reading for this year"})
        notes = group["note"].fillna("").astype(str) if "note" in group else pd.Series("", index=group.index)
        if end in group:
            closing = pd.to_datetime(group[end])
            if as_of is not None:
                read = pd.Series(pd.Timestamp(as_of), index=group.index)
            elif "collected_at" in group:
                read = pd.to_datetime(group["collected_at"], utc=True).dt.tz_localize(None).dt.normalize()
            else:
                read = pd.Series(pd.NaT, index=group.index)
            open_period = closing > read
        else:
            open_period = pd.Series(False, index=group.index)
        flagged = open_period | notes.str.contains("partial", case=False)
        for _, row in group[flagged].iterrows():
            rows.append({"contender": contender, "method": method, "kind": "partial",
                         "period_start": pd.Timestamp(row[at]),
                         "detail": "period still open when read" if open_period.loc[row.name] else "marked partial"})
    return pd.DataFrame(rows, columns=["contender", "method", "kind", "period_start", "detail"])

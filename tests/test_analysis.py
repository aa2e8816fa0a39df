import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from mindshare.analysis import first_crossing, linear_trend, share_among
from mindshare.analysis.shares import leader_follower_ratio
from mindshare.session import session as store_session


def _series(rows):
    return pd.DataFrame(rows, columns=["period_start", "contender", "value"]).assign(
        period_start=lambda f: pd.to_datetime(f["period_start"]), method="m1")


def test_share_among_hand_checked():
    frame = _series([("2020-01-01", "a", 30), ("2020-01-01", "b", 10), ("2021-01-01", "a", 0),
                     ("2021-01-01", "b", 0)])
    shares = share_among(frame, by=["period_start"])
    assert shares["share_pct"].iloc[:2].tolist() == [75.0, 25.0]
    assert shares["share_pct"].iloc[2:].isna().all()  # no total, no share


def test_leader_follower_ratio_hand_checked():
    frame = _series([("2019-03-01", "tf", 300), ("2019-03-01", "pt", 100),
                     ("2020-01-01", "tf", 220), ("2020-01-01", "pt", 110)])
    assert leader_follower_ratio(frame, "tf", "pt").tolist() == [3.0, 2.0]


def test_linear_trend_matches_statsmodels():
    rng = np.random.default_rng(7)
    dates = pd.date_range("2017-01-01", periods=36, freq="MS")
    years = (dates - dates[0]) / pd.Timedelta(days=365.25)
    values = 5 + 2.0 * years + rng.normal(0, 0.5, len(dates))
    fit = linear_trend(dates, values)
    ols = sm.OLS(values, sm.add_constant(np.asarray(years))).fit()
    low, high = ols.conf_int(0.05)[1]
    assert fit.slope_per_year == pytest.approx(ols.params[1])
    assert (fit.ci_low, fit.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert fit.ci_low < 2.0 < fit.ci_high
    assert fit.direction == "rising"


def test_linear_trend_of_exact_line_and_of_too_few_points():
    dates = pd.to_datetime(["2020-01-01", "2021-01-01", "2022-01-01"])
    fit = linear_trend(dates, [1.0, 2.0, 3.0])
    assert fit.slope_per_year == pytest.approx(1.0, rel=1e-3)
    assert linear_trend(dates[:2], [1.0, 2.0]) is None


def test_crossing_is_found_within_one_method():
    frame = _series([("2020-01-01", "a", 1), ("2020-01-01", "b", 5),
                     ("2020-02-01", "a", 4), ("2020-02-01", "b", 5),
                     ("2020-03-01", "a", 6), ("2020-03-01", "b", 5)])
    crossing = first_crossing(frame, "a", "b")
    assert crossing.date == pd.Timestamp("2020-03-01")
    assert (crossing.passer_value, crossing.passed_value) == (6, 5)
    assert first_crossing(frame, "b", "a") is None


def test_a_jump_across_a_method_change_is_not_a_crossing():
    frame = _series([("2020-01-01", "a", 1), ("2020-01-01", "b", 5),
                     ("2020-02-01", "a", 9), ("2020-02-01", "b", 5)])
    frame.loc[frame["period_start"] == "2020-02-01", "method"] = "m2"
    assert first_crossing(frame, "a", "b") is None


def test_torch_passes_tensorflow_in_the_2024_04_pypi_snapshot(bundled_store_path):
    from mindshare.report.sections.signals import snapshot_date as _snapshot_date

    with store_session(bundled_store_path) as store:
        raw = store.observations(signal="downloads", metric="downloads_30d", include_notes=False)
    packages = raw[raw["subject"].isin(["torch", "tensorflow"])].assign(contender=lambda f: f["subject"],
                                                                          date=lambda f: _snapshot_date(f))
    crossing = first_crossing(packages, "torch", "tensorflow", at="date")
    assert crossing.date.strftime("%Y-%m") == "2024-04"
    assert "pip installer only" in crossing.method

"""Issue 6: robust trends, method segments, projected crossovers, STL, gaps, composite scores and their stability,
survey statistics, the verdict and snapshot comparison. Hand-checked numbers on small series, scipy/statsmodels
as independent references where they exist, and hypothesis properties for the invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mindshare.analysis.composite import composite_score, min_max, parse_weights, preset_weights
from mindshare.analysis.projection import NOT_WITHIN, crossing_projection, crossover
from mindshare.analysis.robust import theil_sen_many, theil_sen_trend, trends_by_method
from mindshare.analysis.seasonality import gaps_and_partials, stl_decompose
from mindshare.analysis.shares import share_among
from mindshare.analysis.surveys import (
    count_comparison,
    independent_difference,
    paired_difference,
    same_sample_difference,
    wilson_interval,
)
from mindshare.analysis.trends import DAYS_PER_YEAR, linear_trend
from mindshare.errors import InputError

ORIGIN = pd.Timestamp("2020-01-01")


def years(*offsets) -> pd.DatetimeIndex:
    """Dates exactly `offsets` years (of 365.25 days) after 2020-01-01, so slopes per year are exact."""
    return pd.DatetimeIndex([ORIGIN + pd.Timedelta(days=DAYS_PER_YEAR * o) for o in offsets])


def long(rows, method="m1"):
    return pd.DataFrame(rows, columns=["period_start", "contender", "value"]).assign(
        period_start=lambda f: pd.to_datetime(f["period_start"]), method=method)


# -- Theil-Sen ------------------------------------------------------------------------------------------------
def test_theil_sen_hand_checked():
    # pairwise slopes of (0,1) (1,2) (2,3) (3,10): 1, 1, 3, 1, 4, 7 -> median 2; intercept 2.5 - 2 * 1.5 = -0.5
    fit = theil_sen_trend(years(0, 1, 2, 3), [1.0, 2.0, 3.0, 10.0])
    assert fit.slope_per_year == pytest.approx(2.0)
    assert fit.intercept == pytest.approx(-0.5)
    assert fit.ci_low <= 2.0 <= fit.ci_high
    # one outlier moves OLS a lot more than Theil-Sen
    assert linear_trend(years(0, 1, 2, 3), [1.0, 2.0, 3.0, 10.0]).slope_per_year == pytest.approx(2.8)


def test_theil_sen_growth_rate_of_a_doubling_series():
    fit = theil_sen_trend(years(0, 1, 2, 3, 4), [10, 20, 40, 80, 160])
    assert fit.growth_pct_per_year == pytest.approx(100.0)
    assert theil_sen_trend(years(0, 1, 2), [0, 1, 2]).growth_pct_per_year is None   # log of 0 undefined


def test_theil_sen_many_matches_scipy_series_by_series():
    from scipy import stats

    rng = np.random.default_rng(3)
    x = np.arange(24) / 12
    values = np.round(rng.normal(size=(6, 24)) * 4 + 3 * x, 0)   # rounding makes ties, which change Sen's interval
    batch = theil_sen_many(x, values)
    for k, row in enumerate(values):
        ref = stats.theilslopes(row, x)
        ols = stats.linregress(x, row)
        assert (batch["slope"][k], batch["intercept"][k]) == (pytest.approx(ref.slope), pytest.approx(ref.intercept))
        assert (batch["ci_low"][k], batch["ci_high"][k]) == (pytest.approx(ref.low_slope), pytest.approx(ref.high_slope))
        assert batch["ols_slope"][k] == pytest.approx(ols.slope)


@settings(deadline=None)   # a shared 2-core machine can take longer than hypothesis' 200 ms; speed is for bench/
@given(st.floats(-1e6, 1e6, allow_nan=False), st.integers(3, 30))
def test_trend_of_a_constant_is_zero(level, n):
    dates = pd.date_range("2015-01-01", periods=n, freq="MS")
    robust = theil_sen_trend(dates, [level] * n)
    assert robust.slope_per_year == 0 and robust.ci_low == 0 and robust.ci_high == 0
    assert linear_trend(dates, [level] * n).slope_per_year == pytest.approx(0, abs=1e-9 * max(1, abs(level)))


def test_trends_are_never_fit_across_a_method_change():
    dates = pd.date_range("2020-01-01", periods=24, freq="MS")
    values = np.arange(24, dtype=float) + 10           # +12 a year within each method
    values[12:] *= 10                                  # the new method counts ten times as much
    frame = pd.DataFrame({"period_start": dates, "contender": "a", "value": values,
                          "method": ["old"] * 12 + ["new"] * 12})
    fits = trends_by_method(frame)
    assert list(fits["method"]) == ["old", "new"]
    assert fits["theil_sen_per_year"].tolist() == pytest.approx([12.0 * 365.25 / 365.25 * 1, 120.0], rel=0.02)
    assert set(fits["bridged"]) == {"split"} and fits["bridge_note"].str.contains("not bridged").all()
    one = trends_by_method(frame.assign(method="same"))
    assert one["bridged"].tolist() == ["none"]


def test_shares_bridge_a_change_that_scales_everyone_alike():
    dates = pd.date_range("2020-01-01", periods=24, freq="MS")
    factor = np.where(np.arange(24) < 12, 1.0, 7.0)
    frame = pd.concat([
        pd.DataFrame({"period_start": dates, "contender": "a", "value": 30 * factor, "method": np.where(factor == 1, "old", "new")}),
        pd.DataFrame({"period_start": dates, "contender": "b", "value": 70 * factor, "method": np.where(factor == 1, "old", "new")})])
    fits = trends_by_method(frame, bridge="shares").set_index("contender")
    assert fits.loc["a", "theil_sen_per_year"] == pytest.approx(0) and fits.loc["a", "unit"] == "share points"
    assert "scales every contender alike" in fits.loc["a", "bridge_note"]


# -- Crossovers: observed and projected ----------------------------------------------------------------------
def _converging(n=36, wobble=0.02):
    dates = pd.date_range("2021-01-01", periods=n, freq="MS")
    t = ((dates - dates[0]) / pd.Timedelta(days=DAYS_PER_YEAR)).to_numpy(float)
    # log(a / b) = -0.8 + 0.2 t (+ a small alternating wobble): zero at t = 4 years
    gap = -0.8 + 0.2 * t + wobble * np.where(np.arange(n) % 2, 1, -1)
    frame = pd.concat([pd.DataFrame({"period_start": dates, "contender": "b", "value": 100.0}),
                       pd.DataFrame({"period_start": dates, "contender": "a", "value": 100 * np.exp(gap)})])
    return frame.assign(method="m1"), dates[0] + pd.Timedelta(days=4 * DAYS_PER_YEAR)


def test_projected_crossover_hand_checked():
    frame, expected = _converging()
    result = crossover(frame, "a", "b")
    assert (result.leader, result.trailing, result.status) == ("b", "a", "projected")
    assert abs((result.projected - expected).days) < 20
    assert result.projected_low < result.projected < result.projected_high
    assert result.observed_date is None and "would pass" in result.sentence()


def test_fieller_bounds_are_where_the_confidence_band_touches_zero():
    import statsmodels.api as sm

    rng = np.random.default_rng(5)
    x = np.linspace(0, 3, 30)
    gap = -0.6 + 0.2 * x + rng.normal(0, 0.05, 30)
    x0, low, high, _ = crossing_projection(x, gap)
    fit = sm.OLS(gap, sm.add_constant(x)).fit()
    band = fit.get_prediction(sm.add_constant(np.array([low, high]), has_constant="add")).conf_int(alpha=0.05)
    assert band[0][1] == pytest.approx(0, abs=1e-9)      # at the lower bound the band's top reaches zero
    assert band[1][0] == pytest.approx(0, abs=1e-9)      # at the upper bound the band's bottom reaches zero
    assert low < x0 < high


def test_no_projection_when_the_gap_widens_or_is_too_far():
    frame, _ = _converging()
    widening = frame.assign(value=np.where(frame["contender"] == "a", 1e4 / frame["value"], frame["value"]))
    widening.loc[widening["contender"] == "a", "value"] = 100 * np.exp(-0.1 - 0.2 * np.arange(36) / 12)
    result = crossover(widening, "a", "b")
    assert result.status == NOT_WITHIN and result.reason == "the gap is not narrowing"
    slow = frame[frame["period_start"] < "2021-07-01"]     # half a year of data cannot speak for 2.5 years ahead
    result = crossover(slow, "a", "b")
    assert result.status == NOT_WITHIN and "further ahead" in result.reason


def test_observed_crossing_and_the_last_pass():
    frame = long([("2020-01-01", "a", 1), ("2020-01-01", "b", 5), ("2020-02-01", "a", 6), ("2020-02-01", "b", 5),
                  ("2020-03-01", "a", 4), ("2020-03-01", "b", 5), ("2020-04-01", "a", 7), ("2020-04-01", "b", 5)])
    result = crossover(frame, "a", "b")
    assert result.leader == "a" and result.observed_date == pd.Timestamp("2020-04-01")


# -- Seasonality and gaps -----------------------------------------------------------------------------------
def test_stl_finds_the_winter_dip():
    dates = pd.date_range("2016-01-01", periods=72, freq="MS")
    trend = 100 * 1.02 ** np.arange(72)
    dip = np.where(np.isin(dates.month, [12, 1]), 0.8, 1.0)
    rng = np.random.default_rng(1)
    result = stl_decompose(dates, trend * dip * rng.normal(1, 0.01, 72))
    assert result.multiplicative and result.period == 12
    assert result.trough in (12, 1)
    assert -30 < result.winter_effect_pct < -10
    assert result.strength > 0.8
    flat = stl_decompose(dates, trend * rng.normal(1, 0.05, 72))
    assert flat.strength < result.strength
    assert stl_decompose(dates[:20], trend[:20]) is None          # fewer than two full cycles


def test_gaps_and_partial_periods_are_flagged():
    frame = pd.DataFrame({
        "contender": "a", "method": "m", "value": 1.0,
        "period_start": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-04-01", "2024-05-01"]),
        "period_end": pd.to_datetime(["2024-01-31", "2024-02-29", "2024-04-30", "2024-05-31"]),
        "collected_at": pd.to_datetime(["2024-06-02"] * 3 + ["2024-05-15"]), "note": [None, None, None, None]})
    flags = gaps_and_partials(frame)
    assert flags[flags["kind"] == "gap"]["period_start"].tolist() == [pd.Timestamp("2024-03-01")]
    assert flags[flags["kind"] == "partial"]["period_start"].tolist() == [pd.Timestamp("2024-05-01")]


# -- Composite score ----------------------------------------------------------------------------------------
def _metrics(table: dict[str, dict[str, float]]) -> pd.DataFrame:
    return pd.DataFrame([{"contender": c, "signal": s, "metric": s, "value": v}
                         for s, by in table.items() for c, v in by.items()])


def test_composite_hand_checked():
    # jobs: a 10, b 30, c 20 -> 0, 1, 0.5; usage: a 5, b 1, c 3 -> 1, 0, 0.5
    metrics = _metrics({"jobs": {"a": 10, "b": 30, "c": 20}, "usage": {"a": 5, "b": 1, "c": 3}})
    result = composite_score(metrics, {"jobs": 0.6, "usage": 0.4, "books": 0.1}, draws=500)
    scores = result.scores.set_index("contender")["score"]
    # books has no data: dropped, and jobs/usage renormalised to 0.6/0.4 (they already sum to 1)
    assert result.dropped == ("books",) and result.weights == {"jobs": 0.6, "usage": 0.4}
    assert scores.to_dict() == pytest.approx({"b": 60.0, "c": 50.0, "a": 40.0})


def test_group_means_within_a_category():
    metrics = pd.DataFrame([
        {"contender": "a", "signal": "github", "metric": "stars", "value": 10},
        {"contender": "b", "signal": "github", "metric": "stars", "value": 20},
        {"contender": "a", "signal": "github", "metric": "forks", "value": 4},
        {"contender": "b", "signal": "github", "metric": "forks", "value": 2}])
    result = composite_score(metrics, {"github": 1.0}, draws=10)
    assert result.scores.set_index("contender")["score"].to_dict() == pytest.approx({"a": 50.0, "b": 50.0})


def test_presets_come_from_the_bundled_facts():
    from mindshare.bundle import bundle_folder

    facts = pd.read_csv(bundle_folder() / "facts.csv")
    power = preset_weights("power-2018", facts)
    assert power["jobs"] == pytest.approx(0.3) and power["usage"] == pytest.approx(0.2)
    assert set(power) == {"jobs", "usage", "github", "search", "articles", "books", "research"}
    assert sum(power.values()) == pytest.approx(1.0)
    growth = preset_weights("growth-2019", facts)
    assert growth["jobs"] == pytest.approx(0.35) and sum(growth.values()) == pytest.approx(1.0)
    assert parse_weights("jobs=0.5, usage=0.5") == {"jobs": 0.5, "usage": 0.5}
    with pytest.raises(InputError, match="'jobs' is not SIGNAL=WEIGHT"):
        parse_weights("jobs")


def test_a_near_tie_says_the_ranking_flips():
    metrics = _metrics({"jobs": {"a": 10, "b": 0, "c": 5}, "usage": {"a": 0, "b": 10, "c": 5}})
    result = composite_score(metrics, {"jobs": 0.51, "usage": 0.49}, draws=2000)
    top = result.stability.set_index("contender")
    assert not result.stable and 0.2 < top.loc["a", "p_first"] < 0.8
    # c scores 50 under any weights, so when b edges ahead a drops to third: a spans ranks 1 to 3
    assert (top.loc["a", "rank_low"], top.loc["a", "rank_high"]) == (1, 3)
    assert "flips under small changes of weights" in result.sentence()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.floats(0.01, 1.0), min_size=2, max_size=5), st.floats(1.0, 500.0),
       st.lists(st.floats(0, 90), min_size=8, max_size=20), st.integers(0, 2**16))
def test_one_dominant_contender_is_first_under_any_weights(weights, kappa, others, seed):
    signals = [f"s{i}" for i in range(len(weights))]
    table = {s: {"top": 100.0, **{f"c{j}": others[(i + j) % len(others)] for j in range(3)}}
             for i, s in enumerate(signals)}
    result = composite_score(_metrics(table), dict(zip(signals, weights)), kappa=kappa, draws=200, seed=seed)
    assert result.leader == "top" and result.stable
    top = result.stability.set_index("contender").loc["top"]
    assert top["p_first"] == 1.0 and (top["rank_low"], top["rank_high"]) == (1, 1)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.5, 1e3), min_size=3, max_size=3), st.lists(st.floats(0.5, 1e3), min_size=3, max_size=3),
       st.floats(1e-3, 1e6))
def test_scaling_a_metric_leaves_scores_and_ranks_unchanged(jobs, usage, scale):
    metrics = _metrics({"jobs": dict(zip("abc", jobs)), "usage": dict(zip("abc", usage))})
    scaled = metrics.assign(value=np.where(metrics["signal"] == "jobs", metrics["value"] * scale, metrics["value"]))
    one = composite_score(metrics, {"jobs": 0.3, "usage": 0.7}, draws=50)
    two = composite_score(scaled, {"jobs": 0.3, "usage": 0.7}, draws=50)
    assert one.scores["score"].to_numpy() == pytest.approx(two.scores["score"].to_numpy(), abs=1e-6)
    assert one.stability["p_first"].tolist() == two.stability["p_first"].tolist()


def test_min_max_of_a_metric_without_spread():
    scaled = min_max(pd.DataFrame({"x": [3.0, 3.0], "y": [1.0, np.nan]}))
    assert scaled["x"].tolist() == [0.5, 0.5] and np.isnan(scaled["y"].iloc[1])


# -- Shares -------------------------------------------------------------------------------------------------
# values are 0 or at least 1e-6 (counts, downloads, shares): denormal floats would underflow when scaled
@settings(deadline=None)
@given(st.lists(st.one_of(st.just(0.0), st.floats(1e-6, 1e9)), min_size=2, max_size=12).filter(lambda v: sum(v) > 0),
       st.floats(1e-3, 1e6))
def test_shares_sum_to_100_and_ignore_scale(values, scale):
    frame = pd.DataFrame({"period_start": ORIGIN, "contender": [f"c{i}" for i in range(len(values))],
                          "value": values})
    shares = share_among(frame, by=["period_start"])["share_pct"]
    assert shares.sum() == pytest.approx(100.0)
    scaled = share_among(frame.assign(value=frame["value"] * scale), by=["period_start"])["share_pct"]
    assert scaled.to_numpy() == pytest.approx(shares.to_numpy(), abs=1e-9)


# -- Survey statistics ---------------------------------------------------------------------------------------
def test_newcombe_interval_of_a_difference_published_example():
    # Newcombe (1998), Statistics in Medicine 17:873, example (c): 56/70 - 48/80, method 10: 0.0524 to 0.3339
    result = independent_difference(56, 70, 48, 80)
    assert result.difference == pytest.approx(0.2)
    assert (result.ci_low, result.ci_high) == (pytest.approx(0.0524, abs=5e-5), pytest.approx(0.3339, abs=5e-5))
    assert result.significant and result.p_value < 0.05


def test_newcombe_matches_statsmodels():
    from statsmodels.stats.proportion import confint_proportions_2indep

    for x1, n1, x2, n2 in ((9, 100, 3, 100), (240, 2400, 210, 2400), (1, 30, 0, 25)):
        ours = independent_difference(x1, n1, x2, n2)
        low, high = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")
        assert (ours.ci_low, ours.ci_high) == (pytest.approx(low), pytest.approx(high))


def test_wilson_interval_hand_checked():
    low, high = wilson_interval(81, 263)   # Newcombe (1998) single-proportion example: 0.2553 to 0.3662
    assert (low, high) == (pytest.approx(0.2553, abs=5e-5), pytest.approx(0.3662, abs=5e-5))


def test_paired_difference_reduces_to_independent_without_correlation_and_unknown_overlap_is_wider():
    # a*d == b*c makes phi 0: the paired interval is then the independent one with n1 = n2 = n
    paired = paired_difference(both=10, only1=20, only2=5, neither=10)
    independent = independent_difference(30, 45, 15, 45)
    assert (paired.ci_low, paired.ci_high) == (pytest.approx(independent.ci_low), pytest.approx(independent.ci_high))
    unknown = same_sample_difference(30, 15, 45)
    assert unknown.ci_low <= paired.ci_low and unknown.ci_high >= paired.ci_high
    assert unknown.design == "paired, overlap unknown"
    assert "significant at 5%" in unknown.sentence("TensorFlow", "PyTorch")


def test_count_comparison_of_small_and_large_counts():
    small = count_comparison(4, 3)
    assert not small.significant and small.p_value == pytest.approx(1.0)
    large = count_comparison(200, 100)
    assert large.significant and large.ratio_low < 2.0 < large.ratio_high


# -- The pipeline (DuckDB), the verdict and snapshot comparison -------------------------------------------------
def _store_like(rows, method="m1", signal="jobs"):
    frame = long(rows, method)
    return frame.assign(signal=signal, metric="posts_mentioning", source="test", segment="all", subject=frame["contender"],
                        period_end=frame["period_start"] + pd.offsets.MonthEnd(0), note=None,
                        collected_at=pd.Timestamp("2030-01-01"))


def _small_store():
    dates = pd.date_range("2019-01-01", periods=40, freq="MS")
    rows = []
    for i, day in enumerate(dates):
        rows += [(day, "tf", 300 - 4 * i), (day, "pt", 100 + 3 * i + (i % 3)), (day, "keras", 50 + (i % 2))]
    return _store_like(rows)


def test_pipeline_hand_checked_standings_and_crossing():
    from mindshare.analysis.pipeline import analyse_frame

    result = analyse_frame(_small_store(), presets=())
    standing = result.standings.set_index("contender")
    # 2022-04 is the 40th month (i = 39): tf 300 - 156 = 144, pt 100 + 117 + 0 = 217, keras 51
    assert standing.loc["pt", "value_now"] == 217 and standing.loc["tf", "value_now"] == 144
    assert standing.loc["pt", "share_now"] == pytest.approx(100 * 217 / (217 + 144 + 51))
    assert standing.loc["pt", "d_before"] == pd.Timestamp("2021-04-01")
    crossing = result.crossovers.iloc[0]
    # pt passes tf when 100 + 3i + (i % 3) > 300 - 4i: i = 28 (2021-05), 184 + 1 = 185 > 188? no; i = 29: 189 > 184
    assert crossing["observed"] == pd.Timestamp("2021-06-01")
    trends = result.trends.set_index("contender")
    assert trends.loc["pt", "direction"] == "rising" and trends.loc["tf", "direction"] == "falling"


@settings(max_examples=10, deadline=None)
@given(st.floats(1e-3, 1e4))
def test_pipeline_scaling_every_series_leaves_shares_and_ranking_unchanged(scale):
    from mindshare.analysis.pipeline import analyse_frame

    frame = _small_store()
    one = analyse_frame(frame, presets=(), draws=50)
    two = analyse_frame(frame.assign(value=frame["value"] * scale), presets=(), draws=50)
    assert one.standings["contender"].tolist() == two.standings["contender"].tolist()
    assert one.standings["share_now"].to_numpy() == pytest.approx(two.standings["share_now"].to_numpy())
    assert one.trends["share_pts_per_year"].to_numpy() == pytest.approx(two.trends["share_pts_per_year"].to_numpy())


def test_pipeline_reads_only_the_latest_method_and_leaves_partial_periods_out():
    from mindshare.analysis.pipeline import analyse_frame

    old = _small_store()
    new = _store_like([(d, c, v * 10) for d, c, v in [(pd.Timestamp("2022-05-01") + pd.DateOffset(months=k), c, v)
                                                    for k in range(6) for c, v in (("tf", 150), ("pt", 200), ("keras", 50))]],
                      method="m2")
    partial = _store_like([("2022-11-01", "tf", 1.0), ("2022-11-01", "pt", 1.0)], method="m2").assign(
        note="partial month")
    result = analyse_frame(pd.concat([old, new, partial]), presets=())
    assert set(result.standings["method"]) == {"m2"}
    assert result.standings["d_now"].iloc[0] == pd.Timestamp("2022-10-01")
    assert result.excluded["readings"].tolist() == [2]
    assert (result.trends["start"] >= pd.Timestamp("2022-05-01")).all()


def test_each_row_carries_its_value_then_like_for_like_hand_checked():
    """The same pooled posts as known on 2019-06-30 (300 vs 100) and now (both months: 520 vs 210): 3.0x then,
    2.48x now."""
    from mindshare.analysis.answer import answer_of
    from mindshare.analysis.pipeline import analyse_frame

    frame = _store_like([("2019-03-01", "tf", 300), ("2019-03-01", "pt", 100),
                         ("2020-01-01", "tf", 220), ("2020-01-01", "pt", 110)])
    names = {"tf": "TensorFlow", "pt": "PyTorch"}.get
    now = analyse_frame(frame, presets=())
    then = analyse_frame(frame[frame["period_start"] <= "2019-06-30"], presets=())
    answer = answer_of(now, report_date="2020-02-01", names=names, then=then, compare_to="2019-06-30", draws=20)
    row = next(r for r in answer.scoreboard if r.signal == "jobs")
    assert row.ratio == pytest.approx(520 / 210, abs=1e-4) and row.then.ratio == 3.0 and row.then.status == "compared"
    assert row.then.words == "TensorFlow 3.0x (2019-03)" and row.as_dict()["then"]["day"] == "2019-06-30"


def test_bundled_analysis_reads_the_latest_method_and_reproduces_hales_presets(bundled_store_path):
    from mindshare.analysis.pipeline import analyse_frame
    from mindshare.session import session as store_session

    with store_session(bundled_store_path) as store:
        observations = store.observations()
    result = analyse_frame(observations, draws=300)
    downloads = result.standings[result.standings["signal"] == "downloads"]
    assert downloads["method"].str.contains("ClickHouse").all()            # the latest PyPI method only
    assert set(result.composites) == {"power-2018", "growth-2019"}
    assert "books" in result.composites["power-2018"].dropped
    assert result.excluded.set_index("signal").loc["qa", "readings"] == 3   # Stack Overflow 2020 is partial
    from mindshare.analysis.composite import preset_finding

    for preset, composite in result.composites.items():
        text, figures = preset_finding(preset, composite)
        assert text.startswith(f"Composite score ({preset})") and figures


@pytest.mark.parametrize(("a", "b"), [(4, 3), (0, 5), (30, 12), (208, 1091), (7, 7)])
def test_count_comparison_matches_scipy_binomtest(a, b):
    from scipy import stats

    ours = count_comparison(a, b)
    test = stats.binomtest(a, a + b, 0.5)
    low, high = test.proportion_ci(0.95, method="exact")
    assert ours.p_value == pytest.approx(test.pvalue)
    assert ours.ratio_low == pytest.approx(low / (1 - low))
    if high < 1:
        assert ours.ratio_high == pytest.approx(high / (1 - high))


def test_paired_mcnemar_p_value_matches_scipy():
    from scipy import stats

    result = paired_difference(both=12, only1=9, only2=2, neither=21)
    assert result.p_value == pytest.approx(stats.binomtest(9, 11, 0.5).pvalue)
    assert result.difference == pytest.approx(7 / 44)


# -- Report integration ---------------------------------------------------------------------------------------
def test_summary_carries_hales_composite_with_its_figures(built_report):
    _, results = built_report
    summary = next(s for s in results["sections"] if s["id"] == "summary")
    composite = [f for f in summary["findings"] if f["text"].startswith("Composite score (power-2018)")]
    assert composite and {"composite_score", "p_rank_first", "rank_interval", "weights"} <= {
        fig["name"] for fig in composite[0]["figures"]}
    p_first = next(fig["value"] for fig in composite[0]["figures"] if fig["name"] == "p_rank_first")
    assert f"{p_first * 100:.0f}%" in composite[0]["text"]
    answer = next(s for s in results["sections"] if s["id"] == "headline")   # the answer's advice and trends
    assert any(f["role"] == "focus" for f in answer["findings"]) and "Newey-West" in " ".join(answer["method_notes"])
    assert all(f["figures"] for f in summary["findings"])


def test_report_compare_to_and_weights_from_the_cli(tmp_path, bundled_store_path):
    import json
    import shutil

    from typer.testing import CliRunner

    from mindshare.cli import app

    db = tmp_path / "store.duckdb"
    shutil.copy(bundled_store_path, db)
    runner = CliRunner()
    out = tmp_path / "report"
    result = runner.invoke(app, ["--db", str(db), "report", "--out", str(out), "--no-png", "--compare-to", "2023-01-01",
                                 "--weights", "jobs=0.5,downloads=0.5"])
    assert result.exit_code == 0, result.output
    sections = {s["id"]: s for s in json.loads((out / "results.json").read_text())["sections"]}
    summary = sections["summary"]
    rows = next(t["rows"] for t in sections["headline"]["tables"] if t["name"] == "scoreboard")
    downloads = next(r for r in rows if r["signal"] == "downloads")
    assert downloads["then"]["day"] == "2023-01-01" and downloads["then"]["leader"] == "tensorflow"
    assert "; on 2023-01-01: TensorFlow" in downloads["lead"]                 # beside the value now, first screen
    assert next(t for t in summary["tables"] if t["name"] == "comparison")["rows"]
    since = [f["text"] for f in summary["findings"] if f["text"].startswith("Since 2023-01-01: downloads (")]
    assert since and "TensorFlow" in since[0] and "→" in since[0]     # the signal id first, then then → now
    assert any(f["text"].startswith("Composite score (custom)") for f in summary["findings"])
    bad = runner.invoke(app, ["--db", str(db), "report", "--out", str(out), "--compare-to", "last year"])
    # the CLI's entry point prints MindshareError as "error: <message>"; CliRunner on the app shows the exception
    assert bad.exit_code != 0 and "--compare-to 'last year' is not a date" in str(bad.exception)
    bad = runner.invoke(app, ["--db", str(db), "report", "--out", str(out), "--weights", "jobs"])
    assert bad.exit_code != 0 and "--weights 'jobs'" in str(bad.exception)


def test_two_versions_of_a_method_on_the_same_dates_never_mix():
    from mindshare.analysis.pipeline import analyse_frame

    old_rules = _store_like([(f"{y}-01-01", c, v) for y in (2017, 2018, 2019) for c, v in (("tf", 90), ("pt", 10))],
                            method="rules-2019")
    new_rules = _store_like([(f"{y}-01-01", c, v) for y in (2017, 2018, 2019, 2020) for c, v in (("tf", 60), ("pt", 40))],
                            method="rules-2021")
    result = analyse_frame(pd.concat([old_rules, new_rules]).sample(frac=1, random_state=4), presets=())
    standing = result.standings.set_index("contender")
    assert standing.loc["pt", "share_now"] == pytest.approx(40.0)       # not (40 + 10) / 200
    assert standing.loc["pt", "share_before"] == pytest.approx(40.0)    # 2019 read with the newer rules only
    assert set(standing["method"]) == {"rules-2021"} and standing["since"].iloc[0] == pd.Timestamp("2017-01-01")


def test_the_chosen_series_does_not_depend_on_the_catalogues_order():
    """Two survey segments equal on every preference key (SO 2024: all respondents and people learning to code):
    the whole population is chosen, whatever order the catalogue's groups came in."""
    from mindshare.analysis.pipeline import _choose_series

    rows = [{"signal": "usage", "metric": "so_survey_share", "source": "Stack Overflow Developer Survey 2024",
             "segment": segment, "contenders": 5, "rows": 5, "first": pd.Timestamp("2024-05-20"),
             "last": pd.Timestamp("2024-05-20")} for segment in ("learning to code", "all respondents", "other coders")]
    for order in (rows, rows[::-1], rows[1:] + rows[:1]):
        chosen = _choose_series(pd.DataFrame(order))
        assert chosen.loc[chosen["signal"] == "usage", "segment"].tolist() == ["all respondents"]

"""The Summary section's statistics: the verdict, composite scores with their stability, trend intervals,
crossovers, seasonality, survey differences, gaps, and (with --compare-to) every headline beside its earlier value.

Called from report.build.summary_section with one line; everything here is computed by mindshare.analysis (pure
functions, DuckDB for the aggregation) and turned into Findings whose figures travel into results.json.
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd

from mindshare.report.model import Finding, Section, Table


def field_weights(field) -> dict[str, float] | None:
    """[score_weights] of the field file (signal = weight), if it has one."""
    import tomllib

    from mindshare.errors import FieldError

    try:
        data = tomllib.loads(field.path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, AttributeError):
        return None
    weights = data.get("score_weights")
    if weights is None:
        return None
    if not isinstance(weights, dict) or not all(isinstance(v, (int, float)) and v >= 0 for v in weights.values()) \
            or sum(weights.values()) <= 0:
        raise FieldError(f"{field.path}: [score_weights] must map signals to non-negative numbers, not all zero")
    return {str(k): float(v) for k, v in weights.items()}


def add_analysis(inputs, section: Section) -> None:
    """Add the statistics to the summary. The additions are cached by a digest of everything they depend on (the
    observations, the earlier observations, the options, the field file and this code), so a warm report does not
    pay for importing scipy/statsmodels or refitting anything."""
    weights = getattr(inputs, "weights", None) or field_weights(inputs.field)
    key = _digest(inputs, weights)
    cached = _cache_path(key)
    if cached is not None and cached.exists():
        try:
            additions = pickle.loads(cached.read_bytes())
        except Exception:  # a stale or broken cache entry is recomputed, never fatal
            additions = None
        if isinstance(additions, Section):
            _extend(section, additions)
            return
    additions = Section(id="summary", title="")
    _compute(inputs, additions, weights)
    if cached is not None:
        try:
            tmp = cached.with_suffix(".tmp")
            tmp.write_bytes(pickle.dumps(additions))
            tmp.replace(cached)
        except OSError:
            pass
    _extend(section, additions)


def _extend(section: Section, additions: Section) -> None:
    section.findings.extend(additions.findings)
    section.tables.extend(additions.tables)
    section.charts.extend(additions.charts)
    section.notes.extend(additions.notes)


def _cache_path(key: str):
    from mindshare import settings

    try:
        folder = settings.load().cache_root / "analysis"
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder / f"{key}.pickle"


def _digest(inputs, weights) -> str:
    import hashlib
    from pathlib import Path

    import mindshare.analysis

    h = hashlib.sha256()
    for frame in (inputs.observations, getattr(inputs, "compare_observations", None)):
        if frame is not None:
            # row hashes sorted: the store returns tied rows in no fixed order, and the analysis does not depend on it
            rows = pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy()
            h.update(np.sort(rows).tobytes())
        h.update(b"|")
    h.update(repr((getattr(inputs, "compare_to", None), sorted((weights or {}).items()),
                   [(c.id, c.name, c.color) for c in inputs.field.contenders])).encode())
    here = Path(__file__).parent
    code = sorted(Path(mindshare.analysis.__file__).parent.glob("*.py")) + [
        Path(__file__), here / "charts.py", here / "model.py"]
    for path in code:
        h.update(path.read_bytes())
    return h.hexdigest()[:32]


def _compute(inputs, section: Section, weights) -> None:
    from mindshare.analysis.pipeline import analyse_frame

    observations = inputs.observations[inputs.observations["kind"] == "number"] \
        if "kind" in inputs.observations else inputs.observations
    result = analyse_frame(observations, contenders=list(inputs.field.ids), names=inputs.name, weights=weights)
    for sentence in result.verdict:
        section.findings.append(Finding(sentence.text, sentence.figures))
    _standings_table(inputs, section, result)
    _composite_tables(inputs, section, result)
    _trend_tables(inputs, section, result)
    _seasonality(inputs, section, observations)
    _survey_differences(inputs, section, observations)
    _gaps(inputs, section, result, observations)
    compare_to = getattr(inputs, "compare_to", None)
    if compare_to:
        _comparison(inputs, section, result, compare_to)


def _standings_table(inputs, section: Section, result) -> None:
    """Each signal's contenders at its latest comparable reading and a year before: the verdict's numbers."""
    standings = result.standings.dropna(subset=["value_now"])
    if standings.empty:
        return
    table = pd.DataFrame({
        "signal": standings["signal"], "framework": standings["contender"].map(inputs.name),
        "reading": pd.to_datetime(standings["d_now"]).dt.strftime("%Y-%m"),
        "value": standings["value_now"], "share_pct": standings["share_now"].round(1),
        "year_before": pd.to_datetime(standings["d_before"]).dt.strftime("%Y-%m"),
        "share_pct_before": standings["share_before"].round(1),
        "stale": standings["signal"].isin(result.stale),
        "method": standings["method"],
    })
    section.tables.append(Table("standings", "Each signal at its latest comparable reading (one method, no partial "
                                "period) and a year before; shares are among the contenders the signal measures",
                                table))


def _composite_tables(inputs, section: Section, result) -> None:
    from mindshare.report import charts
    from mindshare.report.model import Chart

    rows, weights = [], []
    for preset, composite in result.composites.items():
        merged = composite.scores.merge(composite.stability, on="contender")
        merged = merged.assign(preset=preset, framework=merged["contender"].map(inputs.name))
        rows.append(merged)
        weights += [{"preset": preset, "signal": s, "weight_used": round(w, 4)} for s, w in composite.weights.items()]
        weights += [{"preset": preset, "signal": s, "weight_used": None, "note": "no current data: dropped"}
                    for s in composite.dropped]
    if not rows:
        section.notes.append("No composite score: fewer than two contenders share a current signal.")
        return
    table = pd.concat(rows)[["preset", "rank", "framework", "score", "p_first", "rank_low", "rank_high", "missing"]]
    table = table.assign(score=table["score"].round(1), p_first=table["p_first"].round(3))
    section.tables.append(Table("composite_scores", "Composite score (Hale's method: min-max per metric, weighted sum "
                                "x 100) and its stability under Dirichlet-sampled weights: P(rank first) and the 95% "
                                "rank interval", table))
    section.tables.append(Table("composite_weights", "Weights used per preset (renormalised over the signals with "
                                "current data)", pd.DataFrame(weights)))
    chart_frame = table.assign(panel="composite " + table["preset"])
    section.charts.append(Chart("composite_scores", "Composite scores", charts.bar_chart(
        chart_frame, category="panel", value="score", color="framework", title="Composite score (of 100)",
        x_title="score", palette=inputs.palette), table="composite_scores"))
    section.notes.append(
        "Composite: each metric is min-max scaled across the contenders, metrics of a signal averaged, and the "
        "signals weighted (presets: Hale's 2018 power score and 2019 growth score, from the bundled facts; growth "
        "uses the change in share over the last year). Weights are then drawn from a Dirichlet distribution "
        f"centred on the preset (kappa {next(iter(result.composites.values())).kappa:.0f}); a ranking whose leader "
        "is first in fewer than 95% of draws is reported as unstable. Signals older than five years are left out: "
        f"{', '.join(result.stale) or 'none'}.")


def _trend_tables(inputs, section: Section, result) -> None:
    if not result.trends.empty:
        trends = result.trends.assign(framework=result.trends["contender"].map(inputs.name))
        for column in ("share_pts_per_year", "ci_low", "ci_high", "ols_pts_per_year", "ols_ci_low", "ols_ci_high"):
            trends[column] = trends[column].round(2)
        section.tables.append(Table("share_trends", "Trend of each contender's share (points per year) over the last "
                                    "three years of the current method: Theil–Sen with Sen's 95% interval, and OLS",
                                    trends[["signal", "framework", "start", "end", "n", "share_pts_per_year", "ci_low",
                                            "ci_high", "ols_pts_per_year", "ols_ci_low", "ols_ci_high", "direction"]],
                                    collapsed=True))
    if not result.crossovers.empty:
        cross = result.crossovers.assign(leader=result.crossovers["leader"].map(inputs.name),
                                         trailing=result.crossovers["trailing"].map(inputs.name))
        section.tables.append(Table("crossovers", "Crossovers of each signal's two leaders: the last observed pass "
                                    "(within one method) and a projected one with its 95% (Fieller) interval",
                                    cross[["signal", "leader", "trailing", "latest", "ratio_now", "observed", "status",
                                           "projected", "projected_low", "projected_high", "reason"]]))


def _seasonality(inputs, section: Section, observations: pd.DataFrame) -> None:
    """STL of each monthly series with at least two full years: the HN job posts (all posts and each framework's
    share) and search interest or pageviews when collected (the 2020 article's winter dip)."""
    from mindshare.analysis.seasonality import stl_decompose

    series = []
    wanted = observations["metric"].isin(["pct_of_posts", "search_interest", "pageviews"])
    for (metric, contender, method), group in observations[wanted & observations["contender"].isin(inputs.field.ids)] \
            .groupby(["metric", "contender", "method"]):
        series.append((metric, inputs.name(contender), method, group))
    totals = observations[(observations["metric"] == "job_posts") & (observations["subject"] == "_all_posts")]
    for method, group in totals.groupby("method"):
        series.append(("job_posts", "all HN job posts", method, group))
    rows = []
    for metric, who, method, group in series:
        if group["value"].notna().sum() < 24:
            continue
        result = stl_decompose(group["period_start"], group["value"])
        if result is None:
            continue
        rows.append({"metric": metric, "series": who, "method": method, "months": len(result.components),
                     "strength": round(result.strength, 2),
                     "winter_effect": round(result.winter_effect_pct, 2) if result.winter_effect_pct is not None else None,
                     "winter_unit": "% of trend" if result.multiplicative else "units of the series",
                     "trough_month": result.trough, "interpolated": result.filled})
    if not rows:
        return
    table = pd.DataFrame(rows)
    section.tables.append(Table("seasonality", "Seasonal decomposition (STL, robust; multiplicative when the series "
                                "is positive): strength of seasonality 0-1 and the December–January effect", table))
    strongest = table.sort_values("strength", ascending=False).iloc[0]
    words = "a clear" if strongest["strength"] >= 0.4 else "a weak"
    effect = (f"{strongest['winter_effect']:+.1f}% against the trend" if strongest["winter_unit"] == "% of trend"
              else f"{strongest['winter_effect']:+.2f} ({strongest['metric']}) against the trend")
    section.findings.append(Finding(
        f"Seasonality: the most seasonal monthly series is {strongest['series']} ({strongest['metric']}), "
        f"{words} pattern (STL strength {strongest['strength']:.2f} of 1); December–January run {effect}, "
        f"the lowest month is {_MONTHS[int(strongest['trough_month']) - 1]}.",
        [{"name": "seasonal_strength", "value": float(strongest["strength"]), "unit": "0-1",
          "series": strongest["series"], "metric": strongest["metric"]},
         {"name": "winter_effect", "value": float(strongest["winter_effect"]), "unit": strongest["winter_unit"],
          "series": strongest["series"], "metric": strongest["metric"]},
         {"name": "trough_month", "value": int(strongest["trough_month"]), "unit": "month"}]))


_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]


def _survey_differences(inputs, section: Section, observations: pd.DataFrame) -> None:
    """Difference of the two leading shares in each survey that gave counts, and in the last year of HN job posts."""
    from mindshare.analysis.surveys import same_sample_difference

    rows = []
    counts = observations[(observations["metric"] == "so_survey_count") & observations["contender"].isin(inputs.field.ids)]
    bases = observations[(observations["metric"] == "so_survey_respondents") & (observations["subject"] == "_answered")]
    for (source, segment, period), group in counts.groupby(["source", "segment", "period_label"]):
        base = bases[(bases["source"] == source) & (bases["segment"] == segment) & (bases["period_label"] == period)]
        if base.empty or len(group) < 2:
            continue
        n = float(base["value"].iloc[0])
        top = group.sort_values("value", ascending=False).iloc[:2]
        rows.append((f"{source} ({segment})", top.iloc[0], top.iloc[1], n))
    posts = observations[(observations["metric"] == "posts_mentioning") & observations["contender"].isin(inputs.field.ids)]
    totals = observations[(observations["metric"] == "job_posts") & (observations["subject"] == "_all_posts")]
    if not posts.empty and not totals.empty:
        last = posts["period_start"].max()
        window = posts[posts["period_start"] > last - pd.DateOffset(years=1)]
        summed = window.groupby("contender")["value"].sum().sort_values(ascending=False)
        n = totals[totals["period_start"].isin(window["period_start"].unique())]["value"].sum()
        if len(summed) >= 2 and n > 0:
            label = f"HN 'Who is hiring?' posts, 12 months to {last:%Y-%m}"
            rows.append((label, pd.Series({"contender": summed.index[0], "value": summed.iloc[0]}),
                         pd.Series({"contender": summed.index[1], "value": summed.iloc[1]}), float(n)))
    table = []
    for where, first, second, n in rows:
        diff = same_sample_difference(float(first["value"]), float(second["value"]), n)
        a, b = inputs.name(first["contender"]), inputs.name(second["contender"])
        table.append({"sample": where, "first": a, "second": b, "n": int(n), "share_first_pct": round(diff.p1 * 100, 2),
                      "share_second_pct": round(diff.p2 * 100, 2), "difference_pts": round(diff.difference * 100, 2),
                      "ci_low_pts": round(diff.ci_low * 100, 2), "ci_high_pts": round(diff.ci_high * 100, 2),
                      "significant": diff.significant, "design": diff.design})
        section.findings.append(Finding(diff.sentence(a, b, f"({where}, n = {int(n):,})"), [
            {"name": "share_difference_pts", "value": round(diff.difference * 100, 3), "unit": "points",
             "ci_low": round(diff.ci_low * 100, 3), "ci_high": round(diff.ci_high * 100, 3), "n": int(n),
             "sample": where, "design": diff.design},
            {"name": f"{a} count", "value": float(first["value"]), "unit": "respondents or posts", "sample": where},
            {"name": f"{b} count", "value": float(second["value"]), "unit": "respondents or posts", "sample": where}]))
    if table:
        section.tables.append(Table("share_differences", "Difference of two shares of the same sample, with a 95% "
                                    "interval (Newcombe, paired; the overlap of the two groups is unknown, so the "
                                    "interval is the widest the counts allow)", pd.DataFrame(table)))


def _gaps(inputs, section: Section, result, observations: pd.DataFrame) -> None:
    from mindshare.analysis.seasonality import gaps_and_partials

    for row in result.excluded.itertuples(index=False):
        section.notes.append(f"{row.signal}: {row.readings} partial reading(s) ({row.first:%Y-%m} to {row.last:%Y-%m}) "
                             "left out of standings, trends and scores.")
    for series in result.series.itertuples(index=False):
        chosen = observations[(observations["signal"] == series.signal) & (observations["metric"] == series.metric)
                              & (observations["source"] == series.source)
                              & observations["contender"].isin(inputs.field.ids)]
        flags = gaps_and_partials(chosen[chosen["value"].notna()])
        gaps = flags[flags["kind"] == "gap"]
        if not gaps.empty:
            months = gaps.groupby("contender").size()
            section.notes.append(
                f"{series.signal} ({series.metric}): missing periods inside the series — "
                + ", ".join(f"{inputs.name(c)} {n}" for c, n in months.items())
                + "; trends and seasonal fits skip them (STL interpolates them, and says so).")
    if result.stale:
        section.notes.append(f"Stale signals (latest reading more than five years before the newest): "
                             f"{', '.join(result.stale)}; shown, but not counted in the agreement or the composite.")


def _comparison(inputs, section: Section, result, compare_to: str) -> None:
    from mindshare.analysis.compare import compare_standings, comparison_sentences
    from mindshare.analysis.pipeline import analyse_frame

    earlier = getattr(inputs, "compare_observations", None)
    if earlier is None or earlier.empty:
        section.notes.append(f"--compare-to {compare_to}: the store knew no observations of that date.")
        return
    earlier = earlier[earlier["kind"] == "number"] if "kind" in earlier else earlier
    then = analyse_frame(earlier, contenders=list(inputs.field.ids), names=inputs.name, presets=(), draws=10)
    table = compare_standings(result.standings, then.standings, result.trends, then.trends)
    for sentence in comparison_sentences(table, compare_to, inputs.name):
        section.findings.append(Finding(f"Since {compare_to}: {sentence.text}", sentence.figures))
    shown = table.assign(leader_now=table["leader_now"].map(inputs.name),
                         leader_then=table["leader_then"].map(lambda v: inputs.name(v) if isinstance(v, str) else v))
    section.tables.append(Table("comparison", f"Each signal now and as known on {compare_to}", shown))

"""Section `summary` (titled "Method details"): what stands behind the answer, for a reader who wants to check it:
each signal's standings at its latest comparable reading, share trends with naive and autocorrelation-robust
intervals, crossovers, Hale's composite reproduced (a record of his method, never the answer), seasonality, the
differences of two shares of one sample, gaps, and (with --compare-to) every signal beside its earlier value.

It reads the one run of the analysis the report's engine made (report.engine), the same run the answer (the
`headline` section) was made from: nothing is stated twice, and nothing here runs the analysis.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from mindshare.analysis.composite import preset_finding
from mindshare.analysis.pipeline import Analysis
from mindshare.catalogue import JOB_POSTS, PAGEVIEWS, PCT_OF_POSTS, SEARCH_INTEREST, STACKOVERFLOW_SURVEY
from mindshare.report import figures
from mindshare.report.evidence import Evidence
from mindshare.report.model import Finding, Section, Table

TITLE = "Method details"
INTRO = ("The tables behind the answer, for checking it: each signal at its latest comparable reading, share "
         "trends with their intervals, crossovers, seasonality, and the paired differences of survey shares.")
NOTHING_YET = "No signal has enough data for a standing yet."


@dataclass(frozen=True, eq=False)
class SummaryInput:
    evidence: Evidence
    result: Analysis                    # the engine's run over the evidence's numbers
    presets: tuple[str, ...] = ()       # Hale's composite presets, for a field that reproduces his article
    presets_words: str = ""
    weights: dict[str, float] | None = None
    compare_to: date | None = None       # --compare-to DATE
    then: Analysis | None = None        # the run over the numbers as known that day (None: the store knew none)
    answer: dict | None = None          # the answer made from `result` (its scoreboard rows carry their `then`)


def build(inputs: SummaryInput) -> Section:
    """The method-details section (its notes say when there is nothing to show yet)."""
    section = Section(id="summary", title=TITLE, intro=INTRO)
    evidence, result = inputs.evidence, inputs.result
    observations = evidence.observations[evidence.observations["kind"] == "number"]
    # Hale's composite, labelled as a reproduction of his method (the answer never states it)
    for preset, composite in result.composites.items():
        text, stated = preset_finding(preset, composite, evidence.name)
        section.findings.append(Finding(text, stated))
    _standings_table(inputs, section, result)
    _composite_tables(inputs, section, result)
    _trend_tables(inputs, section, result)
    _seasonality(inputs, section, observations)
    _survey_differences(inputs, section, observations)
    _gaps(inputs, section, result, observations)
    if inputs.compare_to:
        _comparison(inputs, section, result, inputs.compare_to)
    return section


def _standings_table(inputs: SummaryInput, section: Section, result) -> None:
    """Each signal's contenders at its latest comparable reading and a year before: the verdict's numbers."""
    standings = result.standings.dropna(subset=["value_now"])
    if standings.empty:
        return
    table = pd.DataFrame({
        "signal": standings["signal"], "framework": standings["contender"].map(inputs.evidence.name),
        "reading": pd.to_datetime(standings["d_now"]).dt.strftime("%Y-%m"),
        "value": standings["value_now"], "share_pct": standings["share_now"].round(1),
        "year_before": pd.to_datetime(standings["d_before"]).dt.strftime("%Y-%m"),
        "share_pct_before": standings["share_before"].round(1),
        "stale": standings["signal"].isin(result.stale),
        "method": standings["method"],
    })
    section.tables.append(Table("standings", "Each signal at its latest comparable reading (one method, no partial "
                                "period) and a year before; shares are among the contenders the signal measures",
                                table, collapsed=True))


def _composite_tables(inputs: SummaryInput, section: Section, result) -> None:
    rows, weights = [], []
    for preset, composite in result.composites.items():
        merged = composite.scores.merge(composite.stability, on="contender")
        merged = merged.assign(preset=preset, framework=merged["contender"].map(inputs.evidence.name))
        rows.append(merged)
        weights += [{"preset": preset, "signal": s, "weight_used": round(w, 4)} for s, w in composite.weights.items()]
        weights += [{"preset": preset, "signal": s, "weight_used": None, "note": "no current data: dropped"}
                    for s in composite.dropped]
    if not rows:
        section.notes.append("No composite score: fewer than two contenders share a current signal."
                             if inputs.presets or inputs.weights else
                             "No composite score: the field has no score weights (give its file a "
                             "score_weights table, or pass --weights).")
        return
    table = pd.concat(rows)[["preset", "rank", "framework", "score", "p_first", "rank_low", "rank_high", "missing"]]
    table = table.assign(score=table["score"].round(1), p_first=table["p_first"].round(3))
    section.tables.append(Table("composite_scores", "Hale's composite, reproduced (a record of his method, not the answer; "
                                "min-max per metric, weighted sum "
                                "x 100) and its stability under Dirichlet-sampled weights: P(rank first) and the 95% "
                                "rank interval", table))
    section.tables.append(Table("composite_weights", "Weights used per preset (renormalised over the signals with "
                                "current data)", pd.DataFrame(weights), collapsed=True))
    chart_frame = table.assign(panel="composite " + table["preset"])
    section.charts.append(figures.bars(
        "composite_scores", "Composite scores", chart_frame, category="panel", value="score", color="framework",
        plot_title="Composite score (of 100)", x_title="score", palette=inputs.evidence.palette, table="composite_scores"))
    section.notes.append(
        "Composite: each metric is min-max scaled across the contenders, metrics of a signal averaged, and the "
        f"signals weighted ({inputs.presets_words or 'the field' + chr(39) + 's score weights or --weights'}). "
        "Weights are then drawn from a Dirichlet distribution "
        f"centred on the preset (kappa {next(iter(result.composites.values())).kappa:.0f}); a ranking whose leader "
        "is first in fewer than 95% of draws is reported as unstable. Signals older than five years are left out: "
        f"{', '.join(result.stale) or 'none'}.")


def _trend_tables(inputs: SummaryInput, section: Section, result) -> None:
    if not result.trends.empty:
        trends = result.trends.assign(framework=result.trends["contender"].map(inputs.evidence.name))
        for column in ("share_pts_per_year", "ci_low", "ci_high", "ols_pts_per_year", "ols_ci_low", "ols_ci_high",
                       "hac_ci_low", "hac_ci_high"):
            trends[column] = trends[column].round(2)
        section.tables.append(Table("share_trends", "Trend of each contender's share among every contender read "
                                    "(points per year) over the last three years of the current method: the OLS "
                                    "slope with its Newey–West (HAC) 95% interval, from which the direction is read "
                                    "as on the scoreboard, beside the naive OLS interval and Theil–Sen with Sen's "
                                    "interval for checking",
                                    trends[["signal", "framework", "start", "end", "n", "ols_pts_per_year",
                                            "hac_ci_low", "hac_ci_high", "direction", "ols_ci_low", "ols_ci_high",
                                            "share_pts_per_year", "ci_low", "ci_high"]],
                                    collapsed=True))
    if not result.crossovers.empty:
        cross = result.crossovers.assign(leader=result.crossovers["leader"].map(inputs.evidence.name),
                                         trailing=result.crossovers["trailing"].map(inputs.evidence.name))
        section.tables.append(Table("crossovers", "Crossovers of each signal's two leaders: the last observed pass "
                                    "(within one method) and a projected one with its 95% (Fieller) interval",
                                    cross[["signal", "leader", "trailing", "latest", "ratio_now", "observed", "status",
                                           "projected", "projected_low", "projected_high", "reason"]],
                                    collapsed=True))


def _seasonality(inputs: SummaryInput, section: Section, observations: pd.DataFrame) -> None:
    """STL of each monthly series with at least two full years: the HN job posts (all posts and each framework's
    share) and search interest or pageviews when collected (a winter dip, say)."""
    from mindshare.analysis.seasonality import stl_decompose

    series = []
    wanted = observations["metric"].isin([PCT_OF_POSTS.name, SEARCH_INTEREST.name, PAGEVIEWS.name])
    for (metric, contender, method), group in observations[wanted & observations["contender"].isin(inputs.evidence.field.ids)] \
            .groupby(["metric", "contender", "method"]):
        series.append((metric, inputs.evidence.name(contender), method, group))
    totals = observations[(observations["metric"] == JOB_POSTS.name) & (observations["subject"] == "_all_posts")]
    for method, group in totals.groupby("method"):
        series.append((JOB_POSTS.name, "all HN job posts", method, group))
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
    # no sentence: the strongest seasonal pattern in these data is weak, and says nothing about who leads


_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]


def _survey_differences(inputs: SummaryInput, section: Section, observations: pd.DataFrame) -> None:
    """Difference of the two leading shares in each survey that gave counts (a table only: the usage section states
    the shares, the answer the latest lead)."""
    from mindshare.analysis.surveys import same_sample_difference

    rows = []
    counts = observations[(observations["metric"] == STACKOVERFLOW_SURVEY.count) & observations["contender"].isin(inputs.evidence.field.ids)]
    bases = observations[(observations["metric"] == STACKOVERFLOW_SURVEY.respondents) & (observations["subject"] == "_answered")]
    for (source, segment, period), group in counts.groupby(["source", "segment", "period_label"]):
        base = bases[(bases["source"] == source) & (bases["segment"] == segment) & (bases["period_label"] == period)]
        if base.empty or len(group) < 2:
            continue
        n = float(base["value"].iloc[0])
        top = group.sort_values("value", ascending=False).iloc[:2]
        rows.append((f"{source} ({segment})", top.iloc[0], top.iloc[1], n))
    table = []
    for where, first, second, n in rows:
        diff = same_sample_difference(float(first["value"]), float(second["value"]), n)
        a, b = inputs.evidence.name(first["contender"]), inputs.evidence.name(second["contender"])
        table.append({"sample": where, "first": a, "second": b, "n": int(n), "share_first_pct": round(diff.p1 * 100, 2),
                      "share_second_pct": round(diff.p2 * 100, 2), "difference_pts": round(diff.difference * 100, 2),
                      "ci_low_pts": round(diff.ci_low * 100, 2), "ci_high_pts": round(diff.ci_high * 100, 2),
                      "significant": diff.significant, "design": diff.design})
    if table:
        section.tables.append(Table("share_differences", "Difference of two shares of the same sample, with a 95% "
                                    "interval (Newcombe, paired; the overlap of the two groups is unknown, so the "
                                    "interval is the widest the counts allow)", pd.DataFrame(table),
                                    collapsed=True))


def _gaps(inputs: SummaryInput, section: Section, result, observations: pd.DataFrame) -> None:
    from mindshare.analysis.seasonality import gaps_and_partials

    for row in result.excluded.itertuples(index=False):
        section.notes.append(f"{row.signal}: {row.readings} partial reading(s) ({row.first:%Y-%m} to {row.last:%Y-%m}) "
                             "left out of standings, trends and scores.")
    for series in result.series.itertuples(index=False):
        chosen = observations[(observations["signal"] == series.signal) & (observations["metric"] == series.metric)
                              & (observations["source"] == series.source)
                              & observations["contender"].isin(inputs.evidence.field.ids)]
        flags = gaps_and_partials(chosen[chosen["value"].notna()])
        gaps = flags[flags["kind"] == "gap"]
        if not gaps.empty:
            months = gaps.groupby("contender").size()
            section.notes.append(
                f"{series.signal} ({series.metric}): missing periods inside the series — "
                + ", ".join(f"{inputs.evidence.name(c)} {n}" for c, n in months.items())
                + "; trends and seasonal fits skip them (STL interpolates them, and says so).")
    if result.stale:
        section.notes.append(f"Stale signals (latest reading more than five years before the newest): "
                             f"{', '.join(result.stale)}; shown, but not counted in the agreement or the composite.")


def _comparison(inputs: SummaryInput, section: Section, result, compare_to: date) -> None:
    """Each scoreboard row beside its value on `compare_to`, like for like (the answer's rows carry it: the same
    measure, source, population and method, the same two contenders), or why there is none."""
    if inputs.then is None:
        section.notes.append(f"--compare-to {compare_to}: the store knew no observations of that date.")
    rows = next((t["rows"] for t in (inputs.answer or {}).get("tables", []) if t["name"] == "scoreboard"), [])
    table = pd.DataFrame([{"measure": r.get("short_label") or r["label"], "now": r["lead"],
                           "period_now": r["period"], "then": (r.get("then") or {}).get("words", ""),
                           "status": (r.get("then") or {}).get("status", ""),
                           "period_then": (r.get("then") or {}).get("period", "")} for r in rows])
    if table.empty:
        return
    for row in rows:
        then = row.get("then") or {}
        measure = f"{row['signal']} ({row.get('short_label') or row['label']})"   # the signal id first, as before
        if then.get("status") == "compared":
            text = f"{measure}: {then['words']} → {row['leader_name']} {row['lead']}"
        else:
            text = f"{measure}: {then.get('words', 'no value then')}"
        section.findings.append(Finding(f"Since {compare_to}: {text}.", [
            {"name": "then", "value": then.get("ratio") if then.get("ratio") is not None else then.get("points"),
             "unit": "ratio" if then.get("ratio") is not None else "points", "signal": row["signal"],
             "date": then.get("day"), "status": then.get("status"), "period": then.get("period")},
            {"name": "now", "value": row.get("ratio"), "unit": "ratio", "signal": row["signal"],
             "period": row.get("period")}]))
    section.tables.append(Table("comparison", f"Each scoreboard row now and as known on {compare_to}, like for like "
                                "(the same measure, source, population and method, the same two contenders), or "
                                "why there is no such value", table))

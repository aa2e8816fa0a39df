"""Section `search`: search interest over time (Google Trends, Wikipedia pageviews), each series with its linear
trend, partial periods left out; the spread of repeated Google Trends pulls of the same week (Google samples its
data, so two pulls differ); and page counts of a search engine, which are a different quantity (pages, not
searches) and are labelled so.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from mindshare.analysis import linear_trend, trend_line
from mindshare.catalogue import GOOGLE_SEARCH_RESULTS, SEARCH
from mindshare.observations import complete_only
from mindshare.report import figures
from mindshare.report.evidence import Evidence
from mindshare.report.model import Finding, Section, Table

GENERIC_INTRO = "Search interest over time (Google Trends, Wikipedia pageviews), with linear trend lines."


@dataclass(frozen=True, eq=False)
class SearchInput:
    evidence: Evidence
    samples: pd.DataFrame     # Google Trends values from every snapshot, not only the newest (repeated pulls)


def build(given: SearchInput) -> Section:
    evidence = given.evidence
    section = Section(id="search", title="Search interest", intro=evidence.intro("search", GENERIC_INTRO))
    series = complete_only(evidence.of(SEARCH.name))
    timed = series[series.groupby(["metric", "contender"])["period_start"].transform("nunique") > 2]
    if not timed.empty:
        for metric, group in timed.groupby("metric"):
            _trend_block(evidence, section, group, metric=str(metric), signal=SEARCH.name)
    else:
        section.notes.append(
            "The bundled dataset has no search-interest time series: no public copy of Google Trends or Wikipedia "
            f"pageview series for these {evidence.field.nouns} could be found to ship. To add one, collect it live "
            "(Wikipedia pageviews need no key; Google Trends is rate-limited) with `mindshare collect`, and this "
            "section draws it with linear trend lines.")
    _samples_block(evidence, section, given.samples)
    observations = evidence.observations
    counts = evidence.about_field(observations[(observations["signal"] == SEARCH.name)
                                               & (observations["metric"] == GOOGLE_SEARCH_RESULTS.name)])
    if not counts.empty:
        section.tables.append(Table("google_result_counts", "Google result counts, one snapshot (a different "
                                    "quantity from search interest: pages, not searches)", evidence.fact_table(counts)))
    return section


def sample_spread(frame: pd.DataFrame) -> pd.DataFrame:
    """Per contender and week, across repeated pulls: samples, mean, min, max, sd."""
    grouped = frame.dropna(subset=["value"]).groupby(["contender", "period_start"])["value"]
    return grouped.agg(samples="count", mean="mean", min="min", max="max", sd="std").reset_index()


def _samples_block(evidence: Evidence, section: Section, samples: pd.DataFrame) -> None:
    samples = samples[samples["contender"].isin(evidence.field.ids)]
    if samples.empty:
        return
    spread = sample_spread(samples)
    repeated = spread[spread["samples"] >= 2]
    if repeated.empty:
        return
    repeated = repeated.assign(framework=repeated["contender"].map(evidence.name),
                               range_pts=(repeated["max"] - repeated["min"]).round(2))
    table = repeated[["period_start", "framework", "samples", "mean", "min", "max", "sd", "range_pts"]].round(
        {"mean": 2, "sd": 2}).sort_values(["period_start", "framework"], ascending=[False, True])
    section.tables.append(Table("search_interest_samples", "Google Trends: the spread of repeated pulls of the same "
                                "week (each pull is its own snapshot; Google samples its data)", table,
                                collapsed=len(table) > 24))
    pulls = samples["snapshot_id"].nunique()
    section.findings.append(Finding(
        f"{pulls} Google Trends pulls overlap on {repeated['period_start'].nunique()} weeks; between pulls a week's "
        f"value moved by {repeated['range_pts'].median():.1f} points at the median and {repeated['range_pts'].max():.1f} "
        f"at most (on Google's 0-100 scale), so differences smaller than that are noise.",
        [{"name": "pulls", "value": int(pulls), "unit": "snapshots"},
         {"name": "median_range", "value": float(repeated["range_pts"].median()), "unit": "index points"},
         {"name": "max_range", "value": float(repeated["range_pts"].max()), "unit": "index points"}]))


def _trend_block(evidence: Evidence, section: Section, frame: pd.DataFrame, *, metric: str, signal: str) -> None:
    frame = evidence.with_names(frame).assign(source_ref=evidence.refs(frame))
    trend_rows, fits = [], []
    for (contender, method), group in frame.groupby(["contender", "method"]):
        fit = linear_trend(group["period_start"], group["value"])
        if fit is None:
            continue
        trend_rows.append(_trend_points(fit, evidence.name(contender), method))
        fits.append({"framework": evidence.name(contender), "method": method,
                     "slope_per_year": round(fit.slope_per_year, 3), "ci_low": round(fit.ci_low, 3),
                     "ci_high": round(fit.ci_high, 3), "n": fit.n, "from": fit.start.date().isoformat(),
                     "to": fit.end.date().isoformat(), "direction": fit.direction})
    trend = pd.concat(trend_rows) if trend_rows else None
    name = f"{signal}_{metric}"
    section.charts.append(figures.lines(
        name, metric, frame, x="period_start", y="value", color="framework", plot_title=f"{metric} with linear trends",
        y_title=metric, palette=evidence.palette, trend=trend, table=f"{name}_trends"))
    section.tables.append(Table(f"{name}_trends", "Linear trend per contender: slope per year with its 95% interval",
                                pd.DataFrame(fits)))
    section.tables.append(Table(f"{name}_data", "The series", frame[["period_start", "framework", "value", "unit",
                                                                     "source_ref"]], collapsed=True))


def _trend_points(fit, framework: str, method: str) -> pd.DataFrame:
    line = trend_line(fit).rename(columns={"date": "period_start", "trend": "value"})
    return line.assign(framework=framework, segment=f"{framework} {method}",
                       label=f"{fit.slope_per_year:+.3g}/year [{fit.ci_low:.3g}, {fit.ci_high:.3g}]")

"""The report's view of live collection (added to the "More signals" section by `collected_blocks`): collected series beside the bundled history, each point marked with
the snapshot it came from, and a period still in progress flagged (a hollow point off the line), never drawn
as a drop.

A collected observation is one whose snapshot is of kind `collect` (its id starts with `collect-`); a partial
period is one whose note starts with `PARTIAL` (see mindshare.sources.base).
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from mindshare.report import charts
from mindshare.report.model import Chart, Finding, Section, Table

PARTIAL = "PARTIAL"

# metric -> (title, unit, the bundled metric drawn beside it, log scale)
MONTHLY = {
    "pageviews_month": ("Wikipedia pageviews per month (human users, English article)", "views"),
    "questions_month": ("New Stack Overflow questions per month, by tag", "questions"),
    "papers_month": ("arXiv papers per month naming the contender in title or abstract", "papers"),
    "downloads_month_sum": ("PyPI downloads per month, the contender's packages summed (without mirrors)",
                            "downloads"),
    "downloads_month_bigquery_sum": ("PyPI downloads per month from BigQuery's public dataset (every installer, "
                                     "mirrors included), the contender's packages summed", "downloads"),
    "stars_new_month": ("New GitHub stars per month (current stargazers)", "stars"),
}
TOTALS = ["forks", "watchers", "contributors", "open_issues", "releases", "questions_total", "models"]


def is_partial(frame: pd.DataFrame) -> pd.Series:
    return frame["note"].fillna("").astype(str).str.startswith(PARTIAL)


def complete_periods(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows whose period was complete when counted (for trend lines and crossovers, which a partial would bend)."""
    if frame.empty or "note" not in frame.columns:
        return frame
    return frame[~is_partial(frame)]


def is_collected(frame: pd.DataFrame) -> pd.Series:
    return frame["snapshot_id"].fillna("").astype(str).str.startswith("collect-")


def collected_blocks(inputs, section: Section) -> None:
    """Add the collected series to `section` (the report's "More signals"): charts, tables and notes."""
    observations = inputs.observations
    collected = observations[is_collected(observations)]
    if collected.empty:
        section.notes.append("No live numbers yet: `mindshare collect` fetches today's GitHub, PyPI, Stack Overflow, "
                             "Hugging Face, Wikipedia and arXiv figures (see docs/collect.md); each run is a dated "
                             "snapshot, drawn here beside the bundled history.")
        return
    section.notes.append("Live collection: numbers fetched by `mindshare collect`, each point marked with the snapshot "
                         "it came from (tooltip and table), beside the bundled history where there is one. A period "
                         "still in progress when it was counted is a hollow point off the line: partial, not a drop.")
    _stars_block(inputs, section, observations)
    _downloads_block(inputs, section, observations)
    for metric, (title, unit) in MONTHLY.items():
        _monthly_block(inputs, section, collected, metric, title, unit)
    _totals_block(inputs, section, collected)
    _models_block(inputs, section, collected)
    _unavailable_notes(inputs, section, collected)
    partial = collected[is_partial(collected)]
    if not partial.empty:
        section.notes.append(f"{len(partial)} collected numbers are partial: their period was not over when they "
                             "were fetched (the current month, or a month the provider's window cut). They are shown "
                             "as hollow points, left out of lines and trends, and a later collection replaces them.")


# -- blocks ----------------------------------------------------------------------------------------------------
def _points(inputs, frame: pd.DataFrame, origin: str) -> pd.DataFrame:
    frame = inputs.with_names(frame)
    return pd.DataFrame({
        "date": pd.to_datetime(frame["period_start"]).to_numpy(), "framework": frame["framework"].to_numpy(),
        "value": frame["value"].to_numpy(), "origin": origin,
        "snapshot": frame["snapshot_id"].to_numpy(),
        "partial": is_partial(frame).to_numpy(),
        "note": frame["note"].fillna("").to_numpy(),
        "source_ref": inputs.provenance.refs(frame).to_numpy() if not frame.empty else [],
    })


def _stars_block(inputs, section: Section, observations: pd.DataFrame) -> None:
    stars = inputs.of("github", metric="github_stars")
    collected = stars[is_collected(stars)]
    if collected.empty:
        return
    bundled = stars[~is_collected(stars)]
    points = pd.concat([_points(inputs, bundled, "bundled history"), _points(inputs, collected, "collected")])
    _chart_and_table(inputs, section, points, "collected_github_stars",
                     "GitHub stars: bundled monthly history and collected snapshots", "stars")


def _downloads_block(inputs, section: Section, observations: pd.DataFrame) -> None:
    collected = inputs.of("downloads", metric="downloads_30d_sum")
    collected = collected[is_collected(collected)]
    if collected.empty:
        return
    bundled = inputs.of("downloads", metric="downloads_30d")
    bundled = bundled[~is_collected(bundled)]
    if not bundled.empty:
        bundled = (bundled.groupby(["period_end", "contender", "method"], as_index=False)
                   .agg(value=("value", "sum"), source=("source", "first"), reference=("reference", "first"),
                        snapshot_id=("snapshot_id", "first"), collected_at=("collected_at", "first"))
                   .assign(period_start=lambda f: f["period_end"], note=None))
    points = pd.concat([_points(inputs, bundled, "bundled history") if not bundled.empty else None,
                        _points(inputs, collected.assign(period_start=collected["period_end"]), "collected")])
    _chart_and_table(inputs, section, points, "collected_pypi_downloads",
                     "PyPI downloads in 30 days, packages summed: bundled snapshots (top-package lists, "
                     "several methods) and collected (pypistats.org, without mirrors)", "downloads", log=True)
    section.notes.append("Collected downloads come from pypistats.org (without mirrors), a different count from the "
                         "bundled top-package lists (BigQuery via pypinfo or ClickHouse): compare shapes across the "
                         "two, not levels.")


def _monthly_block(inputs, section: Section, collected: pd.DataFrame, metric: str, title: str, unit: str) -> None:
    frame = collected[(collected["metric"] == metric) & (collected["kind"] == "number")
                      & collected["contender"].isin(inputs.field.ids)]
    if frame.empty:
        return
    points = _points(inputs, frame, "collected")
    _chart_and_table(inputs, section, points, f"collected_{metric}", title, unit)


def _totals_block(inputs, section: Section, collected: pd.DataFrame) -> None:
    frame = collected[collected["metric"].isin(TOTALS) & (collected["kind"] == "number")
                      & collected["contender"].isin(inputs.field.ids)]
    if frame.empty:
        return
    frame = inputs.with_names(frame).assign(source_ref=inputs.provenance.refs(frame))
    latest = frame.sort_values("period_start").groupby(["contender", "metric"]).tail(1)
    wide = latest.pivot_table(index="framework", columns="metric", values="value", aggfunc="first").reset_index()
    wide["as_of"] = latest.groupby("framework")["period_start"].max().reindex(wide["framework"]).dt.strftime(
        "%Y-%m-%d").to_numpy()
    wide["snapshots"] = latest.groupby("framework")["snapshot_id"].agg(
        lambda s: ", ".join(sorted(set(s)))).reindex(wide["framework"]).to_numpy()
    section.tables.append(Table("collected_totals", "Latest collected totals per contender (GitHub repository, "
                                "Stack Overflow tag, Hugging Face models), with the snapshots they come from", wide))
    contributors = frame[frame["metric"] == "contributors"]
    if len(contributors) >= 2:
        top = contributors.sort_values("value", ascending=False).iloc[0]
        section.findings.append(Finding(
            f"{top['framework']}'s main repository has the most contributors among those collected "
            f"({top['value']:,.0f} as of {top['period_start']:%Y-%m-%d}).",
            [inputs.figure(f"{top['framework']} contributors", top["value"], "contributors", top,
                           snapshot=top["snapshot_id"])]))


def _models_block(inputs, section: Section, collected: pd.DataFrame) -> None:
    overlap = collected[collected["metric"] == "models_overlap"]
    if overlap.empty:
        return
    latest = overlap.sort_values("period_start").groupby("subject").tail(1)
    table = latest[["subject", "value", "period_start", "snapshot_id"]].rename(
        columns={"subject": "library tags", "value": "models with all of them", "period_start": "as_of"})
    table = table.assign(source_ref=inputs.provenance.refs(latest).to_numpy())
    section.tables.append(Table("collected_models_overlap", "Hugging Face models carrying two library tags at once "
                                "(the per-tag counts include them in both)", table))


def _unavailable_notes(inputs, section: Section, collected: pd.DataFrame) -> None:
    notes = collected[(collected["kind"] == "note") & collected["contender"].isin(inputs.field.ids)]
    for row in notes.drop_duplicates(["contender", "metric"]).itertuples():
        section.notes.append(f"{inputs.name(row.contender)}, {row.metric}: {row.value_text} "
                             f"(snapshot {row.snapshot_id}).")


# -- chart -------------------------------------------------------------------------------------------------------
def _chart_and_table(inputs, section: Section, points: pd.DataFrame, name: str, title: str, unit: str,
                     log: bool = False) -> None:
    points = points.dropna(subset=["value"]).sort_values(["framework", "date"])
    section.charts.append(Chart(name, title, snapshot_chart(points, title=title, unit=unit,
                                                            palette=inputs.palette, log=log), table=name))
    table = points.assign(date=points["date"].dt.strftime("%Y-%m-%d"),
                          partial=points["partial"].map({True: "partial", False: ""}))
    table = table[["date", "framework", "value", "origin", "partial", "snapshot", "source_ref"]]
    section.tables.append(Table(name, f"{title}: every point, its snapshot, and whether its period was complete",
                                table.sort_values(["date", "framework"], ascending=[False, True]),
                                collapsed=len(table) > 24))


def snapshot_chart(points: pd.DataFrame, *, title: str, unit: str, palette: dict[str, str],
                   log: bool = False) -> dict[str, Any]:
    """Lines through complete periods (one per contender and origin), filled points for collected snapshots,
    hollow points (off the line) for partial periods; every point's tooltip names its snapshot."""
    names = list(dict.fromkeys(points["framework"]))
    scale = charts._colors(names, palette)
    datasets = charts.Datasets()
    data = datasets(points.assign(partial=points["partial"].astype(bool)))
    y_scale = alt.Scale(type="log") if log else alt.Scale(zero=True)
    tooltip = [alt.Tooltip("date:T"), alt.Tooltip("framework:N"), alt.Tooltip("value:Q", format=",.4~g"),
               alt.Tooltip("origin:N"), alt.Tooltip("snapshot:N"), alt.Tooltip("note:N")]
    base = alt.Chart(data).encode(
        x=alt.X("date:T", title=None), y=alt.Y("value:Q", title=unit, scale=y_scale),
        color=alt.Color("framework:N", scale=scale, title=None, legend=alt.Legend(orient="top")))
    complete = base.transform_filter("!datum.partial")
    layers = [
        complete.mark_line(strokeWidth=1.5).encode(
            detail="origin:N", strokeDash=alt.StrokeDash("origin:N", title=None,
                                                         legend=alt.Legend(orient="top"))),
        complete.mark_point(filled=True, size=30).encode(shape=alt.Shape("origin:N", legend=None), tooltip=tooltip),
        base.transform_filter("datum.partial").mark_point(filled=False, size=60, strokeWidth=1.5).encode(
            tooltip=tooltip),
    ]
    return datasets.attach(alt.layer(*layers).properties(title=title, width="container", height=charts.HEIGHT)
                           .interactive(bind_y=False).to_dict(validate=False))

"""Section `signals`: PyPI downloads (what gets installed), GitHub stars (what developers bookmark) and Stack
Overflow questions (what people get stuck on), the bundled history first; then what `mindshare collect` fetched,
beside that history: each point marked with the snapshot it came from, a period still in progress flagged (a hollow
point off the line), never drawn as a drop.
"""

from __future__ import annotations

import pandas as pd

from mindshare.analysis import first_crossing
from mindshare.catalogue import (
    CATALOGUE,
    CONTRIBUTORS,
    DEPENDENTS,
    DOWNLOADS,
    DOWNLOADS_30D,
    DOWNLOADS_30D_SUM,
    DOWNLOADS_MONTH_BIGQUERY_SUM,
    DOWNLOADS_MONTH_SUM,
    GITHUB,
    GITHUB_DEPENDENTS,
    GITHUB_STARS,
    MODELS_OVERLAP,
    PAGEVIEWS_MONTH,
    PAPERS_MONTH,
    QA,
    QUESTIONS_MONTH,
    QUESTIONS_PER_YEAR,
    STARS_NEW_MONTH,
)
from mindshare.observations import Sources, is_partial
from mindshare.report import figures
from mindshare.report.evidence import Evidence
from mindshare.report.model import Finding, Section, Table

GENERIC_INTRO = ("PyPI downloads (what gets installed), GitHub stars (what developers bookmark), GitHub dependents "
                 "(what other projects build on) and Stack Overflow questions (what people get stuck on).")

# collected monthly metrics drawn each on its own chart, in this order (titles and units are the catalogue's)
MONTHLY = (PAGEVIEWS_MONTH, QUESTIONS_MONTH, PAPERS_MONTH, DOWNLOADS_MONTH_SUM, DOWNLOADS_MONTH_BIGQUERY_SUM,
           STARS_NEW_MONTH)


def build(evidence: Evidence) -> Section:
    section = Section(id="signals", title="More signals", intro=evidence.intro("signals", GENERIC_INTRO))
    _downloads_block(evidence, section)
    _github_block(evidence, section)
    _dependents_block(evidence, section)
    _questions_block(evidence, section)
    _collected_blocks(evidence, section)
    return section


# -- the bundled history ------------------------------------------------------------------------------------------
def _downloads_block(evidence: Evidence, section: Section) -> None:
    raw = evidence.of(DOWNLOADS.name, metric=DOWNLOADS_30D.name)
    if raw.empty:
        return
    raw = raw.assign(date=snapshot_date(raw))
    summed = (raw.groupby(["date", "method", "contender"], as_index=False)
              .agg(value=("value", "sum"), packages=("subject", lambda s: ", ".join(sorted(s))),
                   source=("source", "first"), reference=("reference", "first"), collected_at=("collected_at", "first"),
                   snapshot_id=("snapshot_id", "first")))
    summed = evidence.with_names(summed).assign(source_ref=evidence.refs(summed))
    methods = summed.sort_values("date").drop_duplicates("method")
    rules = methods.iloc[1:][["date", "method"]].assign(label=lambda f: "method change: " + f["method"], short="")
    if not rules.empty:
        rules.iloc[0, rules.columns.get_loc("short")] = "method changes"
    section.charts.append(figures.lines(
        "pypi_downloads", "PyPI downloads per 30 days (log scale)", summed, x="date", y="value", color="framework",
        plot_title="PyPI downloads in the 30 days before each snapshot", y_title="downloads (log scale)",
        palette=evidence.palette, log=True, rules=rules, tooltip_extra=["packages:N"], table="pypi_downloads_wide"))
    table = summed[["date", "framework", "value", "packages", "method", "source_ref"]].rename(
        columns={"value": "downloads_30d"})
    section.tables.append(Table("pypi_downloads", "30-day downloads per snapshot, each contender's packages summed "
                                "(a package outside that snapshot's top list is missing, so sums are lower bounds)",
                                table, collapsed=True))
    compact = summed.pivot_table(index=["date", "method"], columns="framework", values="value").reset_index()
    compact["source_ref"] = summed.groupby(["date", "method"])["source_ref"].first().to_numpy()
    compact = compact.sort_values("date", ascending=False)
    section.tables.append(Table("pypi_downloads_wide", "Downloads in 30 days per snapshot (newest first)",
                                compact[[c for c in compact.columns if c != "method"] + ["method"]]))
    article = evidence.article
    if article:
        section.notes.append(article.pypi_methods_note)
    elif len(methods) > 1:
        section.notes.append(f"PyPI counts changed method {len(methods) - 1} time(s) ("
                             + "; ".join(f"{r.date:%Y-%m}: {r.method}" for r in methods.iloc[1:].itertuples())
                             + "). Crossovers are only read within one method; the dotted lines mark the changes.")
    section.notes.append(f"Each {evidence.field.noun}'s downloads sum the PyPI packages its field entry lists (see "
                         "the packages column)." + (f" {article.pypi_packages_note}" if article else ""))
    if article:
        crossing = article.package_crossing(raw)
        if crossing:
            section.findings.append(crossing)
        passer, passed = article.challenger, article.incumbent
    else:
        latest = summed[summed["date"] == summed["date"].max()].sort_values("value", ascending=False)
        if len(latest) < 2:
            return
        passer, passed = latest["contender"].iloc[0], latest["contender"].iloc[1]
    whole = first_crossing(summed.assign(period_start=summed["date"]), passer, passed, at="date")
    if whole:
        a, b = evidence.name(passer), evidence.name(passed)
        section.findings.append(Finding(
            f"Counting every package of each {evidence.field.noun} ({b}: {', '.join(evidence.field.contender(passed).pypi)}), "
            f"{a} passed {b} in the {whole.date:%Y-%m} snapshot ({whole.passer_value / 1e6:.1f}M vs "
            f"{whole.passed_value / 1e6:.1f}M).",
            [{"name": f"{a} downloads_30d", "value": whole.passer_value, "unit": "downloads",
              "date": whole.date.date().isoformat(), "method": whole.method},
             {"name": f"{b} downloads_30d", "value": whole.passed_value, "unit": "downloads",
              "date": whole.date.date().isoformat(), "method": whole.method}]))


def snapshot_date(frame: pd.DataFrame) -> pd.Series:
    """The day a download snapshot was taken: its label when that is a date, else the end of its window."""
    parsed = pd.to_datetime(frame["period_label"], errors="coerce", format="%Y-%m-%d")
    return parsed.fillna(frame["period_end"])


def _github_block(evidence: Evidence, section: Section) -> None:
    stars = evidence.of(GITHUB.name, metric=GITHUB_STARS.name)
    ranking = stars["source"] == Sources.GITHUB_RANKING
    stars = stars[ranking] if ranking.any() else stars
    if stars.empty:
        return
    stars = evidence.with_names(stars).assign(source_ref=evidence.refs(stars))
    section.charts.append(figures.lines(
        "github_stars", f"GitHub stars of each {evidence.field.noun}'s main repository", stars, x="period_start", y="value",
        color="framework", plot_title="GitHub stars, main repository", y_title="stars", palette=evidence.palette,
        table="github_stars_latest"))
    latest = stars.sort_values("period_start").groupby("contender").tail(1).sort_values("value", ascending=False)
    section.tables.append(Table("github_stars_latest", f"Latest star count per {evidence.field.noun}",
                                latest[["framework", "period_start", "value", "source_ref"]].rename(
                                    columns={"period_start": "date", "value": "stars"})))
    section.tables.append(Table("github_stars_monthly", "The monthly series", stars[[
        "period_start", "framework", "value", "source_ref"]].rename(columns={"period_start": "date", "value": "stars"}),
        collapsed=True))


def _dependents_block(evidence: Evidence, section: Section) -> None:
    """GitHub dependents ("Used by"): each contender's count per snapshot, the latest count, and the data's licence
    and caveats (values known to be wrong are notes in the store, said here, never drawn)."""
    rows = evidence.of(DEPENDENTS.name, metric=GITHUB_DEPENDENTS.name, numbers=False)
    counted = rows[rows["kind"] == "number"]
    if counted.empty:
        return
    counted = evidence.with_names(counted).assign(source_ref=evidence.refs(counted))
    section.charts.append(figures.lines(
        "github_dependents", "GitHub dependents: repositories that depend on each contender", counted,
        x="period_start", y="value", color="framework", plot_title="Repositories that depend on it (GitHub's "
        "\"Used by\")", y_title="repositories", palette=evidence.palette, table="github_dependents_latest"))
    latest = counted.sort_values("period_start").groupby("contender").tail(1).sort_values("value", ascending=False)
    section.tables.append(Table("github_dependents_latest", f"Latest count of dependent repositories per {evidence.field.noun}",
                                latest[["framework", "period_start", "value", "source", "source_ref"]].rename(
                                    columns={"period_start": "date", "value": "repositories"})))
    for licence in sorted(set(counted["note"].dropna())):
        section.notes.append(f"GitHub dependents: {licence}; the figures here are derived from it and shared "
                             "under the same licence.")
    flagged = rows[rows["kind"] == "note"]
    if not flagged.empty:
        spans = flagged.groupby("contender")["period_start"].agg(["min", "max", "size"])
        section.notes.append("GitHub dependents left out as known to be wrong (the source history says so): " + "; ".join(
            f"{evidence.name(c)} {row['size']} snapshot(s), {row['min']:%Y-%m-%d} to {row['max']:%Y-%m-%d}"
            for c, row in spans.iterrows()) + ".")
    gaps = [evidence.name(c) for c, group in counted.groupby("contender")
            if pd.to_datetime(group["period_start"]).sort_values().diff().max() > pd.Timedelta(days=90)]
    if gaps:
        section.notes.append(f"GitHub dependents are missing for months at a time ({', '.join(gaps)}): a pass "
                             "between two readings far apart is dated only as lying between them.")


def _questions_block(evidence: Evidence, section: Section) -> None:
    questions = evidence.of(QA.name, metric=QUESTIONS_PER_YEAR.name)
    if questions.empty:
        return
    questions = evidence.with_names(questions).assign(source_ref=evidence.refs(questions),
                                                      year=questions["period_start"].dt.year)
    questions["partial"] = is_partial(questions)
    full = questions[~questions["partial"]]
    if not full.empty:
        section.charts.append(figures.lines(
            "so_questions", "Stack Overflow questions per year, by tag", full, x="period_start", y="value",
            color="framework", plot_title="Stack Overflow questions per year (full years)", y_title="questions",
            palette=evidence.palette, table="so_questions"))
    compact = questions.pivot_table(index=["year", "partial"], columns="framework", values="value").reset_index()
    compact["source_ref"] = questions.groupby(["year", "partial"])["source_ref"].first().to_numpy()
    partial_years = " and ".join(str(y) for y in sorted(questions.loc[questions["partial"], "year"].unique()))
    caption = "New Stack Overflow questions per year by tag" + (
        f" ({partial_years} {'is' if ' and ' not in partial_years else 'are'} partial: the data were gathered "
        "during the year)" if partial_years else "")
    section.tables.append(Table("so_questions", caption, compact.sort_values("year", ascending=False)))
    if partial_years:
        section.notes.append(f"Stack Overflow {partial_years} counts are partial (gathered mid-year) and are not "
                             "drawn as a drop.")


# -- live collection ----------------------------------------------------------------------------------------------
def _collected_blocks(evidence: Evidence, section: Section) -> None:
    observations = evidence.observations
    collected = observations[evidence.is_collected(observations)]
    if collected.empty:
        section.notes.append("No live numbers yet: `mindshare collect` fetches today's GitHub, PyPI, Stack Overflow, "
                             "Hugging Face, Wikipedia and arXiv figures (see docs/collect.md); each run is a dated "
                             "snapshot, drawn here beside the bundled history.")
        return
    section.notes.append("Live collection: numbers fetched by `mindshare collect`, each point marked with the snapshot "
                         "it came from (tooltip and table), beside the bundled history where there is one. A period "
                         "still in progress when it was counted is a hollow point off the line: partial, not a drop.")
    _collected_stars(evidence, section)
    _collected_downloads(evidence, section)
    for metric in MONTHLY:
        _collected_monthly(evidence, section, collected, metric.name, metric.chart_title, metric.unit)
    _collected_totals(evidence, section, collected)
    _collected_models(evidence, section, collected)
    _unavailable_notes(evidence, section, collected)
    partial = collected[is_partial(collected)]
    if not partial.empty:
        section.notes.append(f"{len(partial)} collected numbers are partial: their period was not over when they "
                             "were fetched (the current month, or a month the provider's window cut). They are shown "
                             "as hollow points, left out of lines and trends, and a later collection replaces them.")


def _points(evidence: Evidence, frame: pd.DataFrame, origin: str) -> pd.DataFrame:
    frame = evidence.with_names(frame)
    return pd.DataFrame({
        "date": pd.to_datetime(frame["period_start"]).to_numpy(), "framework": frame["framework"].to_numpy(),
        "value": frame["value"].to_numpy(), "origin": origin,
        "snapshot": frame["snapshot_id"].to_numpy(),
        "partial": is_partial(frame).to_numpy(),
        "note": frame["note"].fillna("").to_numpy(),
        "source_ref": evidence.refs(frame).to_numpy() if not frame.empty else [],
    })


def _collected_stars(evidence: Evidence, section: Section) -> None:
    stars = evidence.of(GITHUB.name, metric=GITHUB_STARS.name)
    collected = stars[evidence.is_collected(stars)]
    if collected.empty:
        return
    bundled = stars[~evidence.is_collected(stars)]
    points = pd.concat([_points(evidence, bundled, "bundled history"), _points(evidence, collected, "collected")])
    _snapshot_figure(evidence, section, points, "collected_github_stars",
                     "GitHub stars: bundled monthly history and collected snapshots", "stars")


def _collected_downloads(evidence: Evidence, section: Section) -> None:
    collected = evidence.of(DOWNLOADS.name, metric=DOWNLOADS_30D_SUM.name)
    collected = collected[evidence.is_collected(collected)]
    if collected.empty:
        return
    bundled = evidence.of(DOWNLOADS.name, metric=DOWNLOADS_30D.name)
    bundled = bundled[~evidence.is_collected(bundled)]
    if not bundled.empty:
        bundled = (bundled.groupby(["period_end", "contender", "method"], as_index=False)
                   .agg(value=("value", "sum"), source=("source", "first"), reference=("reference", "first"),
                        snapshot_id=("snapshot_id", "first"), collected_at=("collected_at", "first"))
                   .assign(period_start=lambda f: f["period_end"], note=None))
    points = pd.concat([_points(evidence, bundled, "bundled history") if not bundled.empty else None,
                        _points(evidence, collected.assign(period_start=collected["period_end"]), "collected")])
    _snapshot_figure(evidence, section, points, "collected_pypi_downloads",
                     "PyPI downloads in 30 days, packages summed: bundled snapshots (top-package lists, "
                     "several methods) and collected (pypistats.org, without mirrors)", "downloads", log=True)
    section.notes.append("Collected downloads come from pypistats.org (without mirrors), a different count from the "
                         "bundled top-package lists (BigQuery via pypinfo or ClickHouse): compare shapes across the "
                         "two, not levels.")


def _collected_monthly(evidence: Evidence, section: Section, collected: pd.DataFrame, metric: str, title: str,
                       unit: str) -> None:
    frame = collected[(collected["metric"] == metric) & (collected["kind"] == "number")
                      & collected["contender"].isin(evidence.field.ids)]
    if frame.empty:
        return
    _snapshot_figure(evidence, section, _points(evidence, frame, "collected"), f"collected_{metric}", title, unit)


def _collected_totals(evidence: Evidence, section: Section, collected: pd.DataFrame) -> None:
    frame = collected[collected["metric"].isin(CATALOGUE.totals()) & (collected["kind"] == "number")
                      & collected["contender"].isin(evidence.field.ids)]
    if frame.empty:
        return
    frame = evidence.with_names(frame).assign(source_ref=evidence.refs(frame))
    latest = frame.sort_values("period_start").groupby(["contender", "metric"]).tail(1)
    wide = latest.pivot_table(index="framework", columns="metric", values="value", aggfunc="first").reset_index()
    wide["as_of"] = latest.groupby("framework")["period_start"].max().reindex(wide["framework"]).dt.strftime(
        "%Y-%m-%d").to_numpy()
    wide["snapshots"] = latest.groupby("framework")["snapshot_id"].agg(
        lambda s: ", ".join(sorted(set(s)))).reindex(wide["framework"]).to_numpy()
    section.tables.append(Table("collected_totals", "Latest collected totals per contender (GitHub repository, "
                                "Stack Overflow tag, Hugging Face models), with the snapshots they come from", wide))
    contributors = frame[frame["metric"] == CONTRIBUTORS.name]
    if len(contributors) >= 2:
        top = contributors.sort_values("value", ascending=False).iloc[0]
        section.findings.append(Finding(
            f"{top['framework']}'s main repository has the most contributors among those collected "
            f"({top['value']:,.0f} as of {top['period_start']:%Y-%m-%d}).",
            [evidence.figure(f"{top['framework']} contributors", top["value"], "contributors", top,
                             snapshot=top["snapshot_id"])]))


def _collected_models(evidence: Evidence, section: Section, collected: pd.DataFrame) -> None:
    overlap = collected[collected["metric"] == MODELS_OVERLAP.name]
    if overlap.empty:
        return
    latest = overlap.sort_values("period_start").groupby("subject").tail(1)
    table = latest[["subject", "value", "period_start", "snapshot_id"]].rename(
        columns={"subject": "library tags", "value": "models with all of them", "period_start": "as_of"})
    table = table.assign(source_ref=evidence.refs(latest).to_numpy())
    section.tables.append(Table("collected_models_overlap", "Hugging Face models carrying two library tags at once "
                                "(the per-tag counts include them in both)", table))


def _unavailable_notes(evidence: Evidence, section: Section, collected: pd.DataFrame) -> None:
    notes = collected[(collected["kind"] == "note") & collected["contender"].isin(evidence.field.ids)]
    for row in notes.drop_duplicates(["contender", "metric"]).itertuples():
        section.notes.append(f"{evidence.name(row.contender)}, {row.metric}: {row.value_text} "
                             f"(snapshot {row.snapshot_id}).")


def _snapshot_figure(evidence: Evidence, section: Section, points: pd.DataFrame, name: str, title: str, unit: str,
                     log: bool = False) -> None:
    points = points.dropna(subset=["value"]).sort_values(["framework", "date"])
    section.charts.append(figures.snapshots(name, title, points, unit=unit, palette=evidence.palette, log=log,
                                            table=name))
    table = points.assign(date=points["date"].dt.strftime("%Y-%m-%d"),
                          partial=points["partial"].map({True: "partial", False: ""}))
    table = table[["date", "framework", "value", "origin", "partial", "snapshot", "source_ref"]]
    section.tables.append(Table(name, f"{title}: every point, its snapshot, and whether its period was complete",
                                table.sort_values(["date", "framework"], ascending=[False, True]),
                                collapsed=len(table) > 24))

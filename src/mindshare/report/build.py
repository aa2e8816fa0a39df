"""Build the report model from the store: observations in, sections out. No rendering here.

Each section builder is a function of a `SectionInputs` (the observations known at `as_of`, the field and the
provenance registry) that returns a `Section`. The summary is built last from what the other sections found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Callable

import pandas as pd

from mindshare.analysis import first_crossing, linear_trend
from mindshare.bundle import HORACE_HE_SOURCE
from mindshare.fields import Field
from mindshare.report import charts
from mindshare.report.jobs_search_surveys import (SURVEY_METHOD, drop_partial, listings_block, prefer_live_hn,
                                                  survey_intervals_block)
from mindshare.report.collected import collected_blocks
from mindshare.report.scanned import SCAN_SOURCE, scan_block
from mindshare.report.analysis_summary import add_analysis
from mindshare.report.model import Chart, Finding, Provenance, Report, Section, Table
from mindshare.store import Store


@dataclass
class SectionInputs:
    observations: pd.DataFrame
    field: Field
    provenance: Provenance
    as_of: str | None
    compare_to: str | None = None                         # --compare-to DATE (analysis_summary)
    compare_observations: pd.DataFrame | None = None      # the store as known on that date
    weights: dict[str, float] | None = None               # --weights for the composite score
    search_samples: pd.DataFrame | None = None            # every snapshot of Google Trends: repeated pulls

    def name(self, contender_id: str) -> str:
        found = self.field.find(contender_id)
        return found.name if found else contender_id

    @property
    def palette(self) -> dict[str, str]:
        return {c.name: c.color for c in self.field.contenders if c.color}

    def of(self, signal: str, *, metric: str | list[str] | None = None, numbers: bool = True,
           contenders_only: bool = True) -> pd.DataFrame:
        frame = self.observations[self.observations["signal"] == signal]
        if metric is not None:
            frame = frame[frame["metric"].isin([metric] if isinstance(metric, str) else metric)]
        if numbers:
            frame = frame[frame["kind"] == "number"]
        if contenders_only:
            frame = frame[frame["contender"].isin(self.field.ids)]
        return frame.copy()

    def with_names(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(framework=frame["contender"].map(self.name))

    def figure(self, name: str, value, unit: str, row: pd.Series | dict | None = None, **extra) -> dict:
        item = {"name": name, "value": _plain(value), "unit": unit}
        if row is not None:
            item["source_ref"] = self.provenance.ref(row)
        item.update({k: _plain(v) for k, v in extra.items()})
        return item


SectionBuilder = Callable[[SectionInputs], Section]


def build_report(store: Store, field: Field, *, as_of: str | None = None, compare_to: str | None = None,
                 weights: dict[str, float] | None = None) -> Report:
    observations = in_full_order(store.observations(as_of=as_of))
    inputs = SectionInputs(observations=observations, field=field, provenance=Provenance(), as_of=as_of,
                           compare_to=compare_to, weights=weights,
                           compare_observations=store.observations(as_of=compare_to) if compare_to else None,
                           search_samples=_trends_samples(store, as_of))
    sections = [builder(inputs) for builder in SECTION_BUILDERS]
    sections.append(summary_section(inputs))
    sections.append(sources_section(inputs))
    return Report(
        field_name=field.name, field_title=field.title,
        generated_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
        as_of=as_of, store_path=str(store.path), sections=sections,
        sources=inputs.provenance.entries, snapshots=store.snapshots(),
    )


# The store orders rows by signal, metric, subject, segment and period; rows tied on those come back in any order,
# and the first row of a source met decides its S-number. Breaking the ties makes the report a function of the
# store's content alone.
TIE_BREAK = ["signal", "metric", "subject", "segment", "period_start", "source", "method", "period_end",
             "period_label", "contender", "snapshot_id", "value", "value_text", "collected_at"]


def in_full_order(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(TIE_BREAK, na_position="first", kind="stable", ignore_index=True)


QUOTED_JOB_METRICS = ["job_listings_ratio_text", "job_listings_change_text", "job_listings_new", "job_postings_growth"]


# -- Job listings ---------------------------------------------------------------------------------------------
def jobs_section(inputs: SectionInputs) -> Section:
    section = Section(
        id="jobs", title="Job listings",
        intro=("How often job ads name each framework. The 2020 article counted listings on four US job boards; "
               "the bundled history uses Hacker News \"Who is hiring?\" threads, a free monthly series of real job "
               "posts, and keeps the ratios the 2019 and 2020 articles quoted."))
    posts = inputs.of("jobs", metric="posts_mentioning")
    all_posts = inputs.observations[(inputs.observations["signal"] == "jobs")
                                    & (inputs.observations["subject"] == "_all_posts")]
    posts, all_posts = prefer_live_hn(posts), prefer_live_hn(all_posts)
    if not posts.empty:
        _hn_block(inputs, section, posts, all_posts)
    listings_block(inputs, section)
    quoted = inputs.observations[(inputs.observations["signal"] == "jobs")
                                 & inputs.observations["metric"].isin(QUOTED_JOB_METRICS)]
    if not quoted.empty:
        rows = quoted.assign(source_ref=inputs.provenance.refs(quoted))
        table = pd.DataFrame({
            "period": rows["period_label"], "frameworks": rows["subject"], "figure": rows["value_text"],
            "unit": rows["unit"], "where": rows["segment"], "source": rows["source"], "source_ref": rows["source_ref"]})
        section.tables.append(Table("quoted_job_figures", "Job-listing figures quoted by the 2019 and 2020 articles "
                                    "(in the sources' own words where they gave no number)", table))
        ratios = rows[rows["metric"] == "job_listings_ratio_text"].sort_values("period_start")
        if len(ratios) >= 2:
            first, last = ratios.iloc[0], ratios.iloc[-1]
            section.findings.append(Finding(
                f"The articles quoted TensorFlow's lead in US job listings as {first['value_text']}x in "
                f"{first['period_label'][:7]} and {last['value_text']}x in {last['period_label'][:7]}.",
                [inputs.figure("quoted TF/PyTorch listing ratio", first["value_text"], "ratio (words)", first,
                               period=first["period_label"]),
                 inputs.figure("quoted TF/PyTorch listing ratio", last["value_text"], "ratio (words)", last,
                               period=last["period_label"])]))
    if not section.findings and posts.empty:
        section.notes.append("No job-listing observations for this field's contenders yet.")
    return section


def _hn_block(inputs: SectionInputs, section: Section, posts: pd.DataFrame, all_posts: pd.DataFrame) -> None:
    posts = inputs.with_names(posts).assign(source_ref=inputs.provenance.refs(posts))
    totals = all_posts.set_index("period_start")["value"]
    monthly = posts.assign(
        month=posts["period_start"],
        all_posts=posts["period_start"].map(totals),
    )
    monthly["pct_of_posts"] = monthly["value"] / monthly["all_posts"] * 100
    monthly = monthly[monthly.groupby("contender")["value"].transform("sum") > 0]
    chart_frame = monthly.assign(smoothed=monthly.groupby("contender")["pct_of_posts"].transform(
        lambda s: s.rolling(6, min_periods=3).mean()))
    section.charts.append(Chart(
        "hn_hiring_share", "Share of Hacker News \"Who is hiring?\" posts naming each framework (6-month mean)",
        charts.line_chart(chart_frame.dropna(subset=["smoothed"]), x="month", y="smoothed", color="framework",
                          title="HN \"Who is hiring?\": % of posts naming each framework (6-month mean)",
                          y_title="% of posts", palette=inputs.palette),
        table="hn_hiring_yearly"))
    yearly = (monthly.assign(year=monthly["month"].dt.year)
              .groupby(["year", "framework", "contender"], as_index=False)
              .agg(posts_mentioning=("value", "sum"), all_posts=("all_posts", "sum"), months=("value", "size"),
                   source_ref=("source_ref", "first")))
    yearly["pct_of_posts"] = (yearly["posts_mentioning"] / yearly["all_posts"] * 100).round(2)
    first_year = yearly.loc[yearly["posts_mentioning"] > 0, "year"].min()
    shown = yearly[yearly["year"] >= first_year]
    wide_yearly = shown.pivot_table(index=["year", "months", "all_posts"], columns="framework",
                                    values="pct_of_posts").reset_index()
    wide_yearly.columns = [c if c in ("year", "months", "all_posts") else f"{c} %" for c in wide_yearly.columns]
    wide_yearly["source_ref"] = shown.groupby("year")["source_ref"].first().to_numpy()
    section.tables.append(Table("hn_hiring_yearly", "% of HN \"Who is hiring?\" posts naming each framework, per "
                                "year (months = months counted; fewer than 12 is a partial year)",
                                wide_yearly.sort_values("year", ascending=False)))
    section.tables.append(Table("hn_hiring_monthly", "The monthly counts behind the chart", monthly[[
        "month", "framework", "value", "all_posts", "pct_of_posts", "source_ref"]].rename(
        columns={"value": "posts_mentioning"}).round({"pct_of_posts": 2}), collapsed=True))
    full_years = yearly[yearly["months"] == 12]
    ref = str(posts["source_ref"].iloc[0])
    wide = full_years.pivot_table(index="year", columns="contender", values="posts_mentioning")
    if {"tensorflow", "pytorch"} <= set(wide.columns):
        ratio = (wide["tensorflow"] / wide["pytorch"].where(wide["pytorch"] > 0)).dropna()
        if len(ratio) >= 2 and 2019 in ratio.index and 2020 in ratio.index:
            section.findings.append(Finding(
                f"In Hacker News hiring posts TensorFlow's lead over PyTorch went from {ratio[2019]:.1f}x in 2019 "
                f"to {ratio[2020]:.1f}x in 2020, the same narrowing the article saw on US job boards "
                f"(about 3x to about 2x).",
                [inputs.figure("TF/PyTorch posts ratio", round(ratio[2019], 2), "ratio", year=2019, source_ref=ref),
                 inputs.figure("TF/PyTorch posts ratio", round(ratio[2020], 2), "ratio", year=2020, source_ref=ref),
                 *[inputs.figure(f"{inputs.name(c)} posts", wide.loc[y, c], "posts", year=y, source_ref=ref)
                   for y in (2019, 2020) for c in ("tensorflow", "pytorch")]]))
        passed = ratio[ratio < 1]
        if not passed.empty:
            year = int(passed.index[0])
            section.findings.append(Finding(
                f"PyTorch has been named in more HN hiring posts than TensorFlow every full year since {year} "
                f"({int(wide.loc[year, 'pytorch'])} vs {int(wide.loc[year, 'tensorflow'])} posts in {year})."
                if (ratio[ratio.index >= year] < 1).all() else
                f"PyTorch was first named in more HN hiring posts than TensorFlow in {year}.",
                [inputs.figure("PyTorch posts", wide.loc[year, "pytorch"], "posts", year=year, source_ref=ref),
                 inputs.figure("TensorFlow posts", wide.loc[year, "tensorflow"], "posts", year=year,
                               source_ref=ref)]))
    if monthly["month"].max() < pd.Timestamp(datetime.now().year - 1, 1, 1):
        section.notes.append(f"The HN series in the store ends in {monthly['month'].max():%Y-%m}; run a collection to "
                             f"extend it.")


# -- Research -------------------------------------------------------------------------------------------------
def research_section(inputs: SectionInputs) -> Section:
    section = Section(
        id="research", title="Research",
        intro=("Share of top-conference papers that mention each framework, per venue and year, counted by "
               "Horace He (PDF to text, then matching). PyTorch / (PyTorch + TensorFlow) counts papers naming "
               "only one of the two. Two versions of his rules are shown side by side: 2019-11, the one the 2020 "
               "article cited (Google- and Facebook-affiliated papers excluded, Keras not counted), and 2021-10, "
               "his final one (affiliations included, Keras counted as TensorFlow)."))
    frame = inputs.observations[(inputs.observations["signal"] == "research")
                                & (inputs.observations["source"] == HORACE_HE_SOURCE)]
    if frame.empty or not {"pytorch", "tensorflow"} <= set(inputs.field.ids):
        section.notes.append("No per-venue research counts for this field's contenders in the store yet "
                             "(`mindshare scan` counts them from a folder of papers).")
        scan_block(inputs, section)  # counts from `mindshare scan`, if any
        _other_research(inputs, section)
        return section
    refs = frame.assign(source_ref=inputs.provenance.refs(frame))
    wide = refs.pivot_table(index=["segment", "period_label", "method"], columns="subject", values="value",
                            aggfunc="first").reset_index()
    source_ref = refs.groupby("method")["source_ref"].first()
    table = pd.DataFrame({
        "venue": wide["segment"], "year": wide["period_label"].astype(int),
        "rules": wide["method"].str.replace("horace-he-", "", regex=False),
        "pytorch_papers": wide["PyTorch"].astype(int), "tensorflow_papers": wide["TensorFlow"].astype(int),
        "total_papers": wide["_all_papers"].astype(int),
    })
    both = table["pytorch_papers"] + table["tensorflow_papers"]
    table["pytorch_share_pct"] = (table["pytorch_papers"] / both.where(both > 0) * 100).round(1)
    table["pytorch_pct_of_all"] = (table["pytorch_papers"] / table["total_papers"] * 100).round(1)
    table["tensorflow_pct_of_all"] = (table["tensorflow_papers"] / table["total_papers"] * 100).round(1)
    table["source_ref"] = wide["method"].map(source_ref)
    table = table.sort_values(["rules", "venue", "year"]).reset_index(drop=True)
    section.tables.append(Table("research_by_venue", "Papers mentioning only PyTorch or only TensorFlow, per venue, "
                                "year and rules version", table, collapsed=True))
    matrix = table.pivot_table(index=["rules", "venue"], columns="year", values="pytorch_share_pct").reset_index()
    matrix.columns = [str(c) for c in matrix.columns]
    section.tables.append(Table("research_share_matrix", "PyTorch / (PyTorch + TensorFlow), % per venue and year",
                                matrix))
    section.charts.append(Chart(
        "research_pytorch_share", "PyTorch / (PyTorch + TensorFlow) per venue, by rules version",
        charts.facet_line_chart(table.dropna(subset=["pytorch_share_pct"]), x="year", y="pytorch_share_pct",
                                color="venue", column="rules", y_domain=(0, 100),
                                title="PyTorch share of framework-naming papers (%), Horace He's rules",
                                y_title="PyTorch / (PyTorch + TensorFlow), %"),
        table="research_share_matrix"))
    pooled = (table.groupby(["rules", "year"], as_index=False)[["pytorch_papers", "tensorflow_papers", "total_papers"]]
              .sum())
    pooled_long = pd.concat([
        pooled.assign(framework=inputs.name("pytorch"), pct_of_all=pooled["pytorch_papers"] / pooled["total_papers"] * 100),
        pooled.assign(framework=inputs.name("tensorflow"),
                      pct_of_all=pooled["tensorflow_papers"] / pooled["total_papers"] * 100),
    ]).round({"pct_of_all": 1})
    pooled_long["series"] = pooled_long["framework"] + " (" + pooled_long["rules"] + ")"
    pooled_wide = pooled_long.pivot_table(index=["rules", "year", "total_papers"], columns="framework",
                                          values="pct_of_all").reset_index()
    pooled_wide.columns = [c if c in ("rules", "year", "total_papers") else f"{c} % of all" for c in pooled_wide.columns]
    section.tables.append(Table("research_pct_of_all", "Papers naming only each framework, % of all papers at the "
                                "venues counted that year (all venues pooled)", pooled_wide))
    section.charts.append(Chart(
        "research_pct_of_all", "% of all papers naming only each framework, venues pooled",
        charts.facet_line_chart(pooled_long, x="year", y="pct_of_all", color="framework", column="rules",
                                palette=inputs.palette, title="% of all papers naming only each framework",
                                y_title="% of all papers"),
        table="research_pct_of_all"))
    for rules in sorted(table["rules"].unique()):
        hit = table[(table["venue"] == "NeurIPS") & (table["year"] == 2019) & (table["rules"] == rules)]
        if not hit.empty:
            row = hit.iloc[0]
            section.findings.append(Finding(
                f"NeurIPS 2019 under the {rules} rules: {row['pytorch_papers']} papers named only PyTorch and "
                f"{row['tensorflow_papers']} only TensorFlow, a PyTorch share of {row['pytorch_share_pct']:.1f}%.",
                [{"name": "pytorch_papers", "value": int(row["pytorch_papers"]), "unit": "papers",
                  "source_ref": row["source_ref"], "venue": "NeurIPS", "year": 2019, "rules": rules},
                 {"name": "tensorflow_papers", "value": int(row["tensorflow_papers"]), "unit": "papers",
                  "source_ref": row["source_ref"], "venue": "NeurIPS", "year": 2019, "rules": rules},
                 {"name": "pytorch_share_pct", "value": float(row["pytorch_share_pct"]), "unit": "%",
                  "source_ref": row["source_ref"], "venue": "NeurIPS", "year": 2019, "rules": rules}]))
    final = table[table["rules"] == table["rules"].max()]
    # the latest year most venues were counted: a year with one venue is no picture of the field
    venues_per_year = final.dropna(subset=["pytorch_share_pct"]).groupby("year")["venue"].nunique()
    last_year = int(venues_per_year[venues_per_year >= max(2, venues_per_year.max() // 2)].index.max())
    latest = final[final["year"] == last_year].dropna(subset=["pytorch_share_pct"])
    if not latest.empty:
        section.findings.append(Finding(
            f"In {last_year} ({table['rules'].max()} rules) PyTorch's share ranged from "
            f"{latest['pytorch_share_pct'].min():.0f}% ({latest.loc[latest['pytorch_share_pct'].idxmin(), 'venue']}) to "
            f"{latest['pytorch_share_pct'].max():.0f}% ({latest.loc[latest['pytorch_share_pct'].idxmax(), 'venue']}) "
            f"across the {len(latest)} venues counted.",
            [{"name": "pytorch_share_pct", "value": float(r.pytorch_share_pct), "unit": "%", "venue": r.venue,
              "year": last_year, "source_ref": r.source_ref} for r in latest.itertuples()]))
    scan_block(inputs, section)  # counts from `mindshare scan`, if any
    _other_research(inputs, section)
    return section


def _other_research(inputs: SectionInputs, section: Section) -> None:
    other = inputs.observations[(inputs.observations["signal"] == "research")
                                & (inputs.observations["source"] != HORACE_HE_SOURCE)
                                & (inputs.observations["source"] != SCAN_SOURCE)]
    if other.empty:
        return
    section.tables.append(Table("other_research_figures", "Other published research figures (words kept as the "
                                "source gave them)", _fact_table(inputs, other)))


# -- Search interest ------------------------------------------------------------------------------------------
def search_section(inputs: SectionInputs) -> Section:
    section = Section(
        id="search", title="Search interest",
        intro=("The 2020 article compared relative Google search volume over three years, with linear trend lines "
               "(and the winter dip)."))
    series = drop_partial(inputs.of("search"))
    timed = series[series.groupby(["metric", "contender"])["period_start"].transform("nunique") > 2]
    if not timed.empty:
        for metric, group in timed.groupby("metric"):
            _trend_block(inputs, section, group, metric=str(metric), signal="search")
    else:
        section.notes.append(
            "The bundled dataset has no search-interest time series: no public copy of Google Trends or Wikipedia "
            "pageview series for these frameworks could be found to ship. To add one, collect it live "
            "(Wikipedia pageviews need no key; Google Trends is rate-limited) with `mindshare collect`, and this "
            "section draws it with linear trend lines.")
    _samples_block(inputs, section)
    snapshot = inputs.observations[(inputs.observations["signal"] == "search")
                                   & (inputs.observations["metric"] == "google_search_results")]
    if not snapshot.empty:
        section.tables.append(Table("google_result_counts", "Google result counts, one snapshot (a different "
                                    "quantity from search interest: pages, not searches)", _fact_table(inputs, snapshot)))
    return section


def _trends_samples(store: Store, as_of: str | None) -> pd.DataFrame:
    """Google Trends values from every snapshot, not only the newest: Google answers each pull from a new sample,
    so repeated pulls of one window differ and their spread is part of the figure."""
    from mindshare.sources.google_trends import SOURCE

    return store.observations(signal="search", source=SOURCE, as_of=as_of, all_snapshots=True,
                              include_notes=False)


def _samples_block(inputs: SectionInputs, section: Section) -> None:
    from mindshare.sources.google_trends import sample_spread

    samples = inputs.search_samples
    if samples is None or samples.empty:
        return
    samples = samples[samples["contender"].isin(inputs.field.ids)]
    spread = sample_spread(samples)
    repeated = spread[spread["samples"] >= 2]
    if repeated.empty:
        return
    repeated = repeated.assign(framework=repeated["contender"].map(inputs.name),
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


def _trend_block(inputs: SectionInputs, section: Section, frame: pd.DataFrame, *, metric: str, signal: str) -> None:
    frame = inputs.with_names(frame).assign(source_ref=inputs.provenance.refs(frame))
    trend_rows, fits = [], []
    for (contender, method), group in frame.groupby(["contender", "method"]):
        fit = linear_trend(group["period_start"], group["value"])
        if fit is None:
            continue
        line = charts_trend(fit, inputs.name(contender), method)
        trend_rows.append(line)
        fits.append({"framework": inputs.name(contender), "method": method, "slope_per_year": round(fit.slope_per_year, 3),
                     "ci_low": round(fit.ci_low, 3), "ci_high": round(fit.ci_high, 3), "n": fit.n,
                     "from": fit.start.date().isoformat(), "to": fit.end.date().isoformat(), "direction": fit.direction})
    trend = pd.concat(trend_rows) if trend_rows else None
    name = f"{signal}_{metric}"
    section.charts.append(Chart(name, metric, charts.line_chart(
        frame, x="period_start", y="value", color="framework", title=f"{metric} with linear trends",
        y_title=metric, palette=inputs.palette, trend=trend), table=f"{name}_trends"))
    section.tables.append(Table(f"{name}_trends", "Linear trend per contender: slope per year with its 95% interval",
                                pd.DataFrame(fits)))
    section.tables.append(Table(f"{name}_data", "The series", frame[["period_start", "framework", "value", "unit",
                                                                     "source_ref"]], collapsed=True))


def charts_trend(fit, framework: str, method: str) -> pd.DataFrame:
    from mindshare.analysis import trend_line

    line = trend_line(fit).rename(columns={"date": "period_start", "trend": "value"})
    return line.assign(framework=framework, segment=f"{framework} {method}",
                       label=f"{fit.slope_per_year:+.3g}/year [{fit.ci_low:.3g}, {fit.ci_high:.3g}]")


# -- Reported usage -------------------------------------------------------------------------------------------
def usage_section(inputs: SectionInputs) -> Section:
    section = Section(
        id="usage", title="Reported usage",
        intro=("What developers say they use, from surveys. Each figure keeps its segment: all respondents, "
               "professional developers, data scientists. Shares from different surveys are not comparable with "
               "each other: they ask different people different questions."))
    frame = inputs.of("usage")
    frame = frame[frame["unit"].fillna("").str.contains("%") & ~frame["metric"].str.endswith("_share_of_all")]
    if frame.empty:
        section.notes.append("No survey shares for this field's contenders in the store yet "
                             "(`mindshare survey import` reads the Stack Overflow survey files).")
        return section
    frame = inputs.with_names(frame).assign(source_ref=inputs.provenance.refs(frame))
    frame["survey"] = [_survey_name(source, label) for source, label in zip(frame["source"], frame["period_label"])]
    # recounted from an imported survey file: kept apart from the figure the survey itself published
    frame.loc[frame["method"] == SURVEY_METHOD, "survey"] += " (recounted from the file)"
    frame["who"] = frame["segment"].str.split(";").str[0].str.strip()
    frame["panel"] = frame["survey"] + ": " + frame["who"]
    frame = frame.sort_values(["period_start", "survey", "who", "value"], ascending=[True, True, True, False])
    table = frame[["survey", "who", "framework", "value", "unit", "source_ref"]].rename(
        columns={"value": "share_pct", "who": "segment"})
    section.tables.append(Table("survey_shares", "Share of respondents using each framework", table, collapsed=True))
    compact = frame.pivot_table(index=["survey", "who"], columns="framework", values="value", sort=False).reset_index()
    compact = compact.rename(columns={"who": "segment"})
    compact["source_ref"] = frame.groupby(["survey", "who"], sort=False)["source_ref"].first().to_numpy()
    section.tables.append(Table("survey_shares_compact", "% of respondents, per survey and segment", compact))
    section.charts.append(Chart("survey_shares", "Survey shares by survey and segment", charts.bar_chart(
        frame, category="panel", value="value", color="framework", title="Share of respondents (%)",
        x_title="% of respondents", palette=inputs.palette), table="survey_shares_compact"))
    for (survey, who), group in frame.groupby(["survey", "who"], sort=False):
        group = group.sort_values("value", ascending=False)
        if len(group) < 2:
            continue
        lead, follow = group.iloc[0], group.iloc[1]
        section.findings.append(Finding(
            f"{survey} ({who}): {lead['framework']} {lead['value']:g}% vs {follow['framework']} {follow['value']:g}% "
            f"of respondents ({lead['value'] / follow['value']:.1f}x).",
            [inputs.figure(f"{lead['framework']} share", lead["value"], "%", lead, survey=survey, segment=who),
             inputs.figure(f"{follow['framework']} share", follow["value"], "%", follow, survey=survey, segment=who)]))
    survey_intervals_block(inputs, section)
    return section


# -- More signals ---------------------------------------------------------------------------------------------
def signals_section(inputs: SectionInputs) -> Section:
    section = Section(
        id="signals", title="More signals",
        intro=("Signals the 2020 article did not use: PyPI downloads (what gets installed), GitHub stars (what "
               "developers bookmark) and Stack Overflow questions (what people get stuck on)."))
    _downloads_block(inputs, section)
    _github_block(inputs, section)
    _questions_block(inputs, section)
    collected_blocks(inputs, section)  # live `mindshare collect` series beside the bundled ones
    return section


def _downloads_block(inputs: SectionInputs, section: Section) -> None:
    raw = inputs.of("downloads", metric="downloads_30d")
    if raw.empty:
        return
    raw = raw.assign(date=_snapshot_date(raw))
    summed = (raw.groupby(["date", "method", "contender"], as_index=False)
              .agg(value=("value", "sum"), packages=("subject", lambda s: ", ".join(sorted(s))),
                   source=("source", "first"), reference=("reference", "first"), collected_at=("collected_at", "first"),
                   snapshot_id=("snapshot_id", "first")))
    summed = inputs.with_names(summed).assign(source_ref=inputs.provenance.refs(summed))
    methods = summed.sort_values("date").drop_duplicates("method")
    rules = methods.iloc[1:][["date", "method"]].assign(label=lambda f: "method change: " + f["method"], short="")
    if not rules.empty:
        rules.iloc[0, rules.columns.get_loc("short")] = "method changes"
    section.charts.append(Chart("pypi_downloads", "PyPI downloads per 30 days (log scale)", charts.line_chart(
        summed, x="date", y="value", color="framework", title="PyPI downloads in the 30 days before each snapshot",
        y_title="downloads (log scale)", palette=inputs.palette, log=True, rules=rules, tooltip_extra=["packages:N"]),
        table="pypi_downloads_wide"))
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
    section.notes.append("PyPI counts changed method three times (2024-11: all installers instead of pip only; "
                         "2024-12 to 2025-06: windows shorter than 30 days; 2025-07: full calendar months from "
                         "ClickHouse). Crossovers are only read within one method; the dotted lines mark the changes.")
    section.notes.append("Each framework's downloads sum the PyPI packages its field entry lists (see the packages "
                         "column). Dependencies are left out where they would count one install twice (jaxlib comes "
                         "with every jax); keras downloads include TensorFlow's own installs since TensorFlow 2.16.")
    package_level = raw[raw["subject"].isin(["torch", "tensorflow"])].assign(contender=lambda f: f["subject"])
    crossing = first_crossing(package_level, "torch", "tensorflow", at="date")
    if crossing:
        section.findings.append(Finding(
            f"The torch package passed the tensorflow package on PyPI in the {crossing.date:%Y-%m} snapshot "
            f"({crossing.passer_value / 1e6:.1f}M vs {crossing.passed_value / 1e6:.1f}M downloads in 30 days; "
            f"method: {crossing.method}).",
            [{"name": "torch downloads_30d", "value": crossing.passer_value, "unit": "downloads",
              "date": crossing.date.date().isoformat(), "method": crossing.method},
             {"name": "tensorflow downloads_30d", "value": crossing.passed_value, "unit": "downloads",
              "date": crossing.date.date().isoformat(), "method": crossing.method}]))
    whole = first_crossing(summed.assign(period_start=summed["date"]), "pytorch", "tensorflow", at="date")
    if whole:
        section.findings.append(Finding(
            f"Counting every package of each framework (TensorFlow: {', '.join(inputs.field.contender('tensorflow').pypi)}), "
            f"PyTorch passed TensorFlow in the {whole.date:%Y-%m} snapshot ({whole.passer_value / 1e6:.1f}M vs "
            f"{whole.passed_value / 1e6:.1f}M).",
            [{"name": "PyTorch downloads_30d", "value": whole.passer_value, "unit": "downloads",
              "date": whole.date.date().isoformat(), "method": whole.method},
             {"name": "TensorFlow downloads_30d", "value": whole.passed_value, "unit": "downloads",
              "date": whole.date.date().isoformat(), "method": whole.method}]))


def _snapshot_date(frame: pd.DataFrame) -> pd.Series:
    """The day a download snapshot was taken: its label when that is a date, else the end of its window."""
    parsed = pd.to_datetime(frame["period_label"], errors="coerce", format="%Y-%m-%d")
    return parsed.fillna(frame["period_end"])


def _github_block(inputs: SectionInputs, section: Section) -> None:
    stars = inputs.of("github", metric="github_stars")
    stars = stars[stars["source"] == "EvanLi/Github-Ranking"] if (stars["source"] == "EvanLi/Github-Ranking").any() else stars
    if stars.empty:
        return
    stars = inputs.with_names(stars).assign(source_ref=inputs.provenance.refs(stars))
    section.charts.append(Chart("github_stars", "GitHub stars of each framework's main repository", charts.line_chart(
        stars, x="period_start", y="value", color="framework", title="GitHub stars, main repository",
        y_title="stars", palette=inputs.palette), table="github_stars_latest"))
    latest = stars.sort_values("period_start").groupby("contender").tail(1).sort_values("value", ascending=False)
    section.tables.append(Table("github_stars_latest", "Latest star count per framework",
                                latest[["framework", "period_start", "value", "source_ref"]].rename(
                                    columns={"period_start": "date", "value": "stars"})))
    section.tables.append(Table("github_stars_monthly", "The monthly series", stars[[
        "period_start", "framework", "value", "source_ref"]].rename(columns={"period_start": "date", "value": "stars"}),
        collapsed=True))


def _questions_block(inputs: SectionInputs, section: Section) -> None:
    questions = inputs.of("qa", metric="questions_per_year")
    if questions.empty:
        return
    questions = inputs.with_names(questions).assign(source_ref=inputs.provenance.refs(questions),
                                                    year=questions["period_start"].dt.year)
    partial = questions["note"].fillna("").str.contains("partial") | (questions["year"] == 2020)
    questions["partial"] = partial
    full = questions[~questions["partial"]]
    section.charts.append(Chart("so_questions", "Stack Overflow questions per year, by tag", charts.line_chart(
        full, x="period_start", y="value", color="framework", title="Stack Overflow questions per year (full years)",
        y_title="questions", palette=inputs.palette), table="so_questions"))
    compact = questions.pivot_table(index=["year", "partial"], columns="framework", values="value").reset_index()
    compact["source_ref"] = questions.groupby(["year", "partial"])["source_ref"].first().to_numpy()
    section.tables.append(Table("so_questions", "New Stack Overflow questions per year by tag (2020 is partial: the "
                                "data were gathered during the year)", compact.sort_values("year", ascending=False)))
    section.notes.append("Stack Overflow 2020 counts are partial (gathered mid-year) and are not drawn as a drop.")


# -- Summary and sources --------------------------------------------------------------------------------------
def summary_section(inputs: SectionInputs) -> Section:
    """The verdict: who leads each signal, who is gaining, whether the signals agree, the composite score and
    how far its ranking holds under other weights. Every sentence carries the figures it states."""
    section = Section(
        id="summary", title="Summary: what should you focus on?",
        intro=("Who leads each signal at its latest comparable reading, who is gaining share (a trend whose 95% "
               "interval is above zero), where the signals agree, and a composite score tested against its "
               "weights."))
    add_analysis(inputs, section)   # verdict, composite + stability, trend intervals, crossovers, STL (issue 6)
    # the answer first, then the evidence sentence by sentence
    section.findings.sort(key=lambda finding: 0 if finding.text.startswith("What should you focus on?") else 1)
    if not section.findings:
        section.notes.append("No signal has enough data for a standing yet.")
    return section


def sources_section(inputs: SectionInputs) -> Section:
    section = Section(
        id="sources", title="Sources & method",
        intro=("Every figure in this report links to one of these entries (S1, S2, ...): who published or served "
               "it, the file or URL, the counting method or rules version, when it was fetched and which snapshot "
               "of the store holds it."))
    entries = inputs.provenance.entries
    section.tables.append(Table("sources", "Sources", pd.DataFrame([{
        "ref": e.ref, "source": e.source, "reference": e.reference, "method": e.method, "collected_at": e.collected_at,
        "snapshot_id": e.snapshot_id, "figures_shown": e.figures} for e in entries])))
    section.notes.append("Method: shares are among the contenders a signal measures; trend lines are ordinary least "
                         "squares with a 95% t interval on the slope; crossovers are read only between readings made "
                         "with the same method; a period still in progress is flagged, not drawn as a drop.")
    return section


def _fact_table(inputs: SectionInputs, frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.assign(source_ref=inputs.provenance.refs(frame))
    return pd.DataFrame({
        "period": frame["period_label"], "subject": frame["subject"],
        "figure": frame["value"].where(frame["value"].notna(), None).astype(object)
        .where(frame["value"].notna(), frame["value_text"]),
        "unit": frame["unit"], "segment": frame["segment"], "source": frame["source"],
        "source_ref": frame["source_ref"]})


def _survey_name(source: str, period_label: str) -> str:
    """'Stack Overflow Developer Survey 2019 (third-party...)' -> 'Stack Overflow Developer Survey 2019'."""
    import re

    name = re.sub(r"\s*\(.*$", "", source).strip()
    year = (period_label or "")[:4]
    return name if not year.isdigit() or year in name else f"{name} {year}"


def _plain(value):
    if hasattr(value, "item"):
        return value.item()
    return value


# Section builders in report order; the summary and the sources come after them. A new signal adds its
# builder here.
SECTION_BUILDERS: list[SectionBuilder] = [jobs_section, research_section, search_section, usage_section,
                                          signals_section]

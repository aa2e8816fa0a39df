"""Section `jobs`: how often job ads name each contender.

Hacker News "Who is hiring?" threads (the bundled monthly history, or a live collection, which wins where both
have a month): the share of posts naming each contender, per month and per year; job-listing counts per site
(hand-gathered or Adzuna) with each contender's share and the leader/follower ratio; and, for a field that
reproduces a published article, the listing figures it quoted (report.article).
"""

from __future__ import annotations

import pandas as pd

from mindshare.analysis.shares import leader_follower_ratio, share_among
from mindshare.catalogue import JOB_LISTINGS, JOB_POSTS, JOBS, POSTS_MATCHING, POSTS_MENTIONING, SERIES_BRIDGE
from mindshare.report import figures
from mindshare.report.article_jobs import hn_narrowing, quoted_job_figures
from mindshare.report.evidence import Evidence, prefer_live_hn
from mindshare.report.model import Finding, Section, Table

SECOND_METHOD_METRIC = POSTS_MATCHING.name   # the same threads counted by a second method (a regex on the posts' text)
BRIDGE_METRIC = SERIES_BRIDGE.name           # notes saying how far two methods' series may be joined
GENERIC_INTRO = ("How often job ads name each contender: Hacker News \"Who is hiring?\" threads, a free monthly "
                 "series of real job posts, and job-listing counts per site where they were gathered.")


def build(evidence: Evidence) -> Section:
    article = evidence.article
    section = Section(id="jobs", title="Job listings", intro=evidence.intro("jobs", GENERIC_INTRO))
    observations = evidence.observations
    posts = prefer_live_hn(evidence.of(JOBS.name, metric=POSTS_MENTIONING.name))
    all_posts = prefer_live_hn(observations[(observations["signal"] == JOBS.name)
                                            & (observations["subject"] == "_all_posts")])
    second = evidence.of(JOBS.name, metric=SECOND_METHOD_METRIC)
    second_totals = observations[(observations["signal"] == JOBS.name) & (observations["metric"] == JOB_POSTS.name)
                                 & observations["source"].isin(second["source"].unique())]
    if not posts.empty:
        _hn_block(evidence, section, posts, all_posts,
                  extended_to=second["period_start"].max() if not second.empty else None)
    if not second.empty and not second_totals.empty:
        _second_method_block(evidence, section, second, second_totals)
    _listings_block(evidence, section)
    if article:
        quoted_job_figures(article, evidence, section)
    if not section.findings and posts.empty:
        section.notes.append("No job-listing observations for this field's contenders yet.")
    return section


# -- Hacker News ------------------------------------------------------------------------------------------------
def _monthly(evidence: Evidence, posts: pd.DataFrame, all_posts: pd.DataFrame) -> pd.DataFrame:
    """Each month's posts naming each contender beside all posts that month, and the share; contenders never
    named are left out."""
    posts = evidence.with_names(posts).assign(source_ref=evidence.refs(posts))
    totals = all_posts.drop_duplicates("period_start").set_index("period_start")["value"]
    monthly = posts.assign(month=posts["period_start"], all_posts=posts["period_start"].map(totals))
    monthly["pct_of_posts"] = monthly["value"] / monthly["all_posts"] * 100
    return monthly[monthly.groupby("contender")["value"].transform("sum") > 0]


def _smoothed(monthly: pd.DataFrame) -> pd.DataFrame:
    return monthly.assign(smoothed=monthly.groupby("contender")["pct_of_posts"].transform(
        lambda s: s.rolling(6, min_periods=3).mean())).dropna(subset=["smoothed"])


def _hn_block(evidence: Evidence, section: Section, posts: pd.DataFrame, all_posts: pd.DataFrame,
              *, extended_to: pd.Timestamp | None = None) -> None:
    monthly = _monthly(evidence, posts, all_posts)
    posts = monthly
    smoothed = _smoothed(monthly)
    if not smoothed.empty:   # three months at least
        section.charts.append(figures.lines(
            "hn_hiring_share", f"Share of Hacker News \"Who is hiring?\" posts naming each {evidence.field.noun} "
            "(6-month mean)",
            smoothed, x="month", y="smoothed", color="framework",
            plot_title=f"HN \"Who is hiring?\": % of posts naming each {evidence.field.noun} (6-month mean)",
            y_title="% of posts", palette=evidence.palette, table="hn_hiring_yearly"))
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
    section.tables.append(Table("hn_hiring_monthly", "The monthly counts behind the chart" if not smoothed.empty
                                else "The monthly counts", monthly[[
        "month", "framework", "value", "all_posts", "pct_of_posts", "source_ref"]].rename(
        columns={"value": "posts_mentioning"}).round({"pct_of_posts": 2}), collapsed=True))
    ref = str(posts["source_ref"].iloc[0])
    section.findings.extend(_hn_findings(evidence, yearly, ref))
    newest = max(monthly["month"].max(), extended_to) if extended_to is not None else monthly["month"].max()
    if newest < pd.Timestamp(evidence.report_date.year - 1, 1, 1):
        section.notes.append(f"The HN series in the store ends in {newest:%Y-%m}; run a collection to extend it.")


def _hn_findings(evidence: Evidence, yearly: pd.DataFrame, ref: str) -> list[Finding]:
    """For a field that reproduces the article: its pair over the article's years, and the first full year the
    challenger was named more often. For any other field: who was named most in the latest year counted."""
    article = evidence.article
    if article is None:
        return _latest_year_leader(evidence, yearly, ref)
    full_years = yearly[yearly["months"] == 12]
    wide = full_years.pivot_table(index="year", columns="contender", values="posts_mentioning")
    incumbent, challenger = article.incumbent, article.challenger
    if not {incumbent, challenger} <= set(wide.columns):
        return []
    findings = []
    ratio = (wide[incumbent] / wide[challenger].where(wide[challenger] > 0)).dropna()
    narrowing = hn_narrowing(article, evidence, ratio, wide, ref)
    if narrowing:
        findings.append(narrowing)
    passed = ratio[ratio < 1]
    if not passed.empty:
        year = int(passed.index[0])
        ahead, behind = evidence.name(challenger), evidence.name(incumbent)
        findings.append(Finding(
            f"{ahead} has been named in more HN hiring posts than {behind} every full year since {year} "
            f"({int(wide.loc[year, challenger])} vs {int(wide.loc[year, incumbent])} posts in {year})."
            if (ratio[ratio.index >= year] < 1).all() else
            f"{ahead} was first named in more HN hiring posts than {behind} in {year}.",
            [evidence.figure(f"{ahead} posts", wide.loc[year, challenger], "posts", year=year, source_ref=ref),
             evidence.figure(f"{behind} posts", wide.loc[year, incumbent], "posts", year=year, source_ref=ref)]))
    return findings


def _latest_year_leader(evidence: Evidence, yearly: pd.DataFrame, ref: str) -> list[Finding]:
    """Who was named in the most posts in the latest year counted, with the months it covers (fewer than 12 is a
    partial year) and the posts it counted."""
    named = yearly[yearly["posts_mentioning"] > 0]
    if named.empty:
        return []
    year = int(named["year"].max())
    ranked = yearly[yearly["year"] == year].sort_values(["posts_mentioning", "framework"], ascending=[False, True])
    if len(ranked) < 2:
        return []
    first, second = ranked.iloc[0], ranked.iloc[1]
    months = int(first["months"])
    return [Finding(
        f"In {year} ({months} month{'s' if months != 1 else ''} of HN \"Who is hiring?\" threads in the store, "
        f"{int(first['all_posts']):,} posts), {first['framework']} was named in {int(first['posts_mentioning'])} "
        f"posts ({first['pct_of_posts']:g}%) and {second['framework']} in {int(second['posts_mentioning'])} "
        f"({second['pct_of_posts']:g}%).",
        [evidence.figure(f"{row['framework']} posts", row["posts_mentioning"], "posts", year=year,
                         months=months, all_posts=row["all_posts"], pct_of_posts=row["pct_of_posts"], source_ref=ref)
         for row in (first, second)])]


def _second_method_block(evidence: Evidence, section: Section, posts: pd.DataFrame, totals: pd.DataFrame) -> None:
    """The same threads counted by a second method (a word-boundary regex on the posts' text, reaching further
    than the first): its own chart, yearly table and latest twelve months, never spliced into the first; how far
    the two agree is the bundle's own note, shown as it is."""
    monthly = _monthly(evidence, posts, totals)
    if monthly.empty:
        return
    method = str(posts["method"].iloc[0])
    first, last = monthly["month"].min(), monthly["month"].max()
    smoothed = _smoothed(monthly)
    yearly = (monthly.assign(year=monthly["month"].dt.year)
              .groupby(["year", "framework"], as_index=False)
              .agg(posts_naming=("value", "sum"), all_posts=("all_posts", "sum"), months=("value", "size"),
                   source_ref=("source_ref", "first")))
    yearly["pct_of_posts"] = (yearly["posts_naming"] / yearly["all_posts"] * 100).round(2)
    name = "hn_hiring_second_method"
    section.tables.append(Table(f"{name}_yearly", f"The same threads counted by a second method ({method}), "
                                f"{first:%Y-%m} to {last:%Y-%m}: posts naming each {evidence.field.noun} per year and % of all "
                                "posts (months = months counted; fewer than 12 is a partial year)",
                                yearly.sort_values(["year", "posts_naming"], ascending=[False, False])))
    if not smoothed.empty:
        section.charts.append(figures.lines(
            name, f"The second count, {first:%Y-%m} to {last:%Y-%m}: share of posts naming each {evidence.field.noun} "
            "(6-month mean)", smoothed, x="month", y="smoothed", color="framework",
            plot_title=f"HN \"Who is hiring?\", second method: % of posts (6-month mean, to {last:%Y-%m})",
            y_title="% of posts", palette=evidence.palette, table=f"{name}_yearly"))
    window = monthly[monthly["month"] > last - pd.DateOffset(months=12)]
    counted = window.groupby("framework").agg(posts=("value", "sum"), source_ref=("source_ref", "first")) \
        .sort_values("posts", ascending=False)
    all_posts = int(window.drop_duplicates("month")["all_posts"].sum())
    if len(counted) >= 2 and all_posts > 0:
        parts = [f"{framework} {int(row.posts)} ({row.posts / all_posts * 100:.1f}%)"
                 for framework, row in counted.head(2).iterrows()]
        section.findings.append(Finding(
            f"Counted by the second method, the 12 months to {last:%Y-%m} had {all_posts:,} hiring posts: "
            + " and ".join(parts) + " named each.",
            [evidence.figure(f"{framework} posts", int(row.posts), "posts", months=12, to=f"{last:%Y-%m}",
                             all_posts=all_posts, source_ref=row.source_ref)
             for framework, row in counted.head(2).iterrows()]))
    bridges = evidence.observations[(evidence.observations["signal"] == JOBS.name)
                                    & (evidence.observations["metric"] == BRIDGE_METRIC)
                                    & evidence.observations["value_text"].notna()]
    for row in bridges.itertuples():
        section.notes.append(f"Joining the two counts ({row.period_label}): {row.value_text}.")


# -- job-listing counts per site ----------------------------------------------------------------------------------
def _listings_block(evidence: Evidence, section: Section) -> None:
    """Job-listing counts per site (hand-gathered, Adzuna): per-site bars, share of total, leader/follower ratio."""
    frame = evidence.of(JOBS.name, metric=JOB_LISTINGS.name)
    if frame.empty:
        return
    frame = evidence.with_names(frame).assign(source_ref=evidence.refs(frame))
    frame["site"] = frame["source"] + " (" + frame["segment"] + ")"
    frame = share_among(frame, by=["site", "period_start"])
    latest = frame[frame["period_start"] == frame.groupby("site")["period_start"].transform("max")].copy()
    latest["panel"] = latest["site"] + ", " + latest["period_start"].dt.strftime("%Y-%m-%d")
    latest = latest.sort_values(["panel", "value"], ascending=[True, False])
    section.charts.append(figures.bars(
        "job_listings_by_site", "Job listings naming each framework, per site (latest count of each site)",
        latest, category="panel", value="value", color="framework", plot_title="Job listings per site (latest count)",
        x_title="listings", palette=evidence.palette, table="job_listings_latest"))
    section.tables.append(Table("job_listings_latest", "Job listings per site and country, latest count, with "
                                f"each {evidence.field.noun}'s share of the listings counted there", latest[[
                                    "site", "period_label", "framework", "value", "share_pct", "query",
                                    "source_ref"]].rename(columns={"value": "listings", "period_label": "date"})
                                .round({"share_pct": 1})))
    totals = latest.groupby("framework")["value"].sum().sort_values(ascending=False)
    if len(totals) < 2 or totals.iloc[1] <= 0:
        return
    leader_name, follower_name = totals.index[0], totals.index[1]
    leader = latest.loc[latest["framework"] == leader_name, "contender"].iloc[0]
    follower = latest.loc[latest["framework"] == follower_name, "contender"].iloc[0]
    ratios = []
    for site, group in frame.groupby("site"):
        ratio = leader_follower_ratio(group, leader, follower).dropna()
        ratios += [{"site": site, "period_start": when, "ratio": round(float(value), 3)} for when, value in ratio.items()]
    ratios = pd.DataFrame(ratios)
    if ratios.empty:
        return
    section.tables.append(Table("job_listings_ratio", f"{leader_name} listings / {follower_name} listings, per site "
                                "and date", ratios.sort_values(["site", "period_start"])))
    if ratios["period_start"].nunique() > 1:
        section.charts.append(figures.lines(
            "job_listings_ratio", f"{leader_name} / {follower_name} job listings over time, per site",
            ratios.assign(framework=ratios["site"]), x="period_start", y="ratio", color="framework",
            plot_title=f"{leader_name} / {follower_name} listings", y_title="ratio", palette={},
            table="job_listings_ratio"))
    latest_ratio = ratios.sort_values("period_start").groupby("site").agg(first=("ratio", "first"),
                                                                         last=("ratio", "last"),
                                                                         start=("period_start", "min"),
                                                                         end=("period_start", "max"))
    for site, row in latest_ratio.iterrows():
        text = (f"On {site}, {leader_name} had {row['last']:.1f}x the listings of {follower_name} on "
                f"{row['end']:%Y-%m-%d}" + (f" (from {row['first']:.1f}x on {row['start']:%Y-%m-%d})."
                                            if row["start"] != row["end"] else "."))
        section.findings.append(Finding(text, [
            evidence.figure(f"{leader_name}/{follower_name} listings ratio", row["last"], "ratio", site=site,
                            date=str(row["end"].date()))]))

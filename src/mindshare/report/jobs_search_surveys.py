"""Report blocks for the article's own signals collected live: job-listing counts (hand-gathered and Adzuna),
Google Trends (partial periods left out of trend fits) and Stack Overflow survey shares with their intervals.

Called from the jobs, search and usage sections of `report/build.py`; each block adds charts, tables and
findings to the section it is given and does nothing when the store has no such observations.
"""

from __future__ import annotations

import pandas as pd

from mindshare.analysis.shares import leader_follower_ratio, share_among
from mindshare.report import charts
from mindshare.report.model import Chart, Finding, Section, Table

SURVEY_METHOD = "mindshare survey import v1"
HN_LIVE_SOURCE = "Hacker News 'Who is hiring?' (HN Algolia API)"


def prefer_live_hn(frame: pd.DataFrame) -> pd.DataFrame:
    """One HN 'Who is hiring?' value per month and subject: a live collection wins over the bundled copy."""
    if frame.empty or "source" not in frame:
        return frame
    ranked = frame.assign(_live=(frame["source"] == HN_LIVE_SOURCE).astype(int),
                          _who=frame["contender"].fillna(frame["subject"]))
    ranked = ranked.sort_values("_live", ascending=False, kind="stable")
    return ranked.drop_duplicates(["metric", "_who", "period_start"]).drop(columns=["_live", "_who"])


def drop_partial(frame: pd.DataFrame) -> pd.DataFrame:
    """Leave out periods flagged PARTIAL (not over when counted): a half-counted week is not a drop."""
    if frame.empty or "note" not in frame:
        return frame
    return frame[~frame["note"].fillna("").str.startswith("PARTIAL")]


def listings_block(inputs, section: Section) -> None:
    """Job-listing counts per site (hand-gathered, Adzuna): per-site bars, share of total, leader/follower ratio."""
    frame = inputs.of("jobs", metric="job_listings")
    if frame.empty:
        return
    frame = inputs.with_names(frame).assign(source_ref=inputs.provenance.refs(frame))
    frame["site"] = frame["source"] + " (" + frame["segment"] + ")"
    frame = share_among(frame, by=["site", "period_start"])
    latest = frame[frame["period_start"] == frame.groupby("site")["period_start"].transform("max")].copy()
    latest["panel"] = latest["site"] + ", " + latest["period_start"].dt.strftime("%Y-%m-%d")
    latest = latest.sort_values(["panel", "value"], ascending=[True, False])
    section.charts.append(Chart(
        "job_listings_by_site", "Job listings naming each framework, per site (latest count of each site)",
        charts.bar_chart(latest, category="panel", value="value", color="framework",
                         title="Job listings per site (latest count)", x_title="listings", palette=inputs.palette),
        table="job_listings_latest"))
    section.tables.append(Table("job_listings_latest", "Job listings per site and country, latest count, with "
                                "each framework's share of the listings counted there", latest[[
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
        section.charts.append(Chart(
            "job_listings_ratio", f"{leader_name} / {follower_name} job listings over time, per site",
            charts.line_chart(ratios.assign(framework=ratios["site"]), x="period_start", y="ratio", color="framework",
                              title=f"{leader_name} / {follower_name} listings", y_title="ratio", palette={}),
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
            inputs.figure(f"{leader_name}/{follower_name} listings ratio", row["last"], "ratio", site=site,
                          date=str(row["end"].date()))]))


SURVEYS = (("so_survey", "Stack Overflow"), ("kaggle_survey", "Kaggle ML & DS"))


def survey_intervals_block(inputs, section: Section) -> None:
    """Imported survey files: share with its 95% Wilson interval, all respondents beside professionals, every year."""
    for prefix, title in SURVEYS:
        _survey_intervals(inputs, section, prefix, title)


def _survey_intervals(inputs, section: Section, prefix: str, title: str) -> None:
    from mindshare.analysis.surveys import wilson_interval

    rows = inputs.observations[(inputs.observations["signal"] == "usage")
                               & (inputs.observations["method"] == SURVEY_METHOD)
                               & inputs.observations["metric"].str.startswith(prefix + "_")]
    shares = rows[(rows["metric"] == f"{prefix}_share") & (rows["kind"] == "number")
                  & rows["contender"].isin(inputs.field.ids)]
    if shares.empty:
        return
    counts = rows[rows["metric"] == f"{prefix}_count"].set_index(["source", "segment", "contender"])["value"]
    bases = rows[(rows["metric"] == f"{prefix}_respondents") & (rows["subject"] == "_answered")]
    bases = bases.set_index(["source", "segment"])["value"]
    shares = inputs.with_names(shares).assign(source_ref=inputs.provenance.refs(shares))
    low, high, n = [], [], []
    for row in shares.itertuples(index=False):
        count = counts.get((row.source, row.segment, row.contender))
        base = bases.get((row.source, row.segment))
        if count is None or base is None or base <= 0:
            low.append(None), high.append(None), n.append(None)
            continue
        lo, hi = wilson_interval(int(count), int(base))
        low.append(round(100 * lo, 2)), high.append(round(100 * hi, 2)), n.append(int(base))
    shares = shares.assign(ci_low=low, ci_high=high, n=n, year=shares["period_label"])
    shares["panel"] = shares["year"] + ": " + shares["segment"]
    shares = shares.sort_values(["year", "segment", "value"], ascending=[True, True, False])
    section.charts.append(Chart(
        f"{prefix}_intervals", f"{title} survey, imported files: share of those who answered, with 95% "
        "Wilson intervals; all respondents beside professional developers where the survey asks, every year imported",
        charts.bar_chart(shares, category="panel", value="value", color="framework",
                         title=f"{title} survey: % of respondents who answered (95% interval)",
                         x_title="% of respondents who answered", palette=inputs.palette,
                         error_low="ci_low", error_high="ci_high"),
        table=f"{prefix}_intervals"))
    section.tables.append(Table(f"{prefix}_intervals", f"{title} survey shares from the imported files, with "
                                "95% Wilson intervals and n (respondents who answered the framework question)",
                                shares[["year", "segment", "framework", "value", "ci_low", "ci_high", "n",
                                        "source_ref"]].rename(columns={"value": "share_pct"})))
    for (year, segment), group in shares.groupby(["year", "segment"]):
        if len(group) < 2:
            continue
        a, b = group.iloc[0], group.iloc[1]
        overlap = a["ci_low"] is not None and b["ci_high"] is not None and a["ci_low"] <= b["ci_high"]
        section.findings.append(Finding(
            f"{title} {year} ({segment}): {a['framework']} {a['value']:.1f}% "
            f"[{a['ci_low']:.1f}, {a['ci_high']:.1f}] vs {b['framework']} {b['value']:.1f}% "
            f"[{b['ci_low']:.1f}, {b['ci_high']:.1f}] of {int(a['n']):,} who answered"
            + ("; the intervals overlap." if overlap else "."),
            [inputs.figure(f"{a['framework']} share", a["value"], "%", a, year=year, segment=segment,
                           ci_low=a["ci_low"], ci_high=a["ci_high"], n=a["n"]),
             inputs.figure(f"{b['framework']} share", b["value"], "%", b, year=year, segment=segment,
                           ci_low=b["ci_low"], ci_high=b["ci_high"], n=b["n"])]))
    absent = rows[(rows["metric"] == f"{prefix}_share") & (rows["kind"] == "note")]
    if not absent.empty:
        missing = absent.groupby("period_label")["subject"].apply(lambda s: ", ".join(sorted(s)))
        section.notes.append(f"Not an option of the {title} survey's framework question (so no share, not "
                             "zero): " + "; ".join(f"{year}: {names}" for year, names in missing.items()))

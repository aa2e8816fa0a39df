"""Section `usage`: what developers say they use, from surveys, each figure with its survey and segment (all
respondents, professional developers, data scientists). Shares the surveys published, and shares recounted from
imported survey files with their 95% Wilson intervals, every year and segment imported.
"""

from __future__ import annotations

import re

from mindshare.analysis.surveys import wilson_interval
from mindshare.observations import Methods
from mindshare.report import figures
from mindshare.report.evidence import Evidence
from mindshare.report.model import Finding, Section, Table

INTRO = ("What developers say they use, from surveys. Each figure keeps its segment: all respondents, "
         "professional developers, data scientists. Shares from different surveys are not comparable with "
         "each other: they ask different people different questions.")
SURVEYS = (("so_survey", "Stack Overflow"), ("kaggle_survey", "Kaggle ML & DS"))   # metric prefix, survey


def build(evidence: Evidence) -> Section:
    section = Section(id="usage", title="Reported usage", intro=INTRO)
    frame = evidence.of("usage")
    frame = frame[frame["unit"].fillna("").str.contains("%") & ~frame["metric"].str.endswith("_share_of_all")]
    if frame.empty:
        section.notes.append("No survey shares for this field's contenders in the store yet "
                             "(`mindshare survey import` reads the Stack Overflow survey files).")
        return section
    frame = evidence.with_names(frame).assign(source_ref=evidence.refs(frame))
    frame["survey"] = [survey_name(source, label) for source, label in zip(frame["source"], frame["period_label"])]
    # recounted from an imported survey file: kept apart from the figure the survey itself published
    frame.loc[frame["method"] == Methods.SURVEY_IMPORT, "survey"] += " (recounted from the file)"
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
    section.charts.append(figures.bars(
        "survey_shares", "Survey shares by survey and segment", frame, category="panel", value="value",
        color="framework", plot_title="Share of respondents (%)", x_title="% of respondents", palette=evidence.palette,
        table="survey_shares_compact"))
    newest = newest_years(frame["survey"])
    for (survey, who), group in frame.groupby(["survey", "who"], sort=False):
        group = group.sort_values("value", ascending=False)
        if len(group) < 2:
            continue
        lead, follow = group.iloc[0], group.iloc[1]
        family, year = survey_family(survey)
        section.findings.append(Finding(
            f"{survey} ({who}): {lead['framework']} {lead['value']:g}% vs {follow['framework']} {follow['value']:g}% "
            f"of respondents ({lead['value'] / follow['value']:.1f}x).",
            [evidence.figure(f"{lead['framework']} share", lead["value"], "%", lead, survey=survey, segment=who),
             evidence.figure(f"{follow['framework']} share", follow["value"], "%", follow, survey=survey,
                             segment=who)],
            detail=year != newest.get(family)))
    for prefix, title in SURVEYS:
        _survey_intervals(evidence, section, prefix, title)
    return section


def survey_name(source: str, period_label: str) -> str:
    """The survey's name with its year: the source's name up to any parenthesis, the year of the period added
    when the name lacks it. A survey's own published table (Stack Overflow's archive, to four decimals) keeps
    "(published results)", so it is never mixed with the rounded figure an article quoted from the same survey."""
    name = re.sub(r"\s*\(.*$", "", source).strip()
    year = (period_label or "")[:4]
    name = name if not year.isdigit() or year in name else f"{name} {year}"
    return f"{name} (published results)" if source.endswith("(published results)") else name


def survey_family(survey: str) -> tuple[str, str]:
    """A survey's series and year: "<name> <year> (published results)" is that year of the series
    "<name> (published results)"; a name without a year is a series of its own."""
    match = re.search(r"\b(19|20)\d\d\b", survey)
    year = match.group(0) if match else ""
    family = re.sub(r"\s+", " ", survey.replace(year, "")).strip() if year else survey
    return family, year


def newest_years(surveys) -> dict[str, str]:
    """The newest year of each survey series among `surveys`: its sentences are the ones shown unfolded."""
    newest: dict[str, str] = {}
    for survey in surveys:
        family, year = survey_family(survey)
        newest[family] = max(newest.get(family, ""), year)
    return newest


def _survey_intervals(evidence: Evidence, section: Section, prefix: str, title: str) -> None:
    """Imported survey files: share with its 95% Wilson interval, all respondents beside professionals, every year."""
    observations = evidence.observations
    rows = observations[(observations["signal"] == "usage") & (observations["method"] == Methods.SURVEY_IMPORT)
                        & observations["metric"].str.startswith(prefix + "_")]
    shares = rows[(rows["metric"] == f"{prefix}_share") & (rows["kind"] == "number")
                  & rows["contender"].isin(evidence.field.ids)]
    if shares.empty:
        return
    counts = rows[rows["metric"] == f"{prefix}_count"].set_index(["source", "segment", "contender"])["value"]
    bases = rows[(rows["metric"] == f"{prefix}_respondents") & (rows["subject"] == "_answered")]
    bases = bases.set_index(["source", "segment"])["value"]
    shares = evidence.with_names(shares).assign(source_ref=evidence.refs(shares))
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
    section.charts.append(figures.bars(
        f"{prefix}_intervals", f"{title} survey, imported files: share of those who answered, with 95% "
        "Wilson intervals; all respondents beside professional developers where the survey asks, every year imported",
        shares, category="panel", value="value", color="framework",
        plot_title=f"{title} survey: % of respondents who answered (95% interval)",
        x_title="% of respondents who answered", palette=evidence.palette, error_low="ci_low", error_high="ci_high",
        table=f"{prefix}_intervals"))
    section.tables.append(Table(f"{prefix}_intervals", f"{title} survey shares from the imported files, with "
                                "95% Wilson intervals and n (respondents who answered the framework question)",
                                shares[["year", "segment", "framework", "value", "ci_low", "ci_high", "n",
                                        "source_ref"]].rename(columns={"value": "share_pct"})))
    newest = shares["year"].max()
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
            [evidence.figure(f"{a['framework']} share", a["value"], "%", a, year=year, segment=segment,
                             ci_low=a["ci_low"], ci_high=a["ci_high"], n=a["n"]),
             evidence.figure(f"{b['framework']} share", b["value"], "%", b, year=year, segment=segment,
                             ci_low=b["ci_low"], ci_high=b["ci_high"], n=b["n"])],
            detail=year != newest))
    absent = rows[(rows["metric"] == f"{prefix}_share") & (rows["kind"] == "note")]
    if not absent.empty:
        missing = absent.groupby("period_label")["subject"].apply(lambda s: ", ".join(sorted(s)))
        section.notes.append(f"Not an option of the {title} survey's framework question (so no share, not "
                             "zero): " + "; ".join(f"{year}: {names}" for year, names in missing.items()))

"""Section `usage`: what developers say they use, from surveys, each figure with its survey and segment (all
respondents, professional developers, learners, data scientists).

A survey whose readings carry counts and bases (a survey's own published tables with their bases, the raw files
imported) is drawn year by year, one panel per population, every share with its 95% Wilson interval, and
its first-to-latest change with Newcombe's interval (mindshare.analysis.survey_readings matches the readings by
survey, question and population). Two readings of one year that disagree are both kept and said; a year whose
survey dropped the question is said too. Other surveys' published shares (no base, one year) are bars beside.
"""

from __future__ import annotations

import re

import pandas as pd

from mindshare.analysis.surveys import wilson_interval
from mindshare.catalogue import USAGE, SurveyMetrics
from mindshare.observations import ANSWERED_THE_QUESTION, Methods
from mindshare.report import figures
from mindshare.report.evidence import Evidence
from mindshare.report.model import Finding, Section, Table

INTRO = ("What developers say they use, from surveys. Each figure keeps its segment: all respondents, "
         "professional developers, data scientists. Shares from different surveys are not comparable with "
         "each other: they ask different people different questions.")
# surveys read year by year (metric prefix), where counts and bases give every share its interval: the published
# tables and the imported survey files
YEAR_BY_YEAR = ("so", "kaggle")


def build(evidence: Evidence) -> Section:
    section = Section(id="usage", title="Reported usage", intro=INTRO)
    frame = evidence.of(USAGE.name)
    frame = frame[frame["unit"].fillna("").str.contains("%") & ~frame["metric"].str.endswith("_share_of_all")]
    if frame.empty:
        section.notes.append("No survey shares for this field's contenders in the store yet "
                             "(`mindshare survey import` reads the Stack Overflow survey files).")
        return section
    drawn: set[tuple[str, int]] = set()       # (metric prefix, year) drawn year by year
    drawn_sources: set[str] = set()
    readings = _readings(evidence)
    for survey in YEAR_BY_YEAR:
        sources, years = _survey_years(evidence, section, survey, readings[readings["survey"] == survey])
        drawn_sources |= sources
        drawn |= {(survey, year) for year in years}
    frame = evidence.with_names(frame).assign(source_ref=evidence.refs(frame))
    frame["survey"] = [survey_name(source, label) for source, label in zip(frame["source"], frame["period_label"])]
    # recounted from an imported survey file: kept apart from the figure the survey itself published
    frame.loc[frame["method"] == Methods.SURVEY_IMPORT, "survey"] += " (recounted from the file)"
    frame["who"] = frame["segment"].str.split(";").str[0].str.strip()
    frame["panel"] = frame["survey"] + ": " + frame["who"]
    frame = frame.sort_values(["period_start", "survey", "who", "value"], ascending=[True, True, True, False])
    table = frame[["survey", "who", "framework", "value", "unit", "source_ref"]].rename(
        columns={"value": "share_pct", "who": "segment"})
    section.tables.append(Table("survey_shares", f"Share of respondents using each {evidence.field.noun}", table, collapsed=True))
    # the surveys drawn year by year (with intervals) above are left out of the bars, which show the rest; so is a
    # second reading of a year drawn there (its conflict is a sentence of its own)
    prefix = frame["metric"].str.extract(r"^([a-z]+)_survey_", expand=False)
    year = pd.to_datetime(frame["period_start"]).dt.year
    second = pd.Series([(p, y) in drawn for p, y in zip(prefix, year)], index=frame.index, dtype=bool)
    frame = frame[~frame["source"].isin(drawn_sources) & ~second]
    if frame.empty:
        return section
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


def _readings(evidence: Evidence) -> pd.DataFrame:
    """Every survey reading of the field's contenders, matched by survey, question, population and year, with its
    count and base where the survey gave them (mindshare.analysis.survey_readings)."""
    from mindshare.analysis.survey_readings import survey_readings

    observations = evidence.observations
    usage = observations[(observations["signal"] == USAGE.name) & (observations["kind"] == "number")]
    return survey_readings(usage, list(evidence.field.ids))


def _survey_years(evidence: Evidence, section: Section, survey: str,
                  readings: pd.DataFrame) -> tuple[set[str], set[int]]:
    """One survey's question year by year, per population, each share with its 95% Wilson interval (the
    published counts and bases give them); the change from the first to the latest year with Newcombe's interval;
    readings of one year that disagree, both shown; a year whose survey dropped the question, said so."""
    from mindshare.analysis.survey_readings import survey_changes

    readings = readings[(readings["base"] == ANSWERED_THE_QUESTION) & readings["count"].notna()
                        & readings["n"].notna()]
    if readings.empty:
        return set(), set()
    low, high = zip(*(wilson_interval(int(c), int(n)) for c, n in zip(readings["count"], readings["n"])))
    shown = evidence.with_names(readings).assign(
        share_pct=readings["share_pct"].round(2), ci_low=[round(100 * v, 2) for v in low],
        ci_high=[round(100 * v, 2) for v in high], count=readings["count"].astype(int), n=readings["n"].astype(int),
        source_ref=evidence.refs(readings))
    shown = shown.sort_values(["population", "year", "share_pct"], ascending=[True, True, False])
    name = shown["survey_name"].iloc[0]
    first, last = int(shown["year"].min()), int(shown["year"].max())
    table = shown[["population", "year", "framework", "share_pct", "ci_low", "ci_high", "count", "n", "conflict",
                   "source_ref"]].rename(columns={"population": "segment"})
    table_name = f"{survey}_survey_years"
    section.tables.append(Table(table_name, f"{name} {first}–{last}: share of those who answered the question, "
                                ", with the 95% Wilson interval, count and n; 'conflict' lists the readings "
                                "of that year that disagree", table))
    section.charts.append(figures.years_with_intervals(
        table_name, f"{name}, {first} to {last}: share of those who answered, each year with its 95% interval, "
        "per population", shown, year="year", value="share_pct", low="ci_low", high="ci_high", color="framework",
        column="population", plot_title=f"{name}: % of those who answered (95% interval)",
        y_title="% who answered", palette=evidence.palette, table=table_name))
    changes = survey_changes(readings)
    changes = changes[(changes["first_year"] == first) & (changes["last_year"] == last)]
    for population, group in changes.groupby("population", sort=False):
        latest = shown[(shown["population"] == population) & (shown["year"] == last)]
        top = latest.sort_values("share_pct", ascending=False)["contender"].head(2).tolist()
        picked = group.set_index("contender").reindex(top).dropna(subset=["change_pts"])
        if picked.empty:
            continue
        parts, figures_ = [], []
        for contender, row in picked.iterrows():
            within = ", within chance" if row["status"] == "within chance" else ""
            interval = (f"; 95% interval {row['ci_low']:+.1f} to {row['ci_high']:+.1f}{within}"
                        if pd.notna(row["ci_low"]) else "; no interval: no published base")
            parts.append(f"{evidence.name(contender)} {row['first_pct']:.1f}% → {row['last_pct']:.1f}% "
                         f"({row['change_pts']:+.1f} points{interval})")
            figures_.append({"name": f"{evidence.name(contender)} change", "value": round(float(row["change_pts"]), 3),
                             "unit": "points", "ci_low": _rounded(row["ci_low"]), "ci_high": _rounded(row["ci_high"]),
                             "from_year": first, "to_year": last, "from_pct": float(row["first_pct"]),
                             "to_pct": float(row["last_pct"]), "segment": population, "survey": name,
                             "source_ref": latest["source_ref"].iloc[0]})
        section.findings.append(Finding(f"{name}, {population}, {first} → {last}: " + "; ".join(parts) + ".",
                                        figures_))
    conflicts = shown[shown["conflict"].fillna("") != ""]
    conflicts = conflicts[conflicts["year"] != first]   # the first year's conflict is a rounding of the same figure
    for (year, population), group in conflicts.groupby(["year", "population"]):
        values = "; ".join(f"{row.framework} " + " and ".join(f"{v.strip()}%" for v in row.conflict.split(","))
                           for row in group.head(2).itertuples())
        section.findings.append(Finding(
            f"{name} {year}, {population}: two sources give different shares ({values}); both are kept, and the "
            f"one with a published base is used ({', '.join(f'{r.framework} {r.share_pct:g}%' for r in group.head(2).itertuples())}).",
            [{"name": f"{row.framework} share used", "value": float(row.share_pct), "unit": "%", "year": int(year),
              "segment": population, "readings": row.conflict, "source_ref": row.source_ref}
             for row in group.head(2).itertuples()]))
    # a survey's notes about a year (a question dropped) speak of the question the bundle was compiled for:
    # only a field that reproduces its article reads that question; another field's own notes name its contenders
    dropped = evidence.about_field(evidence.observations[
        (evidence.observations["metric"] == SurveyMetrics(f"{survey}_survey").note)
        & evidence.observations["value_text"].notna()])
    for row in dropped.itertuples():
        section.notes.append(f"{row.source}: {row.value_text}.")
    absent = evidence.observations[(evidence.observations["metric"] == SurveyMetrics(f"{survey}_survey").share)
                                   & (evidence.observations["kind"] == "note")
                                   & evidence.observations["contender"].isin(evidence.field.ids)]
    if not absent.empty:
        missing = absent.groupby("period_label")["subject"].apply(lambda s: ", ".join(sorted(s)))
        section.notes.append(f"Not an option of the {name}'s question (so no share, not zero): "
                             + "; ".join(f"{year}: {names}" for year, names in missing.items()))
    return set(readings["source"]), {int(y) for y in readings["year"]}


def _rounded(value) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 3)

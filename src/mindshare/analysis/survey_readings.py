"""Survey shares matched across years by survey, question and population, and their changes with intervals.

Why matching is done here, by keys, and never by the source's free text: the same question of the same survey is
written down differently by different sources ("Stack Overflow Developer Survey 2019" and "Stack Overflow Developer
Survey 2022 (as reported by L. Moroney, Google)"), so grouping by the source string silently misses the
2019 -> 2022 change. A reading's keys are:

- **survey**: the metric's prefix, by the project's convention one per survey (`so_survey_share` -> `so`,
  `kaggle_survey_share` -> `kaggle`); its name in words is the source with years and asides removed;
- **question**: the metric, and with it the base of the percentage (`*_survey_share` is a share of those who
  answered the question, `*_survey_share_of_all` of all respondents): shares of different bases are never compared;
- **population**: the segment's first clause, lower-cased ("professional developers; 'Other Frameworks and
  Libraries'" -> "professional developers"); every sentence names it, because a share of professionals and a
  share of learners are different facts;
- **year**: the year of the period.

Counts and bases come from the rows importers write beside each share (`<survey>_survey_count` per option, the
share's own base `<survey>_survey_n` per option, else `<survey>_survey_respondents` with subject `_answered` or
`_respondents`), or from a note of the form "123 of n=4567"; without a base there is no interval, and that is
said. Two readings of the same keys that disagree (an archive's figure and a figure read from the live site) are
both kept: the one with a base (then the newest collected) is used, and the conflict is flagged with both values
and their sources (`conflict`, `conflict_detail`). Two readings that agree to the precision of the rounder one
(10.3 and 10.2643) do not disagree.

A figure read from a larger base wins over one read from a smaller base for the same keys: a user's three-row
sample of a survey file (n = 1) never displaces the published figure (n = 45,841); the conflict is flagged.

Like with like over the years: a survey note with subject `_definition` (segment: the population; period: the
year) says that year's population was drawn differently (Stack Overflow's 2019 "professional developers" counted
more people than its 2023 ones), so a change is read only between years with the latest year's definition, and the
years left out are said. A change read on two bases of one question (of those who answered, of all respondents)
that the two disagree on (Kaggle's Keras: -1.2 points of those who answered, +1.5 of all respondents, because more
respondents answered in 2021) is not a change: its status is `BASE_DEPENDENT`.

Shares of a multiple-choice question are never added up: a respondent can tick several options, so the sum of shares
is not a share of anything. Each is compared only with itself in another year (Newcombe's interval for the
difference of two independent proportions) or with another option of the same question in the same year (paired).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from mindshare.analysis.leads import ABOUT_LEVEL, CLEAR, MATERIAL_POINTS, MATERIAL_RATIO, NO_INTERVAL, WITHIN_CHANCE
from mindshare.observations import ALL_RESPONDENTS, ANSWERED_THE_QUESTION

DEFINITION = "_definition"          # the subject of a survey note saying how a year's population was drawn
BASE_DEPENDENT = "depends on the base"

_SHARE = re.compile(r"^(?P<survey>.*?)_?survey_share(?P<all>_of_all)?$")
_OF_N = re.compile(r"(?P<count>\d[\d,]*)\s+of\s+n\s*=\s*(?P<n>\d[\d,]*)")
_N = re.compile(r"\bn\s*=\s*(?P<n>\d[\d,]*)")
_YEARS = re.compile(r"\b(19|20)\d{2}\b")
_ASIDE = re.compile(r"\s*\([^)]*\)")

READING_COLUMNS = ["survey", "survey_name", "question", "base", "population", "year", "contender", "share_pct",
                   "count", "n", "source", "metric", "segment", "period_start", "period_end", "conflict",
                   "conflict_detail", "definition"]
# populations whose words do not read after "among": the survey's segment name -> words for a sentence
POPULATION_WORDS = {"learning to code": "people learning to code"}


def survey_name(source: str) -> str:
    """The survey's name without years or asides: 'Stack Overflow Developer Survey 2022 (as reported by …)' ->
    'Stack Overflow Developer Survey'."""
    name = _YEARS.sub("", _ASIDE.sub("", str(source)))
    return re.sub(r"\s{2,}", " ", name).strip(" ,;-")


def population_of(segment) -> str:
    """The population a share is of: the segment's first clause, lower-cased."""
    return str(segment or "all").split(";")[0].strip().lower()


def population_words(population: str) -> str:
    """The population as a sentence names it: 'learning to code' -> 'people learning to code'."""
    return POPULATION_WORDS.get(population, population)


def survey_key(metric: str) -> str | None:
    """The survey a metric belongs to ('so_survey_share' -> 'so', 'so_survey_note' -> 'so'), or None."""
    match = re.match(r"^(?P<survey>.*?)_?survey_(share|share_of_all|count|n|respondents|note)$", str(metric))
    return (match.group("survey") or "survey") if match else None


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def survey_readings(observations: pd.DataFrame, contenders: list[str] | None = None,
                    notes: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per survey, question, population, year and contender (READING_COLUMNS), conflicts flagged, each
    with the words of the definition note that covers its population that year ("" when none does). `notes`: the
    caveats stored as words (pipeline.data_notes_of); by default the note rows among `observations`."""
    if notes is None and "value_text" in observations:
        notes = observations[observations["value"].isna() & observations["value_text"].notna()]
    data = observations[observations["value"].notna()].reset_index(drop=True)
    keys = data["metric"].astype(str).str.extract(_SHARE)
    shares = data[keys["survey"].notna() & data["contender"].notna()].copy()
    if contenders:
        shares = shares[shares["contender"].isin(contenders)]
    if shares.empty:
        return pd.DataFrame(columns=READING_COLUMNS)
    keys = keys.loc[shares.index]
    shares["survey"] = keys["survey"].replace("", "survey")
    shares["base"] = np.where(keys["all"].notna(), ALL_RESPONDENTS, ANSWERED_THE_QUESTION)
    shares["question"] = shares["metric"]
    shares["population"] = shares["segment"].map(population_of)
    shares["year"] = pd.to_datetime(shares["period_start"]).dt.year
    shares["survey_name"] = shares["source"].map(survey_name)
    shares["share_pct"] = shares["value"].astype(float)
    if "period_end" not in shares:
        shares["period_end"] = shares["period_start"]
    shares = _attach_counts(shares, data)
    return _with_definitions(_resolve_conflicts(shares), notes)


def definition_notes(notes: pd.DataFrame | None) -> pd.DataFrame:
    """The definition notes among the caveats stored as words: survey, population, year, words."""
    columns = ["survey", "population", "year", "words"]
    if notes is None or notes.empty or "subject" not in notes or "segment" not in notes:
        return pd.DataFrame(columns=columns)
    mine = notes[(notes["subject"] == DEFINITION) & notes["metric"].astype(str).str.endswith("survey_note")]
    return pd.DataFrame({"survey": mine["metric"].map(survey_key), "population": mine["segment"].map(population_of),
                         "year": pd.to_datetime(mine["period_start"]).dt.year, "words": mine["value_text"].astype(str)},
                        columns=columns).reset_index(drop=True)


def _with_definitions(readings: pd.DataFrame, notes: pd.DataFrame | None) -> pd.DataFrame:
    found = definition_notes(notes)
    readings = readings.drop(columns="definition", errors="ignore")
    if found.empty:
        return readings.assign(definition="")[READING_COLUMNS]
    found = found.drop_duplicates(["survey", "population", "year"]).rename(columns={"words": "definition"})
    out = readings.merge(found, how="left", on=["survey", "population", "year"])
    return out.assign(definition=out["definition"].fillna(""))[READING_COLUMNS]


def _attach_counts(shares: pd.DataFrame, data: pd.DataFrame) -> pd.DataFrame:
    """count and n for each share: from the sibling count/respondents rows, else from the note, else none."""
    same = ["source", "segment", "method", "period_start"]
    counts = data[data["metric"].astype(str).str.endswith("survey_count") & data["contender"].notna()].copy()
    counts["survey"] = counts["metric"].str.replace(r"_?survey_count$", "", regex=True).replace("", "survey")
    counts = counts[same + ["survey", "contender", "value"]].rename(columns={"value": "count"})
    bases = data[data["metric"].astype(str).str.endswith("survey_respondents")].copy()
    bases["survey"] = bases["metric"].str.replace(r"_?survey_respondents$", "", regex=True).replace("", "survey")
    bases["base"] = bases["subject"].map({"_answered": ANSWERED_THE_QUESTION, "_respondents": ALL_RESPONDENTS})
    bases = bases[same + ["survey", "base", "value"]].rename(columns={"value": "n"})
    # the share's own base, per option (of those who answered: Stack Overflow's implied bases differ by option)
    own = data[data["metric"].astype(str).str.endswith("survey_n") & data["contender"].notna()].copy()
    own["survey"] = own["metric"].str.replace(r"_?survey_n$", "", regex=True).replace("", "survey")
    own = own[same + ["survey", "contender", "value"]].rename(columns={"value": "own_n"})
    out = shares.merge(counts.drop_duplicates(same + ["survey", "contender"]), how="left",
                       on=same + ["survey", "contender"])
    out = out.merge(bases.drop_duplicates(same + ["survey", "base"]), how="left", on=same + ["survey", "base"])
    out = out.merge(own.drop_duplicates(same + ["survey", "contender"]), how="left", on=same + ["survey", "contender"])
    answered = out["base"] == ANSWERED_THE_QUESTION
    out["n"] = out["own_n"].where(answered & out["own_n"].notna(), out["n"])
    out = out.drop(columns="own_n")
    notes = out["note"].fillna("").astype(str) if "note" in out else pd.Series("", index=out.index)
    of_n = notes.str.extract(_OF_N)
    only_n = notes.str.extract(_N)
    out["count"] = out["count"].fillna(of_n["count"].dropna().map(_number))
    out["n"] = out["n"].fillna(of_n["n"].dropna().map(_number)).fillna(only_n["n"].dropna().map(_number))
    derived = out["count"].isna() & out["n"].notna()
    out.loc[derived, "count"] = (out.loc[derived, "share_pct"] * out.loc[derived, "n"] / 100).round()
    return out


def _resolve_conflicts(shares: pd.DataFrame) -> pd.DataFrame:
    key = ["survey", "question", "population", "year", "contender"]
    # the larger base wins (a user's small sample never displaces a published figure), then the newest collected
    shares = shares.assign(has_base=shares["n"].notna(), base_n=shares["n"].fillna(0),
                           collected=pd.to_datetime(shares.get("collected_at"), errors="coerce"))
    shares = shares.sort_values(key + ["has_base", "base_n", "collected", "source"], ascending=[True] * len(key) +
                                [False, False, False, True], na_position="last")
    chosen = shares.drop_duplicates(key).set_index(key)
    readings = shares.groupby(key, sort=False)[["share_pct", "source", "n"]].agg(list)
    disagree = readings.apply(lambda r: _disagree(r["share_pct"]), axis=1) if len(readings) else \
        pd.Series(False, index=readings.index)
    chosen["conflict"] = ""
    chosen["conflict_detail"] = ""
    for where, row in readings[disagree.astype(bool)].iterrows():
        values = sorted(set(round(x, 4) for x in row["share_pct"]))
        chosen.loc[where, "conflict"] = ", ".join(f"{x:g}" for x in values)
        chosen.loc[where, "conflict_detail"] = " vs ".join(
            f"{x:g}% ({source}{_n_words(n)}{', used' if i == 0 else ''})"
            for i, (x, source, n) in enumerate(zip(row["share_pct"], row["source"], row["n"])))
    return chosen.reset_index()[[c for c in READING_COLUMNS if c != "definition"]].reset_index(drop=True)


def _n_words(n) -> str:
    return f", n = {int(n):,}" if n is not None and not pd.isna(n) else ""


def _decimals(value: float) -> int:
    """How many decimals a published figure was given to (10.3 -> 1, 10.2643 -> 4), at most 4."""
    for places in range(5):
        if abs(round(value, places) - value) < 1e-9:
            return places
    return 4


def _disagree(values: list[float]) -> bool:
    """Whether readings of one figure disagree beyond rounding: the rounder one, shown to d decimals, must lie
    within half a unit of its last decimal of every other reading."""
    values = [float(v) for v in values]
    if len(values) < 2:
        return False
    rounder = min(values, key=_decimals)
    half = 0.5 * 10 ** -_decimals(rounder) + 1e-9
    return any(abs(v - rounder) > half for v in values)


def survey_conflicts(readings: pd.DataFrame) -> pd.DataFrame:
    """The readings whose sources disagree, one row per survey, question, population and year: the contenders'
    conflicting values and their sources (to say the conflict wherever that survey is spoken of)."""
    columns = ["survey", "survey_name", "question", "population", "year", "details"]
    flagged = readings[readings["conflict"].astype(bool)] if "conflict" in readings else readings.iloc[0:0]
    rows = [dict(zip(["survey", "question", "population", "year"], key), survey_name=group["survey_name"].iloc[0],
                 details=tuple(zip(group["contender"], group["conflict_detail"])))
            for key, group in flagged.groupby(["survey", "question", "population", "year"])]
    return pd.DataFrame(rows, columns=columns)


CHANGE_COLUMNS = ["survey", "survey_name", "question", "base", "population", "contender", "first_year", "last_year",
                  "first_pct", "last_pct", "change_pts", "ci_low", "ci_high", "status", "first_n", "last_n",
                  "unlike_years", "unlike_why", "other_base_change"]


def survey_changes(readings: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """Per survey, question, population and contender: the change from its first to its latest year, among the years
    whose population was drawn like the latest year's (`unlike_years`, `unlike_why`: the ones left out, and why).

    The two years are independent samples, so the difference gets Newcombe's hybrid score interval; 'clear' only
    when it excludes zero and the change is large enough to matter (1 point and a tenth of the first share), 'about
    level' when it excludes zero but is smaller; without both bases, no interval. A change the two bases of one
    question disagree on is `BASE_DEPENDENT` (`other_base_change`: the change on the other base).
    """
    from mindshare.analysis.surveys import independent_difference

    rows = []
    if "definition" not in readings:
        readings = readings.assign(definition="")
    for key, group in readings.groupby(["survey", "question", "population", "contender"]):
        group = group.sort_values("year")
        latest_definition = group["definition"].iloc[-1]
        unlike = group[group["definition"] != latest_definition]
        group = group[group["definition"] == latest_definition]
        if group["year"].nunique() < 2:
            continue
        first, last = group.iloc[0], group.iloc[-1]
        row = dict(zip(["survey", "question", "population", "contender"], key),
                   survey_name=last["survey_name"], base=last["base"], first_year=int(first["year"]),
                   last_year=int(last["year"]),
                   first_pct=float(first["share_pct"]), last_pct=float(last["share_pct"]),
                   change_pts=float(last["share_pct"] - first["share_pct"]), ci_low=None, ci_high=None,
                   status=NO_INTERVAL, first_n=first["n"], last_n=last["n"],
                   unlike_years=tuple(int(y) for y in sorted(unlike["year"].unique())),
                   unlike_why="; ".join(sorted(set(unlike["definition"]))), other_base_change=None)
        if all(pd.notna(v) for v in (first["count"], first["n"], last["count"], last["n"])):
            d = independent_difference(last["count"], last["n"], first["count"], first["n"], confidence)
            big = _material_change(row["first_pct"], row["last_pct"])
            row.update(ci_low=d.ci_low * 100, ci_high=d.ci_high * 100,
                       status=WITHIN_CHANCE if not d.significant else CLEAR if big else ABOUT_LEVEL)
        rows.append(row)
    return _base_dependence(pd.DataFrame(rows, columns=CHANGE_COLUMNS))


def _material_change(first: float, last: float) -> bool:
    """A change large enough to matter: `MATERIAL_POINTS` points and a tenth of the smaller share."""
    low, high = sorted((first, last))
    return high - low >= MATERIAL_POINTS and (low <= 0 or high / low >= MATERIAL_RATIO)


def _base_dependence(changes: pd.DataFrame) -> pd.DataFrame:
    """Flag the changes whose two bases (of those who answered, of all respondents) disagree: opposite signs, or
    one clear and the other not."""
    if changes.empty or changes["base"].nunique() < 2:
        return changes
    changes = changes.copy()
    keys = ["survey", "population", "contender", "first_year", "last_year"]
    for _, group in changes.groupby(keys):
        if group["base"].nunique() < 2:
            continue
        signs = set((group["change_pts"] > 0).tolist())
        clear = set((group["status"] == CLEAR).tolist())
        if len(signs) > 1 or len(clear) > 1:
            for index in group.index:
                other = group.drop(index)["change_pts"].iloc[0]
                changes.loc[index, "status"] = BASE_DEPENDENT
                changes.at[index, "other_base_change"] = float(other)
    return changes


def survey_path(readings: pd.DataFrame, contender: str) -> dict | None:
    """A peak or trough between the first and latest year that the two ends hide: a year whose share lies above
    both ends (below both) by a gap large enough to matter and beyond chance against the latest year. Returns
    {"year", "pct", "kind": "peak" | "trough"} or None. `readings`: one survey, question and population."""
    from mindshare.analysis.surveys import independent_difference

    own = readings[readings["contender"] == contender].sort_values("year")
    if own["year"].nunique() < 3:
        return None
    first, last, middle = own.iloc[0], own.iloc[-1], own.iloc[1:-1]
    found = []
    for kind, pick, beyond in (("peak", middle["share_pct"].idxmax(), max), ("trough", middle["share_pct"].idxmin(), min)):
        row = middle.loc[pick]
        end = beyond(first["share_pct"], last["share_pct"])
        if (kind == "peak" and row["share_pct"] <= end) or (kind == "trough" and row["share_pct"] >= end):
            continue
        if not _material_change(float(end), float(row["share_pct"])):
            continue
        if all(pd.notna(v) for v in (row["count"], row["n"], last["count"], last["n"])):
            d = independent_difference(row["count"], row["n"], last["count"], last["n"])
            if not d.significant:
                continue
        found.append((abs(float(row["share_pct"]) - float(end)),
                      {"year": int(row["year"]), "pct": float(row["share_pct"]), "kind": kind,
                       "gap": abs(float(row["share_pct"]) - float(end))}))
    return max(found, key=lambda f: f[0])[1] if found else None


def latest_survey(readings: pd.DataFrame) -> pd.DataFrame:
    """The readings the usage signal is read from: the survey and question with the latest year that has two or more
    contenders, preferring readings with a base and shares of those who answered (the published convention), and
    in it the broadest population (largest base; without bases, most contenders, then name)."""
    if readings.empty:
        return readings
    sizes = readings.groupby(["survey", "question", "population", "year"]).agg(
        contenders=("contender", "nunique"), n=("n", "max")).reset_index()
    sizes = sizes[sizes["contenders"] >= 2]
    if sizes.empty:
        return readings.iloc[0:0]
    # the published convention first (a share of those who answered the question), then the largest base
    answered = readings.drop_duplicates("question").set_index("question")["base"] == ANSWERED_THE_QUESTION
    sizes = sizes.assign(has_n=sizes["n"].notna(), n=sizes["n"].fillna(0),
                         answered=sizes["question"].map(answered))
    best = sizes.sort_values(["year", "has_n", "answered", "n", "contenders", "survey", "question", "population"],
                             ascending=[False, False, False, False, False, True, True, True]).iloc[0]
    keep = (readings["survey"] == best["survey"]) & (readings["question"] == best["question"]) \
        & (readings["population"] == best["population"]) & (readings["year"] == best["year"])
    return readings[keep]

"""The shape every developer-survey share takes in the store, whether recounted from a file or published.

Signal `usage`; `source` the survey and year ("Stack Overflow Developer Survey 2024"); `period_label` the
survey's year; `segment` who was asked (SEGMENTS); `subject` the option exactly as the survey words it
("Torch/PyTorch"), `contender` the field's id for it or null (NumPy, Pandas, ... are kept too). Per survey
(`prefix`: `so_survey`, `kaggle_survey`), year, segment and option:

  <prefix>_share         value = % of the segment's respondents who answered the question and ticked the option
                         (unit "% of answered the question"; the figure the surveys publish)
  <prefix>_count         value = how many ticked it (unit "respondents")
  <prefix>_n             value = the base of that share: the segment's respondents who answered the question
                         (unit "respondents"); with `_count` it gives Wilson intervals and year-to-year
                         differences
  <prefix>_share_of_all  value = % of all the segment's respondents, answered or not (only where the whole
                         segment is known: a file, not a published table)

and per segment `<prefix>_respondents`: subject `_answered` (the base above) and `_respondents` (everyone in the
segment, where known). An option a contender has no label for in a year is a note (`<prefix>_share`, value
null, "not an option ... in YEAR"), never a zero; other facts about a year (a question dropped, readings that
disagree) are notes of metric `<prefix>_note`.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

import pandas as pd

from mindshare import observations
from mindshare.catalogue import KAGGLE_SURVEY, STACKOVERFLOW_SURVEY, SurveyMetrics
from mindshare.fields import Contender, Field
from mindshare.observations import observation

# who was asked, and the base of a share (the words are observations'; these are the importers' short names)
ALL = observations.ALL_RESPONDENTS
PROFESSIONAL = observations.PROFESSIONAL_DEVELOPERS
LEARNING = observations.LEARNING_TO_CODE
OTHER_CODERS = observations.OTHER_CODERS
DATA_SCIENTISTS = observations.DATA_SCIENTISTS
SEGMENTS = observations.SURVEY_POPULATIONS
ANSWERED = observations.ANSWERED_THE_QUESTION
EVERYONE = observations.ALL_RESPONDENTS
SHARE_UNIT = f"% of {ANSWERED}"
RESPONDENTS = "respondents"


STACKOVERFLOW = STACKOVERFLOW_SURVEY   # the metric names of each survey (the catalogue's SurveyMetrics)
KAGGLE = KAGGLE_SURVEY


@dataclass(frozen=True)
class ShareRow:
    """One option in one segment: the share, the count and its base."""

    subject: str                     # the option as the survey words it
    contender: str | None
    segment: str
    share_pct: float                 # % of the segment's respondents who answered the question
    count: int
    n: int                           # the base of share_pct
    n_all: int | None = None         # everyone in the segment, answered or not, where known
    note: str | None = None


@dataclass(frozen=True)
class SegmentTotals:
    segment: str
    n_answered: int
    n_all: int | None = None
    note: str | None = None


def column_map(name: str) -> dict:
    """The per-year column map `data/surveys/<name>.toml`."""
    import tomllib
    from importlib import resources

    return tomllib.loads((resources.files("mindshare") / "data" / "surveys" / f"{name}.toml").read_text("utf-8"))


def year_entry(years: dict, survey: str, year: int):
    """The column map's entry for `year`, or an InputError naming the years it knows."""
    if year not in years:
        from mindshare.errors import InputError

        raise InputError(f"no column map for the {survey} survey of {year}; known years: "
                         f"{', '.join(map(str, sorted(years)))} (see data/surveys/{survey}.toml)")
    return years[year]


def share_observations(metrics: SurveyMetrics, rows: list[ShareRow], totals: list[SegmentTotals],
                       common: dict[str, Any]) -> list[dict]:
    """Observation rows for `rows` and `totals`; `common` holds source, period, method, reference, ..."""
    built = []
    for row in rows:
        shared = {**common, "subject": row.subject, "contender": row.contender, "segment": row.segment}
        built.append(observation(metric=metrics.share, value=row.share_pct, unit=SHARE_UNIT, note=row.note,
                                 **shared))
        built.append(observation(metric=metrics.count, value=row.count, unit=RESPONDENTS, **shared))
        built.append(observation(metric=metrics.n, value=row.n, unit=RESPONDENTS, note=f"base of the share: {ANSWERED}",
                                 **shared))
        if row.n_all:
            built.append(observation(metric=metrics.share_of_all, value=round(100 * row.count / row.n_all, 4),
                                     unit=f"% of {EVERYONE}", note=f"{row.count} of n={row.n_all}", **shared))
    for total in totals:
        shared = {**common, "contender": None, "segment": total.segment}
        built.append(observation(metric=metrics.respondents, subject="_answered", value=total.n_answered,
                                 unit=RESPONDENTS, note=total.note, **shared))
        if total.n_all is not None:
            built.append(observation(metric=metrics.respondents, subject="_respondents", value=total.n_all,
                                     unit=RESPONDENTS, **shared))
    return built


def not_an_option(metrics: SurveyMetrics, contenders: list[Contender], question: str, year: int,
                  common: dict[str, Any]) -> list[dict]:
    """A note per contender the year's question did not offer: no share, not a zero."""
    return [observation(metric=metrics.share, contender=c.id, subject=c.name, segment=ALL, unit=SHARE_UNIT,
                        value_text=f"not an option of {question} in {year}", **common) for c in contenders]


def survey_note(metrics: SurveyMetrics, subject: str, words: str, common: dict[str, Any],
                segment: str = ALL) -> dict:
    """A fact about a survey year in words (kind note)."""
    return observation(metric=metrics.note, subject=subject, segment=segment, value_text=words, **common)


def label_of(contender: Contender, survey: str, year: int) -> str | None:
    """The option label the field gives `contender` in `survey`'s `year`, or None."""
    labels = getattr(contender, f"{survey}_survey", None) or {}
    return dict(labels).get(str(year))


def declares_labels(contender: Contender, survey: str) -> bool:
    return bool(getattr(contender, f"{survey}_survey", None))


def contender_for(option: str, field: Field, survey: str, year: int) -> Contender | None:
    """The contender an option stands for: the one whose `<survey>_survey` label for `year` is the option (any
    case, spaces trimmed); for a contender that declares no labels for this survey, the one the option names
    (the field's names and aliases)."""
    wanted = option.strip().casefold()
    for contender in field.contenders:
        label = label_of(contender, survey, year)
        if label is not None and label.strip().casefold() == wanted:
            return contender
    found = field.find(option)
    if found is not None and not declares_labels(found, survey):
        return found
    return None


@dataclass(frozen=True)
class SurveyImport:
    """What a survey file gave: its figures, the contenders it did not offer, and the observations to store."""

    year: int
    source: str
    file_name: str
    sha256: str
    shares: pd.DataFrame             # contender, subject, segment, base, share_pct, n, count (SHARE_COLUMNS)
    totals: list[SegmentTotals]
    absent: list[Contender]
    observations: pd.DataFrame
    remarks: list[str] = dataclass_field(default_factory=list)   # what the reader skipped or assumed, in words

    def total(self, segment: str) -> SegmentTotals | None:
        return next((t for t in self.totals if t.segment == segment), None)


SHARE_COLUMNS = ["contender", "subject", "segment", "base", "share_pct", "n", "count"]


def shares_table(rows: list[ShareRow]) -> pd.DataFrame:
    """Each share twice: of those who answered, and of everyone in the segment (where known)."""
    table = [{"contender": row.contender, "subject": row.subject, "segment": row.segment, "base": base,
              "share_pct": round(100 * row.count / n, 4), "n": n, "count": row.count}
             for row in rows for base, n in ((ANSWERED, row.n), (EVERYONE, row.n_all)) if n]
    return pd.DataFrame(table, columns=SHARE_COLUMNS)


def counted(rows: list[ShareRow]) -> list[ShareRow]:
    """`rows` with 'count of n=N' as their note (what a reader of the store sees beside the share)."""
    from dataclasses import replace

    return [replace(row, note=f"{row.count} of n={row.n}") for row in rows]

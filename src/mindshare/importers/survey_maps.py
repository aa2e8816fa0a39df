"""Every survey file mindshare reads, in one place: the column maps (`data/surveys/<name>.toml`) of the Stack Overflow
and Kaggle surveys, and what a file is when it is not the one asked for (another survey, another year).

Both importers read their own map from here and ask here what to say of a wrong file, so neither knows the
other's columns (they used to sniff each other's, and imported each other to do it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mindshare.errors import InputError
from mindshare.importers.surveys import column_map, year_entry

NO_QUESTION = "the {year} survey has no ML-frameworks question"


@dataclass(frozen=True)
class YearMap:
    year: int
    id_column: str
    question: str | None              # None: the year asked no frameworks question
    separator: str
    options: tuple[str, ...]
    professional_column: str | None
    professional_values: tuple[str, ...]
    required: tuple[str, ...]
    missing: tuple[str, ...]
    opened: date | None
    closed: date | None
    released: date | None
    verified: bool
    own_question: bool = False        # the field's question, not the map's (importers.stackoverflow_survey)

    @property
    def expected_columns(self) -> list[str]:
        wanted = [self.id_column, self.question, self.professional_column, *self.required]
        return list(dict.fromkeys(c for c in wanted if c))

    @property
    def period(self) -> tuple[date, date]:
        """The fielding window, or the calendar year where the map gives none."""
        return self.opened or date(self.year, 1, 1), self.closed or date(self.year, 12, 31)


@dataclass(frozen=True)
class SurveyMap:
    name: str
    source: str
    reference: str
    files: tuple[str, ...]
    years: dict[int, YearMap]

    def year(self, year: int) -> YearMap:
        return year_entry(self.years, self.name, year)


def load_survey_map() -> SurveyMap:
    data = column_map("stackoverflow")
    missing = tuple(data.get("missing", ()))
    years = {}
    for key, entry in data["years"].items():
        has_question = entry.get("frameworks_question", True)
        years[int(key)] = YearMap(
            year=int(key), id_column=entry["id_column"], question=entry["question"] if has_question else None,
            separator=entry.get("separator", ";"), options=tuple(entry.get("options", ())),
            professional_column=entry.get("professional_column"),
            professional_values=tuple(entry.get("professional_values", ())),
            required=tuple(entry.get("required", ())), missing=tuple(entry.get("missing", missing)),
            opened=entry.get("opened"), closed=entry.get("closed"), released=entry.get("released"),
            verified=bool(entry.get("verified", False)))
    return SurveyMap(name="stackoverflow", source=data["source"], reference=data.get("reference", ""),
                     files=tuple(data.get("files", ())), years=years)


@dataclass(frozen=True)
class KaggleYear:
    year: int
    files: tuple[str, ...]
    prefix: str
    other_columns: tuple[str, ...]
    required: tuple[str, ...]
    job_title: str | None
    data_scientist: str | None
    question: str
    verified: bool


@dataclass(frozen=True)
class KaggleMap:
    source: str
    years: dict[int, KaggleYear]

    def year(self, year: int) -> KaggleYear:
        return year_entry(self.years, "kaggle", year)


def load_kaggle_map() -> KaggleMap:
    data = column_map("kaggle")
    years = {int(k): KaggleYear(int(k), tuple(v.get("files", ())), v["question_prefix"],
                                tuple(v.get("other_columns", ())), tuple(v["required"]), v.get("job_title"),
                                v.get("data_scientist"), v.get("question", ""), bool(v.get("verified", False)))
             for k, v in data["years"].items()}
    return KaggleMap(data["source"], years)


# -- what a file is when it is not the one asked for ------------------------------------------------------------
def stackoverflow_other_files() -> dict[str, str]:
    """What to say when a zip given as Stack Overflow's holds the Kaggle survey's answers instead."""
    return {name: f"the zip holds the Kaggle ML & DS survey of {year} ({name}), not Stack Overflow's answers — "
                  f"use --source kaggle" for year, spec in load_kaggle_map().years.items() for name in spec.files}


def kaggle_other_files(kaggle_map: KaggleMap, year: int) -> dict[str, str]:
    """What to say when a zip given as Kaggle's holds another year's answers, or Stack Overflow's."""
    said = {name: "the zip holds the Stack Overflow survey's answers, not Kaggle's — use --source stackoverflow"
            for name in load_survey_map().files}
    said.update({name: f"the zip holds the Kaggle survey of {other} ({name}) — check --year"
                 for other, spec in kaggle_map.years.items() if other != year for name in spec.files})
    return said


def recognised_as(found: list[str], survey: SurveyMap, year: int) -> str:
    """'; the columns match the 2021 or 2022 survey — check --year', or which other survey the file is."""
    likely = [y for y, m in sorted(survey.years.items())
              if y != year and all(c in found for c in m.expected_columns)]
    with_question = [y for y in likely if survey.years[y].question]
    if with_question:
        return f"; the columns match the {' or '.join(map(str, with_question))} survey — check --year"
    if likely:
        return f"; the columns match the {likely[0]} survey, and {NO_QUESTION.format(year=likely[0])}"
    kaggle = [y for y, spec in sorted(load_kaggle_map().years.items()) if all(c in found for c in spec.required)]
    if kaggle:
        return f"; it is the Kaggle ML & DS survey of {' or '.join(map(str, kaggle))} — use --source kaggle"
    return ""


def check_kaggle_columns(found: list[str], spec: KaggleYear, kaggle_map: KaggleMap, shown: Path) -> None:
    """A Kaggle file's header has the year's required columns, else one line saying which file it looks like."""
    missing = [c for c in spec.required if c not in found]
    if not missing:
        return
    likely = [y for y, s in sorted(kaggle_map.years.items()) if y != spec.year and all(c in found for c in s.required)]
    hint = f"; the columns match the {' or '.join(map(str, likely))} survey — check --year" if likely else ""
    if not likely:
        survey = load_survey_map()
        stack = [y for y, m in sorted(survey.years.items()) if all(c in found for c in m.expected_columns)]
        hint = (f"; it is the Stack Overflow survey of {' or '.join(map(str, stack))} — use --source stackoverflow"
                if stack else "")
    listed = ", ".join(found[:25]) + (f", … ({len(found)} columns in all)" if len(found) > 25 else "")
    raise InputError(f"{shown}: does not look like the kaggle survey of {spec.year}: expected columns "
                     f"{', '.join(spec.required)} (missing {', '.join(missing)}); found {listed}{hint}")

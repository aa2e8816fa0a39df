"""Fields and their contenders, read from TOML files.

A field is what mindshare compares: "deep-learning" ships with the package; a user adds another by writing a
TOML file (see `data/fields/deep-learning.toml` for the format) and passing its path to `--field`, or by
dropping it in the user config folder (`mindshare fields` lists where). Every signal's identifiers live here,
so no source module hard-codes a contender.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from importlib import resources
from pathlib import Path

from mindshare import settings
from mindshare.errors import FieldError, UnknownContenderError

DEFAULT_FIELD = "deep-learning"

_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_COLOR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")

# key -> (type, meaning). The meaning is what `mindshare fields --keys` prints.
CONTENDER_KEYS: dict[str, tuple[type, str]] = {
    "id": (str, "short identifier used on the command line and in the store (lower case, digits, - and _)"),
    "name": (str, "display name"),
    "color": (str, "chart colour as #rrggbb"),
    "aliases": (list, "other names sources use for it, e.g. 'Torch/PyTorch' in a survey"),
    "patterns": (list, "words that count as a mention in papers and job posts (whole word, any case)"),
    "ambiguous": (list, "names or patterns that also mean something else in job posts (JAX-RS, Paddle the "
                        "payments firm): counted only beside machine-learning context, never in a hyphenated compound"),
    "ecosystem": (list, "libraries that imply it, e.g. fairseq for PyTorch (counted separately)"),
    "pypi": (list, "PyPI packages whose downloads count for it"),
    "npm": (list, "npm packages whose downloads count for it (a scoped one as @scope/name)"),
    "github": (str, "main GitHub repository, owner/name"),
    "stackoverflow_tag": (str, "Stack Overflow tag"),
    "wikipedia": (str, "English Wikipedia article title"),
    "huggingface_library": (str, "Hugging Face Hub library tag"),
    "google_trends": (str, "Google Trends topic id or search term"),
    "adzuna_query": (str, "job-search query; defaults to the name"),
    "arxiv_query": (str, "arXiv search expression; defaults to the patterns"),
    "stackoverflow_survey": (dict, "its option label in each year's Stack Overflow survey, year = label "
                                   "(e.g. 2024 = \"Torch/PyTorch\"); a year not listed did not offer it"),
    "kaggle_survey": (dict, "its option label in each year's Kaggle ML & DS survey, year = label; a year not "
                            "listed did not offer it"),
}
# The published articles a field may reproduce (`reference = "..."`): the report then shows that article's own
# figures and sets its findings beside them (mindshare.report.article holds them).
HALE_2020 = "hale-2020"
REFERENCES = {HALE_2020: "Jeff Hale, \"Is PyTorch catching TensorFlow?\" (January 2020), and the figures it quoted"}

# Top-level keys of a field file -> (type, meaning), printed by `mindshare fields --keys` beside the contender keys.
FIELD_KEYS: dict[str, tuple[type, str]] = {
    "name": (str, "the field's identifier (lower case, digits, - and _); defaults to the file name"),
    "title": (str, "the report's title"),
    "description": (str, "one sentence saying what is compared"),
    "noun": (str, "what one contender is, as the report's titles say it: framework, database, library "
                  "(default: contender)"),
    "reference": (str, "a published article the field reproduces, whose own figures the report then shows: "
                       + "; ".join(f"{key} = {meaning}" for key, meaning in REFERENCES.items())),
    "score_weights": (dict, "a table of signal = weight (non-negative, not all zero): the field's own composite "
                            "score, e.g. jobs = 0.5"),
    "survey": (dict, "per survey ([survey.stackoverflow]), the question that stands for the field: `topic`, the "
                     "published results' topic the bundled figures are read from (e.g. \"web frameworks\"), and "
                     "`columns`, a table of year = the raw file's column `survey import` reads (e.g. 2019 = "
                     "\"WebFrameWorkedWith\"); default: the machine-learning frameworks question"),
    "contender": (list, "the contenders, one array-of-tables entry each, with the keys below"),
}


@dataclass(frozen=True)
class Contender:
    id: str
    name: str
    color: str | None = None
    aliases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()
    ecosystem: tuple[str, ...] = ()
    pypi: tuple[str, ...] = ()
    npm: tuple[str, ...] = ()
    github: str | None = None
    stackoverflow_tag: str | None = None
    wikipedia: str | None = None
    huggingface_library: str | None = None
    google_trends: str | None = None
    adzuna_query: str | None = None
    arxiv_query: str | None = None
    stackoverflow_survey: tuple[tuple[str, str], ...] = ()   # (year, option label) pairs
    kaggle_survey: tuple[tuple[str, str], ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Every name a source may use for this contender, the display name first."""
        return (self.name, self.id, *self.aliases)


SURVEYS = ("stackoverflow", "kaggle")     # the surveys a field may declare a question of
SURVEY_KEYS = ("topic", "columns")


@dataclass(frozen=True)
class SurveyQuestion:
    """The question of one survey that stands for a field: its topic in the published results and, per year, the
    column of the raw answers file that holds it."""

    survey: str
    topic: str | None = None
    columns: tuple[tuple[int, str], ...] = ()

    def column(self, year: int) -> str | None:
        return dict(self.columns).get(int(year))


@dataclass(frozen=True)
class Field:
    name: str
    title: str
    path: Path
    description: str = ""
    contenders: tuple[Contender, ...] = dataclass_field(default_factory=tuple)
    reference: str | None = None                      # a key of REFERENCES
    score_weights: dict[str, float] | None = None     # signal -> weight of the field's composite score
    surveys: tuple[SurveyQuestion, ...] = ()           # the field's own survey questions ([survey.<name>])
    noun: str = "contender"                            # what one contender is: "framework", "database"

    @property
    def nouns(self) -> str:
        """The noun's plural: frameworks, databases, libraries."""
        if self.noun.endswith("y") and self.noun[-2:-1] not in "aeiou":
            return self.noun[:-1] + "ies"
        return self.noun + ("es" if self.noun.endswith(("s", "x", "ch", "sh")) else "s")

    def survey(self, name: str) -> SurveyQuestion | None:
        """The question the field declares for survey `name`, or None (the survey's default question)."""
        return next((q for q in self.surveys if q.survey == name), None)

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.contenders]

    def contender(self, key: str) -> Contender:
        """The contender whose id or name is `key` (any case)."""
        found = self.find(key)
        if found is None:
            raise UnknownContenderError(
                f"unknown contender {key!r} in field {self.name!r} ({self.path}); "
                f"known: {', '.join(self.ids)}"
            )
        return found

    def find(self, key: str) -> Contender | None:
        wanted = key.strip().casefold()
        for contender in self.contenders:
            if wanted in (n.casefold() for n in contender.names):
                return contender
        return None

    def find_by_package(self, package: str) -> Contender | None:
        wanted = package.strip().casefold()
        for contender in self.contenders:
            if wanted in (p.casefold() for p in contender.pypi):
                return contender
        return None

    def select(self, keys: list[str] | None) -> list[Contender]:
        """Contenders named by `keys`, in the order given; all of them when `keys` is empty."""
        if not keys:
            return list(self.contenders)
        return [self.contender(k) for k in keys]

    def color_of(self, contender_id: str) -> str | None:
        found = self.find(contender_id)
        return found.color if found else None


def field_search_path() -> list[Path]:
    """Folders searched for `NAME.toml` when a field is named rather than given as a path."""
    user = settings.load().fields_dir
    return [user, Path(str(resources.files("mindshare") / "data" / "fields"))]


def available_fields() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder in reversed(field_search_path()):  # the user's folder wins
        if folder.is_dir():
            for path in sorted(folder.glob("*.toml")):
                found[path.stem] = path
    return found


def load_field(name_or_path: str | Path | None = None) -> Field:
    """Load a field by name (`deep-learning`) or by path to a TOML file."""
    name_or_path = name_or_path or DEFAULT_FIELD
    path = Path(name_or_path)
    if path.suffix != ".toml" and not path.exists():
        known = available_fields()
        if str(name_or_path) not in known:
            raise FieldError(
                f"unknown field {str(name_or_path)!r}; known fields: {', '.join(sorted(known)) or 'none'} "
                f"(or give the path to a .toml file)"
            )
        path = known[str(name_or_path)]
    if not path.is_file():
        raise FieldError(f"field file {path} does not exist")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FieldError(f"field file {path}: cannot read it ({exc})") from None
    return parse_field(text, path)


def parse_field(text: str, path: Path) -> Field:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FieldError(f"{path}: {exc}") from None
    locate = _Locator(text, path)

    unknown = sorted(set(data) - set(FIELD_KEYS))
    if unknown:
        raise locate.error(unknown[0], f"unknown key {unknown[0]!r}; a field has {', '.join(sorted(FIELD_KEYS))}")
    name = data.get("name") or path.stem
    if not isinstance(name, str) or not _ID_PATTERN.match(name):
        raise locate.error("name", f"field name {name!r} must be lower case letters, digits, - or _")
    raw = data.get("contender")
    if not isinstance(raw, list) or not raw:
        raise locate.error("contender", "a field needs at least one [[contender]] table")

    reference = data.get("reference")
    if reference is not None and reference not in REFERENCES:
        raise locate.error("reference", f"unknown reference {reference!r}; known: {', '.join(REFERENCES)}")
    score_weights = _parse_score_weights(data.get("score_weights"), locate)
    surveys = _parse_surveys(data.get("survey"), locate)
    noun = data.get("noun", "contender")
    if not isinstance(noun, str) or not re.fullmatch(r"[a-z][a-z -]{0,30}", noun):
        raise locate.error("noun", f"noun {noun!r} must be a word in lower case, e.g. \"framework\"")

    contenders: list[Contender] = []
    seen: set[str] = set()
    for index, table in enumerate(raw):
        contender = _parse_contender(table, index, locate)
        if contender.id in seen:
            raise locate.error("id", f"contender id {contender.id!r} appears twice", occurrence=index)
        seen.add(contender.id)
        contenders.append(contender)
    return Field(
        name=name,
        title=str(data.get("title") or name),
        description=str(data.get("description") or ""),
        path=path,
        contenders=tuple(contenders),
        reference=reference,
        score_weights=score_weights,
        surveys=surveys,
        noun=noun,
    )


def _parse_score_weights(raw: object, locate: "_Locator") -> dict[str, float] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not raw or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < float("inf") for v in raw.values()) \
            or sum(raw.values()) <= 0:
        raise locate.error("score_weights", "[score_weights] must map signals to non-negative numbers, not all zero")
    return {str(k): float(v) for k, v in raw.items()}


def _parse_surveys(raw: object, locate: "_Locator") -> tuple[SurveyQuestion, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not raw:
        raise locate.error("survey", "[survey.<name>] tables name a survey's question: topic = \"...\" and "
                                     "columns = { YEAR = \"Column\" }")
    found = []
    for name, table in raw.items():
        where = f"survey.{name}"
        if name not in SURVEYS:
            raise locate.error(where, f"unknown survey {name!r}; known: {', '.join(SURVEYS)}")
        if not isinstance(table, dict) or not table or set(table) - set(SURVEY_KEYS):
            unknown = sorted(set(table) - set(SURVEY_KEYS)) if isinstance(table, dict) else []
            raise locate.error(where, f"[{where}] takes {' and '.join(SURVEY_KEYS)}"
                                      + (f", not {unknown[0]!r}" if unknown else ""))
        topic = table.get("topic")
        if topic is not None and (not isinstance(topic, str) or not topic.strip() or _control(topic)):
            raise locate.error("topic", f"[{where}] topic must be a non-empty string")
        columns = table.get("columns", {})
        if not isinstance(columns, dict) or not all(
                re.fullmatch(r"\d{4}", str(k)) and isinstance(v, str) and re.fullmatch(r"[A-Za-z0-9_]+", v)
                for k, v in columns.items()):
            raise locate.error("columns", f"[{where}] columns must be a table of year = \"ColumnName\" (letters, "
                                          f"digits and _)")
        found.append(SurveyQuestion(name, topic.strip() if topic else None,
                                    tuple(sorted((int(k), v) for k, v in columns.items()))))
    return tuple(found)


def _parse_contender(table: dict, index: int, locate: "_Locator") -> Contender:
    label = f"contender #{index + 1}"
    for key in ("id", "name"):
        if key not in table:
            raise locate.contender_error(index, f"{label} has no {key!r}")
    label = f"contender {table['id']!r}"
    values: dict[str, object] = {}
    for key, value in table.items():
        if key not in CONTENDER_KEYS:
            raise locate.key_error(index, key, f"{label}: unknown key {key!r}; known keys: {', '.join(CONTENDER_KEYS)}")
        kind, _ = CONTENDER_KEYS[key]
        if kind is list:
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise locate.key_error(index, key, f"{label}: {key!r} must be a list of non-empty strings")
            values[key] = tuple(value)
        elif kind is dict:
            if not isinstance(value, dict) or not value or not all(
                    re.fullmatch(r"\d{4}", str(k)) and isinstance(v, str) and v.strip() for k, v in value.items()):
                raise locate.key_error(index, key, f"{label}: {key!r} must be a table of year = \"option label\"")
            values[key] = tuple(sorted((str(k), v) for k, v in value.items()))
        else:
            if not isinstance(value, str) or not value.strip():
                raise locate.key_error(index, key, f"{label}: {key!r} must be a non-empty string")
            values[key] = value
        if any(_control(text) for text in ([value] if isinstance(value, str) else value)):
            # a NUL or a line break in a name breaks every chart renderer; nothing legitimate needs one
            raise locate.key_error(index, key, f"{label}: {key!r} must not contain control characters")
    if not _ID_PATTERN.match(str(values["id"])):
        raise locate.key_error(index, "id", f"{label}: id must be lower case letters, digits, - or _")
    if "color" in values and not _COLOR_PATTERN.match(str(values["color"])):
        raise locate.key_error(index, "color", f"{label}: color must look like #1f77b4")
    if "github" in values and str(values["github"]).count("/") != 1:
        raise locate.key_error(index, "github", f"{label}: github must be owner/name")
    return Contender(**values)  # type: ignore[arg-type]


def _control(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


class _Locator:
    """Finds the line a key sits on, so semantic errors name a line like syntax errors do."""

    def __init__(self, text: str, path: Path):
        self.lines = text.splitlines()
        self.path = path
        self.tables = [i for i, line in enumerate(self.lines) if line.strip().startswith("[[contender]]")]

    def _line_of(self, key: str, start: int = 0, stop: int | None = None) -> int | None:
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=|^\s*\[+\s*{re.escape(key)}\s*\]+")
        for i in range(start, len(self.lines) if stop is None else stop):
            if pattern.match(self.lines[i]):
                return i + 1
        return None

    def _bounds(self, index: int) -> tuple[int, int]:
        if index >= len(self.tables):
            return 0, len(self.lines)
        start = self.tables[index]
        stop = self.tables[index + 1] if index + 1 < len(self.tables) else len(self.lines)
        return start, stop

    def error(self, key: str, message: str, occurrence: int | None = None) -> FieldError:
        if occurrence is not None:
            return self.key_error(occurrence, key, message)
        line = self._line_of(key, 0, self.tables[0] if self.tables else None) or self._line_of(key)
        return FieldError(f"{self.path}{f', line {line}' if line else ''}: {message}")

    def contender_error(self, index: int, message: str) -> FieldError:
        start, _ = self._bounds(index)
        return FieldError(f"{self.path}, line {start + 1}: {message}")

    def key_error(self, index: int, key: str, message: str) -> FieldError:
        start, stop = self._bounds(index)
        line = self._line_of(key, start, stop) or start + 1
        return FieldError(f"{self.path}, line {line}: {message}")

"""Stack Overflow Developer Survey: share of respondents who worked with each contender, from the public file.

Where the number comes from: the year's `survey_results_public.csv` (as downloaded, or the zip it comes in).
Which column and which option strings name the frameworks is per-year data in
`data/surveys/stackoverflow.toml`; nothing about a year is written here.

How it is counted: DuckDB reads the CSV (streamed, bounded memory) and, in one pass, counts respondents, those
who answered the framework question, and those who ticked each option, overall and among professional
developers. Each share comes with its 95% Wilson interval and its n. Nothing reaches the store unless the whole
file was read.
"""

from __future__ import annotations

import hashlib
import math
import shutil
import tempfile
import tomllib
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd

from mindshare.errors import InputError
from mindshare.fields import Contender, Field

METHOD = "mindshare survey import v1"
SEGMENT_ALL = "all respondents"
SEGMENT_PRO = "professional developers"
BASE_ANSWERED = "answered the question"
BASE_ALL = "all respondents"
Z95 = 1.959963984540054
MEMORY_LIMIT = "512MB"


@dataclass(frozen=True)
class YearMap:
    year: int
    id_column: str
    question: str
    separator: str
    options: tuple[str, ...]
    professional_column: str | None
    professional_value: str | None
    missing: tuple[str, ...]
    verified: bool

    @property
    def expected_columns(self) -> list[str]:
        return [c for c in (self.id_column, self.question, self.professional_column) if c]


@dataclass(frozen=True)
class SurveyMap:
    name: str
    source: str
    reference: str
    years: dict[int, YearMap]

    def year(self, year: int) -> YearMap:
        if year not in self.years:
            raise InputError(f"no column map for the {self.name} survey of {year}; known years: "
                             f"{', '.join(map(str, sorted(self.years)))} (see data/surveys/{self.name}.toml)")
        return self.years[year]


def load_survey_map(name: str = "stackoverflow") -> SurveyMap:
    path = resources.files("mindshare") / "data" / "surveys" / f"{name}.toml"
    if not path.is_file():
        raise InputError(f"unknown survey source {name!r}; known: stackoverflow")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    missing = tuple(data.get("missing", ()))
    years = {}
    for key, entry in data["years"].items():
        years[int(key)] = YearMap(
            year=int(key), id_column=entry["id_column"], question=entry["question"],
            separator=entry.get("separator", ";"), options=tuple(entry.get("options", ())),
            professional_column=entry.get("professional_column"),
            professional_value=entry.get("professional_value"),
            missing=tuple(entry.get("missing", missing)), verified=bool(entry.get("verified", False)))
    return SurveyMap(name=name, source=data["source"], reference=data.get("reference", ""), years=years)


# -- statistics ----------------------------------------------------------------------------------------------
def wilson_interval(count: int, n: int, z: float = Z95) -> tuple[float, float]:
    """95% Wilson score interval for count/n, as fractions. (nan, nan) when n is 0."""
    if n <= 0:
        return math.nan, math.nan
    p = count / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


# -- reading the file ----------------------------------------------------------------------------------------
def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def csv_from(path: Path) -> Iterator[Path]:
    """The CSV to read: `path` itself, or its survey CSV copied out of a zip (streamed, bounded memory)."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty")
    if not zipfile.is_zipfile(path):
        with path.open("rb") as handle:
            if handle.read(4) == b"PK\x03\x04":
                raise InputError(f"{path}: a damaged or truncated zip (no central directory); download it again")
        yield path
        return
    try:
        with zipfile.ZipFile(path) as archive:
            member = _survey_member(archive, path)
            with tempfile.TemporaryDirectory(prefix="mindshare-survey-") as folder:
                target = Path(folder) / Path(member.filename).name
                with archive.open(member) as source, target.open("wb") as sink:
                    shutil.copyfileobj(source, sink, 1 << 20)
                if target.stat().st_size == 0:
                    raise InputError(f"{path}: {member.filename} inside the zip is empty")
                yield target
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise InputError(f"{path}: a damaged or truncated zip ({exc}); download it again") from None


def _survey_member(archive: zipfile.ZipFile, path: Path) -> zipfile.ZipInfo:
    csvs = [m for m in archive.infolist() if m.filename.lower().endswith(".csv") and not m.is_dir()]
    public = [m for m in csvs if "public" in Path(m.filename).name.lower()]
    chosen = public or [m for m in csvs if "schema" not in Path(m.filename).name.lower()]
    if len(chosen) != 1:
        names = ", ".join(m.filename for m in csvs) or "none"
        raise InputError(f"{path}: cannot tell which CSV in the zip holds the answers (CSV files: {names}); "
                         f"unzip it and give the survey_results_public.csv")
    return chosen[0]


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute("SET preserve_insertion_order = false")
    return con


def _reader(csv_path: Path) -> str:
    # every column as text: the answers are strings, and typing 80 columns would only cost time
    literal = str(csv_path).replace("'", "''")
    return (f"read_csv('{literal}', header = true, all_varchar = true, delim = ',', quote = '\"', "
            f"escape = '\"', auto_detect = true, sample_size = 2048)")


def _duckdb_problem(path: Path, exc: duckdb.Error) -> InputError:
    message = str(exc).strip().splitlines()
    first = message[0] if message else type(exc).__name__
    detail = next((line.strip() for line in message[1:] if "line" in line.lower()), "")
    if "unicode" in first.lower() or "utf" in first.lower():
        first = "bytes that are not UTF-8 (the survey files are UTF-8; was it re-saved in another encoding?)"
    return InputError(f"{path}: cannot read it as a survey CSV: {first}{'; ' + detail if detail else ''}")


def columns_of(con: duckdb.DuckDBPyConnection, csv_path: Path, shown: Path) -> list[str]:
    try:
        return [d[0] for d in con.execute(f"SELECT * FROM {_reader(csv_path)} LIMIT 0").description]
    except duckdb.Error as exc:
        raise _duckdb_problem(shown, exc) from None


def check_columns(found: list[str], year_map: YearMap, survey: SurveyMap, shown: Path) -> None:
    missing = [c for c in year_map.expected_columns if c not in found]
    if not missing:
        return
    likely = [y for y, m in sorted(survey.years.items())
              if y != year_map.year and all(c in found for c in m.expected_columns)]
    hint = f"; the columns match the {' or '.join(map(str, likely))} survey — check --year" if likely else ""
    listed = ", ".join(found[:25]) + (f", … ({len(found)} columns in all)" if len(found) > 25 else "")
    raise InputError(
        f"{shown}: does not look like the {survey.name} survey of {year_map.year}: expected columns "
        f"{', '.join(year_map.expected_columns)} (missing {', '.join(missing)}); found {listed or 'no columns'}{hint}")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# -- counting ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ContenderOptions:
    contender: Contender
    options: tuple[str, ...]


def options_by_contender(year_map: YearMap, field: Field) -> tuple[list[ContenderOptions], list[Contender]]:
    """Contenders the year's options name (via the field's names and aliases), and those no option names."""
    named: dict[str, list[str]] = {}
    for option in year_map.options:
        contender = field.find(option)
        if contender is not None:
            named.setdefault(contender.id, []).append(option)
    offered = [ContenderOptions(c, tuple(named[c.id])) for c in field.contenders if c.id in named]
    absent = [c for c in field.contenders if c.id not in named]
    return offered, absent


def count_answers(csv_path: Path, year_map: YearMap, offered: list[ContenderOptions], shown: Path) -> dict:
    """One pass over the file: respondents, answered, and ticks per contender, overall and professional."""
    con = _connect()
    try:
        q = _ident(year_map.question)
        missing = ", ".join(_literal(m) for m in year_map.missing) or "''"
        pro = (f"coalesce({_ident(year_map.professional_column)} = {_literal(year_map.professional_value)}, false)"
               if year_map.professional_column else "false")
        sep = _literal(year_map.separator)
        aggregates = ["count(*) AS n_all", "count(*) FILTER (answered) AS n_answered",
                      "count(*) FILTER (pro) AS n_all_pro", "count(*) FILTER (answered AND pro) AS n_answered_pro"]
        for i, item in enumerate(offered):
            wanted = "[" + ", ".join(_literal(o) for o in item.options) + "]"
            aggregates.append(f"count(*) FILTER (list_has_any(picked, {wanted})) AS c{i}")
            aggregates.append(f"count(*) FILTER (pro AND list_has_any(picked, {wanted})) AS p{i}")
        sql = f"""
            WITH answers AS (
                SELECT list_transform(string_split(coalesce({q}, ''), {sep}), lambda x: trim(x)) AS picked,
                       ({q} IS NOT NULL AND trim({q}) <> '' AND trim({q}) NOT IN ({missing})) AS answered,
                       {pro} AS pro
                FROM {_reader(csv_path)}
            )
            SELECT {", ".join(aggregates)} FROM answers"""
        try:
            row = con.execute(sql).fetchone()
            names = [d[0] for d in con.description]
        except duckdb.Error as exc:
            raise _duckdb_problem(shown, exc) from None
        return dict(zip(names, row))
    finally:
        con.close()


@dataclass(frozen=True)
class SurveyImport:
    year: int
    source: str
    file_name: str
    sha256: str
    counts: dict
    shares: pd.DataFrame          # contender, segment, base, share_pct, ci_low, ci_high, n, count
    absent: list[Contender]
    has_professional: bool
    observations: pd.DataFrame


def read_survey(path: str | Path, *, year: int, field: Field, survey: str = "stackoverflow") -> SurveyImport:
    """Read a survey file into shares and observations; raises InputError naming the problem."""
    path = Path(path)
    survey_map = load_survey_map(survey)
    year_map = survey_map.year(year)
    with csv_from(path) as csv_path:
        con = _connect()
        try:
            found = columns_of(con, csv_path, path)
        finally:
            con.close()
        check_columns(found, year_map, survey_map, path)
        offered, absent = options_by_contender(year_map, field)
        counts = count_answers(csv_path, year_map, offered, path)
    if counts["n_all"] == 0:
        raise InputError(f"{path}: has a header but no respondents")
    digest = sha256_of(path)
    shares = _shares(counts, offered, bool(year_map.professional_column))
    source = survey_map.source.format(year=year)
    # collected_at is the file's own time, so importing the same file twice stores it once
    file_time = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None, microsecond=0)
    frame = _observations(shares, counts, absent, year_map, source, path.name, digest, file_time)
    return SurveyImport(year, source, path.name, digest, counts, shares, absent,
                        bool(year_map.professional_column), frame)


def _shares(counts: dict, offered: list[ContenderOptions], has_professional: bool) -> pd.DataFrame:
    rows = []
    segments = [(SEGMENT_ALL, "c", "n_answered", "n_all")]
    if has_professional:
        segments.append((SEGMENT_PRO, "p", "n_answered_pro", "n_all_pro"))
    for i, item in enumerate(offered):
        for segment, prefix, answered_key, all_key in segments:
            ticked = int(counts[f"{prefix}{i}"])
            for base, n_key in ((BASE_ANSWERED, answered_key), (BASE_ALL, all_key)):
                n = int(counts[n_key])
                low, high = wilson_interval(ticked, n)
                rows.append({
                    "contender": item.contender.id, "subject": " | ".join(item.options), "segment": segment,
                    "base": base, "share_pct": round(100 * ticked / n, 4) if n else None,
                    "ci_low": round(100 * low, 4) if n else None, "ci_high": round(100 * high, 4) if n else None,
                    "n": n, "count": ticked,
                })
    return pd.DataFrame(rows, columns=["contender", "subject", "segment", "base", "share_pct", "ci_low",
                                       "ci_high", "n", "count"])


def _observations(shares: pd.DataFrame, counts: dict, absent: list[Contender], year_map: YearMap, source: str,
                  file_name: str, digest: str, file_time: datetime) -> pd.DataFrame:
    year = year_map.year
    collected = file_time
    common = {
        "signal": "usage", "source": source, "period_start": date(year, 1, 1), "period_end": date(year, 12, 31),
        "period_label": str(year), "method": METHOD, "reference": f"{file_name} sha256:{digest}",
        "query": f"{year_map.question} (separator {year_map.separator!r})", "collected_at": collected,
    }
    rows = []
    for share in shares.itertuples(index=False):
        metric = "so_survey_share" if share.base == BASE_ANSWERED else "so_survey_share_of_all"
        rows.append({**common, "metric": metric, "contender": share.contender, "subject": share.subject,
                     "segment": share.segment, "value": share.share_pct, "value_text": None,
                     "unit": f"% of {share.base}",
                     "note": f"95% Wilson interval {share.ci_low:.2f}–{share.ci_high:.2f} %; "
                             f"{share.count} of n={share.n}"})
        if share.base == BASE_ANSWERED:
            rows.append({**common, "metric": "so_survey_count", "contender": share.contender,
                         "subject": share.subject, "segment": share.segment, "value": float(share.count),
                         "unit": "respondents", "note": None})
    segments = [(SEGMENT_ALL, "n_all", "n_answered")]
    if year_map.professional_column:
        segments.append((SEGMENT_PRO, "n_all_pro", "n_answered_pro"))
    for segment, all_key, answered_key in segments:
        rows.append({**common, "metric": "so_survey_respondents", "contender": None, "subject": "_respondents",
                     "segment": segment, "value": float(counts[all_key]), "unit": "respondents"})
        rows.append({**common, "metric": "so_survey_respondents", "contender": None, "subject": "_answered",
                     "segment": segment, "value": float(counts[answered_key]), "unit": "respondents",
                     "note": f"answered {year_map.question}"})
    for contender in absent:
        rows.append({**common, "metric": "so_survey_share", "contender": contender.id, "subject": contender.name,
                     "segment": SEGMENT_ALL, "value": None, "unit": "% of answered the question",
                     "value_text": f"not an option of {year_map.question} in {year}"})
    if not year_map.professional_column:
        rows.append({**common, "metric": "so_survey_note", "contender": None, "subject": "_segments",
                     "segment": SEGMENT_PRO, "value": None, "unit": None,
                     "value_text": f"the {year} survey has no question that separates professional developers"})
    return pd.DataFrame(rows)


def json_records(result: SurveyImport) -> list[dict]:
    """The `--json` shape: one record per contender, segment and base."""
    records = []
    for row in result.shares.itertuples(index=False):
        records.append({"contender": row.contender, "segment": row.segment, "share_pct": row.share_pct,
                        "ci_low": row.ci_low, "ci_high": row.ci_high, "n": int(row.n), "base": row.base,
                        "count": int(row.count), "year": result.year})
    return records

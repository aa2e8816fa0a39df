"""Job-listing counts gathered by hand (the article's Indeed / Monster / SimplyHired / LinkedIn searches).

The file is a CSV with the header `site,country,date,query,contender,count`: one row per search, the count the
site showed. Every row is checked before anything is stored; one bad row refuses the whole file, and the message
names each bad row's line number. Rows become observations of signal "jobs", metric "job_listings", source the
site, segment the country, so they sit beside Adzuna's counts (same metric, source "Adzuna").

- The country is an ISO 3166-1 country, written as its code (gb, GBR, 826) or its English name (United
  Kingdom), read by pycountry, and stored as its two-letter code in lower case, as Adzuna's segments are: "gb"
  and "United Kingdom" are one segment, and "Narnia" is refused. "UK" is taken for gb (ISO 3166 reserves it for
  the United Kingdom at its request, and people write it).
- The count is a whole number from 0 to `MOST_LISTINGS`: no site lists more jobs for one search in one country
  (the United States, the largest market, had at most about 12 million job openings in all, at the March 2022
  peak of the BLS JOLTS series); a larger number is a typo or a pasted total, never a count.
"""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd

from mindshare.console import plural
from mindshare.errors import InputError
from mindshare.fields import Field
from mindshare.importers import files
from mindshare.observations import observation

COLUMNS = ("site", "country", "date", "query", "contender", "count")
METHOD = "hand-gathered search count (mindshare import v1)"
METRIC = "job_listings"
MAX_REPORTED = 8
MOST_LISTINGS = 100_000_000
_WHOLE = re.compile(r"^\d+$")
# Names ISO 3166-1 does not give but reserves for a country, as people write them.
_RESERVED = {"uk": "gb"}


def read_job_counts(path: str | Path, field: Field) -> pd.DataFrame:
    """Observations from a hand-gathered counts CSV, or InputError listing every bad row by line."""
    path = files.checked_file(Path(path))
    raw = path.read_bytes()
    problem = files.text_problem(raw[:1 << 16])
    if problem:
        raise InputError(f"{path}: {problem}; nothing imported")
    if not raw.strip():
        raise InputError(f"{path}: the file is empty; expected a header {','.join(COLUMNS)} and one row per count")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"{path}, line {line}: bytes that are not UTF-8 (save the file as UTF-8); "
                         f"nothing imported") from None
    records = files.csv_records(io.StringIO(text, newline=""), path)
    header = [h.strip().lower() for h in next(records, (1, []))[1]]
    if sorted(header) != sorted(COLUMNS):
        raise InputError(f"{path}, line 1: the header must name the columns {','.join(COLUMNS)} "
                         f"(any order); found {','.join(header) or 'nothing'}")
    digest = hashlib.sha256(raw).hexdigest()
    collected = files.file_time(path)  # the file's own time: importing the same file twice stores it once
    problems: list[str] = []
    rows: list[dict] = []
    seen: dict[tuple, int] = {}
    for start, values in records:
        if not values or all(not v.strip() for v in values):
            continue
        if len(values) != len(COLUMNS):
            problems.append(f"line {start}: {plural(len(values), 'field')}, expected {len(COLUMNS)}")
            continue
        row = {k: v.strip() for k, v in zip(header, values)}
        problem = _check_row(row, field)
        if problem:
            problems.append(f"line {start}: {problem}")
            continue
        contender = field.find(row["contender"])
        country = country_code(row["country"])
        key = (row["site"].casefold(), country, row["date"], row["query"].casefold(), contender.id)
        if key in seen:
            problems.append(f"line {start}: repeats line {seen[key]} (same site, country, date, query, contender)")
            continue
        seen[key] = start
        day = date.fromisoformat(row["date"])
        rows.append(observation(
            signal="jobs", metric=METRIC, source=row["site"], contender=contender.id, subject=row["query"],
            period_start=day, period_end=day, period_label=row["date"], value=float(row["count"]),
            value_text=row["count"], unit="job listings", segment=country, method=METHOD,
            reference=f"{path.name} sha256:{digest}", query=row["query"], note=f"line {start} of {path.name}",
            collected_at=collected))
    if problems:
        shown = "; ".join(problems[:MAX_REPORTED])
        more = f"; … {len(problems) - MAX_REPORTED} more" if len(problems) > MAX_REPORTED else ""
        raise InputError(f"{path}: {plural(len(problems), 'bad row')}, nothing imported: "
                         f"{shown}{more}")
    if not rows:
        raise InputError(f"{path}: a header but no rows; nothing imported")
    return pd.DataFrame(rows)


def _check_row(row: dict[str, str], field: Field) -> str | None:
    for column in ("site", "country", "query", "contender"):
        if not row[column]:
            return f"{column} is empty"
    try:
        day = date.fromisoformat(row["date"])
    except ValueError:
        return f"date {row['date']!r} is not a date as YYYY-MM-DD"
    if len(row["date"]) != 10:
        return f"date {row['date']!r} is not a date as YYYY-MM-DD"
    if day > date.today():
        return f"date {row['date']} is in the future"
    if not _WHOLE.match(row["count"]):
        return f"count {row['count']!r} is not a whole number (write 1234, not 1,234 or ~1k)"
    if int(row["count"]) > MOST_LISTINGS:
        return (f"count {int(row['count']):,} is more than any site lists for one search in one country (at most "
                f"{MOST_LISTINGS:,}); a typo, or a total pasted in?")
    if country_code(row["country"]) is None:
        return f"country {row['country']!r} is not an ISO 3166 country{_suggestion(row['country'])}"
    if field.find(row["contender"]) is None:
        return f"unknown contender {row['contender']!r}; known: {', '.join(field.ids)}"
    return None


@lru_cache(maxsize=512)
def country_code(text: str) -> str | None:
    """The ISO 3166-1 two-letter code, lower case, of a country written as a code (gb, GBR, 826) or an English
    name (United Kingdom); None when it names none."""
    import pycountry

    wanted = text.strip()
    if wanted.casefold() in _RESERVED:
        return _RESERVED[wanted.casefold()]
    try:
        return str(pycountry.countries.lookup(wanted).alpha_2).lower()
    except LookupError:
        return None


def _suggestion(text: str) -> str:
    """"; did you mean ru (Russian Federation)?" for a name close to a country's; the codes to write otherwise."""
    import pycountry

    close = []
    if len(text.strip()) > 3:  # a short string matches some subdivision of some country somewhere
        try:
            close = pycountry.countries.search_fuzzy(text.strip())[:3]
        except LookupError:
            pass
    if close:
        return "; did you mean " + " or ".join(f"{c.alpha_2.lower()} ({c.name})" for c in close) + "?"
    return "; write its two-letter code (us, gb, de, in, ...) or its English name"

"""Job-listing counts gathered by hand (the article's Indeed / Monster / SimplyHired / LinkedIn searches).

The file is a CSV with the header `site,country,date,query,contender,count`: one row per search, the count the
site showed. Every row is checked before anything is stored; one bad row refuses the whole file, and the message
names each bad row's line number. Rows become observations of signal "jobs", metric "job_listings", source the
site, segment the country, so they sit beside Adzuna's counts (same metric, source "Adzuna").
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date
from pathlib import Path

import pandas as pd

from mindshare.errors import InputError
from mindshare.fields import Field
from mindshare.importers import files
from mindshare.observations import observation

COLUMNS = ("site", "country", "date", "query", "contender", "count")
METHOD = "hand-gathered search count (mindshare import v1)"
METRIC = "job_listings"
MAX_REPORTED = 8
_WHOLE = re.compile(r"^\d+$")


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
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader)]
    if sorted(header) != sorted(COLUMNS):
        raise InputError(f"{path}, line 1: the header must name the columns {','.join(COLUMNS)} "
                         f"(any order); found {','.join(header) or 'nothing'}")
    digest = hashlib.sha256(raw).hexdigest()
    collected = files.file_time(path)  # the file's own time: importing the same file twice stores it once
    problems: list[str] = []
    rows: list[dict] = []
    seen: dict[tuple, int] = {}
    line = reader.line_num
    for values in reader:
        start, line = line + 1, reader.line_num
        if not values or all(not v.strip() for v in values):
            continue
        if len(values) != len(COLUMNS):
            problems.append(f"line {start}: {len(values)} fields, expected {len(COLUMNS)}")
            continue
        row = {k: v.strip() for k, v in zip(header, values)}
        problem = _check_row(row, field)
        if problem:
            problems.append(f"line {start}: {problem}")
            continue
        contender = field.find(row["contender"])
        key = (row["site"].casefold(), row["country"].casefold(), row["date"], row["query"].casefold(), contender.id)
        if key in seen:
            problems.append(f"line {start}: repeats line {seen[key]} (same site, country, date, query, contender)")
            continue
        seen[key] = start
        day = date.fromisoformat(row["date"])
        rows.append(observation(
            signal="jobs", metric=METRIC, source=row["site"], contender=contender.id, subject=row["query"],
            period_start=day, period_end=day, period_label=row["date"], value=float(row["count"]),
            value_text=row["count"], unit="job listings", segment=row["country"], method=METHOD,
            reference=f"{path.name} sha256:{digest}", query=row["query"], note=f"line {start} of {path.name}",
            collected_at=collected))
    if problems:
        shown = "; ".join(problems[:MAX_REPORTED])
        more = f"; … {len(problems) - MAX_REPORTED} more" if len(problems) > MAX_REPORTED else ""
        raise InputError(f"{path}: {len(problems)} bad row{'s' if len(problems) > 1 else ''}, nothing imported: "
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
    if field.find(row["contender"]) is None:
        return f"unknown contender {row['contender']!r}; known: {', '.join(field.ids)}"
    return None

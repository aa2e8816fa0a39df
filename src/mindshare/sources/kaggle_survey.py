"""Kaggle Machine Learning & Data Science Survey: share of respondents using each contender, from the
multiple-choice file (one column per option; per-year column prefix in `data/surveys/kaggle.toml`).

Counted like the Stack Overflow import (same streaming read, same Wilson intervals, same refusal of
files that do not match their year), with one segment, all respondents: the Kaggle survey has no question
that matches Stack Overflow's "developer by profession". The question-text line under the header is skipped.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd

from mindshare.errors import InputError
from mindshare.fields import Field
from mindshare.sources.stackoverflow_survey import (
    BASE_ALL, BASE_ANSWERED, METHOD, SEGMENT_ALL, SurveyImport, _connect, _duckdb_problem, _ident, _reader,
    columns_of, csv_from, sha256_of, wilson_interval)

QUESTION_MARK = "%Selected Choice%"


@dataclass(frozen=True)
class KaggleYear:
    year: int
    prefix: str
    required: tuple[str, ...]


def load_kaggle_map() -> tuple[str, dict[int, KaggleYear]]:
    data = tomllib.loads((resources.files("mindshare") / "data" / "surveys" / "kaggle.toml").read_text("utf-8"))
    years = {int(k): KaggleYear(int(k), v["question_prefix"], tuple(v["required"])) for k, v in data["years"].items()}
    return data["source"], years


def read_kaggle(path: str | Path, *, year: int, field: Field) -> SurveyImport:
    path = Path(path)
    source_template, years = load_kaggle_map()
    if year not in years:
        raise InputError(f"no column map for the kaggle survey of {year}; known years: "
                         f"{', '.join(map(str, sorted(years)))} (see data/surveys/kaggle.toml)")
    spec = years[year]
    with csv_from(path) as csv_path:
        con = _connect()
        try:
            found = columns_of(con, csv_path, path)
            missing = [c for c in spec.required if c not in found]
            if missing:
                likely = [y for y, s in sorted(years.items()) if y != year and all(c in found for c in s.required)]
                raise InputError(
                    f"{path}: does not look like the kaggle survey of {year}: expected columns "
                    f"{', '.join(spec.required)} (missing {', '.join(missing)}); found "
                    f"{', '.join(found[:25])}{f', … ({len(found)} columns in all)' if len(found) > 25 else ''}"
                    + (f"; the columns match the {' or '.join(map(str, likely))} survey — check --year" if likely else ""))
            parts = [c for c in found if c.startswith(spec.prefix) and c[len(spec.prefix):].isdigit()]
            counts, options = _count(con, csv_path, path, parts, field)
        finally:
            con.close()
    if counts["n_all"] == 0:
        raise InputError(f"{path}: has a header but no respondents")
    digest = sha256_of(path)
    source = source_template.format(year=year)
    shares = []
    for contender_id, subject in options.items():
        ticked = int(counts[f"c_{contender_id}"])
        for base, n in ((BASE_ANSWERED, int(counts["n_answered"])), (BASE_ALL, int(counts["n_all"]))):
            low, high = wilson_interval(ticked, n)
            shares.append({"contender": contender_id, "subject": subject, "segment": SEGMENT_ALL, "base": base,
                           "share_pct": round(100 * ticked / n, 4) if n else None,
                           "ci_low": round(100 * low, 4) if n else None, "ci_high": round(100 * high, 4) if n else None,
                           "n": n, "count": ticked})
    shares = pd.DataFrame(shares, columns=["contender", "subject", "segment", "base", "share_pct", "ci_low",
                                           "ci_high", "n", "count"])
    absent = [c for c in field.contenders if c.id not in options]
    file_time = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None, microsecond=0)
    common = {"signal": "usage", "source": source, "period_start": date(year, 1, 1),
              "period_end": date(year, 12, 31), "period_label": str(year), "method": METHOD,
              "reference": f"{path.name} sha256:{digest}", "query": f"{spec.prefix}* (one column per option)",
              "collected_at": file_time}
    rows = []
    for share in shares.itertuples(index=False):
        metric = "kaggle_survey_share" if share.base == BASE_ANSWERED else "kaggle_survey_share_of_all"
        rows.append({**common, "metric": metric, "contender": share.contender, "subject": share.subject,
                     "segment": SEGMENT_ALL, "value": share.share_pct, "unit": f"% of {share.base}",
                     "note": f"95% Wilson interval {share.ci_low:.2f}–{share.ci_high:.2f} %; "
                             f"{share.count} of n={share.n}"})
        if share.base == BASE_ANSWERED:
            rows.append({**common, "metric": "kaggle_survey_count", "contender": share.contender,
                         "subject": share.subject, "segment": SEGMENT_ALL, "value": float(share.count),
                         "unit": "respondents"})
    for subject, key in (("_respondents", "n_all"), ("_answered", "n_answered")):
        rows.append({**common, "metric": "kaggle_survey_respondents", "contender": None, "subject": subject,
                     "segment": SEGMENT_ALL, "value": float(counts[key]), "unit": "respondents"})
    for contender in absent:
        rows.append({**common, "metric": "kaggle_survey_share", "contender": contender.id, "subject": contender.name,
                     "segment": SEGMENT_ALL, "value": None, "unit": "% of answered the question",
                     "value_text": f"not an option of {spec.prefix}* in {year}"})
    counts = {**counts, "n_all_pro": 0, "n_answered_pro": 0}
    return SurveyImport(year, source, path.name, digest, counts, shares, absent, False, pd.DataFrame(rows))


def _count(con: duckdb.DuckDBPyConnection, csv_path: Path, shown: Path, parts: list[str],
           field: Field) -> tuple[dict, dict[str, str]]:
    """Which option each part column holds, then one counting pass. Returns (counts, contender -> option)."""
    if not parts:
        raise InputError(f"{shown}: no option columns found for the framework question")
    first = _ident(parts[0])
    respondent = f"NOT coalesce({first} LIKE '{QUESTION_MARK}', false)"
    try:
        labels = con.execute(
            "SELECT " + ", ".join(f"max(trim({_ident(p)})) FILTER ({respondent} AND trim({_ident(p)}) <> '')"
                                  for p in parts) + f" FROM {_reader(csv_path)}").fetchone()
    except duckdb.Error as exc:
        raise _duckdb_problem(shown, exc) from None
    columns_of_contender: dict[str, list[str]] = {}
    options: dict[str, str] = {}
    for part, label in zip(parts, labels):
        contender = field.find(label) if label else None
        if contender is not None:
            columns_of_contender.setdefault(contender.id, []).append(part)
            options.setdefault(contender.id, label)
    ticked = lambda cols: " OR ".join(f"coalesce(trim({_ident(c)}), '') <> ''" for c in cols)  # noqa: E731
    aggregates = ["count(*) AS n_all", f"count(*) FILTER ({ticked(parts)}) AS n_answered"]
    aggregates += [f"count(*) FILTER ({ticked(cols)}) AS {_ident('c_' + cid)}" for cid, cols in columns_of_contender.items()]
    try:
        row = con.execute(f"SELECT {', '.join(aggregates)} FROM {_reader(csv_path)} WHERE {respondent}").fetchone()
        names = [d[0] for d in con.description]
    except duckdb.Error as exc:
        raise _duckdb_problem(shown, exc) from None
    return dict(zip(names, row)), options


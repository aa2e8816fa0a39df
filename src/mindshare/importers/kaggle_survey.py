"""Kaggle Machine Learning & Data Science Survey: the share of respondents using each machine-learning framework,
recounted from the multiple-choice answers file (as Kaggle publishes it, or the zip it comes in).

The layout (one column per option, `Q28_Part_N` in 2019, `Q16_Part_N` and `Q16_OTHER` in 2020-2021, `Q17_N` in
2022; two header lines: column ids, then the questions' words) is data in `data/surveys/kaggle.toml`; which
option is which contender is the field's `[contender.kaggle_survey]` labels. The option's name is the text a
ticked cell holds (trimmed), or, for an option nobody ticked, the end of its question text.

Counted in one DuckDB pass like the Stack Overflow import: respondents (the question line and repeated header
lines are not), those who answered (ticked any option, None and Other included), and the ticks per option, among
all respondents and among data scientists (the job-title question's "Data Scientist"). Stored in the shape of
`importers.surveys` (`kaggle_survey_share`, `_count`, `_n`, `_share_of_all`, `_respondents`); every option is
kept, contender or not; method `Methods.SURVEY_IMPORT`; period the calendar year (Kaggle gives no fielding dates
with the files); reference the file's name and sha256.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from mindshare.errors import InputError
from mindshare.fields import Field
from mindshare.importers import files
from mindshare.importers.survey_maps import (
    KaggleMap,
    KaggleYear,
    check_kaggle_columns,
    kaggle_other_files,
    load_kaggle_map,
)
from mindshare.importers.surveys import (
    ALL,
    DATA_SCIENTISTS,
    KAGGLE,
    SegmentTotals,
    ShareRow,
    SurveyImport,
    contender_for,
    counted,
    not_an_option,
    share_observations,
    shares_table,
    survey_note,
)
from mindshare.observations import Methods

CHOICE = "Selected Choice"


def read_kaggle(path: str | Path, *, year: int, field: Field) -> SurveyImport:
    """Read a Kaggle multiple-choice file into shares and observations; raises InputError naming the problem."""
    path = Path(path)
    kaggle_map = load_kaggle_map()
    spec = kaggle_map.year(year)
    files.checked_file(path)
    with files.csv_in(path, spec.files, elsewhere=kaggle_other_files(kaggle_map, year)) as csv_path:
        con = files.connect()
        try:
            found = files.header_of(csv_path, path)
            check_kaggle_columns(found, spec, kaggle_map, path)
            parts = [c for c in found if c.startswith(spec.prefix) and c[len(spec.prefix):].isdigit()]
            parts += [c for c in spec.other_columns if c in found]
            job_title = spec.job_title if spec.job_title in found else None
            counts = _count(con, csv_path, found, path, spec, parts, job_title)
        finally:
            con.close()
    if counts["n_all"] == 0:
        raise InputError(f"{path}: has a header but no respondents")
    return _result(path, spec, kaggle_map, field, parts, job_title, counts)


def _count(con: duckdb.DuckDBPyConnection, csv_path: Path, header: list[str], shown: Path, spec: KaggleYear,
           parts: list[str], job_title: str | None) -> dict:
    """One pass: respondents, answered, per option its ticks and its name, overall and among data scientists."""
    if not parts:
        raise InputError(f"{shown}: no option columns {spec.prefix}N found for the framework question")
    ident, literal = files.ident, files.literal
    first = spec.required[0]
    header_again = f"coalesce({ident(first)} = {literal(first)}, false)"
    question_line = f"coalesce({ident(parts[0])} LIKE {literal('%' + CHOICE + '%')}, false)"
    ds = (f"coalesce(trim({ident(job_title)}) = {literal(spec.data_scientist)}, false)" if job_title else "false")
    # each cell is looked at once: whether it is ticked (t<i>), and its text (v<i>) for the option's name
    cells = ", ".join(f"coalesce(trim({ident(p)}), '') <> '' AS t{i}, {ident(p)} AS v{i}" for i, p in enumerate(parts))
    any_ticked = " OR ".join(f"t{i}" for i in range(len(parts)))
    aggregates = ["count(*) FILTER (person) AS n_all", f"count(*) FILTER (person AND ({any_ticked})) AS n_answered",
                  "count(*) FILTER (person AND ds) AS n_ds",
                  f"count(*) FILTER (person AND ds AND ({any_ticked})) AS n_ds_answered",
                  "count(*) FILTER (header_again) AS header_lines"]
    for i in range(len(parts)):
        aggregates += [f"count(*) FILTER (person AND t{i}) AS c{i}",
                       f"count(*) FILTER (person AND ds AND t{i}) AS d{i}",
                       f"max(v{i}) FILTER (person AND t{i}) AS label{i}",
                       f"max(v{i}) FILTER (question) AS question{i}"]
    sql = (f"SELECT {', '.join(aggregates)} FROM (SELECT NOT ({header_again} OR {question_line}) AS person, "
           f"{header_again} AS header_again, {question_line} AS question, {ds} AS ds, {cells} "
           f"FROM {files.read_csv(csv_path, header)})")
    try:
        row = con.execute(sql).fetchone()
        names = [d[0] for d in con.description]
    except duckdb.Error as exc:
        raise files.duckdb_problem(shown, exc) from None
    return dict(zip(names, row))


def option_name(label: str | None, question_text: str | None) -> str | None:
    """The option's name: the text a ticked cell holds, else what follows 'Selected Choice -' in its question."""
    if label:
        return label.strip()
    if question_text and CHOICE in question_text:
        return question_text.rsplit(CHOICE, 1)[1].lstrip(" -").strip() or None
    return None


def _result(path: Path, spec: KaggleYear, kaggle_map: KaggleMap, field: Field, parts: list[str],
            job_title: str | None, counts: dict) -> SurveyImport:
    year = spec.year
    segments = [(ALL, "c", int(counts["n_answered"]), int(counts["n_all"]))]
    if job_title:
        segments.append((DATA_SCIENTISTS, "d", int(counts["n_ds_answered"]), int(counts["n_ds"])))
    rows, offered = [], set()
    for i, part in enumerate(parts):
        name = option_name(counts[f"label{i}"], counts[f"question{i}"]) or part
        contender = contender_for(name, field, "kaggle", year)
        offered.add(contender.id if contender else None)
        for segment, prefix, n, n_all in segments:
            ticked = int(counts[f"{prefix}{i}"])
            if n:
                rows.append(ShareRow(subject=name, contender=contender.id if contender else None, segment=segment,
                                     share_pct=round(100 * ticked / n, 4), count=ticked, n=n, n_all=n_all))
    rows = counted(rows)
    totals = [SegmentTotals(segment, n_answered=n, n_all=n_all, note="ticked any option, None and Other included")
              for segment, _, n, n_all in segments]
    absent = [c for c in field.contenders if c.id not in offered]
    digest = files.sha256_of(path)
    query = f"{spec.prefix}N (one column per option)" + "".join(f" and {c}" for c in parts if c in spec.other_columns)
    if job_title:
        query += f"; data scientists: {job_title} = {spec.data_scientist!r}"
    common = {"signal": "usage", "source": kaggle_map.source.format(year=year), "period_start": date(year, 1, 1),
              "period_end": date(year, 12, 31), "period_label": str(year), "method": Methods.SURVEY_IMPORT,
              "reference": f"{path.name} sha256:{digest}", "query": query, "collected_at": files.file_time(path)}
    built = share_observations(KAGGLE, rows, totals, common)
    built += not_an_option(KAGGLE, absent, spec.question or f"{spec.prefix}N", year, common)
    remarks = []
    if counts["header_lines"]:
        remarks.append(f"skipped {counts['header_lines']} repeated header line(s); they are not respondents")
    if not job_title:
        remarks.append(f"no job-title column {spec.job_title}: no 'data scientists' segment")
    built += [survey_note(KAGGLE, "_file", words, common) for words in remarks]
    return SurveyImport(year=year, source=common["source"], file_name=path.name, sha256=digest,
                        shares=shares_table(rows), totals=totals, absent=absent, observations=pd.DataFrame(built),
                        remarks=remarks)

"""Stack Overflow Developer Survey: the share of respondents who worked with each option of the year's
frameworks question, recounted from the public answers file (`survey_results_public.csv`, or the zip it comes in).

What a year's file looks like (columns, option strings, who is a professional developer, fielding and results
dates) is data in `data/surveys/stackoverflow.toml`; which option is which contender is the field's
`[contender.stackoverflow_survey]` labels. Nothing about a year is written here.

Which question: the machine-learning frameworks question of the map by default; a field that declares its own
(`[survey.stackoverflow] columns = { 2019 = "WebFrameWorkedWith", ... }`) has that year's column read instead, and
the options counted are its contenders' labels. Its rows' segments then name the column after the population
("all respondents; WebFrameWorkedWith"): two questions of one file are two measurements in the store, never one
written over the other.

How it is counted: DuckDB streams the CSV once (bounded memory) and counts respondents, those who answered the
question, and those who ticked each of the year's options, overall and among professional developers as Stack
Overflow defined them that year. A line whose id cell holds the id column's own name is the header again (files
joined end to end): it is skipped and counted, never a respondent; a repeated header of another layout is refused.
A year without the question (2025) is refused before the file is read.

What is stored (the shape of `importers.surveys`): per option and segment ('all respondents', 'professional
developers') `so_survey_share` (% of those who answered), `so_survey_count`, `so_survey_n` and
`so_survey_share_of_all`; per segment `so_survey_respondents` (`_answered`, `_respondents`); a note for each
contender the year did not offer. Method `Methods.SURVEY_IMPORT`; period the survey's fielding window, label the
year; `published` the day Stack Overflow published that year's results; reference the file's name and sha256.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb
import pandas as pd

from mindshare.errors import InputError
from mindshare.fields import Field
from mindshare.importers import files
from mindshare.importers.survey_maps import (
    NO_QUESTION,
    SurveyMap,
    YearMap,
    load_survey_map,
    recognised_as,
    stackoverflow_other_files,
)
from mindshare.importers.surveys import (
    ALL,
    PROFESSIONAL,
    STACKOVERFLOW,
    SegmentTotals,
    ShareRow,
    SurveyImport,
    contender_for,
    counted,
    label_of,
    not_an_option,
    share_observations,
    shares_table,
    survey_note,
)
from mindshare.observations import Methods

# A file whose base is under this share of the published results' base is a sample of the survey, said so at import
SMALL_BASE = 0.10


def read_survey(path: str | Path, *, year: int, field: Field, published_n: int | None = None) -> SurveyImport:
    """Read a Stack Overflow survey file into shares and observations; raises InputError naming the problem.

    `published_n`: the base of the same question and year in Stack Overflow's published results (all
    respondents who answered it); a file whose base is under SMALL_BASE of it is said to be a sample, in one
    remark that is stored with its figures."""
    path = Path(path)
    survey_map = load_survey_map()
    year_map = field_question(survey_map.year(year), field, path)
    files.checked_file(path)
    if year_map.question is None:
        raise InputError(f"{path}: {NO_QUESTION.format(year=year)} (Stack Overflow dropped 'Other frameworks and "
                         f"libraries'; its series ends in 2024); nothing imported")
    with files.csv_in(path, survey_map.files, elsewhere=stackoverflow_other_files()) as csv_path:
        con = files.connect()
        try:
            found = files.header_of(csv_path, path)
            check_columns(found, year_map, survey_map, path)
            options = options_to_count(year_map, field)
            counts = count_answers(con, csv_path, found, year_map, options, path)
        finally:
            con.close()
    if counts["foreign_headers"]:
        raise InputError(f"{path}: {counts['foreign_headers']} line(s) repeat the id column's name but not the rest "
                         f"of the header: two different files joined end to end? Import each on its own")
    if counts["n_all"] == 0:
        raise InputError(f"{path}: has a header but no respondents")
    return _result(path, year_map, survey_map, field, options, counts, published_n)


def field_question(year_map: YearMap, field: Field, shown: Path) -> YearMap:
    """The year's map with the field's own question, where the field declares one: its column, and the options its
    contenders' labels give that year (the map's options are the machine-learning frameworks')."""
    from dataclasses import replace

    declared = field.survey("stackoverflow")
    if declared is None or not declared.columns:
        return year_map
    column = declared.column(year_map.year)
    if column is None:
        years = ", ".join(str(y) for y, _ in declared.columns)
        raise InputError(f"{shown}: field {field.name!r} names no column of the {year_map.year} survey for its "
                         f"question (its [survey.stackoverflow] columns are for {years}); nothing imported")
    labels = [label_of(c, "stackoverflow", year_map.year) for c in field.contenders]
    return replace(year_map, question=column, options=tuple(label for label in labels if label), own_question=True)


def check_columns(found: list[str], year_map: YearMap, survey: SurveyMap, shown: Path) -> None:
    missing = [c for c in year_map.expected_columns if c not in found]
    if not missing:
        return
    listed = ", ".join(found[:25]) + (f", … ({len(found)} columns in all)" if len(found) > 25 else "")
    raise InputError(
        f"{shown}: does not look like the {survey.name} survey of {year_map.year}: expected columns "
        f"{', '.join(year_map.expected_columns)} (missing {', '.join(missing)}); found {listed or 'no columns'}"
        f"{recognised_as(found, survey, year_map.year)}")


def options_to_count(year_map: YearMap, field: Field) -> list[str]:
    """The year's options, and any label the field gives a contender for that year that the map does not list."""
    labels = [label_of(c, "stackoverflow", year_map.year) for c in field.contenders]
    return list(dict.fromkeys([*year_map.options, *(label for label in labels if label)]))


def count_answers(con: duckdb.DuckDBPyConnection, csv_path: Path, header: list[str], year_map: YearMap,
                  options: list[str], shown: Path) -> dict:
    """One pass over the file: respondents, answered, and ticks per option, overall and professional; and the
    header lines met again (skipped), and those of another layout (refused by the caller)."""
    ident, literal = files.ident, files.literal
    q = ident(year_map.question)
    missing = ", ".join(literal(m) for m in year_map.missing) or "''"
    pro = (f"coalesce({ident(year_map.professional_column)} IN "
           f"({', '.join(literal(v) for v in year_map.professional_values)}), false)"
           if year_map.professional_column else "false")
    header_again = f"coalesce({ident(year_map.id_column)} = {literal(year_map.id_column)}, false)"
    same_layout = " AND ".join(f"coalesce({ident(c)} = {literal(c)}, false)" for c in year_map.expected_columns)
    aggregates = ["count(*) FILTER (NOT header_again) AS n_all",
                  "count(*) FILTER (NOT header_again AND answered) AS n_answered",
                  "count(*) FILTER (NOT header_again AND pro) AS n_all_pro",
                  "count(*) FILTER (NOT header_again AND answered AND pro) AS n_answered_pro",
                  "count(*) FILTER (header_again) AS header_lines",
                  "count(*) FILTER (header_again AND NOT same_layout) AS foreign_headers"]
    for i, option in enumerate(options):
        ticked = f"NOT header_again AND list_contains(picked, {literal(option)})"
        aggregates.append(f"count(*) FILTER ({ticked}) AS c{i}")
        aggregates.append(f"count(*) FILTER ({ticked} AND pro) AS p{i}")
    sql = f"""
        WITH answers AS (
            SELECT list_transform(string_split(coalesce({q}, ''), {literal(year_map.separator)}),
                                  lambda x: trim(x)) AS picked,
                   ({q} IS NOT NULL AND trim({q}) <> '' AND trim({q}) NOT IN ({missing})) AS answered,
                   {pro} AS pro, {header_again} AS header_again, ({same_layout}) AS same_layout
            FROM {files.read_csv(csv_path, header)}
        )
        SELECT {", ".join(aggregates)} FROM answers"""
    try:
        row = con.execute(sql).fetchone()
        names = [d[0] for d in con.description]
    except duckdb.Error as exc:
        raise files.duckdb_problem(shown, exc) from None
    return {name: int(value) for name, value in zip(names, row)}


def _result(path: Path, year_map: YearMap, survey_map: SurveyMap, field: Field, options: list[str],
            counts: dict, published_n: int | None = None) -> SurveyImport:
    year = year_map.year
    segments = [(ALL, "c", counts["n_answered"], counts["n_all"])]
    if year_map.professional_column:
        segments.append((PROFESSIONAL, "p", counts["n_answered_pro"], counts["n_all_pro"]))
    rows, offered = [], set()
    for i, option in enumerate(options):
        contender = contender_for(option, field, "stackoverflow", year)
        offered.add(contender.id if contender else None)
        for segment, prefix, n, n_all in segments:
            ticked = counts[f"{prefix}{i}"]
            rows.append(ShareRow(subject=option, contender=contender.id if contender else None, segment=segment,
                                 share_pct=round(100 * ticked / n, 4) if n else float("nan"), count=ticked, n=n,
                                 n_all=n_all))
    rows = [r for r in counted(rows) if r.n]
    if year_map.own_question:     # a field's own question: its rows apart from the default question's
        rows = [replace(r, segment=f"{r.segment}; {year_map.question}") for r in rows]
        segments = [(f"{segment}; {year_map.question}", *rest) for segment, *rest in segments]
    totals = [SegmentTotals(segment, n_answered=n, n_all=n_all, note=f"answered {year_map.question}")
              for segment, _, n, n_all in segments]
    absent = [c for c in field.contenders if c.id not in offered]
    digest = files.sha256_of(path)
    start, end = year_map.period
    professional = (f"; professional developers: {year_map.professional_column} in "
                    f"({'; '.join(year_map.professional_values)})" if year_map.professional_column else "")
    common = {"signal": "usage", "source": survey_map.source.format(year=year), "period_start": start,
              "period_end": end, "period_label": str(year), "method": Methods.SURVEY_IMPORT,
              "reference": f"{path.name} sha256:{digest}",
              "query": f"{year_map.question} (separator {year_map.separator!r}){professional}",
              "collected_at": files.file_time(path), "published": year_map.released}
    built = share_observations(STACKOVERFLOW, rows, totals, common)
    built += not_an_option(STACKOVERFLOW, absent, year_map.question, year, common)
    remarks = []
    if published_n and counts["n_answered"] < SMALL_BASE * published_n:
        remarks.append(f"a sample, not the survey: {counts['n_answered']:,} answered {year_map.question}, "
                       f"{100 * counts['n_answered'] / published_n:.2g}% of the {published_n:,} of Stack Overflow's "
                       f"published {year} results; its shares are stored, and the published figures keep the larger "
                       f"base")
    if counts["header_lines"]:
        remarks.append(f"skipped {counts['header_lines']} repeated header line(s) (files joined end to end); "
                       f"they are not respondents")
    if not year_map.professional_column:
        remarks.append(f"the {year} survey has no question that separates professional developers")
    built += [survey_note(STACKOVERFLOW, "_file", words, common) for words in remarks]
    return SurveyImport(year=year, source=common["source"], file_name=path.name, sha256=digest,
                        shares=shares_table(rows), totals=totals, absent=absent,
                        observations=pd.DataFrame(built), remarks=remarks)

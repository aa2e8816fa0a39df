"""The any-field history that ships with mindshare, read lazily: only the rows of the contenders asked for.

`data/history/` (built by `scripts/build_history.py`; its MANIFEST.toml says where every file came from) holds
real history for thousands of technologies: 30-day PyPI downloads of the top 5,000-15,000 projects 2018-2026
(hugovk/top-pypi-packages), monthly stars of the top-100 GitHub repositories overall and per language 2018-2026
(EvanLi/Github-Ranking), weekly stars, contributors, dependents and downloads of ~1,100 ML projects 2020-2025
(lukasmasuch/best-of-ml-python, CC BY-SA 4.0) and Stack Overflow's published "worked with" results for every
technology question 2019-2026. Nothing here is loaded into the store: `observations()` returns rows in the shape
of `mindshare.observations`, and the caller decides where they go.

    from mindshare.history import SurveyOption, Wanted, observations

    rows = observations([
        Wanted("polars", pypi=("polars",), github=("pola-rs/polars",)),
        Wanted("pandas", pypi=("pandas",), github=("pandas-dev/pandas",),
               survey=(SurveyOption(2024, "other frameworks and libraries", "Pandas"),)),
    ])

What a read costs: the data files are sorted by project (or repository) and cut into row groups of 16,384 rows
whose min/max statistics are in the file's footer, so a read opens the footer, keeps the groups whose range holds
a wanted key and decodes only those (`ReadStats` counts them). Two or three projects read a few hundred
kilobytes of a 7.5 MB history, whatever the history's size.

What the rows say:

- every number keeps its source, reference (the file at its commit), query, method (a PyPI snapshot's counting
  method, which changes in 2024-2025: a series crossing a change is not one series), period, `published` (the
  day the figure became public) and `collected_at` (the day the history was compiled); notes carry the licence
  and attribution where one applies (best-of-ml-python's CC BY-SA 4.0 on every row derived from it);
- a PyPI snapshot that does not list a project the history holds elsewhere is a note, "absent from the top N
  (so below F)", never a zero; a repository outside every top-100 list in a month has no row;
- a best-of-ml-python figure that a known problem makes unusable (BAD_VALUE_RULES in the build script, listed in
  MANIFEST.toml) is a note whose words keep the figure and say why it is not used (`FLAGGED`), never a number;
- a GitHub repository that moved is read under every name it had (`github_moves.parquet`); `subject` is the name
  the source gave that day.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from mindshare.catalogue import DOWNLOADS_30D, GITHUB_FORKS, GITHUB_STARS
from mindshare.importers import best_of
from mindshare.observations import Sources, observation

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

# The sources, as the rows name them (the bundled DL series name PyPI and EvanLi the same way, so the same
# measurement from both is one measurement in the store).
PYPI = "hugovk/top-pypi-packages"
GITHUB = Sources.GITHUB_RANKING
BEST_OF = best_of.SOURCE           # the rows' source (attribution and licence)
BEST_OF_MANIFEST = "lukasmasuch/best-of-ml-python"   # its entry in MANIFEST.toml
SURVEY = "Stack Overflow Developer Survey"

FLAGGED = best_of.LEFT_OUT   # a figure kept in words but never used as a number: its words start with this
ABSENT = "absent from the top"


# What each figure of the history is: the catalogue's records (declared once there). PyPI's 30-day downloads and
# GitHub stars are read as the bundled deep-learning series read them; best-of-ml-python's figures are read by its
# one reader, mindshare.importers.best_of (which names the catalogue's record of each of its columns).
PYPI_METRIC = DOWNLOADS_30D
GITHUB_METRICS = {"stars": GITHUB_STARS, "forks": GITHUB_FORKS}


# -- what a caller asks for ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SurveyOption:
    """An option of a Stack Overflow survey question: the year, the question (its topic, 'web frameworks', or the
    year's own key, 'Webframe'; any case) and the option's label as the survey words it ('React.js')."""

    year: int
    question: str
    label: str


@dataclass(frozen=True)
class Wanted:
    """A contender's identities in the history; `contender` is the id stamped on its rows."""

    contender: str
    pypi: tuple[str, ...] = ()          # PyPI project names, any spelling (PEP 503 normalises them)
    github: tuple[str, ...] = ()        # owner/name, any case; a moved repository's other names are added
    survey: tuple[SurveyOption, ...] = ()


@dataclass
class ReadStats:
    """What a read touched: row groups decoded of those in the files opened, and their compressed bytes."""

    row_groups_read: int = 0
    row_groups_total: int = 0
    bytes_read: int = 0
    files: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"{self.row_groups_read} of {self.row_groups_total} row groups, {self.bytes_read / 1e3:,.0f} kB, "
                f"from {', '.join(self.files) or 'no file'}")


# -- the files -------------------------------------------------------------------------------------------------
def history_folder() -> Path:
    return Path(str(resources.files("mindshare") / "data" / "history"))


@lru_cache(maxsize=1)
def manifest() -> dict:
    return tomllib.loads((history_folder() / "MANIFEST.toml").read_text(encoding="utf-8"))


def licences() -> dict[str, dict[str, str]]:
    """Per source: its licence (or that none is stated) and the attribution a figure derived from it keeps."""
    return {about["source"]: {"licence": about["licence"], "attribution": about.get("attribution", about["source"])}
            for about in manifest()["sources"].values()}


def normalise_pypi(name: str) -> str:
    """PEP 503: lower case, runs of -, _ and . as one - (the history keeps projects so)."""
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def read_rows(name: str, key: str, keys: Iterable[str], columns: list[str] | None = None,
              stats: ReadStats | None = None) -> pa.Table:
    """The rows of `name` whose `key` is one of `keys`, decoding only the row groups whose min/max can hold one."""
    import pyarrow.parquet as pq

    wanted = sorted(set(keys))
    handle = pq.ParquetFile(history_folder() / name)
    meta = handle.metadata
    position = handle.schema_arrow.get_field_index(key)
    groups = []
    for index in range(meta.num_row_groups):
        column = meta.row_group(index).column(position)
        low, high = (column.statistics.min, column.statistics.max) if column.statistics is not None \
            and column.statistics.has_min_max else (None, None)
        if low is None or any(low <= k <= high for k in wanted):
            groups.append(index)
    if stats is not None:
        stats.files.append(name)
        stats.row_groups_total += meta.num_row_groups
        stats.row_groups_read += len(groups)
        stats.bytes_read += sum(meta.row_group(i).total_byte_size for i in groups)
    if not groups or not wanted:
        return handle.schema_arrow.empty_table().select(columns) if columns else handle.schema_arrow.empty_table()
    reading = None if columns is None else list(dict.fromkeys([*columns, key]))
    table = handle.read_row_groups(groups, columns=reading, use_threads=False)   # a few groups: threads cost more
    table = _rows_with(table, key, set(wanted))
    return table if columns is None else table.select(columns)


def _rows_with(table: pa.Table, key: str, wanted: set) -> pa.Table:
    """The rows whose `key` is wanted. With pandas already imported (observations() returns a DataFrame), Arrow's
    is_in; without, slices of the sorted table found in Python: turning a Python value into an Arrow one makes
    pyarrow import pandas (0.3 s), which a resolution does not need."""
    import sys

    import pyarrow as pa

    if "pandas" in sys.modules:
        import pyarrow.compute as pc

        values = pa.array(sorted(wanted), type=table.schema.field(key).type)
        return table.filter(pc.is_in(table[key], value_set=values))
    runs: list[tuple[int, int]] = []
    for position, value in enumerate(table[key].to_pylist()):
        if value in wanted:
            if runs and runs[-1][1] == position:
                runs[-1] = (runs[-1][0], position + 1)
            else:
                runs.append((position, position + 1))
    if not runs:
        return table.slice(0, 0)
    return pa.concat_tables([table.slice(start, stop - start) for start, stop in runs])


def read_whole(name: str, columns: list[str] | None = None) -> pa.Table:
    """A whole (small) file of the history. Not pyarrow.parquet.read_table: its dataset layer imports pandas."""
    import pyarrow.parquet as pq

    return pq.ParquetFile(history_folder() / name).read(columns=columns, use_threads=False)


@lru_cache(maxsize=1)
def _moves() -> dict[str, set[str]]:
    """Each repository name -> every name of the same repository (moves are joined both ways, transitively)."""
    table = read_whole("github_moves.parquet", ["old", "new"]).to_pydict()
    linked: dict[str, set[str]] = {}
    for old, new in zip(table["old"], table["new"]):
        group = linked.get(old, {old}) | linked.get(new, {new})
        for name in group:
            linked[name] = group
    return linked


def github_names(repository: str) -> set[str]:
    """Every name (lower case) a repository had in the history, itself included."""
    key = repository.strip().lower()
    return set(_moves().get(key, {key}))


def github_moves() -> pd.DataFrame:
    """old, new, evidence: the repositories the history saw move."""
    return read_whole("github_moves.parquet").to_pandas()


@lru_cache(maxsize=1)
def _best_of_index() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """best-of-ml-python's projects: repository -> project, PyPI name -> project, project -> its github_id now."""
    table = read_whole("best_of_projects.parquet", ["project", "github_id", "repos", "pypi"]).to_pydict()
    by_repo, by_pypi, spelled = {}, {}, {}
    for project, github_id, repos, pypi in zip(table["project"], table["github_id"], table["repos"], table["pypi"]):
        spelled[project] = github_id
        by_repo.update(dict.fromkeys(repos.split(), project))
        by_pypi.update(dict.fromkeys(pypi.split(), project))
    return by_repo, by_pypi, spelled


def best_of_project_keys(pypi: Iterable[str], github: Iterable[str]) -> dict[str, str]:
    """best-of-ml-python's project key -> its github_id, for the projects any of these names points to."""
    by_repo, by_pypi, spelled = _best_of_index()
    keys = {by_pypi.get(normalise_pypi(p)) for p in pypi}
    keys |= {by_repo.get(name) for g in github for name in github_names(g)}
    return {key: spelled[key] for key in keys if key}


# -- rows ------------------------------------------------------------------------------------------------------
def observations(wanted: Iterable[Wanted], *, stats: ReadStats | None = None) -> pd.DataFrame:
    """Every row of the history for the contenders in `wanted`, in the columns of `mindshare.observations` (all but
    snapshot_id and kind, which the store sets), number rows and notes alike."""
    import pandas as pd

    from mindshare.observations import COLUMNS

    wanted = list(wanted)
    compiled = datetime.fromisoformat(manifest()["compiled_at"])
    rows: list[dict] = []
    rows += pypi_rows(wanted, stats)
    rows += github_rows(wanted, stats)
    rows += best_of_rows(wanted, stats)
    rows += survey_rows(wanted, stats)
    columns = [c for c in COLUMNS if c not in ("snapshot_id", "kind")]
    frame = pd.DataFrame(rows, columns=columns)
    frame["collected_at"] = compiled
    return frame


def _provenance(source: str, snapshot: date, question: str = "") -> dict:
    found = _provenance_index().get((source, snapshot, question))
    if found is None:
        raise LookupError(f"history: no provenance for {source} {snapshot} {question}".rstrip())
    return found


@lru_cache(maxsize=1)
def _provenance_index() -> dict[tuple[str, date, str], dict]:
    """(source, snapshot, question) -> the snapshot's provenance (snapshots.parquet, 460 rows)."""
    return {(row["source"], row["snapshot"], row["question"]): row
            for row in read_whole("snapshots.parquet").to_pylist()}


def _day(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _common(snap: dict) -> dict:
    return {"source": snap["source"], "method": snap["method"], "reference": snap["reference"],
            "query": snap["query"], "period_start": _day(snap["period_start"]),
            "period_end": _day(snap["period_end"]), "period_label": _day(snap["snapshot"]).isoformat(),
            "published": _day(snap["published"])}


def pypi_rows(wanted: list[Wanted], stats: ReadStats | None = None) -> list[dict]:
    owners = {normalise_pypi(p): w.contender for w in wanted for p in w.pypi}
    if not owners:
        return []
    table = read_rows("pypi_downloads.parquet", "project", owners, stats=stats).to_pydict()
    metric = PYPI_METRIC
    listed: dict[str, set[date]] = {}
    rows = []
    for project, snapshot, downloads in zip(table["project"], table["snapshot"], table["downloads"]):
        snap = _provenance(PYPI, snapshot)
        listed.setdefault(project, set()).add(snapshot)
        rows.append(observation(signal=metric.signal, metric=metric.name, contender=owners[project], subject=project,
                                value=downloads, unit=metric.unit, note=f"{snap['note']}; {snap['method']}",
                                **_common(snap)))
    for project, days in listed.items():   # a snapshot without the project: below its floor, not zero
        for (source, snapshot, _), snap in _provenance_index().items():
            if source == PYPI and snapshot not in days:
                rows.append(observation(
                    signal=metric.signal, metric=metric.name, contender=owners[project], subject=project,
                    unit=metric.unit, value_text=f"{ABSENT} {snap['top']:,} (so below {snap['floor']:,})",
                    note=f"{snap['note']}; {snap['method']}", **_common(snap)))
    return rows


def github_rows(wanted: list[Wanted], stats: ReadStats | None = None) -> list[dict]:
    owners = {name: w.contender for w in wanted for repo in w.github for name in github_names(repo)}
    if not owners:
        return []
    table = read_rows("github_stars.parquet", "repo", owners, stats=stats).to_pydict()
    rows = []
    for repo, snapshot, spelled, stars, forks, spread in zip(table["repo"], table["snapshot"], table["github_id"],
                                                             table["stars"], table["forks"], table["stars_spread"]):
        snap = _provenance(GITHUB, snapshot)
        note = snap["note"] + (f"; its lists that day give stars {spread} apart (the first list's figure)"
                               if spread else "")
        for metric, value in ((GITHUB_METRICS["stars"], stars), (GITHUB_METRICS["forks"], forks)):
            rows.append(observation(signal=metric.signal, metric=metric.name, contender=owners[repo], subject=spelled,
                                    value=value, unit=metric.unit, note=note, **_common(snap)))
    return rows


def best_of_rows(wanted: list[Wanted], stats: ReadStats | None = None) -> list[dict]:
    """best-of-ml-python's weekly figures of the projects the contenders are, built by its one reader
    (importers.best_of). Columns the catalogue has no record for (PyPI dependents, conda's running total) are not
    read; a figure a bad-value rule names is words, never a number."""
    projects: dict[str, tuple[str, str]] = {}     # project key -> (contender, github_id as now spelled)
    for w in wanted:
        for key, github_id in best_of_project_keys(w.pypi, w.github).items():
            projects[key] = (w.contender, github_id)
    if not projects:
        return []
    table = read_rows("best_of_ml_python.parquet", "project", projects, stats=stats).to_pydict()
    rules = manifest()["bad_values"]
    rows = []
    for project, snapshot, name, value, flag in zip(table["project"], table["snapshot"], table["metric"],
                                                    table["value"], table["flag"]):
        metric = best_of.METRICS.get(name)
        if metric is None:
            continue
        snap = _provenance(BEST_OF_MANIFEST, snapshot)
        contender, subject = projects[project]
        rows.append(best_of.observation_of(
            metric, contender=contender, github_id=subject, project=project, column=name, day=snapshot,
            value=value, reference=snap["reference"], published=_day(snap["published"]),
            left_out=f"{rules[flag]['why']} (rule {flag})" if flag else None))
    return rows


def survey_table() -> pd.DataFrame:
    """Stack Overflow's published results, every technology question, year and segment (30 kB), as a DataFrame."""
    return read_whole("stackoverflow_survey.parquet").to_pandas()


@lru_cache(maxsize=1)
def _survey_columns() -> dict[str, list]:
    return read_whole("stackoverflow_survey.parquet").to_pydict()


@lru_cache(maxsize=1)
def _survey_index() -> dict[tuple[int, str], list[int]]:
    """(year, case-folded topic or question key) -> the positions of that block's rows (every segment and option):
    built from two columns; a row becomes a dict only when it is read (_survey_blocks)."""
    columns = _survey_columns()
    index: dict[tuple[int, str], list[int]] = {}
    for position, (year, topic, question) in enumerate(zip(columns["year"], columns["topic"], columns["question"])):
        for name in {topic.strip().casefold(), question.strip().casefold()}:
            index.setdefault((year, name), []).append(position)
    return index


class _Blocks:
    """(year, topic or question key) -> that block's rows as dicts (with `option_key`), made when asked."""

    def get(self, key: tuple[int, str], default: list | None = None) -> list[dict]:
        positions = _survey_index().get(key)
        if positions is None:
            return default if default is not None else []
        columns = _survey_columns()
        rows = []
        for position in positions:
            row = {name: values[position] for name, values in columns.items()}
            row["option_key"] = row["option"].strip().casefold()
            rows.append(row)
        return rows


def _survey_blocks() -> _Blocks:
    return _Blocks()


def published_base(year: int, question: str, segment: str = "all respondents") -> int | None:
    """The base of a question (its topic or the year's own key) in a year's published results, for one segment: the
    median of its options' bases (a 2021-2022 base is implied per option); None where the results hold no such
    block."""
    import statistics

    bases = [int(row["n"]) for row in _survey_blocks().get((int(year), question.strip().casefold()), [])
             if row["segment"] == segment]
    return int(statistics.median(bases)) if bases else None


BASIS_NOTES = {
    "count derived": "published: the % and n; the count is derived as round(% x n / 100)",
    "base implied": "published: the count and the % (to 4 digits); the %'s base is implied, n = count / % "
                    "(the median over the block), not the published total_respondents",
    "published": "published: the count, the % and n (% = count / n)",
}


def survey_rows(wanted: list[Wanted], stats: ReadStats | None = None) -> list[dict]:
    """so_survey_share, _count and _n per option and segment (the shape `importers.surveys` gives every survey
    share), and each segment's base as so_survey_respondents `_answered`."""
    from mindshare.importers.surveys import (
        STACKOVERFLOW,
        SegmentTotals,
        ShareRow,
        share_observations,
    )

    options = [(w.contender, o) for w in wanted for o in w.survey]
    if not options:
        return []
    blocks = _survey_blocks()
    if stats is not None:
        stats.files.append("stackoverflow_survey.parquet")
    rows = []
    for (year, question), group in _group_options(options).items():
        labels = {label.strip().casefold(): contender for contender, label in group}
        by_segment: dict[tuple[str, str], list[dict]] = {}
        for row in blocks.get((year, question), []):
            if row["option_key"] in labels:
                by_segment.setdefault((row["question"], row["segment"]), []).append(row)
        for (key, segment), picked in by_segment.items():
            snap = _provenance(f"{SURVEY} {year} (published results)", date(year, 1, 1), key)
            common = {**_common(snap), "signal": "usage", "period_label": str(year)}
            shares = [ShareRow(subject=r["option"], contender=labels[r["option_key"]], segment=segment,
                               share_pct=float(r["share_pct"]), count=int(r["count"]), n=int(r["n"]),
                               note=f"{BASIS_NOTES[r['basis']]}; {snap['note']}") for r in picked]
            totals = [SegmentTotals(segment, n_answered=int(picked[0]["n"]), note=BASIS_NOTES[picked[0]["basis"]])]
            rows += share_observations(STACKOVERFLOW, shares, totals, common)
    return rows


def _group_options(options: list[tuple[str, SurveyOption]]) -> dict[tuple[int, str], list[tuple[str, str]]]:
    grouped: dict[tuple[int, str], list[tuple[str, str]]] = {}
    for contender, option in options:
        grouped.setdefault((int(option.year), option.question.strip().casefold()), []).append(
            (contender, option.label))
    return grouped


__all__ = [
    "ABSENT",
    "BEST_OF",
    "FLAGGED",
    "GITHUB",
    "GITHUB_METRICS",
    "PYPI",
    "PYPI_METRIC",
    "SURVEY",
    "ReadStats",
    "SurveyOption",
    "Wanted",
    "github_moves",
    "github_names",
    "history_folder",
    "licences",
    "manifest",
    "normalise_pypi",
    "observations",
    "published_base",
    "read_rows",
    "survey_table",
]

"""The weekly histories of the best-of lists (lukasmasuch/best-of-ml-python and its siblings) as observations: the
one place that turns a best-of figure (a project's GitHub stars, forks, contributors, dependents or monthly PyPI
downloads on a snapshot day) into a row, whichever copy it is read from.

Two copies are read today: the bundle's excerpt of the deep-learning frameworks' dependents
(`dependents_observations`, a CSV: `snapshot`, `project` — the list's own name for it —, `github_id`,
`github_dependent_project_count`, `source_path`, `source_commit`) and the any-field history (`mindshare.history`
reads `data/history/best_of_ml_python.parquet` and builds its rows here, with `observation_of`). Both give the same
source, method, subject, period and unit for the same figure, so a figure read from both is one measurement in the
store, never two. A project is a contender when the field knows it by its GitHub repository or by the list's name
for it (a renamed repository, google/jax for jax-ml/jax, is still found).

The list's data are licensed CC BY-SA 4.0: every row keeps the attribution and the licence in its `source` (the
report shows it on every figure and source entry) and its `note`. Values known to be wrong are kept as words, never
used as numbers (`left_out`): the bundle's manifest names its spans (`flagged`: a project, a span of snapshots, a
floor the real count was far above, why), the history's build names its rules. A snapshot without a figure is no
row.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from mindshare.catalogue import (
    CONTRIBUTORS,
    DOWNLOADS_MONTH,
    GITHUB_DEPENDENTS,
    GITHUB_FORKS,
    GITHUB_STARS,
    Metric,
)
from mindshare.errors import InputError
from mindshare.fields import Contender, Field
from mindshare.observations import observation

if TYPE_CHECKING:   # pandas only where a frame is made: the history's reader builds rows here without it
    import pandas as pd

COLUMNS = ("snapshot", "project", "github_id", "github_dependent_project_count", "source_path", "source_commit")
ATTRIBUTION = "best-of-ml-python, Lukas Masuch"
LICENCE = "CC BY-SA 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by-sa/4.0/"
REPOSITORY = "lukasmasuch/best-of-ml-python"
SOURCE = f"{ATTRIBUTION} ({LICENCE})"
NOTE = f"{ATTRIBUTION}; licence {LICENCE} ({LICENCE_URL})"
LEFT_OUT = "left out"          # a figure kept in words only: "left out: read as 4; why"

# The history's columns (as the build names them) -> the catalogue's record for what they count, and the method
# words of each (how the list read it). The monthly PyPI downloads are pypistats' last 30 days on the snapshot day.
METRICS: dict[str, Metric] = {
    "github_stars": GITHUB_STARS, "github_forks": GITHUB_FORKS, "github_contributors": CONTRIBUTORS,
    "github_dependents": GITHUB_DEPENDENTS, "pypi_downloads_month": DOWNLOADS_MONTH,
}
METHODS = {
    GITHUB_DEPENDENTS.name: "best-of history, GitHub dependents (\"Used by\"), as listed on the snapshot day",
    GITHUB_STARS.name: "best-of history, GitHub stars, as listed on the snapshot day",
    GITHUB_FORKS.name: "best-of history, GitHub forks, as listed on the snapshot day",
    CONTRIBUTORS.name: "best-of history, GitHub contributors, as listed on the snapshot day",
    DOWNLOADS_MONTH.name: "best-of history, PyPI downloads in the 30 days before the snapshot day (pypistats), as "
                          "listed",
}
WINDOW_DAYS = {DOWNLOADS_MONTH.name: 30}     # the days before the snapshot a value counts; others: on the day
METHOD = METHODS[GITHUB_DEPENDENTS.name]


def observation_of(metric: Metric, *, contender: str, github_id: str, project: str, column: str, day: date,
                   value: float, reference: str, left_out: str | None = None,
                   published: date | None = None) -> dict:
    """One best-of figure as an observation (`left_out`: why the figure is not to be used; it is then words)."""
    window = WINDOW_DAYS.get(metric.name)
    start, end = (day - timedelta(days=window), day - timedelta(days=1)) if window else (day, day)
    return observation(
        signal=metric.signal, metric=metric.name, source=SOURCE, method=METHODS[metric.name], contender=contender,
        subject=github_id, period_start=start, period_end=end, period_label=day.isoformat(),
        unit=metric.unit or metric.words, segment="all", value=None if left_out else value,
        value_text=f"{LEFT_OUT}: read as {value:,.0f}; {left_out}" if left_out else None,
        reference=reference, query=f"{project}: {column}", note=NOTE, published=published)


def dependents_observations(path: Path, about: dict, field: Field) -> pd.DataFrame:
    """The dependents of the field's contenders in one best-of history file; `about` is its manifest entry
    (repository, flagged)."""
    import pandas as pd

    flags = [Flag(**entry) for entry in about.get("flagged", [])]
    known: dict[tuple[str, str], Contender | None] = {}
    rows = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"{path}: not a best-of history: no column {', '.join(missing)}; nothing read")
        for line, row in enumerate(reader, start=2):
            key = (row["project"], row["github_id"])
            if key not in known:
                known[key] = contender_of(field, *key)
            contender = known[key]
            if contender is None or not row["github_dependent_project_count"].strip():
                continue
            try:
                day = date.fromisoformat(row["snapshot"])
                value = float(row["github_dependent_project_count"])
            except ValueError:
                raise InputError(f"{path}, line {line}: snapshot {row['snapshot']!r} or count "
                                 f"{row['github_dependent_project_count']!r} is not a date and a number; "
                                 "nothing read") from None
            flag = next((f for f in flags if f.covers(row["project"], day, value)), None)
            rows.append(observation_of(
                GITHUB_DEPENDENTS, contender=contender.id, github_id=row["github_id"], project=row["project"],
                column="github_dependent_project_count", day=day, value=value, left_out=flag.why if flag else None,
                reference=f"https://github.com/{about['repository']}/blob/{row['source_commit']}/"
                          f"{row['source_path']}"))
    return pd.DataFrame(rows)


def contender_of(field: Field, project: str, github_id: str) -> Contender | None:
    """The contender a history project is: by its GitHub repository, else by the list's name for it."""
    wanted = github_id.casefold()
    for contender in field.contenders:
        if contender.github and contender.github.casefold() == wanted:
            return contender
    return field.find(project)


class Flag:
    """A span of one project's snapshots whose values below `floor` are known to be wrong (GitHub answering a
    handful of repositories for a project thousands depend on)."""

    def __init__(self, project: str, first: date, last: date, floor: float, why: str) -> None:
        self.project, self.first, self.last, self.floor, self.why = project, first, last, floor, why

    def covers(self, project: str, day: date, value: float) -> bool:
        return project == self.project and self.first <= day <= self.last and value < self.floor

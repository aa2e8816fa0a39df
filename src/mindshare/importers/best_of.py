"""The weekly histories of the best-of lists (lukasmasuch/best-of-ml-python and its siblings): each project's GitHub
dependents ("Used by": repositories that depend on it) per snapshot, as observations of a field's contenders.

A history row is one project in one snapshot (`snapshot`, `project` — the list's own name for it —, `github_id`,
`github_dependent_project_count`, and where it was read: `source_path`, `source_commit`). A project is a contender
when the field knows it by its GitHub repository or by the list's name for it (a renamed repository, google/jax
for jax-ml/jax, is still found); any project of any list is read the same way, so more projects or another list
need no code.

The list's data are licensed CC BY-SA 4.0: every row keeps the attribution and the licence in its `source` (the
report shows it on every figure and source entry) and its `note`. Values the history's maintainers know to be wrong
are flagged, never used: each `flagged` entry of the bundle's manifest (a project, a span of snapshots, a floor the
real count was far above, why) turns a value in it into a note saying so. A snapshot without a count is no row.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pandas as pd

from mindshare.catalogue import DEPENDENTS, GITHUB_DEPENDENTS
from mindshare.errors import InputError
from mindshare.fields import Contender, Field
from mindshare.observations import observation

COLUMNS = ("snapshot", "project", "github_id", "github_dependent_project_count", "source_path", "source_commit")
METHOD = "best-of history, GitHub dependents (\"Used by\"), as listed on the snapshot day"
METRICS = (GITHUB_DEPENDENTS,)


def dependents_observations(path: Path, about: dict, field: Field) -> pd.DataFrame:
    """The dependents of the field's contenders in one best-of history file; `about` is its manifest entry
    (repository, attribution, licence, flagged)."""
    source = f"{about['attribution']} ({about['licence']})"
    note = f"{about['attribution']}; licence {about['licence']} ({about['licence_url']})"
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
            rows.append(observation(
                signal=DEPENDENTS.name, metric=GITHUB_DEPENDENTS.name, source=source, method=METHOD,
                contender=contender.id, subject=row["github_id"], period_start=day, period_end=day,
                period_label=row["snapshot"], unit="repositories", segment="all",
                value=None if flag else value,
                value_text=f"left out: read as {value:,.0f}; {flag.why}" if flag else None,
                reference=f"https://github.com/{about['repository']}/blob/{row['source_commit']}/{row['source_path']}",
                query=f"{row['project']}: github_dependent_project_count", note=note))
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

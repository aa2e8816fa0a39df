"""The bundled any-field history joined to an open store for one run, and never written to it.

`mindshare compare`, `report --contenders` and `report --field` read the history (`mindshare.history`: PyPI
downloads, GitHub stars, best-of-ml-python's weekly figures, Stack Overflow's published survey results) for just the
contenders of the run, and join it to the store as temporary tables of the store's own connection: within
`joined(store, field)`, `store.observations()`, `store.snapshots()` and every query of the analysis see the store's
rows and the history's as one store, each history source as one snapshot of kind `bundled` with its provenance on
every row. Nothing reaches the store's file (a read-only store is joined the same way); when the block ends the
temporary tables are gone.

What is joined, and what is not:

- contenders the bundled dataset already covers (the deep-learning frameworks: the bundle was compiled for them from
  the same sources) take nothing from the history, so the bundle's rows are never doubled (the bundle's GitHub rows
  name a framework by its id where the history names the repository, and would be counted twice);
- a history row never shadows a row of the store that names a contender: where the store holds the same measurement
  (its key: `observations.MEASUREMENT_KEY`) for a contender, the store's row is the one read; where the store holds
  it for no contender (the bundle keeps Stack Overflow's "Pandas" and "NumPy" shares without one), the history's
  row, which says whose figure it is, is read in its place for the run;
- survey figures are read for the one question the field's survey stands for (its `[survey.stackoverflow]` topic,
  else the machine-learning frameworks question), in the whole populations the survey publishes: its
  sub-populations ("all respondents; 1-5 years of work experience") would be read as their parent population by
  the survey matching, which keys a population by the segment's first clause;
- a contender's rows carry the field's id for it, so the analysis and the report read them like any other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from mindshare import _version
from mindshare.fields import Field
from mindshare.history import ReadStats, SurveyOption, Wanted, manifest, observations
from mindshare.observations import COLUMNS, MEASUREMENT_KEY, SURVEY_POPULATIONS, SnapshotKind
from mindshare.store import _LATEST_VIEW, Store, normalise_observations

HISTORY_ROWS, HISTORY_SNAPSHOTS = "ms_history_observations", "ms_history_snapshots"
SNAPSHOT_PREFIX = "history-"
DEFAULT_SURVEY = "stackoverflow"


@dataclass
class Joined:
    """What a join added: the contenders read from the history, those left to the bundle, rows per source."""

    read: list[str] = field(default_factory=list)
    bundled: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)       # source -> rows joined
    shadowed: int = 0                                        # rows the store already held (not joined)
    stats: ReadStats = field(default_factory=ReadStats)


@lru_cache(maxsize=1)
def default_topic() -> str:
    """The published results' topic of the survey question a field reads when it declares none (the machine-
    learning frameworks question: data/surveys/stackoverflow.toml)."""
    from mindshare.importers.surveys import column_map

    return str(column_map(DEFAULT_SURVEY)["topic"])


def survey_topic(chosen: Field) -> str:
    question = chosen.survey(DEFAULT_SURVEY)
    return question.topic if question is not None and question.topic else default_topic()


def wanted_of(chosen: Field) -> list[Wanted]:
    """The field's contenders as the history's readers take them: PyPI projects, the GitHub repository, and the
    survey option each year offers in the field's question."""
    topic = survey_topic(chosen)
    return [Wanted(c.id, pypi=tuple(c.pypi), github=(c.github,) if c.github else (),
                   survey=tuple(SurveyOption(int(year), topic, label) for year, label in c.stackoverflow_survey))
            for c in chosen.contenders]


def bundled_contenders(store: Store) -> set[str]:
    """The contender ids the store's bundled dataset has rows for (the history's own snapshots aside)."""
    rows = store.connection.execute(
        "SELECT DISTINCT contender FROM observations WHERE contender IS NOT NULL AND snapshot_id IN "
        "(SELECT snapshot_id FROM snapshots WHERE kind = ? AND snapshot_id NOT LIKE ?)",
        [SnapshotKind.BUNDLED, f"{SNAPSHOT_PREFIX}%"]).fetchall()
    return {row[0] for row in rows}


@contextmanager
def joined(store: Store, chosen: Field) -> Iterator[Joined]:
    """Within the block, `store` reads as the store plus the history rows of `chosen`'s contenders (see the
    module's docstring); afterwards it is the store alone again."""
    result = Joined()
    covered = bundled_contenders(store)
    for contender in chosen.contenders:
        (result.bundled if contender.id in covered else result.read).append(contender.id)
    # only a contender the bundle lacks needs its survey question's topic (read through the survey importer, which
    # loads pandas): the bundled field's report takes nothing from the history and loads nothing for it
    wanted = [one for one in wanted_of(chosen) if one.contender not in covered] if result.read else []
    rows = history_rows(wanted, result.stats) if wanted else None
    connection = store.connection
    database = connection.execute("SELECT current_database()").fetchall()[0][0]
    if rows is None or rows.empty:
        yield result
        return
    try:
        _create(connection, database, rows)
        result.shadowed = len(rows) - connection.execute(f"SELECT count(*) FROM temp.main.{HISTORY_ROWS}").fetchall()[0][0]
        result.rows = dict(connection.execute(
            f"SELECT source, count(*) FROM temp.main.{HISTORY_ROWS} GROUP BY source ORDER BY source").fetchall())
        yield result
    finally:
        _drop(connection)


def history_rows(wanted: list[Wanted], stats: ReadStats | None = None):
    """The history's rows for `wanted`, as the store would hold them (kind set), each with its source's snapshot
    id; survey rows only in the survey's whole populations."""
    frame = observations(wanted, stats=stats)
    survey = frame["metric"].astype(str).str.contains("survey", regex=False)
    frame = frame[~survey | frame["segment"].isin(SURVEY_POPULATIONS)]
    frame = normalise_observations(frame)
    frame["snapshot_id"] = frame["source"].map(snapshot_id)
    return frame[list(COLUMNS)].reset_index(drop=True)


def snapshot_id(source: str) -> str:
    """The id of a history source's snapshot: the same for every run of this history."""
    digest = hashlib.sha256(f"{manifest()['version']}\x1f{source}".encode()).hexdigest()[:10]
    return f"{SNAPSHOT_PREFIX}{digest}"


def _create(connection, database: str, rows) -> None:
    """The history rows (those the store does not already hold for a contender) and their snapshots as temporary
    tables, and the store's three names as temporary views over the store and them."""
    quoted = '"' + database.replace('"', '""') + '"'
    columns = ", ".join(f"CAST({name} AS {kind.replace(' NOT NULL', '')}) AS {name}" for name, kind in COLUMNS.items())
    same = " AND ".join(f"o.{k} IS NOT DISTINCT FROM h.{k}" for k in MEASUREMENT_KEY)
    connection.register("ms_history_incoming", rows)
    try:
        connection.execute(f"""
            CREATE OR REPLACE TEMP TABLE {HISTORY_ROWS} AS
            SELECT {columns} FROM ms_history_incoming h
            WHERE NOT EXISTS (SELECT 1 FROM {quoted}.main.observations o WHERE {same} AND o.contender IS NOT NULL)""")
    finally:
        connection.unregister("ms_history_incoming")
    compiled = datetime.fromisoformat(manifest()["compiled_at"])
    connection.execute(f"""
        CREATE OR REPLACE TEMP TABLE {HISTORY_SNAPSHOTS} AS
        SELECT snapshot_id, ? AS kind, source,
               'bundled any-field history ' || ? || ': ' || source || ' (read for this run, not stored)' AS description,
               CAST(? AS TIMESTAMP) AS created_at, snapshot_id AS content_hash, count(*) AS rows,
               ? AS mindshare_version
        FROM {HISTORY_ROWS} GROUP BY snapshot_id, source""",
                       [SnapshotKind.BUNDLED, manifest()["version"], compiled, _version.__version__])
    # the store's rows, but those of its measurements the history now names a contender for
    connection.execute(f"""
        CREATE OR REPLACE TEMP VIEW observations AS
        SELECT * FROM {quoted}.main.observations o
        WHERE o.contender IS NOT NULL OR NOT EXISTS (SELECT 1 FROM temp.main.{HISTORY_ROWS} h WHERE {same})
        UNION ALL SELECT * FROM temp.main.{HISTORY_ROWS}""")
    connection.execute(f"CREATE OR REPLACE TEMP VIEW snapshots AS SELECT * FROM {quoted}.main.snapshots "
                       f"UNION ALL SELECT * FROM temp.main.{HISTORY_SNAPSHOTS}")
    # the store's own rule for the newest value of a measurement, over the joined rows
    connection.execute(_LATEST_VIEW.replace("CREATE OR REPLACE VIEW", "CREATE OR REPLACE TEMP VIEW"))


def _drop(connection) -> None:
    for view in ("latest_observations", "observations", "snapshots"):
        connection.execute(f"DROP VIEW IF EXISTS temp.main.{view}")
    for table in (HISTORY_ROWS, HISTORY_SNAPSHOTS):
        connection.execute(f"DROP TABLE IF EXISTS temp.main.{table}")

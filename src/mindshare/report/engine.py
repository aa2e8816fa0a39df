"""The report's analysis engine: one run of the analysis over the report's numbers, and the answer made from it,
cached. `report.build` calls `run` once; the answer (the `headline` section) and the method details (the `summary`
section) both read its result, so every figure the two state comes from the same run.

The statistics are mindshare.analysis's (pure functions; the aggregation in DuckDB SQL, on the store's own
connection). They are the slow part of a report (scipy and statsmodels to import, thousands of draws), so the
result is cached by a digest of everything it depends on: the observations, the earlier ones, the options, the
report date, the field and the code. The cache holds data only (report.cache): the method-details section, and the
answer as the results.json section it renders to.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from mindshare.analysis.answer import answer_of
from mindshare.analysis.pipeline import analyse, data_notes_of
from mindshare.report import cache
from mindshare.report.evidence import Evidence
from mindshare.report.model import Section
from mindshare.report.sections import summary


@dataclass(frozen=True, eq=False)
class EngineInput:
    evidence: Evidence
    connection: duckdb.DuckDBPyConnection   # the store's own: the analysis runs there
    relation: str                           # the evidence's numbers, registered on that connection
    weights: dict[str, float] | None = None           # --weights, else the field's score_weights
    compare_to: date | None = None                     # --compare-to DATE
    compare_relation: str | None = None               # the numbers as known on that day, on the same connection
    compare_observations: pd.DataFrame | None = None  # the same rows as a frame (the digest reads them)

    @property
    def presets(self) -> tuple[str, ...]:
        """Hale's composite presets, for a field that reproduces his article; none otherwise."""
        article = self.evidence.article
        return article.composite_presets if article else ()

    @property
    def presets_words(self) -> str:
        article = self.evidence.article
        return article.composite_presets_words if article else ""


@dataclass(frozen=True)
class Analysed:
    answer: dict | None      # analysis.answer.Answer.as_section(): the headline section renders it
    details: Section         # the method-details section


def run(inputs: EngineInput) -> Analysed:
    """The analysis of the report's numbers and the answer made from it (or both, from the cache)."""
    folder = cache.folder("analysis")
    key = _digest(inputs)
    paths = (folder / f"{key}.json", folder / f"{key}.answer.json") if folder else None
    details = cache.load_section(paths[0]) if paths else None
    held = cache.load_section(paths[1]) if paths else None
    if details is None or held is None:
        details, answer = _compute(inputs)
        held = Section(id="headline", title="", document=answer)
        if paths:
            cache.save_section(paths[0], details)
            cache.save_section(paths[1], held)
    if not details.findings and not details.tables:
        details.notes.append(summary.NOTHING_YET)
    return Analysed(held.document, details)


def _compute(inputs: EngineInput) -> tuple[Section, dict | None]:
    evidence = inputs.evidence
    with one_thread(inputs.connection):
        # the relation holds numbers only: the caveats stored as words (how far two series join, a survey year
        # without the question) are handed in beside it
        result = analyse(inputs.connection, inputs.relation, contenders=list(evidence.field.ids),
                         names=evidence.name, presets=inputs.presets, weights=inputs.weights,
                         data_notes=data_notes_of(evidence.observations))
        then = None
        if inputs.compare_to and inputs.compare_relation is not None and inputs.compare_observations is not None \
                and not inputs.compare_observations.empty:
            then = analyse(inputs.connection, inputs.compare_relation, contenders=list(evidence.field.ids),
                           names=evidence.name, presets=(), draws=10,
                           data_notes=data_notes_of(inputs.compare_observations))
    answer = answer_of(result, report_date=evidence.report_date, names=evidence.name, weights=inputs.weights,
                       then=then, compare_to=inputs.compare_to)
    section = answer.as_section()
    details = summary.build(summary.SummaryInput(
        evidence, result, presets=inputs.presets, presets_words=inputs.presets_words, weights=inputs.weights,
        compare_to=inputs.compare_to, then=then, answer=section))
    return details, section


def _digest(inputs: EngineInput) -> str:
    """Everything the statistics depend on. Rows are hashed in sorted order: the store returns tied rows in no
    fixed order, and the analysis does not depend on it."""
    import mindshare.analysis
    import mindshare.catalogue

    h = hashlib.sha256()
    for frame in (inputs.evidence.observations, inputs.compare_observations):
        if frame is not None:
            rows = pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy()
            h.update(np.sort(rows).tobytes())
        h.update(b"|")
    compare_to = inputs.compare_to.isoformat() if inputs.compare_to else None
    h.update(repr((inputs.evidence.report_date.isoformat(), compare_to, sorted((inputs.weights or {}).items()),
                   inputs.presets, [(c.id, c.name, c.color) for c in inputs.evidence.field.contenders])).encode())
    here = Path(__file__).parent
    code = sorted(Path(mindshare.analysis.__file__).parent.glob("*.py")) + [
        Path(mindshare.catalogue.__file__), Path(__file__), here / "sections" / "summary.py", here / "figures.py",
        here / "model.py", here / "cache.py", here / "article.py"]
    for path in code:
        h.update(path.read_bytes())
    return h.hexdigest()[:32]


@contextmanager
def one_thread(connection: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """DuckDB on one thread while the analysis runs. With several threads a GROUP BY returns its groups in an order
    that depends on scheduling, and where the analysis breaks a tie by that order (two survey populations equal on
    every key it sorts by) a busy machine got another answer than a quiet one: the same store must give the same
    report. The analysis reads a few thousand rows, so one thread costs nothing measurable."""
    threads = connection.execute("SELECT current_setting('threads')").fetchone()[0]
    connection.execute("SET threads = 1")
    try:
        yield
    finally:
        connection.execute(f"SET threads = {int(threads)}")

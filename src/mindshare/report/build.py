"""Build the report model from the store: read it once, hand every section its input, collect the sections.

This module only orchestrates. Each section lives in `report/sections/<id>.py` (one per section of results.json)
and is a function of one typed input; none of them opens the store, reads the clock or names a contender. The
report's date (today, or --as-of) is decided here and passed in.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from mindshare.catalogue import SEARCH
from mindshare.fields import Field
from mindshare.observations import SnapshotKind, Sources
from mindshare.report import engine
from mindshare.report.article import article_of
from mindshare.report.evidence import Evidence
from mindshare.report.model import Provenance, Report
from mindshare.report.sections import headline, jobs, research, search, signals, sources, usage
from mindshare.store import Store

# The store orders rows by signal, metric, subject, segment and period; rows tied on those come back in any order,
# and the first row of a source met decides its S-number. Breaking the ties makes the report a function of the
# store's content alone (the same store gives the same results.json).
TIE_BREAK = ["signal", "metric", "subject", "segment", "period_start", "source", "method", "period_end",
             "period_label", "contender", "snapshot_id", "value", "value_text", "collected_at"]
NUMBERS, EARLIER_NUMBERS = "mindshare_report_numbers", "mindshare_report_earlier_numbers"


def build_report(store: Store, field: Field, *, as_of: date | None = None, compare_to: date | None = None,
                 weights: dict[str, float] | None = None, today: date | None = None) -> Report:
    """The report of `field` from `store`, as known on `as_of` (default: everything, dated `today`). The days are
    dates, parsed once where the user gave them (the CLI's option, the API's argument)."""
    today = today or date.today()
    observations = in_full_order(store.observations(as_of=as_of))
    snapshots = store.snapshots()
    evidence = Evidence(
        observations=observations, field=field, provenance=Provenance(),
        report_date=as_of or today,
        collected_snapshots=frozenset(snapshots.loc[snapshots["kind"] == SnapshotKind.COLLECT, "snapshot_id"]),
        article=article_of(field))
    samples = in_full_order(store.observations(signal=SEARCH.name, source=Sources.GOOGLE_TRENDS, as_of=as_of,
                                               all_snapshots=True, include_notes=False))
    earlier = in_full_order(store.observations(as_of=compare_to)) if compare_to else None
    connection = store.connection
    connection.register(NUMBERS, numbers_of(observations))
    if earlier is not None:
        connection.register(EARLIER_NUMBERS, numbers_of(earlier))
    try:
        ordered = [jobs.build(evidence), research.build(evidence), search.build(search.SearchInput(evidence, samples)),
                   usage.build(evidence), signals.build(evidence)]
        analysed = engine.run(engine.EngineInput(
            evidence, connection, NUMBERS, weights=weights or field.score_weights, compare_to=compare_to,
            compare_relation=EARLIER_NUMBERS if earlier is not None else None, compare_observations=earlier))
        # the answer comes first on the page but is numbered after the sections, so their S-numbers stay put
        answer = headline.build(headline.HeadlineInput(evidence, analysed.answer))
        sections = [answer, *ordered, analysed.details,
                    sources.build(evidence)]   # last: it lists every source the others cited
    finally:
        connection.unregister(NUMBERS)
        if earlier is not None:
            connection.unregister(EARLIER_NUMBERS)
    return Report(
        field_name=field.name, field_title=field.title,
        generated_at=today.isoformat(),   # the day, not the time: the same data on one day make the same files
        as_of=as_of.isoformat() if as_of else None, store_name=store.path.name, sections=sections,
        sources=evidence.provenance.entries, snapshots=snapshots,
    )


def in_full_order(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(TIE_BREAK, na_position="first", kind="stable", ignore_index=True)


def numbers_of(observations: pd.DataFrame) -> pd.DataFrame:
    """The rows the analysis reads: numbers, not notes."""
    return observations[observations["kind"] == "number"]

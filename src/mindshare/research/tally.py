"""A sampled cell as observations (pure: dicts in, rows out).

`sample_cell_observations` turns the scanned papers of one sampled cell (an arXiv category in one month)
into observation rows: counts, and the share of sampled papers mentioning each contender with its Wilson
95% interval (the sample's own size; statsmodels' `proportion_confint`). Every method is put in one shape for
the report by `mindshare.analysis.research_shares`; the metric names are the catalogue's.
"""

from __future__ import annotations

from datetime import date, datetime

from mindshare import catalogue
from mindshare.observations import Sources, Subjects, observation
from mindshare.research.sampling import wilson_interval

SIGNAL = catalogue.RESEARCH.name

# The research metrics (the catalogue's records, by name).
PAPERS_ONLY = catalogue.PAPERS_ONLY.name              # papers naming this contender and no other
PAPERS_MENTIONING = catalogue.PAPERS_MENTIONING.name  # papers naming this contender (maybe others too)
PAPERS_ANY = catalogue.PAPERS_ANY.name                # papers naming at least one contender
PAPERS_SEVERAL = catalogue.PAPERS_SEVERAL.name        # papers naming two or more
POPULATION = catalogue.POPULATION_PAPERS.name         # what the count was taken over (frame, full texts, works)
PAPERS_SAMPLED = catalogue.PAPERS_SAMPLED.name        # sampled papers read (scanned without error)
PAPERS_FAILED = catalogue.PAPERS_FAILED.name          # sampled papers whose PDF could not be read
PCT_MENTIONING = catalogue.PCT_PAPERS_MENTIONING.name
LOW, HIGH = "_low95", "_high95"                       # suffixes of an interval's bounds

ANY_SUBJECT = Subjects.ANY_CONTENDER
ALL_SUBJECT = Subjects.ALL_PAPERS

# -- a sampled cell as observations ------------------------------------------------------------------------
def sample_cell_observations(tallies: dict[str, float], *, ids: list[str], names: dict[str, str],
                             segment: str, first: date, last: date, frame_size: int, reference: str,
                             query: str, method: str, collected_at: datetime | None,
                             note: str | None = None) -> list[dict]:
    """Observation rows of one sampled cell from its tallies (`mindshare.scan.rules.aggregate` keys)."""
    label = f"{first:%Y-%m}"
    sampled = int(tallies["papers_scanned"])

    def row(metric: str, value: float, unit: str, contender: str | None = None, subject: str | None = None,
            extra: str | None = None) -> dict:
        return observation(
            signal=SIGNAL, metric=metric, source=Sources.ARXIV_SAMPLE, method=method,
            contender=contender, subject=subject or names.get(contender or "", ALL_SUBJECT), value=value,
            unit=unit, period_start=first, period_end=last, period_label=label, segment=segment,
            reference=reference, query=query, note="; ".join(x for x in (extra, note) if x) or None,
            collected_at=collected_at, published=collected_at.date() if collected_at else None)

    # a paper naming any contender names exactly one, or several
    named_any = sum(tallies[f"papers_only:{cid}"] for cid in ids) + tallies["papers_several"]
    rows = [
        row(POPULATION, frame_size, "papers", extra="listed that month in the category (the sampling frame)"),
        row(PAPERS_SAMPLED, sampled, "papers", extra="sampled papers whose text was read"),
        row(PAPERS_SEVERAL, tallies["papers_several"], "papers", subject="two or more contenders"),
        row(PAPERS_ANY, named_any, "papers", subject=ANY_SUBJECT),
    ]
    if tallies["papers_failed"]:
        rows.append(row(PAPERS_FAILED, tallies["papers_failed"], "papers",
                        extra="sampled papers whose PDF could not be fetched or read; left out of every share"))
    for cid in ids:
        mentioning = int(tallies[f"papers_mentioning:{cid}"])
        rows.append(row(PAPERS_MENTIONING, mentioning, "papers", cid))
        rows.append(row(PAPERS_ONLY, tallies[f"papers_only:{cid}"], "papers", cid))
        if sampled:
            low, high = wilson_interval(mentioning, sampled)
            interval = f"Wilson 95% interval from n={sampled} sampled papers"
            rows.append(row(PCT_MENTIONING, 100 * mentioning / sampled, "%", cid, extra=interval))
            rows.append(row(PCT_MENTIONING + LOW, low, "%", cid, extra=interval))
            rows.append(row(PCT_MENTIONING + HIGH, high, "%", cid, extra=interval))
    return rows

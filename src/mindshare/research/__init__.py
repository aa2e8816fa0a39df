"""Research share today: how many papers mention each contender, measured three ways (docs/research.md).

- `sampling`: how big a sample a precision needs, and a reproducible draw of listing offsets (pure).
- `arxiv_listing`: arXiv's listing API for one category and month: the frame size and the entries at offsets.
- `sample_run`: the sampled arXiv scan: draw, fetch PDFs politely, scan with the existing engine, store.
- `tally`: a stored sample's cell as observations with Wilson intervals.

The full-text index counts are live sources like the others (`mindshare.sources.europepmc`, `.openalex`, with
their query helpers in `mindshare.sources.fulltext`); every method is put in one shape for the report by
`mindshare.analysis.research_shares`. The ids that find each method's rows are the house's
(`mindshare.observations.Sources` and `Methods`); the names below are kept for code written against them.
"""

from __future__ import annotations

from mindshare.observations import Methods, Sources


class ResearchSources:
    """`source` values of the research methods (mindshare.observations.Sources holds them)."""

    ARXIV_SAMPLE = Sources.ARXIV_SAMPLE
    EUROPE_PMC = Sources.EUROPE_PMC
    OPENALEX = Sources.OPENALEX


class ResearchMethods:
    """`method` values of the research methods (mindshare.observations.Methods holds them)."""

    ARXIV_SAMPLE = Methods.ARXIV_SAMPLE
    EUROPE_PMC = Methods.EUROPE_PMC
    OPENALEX = Methods.OPENALEX


def arxiv_sample_method(rules_method: str) -> str:
    """The sample's method string for the scanning rules it used (rules change, method changes)."""
    return Methods.ARXIV_SAMPLE.format(rules=rules_method)

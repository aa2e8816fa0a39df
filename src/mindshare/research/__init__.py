"""Research share today: how many papers mention each contender, measured three ways (docs/research.md).

- `sampling`: how big a sample a precision needs, and a reproducible draw of listing offsets (pure).
- `arxiv_listing`: arXiv's listing API for one category and month: the frame size and the entries at offsets.
- `sample_run`: the sampled arXiv scan: draw, fetch PDFs politely, scan with the existing engine, store.
- `tally`: a stored sample as observations with Wilson intervals, and every research method in one shape
  for the report (pure).

The full-text index counts are live sources like the others: `mindshare.sources.europepmc` and
`mindshare.sources.openalex`. The ids below are what the report reads to find each method's rows.
"""

from __future__ import annotations


class ResearchSources:
    """`source` values of the research methods this package adds (readers select by them)."""

    ARXIV_SAMPLE = "arXiv listing, sampled and scanned by mindshare"
    EUROPE_PMC = "Europe PMC (open-access full texts)"
    OPENALEX = "OpenAlex (works with full text)"


class ResearchMethods:
    """`method` values: a change of how a number is counted is a new method, and breaks a series."""

    ARXIV_SAMPLE = "mindshare arxiv-sample v1: simple random sample of a month's listing, PDF scanned (rules {rules})"
    EUROPE_PMC = "europepmc-body-v1: BODY full-text search, open-access articles with full text, by PUB_YEAR"
    OPENALEX = "openalex-fulltext-v1: search over works with full text, has_fulltext:true, by publication_year"


def arxiv_sample_method(rules_method: str) -> str:
    """The sample's method string for the scanning rules it used (rules change, method changes)."""
    return ResearchMethods.ARXIV_SAMPLE.format(rules=rules_method)

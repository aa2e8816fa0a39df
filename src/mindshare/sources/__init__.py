"""Live sources: one module per provider, each a `Source` (see `base.py`) registered in `SOURCES`.

`mindshare collect` runs them; a notebook can too::

    from mindshare.http import Http
    from mindshare.sources import SOURCES, Run
    with Http() as http:
        frame = SOURCES["wikipedia"].collect(Run(http, contenders, since, today))
"""

from __future__ import annotations

from mindshare.sources.arxiv import ArxivSource
from mindshare.sources.base import PARTIAL, Call, Run, Source
from mindshare.sources.github import GitHubSource
from mindshare.sources.huggingface import HuggingFaceSource
from mindshare.sources.pypistats import PypistatsSource
from mindshare.sources.stackexchange import StackExchangeSource
from mindshare.sources.wikipedia import WikipediaSource
from mindshare.sources.hn_hiring import HnHiringSource
from mindshare.sources.adzuna import AdzunaSource
from mindshare.sources.google_trends import GoogleTrendsSource
from mindshare.sources.pypi_bigquery import PypiBigQuerySource
from mindshare.sources.europepmc import EuropePmcSource
from mindshare.sources.openalex import OpenAlexSource

# In the order `mindshare collect` lists them.
SOURCES: dict[str, Source] = {s.name: s for s in (
    GitHubSource(), PypistatsSource(), StackExchangeSource(), HuggingFaceSource(), WikipediaSource(),
    ArxivSource(), HnHiringSource(), AdzunaSource(), GoogleTrendsSource(), PypiBigQuerySource(),
    EuropePmcSource(), OpenAlexSource(),
)}

__all__ = ["PARTIAL", "SOURCES", "Call", "Run", "Source"]

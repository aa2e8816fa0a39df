"""Live sources: one module per provider, each ONE `Source` class (see `base.py`) with its `Provider` (host,
limits, credential, retry rules: `mindshare.http.Provider`) as a class attribute, registered here explicitly.

`mindshare collect`, `trends collect` and `jobs collect` all run them through one path
(`mindshare.collection.run_collection`); a notebook can too::

    from mindshare.http import Http
    from mindshare.sources import SOURCES, Run
    with Http() as http:
        frame = SOURCES["wikipedia"].collect(Run(http, contenders, since, today))

File importers (surveys, hand-gathered job counts) are not live sources and live elsewhere.
"""

from __future__ import annotations

from mindshare.sources.adzuna import AdzunaSource
from mindshare.sources.arxiv import ArxivSource
from mindshare.sources.base import Call, Run, Source, SourceSkipped
from mindshare.sources.europepmc import EuropePmcSource
from mindshare.sources.github import GitHubSource
from mindshare.sources.google_trends import GoogleTrendsSource
from mindshare.sources.hn_hiring import HnHiringSource
from mindshare.sources.huggingface import HuggingFaceSource
from mindshare.sources.openalex import OpenAlexSource
from mindshare.sources.pypi_bigquery import PypiBigQuerySource
from mindshare.sources.pypistats import PypistatsSource
from mindshare.sources.stackexchange import StackExchangeSource
from mindshare.sources.wikipedia import WikipediaSource


def registry(*sources: Source) -> dict[str, Source]:
    """Sources by name, in the order given; a name given twice is a bug."""
    found: dict[str, Source] = {}
    for source in sources:
        if source.name in found:
            raise ValueError(f"two sources named {source.name!r}")
        found[source.name] = source
    return found


# In the order `mindshare collect` lists them.
SOURCES: dict[str, Source] = registry(
    GitHubSource(), PypistatsSource(), StackExchangeSource(), HuggingFaceSource(), WikipediaSource(),
    ArxivSource(), HnHiringSource(), AdzunaSource(), GoogleTrendsSource(), PypiBigQuerySource(),
    EuropePmcSource(), OpenAlexSource(),
)

__all__ = ["SOURCES", "Call", "Run", "Source", "SourceSkipped", "registry"]

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

from mindshare.catalogue import CATALOGUE, Catalogue
from mindshare.sources.adzuna import AdzunaSource
from mindshare.sources.arxiv import ArxivSource
from mindshare.sources.base import Call, Run, Source, SourceSkipped
from mindshare.sources.europepmc import EuropePmcSource
from mindshare.sources.github import GitHubSource
from mindshare.sources.google_trends import GoogleTrendsSource
from mindshare.sources.hn_hiring import HnHiringSource
from mindshare.sources.huggingface import HuggingFaceSource
from mindshare.sources.npm import NpmSource
from mindshare.sources.openalex import OpenAlexSource
from mindshare.sources.pypi_bigquery import PypiBigQuerySource
from mindshare.sources.pypistats import PypistatsSource
from mindshare.sources.stackexchange import StackExchangeSource
from mindshare.sources.wikipedia import WikipediaSource


def registry(*sources: Source, catalogue: Catalogue = CATALOGUE) -> dict[str, Source]:
    """Sources by name, in the order given. Refused (a bug, said at import): a name given twice, a metric that is
    not the catalogue's record, or not of the source's signal. (Two sources may count the same metric: Europe PMC
    and OpenAlex both count papers; the `source` column tells their rows apart.)"""
    found: dict[str, Source] = {}
    for source in sources:
        if source.name in found:
            raise ValueError(f"two sources named {source.name!r}")
        for metric in source.metrics:
            if catalogue.metric(metric.name) != metric:
                raise ValueError(f"source {source.name!r}: metric {metric.name!r} is not in the catalogue as declared")
            if metric.signal != source.signal:
                raise ValueError(f"source {source.name!r} ({source.signal}): metric {metric.name!r} is of signal "
                                 f"{metric.signal!r}")
        found[source.name] = source
    return found


# In the order `mindshare collect` lists them.
SOURCES: dict[str, Source] = registry(
    GitHubSource(), PypistatsSource(), StackExchangeSource(), HuggingFaceSource(), WikipediaSource(),
    ArxivSource(), HnHiringSource(), AdzunaSource(), GoogleTrendsSource(), PypiBigQuerySource(),
    EuropePmcSource(), OpenAlexSource(), NpmSource(),
)

__all__ = ["SOURCES", "Call", "Run", "Source", "SourceSkipped", "registry"]

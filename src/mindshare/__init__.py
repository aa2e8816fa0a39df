"""mindshare: which technologies are winning adoption, with provenance for every number.

For notebooks::

    import mindshare
    df = mindshare.observations(signal="downloads", contenders=["pytorch", "tensorflow"])
    mindshare.chart("research")          # an Altair chart; displays inline
    mindshare.report(out="my-report")    # the full report, as files
"""

from __future__ import annotations

__version__ = "0.1.0"

from mindshare.api import chart, contenders, observations, report, results, snapshots  # noqa: E402

__all__ = ["__version__", "chart", "contenders", "observations", "report", "results", "snapshots"]

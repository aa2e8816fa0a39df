"""mindshare: which technologies are winning adoption, with provenance for every number.

For notebooks::

    import mindshare
    df = mindshare.observations(signal="downloads", contenders=["pytorch", "tensorflow"])
    mindshare.chart("research")          # an Altair chart; displays inline
    mindshare.report(out="my-report")    # the full report, as files
"""

from __future__ import annotations

__version__ = "0.1.0"

import inspect  # noqa: E402
import types  # noqa: E402

from mindshare import api  # noqa: E402
from mindshare.api import chart, contenders, observations, results, snapshots  # noqa: E402


class _ReportPackage(types.ModuleType):
    """`mindshare.report` names both the subpackage that builds the report and the API's `report()`. Python binds
    a subpackage to its name in the parent once it is first imported (`mindshare.chart()` imports it), which
    replaced the function. So the subpackage itself is what `report` names, and calling it calls `api.report`:
    `mindshare.report(out=...)` works before and after any import of `mindshare.report.*`, in any order."""

    def __call__(self, *args, **kwargs):
        return api.report(*args, **kwargs)


import mindshare.report as report  # noqa: E402  (bound now, so the name never changes meaning later)

report.__class__ = _ReportPackage
report.__signature__ = inspect.signature(api.report)  # help and notebooks show report()'s arguments

__all__ = ["__version__", "chart", "contenders", "observations", "report", "results", "snapshots"]

"""mindshare: which technologies are winning adoption, with provenance for every number.

For notebooks::

    import mindshare
    df = mindshare.observations(signal="downloads", contenders=["pytorch", "tensorflow"])
    mindshare.chart("research")          # an Altair chart; displays inline
    mindshare.report(out="my-report")    # the full report, as files

The API (mindshare/api.py, with pandas and DuckDB behind it) is imported on first use of one of its names, so
that `import mindshare` and the command line start without it (`mindshare --version` imports neither).
"""

from __future__ import annotations

__version__ = "0.1.0"

import importlib  # noqa: E402
import types  # noqa: E402

# The API's functions that are found in mindshare.api when first asked for (see __getattr__); the other two,
# observations and report, are also modules of this package (see _CallsTheApi).
_API = ("chart", "contenders", "results", "snapshots")

__all__ = ["__version__", "chart", "contenders", "observations", "report", "results", "snapshots"]


def __getattr__(name: str):
    """`mindshare.chart` and the API's other names: imported from mindshare.api on first use (PEP 562)."""
    if name in _API or name == "api":
        api = importlib.import_module("mindshare.api")  # not `from mindshare import api`: that asks here again
        value = api if name == "api" else getattr(api, name)
        globals()[name] = value  # asked once: later uses find it here
        return value
    raise AttributeError(f"module 'mindshare' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, "api"})


class _CallsTheApi(types.ModuleType):
    """`mindshare.observations` and `mindshare.report` each name both a module of this package (the observation
    vocabulary, mindshare/observations.py; the subpackage that builds the report) and a function of the API.
    Python binds a module to its name here once it is first imported (`mindshare.chart()` imports the report
    subpackage), which replaced the function: `TypeError: 'module' object is not callable`. So each name is the
    module, and calling the module calls the API's function of that name: `mindshare.report(out=...)` and
    `mindshare.observations.COLUMNS` work before and after any import of either module, in any order (every such
    import runs this file first, so the module is made callable before anything else can bind it)."""

    def __call__(self, *args, **kwargs):
        return self._api_function()(*args, **kwargs)

    @property
    def __signature__(self):  # help() and notebooks show the function's arguments
        import inspect

        return inspect.signature(self._api_function())

    def _api_function(self):
        return getattr(importlib.import_module("mindshare.api"), self.__name__.rpartition(".")[2])


# Bound now (both are light: no pandas), so neither name changes meaning later.
import mindshare.observations as observations  # noqa: E402
import mindshare.report as report  # noqa: E402

observations.__class__ = _CallsTheApi
report.__class__ = _CallsTheApi

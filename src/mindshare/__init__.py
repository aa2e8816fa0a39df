"""mindshare: which technologies are winning adoption, with provenance for every number.

For notebooks::

    import mindshare
    df = mindshare.observations(signal="downloads", contenders=["pytorch", "tensorflow"])
    mindshare.chart("research")          # an Altair chart; displays inline
    mindshare.report(out="my-report")    # the full report, as files
    mindshare.collect(["wikipedia"])     # today's numbers from live sources, into the store

The API (mindshare/api.py, with pandas and DuckDB behind it) is imported on first use of one of its names, so
that `import mindshare` and the command line start without it (`mindshare --version` imports neither).
`mindshare.observations` and `mindshare.report` are modules that are also callable (see mindshare/_callable.py).
"""

from __future__ import annotations

import importlib

from mindshare._version import __version__

# The API's functions that are found in mindshare.api when first asked for (see __getattr__); the other two,
# observations and report, are modules of this package that call the API's function of their name.
_API = ("chart", "collect", "contenders", "results", "snapshots")
_CALLABLE_MODULES = ("observations", "report")

__all__ = ["__version__", "chart", "collect", "contenders", "observations", "report", "results", "snapshots"]


def __getattr__(name: str):
    """`mindshare.chart` and the API's other names: imported from mindshare.api on first use (PEP 562)."""
    if name in _API or name == "api":
        api = importlib.import_module("mindshare.api")  # not `from mindshare import api`: that asks here again
        value = api if name == "api" else getattr(api, name)
    elif name in _CALLABLE_MODULES:
        value = importlib.import_module(f"mindshare.{name}")    # the module, callable (mindshare/_callable.py)
    else:
        raise AttributeError(f"module 'mindshare' has no attribute {name!r}")
    globals()[name] = value  # asked once: later uses find it here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, "api"})

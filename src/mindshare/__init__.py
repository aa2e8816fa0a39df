"""mindshare: which technologies are winning adoption, with provenance for every number.

For notebooks::

    import mindshare
    df = mindshare.observations(signal="downloads", contenders=["pytorch", "tensorflow"])
    mindshare.chart("research")          # an Altair chart; displays inline
    mindshare.report(out="my-report")    # the full report, as files
    mindshare.collect(["wikipedia"])     # today's numbers from live sources, into the store
    mindshare.compare(["polars", "pandas"]).headline   # any technologies, compared offline

This package's face is the API's: its names are mindshare/api.py's (with pandas and DuckDB behind it), imported on
first use, so that `import mindshare` and the command line start without it (`mindshare --version` imports
neither). Nothing below imports this face: the version is mindshare/_version.py's.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import types
from typing import Any, Callable

from mindshare._version import __version__

# The API's functions that are found in mindshare.api when first asked for (see __getattr__); the other two,
# observations and report, are modules of this package that, called, call the API's function of their name.
_API = ("chart", "collect", "compare", "contenders", "results", "snapshots")
_CALLABLE_MODULES = ("observations", "report")

__all__ = ["__version__", "chart", "collect", "compare", "contenders", "observations", "report", "results",
           "snapshots"]


def _api() -> types.ModuleType:
    return importlib.import_module(f"{__name__}.api")  # not `from mindshare import api`: that asks here again


def __getattr__(name: str) -> Any:
    """`mindshare.chart` and the API's other names: imported from mindshare.api on first use (PEP 562)."""
    if name in _API or name == "api":
        value = _api() if name == "api" else getattr(_api(), name)
    elif name in _CALLABLE_MODULES:
        value = importlib.import_module(f"{__name__}.{name}")    # binds it here, callable (see _Package)
    else:
        raise AttributeError(f"module 'mindshare' has no attribute {name!r}")
    globals()[name] = value  # asked once: later uses find it here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, "api"})


class _CallsTheApi(types.ModuleType):
    """`mindshare.observations` and `mindshare.report` each name both a module of this package (the observation
    vocabulary; the subpackage that builds the report) and a function of the API. Called, the module calls the
    API's function of its name, so `mindshare.report(out=...)` and `mindshare.observations.COLUMNS` both work."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._api_function()(*args, **kwargs)

    @property
    def __signature__(self) -> inspect.Signature:  # help() and notebooks show the function's arguments
        return inspect.signature(self._api_function())

    def _api_function(self) -> Callable[..., Any]:
        return getattr(_api(), self.__name__.rpartition(".")[2])


class _Package(types.ModuleType):
    """This package. Python binds a submodule to its name here once anything first imports it, which used to
    replace the API's function of that name (`TypeError: 'module' object is not callable`); so binding either of
    the two makes it callable, whoever imported it and in whatever order."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _CALLABLE_MODULES and type(value) is types.ModuleType:
            value.__class__ = _CallsTheApi
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

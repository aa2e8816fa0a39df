"""Modules that are also the API's functions of the same name: `mindshare.observations` (the observation
vocabulary) and `mindshare.report` (the subpackage that builds the report).

Python binds a submodule to its name on the package once it is first imported, which replaced the function of
that name (`TypeError: 'module' object is not callable`). So each of the two modules marks itself callable as the
first thing it does (`callable_module(__name__)`): calling it calls the API's function of its name, and
`mindshare.report(out=...)` and `mindshare.observations.COLUMNS` both work before and after any import of either,
in any order. The API is found by name when first called, so nothing here imports a floor above.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import types
from typing import Any, Callable


class CallsTheApi(types.ModuleType):
    """A module that, called, calls `mindshare.api.<its own name>`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._api_function()(*args, **kwargs)

    @property
    def __signature__(self) -> inspect.Signature:  # help() and notebooks show the function's arguments
        return inspect.signature(self._api_function())

    def _api_function(self) -> Callable[..., Any]:
        return getattr(importlib.import_module("mindshare.api"), self.__name__.rpartition(".")[2])


def callable_module(name: str) -> None:
    """Make the module `name` (already in sys.modules: the one being imported) callable as its API function."""
    sys.modules[name].__class__ = CallsTheApi

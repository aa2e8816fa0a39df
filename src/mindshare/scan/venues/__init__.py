"""Moved: the venue fetchers live beside the other sources, in `mindshare.sources.venues`.

This name stays only until every caller imports the new one; each module of the old package is the new one
(the same module object, so a test that patches one patches the other). Loaded by name, not imported: the
scanner itself depends on no source.
"""

from __future__ import annotations

import importlib
import sys

_NEW = "mindshare.sources.venues"
_package = importlib.import_module(_NEW)
for _name in ("acl", "arxiv", "base", "cvf", "neurips", "openreview", "pmlr"):
    sys.modules[f"{__name__}.{_name}"] = importlib.import_module(f"{_NEW}.{_name}")
sys.modules[__name__] = _package

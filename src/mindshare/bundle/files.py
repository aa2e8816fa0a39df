"""Where the bundled dataset's files are and how its two TOML files read: shared by the light package face
(mindshare.bundle: is the store's bundle current?) and the row builders (mindshare.bundle.rows)."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from mindshare.observations import Sources

BUNDLE_SOURCE = Sources.BUNDLE


def bundle_folder() -> Path:
    return Path(str(resources.files("mindshare") / "data" / "bundle"))


def manifest() -> dict:
    return tomllib.loads((bundle_folder() / "MANIFEST.toml").read_text(encoding="utf-8"))


def second_hand() -> dict[str, str]:
    """facts.csv `source` -> the words that start its reference: how the figure is known second-hand."""
    return tomllib.loads((bundle_folder() / "second_hand.toml").read_text(encoding="utf-8"))["sources"]

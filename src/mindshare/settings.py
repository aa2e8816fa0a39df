"""Where mindshare keeps things, and every environment variable it reads: here, and nowhere else.

`load()` reads the environment once into a frozen `Settings`; the CLI builds one per command and passes it on,
the Python API one per call. Credentials are read through `Settings.credential(name)` and are never stored in
the settings object's repr, so printing it cannot leak a token.

| variable | what it sets | default |
|---|---|---|
| MINDSHARE_DB | the store (a DuckDB file) | mindshare.duckdb in the user data folder |
| MINDSHARE_CACHE | the cache root (HTTP responses, rendered charts, the JS bundle) | the user cache folder |
| MINDSHARE_LOCK_WAIT | seconds to wait for a store another process holds | 3 |
| MINDSHARE_CONTACT | an e-mail or URL for the User-Agent (Wikimedia and arXiv ask for one) | none |
| BIGQUERY_PROJECT | the Google Cloud project `collect pypi_bigquery` bills | none (the source is skipped) |
| MINDSHARE_BIGQUERY_MAX_GB | the most one BigQuery run may scan, in GB | 300 |
| MINDSHARE_ADZUNA_COUNTRIES | Adzuna countries for `collect adzuna`, comma-separated | gb,us |
| GITHUB_TOKEN, STACKEXCHANGE_KEY, HF_TOKEN, ADZUNA_APP_ID, ADZUNA_APP_KEY, OPENREVIEW_USERNAME, OPENREVIEW_PASSWORD, BIGQUERY_TOKEN | credentials, read only by the HTTP layer | none |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

import platformdirs

from mindshare.errors import MindshareError

APP = "mindshare"
ENV_DB = "MINDSHARE_DB"
ENV_CACHE = "MINDSHARE_CACHE"
ENV_LOCK_WAIT = "MINDSHARE_LOCK_WAIT"
ENV_CONTACT = "MINDSHARE_CONTACT"
ENV_BIGQUERY_PROJECT = "BIGQUERY_PROJECT"
ENV_BIGQUERY_MAX_GB = "MINDSHARE_BIGQUERY_MAX_GB"
ENV_ADZUNA_COUNTRIES = "MINDSHARE_ADZUNA_COUNTRIES"
DEFAULT_LOCK_WAIT = 3.0
STORE_FILE = "mindshare.duckdb"


class SettingsError(MindshareError):
    """An environment variable mindshare reads has a value it cannot use."""

    exit_code = 2


@dataclass(frozen=True)
class Settings:
    store_path: Path
    cache_root: Path
    config_dir: Path
    lock_wait_seconds: float = DEFAULT_LOCK_WAIT
    contact: str = ""
    env: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    bigquery_project: str = ""
    bigquery_max_gb: float = 300.0
    adzuna_countries: tuple[str, ...] = ("gb", "us")

    # -- folders under the cache root ------------------------------------------------------------------------
    @property
    def http_cache_dir(self) -> Path:
        return self.cache_root / "http"

    @property
    def report_cache_dir(self) -> Path:
        return self.cache_root / "report"

    @property
    def fields_dir(self) -> Path:
        """Where a user's own field files go (`mindshare fields` lists it first)."""
        return self.config_dir / "fields"

    def credential(self, name: str) -> str | None:
        """A credential from the environment, stripped; None when unset or blank."""
        value = (self.env.get(name) or "").strip()
        return value or None

    def with_store(self, path: str | Path | None) -> "Settings":
        """The same settings with another store (`--db PATH`)."""
        if path is None:
            return self
        return replace(self, store_path=Path(path).expanduser())

    def with_cache(self, path: str | Path | None) -> "Settings":
        """The same settings with another cache root (`--cache-dir PATH`)."""
        if path is None:
            return self
        return replace(self, cache_root=Path(path).expanduser())


def load(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment (default `os.environ`), each variable read here once."""
    env = os.environ if env is None else env
    store = env.get(ENV_DB, "").strip()
    cache = env.get(ENV_CACHE, "").strip()
    return Settings(
        store_path=Path(store).expanduser() if store else Path(platformdirs.user_data_dir(APP)) / STORE_FILE,
        cache_root=Path(cache).expanduser() if cache else Path(platformdirs.user_cache_dir(APP)),
        config_dir=Path(platformdirs.user_config_dir(APP)),
        lock_wait_seconds=_seconds(env, ENV_LOCK_WAIT, DEFAULT_LOCK_WAIT),
        contact=env.get(ENV_CONTACT, "").strip(),
        env=env,
        bigquery_project=env.get(ENV_BIGQUERY_PROJECT, "").strip(),
        bigquery_max_gb=_number(env, ENV_BIGQUERY_MAX_GB, 300.0, "GB"),
        adzuna_countries=tuple(c.strip().lower() for c in env.get(ENV_ADZUNA_COUNTRIES, "").split(",")
                               if c.strip()) or ("gb", "us"),
    )


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    return _number(env, name, default, "seconds")


def _number(env: Mapping[str, str], name: str, default: float, unit: str) -> float:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        number = float(text)
    except ValueError:
        raise SettingsError(f"{name}={text!r} is not a number of {unit}") from None
    if not (0 <= number < float("inf")):
        raise SettingsError(f"{name}={text!r} must be zero or more {unit}")
    return number

"""Where mindshare keeps things, and every environment variable it reads: here, and nowhere else.

`read()` reads the environment into a frozen `Settings`. The CLI builds one per command (the environment, then
`--db` and `--cache-dir`) and hands it to each verb in its application object; the Python API builds one per
call. Either makes it the *active* settings for as long as the command or call runs (`using(settings)`), so code
deep below that asks `load()` for a folder gets the same one Settings, not a second reading of the environment
(that is how `--cache-dir` reaches the HTTP and report caches). Outside a command or call, `load()` is `read()`.
Credentials are read through `Settings.credential(name)` and are never stored in the settings object's repr, so
printing it cannot leak a token.

| variable | what it sets | default |
|---|---|---|
| MINDSHARE_DB | the store (a DuckDB file) | mindshare.duckdb in the user data folder |
| MINDSHARE_CACHE | the cache root (HTTP responses, rendered charts, the JS bundle, temporary files) | the user cache folder |
| MINDSHARE_LOCK_WAIT | seconds to wait for a store another process holds | 3 |
| MINDSHARE_CONTACT | an e-mail or URL for the User-Agent (Wikimedia and arXiv ask for one) | none |
| BIGQUERY_PROJECT | the Google Cloud project `collect pypi_bigquery` bills | none (the source is skipped) |
| MINDSHARE_BIGQUERY_MAX_GB | the most one BigQuery run may scan, in GB | 300 |
| MINDSHARE_ADZUNA_COUNTRIES | Adzuna countries for `collect adzuna`, comma-separated | gb,us |
| GITHUB_TOKEN, STACKEXCHANGE_KEY, HF_TOKEN, ADZUNA_APP_ID, ADZUNA_APP_KEY, OPENREVIEW_USERNAME, OPENREVIEW_PASSWORD, BIGQUERY_TOKEN, OPENALEX_API_KEY | credentials, read only by the HTTP layer | none |
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator, Mapping

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

# What each variable sets, for `mindshare --help` and docs/cli.md (the credentials are the HTTP layer's).
VARIABLES: dict[str, str] = {
    ENV_DB: "the store (a DuckDB file); default: mindshare.duckdb in your user data folder",
    ENV_CACHE: "the cache folder (HTTP responses, rendered charts); default: your user cache folder",
    ENV_LOCK_WAIT: f"seconds to wait for a store another process holds; default: {DEFAULT_LOCK_WAIT:g}",
    ENV_CONTACT: "an e-mail or URL sent in the User-Agent (Wikimedia and arXiv ask for one)",
    ENV_BIGQUERY_PROJECT: "the Google Cloud project `collect pypi_bigquery` bills; unset: that source is skipped",
    ENV_BIGQUERY_MAX_GB: "the most one BigQuery run may scan, in GB; default: 300",
    ENV_ADZUNA_COUNTRIES: "Adzuna countries for `collect adzuna`, comma-separated; default: gb,us",
}


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
    def temporary_dir(self) -> Path:
        """mindshare's temporary files: one folder per process under it, swept when the process is gone
        (mindshare.tempfiles)."""
        return self.cache_root / "tmp"

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


_ACTIVE: ContextVar[Settings | None] = ContextVar("mindshare_settings", default=None)


@contextmanager
def using(active: Settings) -> Iterator[Settings]:
    """Make `active` the settings `load()` returns while the block runs (one CLI command, one API call)."""
    token = _ACTIVE.set(active)
    try:
        yield active
    finally:
        _ACTIVE.reset(token)


@contextmanager
def exported(name: str, value: str) -> Iterator[None]:
    """`name` set to `value` in this process's environment (so the programs it starts see it too) while the block
    runs; its earlier value, or its absence, afterwards. (mindshare.tempfiles sets TMPDIR so.)"""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def load(env: Mapping[str, str] | None = None) -> Settings:
    """The settings of the command or API call in progress (see `using`); outside one, `read(env)`.

    Given `env`, always `read(env)`: a caller that names its environment (a test) gets exactly that.
    """
    if env is None:
        active = _ACTIVE.get()
        if active is not None:
            return active
    return read(env)


def read(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment (default `os.environ`), each variable read here once."""
    env = os.environ if env is None else env
    store = env.get(ENV_DB, "").strip()
    cache = env.get(ENV_CACHE, "").strip()
    return Settings(
        store_path=Path(store).expanduser() if store else default_store_path(),
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


def default_store_path() -> Path:
    """The store when neither MINDSHARE_DB nor --db names one: mindshare.duckdb in the user data folder."""
    return Path(platformdirs.user_data_dir(APP)) / STORE_FILE


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

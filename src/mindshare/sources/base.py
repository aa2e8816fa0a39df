"""What every live source shares: one result shape and one way to run.

A source turns a provider's responses into *observations* (the columns of `mindshare.observations`), each
with its provenance: `reference` (the URL asked, secrets removed), `query` (what was asked, in words),
`collected_at` (when the response was fetched, from the HTTP layer; a cached replay keeps the original time)
and `method` (the source's method version: change it when the way a number is computed changes).

A source is ONE small class, with its `provider` (a `mindshare.http.Provider`: host, limits, credential,
retry rules) as a class attribute, and

- `plan(contenders, since, today, settings)`: the first requests it will make (what `--dry-run` prints;
  pagination may add more), and
- `metrics`: the catalogue's records of what it produces (the registry checks them), and
- `collect(run)`: the observations, as a DataFrame, built with `Source.observation`. It raises
  `SourceError` for anything it cannot read, so a source either yields a complete result or nothing (no
  partial snapshot), and `SourceSkipped` when it cannot run as configured (a missing key).

Current periods are flagged, never dropped (see `mindshare.observations.partial_note`).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence, TypeVar

import pandas as pd

from mindshare.catalogue import Metric
from mindshare.errors import SourceError
from mindshare.fields import Contender
from mindshare.http import Http, Provider, build_url, redact_url
from mindshare.observations import observation
from mindshare.settings import Settings

T = TypeVar("T")
R = TypeVar("R")


class SourceSkipped(Exception):
    """The source cannot run as configured (a credential or setting is missing); the message says what to set.
    Not a failure of the provider: `mindshare collect` reports it as skipped and stores nothing for it."""


@dataclass(frozen=True)
class Call:
    """One planned request."""

    provider: Provider
    url: str
    params: Mapping[str, Any] = field(default_factory=dict)
    purpose: str = ""
    verb: str = "GET"

    @property
    def full_url(self) -> str:
        return redact_url(build_url(self.url, self.params))


@dataclass
class Run:
    """What a source needs while collecting: the shared client, the contenders, the time window, progress."""

    http: Http
    contenders: list[Contender]
    since: date
    today: date
    advance: Callable[[float], None] = lambda n: None
    set_total: Callable[[float], None] = lambda n: None
    notes: list[str] = field(default_factory=list)   # what was skipped and why, for the summary table
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def settings(self) -> Settings:
        return self.http.settings

    def skip(self, why: str) -> None:
        with self._lock:
            self.notes.append(why)

    def map(self, provider: Provider, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """`fn` over `items`, as many at once as the provider allows; the first error stops the rest."""
        workers = max(1, min(len(items), self.http.limiter(provider).limit.concurrency))
        if workers == 1:
            return [fn(item) for item in items]
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"ms-{provider.name}") as pool:
            futures = [pool.submit(fn, item) for item in items]
            try:
                return [f.result() for f in futures]
            except BaseException:
                for f in futures:  # fail fast: what has not started will not
                    f.cancel()
                raise


class Source:
    """Base class: subclasses set the class attributes and implement `plan` and `collect`."""

    name: str = ""            # command-line name and snapshot source: 'github'
    title: str = ""           # what the summary table calls it
    provider: Provider        # host, limits, credential and retry rules (mindshare.http.Provider)
    signal: str = ""          # store signal: github, downloads, qa, models, search, research, jobs
    source: str = ""          # observation `source` column: who served the number
    method: str = ""          # method version, part of every observation
    identifier: str = ""      # Contender attribute naming it at this provider ('' = every contender)
    metrics: tuple[Metric, ...] = ()   # what it produces: the catalogue's records (mindshare.catalogue)
    measures: str = ""        # one line for `mindshare collect --help` and docs

    def eligible(self, contenders: Iterable[Contender]) -> list[Contender]:
        if not self.identifier:
            return list(contenders)
        return [c for c in contenders if getattr(c, self.identifier)]

    def plan(self, contenders: list[Contender], since: date, today: date, settings: Settings) -> list[Call]:
        raise NotImplementedError

    def collect(self, run: Run) -> pd.DataFrame:
        raise NotImplementedError

    def window(self, since: date) -> str:
        """The window collected, in words, for a snapshot's description."""
        return f"since {since:%Y-%m-%d}"

    # -- helpers for subclasses ------------------------------------------------------------------------------
    def observation(self, *, contender: Contender | None, subject: str, metric: str, value: float | None,
                    period_start: date, period_end: date, period_label: str, unit: str, reference: str,
                    query: str, collected_at: datetime | None, segment: str = "all", note: str | None = None,
                    value_text: str | None = None, method: str | None = None) -> dict:
        """One row of this source, through the one row builder (mindshare.observations.observation).
        `collected_at` is when its response was fetched (`Http.fetched_at`); `method` overrides the
        class's method version where a run's parameters are part of it (Google Trends' anchor)."""
        return observation(
            signal=self.signal, metric=metric, source=self.source, method=method or self.method,
            contender=contender.id if contender else None, subject=subject, value=value, value_text=value_text,
            period_start=period_start, period_end=period_end, period_label=period_label, unit=unit,
            segment=segment, reference=redact_url(reference), query=query, note=note, collected_at=collected_at,
            published=collected_at.date() if collected_at else None)

    def schema_error(self, what: str, url: str) -> SourceError:
        return SourceError(f"{self.name}: the response from GET {redact_url(url)} has no {what} "
                           f"(the provider's format may have changed); mindshare {self.method} cannot read it")


def require(data: Any, key: str, source: Source, url: str, kind: type | tuple[type, ...] = object) -> Any:
    """data[key], or a clear schema-drift error naming the field and the URL."""
    if not isinstance(data, Mapping) or key not in data or data[key] is None or not isinstance(data[key], kind):
        raise source.schema_error(f"{key!r}" + ("" if kind is object else f" ({_kind_name(kind)})"), url)
    return data[key]


def iter_chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)

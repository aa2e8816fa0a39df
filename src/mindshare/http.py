"""The one HTTP layer every source uses: politeness, caching, retries and clear errors, written once.

A source never builds its own client. It asks an `Http` for JSON or text, naming its `Provider` (a class
attribute of the source, see `mindshare.sources`)::

    from mindshare.http import Http
    from mindshare.sources.github import GitHubSource

    with Http() as http:                                    # one per run, shared by every source's thread
        data = http.get_json(GitHubSource.provider, "https://api.github.com/repos/pytorch/pytorch")

This module names no provider. What differs between providers is data on the `Provider` and small strategy
objects it carries (the shape of dlt-hub/dlt's paginators and retry strategies):

- `limit` / `limit_with_credentials`: how hard its host may be asked;
- `credential`: how a request is signed (`BearerToken`, `QueryParams`, or a login of the provider's own),
  from environment variables read through `mindshare.settings`;
- `retry_rules`: which answers are worth asking again and how long the provider asked us to wait
  (`RETRY_AFTER` and `TRANSIENT_STATUS` for everyone; a source adds its provider's own, e.g. a rate-limit
  header or a throttle message in the body);
- `pause_rules`: a successful answer that asks for a pause before the next request;
- `refuses_credentials`: how the provider says a credential was wrong;
- `backoff`: the exponential backoff between attempts.

What a call does, from the top of the stack to the wire:

1. **Retries** (stamina): the provider's retry rules decide; a wait the provider asked for is sat out by
   every thread asking that host, on top of stamina's jittered backoff. A wait longer than `max_retry_wait`
   is not sat out: it fails at once and says when to come back. A refused connection or an unknown host is
   not retried, so with no network every source fails fast. A successful answer that a rule retries (an
   empty answer a provider gives under load) is removed from the cache before asking again.
2. **Cache** (hishel, SQLite under the cache root's `http` folder, `mindshare.settings`): successful GETs are
   kept for `cache_ttl` (12 h). A re-run within that time (an interrupted `mindshare collect`, say) replays
   them without touching the provider or its rate limit. The cache sees requests *before* they are signed,
   so tokens and keys are never part of a cache key or a stored request.
3. **Per-host rate limiter**: a token bucket plus a cap on concurrent requests; it also honours pauses.
4. **Signing** at the last moment, below the cache; credentials are never logged, cached, stored or put in
   an error message (`--verbose` shows the URL asked with their values masked).
5. The network transport (`httpx.HTTPTransport`), or whatever `transport=` was given: tests pass an
   `httpx.MockTransport` (or use respx), the benchmark a transport that points at its local server.

Failures are raised as `SourceError` with one line: provider, what failed, the URL without secrets, the status
and what to do. Every request made is recorded in `Http.requests` (provider, URL, status, seconds, from
cache) and handed to `on_request` if given (`--verbose` prints it).

In tests: `stamina.set_testing(True, attempts=3)` removes stamina's waits; pass `sleep=` and `clock=` to make
the limiter's waits instant and observable, and `cache=False` (or a `cache_dir` in tmp_path).
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Callable, Mapping, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import stamina

from mindshare import settings as settings_module
from mindshare.errors import SourceError
from mindshare.settings import Settings

log = logging.getLogger("mindshare.http")

# Query parameters and headers that may carry a secret: removed from what is stored, masked in what is shown.
SECRET_PARAMS = frozenset({"key", "access_token", "token", "api_key", "apikey", "app_key", "app_id",
                           "client_secret", "client_id", "password"})
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})
FETCHED_AT_HEADER = "x-mindshare-fetched-at"  # stamped on each network response, so cached replays keep it
PROVIDER_EXTENSION = "mindshare_provider"
MASK = "***"


# -- what differs between providers: data and small strategies ----------------------------------------------
@dataclass(frozen=True)
class Limit:
    """How hard one host may be asked: `per_second` sustained, `burst` at once, `concurrency` in flight."""

    per_second: float
    burst: int = 1
    concurrency: int = 1


@dataclass(frozen=True)
class Retry:
    """A retry rule's verdict: ask again, after `wait` seconds if the provider said how long (else backoff)."""

    wait: float | None = None
    reason: str = ""           # what was wrong, for the error line if every attempt gets it


class RetryRule(Protocol):
    def __call__(self, response: httpx.Response) -> Retry | None: ...


def retry_after_header(response: httpx.Response) -> Retry | None:
    """`Retry-After` on a 403, 429 or 503 (seconds or an HTTP date)."""
    value = response.headers.get("retry-after")
    if value and response.status_code in (403, 429, 503):
        return Retry(parse_retry_after(value), f"HTTP {response.status_code}")
    return None


def transient_status(response: httpx.Response) -> Retry | None:
    """429 and 5xx: worth asking again after a backoff."""
    if response.status_code in (429, 500, 502, 503, 504):
        return Retry(None, f"HTTP {response.status_code}")
    return None


RETRY_AFTER: RetryRule = retry_after_header
TRANSIENT_STATUS: RetryRule = transient_status
DEFAULT_RETRY_RULES: tuple[RetryRule, ...] = (RETRY_AFTER, TRANSIENT_STATUS)


@dataclass(frozen=True)
class Backoff:
    """stamina's exponential backoff between attempts (seconds)."""

    initial: float = 0.5
    max: float = 30.0
    jitter: float = 1.0


class CredentialSession:
    """What a credential may keep and do during one `Http`'s life: `state` (a login token, say) and `send`,
    which sends a request straight to the wire (unsigned, uncached, rate-limited, recorded)."""

    def __init__(self, send: Callable[[httpx.Request], httpx.Response]):
        self.send = send
        self.state: dict[str, Any] = {}
        self.lock = threading.Lock()


class Credential(Protocol):
    names: tuple[str, ...]     # the environment variables it needs, all of them

    def sign(self, request: httpx.Request, secrets: Mapping[str, str],
             session: CredentialSession) -> httpx.Request: ...


@dataclass(frozen=True)
class BearerToken:
    """`Authorization: Bearer <token>` from one environment variable."""

    name: str

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def sign(self, request: httpx.Request, secrets: Mapping[str, str], session: CredentialSession) -> httpx.Request:
        headers = httpx.Headers(request.headers)
        headers["authorization"] = f"Bearer {secrets[self.name]}"
        return _copy(request, headers=headers)


@dataclass(frozen=True)
class QueryParams:
    """Secrets sent as query parameters: {parameter: environment variable}."""

    params: tuple[tuple[str, str], ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for _, name in self.params)

    def sign(self, request: httpx.Request, secrets: Mapping[str, str], session: CredentialSession) -> httpx.Request:
        return _copy(request, url=request.url.copy_merge_params({p: secrets[n] for p, n in self.params}))


def _copy(request: httpx.Request, *, url: httpx.URL | None = None, headers: httpx.Headers | None = None) -> httpx.Request:
    return httpx.Request(request.method, url or request.url, headers=headers or request.headers,
                         stream=request.stream, extensions=request.extensions)


def refused_with_status(response: httpx.Response) -> bool:
    return response.status_code in (401, 403)


@dataclass(frozen=True)
class Provider:
    """One provider: its host, limits, credential, and the rules it answers by."""

    name: str
    title: str
    host: str
    limit: Limit                               # without credentials
    limit_with_credentials: Limit | None = None
    credential: Credential | None = None
    retry_rules: tuple[RetryRule, ...] = DEFAULT_RETRY_RULES
    pause_rules: tuple[Callable[[httpx.Response], float | None], ...] = ()
    refuses_credentials: Callable[[httpx.Response], bool] = refused_with_status
    backoff: Backoff = field(default_factory=Backoff)
    limits_doc: str = ""
    hint: str = ""                             # what to do when it fails

    def limit_for(self, has_credentials: bool) -> Limit:
        if has_credentials and self.limit_with_credentials:
            return self.limit_with_credentials
        return self.limit

    def retry_for(self, response: httpx.Response) -> Retry | None:
        for rule in self.retry_rules:
            verdict = rule(response)
            if verdict is not None:
                return verdict
        return None

    def pause_after(self, response: httpx.Response) -> float | None:
        waits = [w for w in (rule(response) for rule in self.pause_rules) if w is not None]
        return max(waits) if waits else None

    @property
    def credential_names(self) -> str:
        return " and ".join(self.credential.names) if self.credential else ""


# -- URLs ---------------------------------------------------------------------------------------------------
def user_agent(contact: str = "") -> str:
    from mindshare._version import __version__

    contact = f"; {contact}" if contact else ""
    return f"mindshare/{__version__} (+https://pypi.org/project/mindshare/{contact}) httpx/{httpx.__version__}"


def redact_url(url: str | httpx.URL) -> str:
    """The URL with secret query parameters removed (not masked: what is stored need not know they exist)."""
    parts = urlsplit(str(url))
    if not parts.query:
        return str(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in SECRET_PARAMS]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def mask_url(url: str | httpx.URL) -> str:
    """The URL with the values of secret query parameters masked, for `--verbose`: it shows a key was sent."""
    parts = urlsplit(str(url))
    if not parts.query:
        return str(url)
    pairs = [(k, MASK if k.lower() in SECRET_PARAMS else v)
             for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(pairs, safe="*")))


def build_url(url: str, params: Mapping[str, Any] | None = None) -> str:
    """The full URL of a GET, as `--dry-run` prints it and as the cache keys it. A query already in `url` is
    kept (httpx.URL(url, params={}) would drop it)."""
    wanted = {k: v for k, v in (params or {}).items() if v is not None}
    return str(httpx.URL(url).copy_merge_params(wanted) if wanted else httpx.URL(url))


def cache_key(verb: str, url: str) -> str:
    """The key a response is cached under (set explicitly, so that `Http.forget` can find it)."""
    return hashlib.sha256(f"{verb} {url}".encode()).hexdigest()


# -- rate limiting -----------------------------------------------------------------------------------------
class HostLimiter:
    """Token bucket plus a concurrency cap for one host; thread-safe. `pause_until` blocks every caller."""

    def __init__(self, limit: Limit, clock: Callable[[], float], sleep: Callable[[float], None]):
        self.limit = limit
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max(1, limit.concurrency))
        self._tokens = float(limit.burst)
        self._updated = clock()
        self._not_before = 0.0
        self.waited = 0.0  # seconds spent waiting for this host, for the benchmark and tests

    def pause_until(self, moment: float) -> None:
        with self._lock:
            self._not_before = max(self._not_before, moment)

    def pause_for(self, seconds: float) -> None:
        self.pause_until(self.clock() + max(0.0, seconds))

    def acquire(self) -> None:
        self._slots.acquire()
        try:
            while True:
                with self._lock:
                    now = self.clock()
                    self._tokens = min(float(self.limit.burst),
                                       self._tokens + (now - self._updated) * self.limit.per_second)
                    self._updated = now
                    wait = self._not_before - now
                    if wait <= 0:
                        # A token refilled to 0.9999999999999999 is a whole token: waiting for the last
                        # 1e-16 would not move a clock whose value is large (the sum rounds back to it).
                        if self._tokens >= 1 - 1e-9:
                            self._tokens = max(0.0, self._tokens - 1)
                            return
                        wait = (1 - self._tokens) / self.limit.per_second
                self.waited += wait
                self.sleep(wait)
        except BaseException:
            self._slots.release()
            raise

    def release(self) -> None:
        self._slots.release()


# -- transports --------------------------------------------------------------------------------------------
@dataclass
class RequestRecord:
    provider: str
    url: str          # as sent, secret values masked
    status: int | None
    seconds: float
    started: float
    from_cache: bool = False
    verb: str = "GET"
    signed_with: str = ""   # the credential's variables, when the request was signed

    def line(self) -> str:
        """How `--verbose` shows it: `GET <url> -> 200 (0.21 s)`."""
        where = "cached" if self.from_cache else f"{self.seconds:.2f} s"
        signed = f", {self.signed_with}" if self.signed_with else ""
        return f"{self.verb} {self.url} -> {self.status if self.status is not None else 'no answer'} ({where}{signed})"


class _ProviderTransport(httpx.BaseTransport):
    """Below the cache: waits for the host's limiter, signs, stamps the fetch time, records."""

    def __init__(self, http: "Http", inner: httpx.BaseTransport):
        self.http = http
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        provider: Provider | None = request.extensions.get(PROVIDER_EXTENSION)
        signed, signed_with = request, ""
        if provider is not None and self.http.has_credentials(provider):
            signed = provider.credential.sign(request, self.http.secrets(provider), self.http.session_of(provider))
            signed_with = provider.credential_names if signed is not request else ""
        return self.send(provider, signed, signed_with)

    def send(self, provider: Provider | None, request: httpx.Request, signed_with: str = "") -> httpx.Response:
        """One request to the wire: limiter, time stamp, record. (A credential's own login comes this way.)"""
        limiter = self.http.limiter(provider) if provider else None
        if limiter:
            limiter.acquire()
        started = self.http.clock()
        status = None
        try:
            response = self.inner.handle_request(request)
            status = response.status_code
        finally:
            if limiter:
                limiter.release()
            self.http._record(RequestRecord(provider.name if provider else "", mask_url(request.url), status,
                                            self.http.clock() - started, started, verb=request.method,
                                            signed_with=signed_with))
        response.headers[FETCHED_AT_HEADER] = datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
        return response

    def close(self) -> None:
        self.inner.close()


# -- the client ----------------------------------------------------------------------------------------------
class _Retry(Exception):
    """A response worth retrying; `wait` is the provider's own instruction, if it gave one."""

    def __init__(self, response: httpx.Response | None, wait: float | None, reason: str):
        super().__init__(reason)
        self.response = response
        self.wait = wait
        self.reason = reason


def default_cache_dir(settings: Settings | None = None) -> Path:
    """`http` in mindshare's cache root (`MINDSHARE_CACHE`, else the user cache folder; see mindshare.settings)."""
    return (settings or settings_module.load()).http_cache_dir


class Http:
    """A polite, cached, retrying HTTP client shared by every source in a run. Thread-safe.

    `transport`: the innermost transport (tests: `httpx.MockTransport`; default: the network).
    `cache`: False for none; else responses are kept in `cache_dir` for `cache_ttl` seconds.
    `settings`: where credentials, the contact address and the cache folder come from (default
    `mindshare.settings.load(env)`; `env` is a shortcut for tests).
    `limits`: per-provider `Limit` overrides by provider name (the benchmark scales them; tests make them instant).
    `on_request`: called with each `RequestRecord` as it is made (`--verbose`).
    """

    def __init__(self, *, transport: httpx.BaseTransport | None = None, cache: bool = True,
                 cache_dir: str | Path | None = None, cache_ttl: float = 12 * 3600,
                 settings: Settings | None = None, env: Mapping[str, str] | None = None, timeout: float = 20.0,
                 attempts: int = 4, max_retry_wait: float = 90.0, limits: Mapping[str, Limit] | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 on_request: Callable[[RequestRecord], None] | None = None):
        self.settings = settings or settings_module.load(env)
        self.attempts = attempts
        self.max_retry_wait = max_retry_wait
        self.clock = clock
        self.sleep = sleep
        self.on_request = on_request
        self.requests: list[RequestRecord] = []
        self._limit_overrides = dict(limits or {})
        self._limiters: dict[str, HostLimiter] = {}
        self._sessions: dict[str, CredentialSession] = {}
        self._lock = threading.Lock()
        self._wire = _ProviderTransport(self, transport or httpx.HTTPTransport(retries=0))
        inner: httpx.BaseTransport = self._wire
        self.cache_path: Path | None = None
        self._storage = None
        if cache:
            from hishel import SqliteStorage
            from hishel.httpx import CacheTransport

            folder = Path(cache_dir) if cache_dir else default_cache_dir(self.settings)
            try:
                folder.mkdir(parents=True, exist_ok=True)
                self.cache_path = folder / "responses.sqlite"
                self._storage = SqliteStorage(database_path=self.cache_path, default_ttl=cache_ttl)
                inner = CacheTransport(next_transport=inner, storage=self._storage)
            except OSError as exc:  # an unwritable cache folder costs speed, not the run
                log.warning("HTTP cache disabled: %s", exc)
                self.cache_path = None
        self.client = httpx.Client(
            transport=inner,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"user-agent": user_agent(self.settings.contact), "accept-encoding": "gzip, deflate"},
            follow_redirects=True,
        )

    # -- configuration ------------------------------------------------------------------------------------
    def secrets(self, provider: Provider) -> dict[str, str]:
        """The provider's credential values that are set (never shown anywhere)."""
        if provider.credential is None:
            return {}
        found = {name: self.settings.credential(name) for name in provider.credential.names}
        return {name: value for name, value in found.items() if value}

    def has_credentials(self, provider: Provider) -> bool:
        """True when every variable the provider's credential needs is set."""
        return provider.credential is not None and len(self.secrets(provider)) == len(provider.credential.names)

    def session_of(self, provider: Provider) -> CredentialSession:
        with self._lock:
            found = self._sessions.get(provider.name)
            if found is None:
                found = self._sessions[provider.name] = CredentialSession(
                    lambda request: self._wire.send(provider, request))
            return found

    def limiter(self, provider: Provider) -> HostLimiter:
        with self._lock:
            found = self._limiters.get(provider.name)
            if found is None:
                limit = (self._limit_overrides.get(provider.name)
                         or provider.limit_for(self.has_credentials(provider)))
                found = self._limiters[provider.name] = HostLimiter(limit, self.clock, self.sleep)
            return found

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self.requests.append(record)
        if self.on_request is not None:
            self.on_request(record)

    # -- requests -------------------------------------------------------------------------------------------
    def get(self, provider: Provider, url: str, params: Mapping[str, Any] | None = None,
            headers: Mapping[str, str] | None = None, *, ok: tuple[int, ...] = ()) -> httpx.Response:
        """GET with retries; returns a 2xx response (or one whose status is in `ok`), else raises SourceError."""
        return self.send(provider, "GET", url, params, headers, ok=ok)

    def send(self, provider: Provider, verb: str, url: str, params: Mapping[str, Any] | None = None,
             headers: Mapping[str, str] | None = None, *, json_body: Any = None,
             ok: tuple[int, ...] = ()) -> httpx.Response:
        """One request with retries (GET, or POST with a JSON body: never cached, hishel caches GETs only)."""
        if not isinstance(provider, Provider):
            raise TypeError(f"a Provider is needed, not {provider!r}")
        full = build_url(url, params)
        shown = redact_url(full)
        tries = 0
        backoff = provider.backoff
        try:
            for attempt in stamina.retry_context(
                    on=lambda exc: isinstance(exc, _Retry), attempts=self.attempts, timeout=None,
                    wait_initial=backoff.initial, wait_max=backoff.max, wait_jitter=backoff.jitter):
                with attempt:
                    tries = attempt.num
                    response = self._send_once(provider, full, shown, headers, verb, json_body)
        except _Retry as exc:
            raise self._error(provider, shown, exc.response, exc.reason, tries, verb) from None
        if response.is_success or response.status_code in ok:
            return response
        raise self._error(provider, shown, response, None, tries, verb)

    def post_json(self, provider: Provider, url: str, body: Any, params: Mapping[str, Any] | None = None,
                  headers: Mapping[str, str] | None = None, *, ok: tuple[int, ...] = ()) -> tuple[Any, datetime]:
        """POST a JSON body; the parsed JSON answer and when it was fetched."""
        response = self.send(provider, "POST", url, params, {"accept": "application/json", **(headers or {})},
                             json_body=body, ok=ok)
        return self.parse_json(provider, response, "POST"), self.fetched_at(response)

    def get_json(self, provider: Provider, url: str, params: Mapping[str, Any] | None = None,
                 headers: Mapping[str, str] | None = None, *, ok: tuple[int, ...] = ()) -> Any:
        return self.fetch_json(provider, url, params, headers, ok=ok)[0]

    def fetch_json(self, provider: Provider, url: str, params: Mapping[str, Any] | None = None,
                   headers: Mapping[str, str] | None = None, *,
                   ok: tuple[int, ...] = ()) -> tuple[Any, datetime]:
        """The parsed JSON body and when it was fetched (see `fetched_at`)."""
        response = self.get(provider, url, params, {"accept": "application/json", **(headers or {})}, ok=ok)
        return self.parse_json(provider, response), self.fetched_at(response)

    def fetch_text(self, provider: Provider, url: str, params: Mapping[str, Any] | None = None,
                   headers: Mapping[str, str] | None = None, *, ok: tuple[int, ...] = ()) -> tuple[str, datetime]:
        response = self.get(provider, url, params, headers, ok=ok)
        return response.text, self.fetched_at(response)

    def get_text(self, provider: Provider, url: str, params: Mapping[str, Any] | None = None,
                 headers: Mapping[str, str] | None = None) -> str:
        return self.get(provider, url, params, headers).text

    @staticmethod
    def parse_json(provider: Provider, response: httpx.Response, verb: str = "GET") -> Any:
        """The JSON body of a response, or a SourceError saying it is not JSON."""
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
            raise SourceError(
                f"{provider.name}: the response is not valid JSON ({verb} {redact_url(response.request.url)} -> "
                f"HTTP {response.status_code}); the API may have changed or be failing, try again later"
            ) from None

    @staticmethod
    def fetched_at(response: httpx.Response) -> datetime:
        """When the response was fetched from the network (a cached replay keeps its original time)."""
        stamp = response.headers.get(FETCHED_AT_HEADER)
        if stamp:
            try:
                return datetime.fromisoformat(stamp)
            except ValueError:
                pass
        return datetime.now(UTC).replace(tzinfo=None, microsecond=0)

    def forget(self, verb: str, url: str) -> None:
        """Remove a cached response, so that the next request asks the provider again."""
        if self._storage is None:
            return
        for entry in self._storage.get_entries(cache_key(verb, url)):
            self._storage.remove_entry(entry.id)

    def _send_once(self, provider: Provider, url: str, shown: str, headers: Mapping[str, str] | None,
                   verb: str = "GET", json_body: Any = None) -> httpx.Response:
        started = self.clock()
        request = self.client.build_request(verb, url, headers=dict(headers or {}), json=json_body,
                                            extensions={PROVIDER_EXTENSION: provider,
                                                        "caching": {"key": cache_key(verb, url)}})
        try:
            response = self.client.send(request)
            response.read()
        except httpx.TimeoutException:
            raise _Retry(None, None, "timed out") from None
        except (httpx.ConnectError, httpx.UnsupportedProtocol) as exc:
            # No network, unknown host or refused connection: retrying will not help, fail fast.
            raise SourceError(
                f"{provider.name}: cannot connect to {urlsplit(url).hostname} ({verb} {shown}: "
                f"{_short(exc) or 'connection failed'}); check your network connection") from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise _Retry(None, None, f"connection dropped ({_short(exc)})") from None
        if _from_cache(response):
            self._record(RequestRecord(provider.name, mask_url(url), response.status_code,
                                       self.clock() - started, started, from_cache=True, verb=verb))
        log.debug("%s %s -> %s", verb, shown, response.status_code)
        verdict = provider.retry_for(response)
        if verdict is not None:
            if response.is_success:  # an answer the provider gives when it is not itself: never keep it
                self.forget(verb, url)
            if verdict.wait is not None and verdict.wait > self.max_retry_wait:
                raise SourceError(self._message(
                    provider, shown, response,
                    f"rate limited for another {verdict.wait:.0f} s (until {_clock_time(verdict.wait)})",
                    verb)) from None
            if verdict.wait is not None:
                self.limiter(provider).pause_for(verdict.wait)
            raise _Retry(response, verdict.wait, verdict.reason or f"HTTP {response.status_code}")
        if response.is_success:
            pause = provider.pause_after(response)
            if pause:
                self.limiter(provider).pause_for(pause)
        return response

    # -- errors ---------------------------------------------------------------------------------------------
    def _error(self, provider: Provider, shown: str, response: httpx.Response | None,
               reason: str | None, tries: int, verb: str = "GET") -> SourceError:
        attempts = f"{tries} attempt{'s' if tries != 1 else ''}"
        if response is None:
            return SourceError(f"{provider.name}: {verb} {shown} {reason or 'failed'} after {attempts}; "
                               f"the provider may be slow or down, try again later")
        status = response.status_code
        if provider.refuses_credentials(response):
            if self.has_credentials(provider):
                what = (f"{provider.credential_names} {'were' if len(provider.credential.names) > 1 else 'was'} "
                        f"rejected; check, or unset to run without")
            elif status == 401:
                what = f"the provider wants credentials; {provider.hint}"
            else:
                what = f"access refused; {provider.hint}"
            return SourceError(self._message(provider, shown, response, what, verb))
        if status == 404:
            return SourceError(self._message(provider, shown, response,
                                             "not found; check the identifier in the field file", verb))
        if reason is not None:
            what = (f"still failing after {attempts}" if reason == f"HTTP {status}"
                    else f"{reason}; still so after {attempts}")
            what = f"{what}; {provider.hint}"
            return SourceError(self._message(provider, shown, response, what, verb))
        return SourceError(self._message(provider, shown, response, provider.hint, verb))

    @staticmethod
    def _message(provider: Provider, shown: str, response: httpx.Response, what: str, verb: str = "GET") -> str:
        detail = provider_detail(response)
        detail = f" {detail}" if detail else ""
        return f"{provider.name}: {verb} {shown} -> HTTP {response.status_code}{detail}; {what.rstrip('; ')}"

    # -- lifetime -------------------------------------------------------------------------------------------
    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "Http":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _from_cache(response: httpx.Response) -> bool:
    status = response.extensions.get("caching")
    if isinstance(status, Mapping):
        return bool(status.get("from_cache"))
    return bool(getattr(status, "from_cache", False))


def parse_retry_after(value: str) -> float:
    """Seconds from a `Retry-After` value (seconds or an HTTP date); 60 when unreadable."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 60.0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        return None


def provider_detail(response: httpx.Response) -> str:
    """The provider's own short explanation, if its error body has one, on one line and without secrets."""
    body = json_or_none(response)
    text = ""
    if isinstance(body, dict):
        for key in ("message", "error_message", "error", "detail"):
            if isinstance(body.get(key), str):
                text = body[key]
                break
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"(?i)(key|token)=[^&\s]+", r"\1=…", text)
    return f"({text[:120]})" if text else ""


def _short(exc: Exception) -> str:
    text = re.sub(r"\s+", " ", str(exc)).strip()
    return re.sub(r"(?i)(key|token|access_token)=[^&\s]+", r"\1=…", text)[:120]


def _clock_time(seconds: float) -> str:
    return datetime.fromtimestamp(time.time() + seconds, UTC).strftime("%H:%M UTC")


__all__ = ["BearerToken", "Backoff", "Credential", "CredentialSession", "DEFAULT_RETRY_RULES", "FETCHED_AT_HEADER",
           "Http", "HostLimiter", "Limit", "Provider", "QueryParams", "RETRY_AFTER", "RequestRecord", "Retry",
           "RetryRule", "TRANSIENT_STATUS", "build_url", "cache_key", "default_cache_dir", "mask_url",
           "parse_retry_after", "provider_detail", "redact_url", "user_agent"]

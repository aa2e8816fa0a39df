"""The one HTTP layer every source uses: politeness, caching, retries and clear errors, written once.

A source never builds its own client. It asks an `Http` for JSON or text, naming its provider::

    from mindshare.http import Http

    with Http() as http:                                    # one per run, shared by every source's thread
        data = http.get_json("github", "https://api.github.com/repos/pytorch/pytorch")
        page = http.get_text("arxiv", "https://export.arxiv.org/api/query", params={"search_query": "all:jax"})

What that call does, from the top of the stack to the wire:

1. **Retries** (stamina): 429, 5xx, timeouts and dropped connections are retried with exponential backoff and
   jitter; a `Retry-After` header (or GitHub's `x-ratelimit-reset`, or Stack Exchange's throttle message) sets
   the wait. A wait longer than `max_retry_wait` is not sat out: it fails at once and says when to come back.
   A refused connection or an unknown host is not retried, so with no network every source fails fast.
2. **Cache** (hishel, SQLite under the cache folder's `http`, see mindshare.settings): successful GETs are kept
   for `cache_ttl` (12 h). A re-run within that time (an interrupted `mindshare collect`, say) replays them
   without touching the provider or its rate limit. The cache sees requests *before* credentials are added,
   so tokens and API keys are never part of a cache key or a stored request.
3. **Per-host rate limiter**: a token bucket plus a cap on concurrent requests, set from each provider's
   documented limits (`PROVIDERS`); it also honours pauses (Retry-After, Stack Exchange `backoff`) so every
   thread hitting that host waits, not just the one that was told.
4. **Credentials** from the environment only (`GITHUB_TOKEN`, `STACKEXCHANGE_KEY`, `HF_TOKEN`), added to the
   outgoing request at the last moment; never logged, cached, stored or put in an error message.
5. The network transport (`httpx.HTTPTransport`), or whatever `transport=` was given: tests pass an
   `httpx.MockTransport` (or use respx), the benchmark a transport that points at its local server.

Failures are raised as `SourceError` with one line: provider, what failed, the URL without secrets, the status
and what to do. Every request made over the network is recorded in `Http.requests` (provider, URL, status,
seconds, from cache) for progress, `--dry-run` style listings and the benchmark.

In tests: `stamina.set_testing(True, attempts=3)` removes stamina's waits; pass `sleep=` and `clock=` to make
the limiter's waits instant and observable, and `cache=False` (or a `cache_dir` in tmp_path).
"""

from __future__ import annotations

import email.utils
import json
import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import stamina

from mindshare.errors import SourceError

log = logging.getLogger("mindshare.http")

# Query parameters and headers that may carry a secret: always removed from what is shown or cached.
SECRET_PARAMS = frozenset({"key", "access_token", "token", "api_key", "apikey", "app_key", "app_id",
                           "client_secret", "client_id", "password"})
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})
FETCHED_AT_HEADER = "x-mindshare-fetched-at"  # stamped on each network response, so cached replays keep it
PROVIDER_EXTENSION = "mindshare_provider"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Limit:
    """How hard one host may be asked: `per_second` sustained, `burst` at once, `concurrency` in flight."""

    per_second: float
    burst: int = 1
    concurrency: int = 1


@dataclass(frozen=True)
class Provider:
    name: str
    title: str
    host: str
    limit: Limit                               # without credentials
    limit_with_credentials: Limit | None = None
    credential_env: str | None = None          # the environment variable holding the token or key
    credential_in: str = "header"              # 'header' (Authorization: Bearer) or 'query' (?key=)
    limits_doc: str = ""
    hint: str = ""                             # what to do when it fails

    def limit_for(self, has_credentials: bool) -> Limit:
        if has_credentials and self.limit_with_credentials:
            return self.limit_with_credentials
        return self.limit


# Limits as each provider documents them (the URL says where). Where a provider publishes no number we are
# conservative and say so.
PROVIDERS: dict[str, Provider] = {p.name: p for p in (
    Provider(
        "github", "GitHub REST API", "api.github.com",
        # 60 requests/hour without a token, 5,000 with one; GitHub asks for serial, not concurrent, requests.
        limit=Limit(per_second=60 / 3600, burst=60, concurrency=1),
        limit_with_credentials=Limit(per_second=5000 / 3600, burst=5000, concurrency=1),
        credential_env="GITHUB_TOKEN", credential_in="header",
        limits_doc="https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api",
        hint="set GITHUB_TOKEN (a token with no scopes is enough) for 5,000 requests an hour"),
    Provider(
        "pypistats", "pypistats.org API", "pypistats.org",
        # No published number; it throttles by IP and fails on a handful of concurrent uncached requests.
        limit=Limit(per_second=1.0, burst=1, concurrency=1),
        limits_doc="https://pypistats.org/api/ (no published limit; one request a second is our choice)",
        hint="pypistats.org throttles by IP; wait a few minutes and run `mindshare collect pypistats` again"),
    Provider(
        "stackexchange", "Stack Exchange API", "api.stackexchange.com",
        # 30 requests/second per IP at most; daily quota 300 without a key, 10,000 with one; obey `backoff`.
        limit=Limit(per_second=30.0, burst=30, concurrency=4),
        limit_with_credentials=Limit(per_second=30.0, burst=30, concurrency=4),
        credential_env="STACKEXCHANGE_KEY", credential_in="query",
        limits_doc="https://api.stackexchange.com/docs/throttle",
        hint="set STACKEXCHANGE_KEY (a free app key) for 10,000 requests a day instead of 300"),
    Provider(
        "huggingface", "Hugging Face Hub API", "huggingface.co",
        # Hub APIs: 500 requests per 5-minute window anonymous, 1,000 for a signed-in free user.
        limit=Limit(per_second=500 / 300, burst=50, concurrency=4),
        limit_with_credentials=Limit(per_second=1000 / 300, burst=100, concurrency=4),
        credential_env="HF_TOKEN", credential_in="header",
        limits_doc="https://huggingface.co/docs/hub/rate-limits",
        hint="set HF_TOKEN (a read token) for twice the anonymous rate limit"),
    Provider(
        "wikipedia", "Wikimedia REST API (pageviews)", "wikimedia.org",
        # "Limit your clients to no more than 100 requests/s"; a User-Agent with contact details is required.
        limit=Limit(per_second=100.0, burst=10, concurrency=4),
        limits_doc="https://doc.wikimedia.org/generated-data-platform/aqs/analytics-api/",
        hint="Wikimedia asks for a User-Agent with contact details: set MINDSHARE_CONTACT to an e-mail or URL"),
    Provider(
        "arxiv", "arXiv API", "export.arxiv.org",
        # "no more than one request every three seconds, and ... a single connection at a time".
        limit=Limit(per_second=1 / 3, burst=1, concurrency=1),
        limits_doc="https://info.arxiv.org/help/api/tou.html",
        hint="arXiv allows one request every 3 seconds; try again later or narrow --since"),
)}


def user_agent() -> str:
    from mindshare import __version__

    contact = os.environ.get("MINDSHARE_CONTACT", "").strip()
    contact = f"; {contact}" if contact else ""
    return f"mindshare/{__version__} (+https://pypi.org/project/mindshare/{contact}) httpx/{httpx.__version__}"


def redact_url(url: str | httpx.URL) -> str:
    """The URL with secret query parameters removed (not masked: their presence is no one's business)."""
    parts = urlsplit(str(url))
    if not parts.query:
        return str(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in SECRET_PARAMS]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def build_url(url: str, params: Mapping[str, Any] | None = None) -> str:
    """The full URL of a GET, as `--dry-run` prints it and as the cache keys it."""
    return str(httpx.URL(url, params={k: v for k, v in (params or {}).items() if v is not None}))


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
    url: str          # without secrets
    status: int | None
    seconds: float
    started: float
    from_cache: bool = False


class _ProviderTransport(httpx.BaseTransport):
    """Below the cache: waits for the host's limiter, adds credentials, stamps the fetch time."""

    def __init__(self, http: "Http", inner: httpx.BaseTransport):
        self.http = http
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        provider = request.extensions.get(PROVIDER_EXTENSION)
        limiter = self.http.limiter(provider) if provider else None
        if limiter:
            limiter.acquire()
        started = self.http.clock()
        try:
            response = self.inner.handle_request(self._with_credentials(provider, request))
        finally:
            if limiter:
                limiter.release()
        response.headers[FETCHED_AT_HEADER] = datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
        self.http._record(RequestRecord(provider or "", redact_url(request.url), response.status_code,
                                        self.http.clock() - started, started))
        return response

    def _with_credentials(self, provider: str | None, request: httpx.Request) -> httpx.Request:
        """A copy of `request` carrying the provider's credential; the original (which the cache above
        keeps) never sees it."""
        secret = self.http.credential(provider) if provider else None
        if not secret:
            return request
        url, headers = request.url, httpx.Headers(request.headers)
        if PROVIDERS[provider].credential_in == "query":
            url = url.copy_merge_params({"key": secret})
        else:
            headers["authorization"] = f"Bearer {secret}"
        return httpx.Request(request.method, url, headers=headers, stream=request.stream,
                             extensions=request.extensions)

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


def default_cache_dir() -> Path:
    """`http` in the cache folder of mindshare.settings (`--cache-dir`, else `MINDSHARE_CACHE`, else the user's)."""
    from mindshare import settings

    return settings.load().http_cache_dir


class Http:
    """A polite, cached, retrying HTTP client shared by every source in a run. Thread-safe.

    `transport`: the innermost transport (tests: `httpx.MockTransport`; default: the network).
    `cache`: False for none; else responses are kept in `cache_dir` for `cache_ttl` seconds.
    `env`: where credentials come from (default `os.environ`).
    `limits`: per-provider `Limit` overrides (the benchmark scales them; tests make them instant).
    """

    def __init__(self, *, transport: httpx.BaseTransport | None = None, cache: bool = True,
                 cache_dir: str | Path | None = None, cache_ttl: float = 12 * 3600,
                 env: Mapping[str, str] | None = None, timeout: float = 20.0, attempts: int = 4,
                 max_retry_wait: float = 90.0, limits: Mapping[str, Limit] | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.env = os.environ if env is None else env
        self.attempts = attempts
        self.max_retry_wait = max_retry_wait
        self.clock = clock
        self.sleep = sleep
        self.requests: list[RequestRecord] = []
        self._limit_overrides = dict(limits or {})
        self._limiters: dict[str, HostLimiter] = {}
        self._lock = threading.Lock()
        inner = _ProviderTransport(self, transport or httpx.HTTPTransport(retries=0))
        self.cache_path: Path | None = None
        if cache:
            from hishel import SqliteStorage
            from hishel.httpx import CacheTransport

            folder = Path(cache_dir) if cache_dir else default_cache_dir()
            try:
                folder.mkdir(parents=True, exist_ok=True)
                self.cache_path = folder / "responses.sqlite"
                storage = SqliteStorage(database_path=self.cache_path, default_ttl=cache_ttl)
                inner = CacheTransport(next_transport=inner, storage=storage)
            except OSError as exc:  # an unwritable cache folder costs speed, not the run
                log.warning("HTTP cache disabled: %s", exc)
                self.cache_path = None
        self.client = httpx.Client(
            transport=inner,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"user-agent": user_agent(), "accept-encoding": "gzip, deflate"},
            follow_redirects=True,
        )

    # -- configuration ------------------------------------------------------------------------------------
    def credential(self, provider: str) -> str | None:
        spec = PROVIDERS.get(provider)
        if spec is None or not spec.credential_env:
            return None
        value = (self.env.get(spec.credential_env) or "").strip()
        return value or None

    def limiter(self, provider: str) -> HostLimiter:
        with self._lock:
            found = self._limiters.get(provider)
            if found is None:
                spec = PROVIDERS[provider]
                limit = self._limit_overrides.get(provider) or spec.limit_for(bool(self.credential(provider)))
                found = self._limiters[provider] = HostLimiter(limit, self.clock, self.sleep)
            return found

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self.requests.append(record)

    # -- requests -------------------------------------------------------------------------------------------
    def get(self, provider: str, url: str, params: Mapping[str, Any] | None = None,
            headers: Mapping[str, str] | None = None, *, ok: tuple[int, ...] = ()) -> httpx.Response:
        """GET with retries; returns a 2xx response (or one whose status is in `ok`), else raises SourceError."""
        return self.send(provider, "GET", url, params, headers, ok=ok)

    def send(self, provider: str, verb: str, url: str, params: Mapping[str, Any] | None = None,
             headers: Mapping[str, str] | None = None, *, json_body: Any = None,
             ok: tuple[int, ...] = ()) -> httpx.Response:
        """One request with retries (GET, or POST with a JSON body: never cached, hishel caches GETs only)."""
        if provider not in PROVIDERS:
            raise ValueError(f"unknown provider {provider!r}")
        full = build_url(url, params)
        shown = redact_url(full)
        tries = 0
        try:
            for attempt in stamina.retry_context(
                    on=self._should_retry, attempts=self.attempts, timeout=None,
                    wait_initial=0.5, wait_max=30.0, wait_jitter=1.0):
                with attempt:
                    tries = attempt.num
                    response = self._send_once(provider, full, shown, headers, verb, json_body)
        except _Retry as exc:
            raise self._error(provider, shown, exc.response, exc.reason, tries, verb) from None
        if response.is_success or response.status_code in ok:
            return response
        raise self._error(provider, shown, response, None, tries, verb)

    def post_json(self, provider: str, url: str, body: Any, params: Mapping[str, Any] | None = None,
                  headers: Mapping[str, str] | None = None, *, ok: tuple[int, ...] = ()) -> tuple[Any, datetime]:
        """POST a JSON body; the parsed JSON answer and when it was fetched."""
        response = self.send(provider, "POST", url, params, {"accept": "application/json", **(headers or {})},
                             json_body=body, ok=ok)
        try:
            return response.json(), self.fetched_at(response)
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
            raise SourceError(
                f"{provider}: the response is not valid JSON (POST {redact_url(response.request.url)} -> "
                f"HTTP {response.status_code}); the API may have changed or be failing, try again later"
            ) from None

    def get_json(self, provider: str, url: str, params: Mapping[str, Any] | None = None,
                 headers: Mapping[str, str] | None = None, *, ok: tuple[int, ...] = ()) -> Any:
        return self.fetch_json(provider, url, params, headers, ok=ok)[0]

    def fetch_json(self, provider: str, url: str, params: Mapping[str, Any] | None = None,
                   headers: Mapping[str, str] | None = None, *,
                   ok: tuple[int, ...] = ()) -> tuple[Any, datetime]:
        """The parsed JSON body and when it was fetched (see `fetched_at`)."""
        response = self.get(provider, url, params, {"accept": "application/json", **(headers or {})}, ok=ok)
        try:
            data = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
            raise SourceError(
                f"{provider}: the response is not valid JSON (GET {redact_url(response.request.url)} -> "
                f"HTTP {response.status_code}); the API may have changed or be failing, try again later"
            ) from None
        if isinstance(data, dict) and isinstance(data.get("backoff"), (int, float)):
            # Stack Exchange: "wait this many seconds before hitting the same method again".
            self.limiter(provider).pause_for(float(data["backoff"]))
        return data, self.fetched_at(response)

    def get_text(self, provider: str, url: str, params: Mapping[str, Any] | None = None,
                 headers: Mapping[str, str] | None = None) -> str:
        return self.get(provider, url, params, headers).text

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

    def _send_once(self, provider: str, url: str, shown: str, headers: Mapping[str, str] | None,
                   verb: str = "GET", json_body: Any = None) -> httpx.Response:
        started = self.clock()
        request = self.client.build_request(verb, url, headers=dict(headers or {}), json=json_body,
                                            extensions={PROVIDER_EXTENSION: provider})
        try:
            response = self.client.send(request)
            response.read()
        except httpx.TimeoutException:
            raise _Retry(None, None, "timed out") from None
        except (httpx.ConnectError, httpx.UnsupportedProtocol) as exc:
            # No network, unknown host or refused connection: retrying will not help, fail fast.
            raise SourceError(
                f"{provider}: cannot connect to {urlsplit(url).hostname} ({verb} {shown}: "
                f"{_short(exc) or 'connection failed'}); check your network connection") from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise _Retry(None, None, f"connection dropped ({_short(exc)})") from None
        if _from_cache(response):
            self._record(RequestRecord(provider, shown, response.status_code, self.clock() - started,
                                       started, from_cache=True))
        log.debug("%s %s -> %s", verb, shown, response.status_code)
        wait = self._provider_wait(provider, response)
        if response.status_code in RETRY_STATUSES or wait is not None:
            if wait is not None and wait > self.max_retry_wait:
                raise SourceError(self._message(
                    provider, shown, response,
                    f"rate limited for another {wait:.0f} s (until {_clock_time(wait)})", verb)) from None
            if wait is not None:
                self.limiter(provider).pause_for(wait)
            raise _Retry(response, wait, f"HTTP {response.status_code}")
        return response

    @staticmethod
    def _should_retry(exc: Exception) -> bool | float:
        if isinstance(exc, _Retry):
            # The limiter already holds every thread until Retry-After; stamina adds its jittered backoff.
            return True
        return False

    def _provider_wait(self, provider: str, response: httpx.Response) -> float | None:
        """Seconds the provider asked us to wait before asking again, or None."""
        status = response.status_code
        retry_after = response.headers.get("retry-after")
        if retry_after and status in (403, 429, 503):
            return _parse_retry_after(retry_after)
        if provider == "github" and status in (403, 429) and response.headers.get("x-ratelimit-remaining") == "0":
            reset = response.headers.get("x-ratelimit-reset", "")
            if reset.isdigit():
                return max(0.0, int(reset) - time.time())
            return 60.0
        if provider == "stackexchange" and status in (400, 429, 502, 503):
            # {"error_id": 502, "error_name": "throttle_violation",
            #  "error_message": "too many requests from this IP, more requests available in 73 seconds"}
            body = _json_or_none(response)
            if isinstance(body, dict) and body.get("error_name") == "throttle_violation":
                found = re.search(r"(\d+)\s*seconds", str(body.get("error_message", "")))
                return float(found.group(1)) if found else 60.0
        return None

    # -- errors ---------------------------------------------------------------------------------------------
    def _error(self, provider: str, shown: str, response: httpx.Response | None,
               reason: str | None, tries: int, verb: str = "GET") -> SourceError:
        attempts = f"{tries} attempt{'s' if tries != 1 else ''}"
        if response is None:
            return SourceError(f"{provider}: {verb} {shown} {reason or 'failed'} after {attempts}; "
                               f"the provider may be slow or down, try again later")
        status = response.status_code
        spec = PROVIDERS[provider]
        if status in (401, 403) or _is_bad_key(provider, response):
            if self.credential(provider):
                what = f"{spec.credential_env} was rejected; check it, or unset it to run without it"
            elif status == 401:
                what = f"the provider wants credentials; {spec.hint}"
            else:
                what = f"access refused; {spec.hint}"
            return SourceError(self._message(provider, shown, response, what, verb))
        if status == 404:
            return SourceError(self._message(provider, shown, response,
                                             "not found; check the identifier in the field file", verb))
        if status in RETRY_STATUSES:
            return SourceError(self._message(provider, shown, response,
                                             f"still failing after {attempts}; {spec.hint}", verb))
        return SourceError(self._message(provider, shown, response, spec.hint, verb))

    @staticmethod
    def _message(provider: str, shown: str, response: httpx.Response, what: str, verb: str = "GET") -> str:
        detail = _provider_detail(response)
        detail = f" {detail}" if detail else ""
        return f"{provider}: {verb} {shown} -> HTTP {response.status_code}{detail}; {what}"

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


def _parse_retry_after(value: str) -> float:
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


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        return None


def _is_bad_key(provider: str, response: httpx.Response) -> bool:
    if provider != "stackexchange" or response.status_code != 400:
        return False
    body = _json_or_none(response)
    return isinstance(body, dict) and "key" in str(body.get("error_message", "")).lower()


def _provider_detail(response: httpx.Response) -> str:
    """The provider's own short explanation, if its error body has one, on one line and without secrets."""
    body = _json_or_none(response)
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


__all__ = ["FETCHED_AT_HEADER", "Http", "HostLimiter", "Limit", "PROVIDERS", "Provider", "RequestRecord",
           "build_url", "default_cache_dir", "redact_url", "user_agent"]

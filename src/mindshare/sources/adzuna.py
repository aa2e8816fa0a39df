"""Adzuna job search: how many ads name each contender, per country, on the day asked.

Where the number comes from: `GET https://api.adzuna.com/v1/api/jobs/{country}/search/1?what=...` returns the
ads matching the query and their total, `count` (https://developer.adzuna.com/docs/search). We ask for one
result per page and keep only `count`: the same shape as the article's Indeed/Monster/LinkedIn counts, and
stored beside them (signal "jobs", metric "job_listings", source "Adzuna", segment the country).

The query is the contender's `adzuna_query`, else its name. A contender whose name is listed as `ambiguous`
in the field (JAX: also Java's JAX-RS) is asked with `what_and=learning` too, so Java ads are not counted;
the query stored with each count says exactly what was asked.

Credentials: ADZUNA_APP_ID and ADZUNA_APP_KEY from the environment. They are added to the request below the
cache (so never part of a cache key) and removed from every URL shown or stored.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from typing import Mapping

import httpx
import pandas as pd

from mindshare.errors import SourceError
from mindshare.fields import Contender, Field
from mindshare.http import PROVIDERS, Http, Limit, Provider
from mindshare.sources.base import Call, Run, Source

SOURCE = "Adzuna"
METHOD = "adzuna search count v1 (what=query, results_per_page=1)"
API = "https://api.adzuna.com/v1/api/jobs/{country}/search/1"
ENV_ID, ENV_KEY = "ADZUNA_APP_ID", "ADZUNA_APP_KEY"
# Countries Adzuna serves (https://developer.adzuna.com/docs/search).
COUNTRIES = {"at", "au", "be", "br", "ca", "ch", "de", "es", "fr", "gb", "in", "it", "mx", "nl", "nz", "pl",
             "sg", "us", "za"}

# Adzuna's free tier: 25 requests a minute (and 250 a day): https://developer.adzuna.com/docs/terms_of_service
PROVIDERS.setdefault("adzuna", Provider(
    "adzuna", "Adzuna job search API", "api.adzuna.com",
    limit=Limit(per_second=25 / 60, burst=5, concurrency=1),
    limits_doc="https://developer.adzuna.com/ (25 requests a minute, 250 a day on the free tier)",
    hint="set ADZUNA_APP_ID and ADZUNA_APP_KEY (free at developer.adzuna.com); the free tier allows 250 "
         "requests a day"))


class AdzunaCredentials(httpx.BaseTransport):
    """Innermost transport: adds app_id/app_key to Adzuna requests only, after the cache has keyed them."""

    def __init__(self, app_id: str, app_key: str, inner: httpx.BaseTransport | None = None):
        self.app_id, self.app_key = app_id, app_key
        self.inner = inner or httpx.HTTPTransport(retries=0)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.adzuna.com":
            request = httpx.Request(request.method,
                                    request.url.copy_merge_params({"app_id": self.app_id, "app_key": self.app_key}),
                                    headers=request.headers, stream=request.stream, extensions=request.extensions)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def credentials(env: Mapping[str, str] | None = None) -> tuple[str, str]:
    env = os.environ if env is None else env
    app_id, app_key = (env.get(ENV_ID) or "").strip(), (env.get(ENV_KEY) or "").strip()
    if not app_id or not app_key:
        raise SourceError(f"adzuna: set {ENV_ID} and {ENV_KEY} in the environment (a free key from "
                          f"https://developer.adzuna.com/); nothing was collected")
    return app_id, app_key


def query_params(contender: Contender) -> dict[str, str]:
    query = contender.adzuna_query or contender.name
    params = {"what": query, "results_per_page": "1", "content-type": "application/json"}
    if query.casefold() in {a.casefold() for a in contender.ambiguous} or contender.name.casefold() in {
            a.casefold() for a in contender.ambiguous}:
        params["what_and"] = "learning"
    return params


def count_from(data: object, url: str) -> int:
    if not isinstance(data, dict) or not isinstance(data.get("count"), int):
        raise SourceError(f"adzuna: the response to GET {url} has no 'count'; the API may have changed")
    return int(data["count"])


def collect(field: Field | list[Contender], *, countries: list[str], http: Http | None = None,
            env: Mapping[str, str] | None = None, today: date | None = None) -> pd.DataFrame:
    """Ad counts per contender per country; all or nothing (a failure raises, the caller stores nothing)."""
    wanted = [c.strip().lower() for c in countries]
    unknown = [c for c in wanted if c not in COUNTRIES]
    if unknown:
        raise SourceError(f"adzuna: no Adzuna site for country {', '.join(unknown)}; "
                          f"known: {', '.join(sorted(COUNTRIES))}")
    own = http is None
    if own:
        app_id, app_key = credentials(env)
        http = Http(transport=AdzunaCredentials(app_id, app_key))
    today = today or datetime.now(UTC).date()
    rows = []
    try:
        for country in wanted:
            for contender in (field.contenders if isinstance(field, Field) else field):
                params = query_params(contender)
                url = API.format(country=country)
                response = http.get("adzuna", url, params)
                try:
                    data = response.json()
                except ValueError:
                    raise SourceError(f"adzuna: GET {url} did not return JSON; the API may have changed") from None
                count = count_from(data, url)
                shown = "&".join(f"{k}={v}" for k, v in params.items() if k in ("what", "what_and"))
                rows.append({
                    "signal": "jobs", "metric": "job_listings", "source": SOURCE, "contender": contender.id,
                    "subject": params["what"], "period_start": today, "period_end": today,
                    "period_label": today.isoformat(), "value": float(count), "value_text": str(count),
                    "unit": "job listings", "segment": country, "method": METHOD,
                    "reference": f"https://www.adzuna.{'co.uk' if country == 'gb' else 'com'}/ ({country})",
                    "query": f"{url}?{shown}", "collected_at": Http.fetched_at(response),
                })
    finally:
        if own:
            http.close()
    return pd.DataFrame(rows)


DEFAULT_COUNTRIES = ("gb", "us")
ENV_COUNTRIES = "MINDSHARE_ADZUNA_COUNTRIES"


class AdzunaSource(Source):
    """`mindshare collect adzuna`: today's ad counts per contender in the countries of
    MINDSHARE_ADZUNA_COUNTRIES (comma-separated; default gb,us). Uses its own client, because the app id and
    key must be added below the cache, which the shared client does not do for two query parameters."""

    name = "adzuna"
    title = "Adzuna job ads"
    provider = "adzuna"
    signal = "jobs"
    source = SOURCE
    method = METHOD
    identifier = ""
    measures = "job ads naming each contender today, per country (needs ADZUNA_APP_ID, ADZUNA_APP_KEY)"

    @staticmethod
    def countries() -> list[str]:
        raw = os.environ.get(ENV_COUNTRIES, "")
        return [c.strip() for c in raw.split(",") if c.strip()] or list(DEFAULT_COUNTRIES)

    def plan(self, contenders, since, today):
        return [Call("adzuna", API.format(country=country), query_params(c), f"ads for {c.name} in {country}")
                for country in self.countries() for c in contenders]

    def collect(self, run: Run) -> pd.DataFrame:
        if not (os.environ.get(ENV_ID) and os.environ.get(ENV_KEY)):
            run.skip(f"{ENV_ID} and {ENV_KEY} are not set (free at developer.adzuna.com)")
            return pd.DataFrame()
        return collect(run.contenders, countries=self.countries(), today=run.today)

"""Adzuna job search: how many ads name each contender, per country, on the day asked.

Where the number comes from: `GET https://api.adzuna.com/v1/api/jobs/{country}/search/1?what=...` returns the
ads matching the query and their total, `count` (https://developer.adzuna.com/docs/search). We ask for one
result per page and keep only `count`: the same shape as the article's Indeed/Monster/LinkedIn counts, and
stored beside them (signal "jobs", metric "job_listings", source "Adzuna", segment the country).

The query is the contender's `adzuna_query`, else its name. A contender whose name is listed as `ambiguous`
in the field (JAX: also Java's JAX-RS) is asked with `what_and=learning` too, so Java ads are not counted;
the query stored with each count says exactly what was asked.

Credentials: ADZUNA_APP_ID and ADZUNA_APP_KEY from the environment (through mindshare.settings). The shared
HTTP layer adds them as the query parameters `app_id` and `app_key` below its cache (so never part of a cache
key), masks them in `--verbose` and removes them from every URL stored; its requests are counted with the
others'. Without them the source is skipped and says what to set.

Countries: `AdzunaSource(countries=...)` (`jobs collect --country`), else MINDSHARE_ADZUNA_COUNTRIES, else gb,us.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from mindshare import catalogue
from mindshare.errors import InputError
from mindshare.fields import Contender
from mindshare.http import Limit, Provider, QueryParams
from mindshare.settings import Settings
from mindshare.sources.base import Call, Run, Source, SourceSkipped, require

SOURCE = "Adzuna"
METHOD = "adzuna search count v1 (what=query, results_per_page=1)"
API = "https://api.adzuna.com/v1/api/jobs/{country}/search/1"
ENV_ID, ENV_KEY = "ADZUNA_APP_ID", "ADZUNA_APP_KEY"
# Countries Adzuna serves (https://developer.adzuna.com/docs/search).
COUNTRIES = {"at", "au", "be", "br", "ca", "ch", "de", "es", "fr", "gb", "in", "it", "mx", "nl", "nz", "pl",
             "sg", "us", "za"}


def query_params(contender: Contender) -> dict[str, str]:
    query = contender.adzuna_query or contender.name
    params = {"what": query, "results_per_page": "1", "content-type": "application/json"}
    if query.casefold() in {a.casefold() for a in contender.ambiguous} or contender.name.casefold() in {
            a.casefold() for a in contender.ambiguous}:
        params["what_and"] = "learning"
    return params


def site_of(country: str) -> str:
    return f"https://www.adzuna.{'co.uk' if country == 'gb' else 'com'}/ ({country})"


class AdzunaSource(Source):
    """`mindshare collect adzuna` / `mindshare jobs collect -s adzuna`: today's ad counts per contender and
    country."""

    name = "adzuna"
    title = "Adzuna job ads"
    # Adzuna's free tier: 25 requests a minute (and 250 a day): https://developer.adzuna.com/docs/terms_of_service
    provider = Provider(
        "adzuna", "Adzuna job search API", "api.adzuna.com",
        limit=Limit(per_second=25 / 60, burst=5, concurrency=1),
        credential=QueryParams((("app_id", ENV_ID), ("app_key", ENV_KEY))),
        limits_doc="https://developer.adzuna.com/ (25 requests a minute, 250 a day on the free tier)",
        hint="set ADZUNA_APP_ID and ADZUNA_APP_KEY (free at developer.adzuna.com); the free tier allows 250 "
             "requests a day")
    signal = "jobs"
    source = SOURCE
    method = METHOD
    identifier = ""
    metrics = (catalogue.JOB_LISTINGS,)
    measures = "job ads naming each contender today, per country (needs ADZUNA_APP_ID, ADZUNA_APP_KEY)"

    def __init__(self, countries: list[str] | tuple[str, ...] | None = None):
        self._countries = tuple(countries) if countries else None

    def countries(self, settings: Settings) -> list[str]:
        wanted = [c.strip().lower() for c in (self._countries or settings.adzuna_countries) if c.strip()]
        unknown = [c for c in wanted if c not in COUNTRIES]
        if unknown:
            raise InputError(f"adzuna: no Adzuna site for country {', '.join(unknown)}; "
                             f"known: {', '.join(sorted(COUNTRIES))}")
        return list(dict.fromkeys(wanted))

    def plan(self, contenders, since: date, today: date, settings: Settings) -> list[Call]:
        return [Call(self.provider, API.format(country=country), query_params(c), f"ads for {c.name} in {country}")
                for country in self.countries(settings) for c in contenders]

    def collect(self, run: Run) -> pd.DataFrame:
        countries = self.countries(run.settings)
        if not run.http.has_credentials(self.provider):
            raise SourceSkipped(f"{ENV_ID} and {ENV_KEY} are not set (a free key from https://developer.adzuna.com/)")
        jobs = [(country, c) for country in countries for c in run.contenders]
        run.set_total(len(jobs))

        def fetch(job) -> dict:
            country, contender = job
            params, url = query_params(contender), API.format(country=country)
            data, fetched = run.http.fetch_json(self.provider, url, params)
            run.advance(1)
            count = require(data, "count", self, url, int)
            shown = "&".join(f"{k}={v}" for k, v in params.items() if k in ("what", "what_and"))
            return self.observation(
                contender=contender, subject=params["what"], metric="job_listings", value=count,
                period_start=fetched.date(), period_end=fetched.date(), period_label=fetched.date().isoformat(),
                unit="job listings", segment=country, reference=site_of(country), query=f"{url}?{shown}",
                collected_at=fetched)

        return pd.DataFrame(run.map(self.provider, fetch, jobs))

"""OpenAlex: works with full text per publication year that name each contender, beside the coverage.

One request per count for every year at once, grouped by year:

    GET https://api.openalex.org/works?search=("pytorch" OR "py-torch")
        &filter=has_fulltext:true,publication_year:2019-2026&group_by=publication_year

answers `{"meta": {"count": ...}, "group_by": [{"key": "2023", "count": 1234}, ...]}`: the works with full
text whose title, abstract or full text matches, per year (OpenAlex's `search` covers all three; restricting
to `has_fulltext:true` keeps every count inside the population it is compared with). The same request
without `search` is the coverage: works with full text that year (`population_papers`), stored beside each
count and used for the stored share (`pct_papers_mentioning`), so a share is never read off a changing
denominator (OpenAlex's full-text coverage grows as it ingests PDFs).

A year absent from `group_by` had no matching work: a count of 0. An answer without `group_by` (or with a
year that is not a year), an error answer, 429 (OpenAlex's daily budget: 100 requests a second at most, and
a search costs more than a list) or 5xx is a failed query and fails the whole source (no partial snapshot).
The words are the scanner's (`mindshare.sources.fulltext`), each a quoted phrase: OpenAlex stems words and
matches whole words. `MINDSHARE_CONTACT` goes in the User-Agent (OpenAlex's polite use).

Since February 2026 OpenAlex meters its API by a daily budget per key: `OPENALEX_API_KEY` (free at
openalex.org/settings/api), when set, is sent as the `api_key` query parameter by the HTTP layer (never
stored, cached or shown). Without it the anonymous allowance covers only a few dozen searches a day, about
what one collection of the deep-learning field asks (one search per distinct count).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from mindshare import catalogue
from mindshare.fields import Contender
from mindshare.http import Limit, Provider, QueryParams
from mindshare.observations import Methods, Sources, partial_note, year_period
from mindshare.settings import Settings
from mindshare.sources.base import Call, Run, Source, require
from mindshare.sources.fulltext import (
    Question,
    by_expression,
    index_questions,
    shares_of_population,
    subject_of,
)

API = "https://api.openalex.org/works"
SEGMENT = "OpenAlex works with full text"

ENV_KEY = "OPENALEX_API_KEY"


def phrase(words: str) -> str:
    return f'"{words}"'


def year_counts(data, source: "OpenAlexSource", url: str, years: range) -> dict[int, int]:
    """{year: works} for every year asked; a year OpenAlex left out had none."""
    groups = require(data, "group_by", source, url, list)
    counts = {year: 0 for year in years}
    for group in groups:
        key = str(group.get("key", "")) if isinstance(group, dict) else ""
        count = group.get("count") if isinstance(group, dict) else None
        if not key.isdigit() or not isinstance(count, int) or count < 0:
            raise source.schema_error("'group_by' entries of a year and a count", url)
        if int(key) in counts:
            counts[int(key)] = count
    return counts


class OpenAlexSource(Source):
    name = "openalex"
    title = "OpenAlex"
    provider = Provider(
        "openalex", "OpenAlex API", "api.openalex.org",
        # "max 100 requests per second" for everyone; the daily budget is in money: without a key $0.01 (about
        # ten searches), with a free key $1 (1,000 searches); we ask for a few dozen counts
        limit=Limit(per_second=10.0, burst=10, concurrency=2),
        credential=QueryParams((("api_key", ENV_KEY),)),
        limits_doc="https://developers.openalex.org/api-reference/authentication",
        hint="OpenAlex's daily budget may be spent (a search costs more than a list): set OPENALEX_API_KEY "
             "(free at openalex.org/settings/api) or try again tomorrow")
    signal = "research"
    source = Sources.OPENALEX
    method = Methods.OPENALEX
    identifier = ""
    metrics = (catalogue.POPULATION_PAPERS, catalogue.PAPERS_MENTIONING, catalogue.PAPERS_ONLY, catalogue.PAPERS_ANY,
               catalogue.PCT_PAPERS_MENTIONING)
    measures = "works with full text per year that name the contender, beside the works with full text"

    def _calls(self, contenders: list[Contender], since: date, today: date) -> list[tuple[list[Question], Call]]:
        years = f"{since.year}-{today.year}"
        calls = []
        for same in by_expression(index_questions(self.eligible(contenders), phrase)):
            params = {"filter": f"has_fulltext:true,publication_year:{years}", "group_by": "publication_year"}
            if same[0].expression is not None:
                params = {"search": same[0].expression, **params}
            what = ", ".join(q.metric + (":" + q.contender.id if q.contender else "") for q in same)
            calls.append((same, Call(self.provider, API, params, f"{what} per year")))
        return calls

    def plan(self, contenders: list[Contender], since: date, today: date, settings: Settings) -> list[Call]:
        return [call for _, call in self._calls(contenders, since, today)]

    def collect(self, run: Run) -> pd.DataFrame:
        calls = self._calls(run.contenders, run.since, run.today)
        years = range(run.since.year, run.today.year + 1)
        run.set_total(len(calls))

        def fetch(job) -> list[dict]:
            same, call = job
            data, fetched = run.http.fetch_json(self.provider, call.url, call.params)
            counts = year_counts(data, self, call.full_url, years)
            run.advance(1)
            rows = []
            for year, count in counts.items():
                first, last, label = year_period(year)
                rows += [self.observation(
                    contender=q.contender, subject=subject_of(q), metric=q.metric, value=count,
                    period_start=first, period_end=last, period_label=label, unit="works",
                    reference=call.full_url, query=call.params.get("search") or call.params["filter"],
                    collected_at=fetched, segment=SEGMENT, note=partial_note(first, last, counted_on=fetched.date()))
                    for q in same]
            return rows

        rows = [row for rows in run.map(self.provider, fetch, calls) for row in rows]
        return pd.DataFrame(rows + shares_of_population(rows))

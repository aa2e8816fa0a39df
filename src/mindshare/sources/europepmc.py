"""Europe PMC: open-access life-science papers per year whose full text (body) names each contender.

One request per count, asking only for the count (`resultType=idlist&pageSize=1`; the answer's `hitCount`):

    GET https://www.ebi.ac.uk/europepmc/webservices/rest/search?format=json&resultType=idlist&pageSize=1
        &query=(BODY:"pytorch" OR BODY:"py-torch") AND OPEN_ACCESS:y AND HAS_FT:y AND PUB_YEAR:2023

Per year: the population (open-access articles whose full text Europe PMC holds: `OPEN_ACCESS:y AND HAS_FT:y`),
and per contender the papers whose body names it (`papers_mentioning`) and those naming it and no other
contender (`papers_only`, with `NOT (...)`), and the papers naming any (`papers_any`): what the report needs
to compare this method with the others (`mindshare.analysis.research_shares`). The share of papers mentioning a
contender is stored beside the counts, computed from the population counted in the same run, so it is never
read off a denominator that has moved since. The words are the scanner's (`mindshare.sources.fulltext`);
Europe PMC tokenises them its own way (a phrase "py-torch" is the words py, torch).

A `hitCount` of 0 is a count (no paper that year); an answer without `hitCount`, an error answer or an HTTP
failure is a failed query and fails the whole source (no partial snapshot). The current year is PARTIAL,
and Europe PMC keeps adding past years' papers as publishers deposit them (docs/research.md).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from mindshare import catalogue
from mindshare.fields import Contender
from mindshare.http import Limit, Provider
from mindshare.observations import Methods, Sources, partial_note, year_period
from mindshare.settings import Settings
from mindshare.sources.base import Call, Run, Source
from mindshare.sources.fulltext import (
    Question,
    by_expression,
    index_questions,
    shares_of_population,
    subject_of,
)

API = "https://www.ebi.ac.uk/europepmc/webservices/rest/search"
POPULATION_QUERY = "OPEN_ACCESS:y AND HAS_FT:y AND PUB_YEAR:{year}"
SEGMENT = "Europe PMC open-access full texts"

def body_term(phrase: str) -> str:
    return f'BODY:"{phrase}"'


def year_query(question: Question, year: int) -> str:
    population = POPULATION_QUERY.format(year=year)
    return population if question.expression is None else f"{question.expression} AND {population}"


def hit_count(data, source: "EuropePmcSource", url: str) -> int:
    """`hitCount` of a search answer (0 is a count); a body without it is a failed query, not a zero."""
    if not isinstance(data, dict) or not isinstance(data.get("hitCount"), int) or data["hitCount"] < 0:
        raise source.schema_error("'hitCount' (a count of papers)", url)
    return data["hitCount"]


class EuropePmcSource(Source):
    name = "europepmc"
    title = "Europe PMC"
    provider = Provider(
        "europepmc", "Europe PMC REST API", "www.ebi.ac.uk",
        # Europe PMC publishes no number; a few requests a second, two at a time, is our choice
        limit=Limit(per_second=5.0, burst=5, concurrency=2),
        limits_doc="https://europepmc.org/RestfulWebService (no published limit; 5 requests a second is ours)",
        hint="Europe PMC may be busy; wait a few minutes and run `mindshare collect europepmc` again")
    signal = "research"
    source = Sources.EUROPE_PMC
    method = Methods.EUROPE_PMC
    identifier = ""  # every contender has words to search for
    metrics = (catalogue.POPULATION_PAPERS, catalogue.PAPERS_MENTIONING, catalogue.PAPERS_ONLY, catalogue.PAPERS_ANY,
               catalogue.PCT_PAPERS_MENTIONING)
    measures = "open-access papers per year whose full text names the contender (life sciences)"

    def _calls(self, contenders: list[Contender], since: date, today: date) -> list[tuple[list[Question], int, Call]]:
        asked = by_expression(index_questions(self.eligible(contenders), body_term))
        return [(same, year, Call(self.provider, API, {
                    "query": year_query(same[0], year), "format": "json", "resultType": "idlist", "pageSize": 1},
                    f"{', '.join(q.metric + (':' + q.contender.id if q.contender else '') for q in same)} in {year}"))
                for year in range(since.year, today.year + 1) for same in asked]

    def plan(self, contenders: list[Contender], since: date, today: date, settings: Settings) -> list[Call]:
        return [call for *_, call in self._calls(contenders, since, today)]

    def collect(self, run: Run) -> pd.DataFrame:
        calls = self._calls(run.contenders, run.since, run.today)
        run.set_total(len(calls))

        def fetch(job) -> list[dict]:
            same, year, call = job
            data, fetched = run.http.fetch_json(self.provider, call.url, call.params)
            count = hit_count(data, self, call.full_url)
            run.advance(1)
            first, last, label = year_period(year)
            return [self.observation(
                contender=q.contender, subject=subject_of(q), metric=q.metric, value=count, period_start=first,
                period_end=last, period_label=label, unit="papers", reference=call.full_url,
                query=call.params["query"], collected_at=fetched, segment=SEGMENT,
                note=partial_note(first, last, counted_on=fetched.date())) for q in same]

        rows = [row for rows in run.map(self.provider, fetch, calls) for row in rows]
        return pd.DataFrame(rows + shares_of_population(rows))

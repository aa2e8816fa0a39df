"""What a series measures, read from its metric: what kind of number it is, whether it was sampled, plain words.

Every later rule depends on these properties, so they are decided here once, from the metric (and, for sampling, the
source's own words), never guessed sentence by sentence:

- **kind** says which comparison is like for like:
  `events` (new things counted in a period: posts, papers, questions; periods add up, so small counts can be pooled
  over a trailing window), `cumulative` (a running total such as all-time stars: its level is history, and "who is
  ahead now" is read from its flow, the new ones per period), `volume` (downloads in a window: huge counts whose
  windows cannot be added when they overlap), `share` (a survey's percentage of respondents), `index` (search
  interest, scaled by its provider), `page count` (how many web pages a search engine reports: a fact about the web,
  never "search interest"), and `level` for anything else.
- **sampled** says whether a significance test or an interval of chance makes sense at all. Survey respondents are a
  sample of a population; job posts in one forum's hiring threads are a small draw from employers' demand; papers
  read from a sample are a sample. A complete count (every Stack Overflow question with a tag, every download in
  PyPI's logs, every paper of a venue scanned in full, every article counted) has no sampling error: a test on it
  would answer a question nobody asked, so none is made and the figure is given as counted.

The vocabulary below is the project's own metric names (what its sources and importers write), not any field's: a
field of web frameworks uses the same metrics. An unknown metric gets `level`, not sampled, and its name in words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EVENTS, CUMULATIVE, VOLUME, SHARE, INDEX, PAGE_COUNT, LEVEL = (
    "events", "cumulative", "volume", "share", "index", "page count", "level")

# signals whose readings are choices being made now (what the verdict weighs) vs records of the past
SIGNAL_WORDS = {
    "jobs": "jobs", "downloads": "downloads", "github": "GitHub", "qa": "Stack Overflow questions",
    "research": "research papers", "usage": "developer surveys", "search": "search interest",
    "articles": "articles", "models": "shared models", "books": "books",
}


@dataclass(frozen=True)
class Measure:
    kind: str
    sampled: bool
    what: str              # plain words for what one unit is: "job posts naming it"
    why: str               # why it is (not) treated as a sample, in words for a method note
    unit: str = ""         # the unit of its value in sentences: "posts", "downloads", "% of respondents"
    short: str = ""        # a name for lists: "Hacker News job posts"

    @property
    def name(self) -> str:
        return self.short or self.what

    @property
    def additive(self) -> bool:
        """Whether readings of consecutive periods can be added (pooled) into one reading of a longer period."""
        return self.kind == EVENTS


_COMPLETE = "a complete count of what the source holds: nothing was sampled, so it is given as counted, untested"
_SURVEY = "survey respondents are a sample of the population surveyed: intervals and tests apply"

# metric -> (kind, sampled, what, unit, short name)
_KNOWN: dict[str, tuple[str, bool, str, str, str]] = {
    "posts_mentioning": (EVENTS, True, "Hacker News 'Who is hiring?' job posts naming it", "posts",
                         "Hacker News job posts"),
    "posts_matching": (EVENTS, True, "Hacker News 'Who is hiring?' job posts naming it", "posts",
                       "Hacker News job posts"),
    "job_listings": (LEVEL, False, "open job listings naming it", "listings", "job listings"),
    "job_postings": (EVENTS, False, "job postings naming it", "postings", "job postings"),
    "job_count": (LEVEL, False, "open job listings naming it", "listings", "job listings"),
    "downloads_30d": (VOLUME, False, "downloads from PyPI", "downloads", "PyPI downloads"),
    "downloads_month": (VOLUME, False, "downloads from PyPI", "downloads", "PyPI downloads"),
    "downloads_month_bigquery": (VOLUME, False, "downloads from PyPI", "downloads", "PyPI downloads"),
    "downloads_365d": (VOLUME, False, "downloads from PyPI in a year", "downloads", "PyPI downloads"),
    "downloads": (VOLUME, False, "downloads", "downloads", "downloads"),
    "pypi_downloads": (VOLUME, False, "downloads from PyPI", "downloads", "PyPI downloads"),
    "github_stars": (CUMULATIVE, False, "GitHub stars", "stars", "GitHub stars"),
    "stars": (CUMULATIVE, False, "GitHub stars", "stars", "GitHub stars"),
    "stars_new_month": (EVENTS, False, "new GitHub stars", "stars", "new GitHub stars"),
    "github_stars_new": (EVENTS, False, "new GitHub stars", "stars", "new GitHub stars"),
    "stackoverflow_questions": (CUMULATIVE, False, "Stack Overflow questions", "questions", "Stack Overflow questions"),
    "questions_total": (CUMULATIVE, False, "Stack Overflow questions", "questions", "Stack Overflow questions"),
    "questions_per_year": (EVENTS, False, "new Stack Overflow questions", "questions", "Stack Overflow questions"),
    "stackoverflow_questions_per_year": (EVENTS, False, "new Stack Overflow questions", "questions",
                                         "Stack Overflow questions"),
    "questions_month": (EVENTS, False, "new Stack Overflow questions", "questions", "Stack Overflow questions"),
    "questions_per_month": (EVENTS, False, "new Stack Overflow questions", "questions", "Stack Overflow questions"),
    "papers_mentioning_only": (EVENTS, False, "conference papers that name it and not the other", "papers",
                               "conference papers"),
    "papers_mentioning": (EVENTS, False, "papers naming it", "papers", "papers"),
    "papers_only": (EVENTS, False, "papers naming it alone", "papers", "papers"),
    "papers_month": (EVENTS, False, "arXiv papers naming it", "papers", "arXiv papers"),
    "arxiv_papers": (EVENTS, False, "arXiv papers naming it", "papers", "arXiv papers"),
    "medium_articles_new": (EVENTS, False, "new Medium articles about it", "articles", "Medium articles"),
    "search_interest": (INDEX, False, "Google search interest", "index points", "search interest"),
    "google_trends_interest": (INDEX, False, "Google search interest", "index points", "search interest"),
    "pageviews": (EVENTS, False, "Wikipedia page views", "views", "Wikipedia page views"),
    "pageviews_month": (EVENTS, False, "Wikipedia page views", "views", "Wikipedia page views"),
    "wikipedia_pageviews": (EVENTS, False, "Wikipedia page views", "views", "Wikipedia page views"),
    "google_search_results": (PAGE_COUNT, False, "web pages Google reports for its name (a result count, not "
                              "search interest)", "pages", "Google result counts"),
    "models": (CUMULATIVE, False, "models shared on Hugging Face", "models", "Hugging Face models"),
}
_SURVEY_SHARE = re.compile(r"(?:^|_)survey_share(?:_of_all)?$")
_SURVEY_COUNT = re.compile(r"(?:^|_)survey_count$")
_SAMPLE_WORDS = re.compile(r"\bsampl", re.IGNORECASE)


def describe(metric: str, *, source: str = "", method: str = "", unit: str = "") -> Measure:
    """The Measure of a metric. `source` and `method` only decide sampling for counts that may be sampled.

    Counts of papers or posts are complete unless the source or method says they come from a sample (a scan of a
    random sample of a venue's papers names "sample" in its method): then they are a sample.
    """
    metric = str(metric or "")
    if _SURVEY_SHARE.search(metric) or metric.endswith("survey_share"):
        return Measure(SHARE, True, "respondents who use it", _SURVEY, "% of respondents", "survey")
    if _SURVEY_COUNT.search(metric):
        return Measure(EVENTS, True, "respondents who use it", _SURVEY, "respondents", "survey")
    if metric in _KNOWN:
        kind, sampled, what, words, short = _KNOWN[metric]
        said_sampled = bool(_SAMPLE_WORDS.search(f"{source} {method}"))
        if kind == EVENTS and not sampled and said_sampled:
            return Measure(kind, True, what, "read from a sample, as its source or method says: intervals apply",
                           words, short)
        why = ("posts in one forum's monthly hiring threads are a small, noisy draw from employers' demand: a lead "
               "is claimed only when chance is ruled out") if sampled else _COMPLETE
        if kind == INDEX:
            why = ("an index its provider computes and rescales; no sampling error is published, so no interval "
                   "or test is made")
        if kind == PAGE_COUNT:
            why = "an estimate a search engine prints for a query: a fact about the web, not about what people search"
        return Measure(kind, sampled, what, why, words, short)
    words = metric.replace("_", " ").strip() or "value"
    if "cumulative" in unit.lower():
        return Measure(CUMULATIVE, False, words, _COMPLETE, unit)
    return Measure(LEVEL, False, words, "a reading as published; no sampling is known, so no test is made", unit)


def signal_words(signal: str) -> str:
    """The signal's name in words for a reader ("research papers" for research)."""
    return SIGNAL_WORDS.get(signal, str(signal).replace("_", " "))

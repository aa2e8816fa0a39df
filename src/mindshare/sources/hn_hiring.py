"""Hacker News "Ask HN: Who is hiring?": job posts per month and the posts naming each contender.

Where the numbers come from: the HN Algolia API. `search_by_date` with `tags=story,author_whoishiring` lists the
monthly threads (the whoishiring account posts them, since April 2011); `items/{id}` returns a thread with its
comments. Each top-level comment is one job post (one company; the thread's rules say so).

How it is counted (method `METHOD`), the same way as ryanwi/hiringtrends, whose series is bundled:
- posts: top-level comments that have text (deleted or flagged ones have none and are not posts);
- a post names a contender when its text (HTML tags removed, entities decoded) contains one of the contender's
  names, aliases or patterns as a whole word, in any case; a post counts once per contender however often it
  names it; `pct_of_posts` = posts naming it / posts * 100;
- ambiguous names (the field's `ambiguous` key: "jax", "gluon", "Paddle") also mean something else in job posts
  (Java's JAX-RS/JAX-WS, Jacksonville's airport code, Gluon the JavaFX company, Paddle the payments firm).
  Such a name counts only (a) as a standalone word, not inside a hyphenated compound like "JAX-RS", and
  (b) in a post that also speaks of machine learning: another contender's unambiguous name, or one of
  `ML_CONTEXT`. A real JAX job post nearly always says "machine learning" or "ML"; a Java post about JAX-RS
  or an office in Jacksonville does not. The rule errs towards missing a few true mentions rather than
  counting false ones.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, Sequence

import pandas as pd

from mindshare import catalogue
from mindshare.errors import SourceError
from mindshare.fields import Contender, Field
from mindshare.http import Http, Limit, Provider
from mindshare.observations import Methods, Sources, month_period, partial_note
from mindshare.settings import Settings
from mindshare.sources.base import Call, Run, Source

SOURCE = Sources.HN_ALGOLIA
METHOD = Methods.HN_ALGOLIA
API = "https://hn.algolia.com/api/v1"
THREAD_URL = "https://news.ycombinator.com/item?id={id}"
ML_CONTEXT = ("machine learning", "deep learning", "ML", "AI", "neural network", "neural networks",
              "computer vision", "NLP", "LLM", "LLMs")
_TITLE = re.compile(r"ask hn:\s*who is hiring\?\s*\((?P<month>[a-z]+)\.?\s+(?P<year>\d{4})\)", re.IGNORECASE)
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_TAG = re.compile(r"<[^>]+>")
FIRST_THREAD = date(2011, 4, 1)   # the whoishiring account's first monthly thread


@dataclass(frozen=True)
class Thread:
    id: int
    title: str
    month: date  # first day of the month the thread is for


def thread_month(title: str) -> date | None:
    """The month a 'Who is hiring?' title is for, or None when the title is not one (e.g. 'Who wants to be hired?')."""
    found = _TITLE.search(title or "")
    if not found:
        return None
    month = _MONTHS.get(found.group("month")[:3].lower())
    return date(int(found.group("year")), month, 1) if month else None


def threads_from_search(pages: Iterable[dict]) -> list[Thread]:
    """Monthly threads in search_by_date pages, one per month (the first posted wins), oldest first."""
    found: dict[date, Thread] = {}
    for page in pages:
        for hit in page.get("hits", []):
            month = thread_month(hit.get("title", ""))
            if month is None:
                continue
            thread = Thread(int(hit["objectID"]), hit["title"], month)
            if month not in found or thread.id < found[month].id:
                found[month] = thread
    return [found[m] for m in sorted(found)]


def find_threads(http: Http, since: date | None = None) -> list[Thread]:
    pages = []
    page = 0
    while True:
        data = http.get_json(HnHiringSource.provider, f"{API}/search_by_date",
                             {"tags": "story,author_whoishiring", "query": "who is hiring", "page": page,
                              "hitsPerPage": 100})
        pages.append(data)
        hits = data.get("hits", [])
        oldest = min((h.get("created_at", "") for h in hits), default="")
        if not hits or page + 1 >= int(data.get("nbPages", 0)) or (since and oldest[:7] < since.isoformat()[:7]):
            break
        page += 1
    threads = threads_from_search(pages)
    return [t for t in threads if since is None or t.month >= since]


def post_text(comment: dict) -> str:
    return html.unescape(_TAG.sub(" ", comment.get("text") or ""))


def job_posts(thread: dict) -> list[str]:
    """The texts of a thread's top-level comments that have text (deleted ones have none)."""
    return [post_text(c) for c in thread.get("children") or [] if (c.get("text") or "").strip()]


def _words(terms: Iterable[str]) -> re.Pattern | None:
    terms = sorted({t.strip() for t in terms if t and t.strip()}, key=len, reverse=True)
    if not terms:
        return None
    return re.compile(r"(?<![\w])(?:" + "|".join(re.escape(t) for t in terms) + r")(?![\w])", re.IGNORECASE)


def _standalone(terms: Iterable[str]) -> re.Pattern | None:
    # not inside a hyphenated or dotted compound: JAX-RS, jax.ws, Gluon-Mobile, paddle.com
    terms = sorted({t.strip() for t in terms if t and t.strip()}, key=len, reverse=True)
    if not terms:
        return None
    return re.compile(r"(?<![\w\-.])(?:" + "|".join(re.escape(t) for t in terms) + r")(?![\w]|[\-.]\w)",
                      re.IGNORECASE)


@dataclass(frozen=True)
class Matcher:
    contender: Contender
    plain: re.Pattern | None
    ambiguous: re.Pattern | None


def _contenders(field_or_list) -> list[Contender]:
    return list(field_or_list.contenders) if isinstance(field_or_list, Field) else list(field_or_list)


def matchers(field: Field | Sequence[Contender]) -> list[Matcher]:
    result = []
    for c in _contenders(field):
        ambiguous = {a.casefold() for a in c.ambiguous}
        terms = [t for t in (*c.names, *c.patterns)]
        result.append(Matcher(c, _words(t for t in terms if t.casefold() not in ambiguous),
                              _standalone(t for t in terms if t.casefold() in ambiguous)))
    return result


def count_mentions(posts: list[str], field: Field | Sequence[Contender], context: Iterable[str] = ML_CONTEXT) -> dict[str, int]:
    """Posts naming each contender (see the module's rules for ambiguous names)."""
    found = matchers(field)
    context_pattern = _words(context)
    counts = {m.contender.id: 0 for m in found}
    for text in posts:
        plain_hits = {m.contender.id for m in found if m.plain and m.plain.search(text)}
        has_context = bool(plain_hits) or bool(context_pattern and context_pattern.search(text))
        for m in found:
            if m.contender.id in plain_hits or (has_context and m.ambiguous and m.ambiguous.search(text)):
                counts[m.contender.id] += 1
    return counts


def count_terms(posts: list[str], terms: dict[str, list[str]]) -> dict[str, int]:
    """Posts containing any of each term's words (whole word, any case): for dictionaries like hiringtrends'."""
    compiled = {name: _words(words) for name, words in terms.items()}
    return {name: sum(1 for text in posts if pattern and pattern.search(text)) for name, pattern in compiled.items()}


def thread_observations(thread: dict, field: Field | Sequence[Contender], *, month: date | None = None,
                        collected_at: datetime | None = None, today: date | None = None) -> pd.DataFrame:
    """Observations for one thread: posts, and posts naming / % of posts naming each contender.

    `collected_at` is when the thread was fetched (`Http.fetched_at` of its items/{id} answer); a thread read
    from elsewhere has none."""
    month = month or thread_month(thread.get("title", ""))
    if month is None:
        raise SourceError(f"hn: item {thread.get('id')} ({thread.get('title')!r}) is not a 'Who is hiring?' thread")
    posts = job_posts(thread)
    first, last, label = month_period(month)
    # a thread whose month is not over still gathers posts: flagged, and superseded by a later run
    partial = partial_note(first, last, counted_on=today) if today else None
    source = HnHiringSource()
    common = dict(period_start=first, period_end=last, period_label=label,
                  reference=THREAD_URL.format(id=thread.get("id")), query=f"{API}/items/{thread.get('id')}",
                  collected_at=collected_at)
    rows = [source.observation(contender=None, subject="_all_posts", metric="job_posts", value=len(posts),
                               unit="job_posts", note="; ".join(filter(None, [thread.get("title"), partial])),
                               **common)]
    counts = count_mentions(posts, field)
    for contender in _contenders(field):
        count = counts[contender.id]
        rows.append(source.observation(contender=contender, subject=contender.name, metric="posts_mentioning",
                                       value=count, unit="posts_mentioning", note=partial, **common))
        rows.append(source.observation(
            contender=contender, subject=contender.name, metric="pct_of_posts",
            value=round(100 * count / len(posts), 2) if posts else None,
            value_text=None if posts else "thread has no posts", unit="pct_of_posts", note=partial, **common))
    return pd.DataFrame(rows)


class HnHiringSource(Source):
    """`mindshare collect hn_hiring` / `mindshare jobs collect -s hn`: the monthly threads since --since."""

    name = "hn_hiring"
    title = "Hacker News 'Who is hiring?'"
    # HN Search (Algolia) allows 10,000 requests an hour per IP (https://hn.algolia.com/api).
    provider = Provider(
        "hn", "HN Search API (Algolia)", "hn.algolia.com",
        limit=Limit(per_second=10000 / 3600, burst=10, concurrency=2),
        limits_doc="https://hn.algolia.com/api (10,000 requests per hour per IP)",
        hint="HN Search allows 10,000 requests an hour; wait and run `mindshare jobs collect -s hn` again")
    signal = "jobs"
    source = SOURCE
    method = METHOD
    identifier = ""
    metrics = (catalogue.JOB_POSTS, catalogue.POSTS_MENTIONING, catalogue.PCT_OF_POSTS)
    measures = "job posts per monthly 'Who is hiring?' thread, and the posts naming each contender"

    def plan(self, contenders, since, today, settings: Settings) -> list[Call]:
        return [Call(self.provider, f"{API}/search_by_date", {"tags": "story,author_whoishiring",
                                                              "query": "who is hiring", "page": 0,
                                                              "hitsPerPage": 100}, "find the monthly threads")]

    def collect(self, run: Run) -> pd.DataFrame:
        start = max(run.since.replace(day=1), FIRST_THREAD)
        threads = find_threads(run.http, start)
        if not threads:
            raise SourceError(f"hn: no 'Ask HN: Who is hiring?' threads found since {start:%Y-%m}; "
                              f"the search API may have changed")
        run.set_total(len(threads))

        def fetch(thread: Thread) -> pd.DataFrame:
            item, fetched = run.http.fetch_json(self.provider, f"{API}/items/{thread.id}")
            run.advance(1)
            return thread_observations(item, run.contenders, month=thread.month, collected_at=fetched,
                                       today=run.today)

        return pd.concat(run.map(self.provider, fetch, threads), ignore_index=True)

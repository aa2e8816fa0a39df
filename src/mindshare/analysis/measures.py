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

The records are the catalogue's (mindshare.catalogue), declared once for every producer and reader, not any
field's: a field of web frameworks uses the same metrics. An unknown metric gets `level`, not sampled, and its name
in words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mindshare.catalogue import (
    CATALOGUE,
    CHANGE,
    COMPARED_KINDS,
    CUMULATIVE,
    EVENTS,
    INDEX,
    LEVEL,
    PAGE_COUNT,
    RATIO,
    SHARE,
    VOLUME,
    Catalogue,
    Signal,
)

__all__ = ["CHANGE", "COMPARED_KINDS", "CUMULATIVE", "EVENTS", "INDEX", "LEVEL", "Measure", "PAGE_COUNT", "RATIO",
           "SHARE", "VOLUME", "describe", "signal_words"]


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
_SURVEY_SHARE = re.compile(r"(?:^|_)survey_share(?:_of_all)?$")
_SURVEY_COUNT = re.compile(r"(?:^|_)survey_count$")
_SAMPLE_WORDS = re.compile(r"\bsampl", re.IGNORECASE)


def describe(metric: str, *, source: str = "", method: str = "", unit: str = "",
             catalogue: Catalogue = CATALOGUE) -> Measure:
    """The Measure of a metric, from its catalogue record. `source` and `method` only decide sampling for counts
    that may be sampled.

    Counts of papers or posts are complete unless the source or method says they come from a sample (a scan of a
    random sample of a venue's papers names "sample" in its method): then they are a sample.
    """
    metric = str(metric or "")
    if _SURVEY_SHARE.search(metric) or metric.endswith("survey_share"):
        return Measure(SHARE, True, "respondents who use it", _SURVEY, "% of respondents", "survey")
    if _SURVEY_COUNT.search(metric):
        return Measure(EVENTS, True, "respondents who use it", _SURVEY, "respondents", "survey")
    record = catalogue.metric(metric)
    if record is not None and (record.what or record.kind != LEVEL):
        kind, sampled, what, words, short = record.kind, record.sampled, record.words, record.unit, record.short
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
        if kind == RATIO:
            why = ("a ratio the source published, without the two figures it divides: given as published, with no "
                   "interval")
        if kind == CHANGE:
            why = "how much something grew over a period: it says who grew, not who is ahead, so no lead is read"
        return Measure(kind, sampled, what, why, words, short)
    words = metric.replace("_", " ").strip() or "value"
    if "cumulative" in unit.lower():
        return Measure(CUMULATIVE, False, words, _COMPLETE, unit)
    return Measure(LEVEL, False, words, "a reading as published; no sampling is known, so no test is made", unit)


def signal_words(signal: str, catalogue: Catalogue = CATALOGUE) -> str:
    """The signal's name in words for a reader ("research papers" for research)."""
    return catalogue.signal(signal).spoken


def signal_of(name: str, catalogue: Catalogue = CATALOGUE) -> Signal:
    return catalogue.signal(name)

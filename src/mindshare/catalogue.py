"""What a number means, declared once: the signals (what kind of adoption a number speaks of) and the metrics (what
exactly was counted), as records every layer reads.

A `Signal` says how the answer speaks of it: its words, where it comes in the answer, which readers it advises, how
its segments combine, which of its metrics it prefers. A `Metric` says what kind of number it is (`kind`: events,
cumulative, volume, share, index, page count, level), whether it was sampled, its unit and words, and its chart
title. Producers (live sources, importers, the bundle) build their rows from these records (`metric.name`) and list
the ones they produce; analysis, wording and report read them here. `CATALOGUE` holds them all; it refuses a name
given twice, and a metric of a signal it does not know.

Nothing here names a field: a field of web frameworks or databases is measured with the same records. An unknown
metric is a `level`, not sampled, its name in words; an unknown signal is spoken of last, by its name.

Survey metrics are a family (`SurveyMetrics`): every survey writes `<prefix>_share`, `_count`, `_n`, ... so that a
survey added later is read like the others without a record of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

# -- kinds of number -------------------------------------------------------------------------------------------
# events: new things counted in a period (posts, papers, questions; periods add up); cumulative: a running total
# (all-time stars: "who is ahead now" is read from its flow); volume: downloads in a window (windows that overlap
# never add up); share: a survey's % of respondents; index: search interest, scaled by its provider; page count: web
# pages a search engine reports (a fact about the web, never "search interest"); level: anything else, read as it
# stands (a count of dependents today, open job listings).
# Two kinds are not levels of adoption at all: ratio: a ratio of two contenders' figures a source published (often in
# words: "about 2"), with neither figure; change: how much something grew over a period (a growth rate, new listings
# minus old ones), which answers "who grew" and never "who is ahead".
EVENTS, CUMULATIVE, VOLUME, SHARE, INDEX, PAGE_COUNT, LEVEL, RATIO, CHANGE = (
    "events", "cumulative", "volume", "share", "index", "page count", "level", "ratio", "change")
KINDS = (EVENTS, CUMULATIVE, VOLUME, SHARE, INDEX, PAGE_COUNT, LEVEL, RATIO, CHANGE)
COMPARED_KINDS = (EVENTS, CUMULATIVE, VOLUME, SHARE, INDEX, PAGE_COUNT, LEVEL)   # read as who is ahead

# -- the readers the answer advises, in the order it speaks to them ---------------------------------------------
LEARNER = "a learner or job seeker"
RESEARCHER = "a researcher"
PRODUCTION = "a production team"
READERS = (LEARNER, RESEARCHER, PRODUCTION)


@dataclass(frozen=True)
class Reader:
    """Someone the answer advises, and what they would want measured. Advice names what each measure shows; where
    no measure shows what the reader needs (a signal with a `proxy` stands in for use, it does not count it), the
    advice says so first."""

    name: str
    need: str                    # "use in production"


READER_NEEDS = {LEARNER: Reader(LEARNER, "what employers ask for and what developers use"),
                RESEARCHER: Reader(RESEARCHER, "what research is done with"),
                PRODUCTION: Reader(PRODUCTION, "use in production")}


@dataclass(frozen=True)
class Signal:
    """One kind of adoption a number speaks of."""

    name: str
    about: str                               # what it counts, for lists and help
    words: str = ""                          # its name in a sentence: "research papers"
    order: int | None = None                 # where the answer speaks of it (choices made now first); None: last
    readers: tuple[str, ...] = ()            # READERS it advises
    sum_segments: bool = False               # its segments add up (venues); survey segments and countries do not
    prefers: tuple[tuple[str, ...], ...] = ()   # metric names, best first; a group's metrics share one rank (the
                                                # one read most recently wins among them)
    compared: bool = True                    # False: not a measure of the contenders (weights, other figures)
    shows: str = ""                          # what a lead in it shows a reader, plainly, with {name} for the
                                             # leader: "employers name {name} more often"
    proxy: str = ""                          # what it counts instead of use, when it stands in for use: "installs,
                                             # CI runs and dependency pulls included" (empty: it counts it directly)

    @property
    def spoken(self) -> str:
        return self.words or self.name.replace("_", " ")


@dataclass(frozen=True)
class Metric:
    """What exactly was counted."""

    name: str
    signal: str
    kind: str = LEVEL
    sampled: bool = False        # a draw from a population: an interval or a test of chance applies
    what: str = ""               # plain words for one unit: "job posts naming it"
    unit: str = ""               # the unit of its value in sentences: "posts", "% of respondents"
    short: str = ""              # a name for lists: "Hacker News job posts"
    chart_title: str = ""        # the title of its chart, where the report draws it alone
    total: bool = False          # a running total the report lists among a contender's latest totals
    coverage: str = ""           # what narrow slice it is read from, when it is one: "one forum's hiring threads"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"metric {self.name!r}: kind {self.kind!r} is none of {', '.join(KINDS)}")

    @property
    def words(self) -> str:
        return self.what or self.name.replace("_", " ").strip() or "value"


@dataclass(frozen=True)
class SurveyMetrics:
    """The metric names of one survey: SurveyMetrics('so_survey').share == 'so_survey_share'."""

    prefix: str

    @property
    def share(self) -> str:
        return f"{self.prefix}_share"

    @property
    def share_of_all(self) -> str:
        return f"{self.prefix}_share_of_all"

    @property
    def count(self) -> str:
        return f"{self.prefix}_count"

    @property
    def n(self) -> str:
        return f"{self.prefix}_n"

    @property
    def respondents(self) -> str:
        return f"{self.prefix}_respondents"

    @property
    def note(self) -> str:
        return f"{self.prefix}_note"


class Catalogue:
    """Signals and metrics by name. A name given twice, or a metric of an unknown signal, is refused."""

    def __init__(self, signals: Iterable[Signal], metrics: Iterable[Metric] = ()) -> None:
        self._signals: dict[str, Signal] = {}
        self._metrics: dict[str, Metric] = {}
        for signal in signals:
            if signal.name in self._signals:
                raise ValueError(f"signal {signal.name!r} declared twice")
            self._signals[signal.name] = signal
        for metric in metrics:
            self._add(metric)

    def _add(self, metric: Metric) -> None:
        if metric.name in self._metrics:
            raise ValueError(f"metric {metric.name!r} declared twice")
        if metric.signal not in self._signals:
            raise ValueError(f"metric {metric.name!r}: no signal {metric.signal!r}")
        self._metrics[metric.name] = metric

    def with_metrics(self, metrics: Iterable[Metric]) -> Catalogue:
        """A catalogue with these metrics added (a name already known is refused)."""
        grown = Catalogue(self._signals.values(), self._metrics.values())
        for metric in metrics:
            grown._add(metric)
        return grown

    # -- signals ---------------------------------------------------------------------------------------------
    @property
    def signals(self) -> tuple[Signal, ...]:
        return tuple(self._signals.values())

    @property
    def signal_names(self) -> tuple[str, ...]:
        return tuple(self._signals)

    def signal(self, name: str) -> Signal:
        """The signal's record; an unknown one (a field's own) is spoken of by its name, last."""
        return self._signals.get(name) or Signal(str(name), about="")

    def order(self, name: str) -> int:
        """Where the answer speaks of a signal: declared ones by their order, the rest after them."""
        order = self.signal(name).order
        return order if order is not None else len(self._signals)

    def readers_of(self, reader: str) -> tuple[str, ...]:
        """The signals that advise `reader`, in the answer's order."""
        return tuple(sorted((s.name for s in self.signals if reader in s.readers), key=self.order))

    def summed_over_segments(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.signals if s.sum_segments)

    def not_compared(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.signals if not s.compared)

    def preference(self, signal: str, metric: str) -> int:
        """The rank of `metric` among the signal's preferred metrics (a group shares one rank); unlisted last."""
        prefers = self.signal(signal).prefers
        for rank, group in enumerate(prefers):
            if metric in group:
                return rank
        return len(prefers)

    # -- metrics ---------------------------------------------------------------------------------------------
    @property
    def metrics(self) -> tuple[Metric, ...]:
        return tuple(self._metrics.values())

    def metric(self, name: str) -> Metric | None:
        return self._metrics.get(str(name))

    def of_signal(self, signal: str) -> tuple[Metric, ...]:
        return tuple(m for m in self._metrics.values() if m.signal == signal)

    def totals(self) -> tuple[str, ...]:
        return tuple(m.name for m in self._metrics.values() if m.total)

    def charted_alone(self) -> tuple[Metric, ...]:
        return tuple(m for m in self._metrics.values() if m.chart_title)


# the surveys mindshare reads (importers, the bundle): each writes the family of metrics SurveyMetrics names
STACKOVERFLOW_SURVEY = SurveyMetrics("so_survey")
KAGGLE_SURVEY = SurveyMetrics("kaggle_survey")

# -- the signals ---------------------------------------------------------------------------------------------------
JOBS = Signal("jobs", "job listings and job posts naming each contender", "jobs", order=1, readers=(LEARNER,),
              prefers=(("posts_mentioning", "posts_matching"), ("job_postings",), ("job_listings",), ("job_count",)),
              shows="employers name {name} more often")
RESEARCH = Signal("research", "papers mentioning each contender", "research papers", order=3, readers=(RESEARCHER,),
                  sum_segments=True,
                  prefers=(("papers_mentioning_only",), ("arxiv_papers",), ("papers_mentioning",)),
                  shows="more papers name {name}")
SEARCH = Signal("search", "search interest (Google Trends, Wikipedia pageviews)", "search interest", order=7,
                prefers=(("search_interest",), ("google_trends_interest",), ("pageviews",), ("wikipedia_pageviews",)),
                shows="more people look {name} up", proxy="searches, not use")
USAGE = Signal("usage", "developer surveys: share of respondents who use each contender", "developer surveys",
               order=2, readers=(LEARNER,), prefers=((STACKOVERFLOW_SURVEY.share,),),
               shows="more developers say they use {name}")
DOWNLOADS = Signal("downloads", "package downloads (PyPI, npm)", "downloads", order=0, readers=(PRODUCTION,),
                   prefers=(("downloads_30d",), ("downloads_month",), ("downloads",)),
                   shows="{name} is installed more often", proxy="installs, CI and dependency pulls included")
GITHUB = Signal("github", "GitHub stars, forks, contributors, releases", "GitHub", order=4, readers=(PRODUCTION,),
                prefers=(("github_stars",), ("stars",)), shows="more developers bookmark {name}",
                proxy="stars are bookmarks, not use")
QA = Signal("qa", "Stack Overflow questions", "Stack Overflow questions", order=6, readers=(PRODUCTION,),
            prefers=(("questions_per_year",), ("stackoverflow_questions_per_year",), ("questions_per_month",),
                     ("questions",)), shows="more questions are asked about {name}", proxy="questions asked, not use")
DEPENDENTS = Signal("dependents", "repositories that depend on each contender (GitHub's \"Used by\")",
                    "dependent repositories", order=5, readers=(PRODUCTION,), prefers=(("github_dependents",),),
                    shows="more public repositories depend on {name}",
                    proxy="repositories declaring it, not use in production")
MODELS = Signal("models", "models on the Hugging Face Hub", "shared models", shows="more models are shared for {name}",
                proxy="models shared, not use")
ARTICLES = Signal("articles", "articles written about each contender", "articles", order=8,
                  shows="more articles are written about {name}", proxy="articles written, not use")
SCORE_WEIGHTS = Signal("score_weights", "weights of published composite scores", compared=False)
OTHER = Signal("other", "published figures of other kinds", compared=False)

_SIGNALS = (JOBS, RESEARCH, SEARCH, USAGE, DOWNLOADS, GITHUB, DEPENDENTS, QA, MODELS, ARTICLES, SCORE_WEIGHTS, OTHER)

# -- the metrics -----------------------------------------------------------------------------------------------------
_HN_POSTS = "Hacker News 'Who is hiring?' job posts naming it"
_PYPI = "downloads from PyPI"
_SO = "Stack Overflow questions"
_NEW_SO = "new Stack Overflow questions"
_WIKI = "Wikipedia page views"

# jobs
_ONE_FORUM = "one forum's monthly hiring threads"
POSTS_MENTIONING = Metric("posts_mentioning", "jobs", EVENTS, True, _HN_POSTS, "posts", "Hacker News job posts",
                          coverage=_ONE_FORUM)
POSTS_MATCHING = Metric("posts_matching", "jobs", EVENTS, True, _HN_POSTS, "posts", "Hacker News job posts",
                        coverage=_ONE_FORUM)
PCT_OF_POSTS = Metric("pct_of_posts", "jobs")
PCT_OF_POSTS_MATCHING = Metric("pct_of_posts_matching", "jobs")
JOB_POSTS = Metric("job_posts", "jobs")
JOB_LISTINGS = Metric("job_listings", "jobs", LEVEL, False, "open job listings naming it", "listings", "job listings")
JOB_POSTINGS = Metric("job_postings", "jobs", EVENTS, False, "job postings naming it", "postings", "job postings")
JOB_COUNT = Metric("job_count", "jobs", LEVEL, False, "open job listings naming it", "listings", "job listings")
# a ratio of listings the source published in words ("about 2"), over the job boards its segment names
JOB_LISTINGS_RATIO_TEXT = Metric("job_listings_ratio_text", "jobs", RATIO, False, "job listings naming it",
                                 "listings", "job listings")
JOB_LISTINGS_CHANGE_TEXT = Metric("job_listings_change_text", "jobs", CHANGE)
JOB_LISTINGS_NEW = Metric("job_listings_new", "jobs", CHANGE, False, "new job listings (an increase over a period)",
                          "listings", "growth in job listings")
JOB_POSTINGS_GROWTH = Metric("job_postings_growth", "jobs", CHANGE)
SERIES_BRIDGE = Metric("series_bridge", "jobs")     # words: how far two series of one signal may be joined
# downloads
DOWNLOADS_30D = Metric("downloads_30d", "downloads", VOLUME, False, _PYPI, "downloads", "PyPI downloads")
DOWNLOADS_MONTH = Metric("downloads_month", "downloads", VOLUME, False, _PYPI, "downloads", "PyPI downloads")
DOWNLOADS_MONTH_BIGQUERY = Metric("downloads_month_bigquery", "downloads", VOLUME, False, _PYPI, "downloads",
                                  "PyPI downloads")
DOWNLOADS_365D = Metric("downloads_365d", "downloads", VOLUME, False, "downloads from PyPI in a year", "downloads",
                        "PyPI downloads")
DOWNLOADS_ANY = Metric("downloads", "downloads", VOLUME, False, "downloads", "downloads", "downloads")
PYPI_DOWNLOADS = Metric("pypi_downloads", "downloads", VOLUME, False, _PYPI, "downloads", "PyPI downloads")
DOWNLOADS_30D_SUM = Metric("downloads_30d_sum", "downloads")
DOWNLOADS_MONTH_SUM = Metric(
    "downloads_month_sum", "downloads", unit="downloads",
    chart_title="PyPI downloads per month, the contender's packages summed (without mirrors)")
DOWNLOADS_MONTH_BIGQUERY_SUM = Metric(
    "downloads_month_bigquery_sum", "downloads", unit="downloads",
    chart_title="PyPI downloads per month from BigQuery's public dataset (every installer, mirrors included), the "
                "contender's packages summed")
# pypistats.org's counts with mirrors: named apart so that nobody adds them to the counts without
DOWNLOADS_MONTH_WITH_MIRRORS = Metric("downloads_month_with_mirrors", "downloads")
DOWNLOADS_30D_WITH_MIRRORS = Metric("downloads_30d_with_mirrors", "downloads")
DOWNLOADS_MONTH_SUM_WITH_MIRRORS = Metric("downloads_month_sum_with_mirrors", "downloads")
DOWNLOADS_30D_SUM_WITH_MIRRORS = Metric("downloads_30d_sum_with_mirrors", "downloads")
NPM_DOWNLOADS_30D = Metric("npm_downloads_30d", "downloads", VOLUME, False, "downloads from npm", "downloads",
                           "npm downloads")
NPM_DOWNLOADS_MONTH = Metric("npm_downloads_month", "downloads", VOLUME, False, "downloads from npm", "downloads",
                             "npm downloads", chart_title="npm downloads per month, the contender's packages summed")
# github
GITHUB_STARS = Metric("github_stars", "github", CUMULATIVE, False, "GitHub stars", "stars", "GitHub stars")
STARS = Metric("stars", "github", CUMULATIVE, False, "GitHub stars", "stars", "GitHub stars")
STARS_NEW_MONTH = Metric("stars_new_month", "github", EVENTS, False, "new GitHub stars", "stars", "new GitHub stars",
                         chart_title="New GitHub stars per month (current stargazers)")
GITHUB_STARS_NEW = Metric("github_stars_new", "github", EVENTS, False, "new GitHub stars", "stars",
                          "new GitHub stars")
GITHUB_FORKS = Metric("github_forks", "github")
FORKS = Metric("forks", "github", total=True)
WATCHERS = Metric("watchers", "github", total=True)
CONTRIBUTORS = Metric("contributors", "github", total=True)
OPEN_ISSUES = Metric("open_issues", "github", total=True)
RELEASES = Metric("releases", "github", total=True)
# dependents: a count of repositories today (some stop depending), read as it stands, never summed over time
GITHUB_DEPENDENTS = Metric("github_dependents", "dependents", LEVEL, False,
                           "GitHub repositories that depend on it (\"Used by\")", "repositories", "GitHub dependents")
# qa
STACKOVERFLOW_QUESTIONS = Metric("stackoverflow_questions", "qa", CUMULATIVE, False, _SO, "questions", _SO)
QUESTIONS_TOTAL = Metric("questions_total", "qa", CUMULATIVE, False, _SO, "questions", _SO, total=True)
QUESTIONS_PER_YEAR = Metric("questions_per_year", "qa", EVENTS, False, _NEW_SO, "questions", _SO)
STACKOVERFLOW_QUESTIONS_PER_YEAR = Metric("stackoverflow_questions_per_year", "qa", EVENTS, False, _NEW_SO,
                                          "questions", _SO)
QUESTIONS_MONTH = Metric("questions_month", "qa", EVENTS, False, _NEW_SO, "questions", _SO,
                         chart_title="New Stack Overflow questions per month, by tag")
QUESTIONS_PER_MONTH = Metric("questions_per_month", "qa", EVENTS, False, _NEW_SO, "questions", _SO)
QUESTIONS = Metric("questions", "qa")
# research
PAPERS_MENTIONING_ONLY = Metric("papers_mentioning_only", "research", EVENTS, False,
                                "conference papers that name it and not the other", "papers", "conference papers")
PAPERS_MENTIONING = Metric("papers_mentioning", "research", EVENTS, False, "papers naming it", "papers", "papers")
PAPERS_ONLY = Metric("papers_only", "research", EVENTS, False, "papers naming it alone", "papers", "papers")
PAPERS_MONTH = Metric("papers_month", "research", EVENTS, False, "arXiv papers naming it", "papers", "arXiv papers",
                      chart_title="arXiv papers per month naming the contender in title or abstract")
ARXIV_PAPERS = Metric("arxiv_papers", "research", EVENTS, False, "arXiv papers naming it", "papers", "arXiv papers")
TOTAL_PAPERS = Metric("total_papers", "research")
PAPERS_TOTAL = Metric("papers_total", "research")                     # mindshare scan: papers read
PAPERS_SEVERAL = Metric("papers_several", "research")                 # papers naming two contenders or more
PCT_PAPERS_MENTIONING = Metric("pct_papers_mentioning", "research")   # % of the papers read or counted over
PAPERS_ANY = Metric("papers_any", "research")                         # papers naming at least one contender
POPULATION_PAPERS = Metric("population_papers", "research")           # what a count was taken over
PAPERS_SAMPLED = Metric("papers_sampled", "research")                 # sampled papers read without error
PAPERS_FAILED = Metric("papers_failed", "research")                   # sampled papers that could not be read
# search
SEARCH_INTEREST = Metric("search_interest", "search", INDEX, False, "Google search interest", "index points",
                         "search interest")
GOOGLE_TRENDS_INTEREST = Metric("google_trends_interest", "search", INDEX, False, "Google search interest",
                                "index points", "search interest")
PAGEVIEWS = Metric("pageviews", "search", EVENTS, False, _WIKI, "views", _WIKI)
PAGEVIEWS_MONTH = Metric("pageviews_month", "search", EVENTS, False, _WIKI, "views", _WIKI,
                         chart_title="Wikipedia pageviews per month (human users, English article)")
WIKIPEDIA_PAGEVIEWS = Metric("wikipedia_pageviews", "search", EVENTS, False, _WIKI, "views", _WIKI)
GOOGLE_SEARCH_RESULTS = Metric("google_search_results", "search", PAGE_COUNT, False,
                               "web pages Google reports for its name (a result count, not search interest)",
                               "pages", "Google result counts")
# models, articles, weights
MODELS_COUNT = Metric("models", "models", CUMULATIVE, False, "models shared on Hugging Face", "models",
                      "Hugging Face models", total=True)
MODELS_OVERLAP = Metric("models_overlap", "models")
MEDIUM_ARTICLES_NEW = Metric("medium_articles_new", "articles", EVENTS, False, "new Medium articles about it",
                             "articles", "Medium articles")
HALE_POWER_SCORE_WEIGHT = Metric("hale_power_score_weight", "score_weights")
HALE_GROWTH_SCORE_WEIGHT = Metric("hale_growth_score_weight", "score_weights")
# words: what a contender has become that changes what its figures stand for (a library that now runs on its
# rivals), said beside the answer
CONTENDER_NOTE = Metric("contender_note", "other")

_METRICS = (
    POSTS_MENTIONING, POSTS_MATCHING, PCT_OF_POSTS, PCT_OF_POSTS_MATCHING, JOB_POSTS, JOB_LISTINGS, JOB_POSTINGS,
    JOB_COUNT, JOB_LISTINGS_RATIO_TEXT, JOB_LISTINGS_CHANGE_TEXT, JOB_LISTINGS_NEW, JOB_POSTINGS_GROWTH, SERIES_BRIDGE,
    CONTENDER_NOTE, DOWNLOADS_30D, DOWNLOADS_MONTH, DOWNLOADS_MONTH_BIGQUERY, DOWNLOADS_365D, DOWNLOADS_ANY,
    PYPI_DOWNLOADS, DOWNLOADS_30D_SUM, DOWNLOADS_MONTH_SUM, DOWNLOADS_MONTH_BIGQUERY_SUM, NPM_DOWNLOADS_30D,
    NPM_DOWNLOADS_MONTH, DOWNLOADS_MONTH_WITH_MIRRORS, DOWNLOADS_30D_WITH_MIRRORS, DOWNLOADS_MONTH_SUM_WITH_MIRRORS,
    DOWNLOADS_30D_SUM_WITH_MIRRORS, GITHUB_DEPENDENTS, GITHUB_STARS, STARS, STARS_NEW_MONTH, GITHUB_STARS_NEW,
    GITHUB_FORKS, FORKS, WATCHERS, CONTRIBUTORS, OPEN_ISSUES, RELEASES, STACKOVERFLOW_QUESTIONS, QUESTIONS_TOTAL,
    QUESTIONS_PER_YEAR, STACKOVERFLOW_QUESTIONS_PER_YEAR, QUESTIONS_MONTH, QUESTIONS_PER_MONTH, QUESTIONS,
    PAPERS_MENTIONING_ONLY, PAPERS_MENTIONING, PAPERS_ONLY, PAPERS_MONTH, ARXIV_PAPERS, TOTAL_PAPERS, PAPERS_TOTAL,
    PAPERS_SEVERAL, PCT_PAPERS_MENTIONING, PAPERS_ANY, POPULATION_PAPERS, PAPERS_SAMPLED, PAPERS_FAILED,
    SEARCH_INTEREST, GOOGLE_TRENDS_INTEREST, PAGEVIEWS, PAGEVIEWS_MONTH, WIKIPEDIA_PAGEVIEWS, GOOGLE_SEARCH_RESULTS,
    MODELS_COUNT, MODELS_OVERLAP, MEDIUM_ARTICLES_NEW, HALE_POWER_SCORE_WEIGHT, HALE_GROWTH_SCORE_WEIGHT,
)

CATALOGUE = Catalogue(_SIGNALS, _METRICS)

__all__ = ["CATALOGUE", "CHANGE", "COMPARED_KINDS", "CUMULATIVE", "Catalogue", "EVENTS", "INDEX", "KINDS", "LEVEL",
           "Metric", "PAGE_COUNT", "RATIO", "READERS", "READER_NEEDS", "Reader", "SHARE", "Signal", "SurveyMetrics",
           "VOLUME"]

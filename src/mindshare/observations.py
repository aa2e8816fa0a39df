"""The observation: one number (or one note in the source's words) with its provenance — the shape every layer
shares, and the vocabulary that joins the layers.

Everything that produces observations (live sources, file importers, the bundled dataset, the scanner) builds
its rows with `observation()`; everything that reads them (store, analysis, report) imports the column names,
the measurement key, the period rules and the source and method ids from here. No such string is written twice.

Periods are calendar periods: `month_period`, `year_period` and `months_between` give (first day, last day,
label). A period that was not over when it was counted is *partial*: its `note` starts with `PARTIAL` (see
`partial_note`), it keeps its full calendar end, and a later count of the same period supersedes it in the
store's latest view.

pandas is imported inside the few functions that use it: the command line loads this module for every verb, and
`mindshare --version` should not wait for pandas. Called, this module is `mindshare.api.observations`
(see mindshare/__init__.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from mindshare.catalogue import CATALOGUE

if TYPE_CHECKING:
    import pandas as pd

# -- the columns ------------------------------------------------------------------------------------------------
# In order. `kind` is 'number' or 'note' (a qualitative fact: value is null and value_text holds the source's
# words; notes are never turned into numbers). New columns go at the end (a store migration appends them).
COLUMNS: dict[str, str] = {
    "snapshot_id": "VARCHAR NOT NULL",
    "signal": "VARCHAR NOT NULL",       # a catalogue signal: what kind of adoption it speaks of
    "metric": "VARCHAR NOT NULL",       # a catalogue metric: what exactly was counted
    "source": "VARCHAR NOT NULL",       # who published or served the number
    "contender": "VARCHAR",             # contender id in the field, or null when the subject is not one
    "subject": "VARCHAR NOT NULL",      # the name as the source gives it (a package, a tag, 'Torch/PyTorch')
    "period_start": "DATE",
    "period_end": "DATE",
    "period_label": "VARCHAR",          # the source's own words for the period
    "value": "DOUBLE",
    "value_text": "VARCHAR",
    "unit": "VARCHAR",
    "segment": "VARCHAR NOT NULL",      # who or where: 'professional developers', a venue, a country, 'all'
    "method": "VARCHAR NOT NULL",       # method or rules version; a change of method breaks a series
    "reference": "VARCHAR",             # URL, repository path or file the number came from
    "query": "VARCHAR",                 # the query or request that produced it
    "note": "VARCHAR",
    "collected_at": "TIMESTAMP",        # when the number was fetched from its source
    "kind": "VARCHAR NOT NULL",
    # The day the figure became public, where that is later than the end of its period (a dataset compiled or
    # revised later, a live count fetched today); null means "known when its period ended". `--as-of` reads it.
    "published": "DATE",
}

# A measurement is the same measurement in two snapshots when these agree; the newest snapshot wins.
MEASUREMENT_KEY = ("signal", "metric", "source", "subject", "segment", "method", "period_start", "period_end",
                   "period_label")

# What makes two snapshots "the same content": every column but these (a re-fetch of the same numbers adds
# nothing; only when they were fetched differs).
IGNORED_FOR_IDENTITY = ("snapshot_id", "collected_at", "kind", "published")

# The signals: what each counts (the catalogue's records, by name; mindshare.catalogue declares them).
SIGNALS: dict[str, str] = {signal.name: signal.about for signal in CATALOGUE.signals}

NUMBER, NOTE = "number", "note"
DEFAULT_SEGMENT = "all"
DEFAULT_METHOD = "as published"

# Who a survey asked (a survey observation's segment starts with one of these) and what a share is a share of:
# one vocabulary for the importers that write survey readings and the analysis and report that read them.
ALL_RESPONDENTS = "all respondents"
PROFESSIONAL_DEVELOPERS = "professional developers"
LEARNING_TO_CODE = "learning to code"
OTHER_CODERS = "other coders"
DATA_SCIENTISTS = "data scientists"
SURVEY_POPULATIONS = (ALL_RESPONDENTS, PROFESSIONAL_DEVELOPERS, LEARNING_TO_CODE, OTHER_CODERS, DATA_SCIENTISTS)
ANSWERED_THE_QUESTION = "answered the question"  # the base of a share of those who answered


# -- snapshot kinds --------------------------------------------------------------------------------------------
class SnapshotKind:
    """What made a snapshot: the `kind` column of `snapshots`. Read it from there, never from an id's prefix."""

    BUNDLED = "bundled"    # the dataset shipped with mindshare
    COLLECT = "collect"    # a live source (mindshare collect, trends collect, jobs collect)
    IMPORT = "import"      # a file the user gave (survey import, import)
    SCAN = "scan"          # papers scanned (mindshare scan)


# -- the ids that join layers -----------------------------------------------------------------------------------
class Sources:
    """`source` values that more than one layer needs to name (a producer writes them, a reader selects by them)."""

    BUNDLE = "mindshare bundled dataset"                      # the bundled snapshot's own source
    HORACE_HE = "Horace He, pytorch-vs-tensorflow"             # conference mentions, rules 2019-11 and 2021-10
    HN_ALGOLIA = "Hacker News 'Who is hiring?' (HN Algolia API)"   # mindshare's own live HN count
    SCAN = "mindshare scan"                                    # papers scanned by mindshare
    GITHUB_RANKING = "EvanLi/Github-Ranking"                   # bundled GitHub star snapshots
    GOOGLE_TRENDS = "Google Trends"
    # the research methods (docs/research.md): a sampled arXiv scan and two full-text indexes
    ARXIV_SAMPLE = "arXiv listing, sampled and scanned by mindshare"
    EUROPE_PMC = "Europe PMC (open-access full texts)"
    OPENALEX = "OpenAlex (works with full text)"


class Methods:
    """`method` values that more than one layer needs to name: a change of how a number is counted is a new
    method, and breaks a series."""

    SURVEY_IMPORT = "mindshare survey import v1"              # survey shares recounted from a raw file
    HN_ALGOLIA = "mindshare hn-hiring v1: whole word, any case; ambiguous names need ML context"
    ARXIV_SAMPLE = "mindshare arxiv-sample v1: simple random sample of a month's listing, PDF scanned (rules {rules})"
    EUROPE_PMC = "europepmc-body-v1: BODY full-text search, open-access articles with full text, by PUB_YEAR"
    OPENALEX = "openalex-fulltext-v1: search over works with full text, has_fulltext:true, by publication_year"


class Subjects:
    """`subject` values of rows about no one contender, that more than one layer names."""

    ALL_PAPERS = "all papers"            # the papers a research count was taken over
    ANY_CONTENDER = "any contender"      # papers naming at least one contender


# -- building rows ----------------------------------------------------------------------------------------------
def observation(*, signal: str, metric: str, source: str, subject: str, method: str,
                value: float | None = None, value_text: str | None = None, unit: str | None = None,
                contender: str | None = None, period_start: date | None = None, period_end: date | None = None,
                period_label: str | None = None, segment: str = DEFAULT_SEGMENT, reference: str | None = None,
                query: str | None = None, note: str | None = None, collected_at: datetime | None = None,
                published: date | None = None) -> dict[str, Any]:
    """One observation row (every column but snapshot_id and kind, which the store sets).

    A number keeps its own text (`value_text`) unless the source gave words for it; a note (value None) must
    carry the source's words. Secrets never belong in `reference` or `query`: producers pass redacted URLs.
    """
    if value is None and value_text is None:
        raise ValueError(f"observation {signal}/{metric}/{subject}: neither a value nor the source's words")
    if value is not None:
        value = float(value)
    return {
        "signal": signal, "metric": metric, "source": source, "contender": contender, "subject": subject,
        "period_start": period_start, "period_end": period_end, "period_label": period_label,
        "value": value, "value_text": value_text if value_text is not None else number_text(value),
        "unit": unit, "segment": segment, "method": method, "reference": reference, "query": query,
        "note": note, "collected_at": collected_at, "published": published,
    }


def number_text(value: float | None) -> str | None:
    """How a number reads when the source gave no words for it: 1234 -> '1234', 0.5 -> '0.5'."""
    if value is None:
        return None
    return f"{value:.0f}" if float(value).is_integer() else f"{value:g}"


# -- periods ----------------------------------------------------------------------------------------------------
def month_period(day: date) -> tuple[date, date, str]:
    """The calendar month holding `day`: (first day, last day, 'YYYY-MM')."""
    import pandas as pd

    month = pd.Period(day, freq="M")
    return month.start_time.date(), month.end_time.date(), str(month)


def year_period(year: int) -> tuple[date, date, str]:
    return date(year, 1, 1), date(year, 12, 31), str(year)


def month_end(day: date) -> date:
    import pandas as pd

    return pd.Period(day, freq="M").end_time.date()


def months_between(since: date, today: date) -> list[tuple[date, date]]:
    """Calendar months from the month of `since` to the month of `today`, as (first day, last day)."""
    if since > today:
        return []
    import pandas as pd

    return [(m.start_time.date(), m.end_time.date()) for m in pd.period_range(since, today, freq="M")]


def month_label(first: date) -> str:
    return f"{first:%Y-%m}"


# -- partial periods --------------------------------------------------------------------------------------------
PARTIAL = "PARTIAL"


def partial_note(first: date, last: date, through: date | None = None, *, counted_on: date | None = None,
                 window_start: date | None = None, extra: str = "") -> str | None:
    """The flag for a period not complete when counted, or whose start the provider's window cut off.

    Give `through`, the last whole day the count covers (a provider's daily data ending at its last complete
    day), or `counted_on`, the day the count was made: that day is itself still running, so a period ending on
    it (a month counted on its last day) is partial too.
    """
    parts = []
    if counted_on is not None:
        through = counted_on - timedelta(days=1)
    if through is not None and through < last:
        parts.append(f"{PARTIAL}: counted through {through:%Y-%m-%d} of a period ending {last:%Y-%m-%d}; "
                     f"not a drop")
    if window_start and window_start > first:
        parts.append(f"{PARTIAL}: the provider's data starts {window_start:%Y-%m-%d}, after the period began")
    if extra:
        parts.append(extra)
    return "; ".join(parts) or None


def is_partial(frame: pd.DataFrame) -> pd.Series:
    """Rows whose period was not complete when counted (their note starts with PARTIAL)."""
    return frame["note"].fillna("").astype(str).str.startswith(PARTIAL)


def complete_only(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows whose period was complete when counted: what trend lines and crossovers may use (a half-counted
    period would bend them: it is partial, not a drop)."""
    if frame.empty:
        return frame
    return frame[~is_partial(frame)]


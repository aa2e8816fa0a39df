"""The answer as data: a headline, plain sentences, advice per reader, and a scoreboard, for any field.

`answer_of(analysis, report_date=...)` turns a pipeline.Analysis into an `Answer` (its records are
analysis.answer_model's) that a report renders without computing anything; `build_answer` runs the pipeline first.
This is where the answer is made: the readings (analysis.scoreboard), put into words (analysis.wording).

Nothing here knows a field: contender names come from `names`, periods and venues from the data. The report date
is passed in (today, or --as-of): a signal's age is measured against it, and a signal older than
`stale_after_years` is shown on the scoreboard but not counted in the headline, the sentences or the advice.

Rules the answer keeps (docs/analysis.md explains each): a lead only with its interval where the data were sampled,
"within chance" when that interval holds parity; complete counts as counted, untested; cumulative totals read from
their flow; venues compared on a fixed panel; surveys matched by question and population; trends only from six
readings up, with an interval that allows for autocorrelation; page counts never called search interest; the
composite out of the headline.
"""

from __future__ import annotations

import pandas as pd

from mindshare.analysis import wording
from mindshare.analysis.answer_model import (
    HIGH,
    LOW,
    MEDIUM,
    Answer,
    Confidence,
    Figure,
    Focus,
    LeadLagRow,
    ScoreRow,
    Statement,
    Then,
)
from mindshare.analysis.pipeline import Analysis, analyse_frame, data_notes_of
from mindshare.analysis.scoreboard import STALE_AFTER_YEARS, SignalReading, field_pair, signal_readings
from mindshare.catalogue import CATALOGUE


def answer_of(analysis: Analysis, *, report_date, names=lambda key: key, weights: dict[str, float] | None = None,
              stale_after_years: float = STALE_AFTER_YEARS, draws: int = 2000,
              pair: tuple[str, str] | None = None, then: Analysis | None = None, compare_to=None) -> Answer:
    """The Answer for a pipeline.Analysis, every signal's age measured against `report_date`.

    Every row compares the same two contenders: `pair` when the caller names it (the reader asked for those two),
    else the field's own pair (`scoreboard.field_pair`: the two most often first and second across the measures).
    With `compare_to` (a day) every row carries its value as known that day (`then`: the analysis of what was known
    on it; none means nothing was), like for like, or why there is none.
    """
    day = pd.Timestamp(report_date).date()
    readings = signal_readings(analysis, day, stale_after_years=stale_after_years)
    pair = pair or field_pair(readings)
    if pair is not None:
        readings = signal_readings(analysis, day, stale_after_years=stale_after_years, pair=pair)
    readings.sort(key=lambda r: (not r.current, CATALOGUE.order(r.signal), r.signal))
    earlier = signal_readings(then, compare_to, stale_after_years=stale_after_years, pair=pair) \
        if then is not None and compare_to is not None else []
    rows = tuple(wording.score_row(r, names, wording.then_of(r, earlier, compare_to, names) if compare_to else None,
                                   pair) for r in readings)
    current = [r for r in readings if r.current]
    sentences = tuple(wording.sentences(current, readings, names, stale_after_years, pair))
    leader, headline = wording.headline(current, names, readings,
                                        frozenset(s for x in sentences for s in x.signals))
    focus = tuple(wording.focus(readings, names))
    through = wording.data_through(readings, day, stale_after_years)
    ordered = wording.lead_lag_pair(current or readings, leader) if pair is None else \
        (pair if leader != pair[1] else (pair[1], pair[0]))
    lead_lag, lead_lag_statement = wording.lead_lag(readings, ordered, names) if ordered else ((), None)
    composite = wording.composite(current, names, weights, draws)
    notes = wording.method_notes(readings, analysis, stale_after_years)
    changes = wording.survey_change_rows(analysis.surveys, names)
    survey_notes = wording.survey_notes(analysis.surveys, analysis.data_notes, names)
    others = wording.others_statement(readings, pair, names, analysis.data_notes)
    return Answer(day, leader, headline, sentences, focus, rows, through, lead_lag, lead_lag_statement, composite,
                  notes, changes, survey_notes, others,
                  pd.Timestamp(compare_to).date() if compare_to is not None else None)


def build_answer(observations: pd.DataFrame, *, contenders: list[str], report_date, names=lambda key: key,
                 weights: dict[str, float] | None = None, draws: int = 2000,
                 pair: tuple[str, str] | None = None) -> Answer:
    """The Answer straight from the store's observations (a DataFrame) and the field's contender ids and names.

    Runs the whole pipeline without Hale's presets (the report's engine runs it with them, then `answer_of`).
    """
    numbers = observations[observations["kind"] == "number"] if "kind" in observations else observations
    result = analyse_frame(numbers, contenders=contenders, names=names, presets=(), weights=None, draws=draws,
                           data_notes=data_notes_of(observations))
    return answer_of(result, report_date=report_date, names=names, weights=weights, draws=draws, pair=pair)


__all__ = ["Answer", "Confidence", "Figure", "Focus", "HIGH", "LOW", "LeadLagRow", "MEDIUM", "ScoreRow",
           "SignalReading", "Statement", "Then", "answer_of", "build_answer"]

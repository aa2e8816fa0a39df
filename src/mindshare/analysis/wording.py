"""Words for the answer: the scoreboard's text columns, the headline, the plain sentences, the advice per reader.

Every function here only phrases numbers already computed (analysis.scoreboard) and returns them with the figures
they came from. Readers' sentences use no method words ("within chance" and "too close to call" are the plain
words; intervals, tests and estimators go to each statement's method note). Names come from `names`, periods and
venues from the data: nothing here knows a field.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from mindshare.analysis.answer_model import (
    Confidence,
    Figure,
    Focus,
    LeadLagRow,
    ScoreRow,
    Statement,
    Then,
)
from mindshare.analysis.leads import ABOUT_LEVEL, CLEAR, NO_INTERVAL, TIE, WITHIN_CHANCE, Lead
from mindshare.analysis.measures import CUMULATIVE, EVENTS, PAGE_COUNT, RATIO, SHARE, VOLUME, signal_words
from mindshare.analysis.scoreboard import (
    FLAT,
    HOLDING,
    NO_CLEAR_CHANGE,
    REVERSED,
    SLOWING,
    SPEEDING_UP,
    SignalReading,
    Stretch,
    TrendReading,
)
from mindshare.analysis.survey_readings import population_words
from mindshare.analysis.trends import TOO_FEW
from mindshare.catalogue import CATALOGUE, READERS, USAGE
from mindshare.observations import ALL_RESPONDENTS

MAX_SENTENCES = 5


def _lead(reading: SignalReading) -> Lead:
    """The reading's lead: the callers pass only readings that have one (a reading without is never worded)."""
    if reading.lead is None:
        raise ValueError(f"{reading.signal}: a reading without a lead has no words")
    return reading.lead


def _trend(reading: SignalReading) -> TrendReading:
    if reading.trend is None:
        raise ValueError(f"{reading.signal}: a reading without a trend has no trend words")
    return reading.trend


def _slope(trend: TrendReading) -> float:
    """A clear trend's slope: every rising or falling trend has one."""
    if trend.slope_pts_per_year is None:
        raise ValueError(f"a {trend.status} trend without its slope")
    return float(trend.slope_pts_per_year)


def _interval(lead: Lead) -> tuple[float, float]:
    """The lead's interval: every clear or within-chance lead has one."""
    if lead.ci_low is None or lead.ci_high is None:
        raise ValueError(f"{lead.leader}: a {lead.status} lead without its interval")
    return lead.ci_low, lead.ci_high


# -- small formatters ---------------------------------------------------------------------------------------------
def _plain(value):
    """JSON-safe Python value: numpy scalars to Python, floats rounded to 4 places, NaN to None."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    return value


def count_words(value: float) -> str:
    """87347847 -> '87.3 million'; 102095 -> '102,095'; 45 -> '45'."""
    value = float(value)
    if abs(value) >= 1e9:
        return f"{value / 1e9:.1f} billion"
    if abs(value) >= 1e6:
        return f"{value / 1e6:.1f} million"
    if value.is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def times(ratio: float) -> str:
    """A ratio as a reader takes it in: '3.6x', '13.1x', and from 100 on whole and grouped ('234,335x': a tenth of
    it says nothing there)."""
    return f"{ratio:,.0f}x" if ratio >= 100 else f"{ratio:.1f}x"


def points(value: float) -> str:
    """A signed number of points: one decimal, two below 0.1 so a bound just off zero does not print as +0.0."""
    return f"{value:+.2f}" if 0 < abs(value) < 0.1 else f"{value:+.1f}"


def month(ts) -> str:
    return f"{pd.Timestamp(ts):%Y-%m}"


def period_words(start, end, *, prose: bool = False) -> str:
    """'2022' for a calendar year; '2026-03' (prose: 'March 2026') for a calendar month; 'N months to YYYY-MM'
    for a longer span; the day for a count read on one day; the two days otherwise (prose: 'the 30 days to January
    16, 2020')."""
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        return ""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if start == end:
        return f"{start:%B %-d, %Y}" if prose else f"{start:%Y-%m-%d}"
    if start.month == 1 and start.day == 1 and end.month == 12 and end.day == 31 and start.year == end.year:
        return f"{start.year}"
    if start.day == 1 and end == start + pd.offsets.MonthEnd(0):
        return f"{start:%B %Y}" if prose else month(start)
    months = round((end - start).days / 30.44)
    if months >= 2:
        return f"the {months} months to {end:%B %Y}" if prose else f"{months} months to {month(end)}"
    if prose:                          # a window of days (a 30-day download count): read as a span, not two dates
        return f"the {plural((end - start).days + 1, 'day')} to {end:%B %-d, %Y}"
    return f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"


def plural(count: float, word: str, words: str | None = None) -> str:
    """'1 month', '3 months', '1.5 years': the count with its word, singular only for exactly one."""
    number = f"{count:,}" if isinstance(count, int) or float(count).is_integer() else f"{count:,.1f}"
    number = number.replace(".0", "") if number.endswith(".0") else number
    return f"{number} {word if float(count) == 1 else (words or word + 's')}"


def age_words(years: float | None) -> str:
    if years is None:
        return "unknown"
    if years < 0:
        return "after the report date"
    if years < 2:
        return plural(max(0, round(years * 12)), "month")
    return f"{years:.1f} years"


def label(reading: SignalReading) -> str:
    """What a row counts, in words."""
    measure = reading.measure
    if measure.kind == SHARE:
        return f"{population_words(reading.population)} in the {reading.survey_name} who use it".strip()
    if reading.venues:
        venues = ", ".join(reading.venues) if len(reading.venues) <= 3 else f"{len(reading.venues)} venues"
        return f"{measure.what} ({venues})"
    if measure.kind == CUMULATIVE and reading.levels is not None:
        return f"new {measure.what} (all-time total beside it)"
    if measure.kind == RATIO:
        where = f" ({reading.segment})" if reading.segment else ""
        return f"{measure.what}{where}, a ratio as published"
    return measure.what


def _figure(reading: SignalReading, name: str, value, unit: str, contender: str = "", **detail) -> Figure:
    return Figure(name, _plain(value), unit, signal=reading.signal, metric=reading.metric, source=reading.source,
                  segment=reading.segment, period=period_words(reading.period_start, reading.period_end),
                  contender=contender or "", detail={k: _plain(v) for k, v in detail.items()})


def lead_figures(reading: SignalReading) -> tuple[Figure, ...]:
    lead = reading.lead
    if lead is None:
        return ()
    unit = reading.measure.unit
    out = [_figure(reading, "leader_value", lead.leader_value, unit, lead.leader),
           _figure(reading, "runner_up_value", lead.runner_value, unit, lead.runner_up)]
    if lead.scale == "ratio" and lead.ratio is not None:
        out.append(_figure(reading, "lead_ratio", lead.ratio, "ratio", lead.leader, versus=lead.runner_up,
                           ci_low=lead.ci_low, ci_high=lead.ci_high, status=lead.status, readings=lead.readings))
    if lead.scale == "points":
        out.append(_figure(reading, "lead_points", lead.leader_value - lead.runner_value, "points", lead.leader,
                           versus=lead.runner_up, ci_low=lead.ci_low, ci_high=lead.ci_high, status=lead.status,
                           n=lead.n))
    if reading.levels is not None and not reading.levels.empty:
        for contender in (lead.leader, lead.runner_up):
            if contender in reading.levels:
                out.append(_figure(reading, "all_time_level", reading.levels[contender], unit, contender))
    return tuple(out)


# -- the scoreboard ---------------------------------------------------------------------------------------------
def lead_words(reading: SignalReading) -> str:
    lead = reading.lead
    if lead is None:
        return "no lead to read"
    if lead.status == TIE:
        return "tie"
    if reading.published_words:
        verdict = "about level: " if lead.status == ABOUT_LEVEL else ""
        return f"{verdict}{reading.published_words}x (as published, without its counts)"
    if lead.status == ABOUT_LEVEL:
        if lead.scale == "points":
            return f"about level ({lead.leader_value:.1f}% vs {lead.runner_value:.1f}%)"
        return f"about level: {lead.ratio:.2f}x ({count_words(lead.leader_value)} vs {count_words(lead.runner_value)})"
    if lead.scale == "points":
        gap = lead.leader_value - lead.runner_value
        if lead.status == CLEAR:
            low, high = _interval(lead)
            return f"+{gap:.1f} points (95% interval {points(low)} to {points(high)})"
        if lead.status == WITHIN_CHANCE:
            low, high = _interval(lead)
            return (f"within chance ({lead.leader_value:.1f}% vs {lead.runner_value:.1f}%; 95% interval "
                    f"{points(low)} to {points(high)} points)")
        return f"+{gap:.1f} points ({lead.leader_value:.1f}% vs {lead.runner_value:.1f}%; no base n published)"
    ratio = times(lead.ratio) if lead.ratio is not None else "only one non-zero"
    if lead.status == CLEAR:
        return f"{ratio} (95% interval {lead.ci_low:.1f} to {lead.ci_high:.1f})"
    if lead.status == WITHIN_CHANCE:
        return (f"within chance ({count_words(lead.leader_value)} vs {count_words(lead.runner_value)}; 95% interval "
                f"of the ratio {lead.ci_low:.2f} to {lead.ci_high:.1f})")
    return f"{ratio} (complete count)"


def trend_words(reading: SignalReading, names) -> str:
    trend = reading.trend
    if trend is not None and trend.path and len(trend.path) >= 2:     # published ratios: their path, as published
        (first, said), (last, now) = trend.path[0], trend.path[-1]
        return f"{trend.status}: {said}x ({first[:7]}) to {now}x ({last[:7]})"
    if trend is None or trend.status == TOO_FEW:
        return TOO_FEW
    span = f"{month(trend.start)} to {month(trend.end)}" if trend.start is not None else ""
    if trend.status == NO_CLEAR_CHANGE:
        if trend.contender and trend.first_pct is not None and trend.last_pct is not None \
                and reading.measure.kind != SHARE:
            return (f"no clear change ({span}; {names(trend.contender)} {trend.first_pct:.0f}% then "
                    f"{trend.last_pct:.0f}% of the two, months apart vary widely)")
        return f"no clear change ({span})" if span else "no clear change"
    if reading.measure.kind == SHARE:
        since = f"since {trend.start.year}" if trend.start is not None else ""
        interval = "" if trend.ci_low is not None and not pd.isna(trend.ci_low) else ", no interval"
        return f"{names(trend.contender)} {trend.slope_pts_per_year:+.1f} points {since}{interval}"
    words = f"{names(trend.contender)} {trend.slope_pts_per_year:+.1f} points a year ({span})"
    latest = stretch_words(trend.latest)
    return f"{words}; {latest}" if latest else words


def stretch_words(stretch: Stretch | None) -> str:
    """What the latest stretch shows, in a few words: 'latest 12 months +7 a year (slowing)', 'flat over the latest
    24 months (80% then 79%)'."""
    if stretch is None:
        return ""
    if stretch.before_pct is not None and stretch.after_pct is not None:      # two windows of counts
        shares = f"{stretch.before_pct:.0f}% then {stretch.after_pct:.0f}%"
        if stretch.status == FLAT:
            return f"flat over the latest {stretch.months} months ({shares})"
        return f"{stretch.status} over the latest {stretch.months} months ({shares})"
    if stretch.status == FLAT:
        return f"flat in the latest {stretch.months} months"
    slope = stretch.slope_pts_per_year or 0.0
    status = stretch.status
    if status in (SLOWING, SPEEDING_UP) and stretch.before_slope is not None:
        status += f" from {stretch.before_slope:+.0f}"
    return f"latest {stretch.months} months {slope:+.0f} a year ({status})"


def _stretch_sentence(stretch: Stretch | None, who: str) -> str:
    """The latest stretch as the end of a sentence: '; in the latest 12 months PyTorch's rose by about 7 points a
    year, slower than before'."""
    if stretch is None:
        return ""
    if stretch.before_pct is not None and stretch.after_pct is not None:
        shares = f"{stretch.before_pct:.0f}% of the posts naming either, then {stretch.after_pct:.0f}%"
        if stretch.status == FLAT:
            return f"; over the latest {stretch.months} months {who}'s was flat ({shares})"
        return f"; over the latest {stretch.months} months {who}'s kept {stretch.status} ({shares})"
    if stretch.status == FLAT:
        return f"; in the latest {stretch.months} months {who}'s has been flat"
    slope = stretch.slope_pts_per_year or 0.0
    verb = "rose" if slope > 0 else "fell"
    before = f" (about {abs(stretch.before_slope):.0f} before)" if stretch.before_slope is not None else ""
    pace = {SLOWING: f", slower than before{before}", SPEEDING_UP: f", faster than before{before}",
            REVERSED: ", the other way", HOLDING: ", at about the same pace"}.get(stretch.status, "")
    return f"; in the latest {stretch.months} months {who}'s {verb} by about {abs(slope):.0f} points a year{pace}"


def confidence(reading: SignalReading) -> Confidence:
    """high / medium / low from the rubric's five checks (analysis.confidence), with the reason in words."""
    from mindshare.analysis.confidence import Facts, confidence_of

    lead = reading.lead
    metric = CATALOGUE.metric(reading.metric)
    events = None
    if lead is not None and reading.measure.kind == EVENTS and lead.readings:
        events = (lead.leader_value + lead.runner_value) / lead.readings
    return confidence_of(Facts(
        lead_status=lead.status if lead else None, sampled=reading.measure.sampled,
        proxy=CATALOGUE.signal(reading.signal).proxy, variation_pts=reading.variation_pts,
        age_years=reading.age_years, age_words=age_words(reading.age_years), current=reading.current,
        not_current_reason=reading.not_current_reason, single_reading=reading.readings_in_series <= 1,
        venues=len(reading.venues), coverage=metric.coverage if metric else "", events_a_month=events,
        unit=reading.measure.unit or "events"))


def row_method_note(reading: SignalReading, names=str) -> str:
    measure = reading.measure
    parts = [f"{signal_words(reading.signal)}: {measure.why}"]
    lead = reading.lead
    tested = (CLEAR, WITHIN_CHANCE, ABOUT_LEVEL)
    if lead is not None and lead.status in tested and lead.scale == "ratio" and lead.ci_low is not None:
        parts.append("lead: exact interval of the ratio of two Poisson rates (conditional binomial, Clopper-Pearson)")
    if lead is not None and lead.status in tested and lead.scale == "points" and lead.ci_low is not None:
        parts.append("lead: paired difference of two shares of the same respondents, Newcombe's interval, widened "
                     "over every overlap the counts allow")
    if reading.trend is not None and _trend(reading).status in ("rising", "falling", NO_CLEAR_CHANGE) \
            and reading.measure.kind != SHARE:
        t = reading.trend
        of = "share of the new ones (the monthly rise of each total)" if t.of == "new" else "share"
        parts.append(f"trend: OLS slope of each {of} among {len(t.members)} contenders read in every month, "
                     f"95% Newey-West (HAC) interval" + (f" {t.ci_low:+.2f} to {t.ci_high:+.2f}; the naive interval "
                                                          f"{t.naive_low:+.2f} to {t.naive_high:+.2f}"
                                                          if t.contender and t.ci_low is not None else ""))
    if reading.trend is not None and reading.measure.kind == SHARE and _trend(reading).contender:
        parts.append("change: Newcombe's interval for two independent survey years, same question and population")
    bridged = [c for c in reading.bridges if c.continuous]
    split = [c for c in reading.bridges if not c.continuous]
    if bridged:
        parts.append("method changes bridged where shares were continuous: " + "; ".join(
            f"{month(c.first_after)} ({c.reason})" for c in bridged))
    if split:
        parts.append("not bridged: " + "; ".join(f"{month(c.first_after)} ({c.reason})" for c in split))
    parts += reading.notes
    parts += [f"joining this series ({reading.source}) to the signal's other one ({other}): {words}"
              for _, other, words in reading.joins]
    if reading.conflict_details:
        parts.append("sources disagree on the reading used (" + "; ".join(
            f"{names(who)} {words}" for who, words in reading.conflict_details) + "); both are kept, the one with "
            "the larger published base is used")
    parts += [conflict_words(c, names) for c in _other_conflicts(reading)]
    parts += [f"{year}: {words}" for year, words in reading.not_asked]
    return "; ".join(parts) + "."


def _other_conflicts(reading: SignalReading) -> list:
    """The survey's conflicting readings other than the one the row reads (that one is in `reading.conflict`)."""
    if reading.conflicts is None or reading.conflicts.empty:
        return []
    year = pd.Timestamp(reading.period_start).year if reading.period_start is not None else None
    return [c for c in reading.conflicts.itertuples(index=False)
            if not (c.year == year and c.population == reading.population)]


def conflict_words(conflict, names=str) -> str:
    """'2022, professional developers: two published readings disagree (PyTorch 7.93% (A, used) vs 7.61% (B); …);
    both are kept, the one with a published base is used'."""
    return (f"{conflict.survey_name} {conflict.year}, {conflict.population}: two published readings disagree ("
            + "; ".join(f"{names(who)} {words}" for who, words in conflict.details)
            + "); both are kept, the one with the larger published base is used")


def then_of(reading: SignalReading, earlier: list[SignalReading], day, names) -> Then:
    """The row as known on `day` (`--compare-to`), like for like, or why not (`scoreboard.earlier_of`)."""
    from mindshare.analysis.answer_model import COMPARED, UNCHANGED
    from mindshare.analysis.scoreboard import earlier_of

    status, match, why = earlier_of(reading, earlier, names)
    day = pd.Timestamp(day).date()
    if match is None or status not in (COMPARED, UNCHANGED) or match.lead is None:
        return Then(day, status, why, why=why)
    lead = match.lead
    period = period_words(match.period_start, match.period_end)
    if status == UNCHANGED:
        words = f"the same reading ({period})"
    elif lead.status in (ABOUT_LEVEL, TIE, WITHIN_CHANCE):
        verdict = "about level" if lead.status in (ABOUT_LEVEL, TIE) else "too close to call"
        words = f"{verdict}, {names(lead.leader)} {_lead_figure(match)} ({period})"
    else:
        words = f"{names(lead.leader)} {_lead_figure(match)} ({period})"
    return Then(day, status, words, period, lead.leader, names(lead.leader), lead.runner_up, lead_words(match),
                _plain(lead.ratio) if lead.scale == "ratio" else None,
                _plain(lead.leader_value - lead.runner_value) if lead.scale == "points" else None)


def _lead_figure(reading: SignalReading) -> str:
    """The lead in a few characters, as a badge would show it: '3.6x', '+7.0 points', 'about 2x'."""
    lead = _lead(reading)
    if reading.published_words:
        return f"{reading.published_words}x"
    if lead.scale == "points":
        return f"{lead.leader_value - lead.runner_value:+.1f} points"
    return times(lead.ratio) if lead.ratio is not None else "ahead"


def missing_words(reading: SignalReading, pair: tuple[str, str] | None, names) -> str:
    """'Polars not measured': the field's own pair members this measure has no value for (never a zero)."""
    lead = reading.lead
    if pair is None or lead is None or lead.values is None:
        return ""
    missing = [names(c) for c in pair if c not in lead.values.index]
    return f"{_join(missing)} not measured" if missing else ""


def score_row(reading: SignalReading, names, then: Then | None = None,
              pair: tuple[str, str] | None = None) -> ScoreRow:
    lead = reading.lead
    trend = reading.trend
    start = pd.Timestamp(reading.period_start).date() if reading.period_start is not None else None
    end = pd.Timestamp(reading.period_end).date() if reading.period_end is not None else None
    return ScoreRow(
        signal=reading.signal, label=label(reading), source=reading.source, metric=reading.metric,
        segment=reading.segment, period=period_words(reading.period_start, reading.period_end),
        period_start=start, period_end=end,
        leader=lead.leader if lead else None, leader_name=names(lead.leader) if lead else "",
        runner_up=lead.runner_up if lead else None, runner_up_name=names(lead.runner_up) if lead else "",
        lead="; ".join(w for w in (lead_words(reading), missing_words(reading, pair, names)) if w),
        lead_status=lead.status if lead else "",
        ratio=_plain(lead.ratio) if lead else None, ci_low=_plain(lead.ci_low) if lead else None,
        ci_high=_plain(lead.ci_high) if lead else None, lead_scale=lead.scale if lead else "",
        trend=trend_words(reading, names), trend_status=trend.status if trend else TOO_FEW,
        confidence=confidence(reading), age=age_words(reading.age_years), age_years=_plain(reading.age_years),
        current=reading.current, not_current_reason=reading.not_current_reason, sampled=reading.measure.sampled,
        kind=reading.measure.kind, method_note=row_method_note(reading, names), figures=lead_figures(reading),
        venues=len(reading.venues) or None, population=reading.population, short_label=_short(reading), then=then)


# -- headline and sentences -------------------------------------------------------------------------------------
def _claimed(readings: list[SignalReading]) -> list[SignalReading]:
    return [r for r in readings if r.lead is not None and _lead(r).claimed]


def _short(reading: SignalReading) -> str:
    """A short name for a signal in a list: 'PyPI downloads', 'new GitHub stars', 'the Stack Overflow survey'."""
    if reading.measure.kind == CUMULATIVE and reading.levels is not None:
        return f"new {reading.measure.name}"
    if reading.measure.kind == SHARE:
        return f"{population_words(reading.population)} in the {reading.survey_name}"
    return reading.measure.name


def _join(items: list[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def headline(current: list[SignalReading], names, readings: list[SignalReading],
             said: frozenset[str] = frozenset()) -> tuple[str | None, Statement]:
    """One sentence: who is ahead on how many current measures, who leads the rest, which are too close to call."""
    if not readings:
        return None, Statement("These data hold no measure that compares two or more contenders.", (),
                               "a measure needs readings of at least two contenders")
    if not current:
        return None, Statement("No measure in these data is recent enough to say who is ahead now.",
                               (), "every signal's latest data are older than the limit for a current signal")
    claimed = _claimed(current)
    if not claimed:
        close = [_short(r) for r in current]
        return None, Statement(f"No contender is ahead on any current measure: each is about level or too close "
                               f"to call ({_join(close)}).", tuple(f for r in current for f in lead_figures(r)),
                               "no current lead is both beyond chance and large enough to matter (10% more, and "
                               "for survey shares 1 point more)", tuple(r.signal for r in current))
    by_leader: dict[str, list[SignalReading]] = {}
    for r in claimed:
        by_leader.setdefault(_lead(r).leader, []).append(r)
    ranked = sorted(by_leader.items(), key=lambda kv: (-len(kv[1]), -sum(_lead(x).status == CLEAR for x in kv[1]),
                                                        kv[0]))
    top, top_rows = ranked[0]
    how_many = f"all {len(current)}" if len(top_rows) == len(current) > 1 else f"{len(top_rows)} of the {len(current)}"
    text = (f"{names(top)} is ahead on {how_many} current measure{'s' if len(current) != 1 else ''}: "
            f"{_join([_short(r) for r in top_rows])}")
    for r in top_rows:                      # a total the leader has not caught up (unless a sentence says it)
        if r.levels is not None and not r.levels.empty and r.levels.idxmax() != top and r.signal not in said:
            text += f" ({names(r.levels.idxmax())} still has more {r.measure.name} in total)"
    for other, rows in ranked[1:]:
        text += f"; {names(other)} leads {_join([_short(r) for r in rows])}"
    level = [r for r in current if r not in claimed and _lead(r).status == ABOUT_LEVEL]
    undecided = [r for r in current if r not in claimed and r not in level]
    if level:
        text += f"; about level on {_join([_short(r) for r in level])}"
    if undecided:
        text += f"; too close to call on {_join([_short(r) for r in undecided])}"
    figures = [Figure("measures_led", len(top_rows), "measures", contender=top,
                      detail={"signals": ", ".join(r.signal for r in top_rows)}),
               Figure("current_measures", len(current), "measures",
                      detail={"signals": ", ".join(r.signal for r in current)})]
    for r in current:
        figures += lead_figures(r)
    note = ("a measure counts as led when its lead is large enough to matter (10% more, and for survey shares 1 "
            "point more) and beyond chance (its interval excludes parity) or, for a complete count, as counted; a "
            "measure is current when its latest data are recent enough at the report date")
    return top, Statement(text + ".", tuple(figures), note, tuple(r.signal for r in current))


def reading_sentence(reading: SignalReading, names, pair: tuple[str, str] | None = None) -> Statement:
    statement = _reading_sentence(reading, names)
    missing = missing_words(reading, pair, names)
    if not missing:
        return statement
    return Statement(statement.text[:-1] + f" ({missing}).", statement.figures, statement.method_note,
                     statement.signals)


def _reading_sentence(reading: SignalReading, names) -> Statement:
    lead = _lead(reading)
    a, b = names(lead.leader), names(lead.runner_up)
    what = reading.measure.what
    period = period_words(reading.period_start, reading.period_end, prose=True)
    kind = reading.measure.kind
    if kind == RATIO:
        where = f" ({reading.segment})" if reading.segment else ""
        when = period_words(reading.period_start, reading.period_end, prose=True)
        text = (f"{a} was named in {reading.published_words} times as many {reading.measure.name} as {b}{where} on "
                f"{when}, as the source published it")
        path = _trend(reading).path if reading.trend is not None else ()
        if len(path) >= 2:
            direction = "down" if _trend(reading).status == "narrowing" else "up"
            text += f", {direction} from {path[0][1]} times in {path[0][0][:7]}"
        return Statement(text + ".", lead_figures(reading), row_method_note(reading, names), (reading.signal,))
    if kind == SHARE:
        year = pd.Timestamp(reading.period_start).year
        asked = f" (the last to ask: {_join([str(y) for y, _ in reading.not_asked])} did not)" \
            if reading.not_asked else ""
        text = (f"Among {population_words(reading.population)} in the {reading.survey_name} {year}{asked}, "
                f"{lead.leader_value:.1f}% use {a} and {lead.runner_value:.1f}% {b}")
        text += {CLEAR: ", a lead beyond chance", WITHIN_CHANCE: ": too close to call",
                 ABOUT_LEVEL: ": about level",
                 NO_INTERVAL: " (the survey's sample size is not in these data, so chance is not ruled out)",
                 TIE: ": a tie"}.get(lead.status, "")
        between = _others_between(reading, names)
        if reading.other_populations:
            population, x, y = reading.other_populations[0]
            text += f" ({population_words(population)}: {x:.1f}% and {y:.1f}%{between})"
        elif between:
            text += f" ({between[2:]})"
        text += _survey_change_words(reading, names)
    elif lead.status in (WITHIN_CHANCE, TIE, ABOUT_LEVEL):
        verdict = "about level" if lead.status == ABOUT_LEVEL else "too close to call"
        text = (f"{reading.measure.name[0].upper() + reading.measure.name[1:]} do not separate {a} and {b}: "
                f"{count_words(lead.leader_value)} vs {count_words(lead.runner_value)} over {period}, {verdict}")
    elif kind == CUMULATIVE and reading.levels is not None:
        text = (f"{a} gained {lead.ratio:.1f} times as many new {what} as {b} over {period} "
                f"({count_words(lead.leader_value)} vs {count_words(lead.runner_value)}"
                f"{_others_between(reading, names)})")
        holder = reading.levels.idxmax()
        if holder != lead.leader:
            text += (f", though {names(holder)} still has the most in total "
                     f"({count_words(reading.levels[holder])})")
    elif kind == EVENTS and lead.readings > 1:
        text = (f"{a} was named in {lead.ratio:.1f} times as many {reading.measure.name} as {b} over {period} "
                f"({count_words(lead.leader_value)} vs {count_words(lead.runner_value)}"
                f"{_others_between(reading, names)})")
    else:
        ratio = f"{lead.ratio:.1f} times as many" if lead.ratio else "more"
        where = f" at {_join(list(reading.venues))}" if 0 < len(reading.venues) <= 3 else ""
        text = (f"{a} had {ratio} {what} as {b}{where} in {period} "
                f"({count_words(lead.leader_value)} vs {count_words(lead.runner_value)}")
        largest = _largest_venue(reading)
        if largest:
            text += f"; at {largest[0]}, the largest, {count_words(largest[1])} vs {count_words(largest[2])}"
        text += _others_between(reading, names) + ")"
    return Statement(text + ".", lead_figures(reading), row_method_note(reading, names), (reading.signal,))


def _largest_venue(reading: SignalReading) -> tuple[str, float, float] | None:
    """Of a period read over several venues, the venue where the two contenders are named most, with each one's
    count: (venue, leader's, runner-up's)."""
    lead = _lead(reading)
    frame = reading.venue_frame
    if frame is None or len(reading.venues) < 2 or reading.period_start is None:
        return None
    now = frame[(pd.to_datetime(frame["period"]) == pd.Timestamp(reading.period_start)).to_numpy()]
    wide = now.groupby(["segment", "contender"])["value"].sum().unstack()
    if lead.leader not in wide or lead.runner_up not in wide:
        return None
    both = wide[[lead.leader, lead.runner_up]].dropna()
    if both.empty:
        return None
    venue = (both[lead.leader] + both[lead.runner_up]).sort_values(ascending=False, kind="stable").index[0]
    return str(venue), float(both.loc[venue, lead.leader]), float(both.loc[venue, lead.runner_up])


def _others_between(reading: SignalReading, names) -> str:
    """'; Keras, 2.1 million, lies between them': contenders outside the two the row compares that stand above the
    runner-up, said so the row never hides them."""
    lead = _lead(reading)
    if lead.values is None or reading.published_words:
        return ""
    above = lead.values[(lead.values > lead.runner_value) & ~lead.values.index.isin([lead.leader, lead.runner_up])]
    if above.empty:
        return ""
    words = []
    for who, value in above.items():
        where = "is ahead of both" if value > lead.leader_value else "lies between them"
        figure = f"{value:.1f}%" if lead.scale == "points" else count_words(value)
        words.append(f"{names(who)}, {figure}, {where}")
    return "; " + "; ".join(words)


def _survey_change_words(reading: SignalReading, names) -> str:
    """'; PyTorch rose from 3.3% in 2019, while TensorFlow went from 10.3% up to 16.5% in 2021 and back to 10.1%':
    the leader's and the runner-up's change since the survey's earliest comparable year, same question and
    population (the path, where a peak or trough between the two ends hides it; the years left out, where the
    population was drawn differently then)."""
    from mindshare.analysis.survey_readings import BASE_DEPENDENT, survey_path

    changes = _trend(reading).changes if reading.trend is not None else None
    if changes is None or changes.empty:
        return ""
    words, unlike = [], set()
    year = pd.Timestamp(reading.period_start).year if reading.period_start is not None else None
    for contender in (_lead(reading).leader, _lead(reading).runner_up):
        row = changes[changes["contender"] == contender]
        if row.empty:
            continue
        row = row.iloc[0]
        unlike |= set(row["unlike_years"] or ())
        series = reading.survey_series
        if series is not None and "definition" in series:
            series = series[series["definition"] == series.sort_values("year")["definition"].iloc[-1]]
        path = survey_path(series, contender) if series is not None else None
        name = names(contender)
        if path is not None:
            turn = "up to" if path["kind"] == "peak" else "down to"
            back = "back to"
            words.append(f"{name} went from {row['first_pct']:.1f}% in {row['first_year']} {turn} "
                         f"{path['pct']:.1f}% in {path['year']} and {back} {row['last_pct']:.1f}%"
                         + ("" if row["last_year"] == year else f" in {row['last_year']}"))
        elif row["status"] == CLEAR:
            verb = "rose" if row["change_pts"] > 0 else "fell"
            words.append(f"{name} {verb} from {row['first_pct']:.1f}% in {row['first_year']}")
        elif row["status"] in (WITHIN_CHANCE, ABOUT_LEVEL):
            words.append(f"{name} stayed about the same ({row['first_pct']:.1f}% in {row['first_year']})")
        elif row["status"] == BASE_DEPENDENT:
            words.append(f"{name}'s change depends on the base ({row['change_pts']:+.1f} points of those who "
                         f"answered, {row['other_base_change']:+.1f} of all)")
        else:
            words.append(f"{name} was at {row['first_pct']:.1f}% in {row['first_year']}")
    text = ("; " + ", while ".join(words)) if words else ""
    if unlike:
        text += (f" (compared only from {int(changes['first_year'].min())}: in "
                 f"{_join([str(y) for y in sorted(unlike)])} the {population_words(reading.population)} were "
                 "drawn differently)")
    return text


def trend_sentence(readings: list[SignalReading], names) -> Statement | None:
    """The steepest clear trend among current, non-survey measures, in points of share a year, with the steepest
    opposite trend of another contender in the same measure (a rise is someone else's fall)."""
    moving = [r for r in readings if r.trend is not None and _trend(r).status in ("rising", "falling")
              and r.measure.kind != SHARE and _trend(r).contender]
    if not moving:
        return None
    r = max(moving, key=lambda x: abs(_slope(_trend(x))))
    t = _trend(r)
    slope, who = _slope(t), str(t.contender)
    verb = "rose" if slope > 0 else "fell"
    two = len(t.members) == 2
    of = f"the two's {_short(r)}" if two else _short(r)
    text = (f"{names(who)}'s share of {of} {verb} by about {abs(slope):.0f} points a year from "
            f"{month(t.start)} to {month(t.end)}")
    if t.first_pct is not None and t.last_pct is not None and not (t.latest and t.latest.before_pct is not None):
        text += f" ({t.first_pct:.0f}% to {t.last_pct:.0f}%)"
    figures = [_figure(r, "share_trend_pts_per_year", slope, "points/year", who,
                       ci_low=t.ci_low, ci_high=t.ci_high, naive_ci_low=t.naive_low, naive_ci_high=t.naive_high,
                       readings=t.n, start=month(t.start), end=month(t.end), among=", ".join(t.members))]
    if t.clear is not None and not two:        # of two, one's rise is the other's fall: said once
        opposite = t.clear[np.sign(t.clear["slope"]) != np.sign(slope)]
        if not opposite.empty:
            o = opposite.iloc[0]
            text += (f", and {names(o['contender'])}'s {'rose' if o['slope'] > 0 else 'fell'} by about "
                     f"{abs(o['slope']):.0f}")
            figures.append(_figure(r, "share_trend_pts_per_year", o["slope"], "points/year", o["contender"],
                                   ci_low=o["low"], ci_high=o["high"], naive_ci_low=o["naive_low"],
                                   naive_ci_high=o["naive_high"], readings=t.n, start=month(t.start),
                                   end=month(t.end), among=", ".join(t.members)))
    text += _stretch_sentence(t.latest, names(who))
    if t.latest is not None:
        x = t.latest
        figures.append(_figure(r, "latest_stretch", x.status, "words", who, slope=x.slope_pts_per_year,
                               ci_low=x.ci_low, ci_high=x.ci_high, before_pct=x.before_pct, after_pct=x.after_pct,
                               start=month(x.start), end=month(x.end), months=x.months))
    return Statement(text + ".", tuple(figures), row_method_note(r, names), (r.signal,))


def sentences(current: list[SignalReading], readings: list[SignalReading], names,
              stale_after_years: float, pair: tuple[str, str] | None = None) -> list[Statement]:
    """3-5 plain sentences: each current measure (choices made now first; one another contender leads before those
    that agree), then the steepest trend. What is left out is said under the scoreboard (`data_through`)."""
    led = [r for r in current if r.lead is not None]
    trend = trend_sentence(current, names)
    room = max(MAX_SENTENCES - (1 if trend else 0), 1)
    # with more measures than room, a measure another contender leads is said before the ones that agree
    counts = pd.Series([_lead(r).leader for r in led if _lead(r).claimed]).value_counts()
    majority = counts.index[0] if len(counts) else None
    dissent = [r for r in led if _lead(r).claimed and _lead(r).leader != majority]
    chosen = (dissent + [r for r in led if r not in dissent])[:room]
    out = [reading_sentence(r, names, pair) for r in led if r in chosen]
    if trend:
        out.append(trend)
    return out


def not_measured(readings: list[SignalReading]) -> list[str]:
    """The signals the answer speaks of (the catalogue's, in its order) that these data do not measure at all:
    no reading, or only a count of web pages where search interest is meant."""
    measured = {r.signal for r in readings if r.lead is not None and r.measure.kind != PAGE_COUNT}
    spoken = sorted((s for s in CATALOGUE.signals if s.compared and s.order is not None), key=lambda s: s.order or 0)
    return [s.spoken for s in spoken if s.name not in measured]


def gaps_sentence(readings: list[SignalReading], stale_after_years: float) -> Statement | None:
    """'Older measures (...) end by 2022 and are not counted; not measured here: search interest.'"""
    old = [r for r in readings if not r.current and r.lead is not None and r.measure.kind != PAGE_COUNT]
    missing = not_measured(readings)
    parts, figures = [], []
    ends = [pd.Timestamp(r.period_end) for r in old if r.period_end is not None]
    if ends:
        parts.append(f"Older measures ({_join([_short(r) for r in old])}) end by {max(ends).year} and are not "
                     "counted")
        figures += [_figure(r, "latest_data", month(r.period_end), "month") for r in old if r.period_end is not None]
    if missing:
        parts.append(f"{'not' if parts else 'Not'} measured here: {_join(missing)}")
        figures.append(Figure("not_measured", ", ".join(missing), "signals"))
    if not parts:
        return None
    return Statement("; ".join(parts) + ".", tuple(figures),
                     f"a measure whose latest data are more than {stale_after_years:g} years before the report date "
                     "is not counted; a signal is not measured when these data hold no reading of it (a count of "
                     "web pages is not search interest)", tuple(r.signal for r in old))


def others_statement(readings: list[SignalReading], pair: tuple[str, str] | None, names,
                     notes: pd.DataFrame | None = None) -> Statement | None:
    """Beyond the two: every other contender that passed another over the past year on a current measure, what
    the same sources count more of than the leader ("the transformers package", "LLM" in job posts), and what a
    contender has become that changes what its figures stand for (`notes`: the data notes of metric
    `contender_note`, each about a contender of these readings)."""
    parts, figures = [], []
    for r in readings:
        if not r.current or r.lead is None:
            continue
        for passer, passed, a, b in _passes_in_a_year(r, pair):
            parts.append(f"{names(passer)} passed {names(passed)} on {_short(r)} over the past year "
                         f"({_value_words(r, a)} vs {_value_words(r, b)} {_in_period(r)})")
            figures.append(_figure(r, "passed_in_a_year", a, r.measure.unit, passer, versus=passed, versus_value=b))
    beyond = []
    for r in readings:
        if not r.current or r.lead is None or not r.beyond:
            continue
        leader = _lead(r)
        things = _join([f"{subject} ({_value_words(r, value)})" for subject, value in r.beyond])
        beyond.append(f"on {_short(r)}, {things} {'is' if len(r.beyond) == 1 else 'are'} ahead of "
                      f"{names(leader.leader)} ({_value_words(r, leader.leader_value)}) "
                      f"{_in_period(r)}")
        figures += [_figure(r, "beyond_the_contenders", value, r.measure.unit, "", subject=subject)
                    for subject, value in r.beyond]
    if beyond:
        parts.append("; ".join(beyond) + ", and none of these is a contender here")
    for text, note in _contender_notes(readings, names, notes):
        parts.append(text)
        figures.append(Figure("contender_note", text, "words", metric=str(note["metric"]), source=str(note["source"]),
                              period=month(note["period_start"]), detail={"subject": str(note["subject"])}))
    if not parts:
        return None
    return Statement("Beyond the two: " + "; ".join(parts) + ".", tuple(figures),
                     "a pass over the past year compares the latest reading with the latest one at least a year "
                     "before it, in one method, among the four highest contenders; what a source counts beyond the "
                     "contenders is its rows of other subjects, over the lead's own period",
                     tuple(dict.fromkeys(f.signal for f in figures if f.signal)))


def _contender_notes(readings: list[SignalReading], names, notes: pd.DataFrame | None) -> list[tuple[str, dict]]:
    """The words of each `contender_note` about a contender these readings compare (its subject is the contender's
    name), oldest first: the store's as-of view has already left out the notes after the report's day."""
    if notes is None or notes.empty:
        return []
    from mindshare.catalogue import CONTENDER_NOTE

    read = {c for r in readings if r.lead is not None and r.lead.values is not None for c in r.lead.values.index}
    named = {str(names(c)).lower() for c in read} | {str(c).lower() for c in read}
    mine = notes[(notes["metric"] == CONTENDER_NOTE.name) & notes["subject"].astype(str).str.lower().isin(named)]
    mine = mine.sort_values(["period_start", "subject"])
    return [(str(row["value_text"]).rstrip("."), row.to_dict()) for _, row in mine.iterrows()]


def _in_period(reading: SignalReading) -> str:
    """'in March 2026', 'over the 12 months to July 2026': the reading's period after a figure."""
    words = period_words(reading.period_start, reading.period_end, prose=True)
    return f"over {words}" if words.startswith("the ") else f"in {words}"


def _value_words(reading: SignalReading, value: float) -> str:
    unit = reading.measure.unit
    return f"{count_words(value)} {unit}".strip() if unit and not unit.startswith("%") else count_words(value)


def _passes_in_a_year(reading: SignalReading, pair: tuple[str, str] | None, top: int = 4):
    """(passer, passed, passer's value now, passed's value now) for each pass in the past year among the `top`
    highest contenders now, the field's own pair apart (the lead-lag line speaks of it)."""
    lead = _lead(reading)
    if reading.history_of is None or lead.values is None or len(lead.values) < 3:
        return []
    history = reading.history_of(list(lead.values.index))
    if history.empty:
        return []
    history = history.assign(date=pd.to_datetime(history["date"]))
    latest = history["date"].max()
    earlier = history[history["date"] <= latest - pd.DateOffset(years=1)]
    if earlier.empty:
        return []
    # the order of two contenders survives a change of method that scales everyone alike (a bridged change);
    # across any other change, no pass is read
    since = earlier["date"].max()
    methods = set(history.loc[history["date"] >= since, "method"])
    bridged = {c.before for c in reading.bridges if c.continuous} | {c.after for c in reading.bridges if c.continuous}
    if len(methods) > 1 and not (methods <= bridged and all(c.continuous for c in reading.bridges
                                                            if pd.Timestamp(c.first_after) > since)):
        return []
    now = history[history["date"] == latest].groupby("contender")["value"].sum().sort_values(ascending=False)
    then = earlier[earlier["date"] == earlier["date"].max()].groupby("contender")["value"].sum()
    leaders = list(now.index[:top])
    out = []
    for passer in leaders:
        for passed in now.index:
            if passer == passed or (pair and {passer, passed} == set(pair)):
                continue
            if passed in then and passer in then and then[passer] < then[passed] and now[passer] > now[passed]:
                out.append((str(passer), str(passed), float(now[passer]), float(now[passed])))
    return out


# -- advice per reader --------------------------------------------------------------------------------------------
def focus(readings: list[SignalReading], names) -> list[Focus]:
    """'What should you focus on?' for each audience, from the measures that speak to it (current ones first; old
    ones only when nothing current does, and then saying how old). Each measure is named by what its lead shows
    (the signal's `shows`); where every measure only stands in for what the reader needs (production use: downloads
    count CI runs, stars are bookmarks), the advice says first that these data do not measure it."""
    out = []
    for audience in READERS:
        signals = CATALOGUE.readers_of(audience)
        mine = [r for r in readings if r.signal in signals and r.lead is not None]
        used = [r for r in mine if r.current] or mine
        if not used:
            out.append(Focus(audience, Statement(
                f"For {audience}: no measure in these data speaks to this directly.", (), "", ())))
            continue
        when = "" if used[0].current else \
            f"; these data end in {max(pd.Timestamp(r.period_end) for r in used).year}"
        text = f"For {audience}: {_advice(used, names, when, audience)}"
        out.append(Focus(audience, Statement(text, tuple(f for r in used for f in lead_figures(r)),
                                             "; ".join(row_method_note(r, names) for r in used),
                                             tuple(r.signal for r in used))))
    return out


def _shows(reading: SignalReading, who: str) -> str:
    """What the reading's lead shows, with the leader's name: 'employers name PyTorch more often'."""
    words = CATALOGUE.signal(reading.signal).shows or f"{{name}} leads {_short(reading)}"
    return words.format(name=who)


def _advice(used: list[SignalReading], names, when: str, audience: str) -> str:
    from mindshare.catalogue import READER_NEEDS

    claimed = _claimed(used)
    pieces = [f"{_shows(r, names(_lead(r).leader))} ({_short(r)})" for r in claimed]
    for verdict, status in (("about level", (ABOUT_LEVEL,)), ("too close to call", (WITHIN_CHANCE, TIE, NO_INTERVAL))):
        close = [r for r in used if r not in claimed and _lead(r).status in status]
        if close:
            pair = sorted({names(_lead(r).leader) for r in close} | {names(_lead(r).runner_up) for r in close})
            pieces.append(f"{_join(pair)} are {verdict} on {_join([_short(r) for r in close])}")
    text = _join(pieces) + when
    need = READER_NEEDS.get(audience)
    if need is not None and all(CATALOGUE.signal(r.signal).proxy for r in used):
        return f"these data do not measure {need.need}. Nearest: {text}."
    if not claimed:
        return f"{text}; either is a sound choice."
    return text + "."


def data_through(readings: list[SignalReading], day, stale_after_years: float) -> Statement:
    ends = [(pd.Timestamp(r.period_end), r) for r in readings if r.period_end is not None]
    if not ends:
        return Statement(f"No dated readings; report date {day.isoformat()}.")
    newest, latest = max(ends, key=lambda x: x[0])
    current = [(e, r) for e, r in ends if r.current]
    text = f"Data through {newest:%Y-%m}; report date {day.isoformat()}."
    figures = [_figure(latest, "data_through", month(newest), "month"), Figure("report_date", day.isoformat(), "date")]
    if current:
        oldest, r = min(current, key=lambda x: x[0])
        text = text[:-1] + f"; the oldest measure counted ({_short(r)}) ends {oldest:%Y-%m}."
        figures.append(_figure(r, "oldest_current", month(oldest), "month"))
    gaps = gaps_sentence(readings, stale_after_years)
    if gaps is not None:
        text += " " + gaps.text
        figures += list(gaps.figures)
    return Statement(text, tuple(figures), f"a measure is counted when its data end within {stale_after_years:g} "
                     "years of the report date; ages on the scoreboard are measured against the report date, not "
                     "against the newest reading; a signal is not measured when these data hold no reading of it (a "
                     "count of web pages is not search interest)")


# -- lead-lag ---------------------------------------------------------------------------------------------------------
def lead_lag_pair(readings: list[SignalReading], leader: str | None) -> tuple[str, str] | None:
    """The headline leader and the contender it is most often compared with (its most frequent other half)."""
    pairs = [(_lead(r).leader, _lead(r).runner_up) for r in readings if r.lead is not None and _lead(r).runner_up]
    if not pairs:
        return None
    if leader is None:
        counts = pd.Series([p[0] for p in pairs]).value_counts()
        leader = sorted(counts[counts == counts.max()].index)[0]
    others = pd.Series([b if a == leader else a for a, b in pairs if leader in (a, b)])
    if others.empty:
        return None
    counts = others.value_counts()
    return leader, sorted(counts[counts == counts.max()].index)[0]


def lead_lag(readings: list[SignalReading], pair: tuple[str, str], names) -> tuple[tuple[LeadLagRow, ...],
                                                                                   Statement | None]:
    """When the two contenders changed places on each measure, in whichever direction: a measure where the second
    passed the first is said so ("PyTorch passed TensorFlow in conference papers, 2019"), never "not crossed"."""
    from mindshare.analysis.leadlag import AHEAD_THROUGHOUT, NOT_CROSSED, pass_from_history, pass_from_venues

    a, b = pair
    rows, figures = [], []
    for r in readings:
        if r.measure.kind == PAGE_COUNT:
            continue

        def standing(passer: str, passed: str, reading: SignalReading = r):
            if reading.venue_frame is not None:
                return pass_from_venues(reading.signal, reading.venue_frame, passer, passed)
            if reading.history_of is not None:
                return pass_from_history(reading.signal, reading.history_of([passer, passed]), passer, passed)
            return None

        found, passer, passed = standing(a, b), a, b
        if found is None or found.status == "no common readings":
            continue
        if found.status == NOT_CROSSED:           # the other is ahead now: when did it pass, if it did?
            other = standing(b, a)
            if other is not None and other.status != "no common readings":
                found, passer, passed = other, b, a
        when = found.status
        if found.date is not None:
            when = _pass_date(r, found.date)
            if found.since is not None:                  # the readings around the pass are far apart
                when = f"between {_pass_date(r, found.since)} and {when}"
        if found.date is None and found.last is not None:
            when += f" (to {found.last.year})"
        rows.append(LeadLagRow(r.signal, _short(r), passer, passed, when, found.status,
                               found.date.date() if found.date is not None else None))
        figures.append(_figure(r, "passed_on", when, "date or status", passer, versus=passed,
                               first=month(found.first), last=month(found.last)))
    order = sorted(range(len(rows)), key=lambda i: (rows[i].date is None, rows[i].date or pd.Timestamp.max.date(),
                                                    rows[i].signal))
    rows, figures = [rows[i] for i in order], [figures[i] for i in order]
    if not rows:
        return (), None
    parts = []
    for passer, passed in ((a, b), (b, a)):
        crossed = [x for x in rows if x.date is not None and x.passer == passer]
        if crossed:
            parts.append(f"{names(passer)} passed {names(passed)} on " + "; ".join(f"{x.label} {x.when}"
                                                                                     for x in crossed))
    for who in (a, b):
        ahead = [x for x in rows if x.date is None and x.passer == who and x.status == AHEAD_THROUGHOUT]
        if ahead:
            parts.append(f"{names(who)} was ahead throughout on " + "; ".join(f"{x.label} {x.when.split(' ', 2)[-1]}"
                                                                              for x in ahead))
    rest = [x for x in rows if x.date is None and x.status != AHEAD_THROUGHOUT]
    if rest:
        parts.append("; ".join(f"{x.label}: {x.when}" for x in rest))
    text = "When the two changed places: " + (". ".join(parts) if parts else "in none of the measures")
    note = ("a pass is read between consecutive readings of one method, on the series each measure is read from: "
            "trailing 12-month sums for small counts, the flow of a cumulative total, venues both periods share; a "
            "reading of a window of days is dated by the month it ends in and the day it was read (the snapshot the "
            "tables list)")
    return tuple(rows), Statement(text + ".", tuple(figures), note, tuple(x.signal for x in rows))


def _pass_date(reading: SignalReading, when: pd.Timestamp) -> str:
    """A pass's date in the words of its readings: a year for calendar-year readings; for a window of days read on a
    day, the month the window ends in and the day it was read (the day after: the snapshot the tables list); the
    month otherwise."""
    yearly = reading.measure.kind == SHARE or bool(reading.venues) or \
        len(period_words(reading.period_start, reading.period_end)) == 4          # readings of calendar years
    if yearly:
        return f"{when.year}"
    if reading.measure.kind == VOLUME:
        return f"{month(when)} (read {pd.Timestamp(when) + pd.Timedelta(days=1):%Y-%m-%d})"
    return month(when)


# -- the composite, out of the headline ------------------------------------------------------------------------------
def composite(current: list[SignalReading], names, weights, draws: int) -> Statement | None:
    from mindshare.analysis.composite import relative_composite

    usable = [r for r in current if r.lead is not None and _lead(r).values is not None]
    if len(usable) < 2:
        return None
    # by series: a signal read from two series (PyPI, npm) is two measures, each weighted as its signal
    values = pd.DataFrame({r.series or r.signal: _lead(r).values for r in usable})
    log_sd = pd.DataFrame({r.series or r.signal: r.log_sd for r in usable if r.log_sd is not None})
    chosen = {r.series or r.signal: w for s, w in (weights or {}).items() for r in usable if r.signal == s} or None
    result = relative_composite(values, chosen, log_sd, draws=draws)
    if result is None:
        return None
    top = result.scores.iloc[0]
    second = result.scores.iloc[1]
    counted = values.loc[[c for c in values.index if c not in result.left_out], list(result.weights)]
    leaders = {counted[column].idxmax() for column in counted.columns if counted[column].notna().any()}
    if len(leaders) == 1 and len(counted) >= 2:
        # one contender first on every measure: no weighting of them can change who comes first, so no simulation
        who = str(next(iter(leaders)))
        text = (f"{names(who)} has the highest value on each of the {plural(len(result.weights), 'current measure')}, "
                "so no weighting of them puts another contender first")
        return Statement(text + ".", (Figure("first_on_every_measure", len(result.weights), "measures", contender=who,
                                             detail={"signals": ", ".join(result.weights)}),),
                         "when one contender leads every measure, any weighted combination of them ranks it first: "
                         "no simulation is needed, and none is run into a probability", tuple(result.weights))
    weighting = "weighted equally" if chosen is None else "with the weights given"
    text = (f"Taking the {plural(len(result.weights), 'current measure')} together ({weighting}), {names(top['contender'])} "
            f"comes first in {top['p_first'] * 100:.0f}% of {result.draws:,} tries that vary the data and the weights")
    flip = result.flip
    if flip is not None and flip.data_factor is not None and np.isfinite(flip.data_factor):
        moved = next(r for r in usable if (r.series or r.signal) == flip.data_signal)
        text += (f"; {names(second['contender'])} would need {flip.data_factor:.1f} times its "
                 f"{_short(moved)} to draw level")
    figures = [Figure("p_first", _plain(top["p_first"]), "probability", contender=str(top["contender"]),
                      detail={"draws": result.draws, "kappa": result.kappa, "signals": ", ".join(result.weights),
                              "weights": ", ".join(f"{k} {v:.2f}" for k, v in result.weights.items())}),
               Figure("index", _plain(second["index"]), "% of the leader", contender=str(second["contender"]))]
    if flip is not None:
        figures.append(Figure("flip_data_factor", _plain(flip.data_factor), "times", signal=flip.data_signal or "",
                              contender=str(second["contender"])))
        figures.append(Figure("flip_weight_moved", _plain(flip.weight_moved), "share of total weight",
                              detail={"from": ", ".join(flip.weight_from), "to": flip.weight_to}))
    note = ("weighted geometric mean of each contender's values (log scale), so its order does not depend on which "
            "other contenders are in the field; tries resample each value within its uncertainty (Poisson or "
            "binomial where sampled, none for complete counts) and draw weights from a Dirichlet around the chosen "
            f"ones; contenders without every measure are left out ({', '.join(result.left_out) or 'none'}). Hale's "
            "2018 and 2019 scores are reproduced elsewhere as a record of his method, not as a verdict")
    return Statement(text + ".", tuple(figures), note, tuple(result.weights))


def method_notes(readings: list[SignalReading], analysis, stale_after_years: float) -> tuple[str, ...]:
    notes = [f"A measure is current when its latest data end within {stale_after_years:g} years of the report date; "
             "older ones are shown but not counted.",
             "A lead is called a lead only when it is large enough to matter (the leader has 10% more, and for "
             "survey shares also 1 point more; a smaller gap is 'about level') and, in sampled counts and survey "
             "shares, beyond chance (its 95% interval excludes a tie); complete counts are given as counted, with "
             "no test.",
             "Trends are of shares among contenders read throughout the window, with intervals that allow for "
             "autocorrelation (Newey-West), and only from six readings up."]
    from mindshare.analysis.confidence import RUBRIC

    notes.append(RUBRIC)
    pages = [r for r in readings if r.measure.kind == PAGE_COUNT]
    if pages:
        notes.append("Google result counts are the number of web pages a search reports, not search interest; they "
                     "are listed as a fact and never counted.")
    if getattr(analysis, "composites", None):
        notes.append("Hale's 2018 power score and 2019 growth score are reproduced as a record of his method (min-max "
                     "scaling, which changes when a contender is added); they do not enter the answer.")
    return tuple(notes)


def survey_change_rows(surveys: pd.DataFrame | None, names) -> tuple[dict, ...]:
    """Every survey question and population, first year to latest, as plain rows naming the population."""
    from mindshare.analysis.survey_readings import BASE_DEPENDENT, survey_changes

    if surveys is None or surveys.empty:
        return ()
    changes = survey_changes(surveys)
    rows = []
    for row in changes.itertuples(index=False):
        interval = (f"95% interval {points(row.ci_low)} to {points(row.ci_high)}"
                    if row.ci_low is not None and not pd.isna(row.ci_low) else "no base published")
        if row.status == BASE_DEPENDENT:
            interval += (f"; {points(row.other_base_change)} points on the other base, so the change depends on "
                         "who is counted")
        if row.unlike_years:
            interval += (f"; {_join([str(y) for y in row.unlike_years])} left out: the population was drawn "
                         "differently then")
        of = "of all respondents" if row.base == ALL_RESPONDENTS else "of those who answered the question"
        rows.append({"survey": row.survey_name, "question": row.question, "base": row.base,
                     "population": row.population, "contender": row.contender,
                     "name": names(row.contender), "from_year": row.first_year, "to_year": row.last_year,
                     "from_pct": _plain(row.first_pct), "to_pct": _plain(row.last_pct),
                     "change_pts": _plain(row.change_pts), "ci_low": _plain(row.ci_low),
                     "ci_high": _plain(row.ci_high), "status": row.status,
                     "from_n": _plain(row.first_n), "to_n": _plain(row.last_n),
                     "unlike_years": list(row.unlike_years or ()), "unlike_why": row.unlike_why or "",
                     "other_base_change": _plain(row.other_base_change),
                     "text": f"{names(row.contender)} among {population_words(row.population)} in the "
                             f"{row.survey_name} (% {of}): {row.first_pct:.1f}% ({row.first_year}) to "
                             f"{row.last_pct:.1f}% ({row.last_year}), {row.change_pts:+.1f} points ({interval})"})
    return tuple(rows)


def survey_notes(surveys: pd.DataFrame | None, data_notes: pd.DataFrame | None, names) -> tuple[Statement, ...]:
    """What a reader of any survey figure must know, said once each: readings whose sources disagree (both
    values, both sources, which is used) and survey years that did not ask the question."""
    from mindshare.analysis.survey_readings import survey_conflicts, survey_key, survey_name

    out = []
    if surveys is not None and not surveys.empty:
        for c in survey_conflicts(surveys).itertuples(index=False):
            figures = tuple(Figure("conflicting_readings", words, "% of respondents", signal=USAGE.name,
                                   metric=c.question, segment=c.population, period=str(c.year), contender=who)
                            for who, words in c.details)
            out.append(Statement(conflict_words(c, names) + ".", figures,
                                 "readings are matched by survey, question, population and year; the one with the "
                                 "larger published base (then the newest collected) is used; values that agree to "
                                 "the precision of the rounder one do not disagree", (USAGE.name,)))
    if data_notes is not None and not data_notes.empty:
        asked = data_notes[data_notes["metric"].map(survey_key).notna()
                           & data_notes["metric"].astype(str).str.endswith("survey_note")]
        for n in asked.itertuples(index=False):
            year = pd.Timestamp(n.period_start).year
            out.append(Statement(f"{survey_name(n.source)} {year}: {n.value_text}.",
                                 (Figure("survey_note", str(n.value_text), "words", signal=str(n.signal),
                                         metric=str(n.metric), source=str(n.source), period=str(year)),),
                                 "a caveat the data carry as words (a survey note), said wherever the survey is "
                                 "read", (str(n.signal),)))
    return tuple(out)

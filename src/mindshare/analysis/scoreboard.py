"""The numbers behind each scoreboard row: one `SignalReading` per signal, like for like, before any words.

For each signal's chosen series (analysis.pipeline) the reading is taken the way its measure demands
(analysis.measures): counts of events are pooled over a trailing window (analysis.leads); a cumulative total is read
from its flow, with its level beside it (analysis.flows); signals summed over venues are read on the venues of their
latest period and trended only on a panel of venues present in every period (analysis.panels); survey shares come
from the survey matched by question and population (analysis.survey_readings); everything else from its latest
reading. Trends are of shares among the contenders read in every month of the window, across method changes only
where shares are shown to be continuous there (analysis.bridges), with the interval that allows for
autocorrelation, and only from six readings up (analysis.trends).

Every age is measured against the report date, which is passed in: nothing here reads a clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np
import pandas as pd

from mindshare.analysis.bridges import MethodChange, bridged_start, changes_in
from mindshare.analysis.flows import level_and_flow
from mindshare.analysis.leads import Lead, counted_lead, pooled_count_lead, published_ratio_lead, survey_lead
from mindshare.analysis.measures import (
    CUMULATIVE,
    EVENTS,
    INDEX,
    LEVEL,
    PAGE_COUNT,
    RATIO,
    SHARE,
    VOLUME,
    Measure,
    describe,
)
from mindshare.analysis.panels import compare_on_panel, panel_run
from mindshare.analysis.trends import MIN_READINGS, TOO_FEW, hac_slope_many, years_since
from mindshare.catalogue import CATALOGUE, SERIES_BRIDGE

STALE_AFTER_YEARS = 3.0
TREND_MONTHS = 36
LATEST_MONTHS = 12          # the latest stretch, read beside the long slope
NO_CLEAR_CHANGE = "no clear change"
FLAT, SLOWING, SPEEDING_UP, REVERSED, HOLDING = "flat", "slowing", "speeding up", "reversed", "holding"


@dataclass(frozen=True)
class Stretch:
    """What the latest stretch of a trend shows, beside the long slope: its direction and pace against it.

    For shares read month by month (downloads, stars): the slope of the contender's share over the latest
    `LATEST_MONTHS` months, with its Newey–West interval, against the slope of the months before it in the window
    (disjoint stretches; the difference gets the two half-widths added in quadrature): "slowing" when the earlier
    slope is steeper beyond chance, "speeding up" when flatter, "flat" when the latest interval holds zero,
    "reversed" when it excludes zero on the other side, "holding" otherwise. Without six earlier readings the
    window is its own latest stretch, and none is read. For sampled counts (job posts: a handful a month, too
    few for a monthly slope): the
    contender's share of the posts naming any of them in the latest 12 months against the 12 before (Newcombe's
    interval for two independent proportions), "flat" when within chance or less than a point apart.
    """

    status: str                        # FLAT, SLOWING, SPEEDING_UP, REVERSED, HOLDING
    start: pd.Timestamp
    end: pd.Timestamp
    slope_pts_per_year: float | None = None     # slopes
    ci_low: float | None = None
    ci_high: float | None = None
    before_pct: float | None = None             # windows: the share in the 12 months before, and in the latest 12
    after_pct: float | None = None
    months: int = LATEST_MONTHS
    before_slope: float | None = None           # slopes: the slope of the months before the latest stretch


@dataclass(frozen=True)
class TrendReading:
    """The clearest trend of one contender's share in a signal, or why there is none."""

    status: str                        # 'rising', 'falling', NO_CLEAR_CHANGE or TOO_FEW
    contender: str | None = None
    slope_pts_per_year: float | None = None
    ci_low: float | None = None        # Newey–West (HAC) 95% interval
    ci_high: float | None = None
    naive_low: float | None = None     # the OLS t interval (assumes independent errors), for comparison
    naive_high: float | None = None
    n: int = 0
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    members: tuple[str, ...] = ()      # the fixed set the shares are among
    unit: str = "share points"
    changes: pd.DataFrame | None = None    # surveys: change since the earliest comparable year, per contender
    clear: pd.DataFrame | None = None      # every contender whose trend is clear: contender, slope, low, high
    latest: Stretch | None = None          # what the latest stretch shows for `contender`, beside the long slope
    of: str = "share"                      # what the shares are of: the readings, or the new ones (a flow)
    first_pct: float | None = None         # `contender`'s share at the first and the last month of the fit
    last_pct: float | None = None
    path: tuple[tuple[str, str], ...] = ()     # published ratios: (period, the source's words), oldest first


@dataclass
class SignalReading:
    signal: str
    metric: str
    source: str
    segment: str
    measure: Measure
    lead: Lead | None
    period_start: pd.Timestamp | None
    period_end: pd.Timestamp | None
    age_years: float | None
    current: bool
    not_current_reason: str = ""
    trend: TrendReading | None = None
    log_sd: pd.Series | None = None            # per contender: sd of log(value), for the composite's resampling
    levels: pd.Series | None = None            # cumulative: all-time level per contender at the end
    venues: tuple[str, ...] = ()               # summed over segments: the venues of the latest period
    population: str = ""                       # surveys: who was asked
    survey_name: str = ""
    conflict: str = ""                         # surveys: disagreeing readings of the same keys
    conflict_details: tuple[tuple[str, str], ...] = ()   # surveys: (contender, both readings and their sources)
    bridges: list[MethodChange] = field(default_factory=list)
    method: str = ""
    readings_in_series: int = 0
    history_of: Callable[[list[str]], pd.DataFrame] | None = None   # contenders -> their comparable series
                                               # (date, contender, value, method), for lead-lag
    venue_frame: pd.DataFrame | None = None    # summed over segments: segment, period, contender, value
    notes: list[str] = field(default_factory=list)
    joins: list[tuple[str, str, str]] = field(default_factory=list)   # (what, other method, words) of each
                                               # series_bridge note: how far this series may be joined with the
                                               # signal's other series (words start BRIDGED or NOT BRIDGED)
    not_asked: tuple[tuple[int, str], ...] = ()    # surveys: (year, words) of later years that did not ask
    survey_series: pd.DataFrame | None = None  # surveys: every year of the question and population read
    conflicts: pd.DataFrame | None = None      # surveys: readings of this survey whose sources disagree
    series: str = ""                           # the series read (pipeline: the signal, or signal and source when
                                               # the signal is read from several series, each for its contenders)
    variation_pts: float | None = None         # readings of a level or window: the largest change of the leader's
                                               # share of the two between readings of one method days apart
    published_words: str = ""                  # a published ratio: the source's words for it ("about 2")
    beyond: tuple[tuple[str, float], ...] = ()   # things the series counts beyond the contenders that it counts
                                               # more of than the leader, over the lead's period: (subject, value)
    other_populations: tuple[tuple[str, float, float], ...] = ()   # surveys: the other populations of the year
                                               # read, largest first: (population, leader's %, runner-up's %)


def _values(lead: Lead) -> pd.Series:
    """Every contender's value the lead was read from (every lead this module reads carries them)."""
    if lead.values is None:
        raise ValueError(f"{lead.leader}: a lead without the values it was read from")
    return lead.values


def age_in_years(end, report_date) -> float | None:
    if end is None or pd.isna(end):
        return None
    return float((pd.Timestamp(report_date) - pd.Timestamp(end)).days / 365.25)


def current_run(months: pd.DataFrame) -> pd.DataFrame:
    """The rows of the latest uninterrupted run of one method, by month (the last method read in each month)."""
    if "last_in_month" in months:
        months = months[months["last_in_month"].to_numpy()]
    if months.empty:
        return months
    by_month = months.groupby("month", sort=True)["method"].first()    # one method per month (last_in_month)
    run = (by_month != by_month.shift()).cumsum()
    first = by_month.index[(run == run.iloc[-1]).to_numpy()].min()
    return months[(months["month"] >= first).to_numpy() & (months["method"] == by_month.iloc[-1]).to_numpy()]


def _of(frame: pd.DataFrame, who) -> pd.DataFrame:
    return frame[frame["contender"].isin(who).to_numpy()]


def signal_readings(analysis, report_date, *, stale_after_years: float = STALE_AFTER_YEARS,
                    pair: tuple[str, str] | None = None) -> list[SignalReading]:
    """One SignalReading per chosen series of `analysis` (a pipeline.Analysis), ages against `report_date`. With
    `pair` (the field's own two contenders) every row compares those two wherever both were read."""
    summed = CATALOGUE.summed_over_segments()
    readings = []
    months = analysis.months if analysis.months is not None else pd.DataFrame(
        columns=["signal", "contender", "month", "method", "d", "e", "value", "last_in_month"])
    by_signal = dict(tuple(months.groupby("signal"))) if not months.empty else {}
    for series in analysis.series.itertuples(index=False):
        measure = describe(series.metric, source=str(series.source))
        key = getattr(series, "series", series.signal)
        own = by_signal.get(key, months.iloc[0:0])
        base = dict(signal=series.signal, metric=series.metric, source=str(series.source),
                    segment="" if pd.isna(series.segment) else str(series.segment), measure=measure)
        if measure.kind == SHARE and analysis.surveys is not None and not analysis.surveys.empty:
            reading = _survey_reading(base, analysis.surveys, pair)
        elif series.signal in summed and analysis.venues is not None and not analysis.venues.empty:
            reading = _venue_reading(base, analysis.venues[analysis.venues["signal"] == key], pair)
        elif measure.kind == CUMULATIVE:
            reading = _cumulative_reading(base, own, pair)
        elif measure.kind == EVENTS:
            reading = _events_reading(base, own, pair)
        else:
            reading = _latest_reading(base, own, pair)
        if reading is None:
            continue
        reading.series = key
        if measure.kind in (VOLUME, LEVEL) and reading.lead is not None and len(own):
            reading.variation_pts = snapshot_variation(own, reading.lead.leader, reading.lead.runner_up)
        if analysis.others is not None and not analysis.others.empty:
            reading.beyond = _beyond(analysis.others[(analysis.others["signal"] == key).to_numpy()], reading)
        _attach_data_notes(reading, analysis.data_notes)
        reading.age_years = age_in_years(reading.period_end, report_date)
        reading.current, reading.not_current_reason = _is_current(reading, stale_after_years)
        readings.append(reading)
    covered = {r.signal for r in readings}
    for reading in _ratio_readings(analysis, pair):
        if reading.signal in covered:        # a series of counts reads the signal better than a ratio in words
            continue
        reading.age_years = age_in_years(reading.period_end, report_date)
        reading.current, reading.not_current_reason = _is_current(reading, stale_after_years)
        readings.append(reading)
    return readings


_RATIO_WORDS = re.compile(r"^\s*(?P<q>about|nearly|almost|around|roughly|over|under|more than|~)?\s*"
                          r"(?P<x>\d+(?:\.\d+)?)\s*(?:x|times)?\s*$", re.IGNORECASE)


def ratio_of(words: str) -> float | None:
    """'about 2' -> 2.0, 'nearly 3' -> 3.0, '2.5x' -> 2.5; None for words that are not a ratio."""
    found = _RATIO_WORDS.match(str(words or ""))
    return float(found.group("x")) if found else None


def _named(subject: str, names: dict) -> tuple[str | None, list[str]]:
    """'TensorFlow vs PyTorch / Keras' -> ('tensorflow', ['pytorch', 'keras']): the contender named first, and the
    ones it is set against (names matched without regard to case; a name no contender has is left out)."""
    by_name = {str(v).casefold(): k for k, v in names.items()} | {str(k).casefold(): k for k in names}
    left, _, right = str(subject).partition(" vs ")
    first = by_name.get(left.strip().casefold())
    others = [by_name.get(part.strip().casefold()) for part in right.split("/")]
    return first, [o for o in others if o]


def _ratio_readings(analysis, pair: tuple[str, str] | None) -> list[SignalReading]:
    """A reading per signal from the ratios its sources published in words (rows of a metric of kind ratio, kept
    among the data notes): the latest ratio of the pair (else of the first contenders named), with the earlier
    ratios of the same two as its path."""
    notes = analysis.data_notes
    if notes is None or notes.empty:
        return []
    kinds = notes["metric"].map(lambda m: describe(str(m)).kind)
    rows = notes[(kinds == RATIO).to_numpy()]
    out = []
    for (signal, metric), group in rows.groupby(["signal", "metric"]):
        parsed = []
        for row in group.itertuples(index=False):
            leader, others = _named(str(row.subject), analysis.contender_names)
            ratio = ratio_of(row.value_text)
            if leader is None or not others or ratio is None:
                continue
            runner = next((o for o in others if pair and o in pair and leader in pair), others[0])
            parsed.append((pd.Timestamp(row.period_end if pd.notna(row.period_end) else row.period_start),
                           pd.Timestamp(row.period_start), leader, runner, ratio, str(row.value_text).strip(), row))
        if not parsed:
            continue
        parsed.sort(key=lambda x: x[0])
        end, start, leader, runner, ratio, words, row = parsed[-1]
        path = tuple((_period_label(p[1], p[0]), p[5]) for p in parsed if {p[2], p[3]} == {leader, runner})
        measure = describe(str(metric))
        reading = _blank({"signal": str(signal), "metric": str(metric), "source": str(row.source),
                          "segment": str(row.segment or ""), "measure": measure},
                         lead=published_ratio_lead(leader, runner, ratio, start, end), period_start=start,
                         period_end=end, method=str(row.method or ""), readings_in_series=len(path),
                         published_words=words)
        status = TOO_FEW
        if len(path) >= 2:
            first = ratio_of(path[0][1]) or ratio
            status = "narrowing" if ratio < first else "widening" if ratio > first else NO_CLEAR_CHANGE
        reading.trend = TrendReading(status, leader, n=len(path), start=pd.Timestamp(parsed[0][1]), end=end,
                                     members=(leader, runner), unit="ratio", path=path)
        reading.series = str(signal)
        out.append(reading)
    return out


def _period_label(start: pd.Timestamp, end: pd.Timestamp) -> str:
    return f"{start:%Y-%m-%d}" if start == end else f"{start:%Y-%m}"


def _beyond(others: pd.DataFrame, reading: SignalReading) -> tuple[tuple[str, float], ...]:
    """What the series counts beyond the contenders, more of than the leader, over the lead's own period and method:
    counts of events summed over the months the lead pools, other readings at the lead's month."""
    lead = reading.lead
    if lead is None or others.empty or lead.end is None:
        return ()
    rows = others[(others["method"] == reading.method).to_numpy()] if reading.method else others
    month = pd.to_datetime(rows["month"])
    if reading.measure.kind == EVENTS and lead.start is not None:
        inside = rows[((month >= pd.Timestamp(lead.start).to_period("M").to_timestamp())
                       & (month <= pd.Timestamp(lead.end).to_period("M").to_timestamp())).to_numpy()]
        if inside["month"].nunique() < lead.readings:
            return ()                        # the other subjects were not counted over the whole window
        values = inside.groupby("subject")["value"].sum()
    elif reading.measure.kind in (VOLUME, LEVEL, INDEX):
        at = pd.Timestamp(reading.period_end).to_period("M").to_timestamp() if reading.period_end is not None \
            else None
        values = rows[(month == at).to_numpy()].groupby("subject")["value"].last()
    else:
        return ()
    more = values[values > lead.leader_value].sort_values(ascending=False)
    return tuple((str(subject), float(value)) for subject, value in more.items())


def snapshot_variation(months: pd.DataFrame, leader: str, runner: str, *, days: int = 7,
                       window_months: int = TREND_MONTHS) -> float | None:
    """The largest change of `leader`'s share of the two (points) between consecutive readings of one method taken
    at most `days` apart, over the last `window_months` of the series: two looks at almost the same days, so any
    difference is how much the figure moves with the day it is read. None without such a pair."""
    rows = months[months["contender"].isin([leader, runner]).to_numpy()]
    if rows.empty:
        return None
    when = pd.to_datetime(rows["d"])
    rows = rows[(when > when.max() - pd.DateOffset(months=window_months)).to_numpy()]
    wide = rows.pivot_table(index=["d", "method"], columns="contender", values="value", aggfunc="sum")
    if leader not in wide or runner not in wide:
        return None
    wide = wide[[leader, runner]].dropna()
    total = wide[leader] + wide[runner]
    share = (100 * wide[leader] / total.where(total > 0)).rename("share").dropna().reset_index().sort_values("d")
    share["d"] = pd.to_datetime(share["d"])
    step = share["share"].diff().abs()
    close = (share["d"].diff() <= pd.Timedelta(days=days)) & (share["method"] == share["method"].shift())
    found = step[close.to_numpy()]
    return float(found.max()) if len(found) else None


def earlier_of(reading: SignalReading, earlier: list[SignalReading],
               names: Callable[[str], str] = str) -> tuple[str, SignalReading | None, str]:
    """The same measure among readings made from what was known on an earlier day, like for like: the same series,
    metric and source (for a survey: the same survey, question and population), counted the same way or across a
    change of method the trend bridged (one that scales every contender alike). Returns (status, the earlier
    reading, why in words); status as answer_model's COMPARED, UNCHANGED, NOT_LIKE or NO_READING."""
    from mindshare.analysis.answer_model import COMPARED, NO_READING, NOT_LIKE, UNCHANGED

    same_signal = [e for e in earlier if e.signal == reading.signal and e.lead is not None]
    if not same_signal:
        return NO_READING, None, "no reading of this measure was known then"
    match = next((e for e in same_signal if e.series == reading.series and e.metric == reading.metric
                  and e.source == reading.source and e.population == reading.population), None)
    if match is None and reading.measure.kind == SHARE:       # surveys: sources differ by year, keys do not
        match = next((e for e in same_signal if e.measure.kind == SHARE and e.population == reading.population
                      and e.method == reading.method), None)
    if match is None:
        other = same_signal[0]
        return NOT_LIKE, other, f"not like for like: known then only as {other.measure.name}"
    if match.method != reading.method and reading.measure.kind != SHARE:
        breaks = [c for c in reading.bridges if not c.continuous
                  and (match.period_end is None or pd.Timestamp(c.first_after) > pd.Timestamp(match.period_end))]
        bridged = {c.before for c in reading.bridges if c.continuous}
        if breaks or match.method not in bridged:
            return NOT_LIKE, match, f"not like for like: counted another way then ({match.method})"
    lead, now = match.lead, reading.lead
    if lead is None or now is None or {lead.leader, lead.runner_up} != {now.leader, now.runner_up}:
        read = set(lead.values.index) if lead is not None and lead.values is not None else set()
        missing = [c for c in (now.leader, now.runner_up) if c not in read] if now is not None else []
        return NOT_LIKE, match, ("not like for like: " + (f"{', '.join(map(names, missing))} not read then" if missing
                                                          else "another two contenders compared then"))
    if match.period_end is not None and reading.period_end is not None \
            and pd.Timestamp(match.period_end) == pd.Timestamp(reading.period_end):
        return UNCHANGED, match, ""
    return COMPARED, match, ""


def field_pair(readings: list[SignalReading]) -> tuple[str, str] | None:
    """The field's own two contenders: the two most often compared (first and second) across its current measures
    (all measures when none is current); ties go to the pair whose members come first or second most often, then
    by id. Every row of the scoreboard then compares these two, so the rows speak of the same contest."""
    with_lead = [r for r in readings if r.lead is not None]
    used = [r for r in with_lead if r.current] or with_lead
    if not used:
        return None
    pairs: dict[tuple[str, str], int] = {}
    seen: dict[str, int] = {}
    for r in used:
        lead = r.lead
        if lead is None:
            continue
        key = tuple(sorted((lead.leader, lead.runner_up)))
        pairs[(key[0], key[1])] = pairs.get((key[0], key[1]), 0) + 1
        for who in key:
            seen[who] = seen.get(who, 0) + 1
    best = sorted(pairs, key=lambda k: (-pairs[k], -(seen[k[0]] + seen[k[1]]), k))[0]
    return best


def _attach_data_notes(reading: SignalReading, notes: pd.DataFrame | None) -> None:
    """The caveats stored as data that concern this reading: for a series, how far it may be joined with another
    series of the signal (series_bridge notes naming its method); for a survey, its later years that did not ask
    the question (<survey>_survey_note rows dated after the year read)."""
    from mindshare.analysis.survey_readings import DEFINITION, survey_key

    if notes is None or notes.empty:
        return
    mine = notes[notes["signal"] == reading.signal]
    for note in mine[mine["metric"] == SERIES_BRIDGE.name].itertuples(index=False):
        methods = [m.strip() for m in str(note.method).split("->")]
        if reading.method and reading.method in methods:
            other = next((m for m in methods if m != reading.method), "")
            reading.joins.append((str(note.subject).strip("_").replace("_", " "), other, str(note.value_text)))
    if reading.measure.kind == SHARE and reading.period_start is not None:
        survey = survey_key(reading.metric)
        year = pd.Timestamp(reading.period_start).year
        later = mine[(mine["metric"].map(survey_key) == survey) & (mine["subject"] != DEFINITION)]
        later = later[pd.to_datetime(later["period_start"]).dt.year > year]
        reading.not_asked = tuple(sorted((pd.Timestamp(n.period_start).year, str(n.value_text))
                                         for n in later.itertuples()))


def _is_current(reading: SignalReading, stale_after_years: float) -> tuple[bool, str]:
    if reading.measure.kind == PAGE_COUNT:
        return False, "a count of web pages, not of what people do"
    if reading.lead is None:
        return False, "fewer than two contenders read"
    if reading.age_years is None or reading.age_years > stale_after_years:
        return False, f"data over {stale_after_years:g} years old at the report date"
    return True, ""


def _blank(base: dict, **values) -> SignalReading:
    return SignalReading(**base, **{"lead": None, "period_start": None, "period_end": None, "age_years": None,
                                    "current": False, **values})


# -- by kind -----------------------------------------------------------------------------------------------------
def _events_reading(base: dict, months: pd.DataFrame, pair: tuple[str, str] | None = None) -> SignalReading | None:
    run = current_run(months)
    if run["contender"].nunique() < 2:
        return None
    ends = run.groupby("month")["e"].max()
    frame = run.assign(period_start=pd.to_datetime(run["month"]),
                       period_end=pd.to_datetime(run["month"].map(ends)))
    lead = pooled_count_lead(frame[["contender", "period_start", "period_end", "value"]],
                             sampled=base["measure"].sampled, among=pair)
    if lead is None:
        return None
    log_sd = 1 / np.sqrt(_values(lead) + 0.5) if base["measure"].sampled else _values(lead) * 0.0
    sampled = base["measure"].sampled
    reading = _blank(base, lead=lead, period_start=lead.start, period_end=lead.end, log_sd=log_sd,
                     method=str(run["method"].iloc[0]), readings_in_series=months["month"].nunique(),
                     history_of=lambda who: _rolling_sums(_of(run, who)) if sampled else _history(_of(months, who)))
    reading.trend, reading.bridges = share_trend(months, pooled=sampled, pair=(lead.leader, lead.runner_up))
    if base["measure"].sampled:
        reading.notes.append(f"{lead.readings} month{'s' if lead.readings != 1 else ''} pooled ({lead.start:%Y-%m} "
                             f"to {lead.end:%Y-%m}) so that the leader has enough events to judge")
    return reading


def _latest_reading(base: dict, months: pd.DataFrame, pair: tuple[str, str] | None = None) -> SignalReading | None:
    run = current_run(months)
    per_month = run.groupby("month")["contender"].nunique()
    several = per_month[per_month >= 2]
    if several.empty:
        return None
    month = several.index.max()
    latest = run[run["month"] == month]
    lead = counted_lead(latest.set_index("contender")["value"], start=month, end=latest["e"].max(), among=pair)
    if lead is None:            # fewer than two contenders with a value
        return None
    start = _period_start_of(latest)
    reading = _blank(base, lead=lead, period_start=start, period_end=pd.Timestamp(latest["e"].max()),
                     log_sd=_values(lead) * 0.0, method=str(latest["method"].iloc[0]),
                     readings_in_series=months["month"].nunique(),
                     history_of=lambda who: _history(_of(months, who)))
    reading.trend, reading.bridges = share_trend(months, pair=(lead.leader, lead.runner_up))
    return reading


def _period_start_of(rows: pd.DataFrame) -> pd.Timestamp:
    return pd.Timestamp(rows["d"].min())


def _cumulative_reading(base: dict, months: pd.DataFrame,
                        pair: tuple[str, str] | None = None) -> SignalReading | None:
    run = current_run(months)
    flow = level_and_flow(run.rename(columns={"d": "read"})[["contender", "month", "value"]], at="month")
    if flow is None or len(flow.flows) < 2:
        return _latest_reading(base, months, pair)
    lead = counted_lead(flow.flows, start=flow.start, end=flow.end, among=pair)
    if lead is None:            # fewer than two contenders with a value
        return None
    end_rows = run[run["month"] == flow.end]
    reading = _blank(base, lead=lead, period_start=flow.start, period_end=pd.Timestamp(end_rows["e"].max()),
                     log_sd=_values(lead) * 0.0, levels=flow.levels, method=str(run["method"].iloc[0]),
                     readings_in_series=months["month"].nunique(),
                     history_of=lambda who: _flows_history(_of(run, who), flow.months))
    # the trend of the same quantity the lead is read from: shares of the new ones, month by month
    trend, reading.bridges = share_trend(monthly_flows(run), pair=(lead.leader, lead.runner_up))
    reading.trend = replace(trend, of="new")
    reading.notes.append(f"read from the new {base['measure'].unit} over the {flow.months} months to "
                         f"{flow.end:%Y-%m} (level at the end minus level at the start, for the "
                         f"{len(flow.flows)} contenders read at both ends); the all-time total is history")
    return reading


def _venue_reading(base: dict, venues: pd.DataFrame, pair: tuple[str, str] | None = None) -> SignalReading | None:
    frame = venues.assign(period=pd.to_datetime(venues["d"]))
    latest = frame["period"].max()
    now = frame[frame["period"] == latest]
    if now["contender"].nunique() < 2:
        return None
    lead = counted_lead(now.groupby("contender")["value"].sum(), start=latest, end=now["e"].max(),
                        sampled=base["measure"].sampled)
    if lead is None:            # fewer than two contenders with a value
        return None
    panel_periods, panel = panel_run(frame, latest)
    reading = _blank(base, lead=lead, period_start=latest, period_end=pd.Timestamp(now["e"].max()),
                     log_sd=_values(lead) * 0.0, venues=tuple(sorted(now["segment"].unique())),
                     method=str(now["method"].iloc[0]), readings_in_series=frame["period"].nunique(),
                     venue_frame=frame[["segment", "period", "contender", "value"]])
    on_panel = frame[frame["period"].isin(panel_periods) & frame["segment"].isin(panel)]
    compared = on_panel[on_panel["contender"].isin([lead.leader, lead.runner_up])]
    reading.trend = _trend_of_shares(compared.rename(columns={"period": "month"}), members=None)
    reading.notes.append(f"the latest period is read on its own {len(reading.venues)} venue"
                         f"{'s' if len(reading.venues) != 1 else ''}; trends only on the {len(panel)} venue"
                         f"{'s' if len(panel) != 1 else ''} present in every period compared "
                         f"({', '.join(panel)}, {len(panel_periods)} periods)")
    previous = [p for p in sorted(frame["period"].unique()) if p < latest]
    if previous:
        compared = compare_on_panel(frame, (previous[-1], latest))
        if compared is not None and compared.venues < len(reading.venues):
            reading.notes.append(f"compared with the period before on the {compared.venues} venue"
                                 f"{'s' if compared.venues != 1 else ''} both have, never on a changing mix")
    return reading


def _survey_reading(base: dict, surveys: pd.DataFrame, pair: tuple[str, str] | None = None) -> SignalReading | None:
    from mindshare.analysis.survey_readings import latest_survey, survey_changes, survey_conflicts

    latest = latest_survey(surveys)
    lead = survey_lead(latest, among=pair)
    if lead is None:
        return None
    top = latest.iloc[0]
    same = (surveys["survey"] == top["survey"]) & (surveys["question"] == top["question"]) \
        & (surveys["population"] == top["population"])
    series = surveys[same]
    changes = survey_changes(series)
    p = latest.set_index("contender")["share_pct"] / 100
    n = latest.set_index("contender")["n"]
    log_sd = np.sqrt((1 - p) / (n * p)).where(p > 0).fillna(0.0)
    history = series.assign(date=pd.to_datetime(series["period_start"]), value=series["share_pct"],
                            method=series["question"])[["date", "contender", "value", "method"]]
    base = {**base, "metric": str(top["metric"]), "source": str(top["source"]), "segment": str(top["segment"])}
    reading = _blank(base, lead=lead, period_start=pd.Timestamp(top["period_start"]),
                     period_end=pd.Timestamp(latest["period_end"].max()), log_sd=log_sd,
                     population=str(top["population"]), survey_name=str(top["survey_name"]),
                     conflict="; ".join(f"{c}: {v}" for c, v in zip(latest["contender"], latest["conflict"]) if v),
                     conflict_details=tuple((str(c), str(d)) for c, d in zip(latest["contender"],
                                                                             latest["conflict_detail"]) if d),
                     method=str(top["question"]), readings_in_series=series["year"].nunique(),
                     history_of=lambda who: _of(history, who), survey_series=series)
    reading.trend = _survey_trend(changes, lead)
    year = surveys[(surveys["survey"] == top["survey"]) & (surveys["question"] == top["question"])
                   & (surveys["year"] == top["year"]) & (surveys["population"] != top["population"])]
    others = []
    for population, group in year.groupby("population"):
        shares = group.set_index("contender")["share_pct"]
        if lead.leader in shares and lead.runner_up in shares:
            others.append((float(group["n"].max()) if group["n"].notna().any() else 0.0, str(population),
                           float(shares[lead.leader]), float(shares[lead.runner_up])))
    reading.other_populations = tuple((p, a, b) for _, p, a, b in sorted(others, key=lambda o: (-o[0], o[1])))
    reading.conflicts = survey_conflicts(surveys[(surveys["survey"] == top["survey"])
                                                 & (surveys["question"] == top["question"])])
    return reading


def _survey_trend(changes: pd.DataFrame, lead: Lead) -> TrendReading:
    wanted = changes[changes["contender"].isin([lead.leader, lead.runner_up])]
    if wanted.empty:
        return TrendReading(TOO_FEW, changes=wanted)
    biggest = wanted.reindex(wanted["change_pts"].abs().sort_values(ascending=False).index).iloc[0]
    # a change with no interval (no published base) is still reported, and the words say chance is not ruled out
    status = NO_CLEAR_CHANGE
    if biggest["status"] in ("clear", "no interval"):
        status = "rising" if biggest["change_pts"] > 0 else "falling"
    return TrendReading(status, str(biggest["contender"]), float(biggest["change_pts"]), biggest["ci_low"],
                        biggest["ci_high"], n=int(wanted["last_year"].max() - wanted["first_year"].min() + 1),
                        start=pd.Timestamp(year=int(biggest["first_year"]), month=1, day=1),
                        end=pd.Timestamp(year=int(biggest["last_year"]), month=1, day=1), unit="points",
                        changes=wanted)


# -- histories for lead-lag ----------------------------------------------------------------------------------------
def _history(months: pd.DataFrame) -> pd.DataFrame:
    """Each month's reading, dated by the day its period ends (a reading is dated one way only)."""
    months = months[months["last_in_month"]] if "last_in_month" in months else months
    ended = pd.to_datetime(months["e"]).dt.normalize()
    return months.assign(date=ended)[["date", "contender", "value", "method"]]


def _rolling_sums(run: pd.DataFrame, months: int = 12) -> pd.DataFrame:
    """Trailing 12-month sums per contender (small monthly counts flip back and forth; a year of them does not)."""
    wide = run.groupby(["month", "contender"])["value"].sum().unstack().sort_index()
    wide.index = pd.to_datetime(wide.index)
    wide = wide.reindex(pd.date_range(wide.index.min(), wide.index.max(), freq="MS"))
    rolled = wide.rolling(months, min_periods=months).sum().dropna(how="all")
    method = str(run["method"].iloc[0])
    return rolled.rename_axis("date").reset_index().melt(id_vars="date", var_name="contender").dropna().assign(
        method=method)


def monthly_flows(run: pd.DataFrame) -> pd.DataFrame:
    """A cumulative total's new units per month, per contender: the rise since the previous month read, spread
    evenly over the months between (a month missing from the list does not make a jump). A fall (a repository
    losing stars) counts as none. The rows keep the pipeline's columns, so trends read them like any series."""
    rows = run[run["last_in_month"].to_numpy()] if "last_in_month" in run else run
    out = []
    for contender, own in rows.sort_values("month").groupby("contender"):
        when = pd.to_datetime(own["month"])
        gap = (when.dt.year * 12 + when.dt.month).diff()
        rise = own["value"].diff().clip(lower=0) / gap
        out.append(own.assign(value=rise.to_numpy()).iloc[1:])
    if not out:
        return rows.iloc[0:0]
    return pd.concat(out, ignore_index=True).dropna(subset=["value"])


def _flows_history(run: pd.DataFrame, months: int) -> pd.DataFrame:
    wide = run.groupby(["month", "contender"])["value"].last().unstack().sort_index()
    wide.index = pd.to_datetime(wide.index)
    wide = wide.reindex(pd.date_range(wide.index.min(), wide.index.max(), freq="MS"))
    flows = (wide - wide.shift(months)).dropna(how="all")
    return flows.rename_axis("date").reset_index().melt(id_vars="date", var_name="contender").dropna().assign(
        method=str(run["method"].iloc[0]))


# -- trends ---------------------------------------------------------------------------------------------------------
def share_trend(months: pd.DataFrame, *, window_months: int = TREND_MONTHS, pooled: bool = False,
                pair: tuple[str, ...] = ()) -> tuple[TrendReading, list[MethodChange]]:
    """The clearest trend of a contender's share over the last `window_months`, among the contenders read in every
    month of the window, bridged across method changes only where shares are continuous there, and what its latest
    stretch shows (`Stretch`; `pooled`: counts of a sample, compared window against window). `pair`: the two
    contenders the row compares; the shares are among them alone (like for like with the lead), and the window
    starts where both are read each month. Without a pair, among every contender read throughout the window.

    `months`: pipeline months rows (contender, month, method, d, value, last_in_month). The continuity test reads
    every reading, both methods of a month where the method changed; the trend reads one reading per month.
    """
    if months.empty:
        return TrendReading(TOO_FEW), []
    when = pd.to_datetime(months["month"])
    recent = months[(when > when.max() - pd.DateOffset(months=window_months)).to_numpy()]
    last = recent["last_in_month"].to_numpy() if "last_in_month" in recent else np.ones(len(recent), bool)
    final = recent[last].pivot(index="month", columns="contender", values="value").sort_index()
    final.index = pd.to_datetime(final.index)
    wanted = [c for c in pair if c in final.columns]
    if wanted:
        # the contenders the row compares must be in the shares: the window starts where they are read every month
        missing = final[wanted].isna().any(axis=1)
        if missing.any():
            final = final[final.index > missing[missing].index.max()]
    everyone = [c for c in final.columns if final[c].notna().all()]
    members = sorted(wanted) if len(wanted) == 2 and all(c in everyone for c in wanted) else everyone
    if len(members) < 2:
        return TrendReading(TOO_FEW), []
    shares = _shares(final[members])
    changes = []
    if recent["method"].nunique() > 1:
        # whether a method change scales every contender alike is a property of the change: tested on every
        # contender read throughout (more shares, a surer test), then the pair's shares bridged where it passes.
        # Every reading, a month's earlier method before its last one.
        inside = recent["contender"].isin(everyone).to_numpy()
        every = recent[inside].assign(last=last[inside])
        wide = every.groupby(["month", "last", "method", "contender"])["value"].sum().unstack().sort_index()
        keys = wide.index.to_frame(index=False)
        changes = changes_in(_shares(wide).set_axis(pd.to_datetime(keys["month"]), axis=0), keys["method"].to_numpy())
        shares = shares[shares.index >= bridged_start(shares.index.min(), changes)]
    trend = _trend_of_wide(shares, members)
    if trend.contender is not None and trend.slope_pts_per_year is not None:
        counts = final[members].loc[shares.index]
        latest = _latest_windows(counts, trend.contender) if pooled else \
            _latest_slope(shares[trend.contender], trend.slope_pts_per_year)
        trend = replace(trend, latest=latest)
    return trend, changes


def _latest_slope(share: pd.Series, long_slope: float, months: int = LATEST_MONTHS) -> Stretch | None:
    """The slope of one share over its latest `months` months, against the months before it (see `Stretch`)."""
    share = share.dropna()
    if share.empty:
        return None
    cut = share.index.max() - pd.DateOffset(months=months)
    recent, earlier = share[share.index > cut], share[share.index <= cut]
    if len(recent) < MIN_READINGS or len(earlier) < MIN_READINGS:
        return None           # a window this short is its own latest stretch
    slope, low, high = _hac(recent)
    sign = 1.0 if long_slope > 0 else -1.0
    before = _hac(earlier)
    if low <= 0 <= high:
        status = FLAT
    elif slope * sign < 0:
        status = REVERSED
    else:
        gap = (before[0] - slope) * sign                # how much steeper the earlier stretch was
        half = ((before[2] - before[1]) ** 2 + (high - low) ** 2) ** 0.5 / 2
        status = SLOWING if gap - half > 0 else SPEEDING_UP if gap + half < 0 else HOLDING
    return Stretch(status, pd.Timestamp(recent.index.min()), pd.Timestamp(recent.index.max()), slope, low, high,
                   months=months, before_slope=before[0])


def _hac(series: pd.Series) -> tuple[float, float, float]:
    """OLS slope per year of a monthly series, with its Newey–West 95% interval."""
    x = years_since(pd.DatetimeIndex(series.index), pd.Timestamp(series.index[0]))
    fit = hac_slope_many(x, series.to_numpy(float)[None, :])
    return float(fit["slope"][0]), float(fit["ci_low"][0]), float(fit["ci_high"][0])


def _latest_windows(counts: pd.DataFrame, contender: str, months: int = LATEST_MONTHS) -> Stretch | None:
    """One contender's share of the counts of all members in the latest `months` months against the `months`
    before (see `Stretch`): Newcombe's interval for two independent proportions."""
    from mindshare.analysis.leads import MATERIAL_POINTS
    from mindshare.analysis.surveys import independent_difference

    counts = counts.dropna()
    if counts.empty:
        return None
    end = counts.index.max()
    after = counts[counts.index > end - pd.DateOffset(months=months)]
    before = counts[(counts.index <= end - pd.DateOffset(months=months))
                    & (counts.index > end - pd.DateOffset(months=2 * months))]
    if len(after) < months or len(before) < months:
        return None
    x1, n1 = float(after[contender].sum()), float(after.to_numpy().sum())
    x0, n0 = float(before[contender].sum()), float(before.to_numpy().sum())
    if n0 <= 0 or n1 <= 0:
        return None
    d = independent_difference(x1, n1, x0, n0)
    moved = d.significant and abs(d.difference * 100) >= MATERIAL_POINTS
    status = FLAT if not moved else "rising" if d.difference > 0 else "falling"
    return Stretch(status, pd.Timestamp(before.index.min()), pd.Timestamp(end), d.difference * 100,
                   d.ci_low * 100, d.ci_high * 100, before_pct=100 * x0 / n0, after_pct=100 * x1 / n1,
                   months=2 * months)


def _shares(values: pd.DataFrame) -> pd.DataFrame:
    """Each column's share (%) of its row's total; a row that sums to 0 has no shares."""
    total = values.sum(axis=1)
    return values.div(total.where(total != 0), axis=0) * 100


def _trend_of_shares(frame: pd.DataFrame, members) -> TrendReading:
    """`_trend_of_wide` for a long frame of month, contender and value (shares computed among those present)."""
    wide = frame.groupby(["month", "contender"])["value"].sum().unstack().sort_index().dropna(axis=1)
    return _trend_of_wide(_shares(wide), members if members is not None else list(wide.columns))


def _trend_of_wide(wide: pd.DataFrame, members) -> TrendReading:
    """HAC trend of each column (a contender's share by month); the clearest one, or why there is none."""
    wide = wide.dropna(axis=1)
    members = tuple(members)
    start = pd.Timestamp(wide.index.min()) if len(wide) else None
    end = pd.Timestamp(wide.index.max()) if len(wide) else None
    if len(wide) < MIN_READINGS or wide.shape[1] < 2:
        return TrendReading(TOO_FEW, n=len(wide), start=start, end=end, members=members)
    x = years_since(pd.DatetimeIndex(wide.index), pd.Timestamp(wide.index[0]))
    hac = hac_slope_many(x, wide.to_numpy(float).T)
    table = pd.DataFrame({"contender": wide.columns, "slope": hac["slope"], "low": hac["ci_low"],
                          "high": hac["ci_high"], "naive_low": hac["ols_ci_low"], "naive_high": hac["ols_ci_high"]})
    clear = table[(table["low"] > 0) | (table["high"] < 0)]
    if clear.empty:
        if wide.shape[1] == 2:             # of two, say where the rising one's share went, without a claim
            up = table.sort_values("slope", ascending=False).iloc[0]["contender"]
            return TrendReading(NO_CLEAR_CHANGE, str(up), n=len(wide), start=start, end=end, members=members,
                                first_pct=float(wide[up].iloc[0]), last_pct=float(wide[up].iloc[-1]))
        return TrendReading(NO_CLEAR_CHANGE, n=len(wide), start=start, end=end, members=members)
    clear = clear.reindex(clear["slope"].abs().sort_values(ascending=False, kind="stable").index)
    if len(members) == 2:              # two shares mirror each other: speak of the one rising
        clear = clear.sort_values("slope", ascending=False, kind="stable")
    best = clear.iloc[0]
    own = wide[best["contender"]]
    return TrendReading("rising" if best["slope"] > 0 else "falling", str(best["contender"]), float(best["slope"]),
                        float(best["low"]), float(best["high"]), float(best["naive_low"]), float(best["naive_high"]),
                        len(wide), start, end, members, clear=clear.reset_index(drop=True),
                        first_pct=float(own.iloc[0]), last_pct=float(own.iloc[-1]))


__all__ = ["FLAT", "HOLDING", "NO_CLEAR_CHANGE", "REVERSED", "SLOWING", "SPEEDING_UP", "STALE_AFTER_YEARS",
           "SignalReading", "Stretch", "TrendReading", "age_in_years", "current_run", "earlier_of", "field_pair",
           "monthly_flows",
           "ratio_of", "share_trend", "signal_readings"]

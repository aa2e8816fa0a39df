"""How the answer changed: the scoreboard through time, and the events a follower wants to hear about once.

The answer is read as it was known on a series of days (`timeline_days`): each month end of the last N months,
each earlier publish within them, and today (`--as-of` of each day: only the figures published by then). From
those answers (results.json's `headline` section, as report.build.answer_as_of makes them):

- `history_rows`: each measure's leader and lead, with its interval, on each day: the table of data/history.csv
  and of the chart;
- `lead_frame`: the same as one number per measure and day, always the same way round (the measure's current
  leader against its current runner-up: a ratio above 1, or a gap above 0, means the current leader was ahead),
  for the chart (report.figures.lead_history);
- `events`: between two days in a row, a measure whose leader changed or whose lead became clear or fell within
  chance (lead-change), whose confidence label moved (confidence), or whose period moved (new-data); and every
  crossing the answer dates (crossover: "2022-03: PyTorch passed TensorFlow in Hacker News job posts"). An event
  is dated by the day it is first seen (a crossing by its own date), and named by what it is, so the same data give
  the same events, and a follower is told once.

Pure functions of the answers: no store, no clock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from mindshare.report.render import scoreboard_key
from mindshare.site.badges import lead_figure
from mindshare.site.feed import Event

MONTH_END, PUBLISHED, TODAY = "month end", "published", "today"
PAGE = "history/"


@dataclass(frozen=True)
class Point:
    """The answer as known on one day."""

    day: date
    kind: str                    # MONTH_END, PUBLISHED or TODAY
    answer: Mapping[str, Any] | None

    def rows(self) -> list[dict[str, Any]]:
        return _table(self.answer, "scoreboard")


def month_ends(today: date, months: int) -> list[date]:
    """The last day of each of the `months` months before `today`'s, oldest first."""
    ends: list[date] = []
    day = today.replace(day=1) - timedelta(days=1)
    while len(ends) < months:
        ends.append(day)
        day = day.replace(day=1) - timedelta(days=1)
    return ends[::-1]


def timeline_days(today: date, months: int, published: Iterable[date]) -> list[tuple[date, str]]:
    """The days the answer is read on, oldest first, each with its kind: the month ends of the last `months`
    months, the days of earlier publishes since the first of them, and today."""
    ends = month_ends(today, months)
    days = {day: MONTH_END for day in ends}
    for day in published:
        if ends[0] <= day < today:
            days.setdefault(day, PUBLISHED)
    days[today] = TODAY
    return sorted(days.items())


# -- the table --------------------------------------------------------------------------------------------------------
def history_rows(points: list[Point]) -> list[dict[str, Any]]:
    """One row per day and measure: who led, by how much, with its interval, and how sure."""
    out = []
    for point in points:
        for row in point.rows():
            out.append({
                "day": point.day.isoformat(), "read_on": point.kind, "measure": row.get("label"),
                "signal": row.get("signal"), "metric": row.get("metric"), "segment": row.get("segment"),
                "period": row.get("period"), "leader": row.get("leader_name"), "runner_up": row.get("runner_up_name"),
                "lead": row.get("lead"), "lead_status": row.get("lead_status"), "scale": row.get("lead_scale"),
                "ratio": row.get("ratio"), "points": _points(row), "ci_low": row.get("ci_low"),
                "ci_high": row.get("ci_high"), "confidence": row.get("confidence"), "counted": row.get("current"),
            })
    return out


def lead_frame(points: list[Point]) -> list[dict[str, Any]]:
    """The lead of each measure the answer counts today, on each day, the same way round on every day: the
    measure's leader today against its runner-up today (`value` a ratio, or a gap in points, with `low` and `high`
    its interval when it has one). A day whose reading compares another pair is left out."""
    if not points:
        return []
    now = {scoreboard_key(row): row for row in points[-1].rows()
           if row.get("leader") and row.get("runner_up") and row.get("current")}
    out = []
    for point in points:
        for row in point.rows():
            key = scoreboard_key(row)
            current = now.get(key)
            if current is None:
                continue
            reading = _oriented(row, current["leader"], current["runner_up"])
            if reading is None:
                continue
            value, low, high = reading
            out.append({"day": point.day.isoformat(), "measure": current.get("label"), "key": key,
                        "pair": f"{current.get('leader_name')} vs {current.get('runner_up_name')}",
                        "scale": current.get("lead_scale"), "value": value, "low": low, "high": high,
                        "leader": row.get("leader_name"), "lead": row.get("lead")})
    return out


def _oriented(row: Mapping[str, Any], first: str, second: str) -> tuple[float, float | None, float | None] | None:
    pair = (row.get("leader"), row.get("runner_up"))
    low, high = row.get("ci_low"), row.get("ci_high")
    if row.get("lead_scale") == "points":
        gap = _points(row)
        if gap is None:
            return None
        if pair == (first, second):
            return gap, low, high
        if pair == (second, first):
            return -gap, (-high if high is not None else None), (-low if low is not None else None)
        return None
    ratio = row.get("ratio")
    if not isinstance(ratio, (int, float)) or ratio <= 0:
        return None
    if pair == (first, second):
        return ratio, low, high
    if pair == (second, first):
        return 1 / ratio, (1 / high if high else None), (1 / low if low else None)
    return None


def _points(row: Mapping[str, Any]) -> float | None:
    if row.get("lead_scale") != "points":
        return None
    gap = next((f.get("value") for f in row.get("figures") or [] if f.get("name") == "lead_points"), None)
    return float(gap) if isinstance(gap, (int, float)) else None


# -- events -----------------------------------------------------------------------------------------------------------
def events(points: list[Point], names: Mapping[str, str]) -> list[Event]:
    """Every event the days tell, newest first (see the module's docstring); `names` gives each contender id's
    name (the answer's crossings name contenders by id)."""
    found: dict[str, Event] = {}
    for before, after in zip(points, points[1:]):
        earlier = {scoreboard_key(row): row for row in before.rows()}
        for row in after.rows():
            old = earlier.get(scoreboard_key(row))
            if old is not None:
                for event in _changes(after.day, after.kind, old, row):
                    found.setdefault(anchor(event), _linked(event))
    if points:
        for crossing in _table(points[-1].answer, "lead_lag"):
            event = _crossover(crossing, names)
            if event is not None:
                found.setdefault(anchor(event), _linked(event))
    return sorted(found.values(), key=lambda e: (e.day, anchor(e)), reverse=True)


def _changes(day: date, kind: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Event]:
    label = str(new.get("label") or new.get("signal") or "")
    signal = str(new.get("signal") or "")
    key = scoreboard_key(new)
    when = _when(day, kind)
    found = []
    leader, before = new.get("leader_name") or "", old.get("leader_name") or ""
    if leader and before and leader != before:
        found.append(Event(day, "lead-change", signal, f"{when}: {leader} now leads {before} in {label}",
                           f"{label}: {leader} {_figure(new)} ahead of {before} ({new.get('period')}); "
                           f"before, {before} led ({_figure(old)}, {old.get('period')}).",
                           key=(key, "leader", before, leader), link=PAGE))
    elif leader and new.get("lead_status") != old.get("lead_status"):
        found.append(Event(day, "lead-change", signal, f"{when}: {label}: {leader}'s lead is now {new.get('lead')}",
                           f"{label}: {leader} leads {new.get('runner_up_name')}: {new.get('lead')} "
                           f"({new.get('period')}); before: {old.get('lead')}.",
                           key=(key, "status", str(old.get("lead_status")), str(new.get("lead_status")), leader),
                           link=PAGE))
    if new.get("confidence") != old.get("confidence"):
        found.append(Event(day, "confidence", signal,
                           f"{when}: confidence in {label} moved from {old.get('confidence')} to "
                           f"{new.get('confidence')}",
                           f"{label}: {new.get('confidence')} confidence, {new.get('confidence_reason')}.",
                           key=(key, str(old.get("confidence")), str(new.get("confidence"))), link=PAGE))
    if new.get("period") != old.get("period"):
        found.append(Event(day, "new-data", signal, f"{when}: {label} has new data ({new.get('period')})",
                           f"{label}: {leader or 'no one'} {_figure(new)} over {new.get('period')} (was "
                           f"{old.get('period')}).", key=(key, str(new.get("period"))), link=PAGE))
    return found


def _crossover(crossing: Mapping[str, Any], names: Mapping[str, str]) -> Event | None:
    if crossing.get("status") != "crossed" or not crossing.get("date"):
        return None
    try:
        day = date.fromisoformat(str(crossing["date"]))
    except ValueError:
        return None
    label = str(crossing.get("label") or crossing.get("signal") or "")
    passer, passed = str(crossing.get("passer")), str(crossing.get("passed"))
    first, second = names.get(passer, passer), names.get(passed, passed)
    when = str(crossing.get("when") or day.isoformat())
    return Event(day, "crossover", str(crossing.get("signal") or ""), f"{when}: {first} passed {second} in {label}",
                 f"{label}: {first} passed {second} in {when}.",
                 key=(str(crossing.get("signal")), passer, passed, when), link=PAGE)


def anchor(event: Event) -> str:
    """The id of the event's line on the history page: what the event is, not its words."""
    digest = hashlib.sha256("\x1f".join((event.kind, event.signal, event.day.isoformat(), *event.key)).encode())
    return f"e-{digest.hexdigest()[:12]}"


def _linked(event: Event) -> Event:
    """The event with its link: its own line on the history page."""
    return replace(event, link=f"{PAGE}#{anchor(event)}")


def _when(day: date, kind: str) -> str:
    return day.strftime("%Y-%m") if kind == MONTH_END else day.isoformat()


def _figure(row: Mapping[str, Any]) -> str:
    return lead_figure(dict(row)) or str(row.get("lead") or "")


def _table(answer: Mapping[str, Any] | None, name: str) -> list[dict[str, Any]]:
    if not answer:
        return []
    return next((list(t.get("rows") or []) for t in answer.get("tables") or [] if t.get("name") == name), [])

"""The answer's records: a headline, plain sentences, advice per reader and a scoreboard, as data a report renders
without computing anything.

Every sentence is a `Statement` whose `figures` name the numbers it was generated from (name, value, unit, and the
signal/metric/source/segment/period that find the source row), and whose `method_note` holds the method words the
sentence itself leaves out. `Answer.as_section()` is the results.json shape `{"id": "headline", "findings": [...],
"tables": [{"name": "scoreboard", "rows": [...]}, ...]}`. analysis.answer makes them; analysis.wording phrases them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

HIGH, MEDIUM, LOW = "high", "medium", "low"


@dataclass(frozen=True)
class Figure:
    """One number a sentence or row was generated from, and where it came from."""

    name: str
    value: float | int | str | None
    unit: str
    signal: str = ""
    metric: str = ""
    source: str = ""
    segment: str = ""
    period: str = ""
    contender: str = ""
    detail: dict = field(default_factory=dict)     # e.g. ci_low / ci_high / n / versus

    def as_dict(self) -> dict:
        out = {"name": self.name, "value": self.value, "unit": self.unit}
        for key in ("signal", "metric", "source", "segment", "period", "contender"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        out.update({k: v for k, v in self.detail.items() if v is not None})
        return out


@dataclass(frozen=True)
class Statement:
    """A sentence for readers, the figures it was generated from, and its method note (the method words)."""

    text: str
    figures: tuple[Figure, ...] = ()
    method_note: str = ""
    signals: tuple[str, ...] = ()

    def as_finding(self, role: str) -> dict:
        return {"role": role, "text": self.text, "figures": [f.as_dict() for f in self.figures],
                "method_note": self.method_note, "signals": list(self.signals)}


@dataclass(frozen=True)
class Check:
    """One check of the confidence rubric (analysis.confidence): its name, how the row fares, and why in words."""

    criterion: str             # chance, what it captures, variation, age, coverage
    grade: str                 # passes, weak, fails
    words: str


@dataclass(frozen=True)
class Confidence:
    level: str                 # HIGH, MEDIUM, LOW
    reason: str                # plain words: why (the checks that are weak or fail)
    checks: tuple[Check, ...] = ()


@dataclass(frozen=True)
class Then:
    """A scoreboard row as known on an earlier day (`--compare-to`), like for like: the same measure, source,
    population and method (or one bridged to it), the same two contenders, read from what was known that day; or
    why there is no such value."""

    day: date
    status: str                # COMPARED, UNCHANGED (no newer reading since), NOT_LIKE (read otherwise), NO_READING
    words: str                 # "TensorFlow 2.1x (2022-12)", "no reading known then", "no newer reading since"
    period: str = ""
    leader: str | None = None
    leader_name: str = ""
    runner_up: str | None = None
    lead: str = ""             # the lead column's words then
    ratio: float | None = None
    points: float | None = None
    why: str = ""              # NOT_LIKE, NO_READING: in words

    def as_dict(self) -> dict:
        out = asdict(self)
        out["day"] = self.day.isoformat()
        return out


COMPARED, UNCHANGED, NOT_LIKE, NO_READING = "compared", "no newer reading", "not like for like", "no reading"


@dataclass(frozen=True)
class ScoreRow:
    """One signal on the scoreboard. Text columns are ready to print; the numbers beside them are for checks."""

    signal: str
    label: str                 # what it counts, in words
    source: str
    metric: str
    segment: str
    period: str                # the period the lead is read over, in words ("12 months to 2024-05", "2022")
    period_start: date | None
    period_end: date | None
    leader: str | None         # contender id
    leader_name: str
    runner_up: str | None
    runner_up_name: str
    lead: str                  # "3.6x (complete count)", "within chance (45 vs 30 ...)", ...
    lead_status: str           # leads.CLEAR, WITHIN_CHANCE, AS_COUNTED, NO_INTERVAL, TIE
    ratio: float | None
    ci_low: float | None
    ci_high: float | None
    lead_scale: str            # 'ratio' or 'points'
    trend: str                 # "TensorFlow -9.1 points a year (2023-04 to 2026-03)", "too few readings to tell"
    trend_status: str
    confidence: Confidence
    age: str                   # "9 months", "4.0 years"
    age_years: float | None
    current: bool              # counted in the verdict
    not_current_reason: str
    sampled: bool
    kind: str                  # measures kind
    method_note: str
    figures: tuple[Figure, ...] = ()
    venues: int | None = None  # signals summed over venues: how many venues the period is read on
    population: str = ""       # surveys: who was asked
    short_label: str = ""      # a short name for lists and badges: "PyPI downloads", "new GitHub stars"
    then: Then | None = None   # with --compare-to: the same measure as known that day, like for like, or why not

    def as_dict(self) -> dict:
        out = {k: v for k, v in asdict(self).items() if k not in ("confidence", "figures", "then")}
        for k in ("period_start", "period_end"):
            out[k] = out[k].isoformat() if out[k] is not None else None
        out["confidence"] = self.confidence.level
        out["confidence_reason"] = self.confidence.reason
        out["confidence_checks"] = [{"check": c.criterion, "grade": c.grade, "words": c.words}
                                    for c in self.confidence.checks]
        out["figures"] = [f.as_dict() for f in self.figures]
        out["then"] = self.then.as_dict() if self.then is not None else None
        return out


@dataclass(frozen=True)
class Focus:
    audience: str              # 'a learner or job seeker', 'a researcher', 'a production team'
    statement: Statement


@dataclass(frozen=True)
class LeadLagRow:
    signal: str
    label: str
    passer: str
    passed: str
    when: str                  # "2024-04", "2019", "not crossed", "ahead throughout"
    status: str
    date: date | None

    def as_dict(self) -> dict:
        out = asdict(self)
        out["date"] = self.date.isoformat() if self.date else None
        return out


@dataclass(frozen=True)
class Answer:
    report_date: date
    leader: str | None                         # the contender the headline names, if any
    headline: Statement
    sentences: tuple[Statement, ...]           # 3-5 plain sentences
    focus: tuple[Focus, ...]                   # one per audience
    scoreboard: tuple[ScoreRow, ...]           # one per signal, current first
    data_through: Statement
    lead_lag: tuple[LeadLagRow, ...] = ()
    lead_lag_statement: Statement | None = None
    composite: Statement | None = None         # the field-independent composite; never in the headline
    method_notes: tuple[str, ...] = ()
    survey_changes: tuple[dict, ...] = ()      # every survey question and population: first -> latest year
    survey_notes: tuple[Statement, ...] = ()   # conflicting survey readings, survey years without the question
    others: Statement | None = None            # beyond the two: other contenders that moved, what the sources count
                                               # more of than the leader
    compare_to: date | None = None             # --compare-to: the day each row's `then` was known on

    def as_section(self) -> dict:
        """The results.json `headline` section."""
        findings = [self.headline.as_finding("headline")]
        findings += [s.as_finding("sentence") for s in self.sentences]
        findings += [{**f.statement.as_finding("focus"), "audience": f.audience} for f in self.focus]
        findings.append(self.data_through.as_finding("data_through"))
        if self.lead_lag_statement is not None:
            findings.append(self.lead_lag_statement.as_finding("lead_lag"))
        if self.others is not None:
            findings.append(self.others.as_finding("others"))
        if self.composite is not None:
            findings.append(self.composite.as_finding("composite"))
        findings += [s.as_finding("survey_note") for s in self.survey_notes]
        return {"id": "headline", "report_date": self.report_date.isoformat(), "leader": self.leader,
                "compare_to": self.compare_to.isoformat() if self.compare_to else None,
                "findings": findings,
                "tables": [{"name": "scoreboard", "rows": [r.as_dict() for r in self.scoreboard]},
                           {"name": "lead_lag", "rows": [r.as_dict() for r in self.lead_lag]},
                           {"name": "survey_changes", "rows": list(self.survey_changes)}],
                "method_notes": list(self.method_notes)}

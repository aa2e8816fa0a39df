"""How far a scoreboard row can be trusted: five checks, each passed, weak or failed, and the label they give.

The rubric (docs/analysis.md states it; the answer's method notes repeat it):

- **chance**: a sampled lead must be beyond chance (its 95% interval excludes a tie) and material (see
  analysis.leads); within chance, a tie or a sampled lead with no published sample size fails; a gap too small to
  matter ("about level") is weak. A complete count has no sampling error and passes.
- **what it captures**: a measure that counts what its readers care about (job posts for job seekers, papers for
  researchers, what developers say they use) passes; one that stands in for use (downloads count CI runs and
  dependency pulls, stars are bookmarks) is weak, and says what it counts instead (the signal's `proxy` in
  mindshare.catalogue).
- **variation**: two readings of one method a few days apart measure almost the same days; when they differ by
  more than `VARIATION_LIMIT_PTS` points of the leader's share of the two, the figure moves with the day it was
  read, and the check is weak.
- **age**: data over a year old at the report date are weak; data too old to count fail.
- **coverage**: a single published reading or a single venue fails; a narrow slice (one forum's hiring threads,
  the metric's `coverage`) is weak, and so are sampled counts with fewer than `FEW_EVENTS_A_MONTH` events a month
  between the two.

The label: **low** when any check fails or three are weak, **medium** with one or two weak, **high** when all pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mindshare.analysis.answer_model import HIGH, LOW, MEDIUM, Check, Confidence
from mindshare.analysis.leads import ABOUT_LEVEL, AS_PUBLISHED, NO_INTERVAL, TIE, WITHIN_CHANCE

PASSES, WEAK, FAILS = "passes", "weak", "fails"
CHANCE, CAPTURES, VARIATION, AGE, COVERAGE = "chance", "what it captures", "variation", "age", "coverage"
CHECKS = (CHANCE, CAPTURES, VARIATION, AGE, COVERAGE)
VARIATION_LIMIT_PTS = 2.0
FEW_EVENTS_A_MONTH = 30
OLD_AFTER_YEARS = 1.0
WEAK_FOR_LOW = 3

RUBRIC = ("Confidence is graded on five checks: chance (a sampled lead beyond chance and large enough to matter), "
          "what the measure captures (use itself, or a stand-in for it such as installs or bookmarks), variation "
          f"(readings days apart that differ by more than {VARIATION_LIMIT_PTS:g} points of the leader's share), age "
          f"(over {OLD_AFTER_YEARS:g} year) and coverage (a single reading or venue fails; one forum, or fewer than "
          f"{FEW_EVENTS_A_MONTH} events a month, is weak). High: every check passes; medium: one or two are weak; "
          f"low: one fails, or {WEAK_FOR_LOW} are weak.")


@dataclass(frozen=True)
class Facts:
    """What the rubric reads of a row (analysis.scoreboard fills it from a SignalReading)."""

    lead_status: str | None
    sampled: bool
    proxy: str                       # the signal's stand-in words, or ""
    variation_pts: float | None      # largest change of the leader's share between readings days apart
    age_years: float | None
    age_words: str
    current: bool
    not_current_reason: str
    single_reading: bool
    venues: int
    coverage: str                    # the metric's narrow slice, or ""
    events_a_month: float | None     # sampled counts: events of the two per month in the window
    unit: str = "events"


def checks_of(facts: Facts) -> tuple[Check, ...]:
    return (_chance(facts), _captures(facts), _variation(facts), _age(facts), _coverage(facts))


def grade(checks: tuple[Check, ...]) -> Confidence:
    failed = [c for c in checks if c.grade == FAILS]
    weak = [c for c in checks if c.grade == WEAK]
    if failed or len(weak) >= WEAK_FOR_LOW:
        level = LOW
    elif weak:
        level = MEDIUM
    else:
        level = HIGH
    words = [c.words for c in failed + weak]
    return Confidence(level, "; ".join(words) if words else "every check passes", checks)


def confidence_of(facts: Facts) -> Confidence:
    return grade(checks_of(facts))


def _chance(f: Facts) -> Check:
    status = f.lead_status
    if status == WITHIN_CHANCE:
        return Check(CHANCE, FAILS, "the lead is within chance")
    if status == TIE:
        return Check(CHANCE, FAILS, "a tie")
    if status == NO_INTERVAL:
        return Check(CHANCE, FAILS, "no sample size published, so chance is not ruled out")
    if status == ABOUT_LEVEL:
        return Check(CHANCE, WEAK, "the gap is too small to matter")
    if status == AS_PUBLISHED:
        return Check(CHANCE, WEAK, "a ratio the source gave in words, without its counts")
    return Check(CHANCE, PASSES, "beyond chance" if f.sampled else "a complete count")


def _captures(f: Facts) -> Check:
    if f.proxy:
        return Check(CAPTURES, WEAK, f.proxy)
    return Check(CAPTURES, PASSES, "counts what its readers ask about")


def _variation(f: Facts) -> Check:
    if f.variation_pts is not None and f.variation_pts > VARIATION_LIMIT_PTS:
        return Check(VARIATION, WEAK, f"readings days apart differ by {f.variation_pts:.1f} points")
    return Check(VARIATION, PASSES, "steady between readings" if f.variation_pts is not None
                 else "no readings days apart to compare")


def _age(f: Facts) -> Check:
    if not f.current:
        return Check(AGE, FAILS, f.not_current_reason or "not current")
    if f.age_years is not None and f.age_years > OLD_AFTER_YEARS:
        return Check(AGE, WEAK, f"data {f.age_words} old")
    return Check(AGE, PASSES, "recent")


def _coverage(f: Facts) -> Check:
    if f.single_reading:
        return Check(COVERAGE, FAILS, "a single published reading")
    if f.venues == 1:
        return Check(COVERAGE, FAILS, "one venue only")
    narrow = []
    if f.coverage:
        narrow.append(f.coverage)
    if f.sampled and f.events_a_month is not None and f.events_a_month < FEW_EVENTS_A_MONTH:
        many = round(f.events_a_month)
        unit = f.unit[:-1] if many == 1 and f.unit.endswith("s") else f.unit
        narrow.append(f"about {many} {unit} a month name either")
    if narrow:
        return Check(COVERAGE, WEAK, ", ".join(narrow))
    return Check(COVERAGE, PASSES, "broad")


def as_rows(confidence: Confidence) -> list[dict[str, Any]]:
    """The checks as plain rows for results.json."""
    return [{"check": c.criterion, "grade": c.grade, "words": c.words} for c in confidence.checks]


__all__ = ["AGE", "CAPTURES", "CHANCE", "CHECKS", "COVERAGE", "FAILS", "Facts", "PASSES", "RUBRIC", "VARIATION",
           "WEAK", "as_rows", "checks_of", "confidence_of", "grade"]

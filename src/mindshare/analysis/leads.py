"""Who leads a signal, by how much, and whether chance could explain it: one `Lead` per signal.

Three ways to read a lead, chosen by what the series measures (analysis.measures):

- **Counts of events from a sample** (job posts in a forum's hiring threads): one month holds a handful of posts,
  so months are first pooled over a trailing window of `WINDOW_MONTHS`, extended further back until the leader has
  at least `MIN_EVENTS` events, and only then is a lead claimed. The interval is for the ratio of the two underlying
  rates. Why this interval: two Poisson counts a and b over the same exposure (the same threads, the same months)
  are, given their total n = a + b, binomial: a ~ Binomial(n, r / (1 + r)) with r the rate ratio. The exact
  (Clopper–Pearson) interval of that proportion, mapped through p / (1 - p), is an exact interval for r that
  needs no large-sample approximation, which is what small counts need (a Wald interval of log(a/b) fails at 4 vs
  3). A lead is **clear** only when the interval excludes parity (r = 1); otherwise it is **within chance**.
  Hand-checked: 4 vs 3 posts give a ratio of 1.33 with the interval 0.23 to 9.1, within chance.
- **Shares of one survey's respondents**: both shares come from the same people (a multiple-choice question), so
  the difference is paired; the overlap is rarely published, so the interval is the widest the counts allow
  (analysis.surveys.same_sample_difference). Clear only when it excludes zero. Without a base n there is no
  interval, and the lead is said to have none.
- **Complete counts** (downloads, all-time questions, full scans of papers, stars): nothing was sampled, so there is
  no interval and no test. The lead is given **as counted**.
- **A ratio the source published** without the two figures it divides ("about 2" times as many listings): given
  **as published**, with no interval.

Which two contenders a lead compares: by default the two highest values; with `among` (the field's own pair, the
same on every row of the scoreboard) the two of that pair whenever both were read, whatever lies above or between
them (`Lead.values` keeps every contender's value, so the words can say so).

A lead must also be **material**: beyond chance is not enough. Ten thousand survey respondents make a gap of half a
point "significant", and nobody choosing between two tools should read 10.6% against 10.1% as one of them ahead.
A gap under `MATERIAL_RATIO` (the leader has less than 10% more than the runner-up) or, for shares of one survey,
under `MATERIAL_POINTS` (1 percentage point) is **about level**, whatever its interval says; such a lead is never
claimed. A lead is claimed only when it is material and beyond chance (or material and a complete count).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

WINDOW_MONTHS = 12
MIN_EVENTS = 30
MATERIAL_RATIO = 1.10      # under 10% more than the runner-up: about level
MATERIAL_POINTS = 1.0      # survey shares: under 1 percentage point apart: about level
CLEAR, WITHIN_CHANCE, AS_COUNTED, NO_INTERVAL, TIE, ABOUT_LEVEL, AS_PUBLISHED = (
    "clear", "within chance", "as counted", "no interval", "tie", "about level", "as published")
STATUSES = (CLEAR, WITHIN_CHANCE, AS_COUNTED, NO_INTERVAL, TIE, ABOUT_LEVEL, AS_PUBLISHED)
CLAIMED = (CLEAR, AS_COUNTED, AS_PUBLISHED)


@dataclass(frozen=True)
class Lead:
    leader: str
    runner_up: str
    leader_value: float
    runner_value: float
    ratio: float | None            # leader / runner-up
    ci_low: float | None           # interval of the ratio (scale 'ratio') or of the difference (scale 'points')
    ci_high: float | None
    scale: str                     # 'ratio' or 'points'
    status: str                    # CLEAR, WITHIN_CHANCE, AS_COUNTED, NO_INTERVAL, TIE, ABOUT_LEVEL
    start: pd.Timestamp | None     # the period the lead is read over
    end: pd.Timestamp | None
    readings: int = 1              # periods pooled into it
    n: float | None = None         # the sample size behind a survey lead
    values: pd.Series | None = None    # every contender's value the lead was read from (contender -> value)

    @property
    def claimed(self) -> bool:
        """Whether the answer may count it as a lead: material and beyond chance, or a material complete count (or
        published ratio)."""
        return self.status in CLAIMED

    @property
    def difference_pts(self) -> float | None:
        return (self.leader_value - self.runner_value) if self.scale == "points" and self.runner_value is not None \
            else None


def material(a: float, b: float, *, points: bool = False) -> bool:
    """Whether `a` is far enough above `b` to matter: 10% more (`MATERIAL_RATIO`) and, for shares of one survey
    (`points`), also `MATERIAL_POINTS` more."""
    if a <= b:
        return False
    far = b <= 0 or a / b >= MATERIAL_RATIO
    return far and (not points or a - b >= MATERIAL_POINTS)


def _ranked(values: pd.Series) -> pd.Series:
    """Values by contender, highest first, ties broken by contender id so the order never depends on row order."""
    frame = values.dropna().rename("value").rename_axis("contender").reset_index()
    frame = frame.sort_values(["value", "contender"], ascending=[False, True])
    return frame.set_index("contender")["value"]


def compared(values: pd.Series, among: tuple[str, ...] | None) -> pd.Series:
    """The two contenders a lead compares, highest first: `among` when both of it were read, else the top two."""
    ranked = _ranked(values)
    if among and all(c in ranked.index for c in among):
        return ranked[ranked.index.isin(list(among))]
    return ranked


def pooling_window(periods: pd.DataFrame, leader_total, *, months: int = WINDOW_MONTHS,
                   min_events: int = MIN_EVENTS) -> pd.DataFrame:
    """The trailing periods to pool: those ending within `months` of the last period's end, then earlier ones one
    at a time until `leader_total(window)` reaches `min_events` or the periods run out.

    `periods` has one row per period (columns period_start, period_end), any order.
    """
    periods = periods.sort_values("period_end", ascending=False).reset_index(drop=True)
    last = pd.Timestamp(periods["period_end"].iloc[0])
    inside = pd.to_datetime(periods["period_end"]) > last - pd.DateOffset(months=months)
    count = int(inside.sum())
    while count < len(periods) and leader_total(periods.iloc[:count]) < min_events:
        count += 1
    return periods.iloc[:count]


def pooled_count_lead(frame: pd.DataFrame, *, sampled: bool = True, months: int = WINDOW_MONTHS,
                      min_events: int = MIN_EVENTS, confidence: float = 0.95,
                      among: tuple[str, ...] | None = None) -> Lead | None:
    """Lead in counts of events pooled over a trailing window (see the module docstring for why).

    `frame`: contender, period_start, period_end, value; one method, one reading per contender and period. The
    leader is the contender with most events in the window. With `sampled` False (a complete count) the lead is
    given as counted, with no interval.
    """
    data = frame.dropna(subset=["value"])
    if data["contender"].nunique() < 2:
        return None
    periods = data[["period_start", "period_end"]].drop_duplicates()

    def leader_total(window: pd.DataFrame) -> float:
        inside = data[data["period_end"].isin(window["period_end"])]
        return float(compared(inside.groupby("contender")["value"].sum(), among).max())

    window = pooling_window(periods, leader_total, months=months, min_events=min_events)
    inside = data[data["period_end"].isin(window["period_end"])]
    return counted_lead(inside.groupby("contender")["value"].sum(), start=window["period_start"].min(),
                        end=window["period_end"].max(), sampled=sampled, readings=len(window), confidence=confidence,
                        among=among)


def counted_lead(values: pd.Series, start=None, end=None, *, sampled: bool = False, readings: int = 1,
                 confidence: float = 0.95, among: tuple[str, ...] | None = None) -> Lead | None:
    """The lead in counts by contender over one period (or one pooled window).

    Complete counts (`sampled` False) are given as counted, with no interval. Sampled counts get the exact
    interval of the rate ratio (module docstring), and are clear only when it excludes parity.
    """
    from mindshare.analysis.surveys import count_comparison

    ranked = compared(values, among)
    if len(ranked) < 2:
        return None
    leader, runner = ranked.index[0], ranked.index[1]
    a, b = float(ranked.iloc[0]), float(ranked.iloc[1])
    common = dict(start=pd.Timestamp(start) if start is not None else None,
                  end=pd.Timestamp(end) if end is not None else None, readings=readings, values=_ranked(values))
    ratio = a / b if b else None
    if a == b:
        return Lead(leader, runner, a, b, ratio, None, None, "ratio", TIE, **common)
    big = material(a, b)
    if not sampled:
        return Lead(leader, runner, a, b, ratio, None, None, "ratio", AS_COUNTED if big else ABOUT_LEVEL, **common)
    test = count_comparison(a, b, confidence)
    beyond = test.ratio_low is not None and test.ratio_low > 1
    status = WITHIN_CHANCE if not beyond else CLEAR if big else ABOUT_LEVEL
    return Lead(leader, runner, a, b, ratio, test.ratio_low, test.ratio_high, "ratio", status, **common)


def published_ratio_lead(leader: str, runner: str, ratio: float, start=None, end=None) -> Lead:
    """A ratio the source published (leader / runner-up), given as published: no figures, so no interval."""
    status = AS_PUBLISHED if material(ratio, 1.0) else ABOUT_LEVEL if ratio != 1 else TIE
    return Lead(leader, runner, ratio, 1.0, ratio, None, None, "ratio", status,
                pd.Timestamp(start) if start is not None else None, pd.Timestamp(end) if end is not None else None,
                values=pd.Series({leader: ratio, runner: 1.0}))


def survey_lead(shares: pd.DataFrame, *, confidence: float = 0.95, among: tuple[str, ...] | None = None) -> Lead | None:
    """Lead between the two highest shares of one survey question, segment and year.

    `shares`: contender, share_pct, and optionally count and n (the question's base). With counts and n the
    difference gets the paired interval with unknown overlap (the widest the counts allow); without them, no
    interval (status NO_INTERVAL).
    """
    from mindshare.analysis.surveys import same_sample_difference

    data = shares.dropna(subset=["share_pct"]).copy()
    if len(data) < 2:
        return None
    data = data.sort_values(["share_pct", "contender"], ascending=[False, True])
    pair = data[data["contender"].isin(list(among or ()))]
    top, second = (pair.iloc[0], pair.iloc[1]) if among and len(pair) == 2 else (data.iloc[0], data.iloc[1])
    a, b = float(top["share_pct"]), float(second["share_pct"])
    start = pd.Timestamp(top["period_start"]) if "period_start" in data else None
    end = pd.Timestamp(top["period_end"]) if "period_end" in data else None
    ratio = a / b if b else None
    values = data.set_index("contender")["share_pct"]
    if a == b:
        return Lead(top["contender"], second["contender"], a, b, ratio, None, None, "points", TIE, start, end,
                    values=values)
    big = material(a, b, points=True)
    counts_known = all(pd.notna(row.get(k)) for row in (top, second) for k in ("count", "n"))
    if not counts_known:
        return Lead(top["contender"], second["contender"], a, b, ratio, None, None, "points",
                    NO_INTERVAL if big else ABOUT_LEVEL, start, end, values=values)
    # one question's base; where a source publishes a base per option (bases differing by a few respondents), the
    # smaller is used, which widens the interval slightly rather than narrowing it
    base = float(min(top["n"], second["n"]))
    difference = same_sample_difference(float(top["count"]), float(second["count"]), base, confidence=confidence)
    status = WITHIN_CHANCE if not difference.significant else CLEAR if big else ABOUT_LEVEL
    return Lead(top["contender"], second["contender"], a, b, ratio, difference.ci_low * 100,
                difference.ci_high * 100, "points", status, start, end, n=base, values=values)

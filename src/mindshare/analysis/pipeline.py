"""The whole analysis of a store's observations, with the heavy aggregation done in DuckDB SQL.

`analyse(con, relation)` takes any DuckDB relation with the observation columns (the store's table, a DataFrame
registered on a connection, or a synthetic benchmark table) and reduces it in SQL to a few small tables: one
comparable series per signal, the latest reading of each contender, the reading a year before, monthly shares over
the last three years and the last observed crossing of the two leaders. Only those small tables reach Python, where
the robust trends, projections and composite scores are computed on at most a few thousand rows. The answer is made
from the result by analysis.answer.

Rules (docs/analysis.md explains why):
- one series per signal: a preferred metric (the signal's `prefers` in mindshare.catalogue; of equally preferred
  ones, the one read most recently) or
  else the (metric, source, segment) with the most contenders, the latest readings and the most rows; research
  venues are summed, other segments never are;
- readings marked partial, or whose period had not ended when they were read, are left out and counted;
- standings, trends and projections use only the latest method of the series (the latest uninterrupted run).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field

import numpy as np
import pandas as pd

from mindshare.catalogue import CATALOGUE, CONTENDER_NOTE, SERIES_BRIDGE, Catalogue
from mindshare.observations import ALL_RESPONDENTS, DEFAULT_SEGMENT

TREND_YEARS = 3


@dataclass
class Analysis:
    series: pd.DataFrame          # signal, series, metric, source, segment, contenders, rows, first, last; the
                                  # other tables name a series by `series` in their `signal` column
    standings: pd.DataFrame       # per signal and contender: value/share now and a year before
    trends: pd.DataFrame          # per signal and contender: Theil-Sen trend of the share (points/year) + OLS
    crossovers: pd.DataFrame      # per signal: leader vs runner-up, observed and projected
    excluded: pd.DataFrame        # per signal: readings left out as partial
    composites: dict = dataclass_field(default_factory=dict)   # preset -> CompositeResult
    stale: list = dataclass_field(default_factory=list)        # signals left out of the composite as too old
    months: pd.DataFrame | None = None     # chosen series, one reading per contender and month, every method
    venues: pd.DataFrame | None = None     # signals summed over segments (research): per segment and period
    surveys: pd.DataFrame | None = None    # survey shares matched by survey, question, population and year
    data_notes: pd.DataFrame | None = None   # caveats stored as data (no value, words only): how far two series
                                             # of one signal may be joined (series_bridge), a survey year without
                                             # the question (<survey>_survey_note), a ratio a source published in
                                             # words (a metric of kind ratio: "about 2")
    contender_names: dict = dataclass_field(default_factory=dict)   # contender id -> its name (for words that
                                             # name contenders, such as "TensorFlow vs PyTorch")
    others: pd.DataFrame | None = None     # what the chosen series count beyond the field's contenders (the
                                             # transformers package, "LLM" in job posts): signal (the series),
                                             # subject, month, method, e, value; one reading per subject and month


# a series about everyone: the default segment, or a survey's whole sample
WHOLE_POPULATION = (DEFAULT_SEGMENT, ALL_RESPONDENTS)


SERIES_COLUMNS = ["signal", "series", "metric", "source", "segment", "contenders", "rows", "first", "last"]


def _choose_series(groups: pd.DataFrame, catalogue: Catalogue = CATALOGUE) -> pd.DataFrame:
    """The series each signal is read from: its best series, then any other that shares no contender with those
    already chosen (PyPI downloads for some contenders, npm downloads for others), so a pair of contenders is
    always compared on the one series they share, never across two. `series` names the series: the signal itself
    for its best one, the signal and source for another. A signal whose segments add up is read from one series.
    """
    from mindshare.analysis.measures import COMPARED_KINDS, describe

    chosen = []
    skip, summed = catalogue.not_compared(), catalogue.summed_over_segments()
    for signal, group in groups.groupby("signal"):
        if signal in skip:
            continue
        # a published ratio or a growth figure says nothing of who is ahead by itself: never a signal's series
        compared = [describe(m, catalogue=catalogue).kind in COMPARED_KINDS for m in group["metric"]]
        group = group[(group["contenders"] >= 2).to_numpy() & compared].copy()
        if group.empty:
            continue
        group["preference"] = [catalogue.preference(str(signal), m) for m in group["metric"]]
        if signal in summed:
            group = (group.groupby(["signal", "metric", "source", "preference"], as_index=False)
                     .agg(contenders=("contenders", "max"), rows=("rows", "sum"), last=("last", "max"),
                          first=("first", "min"), who=("who", lambda lists: sorted(set().union(*map(set, lists)))))
                     .assign(segment=None))
        # among equally preferred metrics the latest month first (two counts of the same threads, one of them
        # newer); otherwise the most contenders, then the latest, then the most rows
        preferred = group["preference"] < len(catalogue.signal(str(signal)).prefers)
        group["recent"] = pd.to_datetime(group["last"]).dt.to_period("M").dt.to_timestamp().where(preferred)
        # ties last: the whole population before a part of it, then by name, so the choice never depends on the
        # order DuckDB returned the groups in (it varies with its threads)
        group["part"] = ~group["segment"].isna() & ~group["segment"].isin(WHOLE_POPULATION)
        group = group.sort_values(["preference", "recent", "contenders", "last", "rows", "part", "segment", "source"],
                                  ascending=[True, False, False, False, False, True, True, True], na_position="last")
        if "who" not in group:            # no contender sets given: the best series alone
            group = group.head(1).assign(who=[()])
        taken: set = set()
        for _, candidate in group.iterrows():
            who = set(candidate["who"])
            if taken and (who & taken or signal in summed):
                continue
            row = candidate.copy()
            row["series"] = str(signal) if not taken else f"{signal} ({candidate['source']})"
            chosen.append(row[SERIES_COLUMNS])
            taken |= who
    return pd.DataFrame(chosen).reset_index(drop=True) if chosen else pd.DataFrame(columns=SERIES_COLUMNS)


def _preset_facts(con, relation: str) -> pd.DataFrame:
    """Hale's composite weights as the store holds them (rows without a contender, so outside `base`)."""
    from mindshare.analysis.composite import PRESET_METRICS

    wanted = ", ".join(f"'{m}'" for m in PRESET_METRICS.values())
    return con.execute(f"SELECT metric, segment, value FROM {relation} WHERE metric IN ({wanted})").df()


def analyse(con, relation: str = "observations", *, contenders: list[str] | None = None,
            presets: tuple[str, ...] = ("power-2018", "growth-2019"), weights: dict[str, float] | None = None,
            facts: pd.DataFrame | None = None, draws: int = 2000, kappa: float = 100.0,
            names=lambda key: key, stale_years: float = 5.0,
            data_notes: pd.DataFrame | None = None) -> Analysis:
    """Run the full analysis on `relation` (a table or view on DuckDB connection `con`).

    `data_notes`: the caveats stored as data (`data_notes_of(observations)`), for a relation that holds numbers
    only; by default they are read from `relation` itself.
    """
    from mindshare.analysis.composite import composite_score, preset_weights
    from mindshare.analysis.measures import describe

    keep = ""
    if contenders:
        keep = "AND contender IN (" + ", ".join("'" + c.replace("'", "''") + "'" for c in contenders) + ")"
    base = (f"SELECT * FROM {relation} WHERE value IS NOT NULL AND contender IS NOT NULL {keep}")
    groups = con.execute(f"""
        SELECT signal, metric, source, segment, count(DISTINCT contender) AS contenders, count(*) AS rows,
               min(period_start) AS first, max(period_start) AS last, list(DISTINCT contender) AS who
        FROM ({base}) GROUP BY ALL""").df()
    chosen = _choose_series(groups)
    chosen["additive"] = [describe(m, source=str(src)).additive for m, src in zip(chosen["metric"], chosen["source"])]
    con.register("ms_chosen", chosen[["signal", "series", "metric", "source", "segment", "additive"]])
    partial = ("(coalesce(o.note ILIKE '%partial%', false) "
               "OR coalesce(CAST(o.period_end AS DATE) > CAST(o.collected_at AS DATE), false))")
    # the chosen series of every signal, each under its own name (`signal` below is the series: a signal read
    # from two series is two); never materialised (each query below reduces it in one scan)
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW ms_rows AS
        SELECT c.series AS signal, o.contender, coalesce(o.method, '') AS method, CAST(o.period_start AS DATE) AS d,
               CAST(coalesce(o.period_end, o.period_start) AS DATE) AS e, o.subject, o.segment AS venue,
               o.value, {partial} AS partial
        FROM ({base}) o JOIN ms_chosen c
          ON o.signal = c.signal AND o.metric = c.metric AND o.source = c.source
         AND (c.segment IS NULL OR o.segment = c.segment)""")
    excluded = con.execute("""
        SELECT signal, count(*) AS readings, min(d) AS first, max(d) AS last FROM ms_rows WHERE partial
        GROUP BY signal ORDER BY signal""").df()
    # one row per signal and date: its method, its total, whether two or more contenders were read. Where two
    # versions of a method cover the same date (Horace He's 2019-11 and 2021-10 rules), the version read most
    # recently wins, so a date never mixes two methods.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE ms_dates AS
        WITH per_method AS (
            SELECT signal, d, method, sum(value) AS total, min(contender) <> max(contender) AS several
            FROM ms_rows WHERE NOT partial GROUP BY signal, d, method),
        latest AS (SELECT signal, method, max(d) AS last_d FROM per_method GROUP BY signal, method)
        SELECT per_method.* FROM per_method JOIN latest USING (signal, method)
        QUALIFY row_number() OVER (PARTITION BY signal, d ORDER BY last_d DESC, method DESC) = 1""")
    # the latest uninterrupted run of one method per signal, its latest date with several contenders, and the
    # latest such date at least a year before that
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE ms_window AS
        WITH runs AS (
            SELECT signal, d, method, several,
                   sum(CASE WHEN method IS DISTINCT FROM prev THEN 1 ELSE 0 END)
                       OVER (PARTITION BY signal ORDER BY d ROWS UNBOUNDED PRECEDING) AS run
            FROM (SELECT *, lag(method) OVER (PARTITION BY signal ORDER BY d) AS prev FROM ms_dates)),
        last_run AS (SELECT signal, max(run) AS run FROM runs GROUP BY signal),
        current AS (SELECT runs.* FROM runs JOIN last_run USING (signal, run)),
        now AS (SELECT signal, any_value(method) AS method, min(d) AS since,
                       max(d) FILTER (WHERE several) AS d_now FROM current GROUP BY signal)
        SELECT now.*, (SELECT max(c.d) FROM current c WHERE c.signal = now.signal AND c.several
                       AND c.d <= now.d_now - INTERVAL 1 YEAR) AS d_before,
               now.d_now - INTERVAL {TREND_YEARS} YEAR AS trend_from
        FROM now WHERE d_now IS NOT NULL""")
    standings = con.execute("""
        WITH picked AS (
            SELECT r.signal, r.contender, r.d, sum(r.value) AS value, any_value(w.method) AS method,
                   any_value(w.d_now) AS d_now, any_value(w.d_before) AS d_before, any_value(w.since) AS since
            FROM ms_rows r JOIN ms_window w ON r.signal = w.signal AND r.method = w.method
             AND (r.d = w.d_now OR r.d = w.d_before)
            WHERE NOT r.partial GROUP BY r.signal, r.contender, r.d)
        SELECT p.signal, p.contender, any_value(p.method) AS method, any_value(p.d_now) AS d_now,
               any_value(p.d_before) AS d_before, any_value(p.since) AS since,
               max(p.value) FILTER (WHERE p.d = p.d_now) AS value_now,
               max(p.value) FILTER (WHERE p.d = p.d_before) AS value_before,
               100 * max(p.value / nullif(t.total, 0)) FILTER (WHERE p.d = p.d_now) AS share_now,
               100 * max(p.value / nullif(t.total, 0)) FILTER (WHERE p.d = p.d_before) AS share_before
        FROM picked p JOIN ms_dates t ON t.signal = p.signal AND t.d = p.d
        GROUP BY p.signal, p.contender
        ORDER BY p.signal, value_now DESC NULLS LAST""").df()
    months = _monthly_readings(con)
    others = _other_subjects(con, relation)
    monthly = _current_run_shares(months, con.execute("SELECT * FROM ms_window").df())
    trends = _share_trends(monthly)
    standings = standings.sort_values(["signal", "value_now", "contender"], ascending=[True, False, True],
                                      na_position="last").reset_index(drop=True)
    leaders = standings.dropna(subset=["value_now"]).groupby("signal").head(2)
    pairs = leaders.groupby("signal")["contender"].apply(list)
    pairs = pairs[pairs.str.len() == 2]
    crossovers = _crossovers(months, pairs, names)
    notes = _data_notes(con, relation) if data_notes is None else data_notes
    analysis = Analysis(series=chosen, standings=standings, trends=trends, crossovers=crossovers, excluded=excluded,
                        months=months, venues=_venue_readings(con),
                        surveys=_survey_rows(con, relation, contenders, notes), data_notes=notes,
                        contender_names={c: names(c) for c in (contenders or [])}, others=others)
    newest = pd.to_datetime(standings["d_now"]).max() if not standings.empty else None
    last_reading = standings.groupby("signal")["d_now"].max()
    analysis.stale = sorted(last_reading[pd.to_datetime(last_reading) < newest - pd.DateOffset(years=stale_years)].index) \
        if newest is not None else []
    standings = standings[~standings["signal"].isin(analysis.stale)]
    metrics = standings.dropna(subset=["value_now"]).assign(metric="value")[["contender", "signal", "metric", "value_now"]]
    growth = (standings.dropna(subset=["share_now", "share_before"])
              .assign(metric="share change", value=lambda f: f["share_now"] - f["share_before"]))
    if facts is None and presets:
        facts = _preset_facts(con, relation)
    for preset in presets:
        chosen_weights = preset_weights(preset, facts)
        if not chosen_weights:
            continue  # the store holds no weights for this preset (e.g. a store without Hale's facts)
        frame = growth[["contender", "signal", "metric", "value"]] if preset.startswith("growth") else \
            metrics.rename(columns={"value_now": "value"})
        result = composite_score(frame, chosen_weights, preset=preset, draws=draws, kappa=kappa)
        if result is not None:
            analysis.composites[preset] = result
    if weights:
        result = composite_score(metrics.rename(columns={"value_now": "value"}), weights, preset="custom",
                                 draws=draws, kappa=kappa)
        if result is not None:
            analysis.composites["custom"] = result
    con.execute("DROP VIEW IF EXISTS ms_rows")
    for table in ("ms_dates", "ms_window"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    con.unregister("ms_chosen")
    return analysis


def _monthly_readings(con) -> pd.DataFrame:
    """The chosen series of every signal, one reading per contender and month, over the whole history.

    A month's reading is the sum of the month's readings for series that count events in periods (posts, papers:
    periods add up), and the contender's last reading of the month otherwise (stars, 30-day downloads: two
    readings in one month are two looks at one level, never added). A contender's several subjects (packages,
    repositories) and a research signal's venues are summed first. Where a month holds two methods, each keeps its
    own row and `last_in_month` marks the method read last that month, the same for every contender: series use
    that one (a month never mixes methods, and a contender read only by the other method that month is missing
    from it), and the test of continuity at a method change (analysis.bridges) uses both.
    """
    return con.execute("""
        WITH per_subject AS (
            SELECT signal, contender, subject, venue, date_trunc('month', d) AS month, method,
                   max(d) AS d, max(e) AS e, sum(value) AS summed, arg_max(value, d) AS last_value
            FROM ms_rows WHERE NOT partial GROUP BY ALL),
        marked AS (
            SELECT *, max(d) OVER (PARTITION BY signal, contender, month, method) AS last_d FROM per_subject),
        per_method AS (
            SELECT signal, contender, month, method, max(d) AS d, max(e) AS e, sum(summed) AS summed,
                   sum(last_value) FILTER (WHERE d = last_d) AS last_value
            FROM marked GROUP BY ALL),
        -- a month's reading of a method counts only if that method is the one read on its last day (two versions
        -- of a method covering the same dates: the version read most recently, as in ms_dates)
        chosen AS (SELECT p.* FROM per_method p JOIN ms_dates t ON t.signal = p.signal AND t.d = p.d
                                                                AND t.method = p.method),
        -- the month's method is the one read last that month, for every contender alike
        month_method AS (SELECT signal, month, arg_max(method, d) AS method FROM chosen GROUP BY ALL)
        SELECT p.signal, p.contender, CAST(p.month AS DATE) AS month, p.method, p.d, p.e,
               CASE WHEN c.additive THEN p.summed ELSE p.last_value END AS value,
               p.method = m.method AS last_in_month
        FROM chosen p JOIN month_method m USING (signal, month)
        JOIN (SELECT series AS signal, any_value(additive) AS additive FROM ms_chosen GROUP BY series) c USING (signal)
        ORDER BY p.signal, p.contender, p.month, p.d""").df()


def _other_subjects(con, relation: str) -> pd.DataFrame:
    """What each chosen series counts beyond the field's contenders: rows of the same signal, metric, source (and
    segment) whose subject is no contender (a package of no contender, a term job posts are searched for), one
    reading per subject, month and method (summed for counts of events, the last reading otherwise). Subjects
    starting with "_" are totals (all posts), not things."""
    return con.execute(f"""
        WITH rows AS (
            SELECT c.series AS signal, o.subject, coalesce(o.method, '') AS method,
                   CAST(o.period_start AS DATE) AS d, CAST(coalesce(o.period_end, o.period_start) AS DATE) AS e,
                   o.value, c.additive
            FROM {relation} o JOIN ms_chosen c
              ON o.signal = c.signal AND o.metric = c.metric AND o.source = c.source
             AND (c.segment IS NULL OR o.segment = c.segment)
            WHERE o.contender IS NULL AND o.value IS NOT NULL AND o.subject IS NOT NULL
              AND NOT starts_with(o.subject, '_')
              AND NOT coalesce(o.note ILIKE '%partial%', false))
        SELECT signal, subject, CAST(date_trunc('month', d) AS DATE) AS month, method, max(e) AS e,
               CASE WHEN any_value(additive) THEN sum(value) ELSE arg_max(value, d) END AS value
        FROM rows GROUP BY ALL ORDER BY ALL""").df()


def _current_run_shares(months: pd.DataFrame, window: pd.DataFrame) -> pd.DataFrame:
    """Monthly shares (a contender's reading / everyone's that month) over the trend window of the current run."""
    columns = ["signal", "contender", "month", "share", "value"]
    if months.empty or window.empty:
        return pd.DataFrame(columns=columns)
    data = months[months["last_in_month"]].merge(window[["signal", "method", "since", "d_now", "trend_from"]],
                                                 on=["signal", "method"])
    d = pd.to_datetime(data["d"])
    data = data[(d > pd.to_datetime(data["trend_from"])) & (d >= pd.to_datetime(data["since"]))
                & (d <= pd.to_datetime(data["d_now"]))]
    total = data.groupby(["signal", "month"])["value"].transform("sum")
    data = data.assign(share=100 * data["value"] / total.where(total != 0), month=pd.to_datetime(data["month"]))
    return data[columns].sort_values(["signal", "contender", "month"]).reset_index(drop=True)


def _venue_readings(con) -> pd.DataFrame:
    """Signals whose segments are summed (research venues): each segment's readings, for like-for-like panels."""
    wanted = ", ".join(f"'{s}'" for s in CATALOGUE.summed_over_segments())
    return con.execute(f"""
        SELECT r.signal, r.venue AS segment, r.contender, r.method, r.d, r.e, sum(r.value) AS value
        FROM ms_rows r JOIN ms_dates t ON t.signal = r.signal AND t.d = r.d AND t.method = r.method
        WHERE NOT r.partial AND r.signal IN ({wanted}) GROUP BY ALL ORDER BY ALL""").df()


def _survey_rows(con, relation: str, contenders: list[str] | None, notes: pd.DataFrame | None) -> pd.DataFrame:
    """Survey shares matched across years (analysis.survey_readings), from the survey rows of `relation`.

    Read apart from the chosen series: the bases (respondents) have no contender, and a survey's years are
    compared by question and population, whatever source string each row carries.
    """
    from mindshare.analysis.survey_readings import survey_readings

    rows = con.execute(f"""
        SELECT * FROM {relation}
        WHERE value IS NOT NULL AND metric LIKE '%survey%'""").df()
    return survey_readings(rows, contenders, notes=notes)


DATA_NOTE_COLUMNS = ["signal", "metric", "source", "subject", "segment", "method", "period_start", "period_end",
                     "value_text"]


def _worded_metrics(catalogue: Catalogue = CATALOGUE) -> list[str]:
    """The metrics whose rows the analysis reads as words: how far two series join, what a contender has become,
    published ratios."""
    from mindshare.analysis.measures import RATIO

    return [SERIES_BRIDGE.name, CONTENDER_NOTE.name] + [m.name for m in catalogue.metrics if m.kind == RATIO]


def data_notes_of(observations: pd.DataFrame) -> pd.DataFrame:
    """The caveats stored as data among `observations` (see `_data_notes`), in DATA_NOTE_COLUMNS."""
    if not set(DATA_NOTE_COLUMNS) <= set(observations.columns):
        return pd.DataFrame(columns=DATA_NOTE_COLUMNS)
    metric = observations["metric"].astype(str)
    keep = observations["value"].isna() & observations["value_text"].notna() \
        & (metric.isin(_worded_metrics()) | metric.str.endswith("survey_note"))
    return observations.loc[keep, DATA_NOTE_COLUMNS].sort_values(
        ["signal", "metric", "period_start", "subject"]).reset_index(drop=True)


def _data_notes(con, relation: str) -> pd.DataFrame:
    """The caveats a source or the bundle stores as data: rows with words and no value whose metric is
    `series_bridge` (BRIDGED / NOT BRIDGED: how far two series of one signal may be joined), a published ratio in
    words, or ends in `survey_note` (a survey year that did not ask the question, or drew a population otherwise).
    Read apart: they have no contender."""
    columns = {c[0] for c in con.execute(f"SELECT * FROM {relation} LIMIT 0").description}
    if not set(DATA_NOTE_COLUMNS) <= columns:
        return pd.DataFrame(columns=DATA_NOTE_COLUMNS)
    return con.execute(f"""
        SELECT {", ".join(DATA_NOTE_COLUMNS)} FROM {relation}
        WHERE value IS NULL AND value_text IS NOT NULL
          AND (metric IN ({", ".join(f"'{m}'" for m in _worded_metrics())}) OR metric LIKE '%survey_note')
        ORDER BY signal, metric, period_start, subject""").df()


def _share_trends(monthly: pd.DataFrame) -> pd.DataFrame:
    """Trend of each contender's share, in points per year, over the monthly shares: Theil-Sen with Sen's interval,
    OLS with its naive t interval, and OLS with the Newey-West (HAC) interval that allows for autocorrelation.

    `direction` is read from the HAC interval (monthly shares are strongly autocorrelated, so the other two are too
    narrow), and is "too few readings to tell" below trends.MIN_READINGS months, where every interval is left blank.
    Series with the same months are fitted together (vectorised); a month where a contender has no reading leaves
    it out of that contender's fit.
    """
    from mindshare.analysis.robust import theil_sen_many
    from mindshare.analysis.trends import FLAT, MIN_READINGS, TOO_FEW, hac_slope_many, years_since

    intervals = ["ci_low", "ci_high", "ols_ci_low", "ols_ci_high", "hac_ci_low", "hac_ci_high"]
    columns = ["signal", "contender", "start", "end", "n", "share_pts_per_year", "ci_low", "ci_high",
               "ols_pts_per_year", "ols_ci_low", "ols_ci_high", "hac_ci_low", "hac_ci_high", "direction"]
    monthly = monthly.dropna(subset=["share"])
    if monthly.empty:
        return pd.DataFrame(columns=columns)
    keys = monthly.groupby(["signal", "contender"], sort=False)["month"].agg(tuple)
    keys = keys[keys.str.len() >= 3]
    out = []
    for months, members in keys.groupby(keys, sort=False):
        index = pd.DatetimeIndex(months)
        x = years_since(index, index[0])
        picked = monthly.set_index(["signal", "contender"]).loc[members.index]
        values = picked["share"].to_numpy(float).reshape(len(members), len(months))
        fit = theil_sen_many(x, values)
        hac = hac_slope_many(x, values)
        frame = pd.DataFrame({"signal": members.index.get_level_values(0),
                              "contender": members.index.get_level_values(1),
                              "start": index[0], "end": index[-1], "n": len(months),
                              "share_pts_per_year": fit["slope"], "ci_low": fit["ci_low"], "ci_high": fit["ci_high"],
                              "ols_pts_per_year": fit["ols_slope"], "ols_ci_low": fit["ols_ci_low"],
                              "ols_ci_high": fit["ols_ci_high"], "hac_ci_low": hac["ci_low"],
                              "hac_ci_high": hac["ci_high"]})
        out.append(frame)
    if not out:
        return pd.DataFrame(columns=columns)
    trends = pd.concat(out, ignore_index=True)
    few = trends["n"] < MIN_READINGS
    trends.loc[few, intervals] = np.nan
    trends["direction"] = np.select([few, trends["hac_ci_low"] > 0, trends["hac_ci_high"] < 0],
                                    [TOO_FEW, "rising", "falling"], FLAT)
    return trends[columns].sort_values(["signal", "contender"]).reset_index(drop=True)


def _crossovers(months: pd.DataFrame, pairs: pd.Series, names) -> pd.DataFrame:
    """Observed and projected crossover of each signal's two leaders, on their monthly readings side by side (every
    method: crossings are read within a method)."""
    from mindshare.analysis.projection import crossover_from_wide

    columns = ["signal", "leader", "trailing", "latest", "ratio_now", "observed", "observed_method", "status",
               "projected", "projected_low", "projected_high", "horizon", "reason", "fit_start", "fit_points",
               "sentence"]
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    read = months[months["last_in_month"].to_numpy()]
    by_signal = dict(tuple(read[read["signal"].isin(pairs.index).to_numpy()].groupby("signal")))
    sides = []
    for signal, pair in pairs.items():
        own = by_signal.get(signal, read.iloc[0:0])
        own = own[own["contender"].isin(pair).to_numpy()]
        wide = own.groupby(["month", "method", "contender"])["value"].sum().unstack()
        if set(pair) <= set(wide.columns):
            sides.append(wide[list(pair)].set_axis(["a", "b"], axis=1).dropna().reset_index().assign(signal=signal))
    frame = pd.concat(sides) if sides else pd.DataFrame(columns=["signal", "month", "method", "a", "b"])
    frame = frame.assign(period_start=pd.to_datetime(frame["month"]))[["signal", "period_start", "method", "a", "b"]]
    rows = []
    for signal, group in frame.groupby("signal"):
        a, b = pairs[signal]
        result = crossover_from_wide(group.rename(columns={"a": a, "b": b}), a, b)
        if result is None:
            continue
        rows.append({"signal": signal, "leader": result.leader, "trailing": result.trailing, "latest": result.latest,
                     "ratio_now": result.ratio_now, "observed": result.observed_date,
                     "observed_method": result.observed_method, "status": result.status,
                     "projected": result.projected, "projected_low": result.projected_low,
                     "projected_high": result.projected_high, "horizon": result.horizon, "reason": result.reason,
                     "fit_start": result.fit_start, "fit_points": result.fit_points,
                     "sentence": f"{signal}: " + result.sentence(names)})
    return pd.DataFrame(rows, columns=columns)


def analyse_frame(observations: pd.DataFrame, **options) -> Analysis:
    """`analyse` on an observations DataFrame (registered on an in-memory DuckDB connection)."""
    import duckdb

    con = duckdb.connect()
    try:
        con.register("ms_observations", observations)
        return analyse(con, "ms_observations", **options)
    finally:
        con.close()

"""The verdict: every sentence generated from figures that travel with it, so a reader can check each claim.

Per signal: who leads (share of the contenders' total at the latest reading), by how much (ratio to the runner-up),
and who is gaining (the largest Theil-Sen trend of share whose 95% interval lies above zero; none when every
interval includes zero). Then where the signals agree and disagree, the composite scores with their stability, and
one hedged "what should you focus on" paragraph whose every claim is one of the figures above.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

# signals that record choices being made now vs choices made in the past
LEADING = ("jobs", "downloads", "research", "search")
LAGGING = ("usage", "github", "qa")


@dataclass
class Sentence:
    text: str
    figures: list[dict] = field(default_factory=list)
    topic: str = ""           # 'signal', 'agreement', 'composite', 'crossover', 'focus'


def _p(value: float) -> str:
    return "p < 0.001" if value < 0.001 else f"p = {value:.2g}"


def _fig(name: str, value, unit: str, **extra) -> dict:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        value = round(value, 4)
    if isinstance(value, pd.Timestamp):
        value = value.date().isoformat()
    clean = {k: (v.date().isoformat() if isinstance(v, pd.Timestamp) else v) for k, v in extra.items()}
    return {"name": name, "value": value, "unit": unit, **clean}


STALE_YEARS = 5


def sampled_count_signals(series: pd.DataFrame | None) -> set[str]:
    """Signals whose chosen series counts events drawn from a sample (job posts, sampled papers): only these get a
    test of their lead. Complete counts (all questions, every paper of a venue) were not sampled: no test."""
    from mindshare.analysis.measures import EVENTS, describe

    if series is None or series.empty:
        return set()
    out = set()
    for row in series.itertuples(index=False):
        measure = describe(row.metric, source=str(row.source))
        if measure.kind == EVENTS and measure.sampled:
            out.add(row.signal)
    return out


def signal_verdicts(standings: pd.DataFrame, trends: pd.DataFrame, names=lambda key: key,
                    stale_years: float = STALE_YEARS, series: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per signal: leader, share, runner-up, ratio, the gainer with its trend interval.

    `current` is False for a signal whose latest reading is more than `stale_years` older than the newest reading
    of any signal: it is reported but left out of the agreement count, the focus paragraph and the composite.
    For signals whose series counts sampled events (`sampled_count_signals(series)`), `lead_p_value` tests the
    lead as two Poisson counts (exact conditional binomial test); complete counts are not tested. The gainer is the
    contender whose share is rising by the interval that allows for autocorrelation (the trends' `direction`).
    """
    from mindshare.analysis.surveys import count_comparison

    tested = sampled_count_signals(series)

    rows = []
    newest = pd.to_datetime(standings["d_now"]).max() if not standings.empty else None
    for signal, group in standings.dropna(subset=["value_now"]).groupby("signal"):
        group = group.sort_values(["value_now", "contender"], ascending=[False, True])
        if len(group) < 2:
            continue
        lead, runner = group.iloc[0], group.iloc[1]
        t = trends[trends["signal"] == signal]
        rising = t[t["direction"] == "rising"].sort_values(["ols_pts_per_year", "contender"], ascending=[False, True])
        gainer = rising.iloc[0] if not rising.empty else None
        counts = (signal in tested and float(lead["value_now"]).is_integer()
                  and float(runner["value_now"]).is_integer())
        test = count_comparison(lead["value_now"], runner["value_now"]) if counts else None
        rows.append({
            "current": bool(pd.Timestamp(lead["d_now"]) >= newest - pd.DateOffset(years=stale_years)),
            "lead_p_value": test.p_value if test else None,
            "signal": signal, "as_of": lead["d_now"], "method": lead["method"], "leader": lead["contender"],
            "leader_share_pct": lead["share_now"], "runner_up": runner["contender"],
            "runner_share_pct": runner["share_now"],
            "lead_ratio": lead["value_now"] / runner["value_now"] if runner["value_now"] else None,
            "gaining": gainer["contender"] if gainer is not None else None,
            "gain_pts_per_year": gainer["ols_pts_per_year"] if gainer is not None else None,
            "gain_ci_low": gainer["hac_ci_low"] if gainer is not None else None,
            "gain_ci_high": gainer["hac_ci_high"] if gainer is not None else None,
            "trend_from": t["start"].min() if not t.empty else None, "trend_to": t["end"].max() if not t.empty else None,
            "trend_points": int(t["n"].max()) if not t.empty else 0,
        })
    return pd.DataFrame(rows)


def _kinds(series: pd.DataFrame | None) -> dict[str, str]:
    from mindshare.analysis.measures import describe

    if series is None or series.empty:
        return {}
    return {row.signal: describe(row.metric, source=str(row.source)).kind for row in series.itertuples(index=False)}


def verdict(analysis, names=lambda key: key) -> list[Sentence]:
    from mindshare.analysis.measures import PAGE_COUNT, SHARE

    table = signal_verdicts(analysis.standings, analysis.trends, names, series=analysis.series)
    kinds = _kinds(analysis.series)
    values = analysis.standings.set_index(["signal", "contender"])["value_now"] if not analysis.standings.empty \
        else pd.Series(dtype=float)
    out: list[Sentence] = []
    for row in table.itertuples(index=False):
        ratio = f", {row.lead_ratio:.1f}x {names(row.runner_up)}" if pd.notna(row.lead_ratio) else ""
        figures = [_fig("leader_share_pct", row.leader_share_pct, "%", signal=row.signal, contender=row.leader,
                        date=row.as_of),
                   _fig("lead_ratio", row.lead_ratio, "ratio", signal=row.signal, contender=row.leader,
                        versus=row.runner_up)]
        text = (f"{row.signal}: {names(row.leader)} leads with {row.leader_share_pct:.0f}% of the contenders' total"
                f"{ratio} ({pd.Timestamp(row.as_of):%Y-%m})")
        if kinds.get(row.signal) == SHARE:
            # shares of a multiple-choice question: each is a share of respondents, never summed into a total
            a, b = values.get((row.signal, row.leader)), values.get((row.signal, row.runner_up))
            figures = [_fig("survey_share_pct", a, "% of respondents", signal=row.signal, contender=row.leader,
                            date=row.as_of),
                       _fig("survey_share_pct", b, "% of respondents", signal=row.signal, contender=row.runner_up,
                            date=row.as_of)]
            text = (f"{row.signal}: {names(row.leader)} {a:.1f}% and {names(row.runner_up)} {b:.1f}% of the "
                    f"respondents asked ({pd.Timestamp(row.as_of):%Y}; respondents could name several, so the shares "
                    "are not added up)")
        if kinds.get(row.signal) == PAGE_COUNT:
            text = text.replace(f"{row.signal}: ", f"{row.signal} (Google result counts: web pages, not search "
                                                   "interest): ", 1)
        if pd.notna(row.lead_p_value):
            verdict_words = "a significant lead" if row.lead_p_value < 0.05 else "a lead within chance"
            text += f", {verdict_words} for counts (exact Poisson test {_p(row.lead_p_value)})"
            figures.append(_fig("lead_p_value", row.lead_p_value, "p", signal=row.signal, contender=row.leader,
                                test="exact conditional binomial (Poisson counts)"))
        if not row.current:
            text += f"; stale (older than {STALE_YEARS} years before the newest signal), left out of the totals below"
            figures.append(_fig("stale_as_of", row.as_of, "date", signal=row.signal))
        if isinstance(row.gaining, str):
            text += (f"; {names(row.gaining)} is gaining {row.gain_pts_per_year:+.1f} share points a year "
                     f"(OLS, 95% Newey–West interval {row.gain_ci_low:+.1f} to {row.gain_ci_high:+.1f}, "
                     f"{pd.Timestamp(row.trend_from):%Y-%m} to {pd.Timestamp(row.trend_to):%Y-%m})")
            figures.append(_fig("share_trend_pts_per_year", row.gain_pts_per_year, "points/year", signal=row.signal,
                                contender=row.gaining, ci_low=row.gain_ci_low, ci_high=row.gain_ci_high,
                                start=row.trend_from, end=row.trend_to))
        elif row.trend_points >= 6:
            text += (f"; no contender's share is clearly rising ({pd.Timestamp(row.trend_from):%Y-%m} to "
                     f"{pd.Timestamp(row.trend_to):%Y-%m}: every 95% trend interval reaches zero or below)")
            figures.append(_fig("trend_points", row.trend_points, "months", signal=row.signal))
        else:
            text += "; too few recent readings in one method to tell who is gaining"
            figures.append(_fig("trend_points", row.trend_points, "readings", signal=row.signal))
        out.append(Sentence(text + ".", figures, "signal"))
    if table.empty:
        return out
    stale = table[~table["current"]]
    table = table[table["current"]]
    if table.empty:
        return out
    leaders = table.groupby("leader")["signal"].apply(list).sort_values(key=lambda s: -s.str.len())
    top, top_signals = leaders.index[0], leaders.iloc[0]
    parts = [f"{names(c)} leads {len(s)} ({', '.join(s)})" for c, s in leaders.items()]
    agree = len(leaders) == 1
    out.append(Sentence(
        f"Across {len(table)} current signals, " + "; ".join(parts) + (": the signals agree." if agree else
                                                                        ": the signals disagree.")
        + (f" Left out as stale: {', '.join(stale['signal'])}." if len(stale) else ""),
        [_fig("signals_led", len(s), "signals", contender=c, signals=", ".join(s)) for c, s in leaders.items()]
        + [_fig("signals_measured", len(table), "signals")], "agreement"))
    gainers = table.dropna(subset=["gaining"]).groupby("gaining")["signal"].apply(list)
    if not gainers.empty:
        out.append(Sentence(
            "Gaining share with a 95% trend interval (allowing for autocorrelation) above zero: "
            + "; ".join(f"{names(c)} in {', '.join(s)}" for c, s in gainers.items()) + ".",
            [_fig("signals_gaining", len(s), "signals", contender=c, signals=", ".join(s)) for c, s in gainers.items()],
            "agreement"))
    for preset, result in analysis.composites.items():
        top_row = result.stability.set_index("contender").loc[result.leader]
        out.append(Sentence(result.sentence(names), [
            _fig("composite_score", result.scores.iloc[0]["score"], "points of 100", preset=preset,
                 contender=result.leader),
            _fig("p_rank_first", top_row["p_first"], "probability", preset=preset, contender=result.leader,
                 draws=result.draws, kappa=result.kappa),
            _fig("rank_interval", f"{int(top_row['rank_low'])}-{int(top_row['rank_high'])}", "rank (95%)", preset=preset,
                 contender=result.leader),
            _fig("weights", ", ".join(f"{k} {v:.2f}" for k, v in result.weights.items()), "weights", preset=preset,
                 dropped=", ".join(result.dropped))], "composite"))
    for row in analysis.crossovers.itertuples(index=False):
        figures = [_fig("ratio_now", row.ratio_now, "ratio", signal=row.signal, contender=row.leader,
                        versus=row.trailing, date=row.latest)]
        if pd.notna(row.observed):
            figures.append(_fig("observed_crossing", row.observed, "date", signal=row.signal, contender=row.leader,
                                method=row.observed_method))
        if row.status == "projected":
            figures.append(_fig("projected_crossing", row.projected, "date", signal=row.signal, contender=row.trailing,
                                low=row.projected_low, high=row.projected_high, fit_points=row.fit_points))
        out.append(Sentence(row.sentence, figures, "crossover"))
    out.append(_focus(table, analysis, names, top, top_signals))
    return out


def _focus(table: pd.DataFrame, analysis, names, top: str, top_signals: list[str]) -> Sentence:
    leading = table[table["signal"].isin(LEADING)]
    lead_now = leading[leading["leader"] == top]
    gaining_top = table[table["gaining"] == top]
    rivals = table[(table["gaining"].notna()) & (table["gaining"] != top)]
    stable = [p for p, r in analysis.composites.items() if r.leader == top and r.stable]
    shaky = [p for p, r in analysis.composites.items() if not r.stable]
    other = {p: r.leader for p, r in analysis.composites.items() if r.stable and r.leader != top}
    figures = [_fig("signals_led", len(top_signals), "signals", contender=top),
               _fig("signals_measured", len(table), "signals"),
               _fig("leading_signals_led", len(lead_now), "signals", contender=top,
                    signals=", ".join(lead_now["signal"])),
               _fig("leading_signals_measured", len(leading), "signals", signals=", ".join(leading["signal"])),
               _fig("signals_gaining", len(gaining_top), "signals", contender=top),
               _fig("rival_gains", len(rivals), "signals", contenders=", ".join(sorted(set(rivals["gaining"]))))]
    text = (f"What should you focus on? On these data, {names(top)}: it leads {len(top_signals)} of the "
            f"{len(table)} signals")
    if len(leading):
        text += (f", including {len(lead_now)} of the {len(leading)} that record choices made now "
                 f"({', '.join(leading['signal'])})")
    text += "."
    if stable:
        text += (f" It ranks first in the composite score under weights varied around the {', '.join(stable)} "
                 f"preset{'s' if len(stable) != 1 else ''}.")
    if shaky:
        text += (f" The {', '.join(shaky)} composite ranking is not settled, so treat the order of the leaders as "
                 f"uncertain there.")
    for preset, leader in other.items():
        text += f" The {preset} composite, however, puts {names(leader)} first, and firmly."
    if len(rivals):
        gainers = sorted(set(rivals["gaining"]))
        text += (f" {', '.join(names(c) for c in gainers)} {'is' if len(gainers) == 1 else 'are'} gaining share in "
                 f"{len(rivals)} signal{'s' if len(rivals) != 1 else ''} ({', '.join(rivals['signal'])}), so the lead may "
                 f"narrow there.")
    text += (" Each signal counts a different population (employers, installers, authors, survey respondents); "
             "weigh the one closest to your goal more than this summary does.")
    return Sentence(text, figures, "focus")

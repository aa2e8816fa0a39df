"""Section `research`: papers that mention each contender, per venue and year.

Three kinds of counts: Horace He's published per-venue counts of papers naming only one of two frameworks (shown
whenever the store has them for two of the field's contenders, every rules version side by side); the counts of
`mindshare scan` over a folder of papers; and other published research figures, in the sources' own words.
"""

from __future__ import annotations

import pandas as pd

from mindshare.analysis.research_shares import missing_method_notes, research_shares
from mindshare.catalogue import PAPERS_ONLY, PAPERS_SEVERAL, PAPERS_TOTAL, PCT_PAPERS_MENTIONING, RESEARCH
from mindshare.observations import Sources
from mindshare.report import figures
from mindshare.report.evidence import Evidence
from mindshare.report.model import Finding, Section, Table

GENERIC_INTRO = ("Share of papers that mention each contender, per venue and year: published per-venue counts where "
                 "the store has them, and the counts of `mindshare scan` over a folder of papers.")


def build(evidence: Evidence) -> Section:
    section = Section(id="research", title="Research", intro=evidence.intro("research", GENERIC_INTRO))
    published = evidence.observations[(evidence.observations["signal"] == RESEARCH.name)
                                      & (evidence.observations["source"] == Sources.HORACE_HE)]
    pair = [c for c in evidence.field.ids if c in set(published["contender"].dropna())]
    if len(pair) == 2:
        _per_venue_block(evidence, section, published, *pair)
    else:
        section.notes.append("No per-venue research counts for this field's contenders in the store yet "
                             "(`mindshare scan` counts them from a folder of papers).")
    _scan_block(evidence, section)
    _methods_block(evidence, section)
    _other_research(evidence, section)
    return section


def _methods_block(evidence: Evidence, section: Section) -> None:
    """Every research method the store holds side by side (mindshare.analysis.research_shares): per method,
    venue or index and period, the share of papers naming only each contender among those naming any, with a
    Wilson interval where the papers were sampled and the population counted where they were not; and, for each
    method with no figures yet, how to collect it."""
    observations = evidence.observations
    rows = observations[(observations["signal"] == RESEARCH.name) & (observations["kind"] == "number")]
    shares = research_shares(rows)
    shares = shares[shares["contender"].isin(evidence.field.ids)]
    if shares.empty:
        return
    refs = rows.assign(source_ref=evidence.refs(rows)).groupby(["source", "method"])["source_ref"].first()
    shares = evidence.with_names(shares)
    table = pd.DataFrame({
        "method": shares["method_label"], "version": shares["method"], "where": shares["segment"],
        "period": shares["period_label"],
        "framework": shares["framework"], "papers_only": shares["papers_only"], "papers_any": shares["papers_any"],
        "of": shares["denominator"], "share_pct": shares["share_pct"].round(1),
        "low_pct": pd.to_numeric(shares["low_pct"]).round(1), "high_pct": pd.to_numeric(shares["high_pct"]).round(1),
        "interval": shares["interval"], "population": shares["population"], "partial": shares["partial"],
        "source_ref": [refs.get((source, method)) for source, method in zip(shares["source"], shares["method"])],
    })
    methods = list(dict.fromkeys(table["method"]))
    section.tables.append(Table("research_methods", "Every research method side by side: share of papers naming "
                                f"only each {evidence.field.noun} among those naming any (Horace He's census: among those "
                                "naming exactly one), with a 95% Wilson interval where papers were sampled and "
                                "the population counted where they were all read", table, collapsed=True))
    section.notes.append(f"Research methods in the store: {', '.join(methods)} (the table 'research_methods').")
    section.notes.extend(missing_method_notes(rows))


def _per_venue_block(evidence: Evidence, section: Section, frame: pd.DataFrame, first: str, second: str) -> None:
    """Papers naming only `first` or only `second`, per venue, year and rules version: `first`'s share of the two,
    and each one's share of all papers."""
    a, b = evidence.name(first), evidence.name(second)
    subject = frame.dropna(subset=["contender"]).groupby("contender")["subject"].first()
    refs = frame.assign(source_ref=evidence.refs(frame))
    wide = refs.pivot_table(index=["segment", "period_label", "method"], columns="subject", values="value",
                            aggfunc="first").reset_index()
    source_ref = refs.groupby("method")["source_ref"].first()
    share, pct = f"{first}_share_pct", lambda c: f"{c}_pct_of_all"
    table = pd.DataFrame({
        "venue": wide["segment"], "year": wide["period_label"].astype(int),
        "rules": wide["method"].str.replace("horace-he-", "", regex=False),
        f"{first}_papers": wide[subject[first]].astype(int), f"{second}_papers": wide[subject[second]].astype(int),
        "total_papers": wide["_all_papers"].astype(int),
    })
    both = table[f"{first}_papers"] + table[f"{second}_papers"]
    table[share] = (table[f"{first}_papers"] / both.where(both > 0) * 100).round(1)
    for c in (first, second):
        table[pct(c)] = (table[f"{c}_papers"] / table["total_papers"] * 100).round(1)
    table["source_ref"] = wide["method"].map(source_ref)
    table = table.sort_values(["rules", "venue", "year"]).reset_index(drop=True)
    section.tables.append(Table("research_by_venue", f"Papers mentioning only {a} or only {b}, per venue, "
                                "year and rules version", table, collapsed=True))
    matrix = table.pivot_table(index=["rules", "venue"], columns="year", values=share).reset_index()
    matrix.columns = [str(c) for c in matrix.columns]
    section.tables.append(Table("research_share_matrix", f"{a} / ({a} + {b}), % per venue and year", matrix))
    section.charts.append(figures.small_multiples(
        f"research_{first}_share", f"{a} / ({a} + {b}) per venue, by rules version",
        table.dropna(subset=[share]), x="year", y=share, color="venue", column="rules", y_domain=(0, 100),
        plot_title=f"{a} share of {evidence.field.noun}-naming papers (%), Horace He's rules", y_title=f"{a} / ({a} + {b}), %",
        table="research_share_matrix"))
    pooled = (table.groupby(["rules", "year"], as_index=False)[[f"{first}_papers", f"{second}_papers", "total_papers"]]
              .sum())
    pooled_long = pd.concat([
        pooled.assign(framework=evidence.name(c), pct_of_all=pooled[f"{c}_papers"] / pooled["total_papers"] * 100)
        for c in (first, second)]).round({"pct_of_all": 1})
    pooled_long["series"] = pooled_long["framework"] + " (" + pooled_long["rules"] + ")"
    pooled_wide = pooled_long.pivot_table(index=["rules", "year", "total_papers"], columns="framework",
                                          values="pct_of_all").reset_index()
    pooled_wide.columns = [c if c in ("rules", "year", "total_papers") else f"{c} % of all" for c in pooled_wide.columns]
    section.tables.append(Table("research_pct_of_all", "Papers naming only each framework, % of all papers at the "
                                "venues counted that year (all venues pooled)", pooled_wide))
    section.charts.append(figures.small_multiples(
        "research_pct_of_all", "% of all papers naming only each framework, venues pooled",
        pooled_long, x="year", y="pct_of_all", color="framework", column="rules", palette=evidence.palette,
        plot_title=f"% of all papers naming only each {evidence.field.noun}", y_title="% of all papers",
        table="research_pct_of_all"))
    if evidence.article:
        section.findings.extend(evidence.article.research_highlights(table))
    final = table[table["rules"] == table["rules"].max()]
    # the latest year most venues were counted: a year with one venue is no picture of the field
    venues_per_year = final.dropna(subset=[share]).groupby("year")["venue"].nunique()
    last_year = int(venues_per_year[venues_per_year >= max(2, venues_per_year.max() // 2)].index.max())
    latest = final[final["year"] == last_year].dropna(subset=[share])
    if not latest.empty:
        section.findings.append(Finding(
            f"In {last_year} ({table['rules'].max()} rules) {a}'s share ranged from "
            f"{latest[share].min():.0f}% ({latest.loc[latest[share].idxmin(), 'venue']}) to "
            f"{latest[share].max():.0f}% ({latest.loc[latest[share].idxmax(), 'venue']}) "
            f"across the {len(latest)} venues counted.",
            [{"name": share, "value": float(value), "unit": "%", "venue": venue, "year": last_year,
              "source_ref": ref} for value, venue, ref in zip(latest[share], latest["venue"], latest["source_ref"])]))


def _scan_block(evidence: Evidence, section: Section) -> None:
    """Counts from `mindshare scan`: per venue, year and rules, the papers naming only one contender, several, each
    contender's % of all papers, and (for a field reproducing the article) the challenger's share of its pair."""
    obs = evidence.observations
    frame = obs[(obs["signal"] == RESEARCH.name) & (obs["source"] == Sources.SCAN) & (obs["kind"] == "number")]
    if frame.empty:
        return
    frame = frame.assign(source_ref=evidence.refs(frame))
    article = evidence.article
    pair = (article.challenger, article.incumbent) if article else None
    share_column = f"{evidence.name(pair[0])} share %" if pair else None
    shown = list(pair) if pair else evidence.field.ids
    rows = []
    for (venue, year, method), group in frame.groupby(["segment", "period_label", "method"]):
        def value(metric, contender=None):
            hit = group[(group["metric"] == metric)
                        & ((group["contender"] == contender) if contender else group["contender"].isna())]
            return float(hit["value"].iloc[0]) if not hit.empty else None

        row = {"venue": venue, "year": int(year), "rules": method, "papers": value(PAPERS_TOTAL.name),
               "several": value(PAPERS_SEVERAL.name)}
        for cid in evidence.field.ids:
            only = value(PAPERS_ONLY.name, cid)
            if only:
                row[f"only {evidence.name(cid)}"] = only
        if pair:
            mine, theirs = (value(PAPERS_ONLY.name, c) or 0.0 for c in pair)
            row[share_column] = round(mine / (mine + theirs) * 100, 1) if mine + theirs else None
        for cid in shown:
            pct = value(PCT_PAPERS_MENTIONING.name, cid)
            if pct is not None:
                row[f"{evidence.name(cid)} % of all"] = round(pct, 1)
        row["source_ref"] = group["source_ref"].iloc[0]
        rows.append(row)
    table = pd.DataFrame(rows).sort_values(["rules", "venue", "year"]).reset_index(drop=True)
    only_cols = [c for c in table.columns if c.startswith("only ")]
    table[only_cols] = table[only_cols].fillna(0)
    section.tables.append(Table(
        "research_scanned", "Papers scanned with `mindshare scan`: papers naming only one contender, several"
        + (f", {evidence.name(pair[0])} / ({evidence.name(pair[0])} + {evidence.name(pair[1])})" if pair else "")
        + " and % of all papers naming each, per venue, year and rules", table))
    for record in table.to_dict("records"):
        named = ", ".join(f"{int(record[c])} {c}" for c in only_cols if record[c])
        share = record[share_column] if pair else None
        text = (f"mindshare scan of {record['venue']} {record['year']} ({record['rules']}): "
                f"{int(record['papers'])} papers; {named or 'none naming only one contender'}"
                + (f"; {evidence.name(pair[0])} / ({evidence.name(pair[0])} + {evidence.name(pair[1])}) = {share:.1f}%"
                   if share is not None and pd.notna(share) else "") + ".")
        cited = {"venue": record["venue"], "year": record["year"], "rules": record["rules"],
                 "source_ref": record["source_ref"]}
        figures_ = [{"name": "papers", "value": int(record["papers"]), "unit": "papers", **cited}]
        if share is not None and pd.notna(share):
            figures_.append({"name": f"{pair[0]}_share_pct", "value": float(share), "unit": "%", **cited})
        section.findings.append(Finding(text, figures_))


def _other_research(evidence: Evidence, section: Section) -> None:
    observations = evidence.observations
    other = observations[(observations["signal"] == RESEARCH.name) & (observations["source"] != Sources.HORACE_HE)
                         & (observations["source"] != Sources.SCAN)]
    other = evidence.about_field(other)
    if other.empty:
        return
    section.tables.append(Table("other_research_figures", "Other published research figures (words kept as the "
                                "source gave them)", evidence.fact_table(other)))

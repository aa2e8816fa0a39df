"""Research tallies in one shape (pure functions: DataFrames and dicts in, DataFrames and rows out).

`sample_cell_observations` turns the scanned papers of one sampled cell (an arXiv category in one month)
into observation rows: counts, and the share of sampled papers mentioning each contender with its Wilson
95% interval (the sample's own size; statsmodels' `proportion_confint`).

`research_shares` puts every research method the store holds in the shape the report compares them in
(docs/research.md, "Comparing the methods"): per method, segment and period, the share of papers mentioning
*only* X among the papers naming any contender, with

- a Wilson interval where the papers were sampled (the arXiv sample: n = sampled papers naming any contender),
- none where they were all read (Horace He's conference census, a venue the user scanned with `mindshare
  scan --venue --year`) or counted by an index (Europe PMC, OpenAlex): there `population` (the papers the count was taken over: a venue's papers, open-access full
  texts that year, works with full text that year) says what the share is a share of.

Horace He's data have no "any contender" count: his rule H4 counts a paper naming both PyTorch and
TensorFlow for neither, so his denominator is the papers naming exactly one of the two (`denominator` says
which). The metric and column names here are the contract with the report.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd

from mindshare.observations import Sources, is_partial, number_text, observation
from mindshare.research import ResearchSources
from mindshare.research.sampling import wilson_interval

SIGNAL = "research"

# Metric names the research producers share (and the report reads).
PAPERS_ONLY = "papers_only"              # papers naming this contender and no other
PAPERS_MENTIONING = "papers_mentioning"  # papers naming this contender (maybe others too)
PAPERS_ANY = "papers_any"                # papers naming at least one contender
PAPERS_SEVERAL = "papers_several"        # papers naming two or more
POPULATION = "population_papers"         # what the count was taken over (frame, full texts, works)
PAPERS_SAMPLED = "papers_sampled"        # sampled papers read (scanned without error)
PAPERS_FAILED = "papers_failed"          # sampled papers whose PDF could not be read
PCT_MENTIONING = "pct_papers_mentioning"
LOW, HIGH = "_low95", "_high95"          # suffixes of an interval's bounds

ANY_SUBJECT = "any contender"
ALL_SUBJECT = "all papers"

# What each research source is, in the report's words.
METHOD_LABELS = {
    Sources.HORACE_HE: "conference papers, all read (Horace He)",
    Sources.SCAN: "papers you scanned with mindshare, all read",
    ResearchSources.ARXIV_SAMPLE: "arXiv, a random sample of each month read",
    ResearchSources.EUROPE_PMC: "Europe PMC open-access full texts, index count",
    ResearchSources.OPENALEX: "OpenAlex works with full text, index count",
}

SHARE_COLUMNS = ["method_label", "source", "method", "segment", "period_label", "period_start", "period_end",
                 "contender", "papers_only", "papers_any", "denominator", "share_pct", "low_pct", "high_pct",
                 "interval", "papers_read", "population", "partial"]


# -- a sampled cell as observations ------------------------------------------------------------------------
def sample_cell_observations(tallies: dict[str, float], *, ids: list[str], names: dict[str, str],
                             segment: str, first: date, last: date, frame_size: int, reference: str,
                             query: str, method: str, collected_at: datetime | None,
                             note: str | None = None) -> list[dict]:
    """Observation rows of one sampled cell from its tallies (`mindshare.scan.rules.aggregate` keys)."""
    label = f"{first:%Y-%m}"
    sampled = int(tallies["papers_scanned"])

    def row(metric: str, value: float, unit: str, contender: str | None = None, subject: str | None = None,
            extra: str | None = None) -> dict:
        return observation(
            signal=SIGNAL, metric=metric, source=ResearchSources.ARXIV_SAMPLE, method=method,
            contender=contender, subject=subject or names.get(contender or "", ALL_SUBJECT), value=value,
            unit=unit, period_start=first, period_end=last, period_label=label, segment=segment,
            reference=reference, query=query, note="; ".join(x for x in (extra, note) if x) or None,
            collected_at=collected_at, published=collected_at.date() if collected_at else None)

    # a paper naming any contender names exactly one, or several
    named_any = sum(tallies[f"papers_only:{cid}"] for cid in ids) + tallies["papers_several"]
    rows = [
        row(POPULATION, frame_size, "papers", extra="listed that month in the category (the sampling frame)"),
        row(PAPERS_SAMPLED, sampled, "papers", extra="sampled papers whose text was read"),
        row(PAPERS_SEVERAL, tallies["papers_several"], "papers", subject="two or more contenders"),
        row(PAPERS_ANY, named_any, "papers", subject=ANY_SUBJECT),
    ]
    if tallies["papers_failed"]:
        rows.append(row(PAPERS_FAILED, tallies["papers_failed"], "papers",
                        extra="sampled papers whose PDF could not be fetched or read; left out of every share"))
    for cid in ids:
        mentioning = int(tallies[f"papers_mentioning:{cid}"])
        rows.append(row(PAPERS_MENTIONING, mentioning, "papers", cid))
        rows.append(row(PAPERS_ONLY, tallies[f"papers_only:{cid}"], "papers", cid))
        if sampled:
            low, high = wilson_interval(mentioning, sampled)
            interval = f"Wilson 95% interval from n={sampled} sampled papers"
            rows.append(row(PCT_MENTIONING, 100 * mentioning / sampled, "%", cid, extra=interval))
            rows.append(row(PCT_MENTIONING + LOW, low, "%", cid, extra=interval))
            rows.append(row(PCT_MENTIONING + HIGH, high, "%", cid, extra=interval))
    return rows


def shares_of_population(rows: list[dict]) -> list[dict]:
    """For index counts (rows of one run): `pct_papers_mentioning` per contender and period, its count over
    the population counted in the same run (the note names it), so no share is read off a later, larger
    denominator."""
    population = {(r["period_start"], r["segment"]): r for r in rows if r["metric"] == POPULATION}
    out = []
    for r in rows:
        base = population.get((r["period_start"], r["segment"]))
        if r["metric"] != PAPERS_MENTIONING or base is None or not base["value"]:
            continue
        share = 100 * r["value"] / base["value"]
        out.append({**r, "metric": PCT_MENTIONING, "unit": "%", "value": share, "value_text": number_text(share),
                    "note": "; ".join(x for x in (f"of {base['value']:,.0f} papers in the population "
                                                   f"({base['query']}), counted in the same run", r["note"]) if x)})
    return out


# -- every method in the report's shape --------------------------------------------------------------------
def research_shares(observations: pd.DataFrame) -> pd.DataFrame:
    """Per method, segment, period and contender: the share of papers naming only that contender among those
    naming any (Horace He: among those naming exactly one), with a Wilson interval where it was sampled.

    `observations`: rows of the research signal (any sources; unknown ones are ignored).
    """
    if observations.empty:
        return pd.DataFrame(columns=SHARE_COLUMNS)
    frame = observations[observations["source"].isin(METHOD_LABELS)
                         & observations["value"].notna()].copy()
    if frame.empty:
        return pd.DataFrame(columns=SHARE_COLUMNS)
    frame["partial"] = is_partial(frame)
    keys = ["source", "method", "segment", "period_label", "period_start", "period_end"]
    rows = []
    for key, cell in frame.groupby(keys, dropna=False, sort=True):
        rows += _cell_shares(dict(zip(keys, key)), cell)
    return pd.DataFrame(rows, columns=SHARE_COLUMNS)


def _cell_shares(key: dict, cell: pd.DataFrame) -> list[dict]:
    horace = key["source"] == Sources.HORACE_HE
    only_metric = "papers_mentioning_only" if horace else PAPERS_ONLY
    only = cell[(cell["metric"] == only_metric) & cell["contender"].notna()]
    if only.empty:
        return []
    if horace:
        denominator, what = float(only["value"].sum()), "papers naming exactly one of them"
        population = _value(cell, "total_papers")
        read = population
    elif key["source"] == Sources.SCAN:
        # `mindshare scan --venue --year` (scan/tallies.py): every paper of the venue-year read; a paper naming
        # any contender names exactly one of them or several
        several = _value(cell, PAPERS_SEVERAL)
        denominator = float(only["value"].sum()) + several if several is not None else None
        what = ("papers naming PyTorch or TensorFlow (Horace He's rules)" if key["method"].startswith("horace")
                else "papers naming any contender")
        population = read = _value(cell, "papers_total")
    else:
        denominator, what = _value(cell, PAPERS_ANY), "papers naming any contender"
        population = _value(cell, POPULATION)
        read = _value(cell, PAPERS_SAMPLED) if key["source"] == ResearchSources.ARXIV_SAMPLE else population
    sampled = read is not None and population is not None and read < population
    out = []
    for contender, value in zip(only["contender"], only["value"]):
        share = low = high = None
        if denominator:
            share = 100 * value / denominator
            if sampled:
                low, high = wilson_interval(int(value), int(denominator))
        out.append({
            "method_label": METHOD_LABELS[key["source"]], **key, "contender": contender,
            "papers_only": float(value), "papers_any": denominator, "denominator": what,
            "share_pct": share, "low_pct": low, "high_pct": high,
            "interval": f"Wilson 95%, n={int(denominator)}" if sampled and denominator else None,
            "papers_read": read, "population": population, "partial": bool(cell["partial"].any()),
        })
    return out


def _value(cell: pd.DataFrame, metric: str) -> float | None:
    found = cell.loc[cell["metric"] == metric, "value"]
    if found.empty or math.isnan(float(found.iloc[0])):
        return None
    return float(found.iloc[0])


# -- what the report says when a method has no data -------------------------------------------------------
HOW_TO_COLLECT = {
    ResearchSources.ARXIV_SAMPLE: (
        "No sampled arXiv scan in this store: the bundled dataset cannot hold one (it needs arXiv). Collect it "
        "with `MINDSHARE_CONTACT=you@example.org mindshare research sample --categories cs.LG,cs.CV,cs.CL "
        "--since 2023-01 --precision 5` (385 papers per category and month, +-5 points at 95%; at arXiv's pace "
        "of one request every 3 s that is about 40 minutes per cell; interrupt and re-run at will). "
        "See docs/research.md."),
    ResearchSources.EUROPE_PMC: (
        "No Europe PMC counts in this store: `mindshare collect europepmc --since 2015-01-01` asks for them "
        "(about 24 requests per year for the deep-learning field)."),
    ResearchSources.OPENALEX: (
        "No OpenAlex counts in this store: `mindshare collect openalex --since 2015-01-01` asks for them "
        "(about two dozen requests; OpenAlex's free daily budget covers them)."),
}


def missing_method_notes(observations: pd.DataFrame) -> list[str]:
    """For each research method this package adds that the store has no figures of, how to collect them
    (plain words, for the report's research section)."""
    present = set(observations["source"]) if not observations.empty else set()
    return [note for source, note in HOW_TO_COLLECT.items() if source not in present]

"""Every research method the store holds in one shape, the one the report compares them in (docs/research.md,
"Comparing the methods"): per method, segment and period, the share of papers mentioning *only* X among the papers
naming any contender, with

- a Wilson interval where the papers were sampled (the arXiv sample: n = sampled papers naming any contender),
- none where they were all read (Horace He's conference census, a venue the user scanned with `mindshare
  scan --venue --year`) or counted by an index (Europe PMC, OpenAlex): there `population` (the papers the count
  was taken over: a venue's papers, open-access full texts that year, works with full text that year) says what the
  share is a share of.

Horace He's data have no "any contender" count: his rule H4 counts a paper naming both PyTorch and TensorFlow for
neither, so his denominator is the papers naming exactly one of the two (`denominator` says which). Pure: a
DataFrame of observations in, a DataFrame out.
"""

from __future__ import annotations

import math

import pandas as pd

from mindshare.analysis.surveys import wilson_interval
from mindshare.catalogue import (
    PAPERS_ANY,
    PAPERS_MENTIONING_ONLY,
    PAPERS_ONLY,
    PAPERS_SAMPLED,
    PAPERS_SEVERAL,
    PAPERS_TOTAL,
    POPULATION_PAPERS,
    TOTAL_PAPERS,
)
from mindshare.observations import Sources, is_partial

# What each research source is, in the report's words.
METHOD_LABELS = {
    Sources.HORACE_HE: "conference papers, all read (Horace He)",
    Sources.SCAN: "papers you scanned with mindshare, all read",
    Sources.ARXIV_SAMPLE: "arXiv, a random sample of each month read",
    Sources.EUROPE_PMC: "Europe PMC open-access full texts, index count",
    Sources.OPENALEX: "OpenAlex works with full text, index count",
}

SHARE_COLUMNS = ["method_label", "source", "method", "segment", "period_label", "period_start", "period_end",
                 "contender", "papers_only", "papers_any", "denominator", "share_pct", "low_pct", "high_pct",
                 "interval", "papers_read", "population", "partial"]


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
    only_metric = PAPERS_MENTIONING_ONLY.name if horace else PAPERS_ONLY.name
    only = cell[(cell["metric"] == only_metric) & cell["contender"].notna()]
    if only.empty:
        return []
    denominator: float | None
    if horace:
        denominator, what = float(only["value"].sum()), "papers naming exactly one of them"
        population = _value(cell, TOTAL_PAPERS.name)
        read = population
    elif key["source"] == Sources.SCAN:
        # `mindshare scan --venue --year` (scan/tallies.py): every paper of the venue-year read; a paper naming
        # any contender names exactly one of them or several
        several = _value(cell, PAPERS_SEVERAL.name)
        denominator = float(only["value"].sum()) + several if several is not None else None
        what = ("papers naming PyTorch or TensorFlow (Horace He's rules)" if key["method"].startswith("horace")
                else "papers naming any contender")
        population = read = _value(cell, PAPERS_TOTAL.name)
    else:
        denominator, what = _value(cell, PAPERS_ANY.name), "papers naming any contender"
        population = _value(cell, POPULATION_PAPERS.name)
        read = _value(cell, PAPERS_SAMPLED.name) if key["source"] == Sources.ARXIV_SAMPLE else population
    sampled = read is not None and population is not None and read < population
    out = []
    for contender, value in zip(only["contender"], only["value"]):
        share = low = high = None
        if denominator:
            share = 100 * value / denominator
            if sampled:
                low, high = _wilson_pct(int(value), int(denominator))
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


def _wilson_pct(count: int, n: int) -> tuple[float, float]:
    """The Wilson 95% interval of count/n in percent (at 0 or n exactly 0 or 100)."""
    low, high = wilson_interval(count, n)
    return round(100 * low, 9), round(100 * high, 9)


# -- what the report says when a method has no data -------------------------------------------------------
HOW_TO_COLLECT = {
    Sources.ARXIV_SAMPLE: (
        "No sampled arXiv scan in this store: the bundled dataset cannot hold one (it needs arXiv). Collect it "
        "with `MINDSHARE_CONTACT=you@example.org mindshare research sample --categories cs.LG,cs.CV,cs.CL "
        "--since 2023-01 --precision 5` (385 papers per category and month, +-5 points at 95%; at arXiv's pace "
        "of one request every 3 s that is about 40 minutes per cell; interrupt and re-run at will). "
        "See docs/research.md."),
    Sources.EUROPE_PMC: (
        "No Europe PMC counts in this store: `mindshare collect europepmc --since 2015-01-01` asks for them "
        "(about 24 requests per year for the deep-learning field)."),
    Sources.OPENALEX: (
        "No OpenAlex counts in this store: `mindshare collect openalex --since 2015-01-01` asks for them "
        "(about two dozen requests; OpenAlex's free daily budget covers them)."),
}


def missing_method_notes(observations: pd.DataFrame) -> list[str]:
    """For each research method the store has no figures of (the sampled arXiv scan, the full-text indexes),
    how to collect them, in plain words."""
    present = set(observations["source"]) if not observations.empty else set()
    return [note for source, note in HOW_TO_COLLECT.items() if source not in present]

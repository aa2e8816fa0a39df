"""A composite score (Jeff Hale's 2018 power-score method) and how its ranking stands up to other weights.

Method (as in Hale's kernel): each metric is min-max scaled across the contenders (0 = lowest, 1 = highest);
metrics of one category are averaged; the score is the weighted sum of category scores x 100. Presets: the 2018
power score (jobs 0.3, usage survey 0.2, GitHub, search, articles, books, arXiv 0.1 each) and the 2019 growth score
(jobs 0.35, five others 0.13), read from the bundled facts (metrics hale_power_score_weight and
hale_growth_score_weight). A category without data is dropped and the remaining weights are renormalised to sum to
1; a contender missing one metric scores 0 (the minimum) on it, as in Hale's sheets, and is flagged.

Stability: weights are drawn from a Dirichlet distribution centred on the chosen weights (alpha = kappa * w), every
draw re-ranks the contenders, and each contender gets P(rank first) and a 95% rank interval. Large kappa means
small changes of weights; the mean L1 distance of the draws from the chosen weights says how small.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# Hale's category names -> mindshare signals. Quora followers have no mindshare signal; Q&A (Stack Overflow
# questions) is the nearest and stands in for it.
CATEGORY_SIGNALS = {
    "online job listings": "jobs", "kdnuggets usage survey": "usage", "github activity": "github",
    "google search volume": "search", "google search interest": "search", "medium articles": "articles",
    "amazon books": "books", "arxiv articles": "research", "quora followers": "qa",
}
PRESET_METRICS = {"power-2018": "hale_power_score_weight", "growth-2019": "hale_growth_score_weight"}
STABLE_P_FIRST = 0.95


def preset_weights(name: str, facts: pd.DataFrame | None = None) -> dict[str, float]:
    """Weights per signal for 'power-2018' or 'growth-2019', from a facts frame (or the bundled facts.csv)."""
    if name not in PRESET_METRICS:
        raise KeyError(f"unknown preset {name!r}; presets: {', '.join(PRESET_METRICS)}")
    if facts is None:
        from mindshare.bundle import bundle_folder

        facts = pd.read_csv(bundle_folder() / "facts.csv")
    rows = facts[facts["metric"] == PRESET_METRICS[name]]
    weights: dict[str, float] = {}
    for segment, value in zip(rows["segment"], rows["value"]):
        category = str(segment).split(":", 1)[-1].strip().lower()
        signal = CATEGORY_SIGNALS.get(category, category)
        weights[signal] = weights.get(signal, 0.0) + float(value)
    return weights


def parse_weights(text: str) -> dict[str, float]:
    """'jobs=0.3,usage=0.2' -> {'jobs': 0.3, 'usage': 0.2}; raises ValueError on bad input."""
    weights = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"weight {part!r} is not signal=number")
        weights[key.strip()] = float(value)
        if weights[key.strip()] < 0:
            raise ValueError(f"weight {part!r} is negative")
    if not weights or sum(weights.values()) <= 0:
        raise ValueError("weights must include a positive number")
    return weights


def min_max(values: pd.DataFrame) -> pd.DataFrame:
    """Scale every column to [0, 1] across the rows; a column with no spread scores 0.5 for everyone."""
    array = values.to_numpy(dtype=float)
    present = ~np.isnan(array)
    if not present.any():
        return values.astype(float)
    low, high = np.nanmin(array, axis=0), np.nanmax(array, axis=0)
    spread = high - low
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.where(spread > 0, (array - low) / np.where(spread > 0, spread, 1.0), 0.5)
    return pd.DataFrame(np.where(present, scaled, np.nan), index=values.index, columns=values.columns)


def category_scores(metrics: pd.DataFrame, *, who: str = "contender", category: str = "signal",
                    metric: str = "metric", value: str = "value") -> pd.DataFrame:
    """contender x category matrix: mean of the min-max-scaled metrics of each category (missing -> NaN)."""
    wide = metrics.pivot_table(index=who, columns=[category, metric], values=value, aggfunc="sum")
    scaled = min_max(wide)
    return scaled.T.groupby(level=0).mean().T


@dataclass(frozen=True)
class CompositeResult:
    preset: str
    weights: dict[str, float]          # renormalised over the categories with data
    dropped: tuple[str, ...]           # categories of the preset with no data
    scores: pd.DataFrame               # contender, score, rank, missing (categories scored 0 for lack of data)
    stability: pd.DataFrame            # contender, p_first, rank_low, rank_high, rank_median
    kappa: float
    draws: int
    mean_l1_change: float              # mean sum |w_draw - w| over the draws
    stable: bool                       # the leader ranks first in >= 95% of draws

    @property
    def leader(self) -> str:
        return str(self.scores.iloc[0]["contender"])

    def sentence(self, name=lambda key: key) -> str:
        top = self.stability.set_index("contender").loc[self.leader]
        text = (f"Composite score ({self.preset}): {name(self.leader)} ranks first with "
                f"{self.scores.iloc[0]['score']:.0f} of 100")
        if len(self.scores) > 1:
            text += f", {name(self.scores.iloc[1]['contender'])} second with {self.scores.iloc[1]['score']:.0f}"
        text += (f"; under weights varied around these (Dirichlet, mean change {self.mean_l1_change:.2f} in total "
                 f"weight) it stays first in {top['p_first'] * 100:.0f}% of {self.draws} draws")
        if not self.stable:
            flips = self.stability[self.stability["p_first"] > 0].sort_values("p_first", ascending=False)
            others = [f"{name(c)} {p * 100:.0f}%" for c, p in zip(flips["contender"], flips["p_first"])
                      if c != self.leader]
            text += f", so the ranking flips under small changes of weights ({', '.join(others)} first)"
        return text + "."


def composite_score(metrics: pd.DataFrame, weights: dict[str, float], *, preset: str = "custom", kappa: float = 100.0,
                    draws: int = 2000, seed: int = 0) -> CompositeResult | None:
    """Score and stability. `metrics`: contender, signal, metric, value (one reading per contender and metric)."""
    categories = category_scores(metrics)
    used = [c for c in weights if c in categories.columns and weights[c] > 0]
    dropped = tuple(c for c in weights if c not in used and weights[c] > 0)
    if not used or len(categories) < 2:
        return None
    w = np.array([weights[c] for c in used], dtype=float)
    w = w / w.sum()
    matrix = categories[used]
    missing = matrix.isna()
    values = matrix.fillna(0.0).to_numpy(float)
    score = values @ w * 100
    order = np.argsort(-score, kind="stable")
    contenders = matrix.index.to_numpy()
    scores = pd.DataFrame({"contender": contenders[order], "score": score[order],
                           "rank": np.arange(1, len(order) + 1),
                           "missing": [", ".join(c for c in used if missing.loc[k, c]) for k in contenders[order]]})
    rng = np.random.default_rng(seed)
    if len(w) > 1:
        sample = rng.dirichlet(kappa * w, size=draws)
    else:
        sample = np.ones((draws, 1))
    sampled = values @ sample.T                                     # contenders x draws
    # rank 1 = highest score; ties share the better rank
    ranks = (sampled[None, :, :] > sampled[:, None, :]).sum(axis=1) + 1    # contenders x draws
    stability = pd.DataFrame({
        "contender": contenders, "p_first": (ranks == 1).mean(axis=1),
        "rank_low": np.percentile(ranks, 2.5, axis=1, method="lower").astype(int),
        "rank_high": np.percentile(ranks, 97.5, axis=1, method="higher").astype(int),
        "rank_median": np.median(ranks, axis=1),
    }).set_index("contender").loc[contenders[order]].reset_index()
    p_leader = float(stability.iloc[0]["p_first"])
    return CompositeResult(preset, dict(zip(used, w.round(6))), dropped, scores, stability, kappa, draws,
                           float(np.abs(sample - w).sum(axis=1).mean()), p_leader >= STABLE_P_FIRST)

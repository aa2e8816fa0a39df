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

import math
from dataclasses import dataclass
from typing import Iterable, SupportsFloat

import numpy as np
import pandas as pd

from mindshare.catalogue import (
    ARTICLES,
    GITHUB,
    HALE_GROWTH_SCORE_WEIGHT,
    HALE_POWER_SCORE_WEIGHT,
    JOBS,
    QA,
    RESEARCH,
    SEARCH,
    USAGE,
)
from mindshare.errors import InputError

# Hale's category names -> mindshare signals. Quora followers have no mindshare signal; Q&A (Stack Overflow
# questions) is the nearest and stands in for it.
# Books have no signal of mindshare's: their weight is dropped (and said so).
CATEGORY_SIGNALS = {
    "online job listings": JOBS.name, "kdnuggets usage survey": USAGE.name, "github activity": GITHUB.name,
    "google search volume": SEARCH.name, "google search interest": SEARCH.name, "medium articles": ARTICLES.name,
    "amazon books": "books", "arxiv articles": RESEARCH.name, "quora followers": QA.name,
}
PRESET_METRICS = {"power-2018": HALE_POWER_SCORE_WEIGHT.name, "growth-2019": HALE_GROWTH_SCORE_WEIGHT.name}
STABLE_P_FIRST = 0.95


def preset_weights(name: str, facts: pd.DataFrame) -> dict[str, float]:
    """Weights per signal for 'power-2018' or 'growth-2019', from facts rows (metric, segment, value).

    The weights are Hale's published figures, stored as observations like every other number; the caller reads
    them from the store (analysis never opens the bundle itself: data flows sources -> store -> analysis).
    """
    if name not in PRESET_METRICS:
        raise KeyError(f"unknown preset {name!r}; presets: {', '.join(PRESET_METRICS)}")
    rows = facts[facts["metric"] == PRESET_METRICS[name]]
    weights: dict[str, float] = {}
    for segment, value in zip(rows["segment"], rows["value"]):
        category = str(segment).split(":", 1)[-1].strip().lower()
        signal = CATEGORY_SIGNALS.get(category, category)
        weights[signal] = weights.get(signal, 0.0) + float(value)
    return weights


def parse_weights(text: str, label: str = "--weights") -> dict[str, float]:
    """'jobs=0.3,usage=0.2' -> {'jobs': 0.3, 'usage': 0.2}, checked as `checked_weights` does. Else an InputError
    naming `label`, the text, the part that is wrong and why."""
    where = f"{label} {text!r}"
    pairs = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        signal, sep, number = (piece.strip() for piece in part.partition("="))
        if not sep or not signal or not number:
            raise InputError(f"{where}: {part!r} is not SIGNAL=WEIGHT")
        pairs.append((signal, number))
    return checked_weights(pairs, where)


def checked_weights(pairs: Iterable[tuple[str, SupportsFloat | str]], where: str = "weights") -> dict[str, float]:
    """(signal, weight) pairs -> {signal: weight}: each a known signal (observations.SIGNALS), once, with a finite
    weight of 0 or more, and at least one above 0. Else an InputError that starts with `where`."""
    from mindshare.observations import SIGNALS

    weights: dict[str, float] = {}
    for signal, number in pairs:
        if signal not in SIGNALS:
            raise InputError(f"{where}: unknown signal {signal!r}; signals: {', '.join(SIGNALS)}")
        if signal in weights:
            raise InputError(f"{where}: {signal} is given twice; give each signal once")
        try:
            weight = float(number)
        except (TypeError, ValueError):
            raise InputError(f"{where}: the weight of {signal}, {number!r}, is not a number") from None
        if not math.isfinite(weight) or weight < 0:
            raise InputError(f"{where}: the weight of {signal} is {number}; a weight is a finite number, 0 or more")
        weights[signal] = weight
    if not weights:
        raise InputError(f"{where}: no SIGNAL=WEIGHT in it")
    if not any(weights.values()):
        raise InputError(f"{where}: every weight is 0; at least one must be more than 0")
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


# -- A composite that does not depend on who else is in the field -------------------------------------------------
ZERO_FLOOR = 0.5   # a zero counts as half of one unit (the usual continuity correction for counts)


@dataclass(frozen=True)
class FlipPoint:
    """The smallest change that would put the runner-up level with the leader."""

    weight_moved: float                # total weight to move (0..1) from the leader's best signals to its worst
    weight_from: tuple[str, ...]
    weight_to: str | None
    data_factor: float | None          # how many times its own value the runner-up would need on one signal
    data_signal: str | None


@dataclass(frozen=True)
class RelativeComposite:
    """Weighted geometric mean of each contender's values across signals, with its uncertainty.

    `index` is each contender's weighted geometric mean as a percentage of the leader's (leader = 100).
    `p_first` is the share of draws (data resampled within each reading's uncertainty and weights drawn around the
    chosen ones) in which the contender ranks first.
    """

    weights: dict[str, float]
    scores: pd.DataFrame               # contender, index, rank, p_first, rank_low, rank_high
    left_out: tuple[str, ...]          # contenders without a value on every signal
    flip: FlipPoint | None
    draws: int
    kappa: float

    @property
    def leader(self) -> str:
        return str(self.scores.iloc[0]["contender"])


def relative_composite(values: pd.DataFrame, weights: dict[str, float] | None = None,
                       log_sd: pd.DataFrame | None = None, *, draws: int = 2000, kappa: float = 100.0,
                       seed: int = 0) -> RelativeComposite | None:
    """A composite whose order of any two contenders depends only on their own values.

    Why not Hale's min-max scaling: min-max maps each metric to [0, 1] using the lowest and highest contender, so
    adding or removing a contender (Keras, say) rescales everyone else and can flip their order. Here each signal
    enters as log(value): a contender's score is sum_s w_s log(x_s), a weighted geometric mean. Changing the unit of
    a signal adds the same constant to everyone (order unchanged); adding a contender changes nobody else's score.
    The `index` divides by the leader, so it reads "x% of the leader on a weighted geometric average".

    `values`: contender x signal (the value each signal's lead is read from; a contender must have all signals,
    others are left out and listed). `weights` default to equal. `log_sd`: per contender and signal, the standard
    deviation of log(value) from the reading's own uncertainty (a survey share's interval, a count's Poisson error;
    0 for complete counts); each draw resamples the data within it and draws weights from Dirichlet(kappa * w).
    """
    data = values.astype(float)
    complete = data.notna().all(axis=1) & (data >= 0).all(axis=1)
    left_out = tuple(sorted(str(c) for c in data.index[~complete]))
    data = data[complete]
    signals = [s for s in data.columns if (weights or {}).get(s, 1.0 if weights is None else 0.0) > 0]
    if len(data) < 2 or not signals:
        return None
    w = np.array([(weights or {}).get(s, 1.0) for s in signals], dtype=float)
    w = w / w.sum()
    logs = np.log(np.maximum(data[signals].to_numpy(float), ZERO_FLOOR))
    score = logs @ w
    order = np.lexsort((data.index.to_numpy(str), -score))
    contenders = data.index.to_numpy()[order]
    logs, score = logs[order], score[order]
    sd = np.zeros_like(logs) if log_sd is None else \
        log_sd.reindex(index=contenders, columns=signals).fillna(0.0).to_numpy(float)
    rng = np.random.default_rng(seed)
    weight_draws = rng.dirichlet(kappa * w, size=draws) if len(w) > 1 else np.ones((draws, 1))
    noisy = logs[None, :, :] + rng.normal(size=(draws,) + logs.shape) * sd[None, :, :]
    sampled = np.einsum("dcs,ds->dc", noisy, weight_draws)                  # draws x contenders
    ranks = (sampled[:, None, :] > sampled[:, :, None]).sum(axis=2) + 1       # draws x contenders
    scores = pd.DataFrame({
        "contender": contenders, "index": 100 * np.exp(score - score[0]), "rank": np.arange(1, len(score) + 1),
        "p_first": (ranks == 1).mean(axis=0),
        "rank_low": np.percentile(ranks, 2.5, axis=0, method="lower").astype(int),
        "rank_high": np.percentile(ranks, 97.5, axis=0, method="higher").astype(int)})
    flip = smallest_flip(logs[0], logs[1], w, signals)
    return RelativeComposite(dict(zip(signals, w.round(6))), scores, left_out, flip, draws, kappa)


def smallest_flip(leader_logs: np.ndarray, runner_logs: np.ndarray, w: np.ndarray, signals: list[str]) -> FlipPoint:
    """The least weight to move, and the least growth of the runner-up on one signal, that would tie the two.

    The gap is d(w) = sum_s w_s (a_s - b_s). Moving weight m from signal i to j changes it by m (D_j - D_i) with
    D = a - b, so the cheapest way to close it moves weight from the signals where the leader's advantage is largest
    to the one where it is smallest (greedy is optimal for this linear problem). In the data, the runner-up closes
    the gap alone on signal s by growing exp(d / w_s)-fold: the smallest such factor is reported.
    """
    advantage = np.asarray(leader_logs) - np.asarray(runner_logs)
    gap = float(advantage @ w)
    factors = {s: float(np.exp(gap / ws)) for s, ws in zip(signals, w) if ws > 0}
    data_signal = min(factors, key=lambda s: factors[s]) if factors else None
    target = int(np.argmin(advantage))
    remaining, moved, sources = gap, 0.0, []
    for i in np.argsort(-advantage):
        if remaining <= 1e-12 or i == target:
            break
        per_unit = advantage[i] - advantage[target]
        if per_unit <= 0:
            break
        take = min(float(w[i]), remaining / per_unit)
        moved += take
        remaining -= take * per_unit
        sources.append(signals[i])
    weight_moved = moved if remaining <= 1e-9 else float("inf")
    return FlipPoint(weight_moved, tuple(sources), signals[target] if len(signals) > 1 else None,
                     factors.get(data_signal) if data_signal is not None else None, data_signal)


def preset_finding(preset: str, result: CompositeResult, names=lambda key: key) -> tuple[str, list[dict]]:
    """A composite of Hale's method in words, with the figures it states (a labelled reproduction of his method,
    never the answer): the sentence and its score, P(first), rank interval and weights."""
    top_row = result.stability.set_index("contender").loc[result.leader]
    return result.sentence(names), [
        _figure("composite_score", result.scores.iloc[0]["score"], "points of 100", preset=preset,
                contender=result.leader),
        _figure("p_rank_first", top_row["p_first"], "probability", preset=preset, contender=result.leader,
                draws=result.draws, kappa=result.kappa),
        _figure("rank_interval", f"{int(top_row['rank_low'])}-{int(top_row['rank_high'])}", "rank (95%)",
                preset=preset, contender=result.leader),
        _figure("weights", ", ".join(f"{k} {v:.2f}" for k, v in result.weights.items()), "weights", preset=preset,
                dropped=", ".join(result.dropped))]


def _figure(name: str, value, unit: str, **extra) -> dict:
    """One figure as plain JSON values (numpy scalars unwrapped, floats to 4 places)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        value = round(value, 4)
    return {"name": name, "value": value, "unit": unit, **extra}

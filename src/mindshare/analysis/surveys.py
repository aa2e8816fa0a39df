"""Survey statistics: Wilson intervals for one share, Newcombe intervals for the difference of two.

Two shares from different samples (two survey years, two segments that do not overlap) are independent: the
difference gets Newcombe's hybrid score interval (1998, method 10) and a two-sided pooled z test. Two shares from
the same respondents (TensorFlow and PyTorch users in one multiple-choice question) are paired: with the number who
ticked both, Newcombe's paired interval (1998b, method 10) and McNemar's exact test; without it, the interval is the
union of the paired intervals over every overlap the counts allow, which is conservative (never too narrow).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from math import sqrt


def wilson_interval(count: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for count/n (as fractions): statsmodels' proportion_confint(method="wilson"), the same
    formula in the same order of operations, so the same floats (tests/test_analysis_wilson.py checks it on a grid).

    Wilson rather than the Wald interval p +- z sqrt(p(1-p)/n): it keeps close to its nominal coverage for small
    counts and for shares near 0 or 1 (a framework ticked by 1% of respondents), and never leaves [0, 1].
    Written out rather than called: a report computes a few thousand of them, and statsmodels' import and its
    per-call array handling were seconds of a first report.
    """
    if n <= 0:
        return float("nan"), float("nan")
    crit = normal_quantile_above((1 - confidence) / 2.0)
    crit2 = crit ** 2
    share = count / n
    denom = 1 + crit2 / n
    center = (share + crit2 / (2 * n)) / denom
    spread = share * (1.0 - share) / n + crit2 / (4.0 * n ** 2)
    dist = crit * sqrt(spread) / denom if spread >= 0 else float("nan")
    return max(0.0, _clipped(center - dist)), min(1.0, _clipped(center + dist))


def _clipped(value: float) -> float:
    """numpy.clip(value, 0, 1), NaN kept (as statsmodels leaves it)."""
    return value if value != value else min(max(value, 0.0), 1.0)


@lru_cache(maxsize=8)
def normal_quantile_above(tail: float) -> float:
    """z with P(Z > z) = tail for a standard normal Z: scipy's norm.isf, which is -ndtri (the same bits; the
    standard library's NormalDist differs in the last one)."""
    from scipy import special

    return float(-special.ndtri(tail))


DESIGN_WORDS = {
    "independent": "independent samples",
    "paired": "paired: the same respondents",
    "paired, overlap unknown": "the same respondents, overlap unknown, so the widest interval the counts allow",
}


@dataclass(frozen=True)
class ShareDifference:
    p1: float
    p2: float
    difference: float          # p1 - p2, as a fraction
    ci_low: float
    ci_high: float
    p_value: float | None
    design: str                # 'independent', 'paired', 'paired, overlap unknown'

    @property
    def significant(self) -> bool:
        return self.ci_low > 0 or self.ci_high < 0

    def sentence(self, first: str, second: str, where: str = "") -> str:
        verdict = "significant" if self.significant else "not significant"
        place = f" {where}" if where else ""
        return (f"{first} {self.p1 * 100:.1f}% vs {second} {self.p2 * 100:.1f}%{place}: difference "
                f"{self.difference * 100:+.1f} points (95% interval {self.ci_low * 100:+.1f} to {self.ci_high * 100:+.1f}; "
                f"{verdict} at 5%; {DESIGN_WORDS.get(self.design, self.design)}).")


def independent_difference(x1: float, n1: float, x2: float, n2: float, confidence: float = 0.95) -> ShareDifference:
    """Newcombe's hybrid score interval for p1 - p2 from two independent samples, with a pooled z-test p-value."""
    from scipy import special

    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_interval(x1, n1, confidence)
    l2, u2 = wilson_interval(x2, n2, confidence)
    d = p1 - p2
    low = d - sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    pooled = (x1 + x2) / (n1 + n2)
    se = sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    p_value = float(2 * special.ndtr(-abs(d) / se)) if se > 0 else None
    return ShareDifference(p1, p2, d, low, high, p_value, "independent")


def paired_difference(both: float, only1: float, only2: float, neither: float,
                      confidence: float = 0.95) -> ShareDifference:
    """Newcombe's paired score interval for p1 - p2 (same respondents), with McNemar's exact p-value."""
    a, b, c, d_ = both, only1, only2, neither
    n = a + b + c + d_
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson_interval(a + b, n, confidence)
    l2, u2 = wilson_interval(a + c, n, confidence)
    denominator = (a + b) * (c + d_) * (a + c) * (b + d_)
    phi = (a * d_ - b * c) / sqrt(denominator) if denominator > 0 else 0.0
    diff = p1 - p2
    low = diff - sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    high = diff + sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    discordant = int(round(b + c))
    p_value = _binomial_half_p(int(round(b)), discordant) if discordant else 1.0
    return ShareDifference(p1, p2, diff, low, high, p_value, "paired")


def same_sample_difference(x1: float, x2: float, n: float, both: float | None = None,
                           confidence: float = 0.95) -> ShareDifference:
    """Two shares of the same n respondents; `both` ticked both options. Unknown overlap: widest interval."""
    if both is not None:
        return paired_difference(both, x1 - both, x2 - both, n - x1 - x2 + both, confidence)
    lowest, highest = int(max(0, x1 + x2 - n)), int(min(x1, x2))
    candidates = sorted({lowest, highest, *range(lowest, highest + 1, max(1, (highest - lowest) // 50))})
    results = [paired_difference(a, x1 - a, x2 - a, n - x1 - x2 + a, confidence) for a in candidates]
    low = min(r.ci_low for r in results)
    high = max(r.ci_high for r in results)
    tested = [r.p_value for r in results if r.p_value is not None]
    p_value = max(tested) if tested else None
    return ShareDifference(x1 / n, x2 / n, x1 / n - x2 / n, low, high, p_value, "paired, overlap unknown")


@dataclass(frozen=True)
class CountComparison:
    first: float
    second: float
    ratio: float | None
    ratio_low: float | None
    ratio_high: float | None
    p_value: float

    @property
    def significant(self) -> bool:
        return self.p_value < 0.05


def count_comparison(first: float, second: float, confidence: float = 0.95) -> CountComparison:
    """Two counts over the same exposure (posts, papers in one month), read as Poisson: exact conditional test.

    Given the total, `first` is binomial(total, r / (1 + r)) with r the rate ratio; the Clopper–Pearson interval of
    that proportion gives the interval of r, and the two-sided binomial test of r = 1 the p-value.
    """
    from scipy import special

    a, b = int(round(first)), int(round(second))
    total = a + b
    if total == 0:
        return CountComparison(first, second, None, None, None, 1.0)
    tail = (1 - confidence) / 2
    low = float(special.betaincinv(a, total - a + 1, tail)) if a > 0 else 0.0          # Clopper-Pearson
    high = float(special.betaincinv(a + 1, total - a, 1 - tail)) if a < total else 1.0
    to_ratio = (lambda p: p / (1 - p) if p < 1 else float("inf"))
    return CountComparison(first, second, a / b if b else None, to_ratio(low), to_ratio(high),
                           _binomial_half_p(a, total))


def _binomial_half_p(k: int, n: int) -> float:
    """Two-sided exact binomial test of p = 1/2 (the distribution is symmetric: twice the smaller tail)."""
    from scipy import special

    lower = float(special.bdtr(k, n, 0.5))
    upper = float(special.bdtrc(k - 1, n, 0.5)) if k > 0 else 1.0
    return min(1.0, 2 * min(lower, upper))

"""The Wilson interval written out (analysis.surveys.wilson_interval) gives exactly statsmodels' numbers."""

from __future__ import annotations

import math

import pytest
from statsmodels.stats.proportion import proportion_confint

from mindshare.analysis.surveys import wilson_interval

COUNTS_AND_SIZES = [(count, n) for n in (1, 2, 3, 7, 10, 33, 100, 166, 999, 4_321, 65_437, 89_184, 1_000_003)
                    for count in sorted({0, 1, 2, n // 3, n // 2, n - 1, n, round(n * 0.103), round(n * 0.033)})
                    if 0 <= count <= n]


def statsmodels_wilson(count, n, confidence):
    low, high = proportion_confint(count, n, alpha=1 - confidence, method="wilson")
    return max(0.0, float(low)), min(1.0, float(high))


@pytest.mark.parametrize("confidence", [0.95, 0.9, 0.99, 0.8, 0.5])
def test_the_same_floats_as_statsmodels_on_a_grid(confidence):
    for count, n in COUNTS_AND_SIZES:
        assert wilson_interval(count, n, confidence) == statsmodels_wilson(count, n, confidence), (count, n)


def test_fractional_counts_too():   # a weighted share, a count read as a float
    for count, n in [(0.5, 3.0), (12.25, 80.0), (1234.5, 89184.0), (3.0, 3.0)]:
        assert wilson_interval(count, n) == statsmodels_wilson(count, n, 0.95)


def test_no_sample_no_interval():
    assert all(math.isnan(v) for v in wilson_interval(0, 0))

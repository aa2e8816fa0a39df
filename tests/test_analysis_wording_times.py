"""Ratios as a reader takes them in (analysis.wording.times)."""

from mindshare.analysis.wording import times


def test_a_ratio_keeps_a_decimal_below_a_hundred_and_is_grouped_from_there():
    assert times(3.64) == "3.6x"
    assert times(13.1) == "13.1x"
    assert times(99.94) == "99.9x"
    assert times(234335.0) == "234,335x"
    assert times(100.4) == "100x"

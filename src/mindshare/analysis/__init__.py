"""Pure analysis functions over observation DataFrames: no I/O, no store, no network."""

from mindshare.analysis.crossovers import Crossing, first_crossing
from mindshare.analysis.shares import leader_follower_ratio, share_among
from mindshare.analysis.trends import Trend, TrendFit, hac_trend, linear_trend, trend_line

__all__ = [
    "Crossing", "Trend", "TrendFit", "first_crossing", "hac_trend", "leader_follower_ratio", "linear_trend",
    "share_among", "trend_line",
]

"""Pure analysis functions over observation DataFrames: no I/O, no store, no network."""

from mindshare.analysis.crossovers import Crossing, first_crossing
from mindshare.analysis.shares import leader_follower_ratio, ratio_change, share_among
from mindshare.analysis.signals import SignalStanding, leader_and_momentum
from mindshare.analysis.trends import TrendFit, linear_trend, trend_line

__all__ = [
    "Crossing", "SignalStanding", "TrendFit", "first_crossing", "leader_and_momentum", "leader_follower_ratio",
    "linear_trend", "ratio_change", "share_among", "trend_line",
]

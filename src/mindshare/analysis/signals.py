"""Who leads each signal, and who is gaining."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from mindshare.analysis.shares import share_among


@dataclass(frozen=True)
class SignalStanding:
    signal: str
    period: pd.Timestamp
    leader: str
    leader_share_pct: float
    runner_up: str | None
    lead_ratio: float | None          # leader / runner-up
    gaining: str | None               # contender whose share grew most over the window
    share_change_pts: float | None    # that growth, in percentage points
    window_start: pd.Timestamp | None


def leader_and_momentum(frame: pd.DataFrame, signal: str, *, who: str = "contender", at: str = "period_start",
                        value: str = "value", window: pd.DateOffset = pd.DateOffset(years=1)) -> SignalStanding | None:
    """Leader at the latest period, and the biggest gain in share over `window` before it.

    `frame` holds one comparable series per contender (same source, metric and method).
    """
    frame = frame.dropna(subset=[value])
    if frame.empty:
        return None
    shares = share_among(frame, by=[at], who=who, value=value)
    latest_at = shares[at].max()
    latest = shares[shares[at] == latest_at].sort_values(value, ascending=False)
    if latest.empty or latest[value].sum() == 0:
        return None
    leader = latest.iloc[0]
    runner = latest.iloc[1] if len(latest) > 1 else None
    ratio = (float(leader[value] / runner[value]) if runner is not None and runner[value] else None)

    earlier = shares[shares[at] <= latest_at - window]
    gaining, change, window_start = None, None, None
    if not earlier.empty:
        window_start = earlier[at].max()
        before = earlier[earlier[at] == window_start].set_index(who)["share_pct"]
        after = latest.set_index(who)["share_pct"]
        delta = (after - before).dropna()
        if not delta.empty:
            gaining = str(delta.idxmax())
            change = float(delta.max())
    return SignalStanding(
        signal=signal, period=pd.Timestamp(latest_at), leader=str(leader[who]),
        leader_share_pct=float(leader["share_pct"]),
        runner_up=str(runner[who]) if runner is not None else None, lead_ratio=ratio,
        gaining=gaining, share_change_pts=change, window_start=window_start,
    )

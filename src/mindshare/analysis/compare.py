"""Snapshot comparison: every headline figure beside its value at an earlier date.

`compare_standings(now, then)` pairs the standings of two analyses (the store now and the store as of DATE) and
says, per signal, how the leader's share and its lead over the runner-up moved ("TensorFlow's lead in job posts:
3.0x -> 2.0x in 10 months"). A signal with no reading at the earlier date is marked 'new since'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

LEADER_COLUMNS = ["signal", "as_of", "leader", "runner_up", "leader_share_pct", "lead_ratio"]


@dataclass
class Sentence:
    text: str
    figures: list[dict] = field(default_factory=list)
    topic: str = ""


def leaders(standings: pd.DataFrame) -> pd.DataFrame:
    """Per signal with two contenders read: the leader and runner-up at the latest reading, the leader's share of
    the contenders' total and its ratio to the runner-up (LEADER_COLUMNS)."""
    if standings.empty:
        return pd.DataFrame(columns=LEADER_COLUMNS)
    rows = []
    for signal, group in standings.dropna(subset=["value_now"]).groupby("signal"):
        group = group.sort_values(["value_now", "contender"], ascending=[False, True])
        if len(group) < 2:
            continue
        lead, runner = group.iloc[0], group.iloc[1]
        rows.append({"signal": signal, "as_of": lead["d_now"], "leader": lead["contender"],
                     "runner_up": runner["contender"], "leader_share_pct": lead["share_now"],
                     "lead_ratio": lead["value_now"] / runner["value_now"] if runner["value_now"] else None})
    return pd.DataFrame(rows, columns=LEADER_COLUMNS)


def _fig(name: str, value, unit: str, **extra) -> dict:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        value = round(value, 4)
    if isinstance(value, pd.Timestamp):
        value = value.date().isoformat()
    clean = {k: (v.date().isoformat() if isinstance(v, pd.Timestamp) else v) for k, v in extra.items()}
    return {"name": name, "value": value, "unit": unit, **clean}


def compare_standings(now: pd.DataFrame, then: pd.DataFrame) -> pd.DataFrame:
    """Per signal: leader now and then, lead ratio and leader share now and then, months between."""
    current = leaders(now)
    earlier = leaders(then)
    rows = []
    for row in current.itertuples(index=False):
        before = earlier[earlier["signal"] == row.signal]
        item = {"signal": row.signal, "as_of_now": row.as_of, "leader_now": row.leader, "runner_up_now": row.runner_up,
                "lead_ratio_now": row.lead_ratio, "leader_share_now": row.leader_share_pct,
                "as_of_then": None, "leader_then": None, "runner_up_then": None, "lead_ratio_then": None,
                "leader_share_then": None, "months": None, "status": "new since"}
        if not before.empty:
            b = before.iloc[0]
            same_pair = b["leader"] == row.leader and b["runner_up"] == row.runner_up
            then_share = now_share_of_leader_then(then, row.signal, row.leader)
            item.update({"as_of_then": b["as_of"], "leader_then": b["leader"], "runner_up_then": b["runner_up"],
                         "lead_ratio_then": b["lead_ratio"], "leader_share_then": then_share,
                         "months": (pd.Timestamp(row.as_of) - pd.Timestamp(b["as_of"])).days / 30.4375,
                         "status": "same leader" if b["leader"] == row.leader else "leader changed"})
            if not same_pair and b["leader"] == row.leader:
                item["status"] = "same leader, new runner-up"
        rows.append(item)
    return pd.DataFrame(rows)


def now_share_of_leader_then(then: pd.DataFrame, signal: str, contender: str) -> float | None:
    found = then[(then["signal"] == signal) & (then["contender"] == contender)]
    return float(found["share_now"].iloc[0]) if not found.empty and pd.notna(found["share_now"].iloc[0]) else None


def comparison_sentences(table: pd.DataFrame, compare_to: date | str, names=lambda key: key) -> list[Sentence]:
    out = []
    for row in table.itertuples(index=False):
        if row.status == "new since":
            out.append(Sentence(f"{row.signal}: no reading known on {compare_to}; now {names(row.leader_now)} leads "
                                f"with {row.leader_share_now:.0f}%.",
                                [_fig("leader_share_pct", row.leader_share_now, "%", signal=row.signal,
                                      contender=row.leader_now, date=row.as_of_now)], "compare"))
            continue
        if pd.Timestamp(row.as_of_then) == pd.Timestamp(row.as_of_now):
            out.append(Sentence(f"{row.signal}: no new reading since {pd.Timestamp(row.as_of_now):%Y-%m}; "
                                f"{names(row.leader_now)} led then and leads now.",
                                [_fig("as_of", row.as_of_now, "date", signal=row.signal)], "compare"))
            continue
        if row.status == "leader changed":
            text = (f"{row.signal}: {names(row.leader_then)} led at {pd.Timestamp(row.as_of_then):%Y-%m}; "
                    f"{names(row.leader_now)} leads at {pd.Timestamp(row.as_of_now):%Y-%m}")
        elif pd.notna(row.lead_ratio_now) and pd.notna(row.lead_ratio_then):
            text = (f"{row.signal}: {names(row.leader_now)}'s lead {row.lead_ratio_then:.1f}x → "
                    f"{row.lead_ratio_now:.1f}x in {row.months:.0f} months "
                    f"({pd.Timestamp(row.as_of_then):%Y-%m} to {pd.Timestamp(row.as_of_now):%Y-%m})")
            if row.runner_up_then != row.runner_up_now:
                text += f" (over {names(row.runner_up_then)} then, {names(row.runner_up_now)} now)"
        else:
            text = f"{row.signal}: {names(row.leader_now)} still leads"
        if pd.notna(row.leader_share_then):
            text += f"; {names(row.leader_now)}'s share {row.leader_share_then:.0f}% → {row.leader_share_now:.0f}%"
        out.append(Sentence(text + ".", [
            _fig("lead_ratio", row.lead_ratio_then, "ratio", signal=row.signal, date=row.as_of_then,
                 contender=row.leader_then),
            _fig("lead_ratio", row.lead_ratio_now, "ratio", signal=row.signal, date=row.as_of_now,
                 contender=row.leader_now),
            _fig("leader_share_pct", row.leader_share_then, "%", signal=row.signal, date=row.as_of_then,
                 contender=row.leader_now),
            _fig("leader_share_pct", row.leader_share_now, "%", signal=row.signal, date=row.as_of_now,
                 contender=row.leader_now)], "compare"))
    return out

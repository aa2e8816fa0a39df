"""What a publish is given, checked before anything is read: kept apart from site.publish, which imports the
analysis (pandas), so that a publish that finds nothing to do (site.identity) never loads it."""

from __future__ import annotations

from mindshare.errors import InputError

MAX_HISTORY = 120          # months: ten years of month ends is the longest history a publish reads


def check_history(months: int) -> int:
    """`--history`: from 1 to MAX_HISTORY months, else one line saying so."""
    if not 1 <= months <= MAX_HISTORY:
        raise InputError(f"--history {months}: give the number of months the history reads, from 1 to {MAX_HISTORY}")
    return months

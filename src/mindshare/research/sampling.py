"""How many papers a precision needs, and a reproducible random draw of them (pure functions).

The sample of one cell (an arXiv category in one month) is a simple random sample without replacement of
the month's listing: the listing, sorted by submission date, is the frame; its size N is the API's
`totalResults`; the sample is n distinct offsets 0..N-1 drawn by numpy's Generator seeded from the user's
seed and the cell's name, so the same seed, cell and frame size always give the same papers, and cells are
independent of each other. Only the entries at the drawn offsets are asked for (`listing_windows`), never
the whole month.

Precision: the worst case (a share of 50%) sets the size. At 95% confidence a half-width of E points needs
n = z^2 p (1 - p) / E^2 papers: +-3 points is 1,068 papers per cell, +-5 is 385, +-10 is 97. A frame smaller
than that is sampled whole (and the finite-population correction shrinks n when the frame is small).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np

DEFAULT_CONFIDENCE = 0.95
MAX_WINDOW = 100  # entries per listing request: arXiv serves up to 2,000, smaller answers are gentler


def sample_size_for(precision_points: float, confidence: float = DEFAULT_CONFIDENCE, proportion: float = 0.5,
                    frame: int | None = None) -> int:
    """Papers per cell for a (normal-approximation) half-width of `precision_points` percentage points.

    `frame`: the cell's size, if known; a small frame needs fewer papers (finite-population correction).
    """
    if not 0 < precision_points < 50:
        raise ValueError(f"precision {precision_points} must be between 0 and 50 percentage points")
    from scipy.stats import norm  # here: scipy.stats costs ~1 s to import, and the report's tally needs none of it

    z = norm.ppf(1 - (1 - confidence) / 2)
    margin = precision_points / 100
    needed = z * z * proportion * (1 - proportion) / (margin * margin)
    if frame:
        needed = needed / (1 + (needed - 1) / frame)
        return min(frame, math.ceil(needed))
    return math.ceil(needed)


def worst_case_half_width(n: int, confidence: float = DEFAULT_CONFIDENCE) -> float:
    """The widest Wilson half-width (in points) a sample of `n` can have: at a share of 50%."""
    if n <= 0:
        return float("nan")
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(n / 2, n, alpha=1 - confidence, method="wilson")
    return 100 * (high - low) / 2


def wilson_interval(count: int, n: int, confidence: float = DEFAULT_CONFIDENCE) -> tuple[float, float]:
    """Wilson interval of count/n as percentages (statsmodels' proportion_confint); NaNs when n is 0."""
    if n <= 0:
        return float("nan"), float("nan")
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(count, n, alpha=1 - confidence, method="wilson")
    # at 0 or n the bound is 0 or 100 exactly; statsmodels leaves a 1e-17 of rounding there
    return round(100 * float(low), 9), round(100 * float(high), 9)


def cell_seed(seed: int, *cell: str) -> np.random.SeedSequence:
    """The seed sequence of one cell: the user's seed and the cell's name (category, month), hashed."""
    digest = hashlib.sha256("\x1f".join(cell).encode()).digest()
    words = [int.from_bytes(digest[i:i + 4], "big") for i in range(0, 16, 4)]
    return np.random.SeedSequence([int(seed), *words])


def draw_offsets(frame_size: int, n: int, seed: int, *cell: str) -> list[int]:
    """n distinct offsets of a frame of `frame_size` (all of them when the frame is smaller), sorted."""
    if frame_size <= 0 or n <= 0:
        return []
    if n >= frame_size:
        return list(range(frame_size))
    rng = np.random.default_rng(cell_seed(seed, *cell))
    return sorted(int(i) for i in rng.choice(frame_size, size=n, replace=False))


@dataclass(frozen=True)
class Window:
    """One listing request: `count` entries from offset `start`."""

    start: int
    count: int


def listing_windows(offsets: list[int], max_window: int = MAX_WINDOW) -> list[Window]:
    """The fewest requests of at most `max_window` consecutive entries that hold every drawn offset, each
    starting at a drawn offset (so nothing before it is fetched)."""
    windows: list[Window] = []
    for offset in sorted(set(offsets)):
        if windows and offset < windows[-1].start + max_window:
            last = windows[-1]
            windows[-1] = Window(last.start, offset - last.start + 1)
        else:
            windows.append(Window(offset, 1))
    return windows

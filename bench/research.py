"""How many listing requests the sampled arXiv scan makes, beside two anchors: one request per drawn paper,
and listing the whole month (2,000 entries a request, arXiv's largest page).

    .venv/bin/python bench/research.py

Requests are what cost time at arXiv's pace (3 s each); the figures are averages over 50 seeds.
"""

from __future__ import annotations

import math
import statistics

from mindshare.research.sampling import MAX_WINDOW, draw_offsets, listing_windows, sample_size_for

FRAMES = (1500, 5000, 12000)          # papers a month in a small, a mid and a large category (order of size)
SIZES = (97, 200, sample_size_for(5), sample_size_for(3))


def main() -> None:
    print(f"{'frame N':>8} {'sample n':>8} {'windows':>8} {'per paper':>10} {'whole month':>12} "
          f"{'entries read':>13} {'PDFs':>6}")
    for frame in FRAMES:
        for n in SIZES:
            n_cell = min(n, frame)
            windows, entries = [], []
            for seed in range(50):
                found = listing_windows(draw_offsets(frame, n_cell, seed, "cs.LG", "2024-01"), MAX_WINDOW)
                windows.append(len(found))
                entries.append(sum(w.count for w in found))
            print(f"{frame:>8,} {n_cell:>8,} {statistics.mean(windows):>8.0f} {n_cell:>10,} "
                  f"{math.ceil(frame / 2000):>12} {statistics.mean(entries):>13,.0f} {n_cell:>6,}")


if __name__ == "__main__":
    main()

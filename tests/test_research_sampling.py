"""Sample sizes, the seeded draw and the listing windows (mindshare.research.sampling), and the report's shape
of every research method (mindshare.analysis.research_shares) on the bundled Horace He data."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from mindshare.analysis.research_shares import research_shares
from mindshare.observations import Sources, observation
from mindshare.research import ResearchSources
from mindshare.research.sampling import (
    draw_offsets,
    listing_windows,
    sample_size_for,
    wilson_interval,
    worst_case_half_width,
)


# -- how many papers a precision needs ----------------------------------------------------------------------
def test_three_points_at_95_percent_needs_about_a_thousand_papers():
    assert sample_size_for(3) == 1068                    # 1.96^2 x 0.25 / 0.03^2 = 1067.1
    assert sample_size_for(5) == 385 and sample_size_for(10) == 97
    assert worst_case_half_width(1068) <= 3.0 < worst_case_half_width(1000)
    assert sample_size_for(3, confidence=0.99) > sample_size_for(3)


def test_a_small_frame_needs_fewer_papers_and_never_more_than_it_holds():
    assert sample_size_for(3, frame=500) == 341          # finite-population correction
    assert sample_size_for(1, frame=200) == 196 < 200    # 9,604 / (1 + 9,603 / 200)
    with pytest.raises(ValueError, match="between 0 and 50"):
        sample_size_for(0)


def test_wilson_interval_is_statsmodels_and_exact_at_the_edges():
    low, high = proportion_confint(37, 200, method="wilson")
    assert wilson_interval(37, 200) == (pytest.approx(100 * low), pytest.approx(100 * high))
    assert wilson_interval(0, 50)[0] == 0.0 and wilson_interval(50, 50)[1] == 100.0


# -- the draw -------------------------------------------------------------------------------------------------
def test_the_draw_is_reproducible_and_depends_on_seed_and_cell():
    first = draw_offsets(5000, 200, 7, "cs.LG", "2024-01")
    assert first == draw_offsets(5000, 200, 7, "cs.LG", "2024-01")
    assert first != draw_offsets(5000, 200, 8, "cs.LG", "2024-01")
    assert first != draw_offsets(5000, 200, 7, "cs.CV", "2024-01")
    assert first != draw_offsets(5000, 200, 7, "cs.LG", "2024-02")
    assert first == sorted(set(first)) and len(first) == 200 and 0 <= first[0] and first[-1] < 5000
    assert draw_offsets(3, 200, 7, "cs.LG", "2024-01") == [0, 1, 2]   # a small month is read whole
    assert draw_offsets(0, 200, 7, "cs.LG", "2024-01") == []


def test_the_draw_is_uniform_over_the_frame():
    # every offset of a 20-paper frame is drawn about equally often over many cells (a chi-square check)
    from scipy.stats import chisquare

    counts = [0] * 20
    for month in range(1, 401):
        for offset in draw_offsets(20, 5, 1, "cs.LG", f"m{month}"):
            counts[offset] += 1
    assert chisquare(counts).pvalue > 0.001


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 30000), min_size=1, max_size=300), st.integers(1, 200))
def test_windows_hold_every_drawn_offset_and_fetch_nothing_before_it(offsets, size):
    windows = listing_windows(offsets, size)
    covered = {w.start + i for w in windows for i in range(w.count)}
    assert set(offsets) <= covered
    assert all(1 <= w.count <= size and w.start in offsets for w in windows)
    assert [w.start for w in windows] == sorted(w.start for w in windows)
    assert len(windows) <= len(set(offsets))


# -- every method in one shape ---------------------------------------------------------------------------------
def test_horace_he_shares_are_among_papers_naming_exactly_one_without_interval(bundled_store_path):
    from mindshare.session import session

    with session(bundled_store_path, read_only=True) as store:
        shares = research_shares(store.observations(signal="research"))
    neurips = shares[(shares.source == Sources.HORACE_HE) & (shares.segment == "NeurIPS")
                     & (shares.period_label == "2019") & shares.method.str.endswith("2019-11")]
    by = neurips.set_index("contender")
    # conference_mentions.csv, NeurIPS 2019, rules 2019-11
    assert by.loc["pytorch", "papers_only"] == 166 and by.loc["tensorflow", "papers_only"] == 74
    assert by.loc["pytorch", "share_pct"] == pytest.approx(100 * 166 / 240)
    assert by.loc["pytorch", "denominator"] == "papers naming exactly one of them"
    assert by.low_pct.isna().all() and by.interval.isna().all()   # a census: nothing sampled


def sample_rows(only: dict[str, int], any_count: int, sampled: int, frame_size: int) -> pd.DataFrame:
    common = dict(signal="research", source=ResearchSources.ARXIV_SAMPLE, method="m", segment="arXiv cs.LG",
                  period_start=date(2024, 1, 1), period_end=date(2024, 1, 31), period_label="2024-01")
    rows = [observation(metric="papers_only", contender=c, subject=c, value=v, **common) for c, v in only.items()]
    rows += [observation(metric="papers_any", subject="any contender", value=any_count, **common),
             observation(metric="papers_sampled", subject="all papers", value=sampled, **common),
             observation(metric="population_papers", subject="all papers", value=frame_size, **common)]
    frame = pd.DataFrame(rows)
    return frame.assign(period_start=pd.to_datetime(frame.period_start), period_end=pd.to_datetime(frame.period_end))


def test_a_sample_gets_a_wilson_interval_from_the_papers_naming_any():
    shares = research_shares(sample_rows({"pytorch": 60, "tensorflow": 25}, 100, 200, 5000)).set_index("contender")
    low, high = proportion_confint(60, 100, method="wilson")
    assert shares.loc["pytorch", "share_pct"] == pytest.approx(60.0)
    assert shares.loc["pytorch", "low_pct"] == pytest.approx(100 * low)
    assert shares.loc["pytorch", "high_pct"] == pytest.approx(100 * high)
    assert shares.loc["pytorch", "interval"] == "Wilson 95%, n=100"
    assert shares.loc["pytorch", "papers_read"] == 200 and shares.loc["pytorch", "population"] == 5000


def test_a_month_read_whole_has_no_interval():
    shares = research_shares(sample_rows({"pytorch": 3}, 4, 8, 8))
    assert shares.share_pct.iloc[0] == pytest.approx(75.0) and pd.isna(shares.low_pct.iloc[0])


def test_no_research_rows_give_an_empty_frame_with_the_columns():
    empty = research_shares(pd.DataFrame(columns=["source", "value"]))
    assert empty.empty and "share_pct" in empty.columns


def test_the_report_is_told_how_to_collect_what_the_store_lacks(bundled_store_path):
    from mindshare.analysis.research_shares import missing_method_notes
    from mindshare.session import session

    with session(bundled_store_path, read_only=True) as store:
        notes = missing_method_notes(store.observations(signal="research"))
    assert len(notes) == 3 and "mindshare research sample" in notes[0]
    having = sample_rows({"pytorch": 1}, 1, 2, 10)
    assert len(missing_method_notes(having)) == 2


def test_a_venue_scanned_by_the_user_is_a_census_among_papers_naming_any():
    """`mindshare scan --venue --year` rows (scan/tallies.py's own producer) join the comparison: only-X among
    the papers naming any contender (only + several), over every paper read, with no interval."""
    from datetime import datetime

    from mindshare.fields import load_field
    from mindshare.scan.tallies import Tally, observation_rows

    field = load_field("deep-learning")
    tally = Tally(list(field.ids))
    for _ in range(6):
        tally.add({"pytorch": 3}, "pytorch", False, False)
    for _ in range(2):
        tally.add({"tensorflow": 1}, "tensorflow", False, False)
    tally.add({"pytorch": 1, "tensorflow": 2}, None, True, False)     # names both: several
    tally.add({}, None, False, False)                                 # names none
    tally.add({}, None, False, True)                                  # unreadable
    rows = observation_rows(tally, field, "mindshare-1", "NeurIPS", 2024, datetime(2025, 1, 5))
    shares = research_shares(rows).set_index("contender")
    assert shares.loc["pytorch", "method_label"] == "papers you scanned with mindshare, all read"
    assert shares.loc["pytorch", "papers_any"] == 9 and shares.loc["pytorch", "share_pct"] == pytest.approx(600 / 9)
    assert shares.loc["tensorflow", "share_pct"] == pytest.approx(200 / 9)
    assert shares.loc["pytorch", "population"] == 10 and shares.loc["pytorch", "papers_read"] == 10
    assert shares.low_pct.isna().all() and shares.interval.isna().all()    # every paper read: no interval

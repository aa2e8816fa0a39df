"""The any-field history joined to a store for one run (mindshare.overlay): the store's file is never written, the
bundle's contenders take nothing from the history, a store row that names a contender is never shadowed, a figure the
bundle kept for no contender (Stack Overflow's "Pandas") is read as the contender's, and the survey's sub-populations
stay out."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from mindshare.fields import load_field, parse_field
from mindshare.history import PYPI
from mindshare.observations import observation
from mindshare.overlay import SNAPSHOT_PREFIX, joined
from mindshare.session import session
from mindshare.store import open_store

FIELD = """name = "frames"
[survey.stackoverflow]
topic = "other frameworks and libraries"
[[contender]]
id = "pandas"
name = "pandas"
pypi = ["pandas"]
github = "pandas-dev/pandas"
stackoverflow_survey = { 2019 = "Pandas", 2024 = "Pandas" }
[[contender]]
id = "polars"
name = "Polars"
pypi = ["polars"]
github = "pola-rs/polars"
[[contender]]
id = "pytorch"
name = "PyTorch"
pypi = ["torch"]
"""


@pytest.fixture
def store_copy(tmp_path, bundled_store_path):
    path = tmp_path / "store.duckdb"
    shutil.copy(bundled_store_path, path)
    return path


def frames(tmp_path):
    path = tmp_path / "frames.toml"
    path.write_text(FIELD, encoding="utf-8")
    return parse_field(FIELD, path)


def test_the_store_is_read_with_the_history_and_left_as_it_was(store_copy, tmp_path):
    before = store_copy.read_bytes()
    chosen = frames(tmp_path)
    with session(store_copy, read_only=None) as store:
        rows_before = len(store.observations())
        with joined(store, chosen) as added:
            inside = store.observations(contenders=["pandas", "polars"])
            snapshots = store.snapshots()
        assert len(store.observations()) == rows_before            # the temporary tables are gone
    assert store_copy.read_bytes() == before
    assert added.read == ["pandas", "polars"] and added.bundled == ["pytorch"]
    assert set(inside["source"]) >= {PYPI, "EvanLi/Github-Ranking", "Stack Overflow Developer Survey 2024 (published "
                                                                    "results)"}
    history = snapshots[snapshots["snapshot_id"].str.startswith(SNAPSHOT_PREFIX)]
    assert (history["kind"] == "bundled").all() and set(history["source"]) == set(added.rows)
    assert history["description"].str.contains("not stored").all()
    # every row keeps its provenance
    numbers = inside[inside["kind"] == "number"]
    assert numbers["reference"].notna().all() and numbers["method"].notna().all()


def test_a_figure_the_bundle_kept_for_no_contender_is_read_as_the_contenders(store_copy, tmp_path):
    chosen = frames(tmp_path)
    with session(store_copy, read_only=None) as store:
        unclaimed = store.observations(metric="so_survey_share", source="Stack Overflow Developer Survey 2024 "
                                                                         "(published results)")
        unclaimed = unclaimed[unclaimed["subject"] == "Pandas"]
        assert unclaimed["contender"].isna().all() and not unclaimed.empty
        with joined(store, chosen):
            claimed = store.observations(metric="so_survey_share", source="Stack Overflow Developer Survey 2024 "
                                                                           "(published results)")
        claimed = claimed[claimed["subject"] == "Pandas"]
    assert (claimed["contender"] == "pandas").all()
    assert len(claimed) == len(unclaimed)                        # one row per measurement, never two
    whole = set(claimed["segment"])
    assert whole <= {"all respondents", "professional developers", "learning to code", "other coders"}


def test_a_store_row_that_names_a_contender_is_never_shadowed(store_copy, tmp_path):
    chosen = frames(tmp_path)
    with session(store_copy, read_only=None) as store, joined(store, chosen):
        history_row = store.observations(contenders=["polars"], source=PYPI)
        history_row = history_row[history_row["kind"] == "number"].iloc[-1]
    mine = observation(signal=history_row["signal"], metric=history_row["metric"], source=PYPI, subject="polars",
                       contender="polars", value=1.0, unit="downloads", method=history_row["method"],
                       period_start=history_row["period_start"].date(), period_end=history_row["period_end"].date(),
                       period_label=history_row["period_label"])
    with session(store_copy) as store:
        store.add_snapshot(pd.DataFrame([mine]), kind="import", source="test")
        with joined(store, chosen):
            read = store.observations(contenders=["polars"], source=PYPI)
    same = read[read["period_label"] == history_row["period_label"]]
    assert len(same) == 1 and same["value"].iloc[0] == 1.0


def test_bundled_contenders_take_nothing_from_the_history(store_copy):
    chosen = load_field("deep-learning")
    with session(store_copy, read_only=None) as store, joined(store, chosen) as added:
        assert added.read == [] and added.rows == {}
        assert set(added.bundled) == set(chosen.ids)


def test_a_read_only_store_and_an_empty_store_are_joined_alike(store_copy, tmp_path):
    """A read-only store, and the empty store a compare makes when the user has none (comparison.store_for)."""
    chosen = frames(tmp_path)
    with session(store_copy, read_only=True) as store, joined(store, chosen) as added:
        assert added.rows and not store.observations(contenders=["polars"]).empty
    empty = open_store(tmp_path / "empty.duckdb")
    try:
        with joined(empty, chosen) as added:
            assert added.bundled == [] and "pytorch" in added.read
            assert set(empty.observations()["contender"].dropna()) == {"pandas", "polars", "pytorch"}
    finally:
        empty.close()

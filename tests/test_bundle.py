import csv
from datetime import date

import pandas as pd
import pytest

from mindshare.bundle import bundle_folder, bundled_observations, parse_period, series_period
from mindshare.session import session as store_session
from conftest import SHARED


def test_bundle_is_a_faithful_copy_of_the_shared_data():
    for relative in ["facts.csv", "conference_mentions.csv", "series/pypi_downloads_monthly.csv",
                     "series/hn_hiring_monthly.csv", "series/github_stars.csv", "series/so_questions_yearly.csv",
                     "series/pypi_downloads_365d.csv"]:
        shared = SHARED / "data" / relative
        if shared.exists():
            assert (bundle_folder() / relative).read_bytes() == shared.read_bytes(), relative


def test_every_fact_is_imported_and_words_stay_words():
    frame = bundled_observations()
    facts = list(csv.DictReader((bundle_folder() / "facts.csv").open()))
    fact_keys = {(f["metric"], f["source"]) for f in facts}
    imported = frame[[(m, s) in fact_keys for m, s in zip(frame["metric"], frame["source"])]]
    assert len(imported) == len(facts)
    ratio_2019 = imported[(imported["metric"] == "job_listings_ratio_text") & (imported["period_label"].str.startswith("2019"))]
    assert ratio_2019["value"].isna().all()
    assert ratio_2019["value_text"].tolist() == ["nearly 3"]
    # every qualitative fact in the file is a note, never a number
    words_only = [f for f in facts if not f["value"].strip()]
    assert imported["value"].isna().sum() == len(words_only)


def test_every_row_keeps_its_provenance():
    frame = bundled_observations()
    assert frame["source"].notna().all()
    assert frame["reference"].notna().all()
    assert frame["collected_at"].notna().all()
    series = frame[frame["source"] == "hugovk/top-pypi-packages"]
    assert series["reference"].str.startswith("https://github.com/hugovk/top-pypi-packages/blob/").all()


def test_missing_downloads_are_notes_not_zeros():
    frame = bundled_observations()
    torch_2018 = frame[(frame["subject"] == "torch") & (frame["period_label"] == "2018-01-09")]
    assert torch_2018["value"].isna().all()
    assert torch_2018["value_text"].str.contains("absent from top").all()


def test_conference_counts_in_both_rule_versions():
    frame = bundled_observations()
    neurips = frame[(frame["segment"] == "NeurIPS") & (frame["period_label"] == "2019")]
    values = {(r.method, r.subject): r.value for r in neurips.itertuples()}
    assert values[("horace-he-2019-11", "PyTorch")] == 166
    assert values[("horace-he-2019-11", "TensorFlow")] == 74
    assert values[("horace-he-2021-10", "PyTorch")] == 182
    assert values[("horace-he-2021-10", "TensorFlow")] == 104
    assert values[("horace-he-2021-10", "_all_papers")] == 1427


def test_packages_map_to_contenders_and_stay_visible():
    frame = bundled_observations()
    downloads = frame[frame["signal"] == "downloads"]
    mapping = dict(zip(downloads["subject"], downloads["contender"]))
    assert mapping["torch"] == "pytorch"
    assert mapping["tf-nightly"] == "tensorflow"
    assert mapping["jax"] == "jax"
    assert pd.isna(mapping["jaxlib"])  # a dependency of jax: summing it would count one install twice
    assert pd.isna(mapping["scikit-learn"])  # not a contender


def test_pypi_method_changes_are_recorded():
    frame = bundled_observations()
    methods = frame[frame["metric"] == "downloads_30d"].groupby("method")["period_label"].min().sort_values()
    assert len(methods) == 8
    assert methods.iloc[0] == "2018-02-07"
    assert "ClickHouse" in methods.index[-1]


@pytest.mark.parametrize("text, start, end", [
    ("2019", date(2019, 1, 1), date(2019, 12, 31)),
    ("2018-09", date(2018, 9, 1), date(2018, 9, 30)),
    ("2018..2019", date(2018, 1, 1), date(2019, 12, 31)),
    ("2019-01..2019-06", date(2019, 1, 1), date(2019, 6, 30)),
    ("c. 2023-05", date(2023, 5, 1), date(2023, 5, 31)),
    ("2020-01-26", date(2020, 1, 26), date(2020, 1, 26)),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ("unknown", None, None),
])
def test_parse_period(text, start, end):
    assert parse_period(text) == (start, end)


def test_download_windows():
    assert series_period("window", date(2024, 4, 1), "downloads_30d", "--days 30") == (date(2024, 3, 2), date(2024, 3, 31))
    assert series_period("window", date(2025, 5, 1), "downloads_30d", "pypinfo --days 24, all") == (date(2025, 4, 7), date(2025, 4, 30))
    assert series_period("window", date(2025, 7, 5), "downloads_30d",
                         "ClickHouse, full previous calendar month") == (date(2025, 6, 1), date(2025, 6, 30))


def test_same_as_above_takes_the_row_above(tmp_path):
    frame = bundled_observations()
    slash = frame[frame["source"].str.startswith("SlashData")]
    assert "same as above" not in set(slash["segment"].str.lower())
    assert slash["note"].str.contains("as in the row above").any()


def test_store_import_is_idempotent(tmp_path):
    path = tmp_path / "s.duckdb"
    with store_session(path) as store:
        before = store.connection.execute("SELECT count(*) FROM observations").fetchone()[0]
        from mindshare.bundle import ensure_bundle

        assert ensure_bundle(store) is None
        # even forcing a re-import of the same content adds nothing
        store.connection.execute("DELETE FROM meta WHERE key LIKE 'bundle:%'")
        result = ensure_bundle(store)
        assert result is not None and not result.added
        assert store.connection.execute("SELECT count(*) FROM observations").fetchone()[0] == before

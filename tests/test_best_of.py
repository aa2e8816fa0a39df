"""GitHub dependents from the best-of-ml-python weekly history (the bundled excerpt of the real history, and small
files written here): the field's contenders found by repository or by the list's name, the licence on every row,
the values the history's SOURCES names as wrong flagged instead of used, a project the field does not name left
out, and a damaged file refused with one line."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from mindshare.bundle import bundle_folder, manifest
from mindshare.catalogue import DEPENDENTS, GITHUB_DEPENDENTS
from mindshare.errors import InputError
from mindshare.fields import load_field
from mindshare.importers.best_of import dependents_observations

ABOUT = manifest()["best_of_ml_python"]
HEADER = "snapshot,project,github_id,github_dependent_project_count,source_path,source_commit\n"


def bundled() -> pd.DataFrame:
    return dependents_observations(bundle_folder() / ABOUT["file"], ABOUT, load_field("deep-learning"))


def test_the_latest_snapshot_is_read_as_published_with_its_licence_on_every_row():
    frame = bundled()
    latest = frame[frame["period_label"] == "2025-10-30"].set_index("contender")["value"]
    assert latest["pytorch"] == 827538 and latest["tensorflow"] == 539817
    assert latest["jax"] == 46932                     # google/jax in the list, jax-ml/jax in the field: found by name
    assert set(frame["signal"]) == {DEPENDENTS.name} and set(frame["metric"]) == {GITHUB_DEPENDENTS.name}
    assert (frame["source"] == "best-of-ml-python, Lukas Masuch (CC BY-SA 4.0)").all()
    assert frame["note"].str.contains("CC BY-SA 4.0").all() and frame["reference"].str.contains(
        "github.com/lukasmasuch/best-of-ml-python/blob/").all()


def test_the_values_the_history_names_as_wrong_are_notes_not_numbers():
    frame = bundled()
    pytorch = frame[(frame["contender"] == "pytorch") & (frame["period_start"] == date(2023, 8, 10))].iloc[0]
    assert pd.isna(pytorch["value"]) and pytorch["value_text"].startswith("left out: read as 4;")
    keras = frame[frame["contender"] == "keras"]
    kept = keras[keras["value"].notna() & (keras["period_start"] <= date(2024, 1, 18))]
    assert kept["value"].min() > 100_000                  # 180,565 and its neighbours stay: only the artefacts go
    big = frame[frame["contender"].isin(["pytorch", "keras"])]
    assert big["value"].dropna().min() > 1000             # no handful of repositories is read as their count


def test_a_project_the_field_does_not_name_is_left_out_and_a_missing_count_is_no_row(tmp_path):
    path = tmp_path / "history.csv"
    path.write_text(HEADER + "2025-10-30,pytorch,pytorch/pytorch,827538,history/a.csv,abc\n"
                             "2025-10-30,flax,google/flax,15448,history/a.csv,abc\n"
                             "2025-10-30,tensorflow,tensorflow/tensorflow,,history/a.csv,abc\n", encoding="utf-8")
    frame = dependents_observations(path, {**ABOUT, "flagged": []}, load_field("deep-learning"))
    assert frame["contender"].tolist() == ["pytorch"]


@pytest.mark.parametrize(("text", "said"), [
    ("snapshot,project\n2025-10-30,pytorch\n", "not a best-of history: no column github_id"),
    (HEADER + "2025-10-30,pytorch,pytorch/pytorch,lots,history/a.csv,abc\n", "line 2: snapshot '2025-10-30' or count 'lots'"),
])
def test_a_damaged_file_is_refused_with_one_line(tmp_path, text, said):
    path = tmp_path / "history.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=said):
        dependents_observations(path, ABOUT, load_field("deep-learning"))


def test_the_bundled_report_counts_dependents_as_a_current_measure_with_its_licence(built_report):
    _, results = built_report
    headline = next(s for s in results["sections"] if s["id"] == "headline")
    row = next(r for r in next(t for t in headline["tables"] if t["name"] == "scoreboard")["rows"]
               if r["signal"] == DEPENDENTS.name)
    assert row["current"] and (row["leader"], row["runner_up"]) == ("pytorch", "tensorflow")
    values = {f["contender"]: f["value"] for f in row["figures"] if f["name"] in ("leader_value", "runner_up_value")}
    assert values == {"pytorch": 827538, "tensorflow": 539817} and row["period"] == "2025-10-30"
    assert row["source"] == "best-of-ml-python, Lukas Masuch (CC BY-SA 4.0)"
    passed = next(r for r in next(t for t in headline["tables"] if t["name"] == "lead_lag")["rows"]
                  if r["signal"] == DEPENDENTS.name)
    assert passed["when"].startswith("between 2021-") and passed["when"].endswith("and 2023-09")  # not datable closer
    signals = next(s for s in results["sections"] if s["id"] == "signals")
    assert any("CC BY-SA 4.0" in note for note in signals["notes"])

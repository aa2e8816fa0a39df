"""`mindshare survey import --source kaggle`: the Kaggle ML & DS survey's multiple-choice file.

The files are GENERATED (tests/survey_files.py) in the published layout: one column per option named
<question>_Part_<n> (2022: Q17_<n>), the option's text with its published spaces in a ticked cell, and the
question-text line under the header. Expected counts are recounted with Python's csv module.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from mindshare.cli import app
from mindshare.errors import InputError
from mindshare.fields import load_field
from mindshare.sources.kaggle_survey import read_kaggle
from survey_files import KAGGLE_SHAPES, expected_kaggle, write_kaggle


@pytest.mark.parametrize("year", sorted(KAGGLE_SHAPES))
def test_shares_match_an_independent_count(tmp_path, year):
    path = write_kaggle(tmp_path / f"kaggle_{year}.csv", year, 600, seed=year)
    expected = expected_kaggle(path, year)
    result = read_kaggle(path, year=year, field=load_field())
    assert result.counts["n_all"] == expected["n_all"] == 600  # the question line is not a respondent
    assert result.counts["n_answered"] == expected["n_answered"]
    answered = result.shares[result.shares.base == "answered the question"].set_index("contender")
    for option, contender in (("TensorFlow", "tensorflow"), ("PyTorch", "pytorch"), ("Keras", "keras")):
        assert answered.loc[contender, "count"] == expected[option]
        assert answered.loc[contender, "share_pct"] == pytest.approx(100 * expected[option] / expected["n_answered"],
                                                                     abs=1e-3)
    assert ("jax" in answered.index) == (year >= 2020)
    assert ("mxnet" in answered.index) == (year in (2020, 2021))
    # "PyTorch Lightning" is ecosystem, not PyTorch: it must not count as PyTorch
    assert "PyTorch Lightning" not in set(answered["subject"])


def test_cli_json_and_wrong_year(tmp_path):
    path = write_kaggle(tmp_path / "kaggle_2020.csv", 2020, 200)
    db = tmp_path / "s.duckdb"
    runner = CliRunner()
    ok = runner.invoke(app, ["--db", str(db), "survey", "import", str(path), "--source", "kaggle", "--year", "2020",
                             "--json"])
    assert ok.exit_code == 0, ok.output
    records = json.loads(ok.output)
    assert {r["segment"] for r in records} == {"all respondents"}
    assert all(r["ci_low"] <= r["share_pct"] <= r["ci_high"] for r in records)
    with pytest.raises(InputError, match="expected columns Q2, Q17_1.*match the 2020 or 2021 survey"):
        read_kaggle(path, year=2022, field=load_field())

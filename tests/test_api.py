"""The Python API a notebook uses."""

import altair as alt
import pandas as pd
import pytest

import mindshare
from mindshare.errors import UnknownContenderError


def test_observations_is_a_dataframe_with_provenance(bundled_store_path):
    frame = mindshare.observations("downloads", ["PyTorch", "tensorflow"], db=bundled_store_path)
    assert isinstance(frame, pd.DataFrame) and not frame.empty
    assert set(frame["contender"]) == {"pytorch", "tensorflow"}
    for column in ["source", "reference", "method", "collected_at", "snapshot_id", "period_start", "value"]:
        assert column in frame.columns
    assert pd.api.types.is_datetime64_any_dtype(frame["period_start"])


def test_unknown_contender_raises(bundled_store_path):
    with pytest.raises(UnknownContenderError):
        mindshare.observations("downloads", "tensorfow", db=bundled_store_path)


def test_chart_is_an_altair_chart_that_displays_inline(bundled_store_path):
    chart = mindshare.chart("research", db=bundled_store_path)
    assert isinstance(chart, alt.TopLevelMixin)
    assert "text/html" in chart._repr_mimebundle_()
    with pytest.raises(KeyError, match="no section 'nope'"):
        mindshare.chart("nope", db=bundled_store_path)


def test_results_and_contenders(bundled_store_path):
    results = mindshare.results(db=bundled_store_path)
    assert [s["id"] for s in results["sections"]][:6] == ["jobs", "research", "search", "usage", "signals", "summary"]
    contenders = mindshare.contenders()
    assert "pytorch" in set(contenders["id"])
    assert len(mindshare.snapshots(db=bundled_store_path)) >= 1

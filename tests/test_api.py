"""The Python API a notebook uses."""

import inspect
import json
import re
import subprocess
import sys
import textwrap

import altair as alt
import duckdb
import pandas as pd
import pytest

import mindshare
from mindshare import settings
from mindshare.errors import InputError, UnknownContenderError


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
    assert [s["id"] for s in results["sections"]][:7] == ["headline", "jobs", "research", "search", "usage", "signals",
                                                          "summary"]
    contenders = mindshare.contenders()
    assert "pytorch" in set(contenders["id"])
    assert len(mindshare.snapshots(db=bundled_store_path)) >= 1


def test_bad_input_raises_mindshares_errors_not_duckdbs(bundled_store_path):
    for call in (lambda: mindshare.observations(as_of="yesterday", db=bundled_store_path),
                 lambda: mindshare.observations(as_of="2020-13-01", db=bundled_store_path),
                 lambda: mindshare.results(as_of="yesterday", db=bundled_store_path)):
        with pytest.raises(InputError, match=r"as_of '.*' is not a date; write it as YYYY-MM-DD") as caught:
            call()
        assert not isinstance(caught.value, duckdb.Error)
    with pytest.raises(InputError, match=r"unknown signal 'dowloads'; signals: .*downloads"):
        mindshare.observations("dowloads", db=bundled_store_path)


def test_results_and_report_take_compare_to_and_weights_as_the_cli_does(tmp_path, bundled_store_path):
    plain = _summary(mindshare.results(db=bundled_store_path))
    assert not any(f["text"].startswith("Since 2023-01-01") for f in plain["findings"])
    for weights in ({"jobs": 0.5, "downloads": 0.5}, "jobs=0.5,downloads=0.5"):
        summary = _summary(mindshare.results(db=bundled_store_path, compare_to="2023-01-01", weights=weights))
        since = [f for f in summary["findings"] if f["text"].startswith("Since 2023-01-01: downloads")]
        assert since and "→" in since[0]["text"]
        assert any(f["text"].startswith("Composite score (custom)") for f in summary["findings"])
    folder = mindshare.report(tmp_path / "r", db=bundled_store_path, png=False, weights={"jobs": 1})
    assert any(f["text"].startswith("Composite score (custom)")
               for f in _summary(json.loads((folder / "results.json").read_text()))["findings"])
    bad = {"compare_to 'last year' is not a date": dict(compare_to="last year"),
           "weights 'jobs': 'jobs' is not SIGNAL=WEIGHT": dict(weights="jobs"),
           "unknown signal 'job'": dict(weights={"job": 1}),
           "every weight is 0": dict(weights={"jobs": 0}),
           "is not a number": dict(weights={"jobs": "lots"}),
           "a weight is a finite number": dict(weights={"jobs": float("nan")})}
    for message, arguments in bad.items():
        with pytest.raises(InputError, match=re.escape(message)):
            mindshare.results(db=bundled_store_path, **arguments)
        with pytest.raises(InputError, match=re.escape(message)):
            mindshare.report(tmp_path / "never", db=bundled_store_path, png=False, **arguments)
    assert not (tmp_path / "never").exists()


def _summary(results: dict) -> dict:
    return next(s for s in results["sections"] if s["id"] == "summary")


def test_report_works_before_and_after_chart_in_one_process(tmp_path, bundled_store_path):
    """`mindshare.chart()` imports the mindshare.report subpackage, which used to replace `mindshare.report()`
    (TypeError: 'module' object is not callable). A fresh process, so no earlier import hides it."""
    script = textwrap.dedent("""
        import sys
        import mindshare
        out, db = sys.argv[1], sys.argv[2]
        first = mindshare.report(out=out + "/before", db=db, png=False)
        mindshare.chart("research", db=db)
        second = mindshare.report(out=out + "/after", db=db, png=False)
        import mindshare.report.render as render            # a submodule, as a notebook may import it
        from mindshare import report
        third = report(out=out + "/imported", db=db, png=False)
        print(first.name, second.name, third.name, render.__name__)
    """)
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path), str(bundled_store_path)],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["before", "after", "imported", "mindshare.report.render"]
    assert all((tmp_path / name / "results.json").exists() for name in ("before", "after", "imported"))
    assert str(inspect.signature(mindshare.report)).startswith("(out: 'str | Path' = 'mindshare-report'")


# Ways a notebook may first touch the two names that are both a module and an API function.
IMPORT_ORDERS = {
    "the API first": "import mindshare",
    "the modules first": "import mindshare.report.render, mindshare.report.build, mindshare.observations\n"
                         "import mindshare",
    "from-imports first": "from mindshare.report import render\nfrom mindshare.observations import COLUMNS\n"
                          "from mindshare import observations, report\nimport mindshare",
}


@pytest.mark.parametrize("first", IMPORT_ORDERS.values(), ids=IMPORT_ORDERS.keys())
def test_report_and_observations_are_the_api_in_any_import_order(first, bundled_store_path):
    """`mindshare.report` and `mindshare.observations` are also modules (the report subpackage, the observation
    vocabulary); whichever is imported first, calling the name calls the API's function (a bad argument gets the
    API's own error), the module's contents stay reachable, and help shows the function's arguments."""
    script = textwrap.dedent("""
        import sys
        {first}
        import inspect
        from mindshare.errors import InputError
        import mindshare.observations as vocabulary
        import mindshare.report.folder

        def refused(call):
            try:
                call()
            except InputError as exc:
                return str(exc)
            return "ran"

        db = sys.argv[1]
        print(refused(lambda: mindshare.report(out=sys.argv[2], as_of="2020-13-01", db=db)))
        print(refused(lambda: mindshare.observations("dowloads", db=db)))
        print(vocabulary.MEASUREMENT_KEY[0], mindshare.report.folder.__name__)
        print(inspect.signature(mindshare.report) == inspect.signature(mindshare.api.report),
              inspect.signature(mindshare.observations) == inspect.signature(mindshare.api.observations))
    """).format(first=first)
    result = subprocess.run([sys.executable, "-c", script, str(bundled_store_path), "never-written"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    report_error, observations_error, contents, signatures = result.stdout.splitlines()
    assert "as_of" in report_error and "2020-13-01" in report_error
    assert observations_error.startswith("unknown signal 'dowloads'; signals:")
    assert contents == "signal mindshare.report.folder"
    assert signatures == "True True"


def test_one_settings_per_call(tmp_path, monkeypatch):
    """A call (or a CLI command) makes its Settings the ones code below it reads; the environment is read when
    the call is made, not when mindshare is imported."""
    chosen = settings.read().with_store(tmp_path / "x.duckdb")
    with settings.using(chosen):
        assert settings.load() is chosen
        assert settings.load(env={}).store_path != chosen.store_path  # an explicit environment is read as given
    assert settings.load() is not chosen
    monkeypatch.setenv("MINDSHARE_LOCK_WAIT", "soon")
    with pytest.raises(settings.SettingsError, match="MINDSHARE_LOCK_WAIT='soon' is not a number of seconds"):
        mindshare.snapshots(db=tmp_path / "s.duckdb")


def test_collect_runs_the_one_collection_and_reports_each_source(tmp_path):
    """mindshare.collect() is the CLI's collection: here no contender of the field has an npm package, so the
    source is skipped, said why, and nothing is fetched or stored (no store is even made)."""
    import mindshare

    db = tmp_path / "collect.duckdb"
    outcomes = mindshare.collect("npm", contenders=["pytorch"], db=db)
    assert outcomes[["source", "status"]].to_dict("records") == [{"source": "npm", "status": "skipped"}]
    assert "no contender has a npm" in outcomes["why"].iloc[0] and outcomes["requests"].iloc[0] == 0
    assert not db.exists()

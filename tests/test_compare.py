"""`mindshare compare`: any technologies, compared offline from the bundled history and the store.

The five compares of issue 22 answer offline on a fresh machine (no store yet: none is created for contenders the
bundled dataset does not cover); what each name is, and where it came from, is said; a signal that measures only
some contenders says who it leaves out ("not measured", never zero), and PyPI and npm downloads are never one
ratio; bad input is one line, a non-zero exit and no store; a warm run is read from the answer cache without
pandas; `--save`, `--format`, `--as`, `--out`, `report --contenders`, `--online` (replayed) and `--collect`
(answers built from the providers' documented formats, tests/test_collect_report.py's provider).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from mindshare import api, comparison
from mindshare.cli import app
from mindshare.comparison import compare, compute
from mindshare.errors import InputError
from mindshare.fields import load_field
from mindshare.http import Http
from mindshare.resolve import parse_pins
from mindshare.settings import read

REPO = Path(__file__).resolve().parent.parent
FIVE = {"polars pandas": ["polars", "pandas"], "fastapi flask django": ["fastapi", "flask", "django"],
        "postgresql mysql sqlite": ["postgresql", "mysql", "sqlite"], "react vue angular": ["react", "vue", "angular"],
        "rust go": ["rust", "go"]}
DEEP_LEARNING = ("pytorch", "tensorflow", "deep learning", "neurips", "machine-learning framework")


def settings_in(folder: Path):
    return read({"MINDSHARE_DB": str(folder / "store.duckdb"), "MINDSHARE_CACHE": str(folder / "cache"),
                 "XDG_CONFIG_HOME": str(folder / "config")})


@pytest.fixture(scope="module")
def five(tmp_path_factory):
    """The five compares, each on a fresh machine: no store, no cache."""
    results = {}
    for case, names in FIVE.items():
        folder = tmp_path_factory.mktemp(case.replace(" ", "-"))
        results[case] = (compute(names, {}, settings_in(folder)), folder)
    return results


@pytest.mark.parametrize("case", list(FIVE))
def test_the_five_compares_answer_offline_without_creating_a_store(five, case):
    result, folder = five[case]
    assert result.answer is not None, case
    current = [row for row in result.scoreboard if row["current"]]
    assert current, f"{case}: no current measure"
    ids = {n["id"] for n in result.names}
    assert all(row["leader"] in ids for row in result.scoreboard)
    assert result.headline and not any(word in result.headline.lower() for word in DEEP_LEARNING)
    assert not (folder / "store.duckdb").exists()          # the bundle covers none of these: nothing written
    assert result.store.startswith("none yet")
    assert sum(result.history.values()) > 0 and all(source for source in result.history)


def test_what_each_name_is_and_where_it_came_from(five):
    polars = five["polars pandas"][0].names[0]
    assert polars["field"] == "dataframes" and "PyPI polars" in polars["how"] and "GitHub pola-rs/polars" in polars["how"]
    rust = five["rust go"][0].names[0]
    # 'rust' is a language and a PyPI project: the languages field settles it (no doubt left to print)
    assert rust["field"] == "languages" and "rust-lang/rust" in rust["how"] and not rust["doubt"]
    assert five["fastapi flask django"][0].survey_topic == "web frameworks"
    assert five["postgresql mysql sqlite"][0].survey_topic == "databases"
    assert five["rust go"][0].survey_topic == "languages"


def test_a_signal_that_leaves_a_contender_out_says_not_measured(five):
    result = five["postgresql mysql sqlite"][0]
    stars = next(row for row in result.coverage if row["metric"] in ("github_stars", "stars"))
    assert "sqlite" in stars["not_measured"] and "postgresql" in stars["measured"]
    scoreboard = next(row for row in result.scoreboard if row["metric"] == stars["metric"])
    assert scoreboard["leader"] != "sqlite" and scoreboard["runner_up"] != "sqlite"


def test_pypi_and_npm_downloads_are_never_one_ratio(tmp_path):
    """Express has npm downloads (collected here from a built answer), Django PyPI's: each pair is compared on the
    series both belong to, so no downloads row sets Express against Django."""
    from mindshare.session import session

    config = settings_in(tmp_path)
    with session(settings=config) as store:
        import pandas as pd

        from mindshare.observations import observation

        rows = [observation(signal="downloads", metric="npm_downloads_month", source="npm", subject="express",
                            contender="express", value=150e6 + month * 1e6, unit="downloads", method="npm v1",
                            period_start=pd.Timestamp(2026, month, 1).date(),
                            period_end=(pd.Timestamp(2026, month, 1) + pd.offsets.MonthEnd(0)).date(),
                            period_label=f"2026-{month:02d}") for month in range(1, 11)]
        store.add_snapshot(pd.DataFrame(rows), kind="collect", source="npm")
    result = compute(["express", "django", "flask"], {}, config)
    downloads = [row for row in result.scoreboard if row["signal"].startswith("downloads")]
    assert downloads
    for row in downloads:
        pair = {row["leader"], row["runner_up"]}
        assert not ({"express"} & pair and {"django", "flask"} & pair), row
    pypi = next(row for row in result.coverage if row["metric"] == "downloads_30d")
    assert "express" in pypi["not_measured"]


def test_a_compare_of_bundled_contenders_reads_the_bundle_once(tmp_path):
    """PyTorch and TensorFlow are the bundle's: the history adds nothing for them (its GitHub rows name the
    repository where the bundle's name the framework, and would count stars twice)."""
    config = settings_in(tmp_path)
    result = compute(["torch", "tensorflow"], {}, config)
    assert [n["id"] for n in result.names] == ["pytorch", "tensorflow"]      # torch is the field's PyTorch
    assert result.history == {}
    assert (tmp_path / "store.duckdb").exists()                               # the bundle needed a store
    stars = next(row for row in result.scoreboard if row["metric"] == "github_stars")
    assert stars["leader"] in ("pytorch", "tensorflow")


def test_the_store_file_is_never_written_by_a_compare(tmp_path, bundled_store_path):
    import shutil

    config = settings_in(tmp_path)
    shutil.copy(bundled_store_path, config.store_path)
    before = config.store_path.read_bytes()
    compute(["fastapi", "django"], {}, config)
    assert config.store_path.read_bytes() == before
    os.chmod(config.store_path, 0o444)           # a store the user may only read: joined the same way
    try:
        assert compute(["fastapi", "django"], {}, config).answer is not None
    finally:
        os.chmod(config.store_path, 0o644)


# -- the command line ------------------------------------------------------------------------------------------------
def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mindshare", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, check=False)


@pytest.mark.parametrize("args, words", [
    ([], "no names given"),
    (["polars"], "one name ('polars') is no comparison"),
    ([str(i) for i in range(30)], "30 names: compare at most 12"),
    (["polars", "pandas; rm -rf ~"], "is not a technology name"),
    (["polars", "<script>"], "is not a technology name"),
    (["polars", "nosuchthing-xyzzy"], "'nosuchthing-xyzzy' was found nowhere"),
    (["polars", "Polars"], "is given twice"),
    (["torch", "pytorch"], "are the same contender"),
    (["polars", "pandas", "--as", "nope=pypi:x"], "--as names nope"),
])
def test_bad_input_is_one_line_a_non_zero_exit_and_no_store(tmp_path, args, words):
    db = tmp_path / "store.duckdb"
    done = run_cli("compare", *args, env={"MINDSHARE_DB": str(db), "MINDSHARE_CACHE": str(tmp_path / "cache")})
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], done.stderr
    assert not db.exists()


def test_the_terminal_says_what_each_name_is_then_the_answer(tmp_path):
    done = run_cli("compare", "rust", "go", env={"MINDSHARE_DB": str(tmp_path / "s.duckdb"),
                                                 "MINDSHARE_CACHE": str(tmp_path / "cache")})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("rust: Rust, from the languages field: GitHub rust-lang/rust")
    assert lines[1].startswith("go: Go, from the languages field: GitHub golang/go")
    text = done.stdout
    assert "leader" in text and "lead" in text and "confidence" in text
    assert text.index("go: Go") < text.index("Rust is") or text.index("go: Go") < text.index("Go is")


def test_an_ambiguous_name_goes_on_and_says_how_to_pin(tmp_path):
    """'duckdb' is a PyPI project and a database the survey offers: outside a field, what is certain is compared
    and one line says what to pin."""
    config = settings_in(tmp_path)
    found = comparison.contenders_of(["duckdb", "sqlite"], {})
    # the databases field knows DuckDB: its word settles it
    assert found[0].field_name == "databases" and not found[0].doubt
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(comparison, "known_contenders", lambda: [])
        named = comparison.contenders_of(["duckdb", "sqlite"], {})
        assert "ambiguous" in named[0].doubt and "--as duckdb=" in named[0].doubt
        result = compute(["duckdb", "sqlite"], {}, config)
    assert result.names[0]["doubt"] and result.answer is not None


def test_a_warm_compare_reads_the_cache_without_pandas(tmp_path):
    env = {"MINDSHARE_DB": str(tmp_path / "s.duckdb"), "MINDSHARE_CACHE": str(tmp_path / "cache")}
    first = run_cli("compare", "fastapi", "django", env=env)
    assert first.returncode == 0, first.stderr
    code = ("import sys, runpy; sys.argv = ['mindshare', 'compare', 'fastapi', 'django']\n"
            "try:\n    runpy.run_module('mindshare', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print('HEAVY', sorted(m for m in ('pandas', 'duckdb', 'pyarrow', 'scipy') if m in sys.modules))")
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, **env}, check=True)
    assert second.stdout.splitlines()[-1] == "HEAVY []"
    assert second.stdout.replace("HEAVY []\n", "") == first.stdout


def test_the_cache_is_keyed_by_the_store_the_names_and_the_day(tmp_path):
    config = settings_in(tmp_path)
    first = compare(["fastapi", "django"], settings=config)
    assert not first.from_cache and compare(["fastapi", "django"], settings=config).from_cache
    assert not compare(["django", "fastapi"], settings=config).from_cache       # other names, another answer
    from datetime import date, timedelta

    assert not compare(["fastapi", "django"], settings=config, today=date.today() + timedelta(days=1)).from_cache
    from mindshare.session import session

    with session(settings=config):
        pass                                                                    # the store now exists
    assert not compare(["fastapi", "django"], settings=config).from_cache


def test_save_writes_a_field_file_that_loads_and_never_replaces_one(tmp_path):
    config = settings_in(tmp_path)
    result = compare(["fastapi", "express"], settings=config)
    path = comparison.save_field(result, tmp_path / "my-web.toml")
    saved = load_field(str(path))
    assert saved.name == "my-web" and saved.ids == ["fastapi", "express"]
    assert saved.survey("stackoverflow").topic == "web frameworks"
    assert saved.survey("stackoverflow").column(2019) == "WebFrameWorkedWith"
    assert saved.contender("express").npm == ("express",) and saved.contender("fastapi").pypi == ("fastapi",)
    with pytest.raises(InputError, match="the file exists"):
        comparison.save_field(result, path)
    with pytest.raises(InputError, match="ends in .toml"):
        comparison.save_field(result, tmp_path / "x.txt")


def test_json_and_csv_carry_the_scoreboard(tmp_path):
    env = {"MINDSHARE_DB": str(tmp_path / "s.duckdb"), "MINDSHARE_CACHE": str(tmp_path / "cache")}
    as_json = json.loads(run_cli("compare", "fastapi", "flask", "--format", "json", env=env).stdout)
    assert [n["id"] for n in as_json["names"]] == ["fastapi", "flask"]
    rows = as_json["answer"]["tables"][0]["rows"]
    as_csv = list(csv.DictReader(io.StringIO(run_cli("compare", "fastapi", "flask", "--format", "csv", env=env).stdout)))
    assert [r["signal"] for r in as_csv] == [r["signal"] for r in rows]
    assert {"leader_name", "lead", "ci_low", "ci_high", "trend", "confidence"} <= set(as_csv[0])


def test_a_pin_says_what_a_name_is(tmp_path):
    config = settings_in(tmp_path)
    result = compare(["mydb", "sqlite"], pins=['mydb=pypi:-,github:postgres/postgres,survey:"PostgreSQL"'],
                     settings=config)
    mine = result.names[0]
    assert mine["id"] == "mydb" and mine["how"].startswith("pinned:") and "postgres/postgres" in mine["how"]
    assert result.survey_topic == "databases"
    usage = next(row for row in result.scoreboard if row["metric"].endswith("survey_share"))
    assert {usage["leader"], usage["runner_up"]} == {"mydb", "sqlite"}


def test_the_full_report_of_named_contenders(tmp_path):
    runner = CliRunner()
    env = {"MINDSHARE_DB": str(tmp_path / "s.duckdb"), "MINDSHARE_CACHE": str(tmp_path / "cache")}
    done = runner.invoke(app, ["report", "--contenders", "polars,pandas", "--out", str(tmp_path / "r"), "--no-png"],
                         env=env)
    assert done.exit_code == 0, done.output
    results = json.loads((tmp_path / "r" / "results.json").read_text(encoding="utf-8"))
    assert results["field_title"] == "Polars vs pandas"
    headline = results["sections"][0]
    assert headline["id"] == "headline" and "pandas" in headline["findings"][0]["text"]
    html = (tmp_path / "r" / "index.html").read_text(encoding="utf-8").lower()
    assert "pytorch" not in html and "tensorflow" not in html
    refused = runner.invoke(app, ["report", "--contenders", "polars,pandas", "--field", "dataframes"], env=env)
    assert refused.exit_code != 0 and "give one of them" in str(refused.exception)


def test_the_api_compares_like_the_command(tmp_path):
    result = api.compare(["fastapi", "flask"], db=tmp_path / "s.duckdb")
    assert result.headline and result.scoreboard and {n["id"] for n in result.names} == {"fastapi", "flask"}


# -- online, replayed ------------------------------------------------------------------------------------------------
def test_online_resolution_is_replayed(tmp_path, monkeypatch):
    """--online asks PyPI, Stack Exchange and Wikipedia (answers recorded or built from the APIs' documentation:
    tests/fixtures/resolve/SOURCES.md); the answer is the same analysis."""
    from test_resolve import replay

    from mindshare.commands import compare as verb

    monkeypatch.setattr(verb, "make_http", lambda settings: Http(transport=httpx.MockTransport(replay), cache=False,
                                                                 env={}))
    env = {"MINDSHARE_DB": str(tmp_path / "s.duckdb"), "MINDSHARE_CACHE": str(tmp_path / "cache")}
    done = CliRunner().invoke(app, ["compare", "polars", "fastapi", "--online", "--format", "json"], env=env)
    assert done.exit_code == 0, done.output
    found = json.loads(done.stdout)
    assert [n["id"] for n in found["names"]] == ["polars", "fastapi"]
    assert found["answer"]["tables"][0]["rows"]


def test_collect_fetches_just_these_contenders_then_compares(tmp_path, monkeypatch):
    import stamina
    from test_collect_report import provider

    from mindshare.commands import compare as verb
    from mindshare.session import session

    stars = {"fastapi/fastapi": 95_000, "django/django": 86_000}
    monkeypatch.setattr(verb, "make_http", lambda settings: Http(
        transport=httpx.MockTransport(functools.partial(provider, stars=stars)), cache=False,
        env={"GITHUB_TOKEN": "t"}))
    env = {"MINDSHARE_DB": str(tmp_path / "s.duckdb"), "MINDSHARE_CACHE": str(tmp_path / "cache")}
    with stamina.set_testing(True, attempts=1):
        done = CliRunner().invoke(app, ["compare", "fastapi", "django", "--collect", "--quiet"], env=env)
    assert done.exit_code == 0, done.output
    with session(tmp_path / "s.duckdb", read_only=True) as store:
        collected = store.observations(source="api.github.com", contenders=["fastapi", "django"])
        snapshots = store.snapshots()
    assert set(collected["contender"]) == {"fastapi", "django"}
    described = " ".join(snapshots.loc[snapshots["kind"] == "collect", "description"])
    assert "2 contenders of field compare" in described


def test_pins_parse_before_anything_runs():
    with pytest.raises(InputError):
        parse_pins(["x=github:not-a-repo"])


def test_the_package_face_compares(tmp_path):
    import mindshare

    result = mindshare.compare(["rust", "go"], db=tmp_path / "s.duckdb")
    assert [n["id"] for n in result.names] == ["rust", "go"] and "compare" in mindshare.__all__

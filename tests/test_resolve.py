"""Name resolution (mindshare.resolve): real names and the traps, offline from the bundled index and online from
replayed answers (tests/fixtures/resolve: recorded where a recording exists, built from the APIs' documentation
where none does; SOURCES.md there says which is which)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from mindshare import history
from mindshare.errors import InputError, SourceError
from mindshare.fields import Contender, parse_field
from mindshare.http import Http
from mindshare.resolve import (
    AMBIGUOUS,
    IMPORT_NAMES,
    NOT_FOUND,
    PYPI_API,
    RESOLVED,
    STACK_EXCHANGE_API,
    Pin,
    check_name,
    choose_article,
    contender_id,
    label_keys,
    parse_pin,
    parse_pins,
    repository_of,
    resolve,
    resolve_all,
)

FIXTURES = Path(__file__).parent / "fixtures" / "resolve"


# -- offline: real names ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, pypi, github, label", [
    ("polars", "polars", "pola-rs/polars", None),
    ("pandas", "pandas", "pandas-dev/pandas", "Pandas"),
    ("fastapi", "fastapi", "fastapi/fastapi", "FastAPI"),
    ("flask", "flask", "pallets/flask", "Flask"),
    ("django", "django", "django/django", "Django"),
    ("react", None, "react/react", "React"),
    ("vue", None, "vuejs/vue", "Vue.js"),
    ("go", None, "golang/go", "Go"),
    ("postgresql", None, None, "PostgreSQL"),
    ("sqlite", None, None, "SQLite"),
])
def test_real_names_resolve_offline(name, pypi, github, label):
    found = resolve(name)
    assert found.status == RESOLVED, found.message()
    assert [f.value for f in found.pypi] == ([pypi] if pypi else [])
    assert (found.github.value.lower() if found.github else None) == github
    if label:
        assert label in {s.label.strip() for s in found.survey}
    assert found.message().startswith(f"{name}: ")


def test_survey_labels_follow_the_options_renamed_across_years():
    react = resolve("react")
    by_year = {s.year: s.label for s in react.survey if s.topic == "web frameworks"}
    assert by_year[2019] == "React.js" and by_year[2022] == "React.js" and by_year[2023] == "React"
    assert sorted(by_year) == list(range(2019, 2027))
    assert react.contender_fields()["stackoverflow_survey"]["2026"] == "React"


def test_angular_is_not_angularjs():
    angular = {(s.year, s.label) for s in resolve("angular").survey}
    assert (2019, "Angular/Angular.js") in angular and (2023, "Angular") in angular
    assert not any(label in ("Angular.js", "AngularJS") for _, label in angular)
    angularjs = resolve("angular.js")
    assert angularjs.github.value == "angular/angular.js"
    assert {s.label for s in angularjs.survey} >= {"Angular.js", "AngularJS"}
    assert label_keys("React.js") == {"reactjs", "react"} and "angular" not in label_keys("AngularJS")


# -- offline: the traps ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("import_name, project", [("sklearn", "scikit-learn"), ("bs4", "beautifulsoup4"),
                                                  ("PIL", "pillow")])
def test_an_import_name_resolves_to_its_pypi_project(import_name, project):
    found = resolve(import_name)
    assert found.status == RESOLVED
    assert found.pypi[0].value == project and found.pypi[0].origin == IMPORT_NAMES
    assert "import name" in found.pypi[0].detail
    if import_name in ("sklearn", "bs4"):      # PyPI also has small projects of those names: set aside, said so
        assert [a.value for a in found.alternatives if a.kind == "pypi"] == [history.normalise_pypi(import_name)]


def test_a_placeholder_project_named_like_the_repository_gives_way_to_the_repositorys_project():
    found = resolve("pytorch")      # PyPI 'pytorch' exists (a placeholder); the library is torch
    assert [f.value for f in found.pypi] == ["torch"]
    assert found.github.value == "pytorch/pytorch"
    assert any(a.value == "pytorch" and "set aside" in a.detail for a in found.alternatives)


def test_a_repository_that_moved_is_given_by_its_new_name_with_the_old_ones():
    fastapi = resolve("fastapi")
    assert fastapi.github.value == "fastapi/fastapi" and fastapi.github_former == ("tiangolo/fastapi",)
    react = resolve("react")
    assert react.github.value == "react/react" and react.github_former == ("facebook/react",)
    rows = history.observations([fastapi.wanted()])
    subjects = set(rows.loc[rows["metric"] == "github_stars", "subject"])
    assert {"tiangolo/fastapi", "fastapi/fastapi"} <= subjects


def test_a_name_that_is_two_things_is_ambiguous_and_says_how_to_pin_it():
    rust = resolve("rust")          # the language, and a small PyPI project of the same name
    assert rust.status == AMBIGUOUS and rust.ambiguous_kinds == ("pypi",)
    line = rust.message()
    assert "\n" not in line and "PyPI rust" in line and "rust-lang/rust is Rust" in line
    assert "--as rust=pypi:-,github:rust-lang/rust" in line
    settled = rust.settled()
    assert settled.status == RESOLVED and not settled.pypi and settled.github.value == "rust-lang/rust"
    pinned = resolve("rust", pin=parse_pin(rust.suggested_pin()))
    assert pinned.status == RESOLVED and not pinned.pypi and pinned.github.value == "rust-lang/rust"

    mysql = resolve("mysql")        # two client libraries named mysql on GitHub, none of them MySQL
    assert mysql.status == AMBIGUOUS and set(mysql.ambiguous_kinds) == {"github", "pypi"}
    assert "mysqljs/mysql" in mysql.message() and "go-sql-driver/mysql" in mysql.message()
    assert mysql.settled().github is None and {s.label for s in mysql.settled().survey} == {"MySQL"}


def test_a_name_found_nowhere_says_so_and_how_to_pin():
    found = resolve("zzqx-not-a-technology")
    assert found.status == NOT_FOUND
    assert "found nowhere" in found.message() and "--as zzqx-not-a-technology=pypi:" in found.message()
    assert found.wanted() == history.Wanted("zzqx-not-a-technology")


@pytest.mark.parametrize("bad", ["", "   ", "<script>alert(1)</script>", "react; rm -rf ~", "$(whoami)", "a" * 81,
                                 "-rf", "pandas\nnumpy"])
def test_names_with_shell_or_html_characters_are_refused_in_one_line(bad):
    with pytest.raises(InputError) as raised:
        resolve(bad)
    assert "\n" not in str(raised.value)


def test_resolving_offline_imports_neither_pandas_nor_the_network_layer():
    """A compare's first step stays light: pandas (0.3 s to import) only when rows are read into a DataFrame."""
    code = ("import sys, mindshare.resolve as r; r.resolve_all(['polars', 'react', 'sklearn']); "
            "print(sorted(m for m in ('pandas', 'httpx', 'mindshare.http', 'pyarrow.dataset') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_contender_ids_are_field_ids():
    assert [contender_id(n) for n in ("Node.js", "C#", "C++", "scikit-learn", "PIL")] == \
        ["node-js", "c-sharp", "cpp", "scikit-learn", "pil"]
    assert check_name("  polars ") == "polars"


# -- pins --------------------------------------------------------------------------------------------------------
def test_pins_parse_and_win_over_what_is_found():
    pins = parse_pins(['express=pypi:-,github:expressjs/express,so:express,survey:"Express",npm:express',
                       'sk=pypi:scikit-learn,survey:"Scikit-learn",survey:"Scikit-Learn"'])
    assert pins["express"] == Pin("express", pypi=("-",), github="expressjs/express", so="express",
                                  survey=("Express",), npm="express")
    express = resolve("express", pin=pins["express"])
    assert express.status == RESOLVED and not express.pypi
    assert express.stackoverflow_tag.value == "express" and not express.stackoverflow_tag.confirmed
    assert {s.year for s in express.survey} == set(range(2019, 2027))
    sk = resolve("sk", pin=pins["sk"])
    assert sk.pypi[0].value == "scikit-learn" and {s.year for s in sk.survey} == {2022, 2023, 2024}
    quoted = parse_pin('x=survey:"Label, with a comma",github:a/b')
    assert quoted.survey == ("Label, with a comma",) and quoted.github == "a/b"


@pytest.mark.parametrize("text, words", [
    ("polars", "write NAME="), ("polars=", "nothing after"), ("polars=pip:polars", "unknown key 'pip'"),
    ("polars=pypi:", "has no value"), ("polars=github:polars", "owner/name"),
    ("polars=github:a/b,github:c/d", "given 2 times"), ("<b>=pypi:x", "not a technology name"),
    ("polars=pypi:bad name!", "not a PyPI project name"),
])
def test_bad_pins_say_what_is_wrong(text, words):
    with pytest.raises(InputError, match=words):
        parse_pin(text)


def test_a_pin_for_a_name_not_asked_or_twice_or_an_unknown_label_is_refused():
    with pytest.raises(InputError, match="not among the names"):
        resolve_all(["polars", "pandas"], pins=parse_pins(["polar=pypi:polars"]))
    with pytest.raises(InputError, match="given twice"):
        parse_pins(["a=pypi:a", "a=pypi:b"])
    with pytest.raises(InputError, match="'No Such Framework'"):
        resolve("x", pin=parse_pin('x=survey:"No Such Framework"'))


# -- what the next layers build from it --------------------------------------------------------------------------------
def test_a_resolution_builds_a_contender_and_a_field_file(tmp_path):
    found = resolve("react")
    contender = found.contender()
    assert isinstance(contender, Contender)
    assert contender.id == "react" and contender.name == "React" and contender.github == "react/react"
    assert dict(contender.stackoverflow_survey)["2019"] == "React.js" and "React.js" in contender.aliases
    values = found.contender_fields()
    lines = ['name = "resolved"', "", "[[contender]]"]
    for key, value in values.items():
        lines.append(f"{key} = {json.dumps(value)}" if not isinstance(value, dict) else
                     f"{key} = {{ {', '.join(f'{k} = {json.dumps(v)}' for k, v in value.items())} }}")
    path = tmp_path / "resolved.toml"
    field = parse_field("\n".join(lines), path)
    assert field.contenders[0] == contender


def test_all_five_compares_of_the_issue_resolve_every_name():
    for names in (["polars", "pandas"], ["fastapi", "flask", "django"], ["postgresql", "mysql", "sqlite"],
                  ["react", "vue", "angular"], ["rust", "go"]):
        for found in resolve_all(names):
            assert found.status in (RESOLVED, AMBIGUOUS), found.message()
            assert found.settled().survey or found.settled().pypi or found.settled().github, found.name


# -- online, replayed --------------------------------------------------------------------------------------------------
def replay(request: httpx.Request) -> httpx.Response:
    """Serve the recorded (or documented) answers by host and path; anything else is a test error."""
    host, path = request.url.host, request.url.path
    if host == "pypi.org":
        project = path.split("/")[2]
        file = FIXTURES / "pypi" / f"{project}.json"
        if file.exists():
            return httpx.Response(200, content=file.read_bytes(), headers={"content-type": "application/json"})
        return httpx.Response(404, content=(FIXTURES / "pypi" / "not-found.json").read_bytes(),
                              headers={"content-type": "application/json"})
    if host == "api.stackexchange.com":
        first, kind = path.split("/")[3].split(";")[0], path.split("/")[4]
        file = FIXTURES / "stackexchange" / f"tags_{kind}_{first}.json"
        if not file.exists():
            file = FIXTURES / "stackexchange" / "tags_info_empty.json"
        return httpx.Response(200, content=file.read_bytes(), headers={"content-type": "application/json"})
    if host == "en.wikipedia.org":
        file = FIXTURES / "wikipedia" / f"search_{request.url.params['srsearch'].casefold()}.json"
        if not file.exists():
            file = FIXTURES / "wikipedia" / "search_empty.json"
        return httpx.Response(200, content=file.read_bytes(), headers={"content-type": "application/json"})
    raise AssertionError(f"unexpected request {request.url}")


@pytest.fixture
def online():
    asked: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        return replay(request)

    with Http(transport=httpx.MockTransport(handler), cache=False, env={}) as http:
        http.asked = asked
        yield http


def test_online_pypi_metadata_names_a_repository_that_moved(online):
    found = resolve("fastapi", http=online)
    assert found.github.value == "fastapi/fastapi" and found.github.origin == PYPI_API
    assert "moved from tiangolo/fastapi" in found.github.detail
    assert [r.url.path for r in online.asked if r.url.host == "pypi.org"] == ["/pypi/fastapi/json"]


def test_online_the_placeholder_project_says_it_is_deprecated_and_the_tag_synonym_is_followed(online):
    found = resolve("sklearn", http=online)
    assert found.status == RESOLVED and found.pypi[0].value == "scikit-learn"
    set_aside = next(a for a in found.alternatives if a.value == "sklearn")
    assert "deprecated sklearn package, use scikit-learn instead" in set_aside.detail
    assert found.stackoverflow_tag.value == "scikit-learn" and found.stackoverflow_tag.origin == STACK_EXCHANGE_API
    assert "[sklearn] is a synonym of [scikit-learn]" in found.stackoverflow_tag.detail
    assert found.tag_synonyms == ("scikits-learn", "sklearn")
    asked = {r.url.path for r in online.asked}
    assert {"/pypi/scikit-learn/json", "/pypi/sklearn/json"} <= asked
    info = next(r for r in online.asked if r.url.path.endswith("/info"))
    assert info.url.path.split("/")[3].split(";")[:2] == ["sklearn", "sklearnjs"]


def test_online_the_name_itself_can_be_the_synonym(online):
    found = resolve("react", http=online)
    assert found.stackoverflow_tag.value == "reactjs"
    assert "[react] is a synonym of [reactjs]" in found.stackoverflow_tag.detail


def test_online_a_recorded_tags_answer(online):
    found = resolve("stripe-payments", http=online)    # PyPI answers 404; the tag is Stack Exchange's real answer
    assert found.status == RESOLVED
    assert found.stackoverflow_tag.value == "stripe-payments" and "12,549 questions" in found.stackoverflow_tag.detail
    assert any(a.detail == "not on PyPI (HTTP 404)" for a in found.alternatives)
    assert not found.pypi and found.wikipedia is None


def test_online_metadata_without_a_github_repository_finds_none(online):
    found = resolve("bs4", http=online)
    assert found.pypi[0].value == "beautifulsoup4" and found.github is None
    assert repository_of({"home_page": "http://www.crummy.com/software/BeautifulSoup/bs4/"}) is None
    assert repository_of({"project_urls": {"Homepage": "https://example.org",
                                           "Source Code": "https://github.com/pola-rs/polars"}}) == "pola-rs/polars"
    assert repository_of({"home_page": "git@github.com:Owner/Repo.git"}) == "owner/repo"


def test_online_wikipedia_prefers_the_qualified_title(online):
    assert resolve("polars", http=online).wikipedia.value == "Polars (software)"
    assert resolve("go", http=online).wikipedia.value == "Go (programming language)"
    recorded = json.loads((FIXTURES / "wikipedia" / "search_celtuce.json").read_text())
    titles = [hit["title"] for hit in recorded["query"]["search"]]
    assert choose_article("celtuce", titles) == ("Celtuce", "the search's hit titled 'celtuce'")
    butterfly = json.loads((FIXTURES / "wikipedia" / "search_butteryfly.json").read_text())
    assert choose_article("butteryfly", [h["title"] for h in butterfly["query"]["search"]]) is None


def test_online_a_failing_provider_is_one_clear_error(no_stamina_waits):
    def down(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json={"message": "unavailable"})

    with Http(transport=httpx.MockTransport(down), cache=False, env={}) as http, \
            pytest.raises(SourceError) as raised:
        resolve("polars", http=http)
    assert "pypi-json" in str(raised.value) and "\n" not in str(raised.value)

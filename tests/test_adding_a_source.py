"""docs/collect.md's "Adding a source", followed as written with a toy source: a metric declared, one module
written (to a folder of its own here, imported as a module of its own), a field key, one registry line, and
replayed responses. If a step of the recipe stops working, this fails."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date

import httpx
import pytest

from mindshare.catalogue import CATALOGUE, LEVEL, Catalogue, Metric
from mindshare.collection import run_collection
from mindshare.fields import Contender
from mindshare.http import Http, Limit
from mindshare.sources import SOURCES, registry
from mindshare.store import store_session

# 1. what it counts: a metric of an existing signal (a toy registry of packages counts "dependents")
TOY_DEPENDENTS = Metric("toy_dependents", "dependents", LEVEL, False, "packages on the toy registry that depend on "
                        "it", "packages", "toy-registry dependents")
TOY_CATALOGUE: Catalogue = CATALOGUE.with_metrics([TOY_DEPENDENTS])

# 2. the module, as a source file of its own
MODULE = '''
"""Dependents on the toy registry: `GET https://toy.example/api/{package}` answers {"dependents": N}."""
from datetime import date

import pandas as pd

from mindshare.fields import Contender
from mindshare.http import Limit, Provider
from mindshare.settings import Settings
from mindshare.sources.base import Call, Run, Source, require
from test_adding_a_source import TOY_DEPENDENTS

API = "https://toy.example/api"


class ToySource(Source):
    name = "toy"
    title = "Toy registry dependents"
    provider = Provider("toy", "toy registry", "toy.example", limit=Limit(per_second=10.0))
    signal = "dependents"
    source = "toy.example"
    method = "toy-v1"
    identifier = "pypi"
    metrics = (TOY_DEPENDENTS,)
    measures = "dependents per package on the toy registry"

    def plan(self, contenders: list[Contender], since: date, today: date, settings: Settings) -> list[Call]:
        return [Call(self.provider, f"{API}/{p}", purpose=c.id) for c in self.eligible(contenders) for p in c.pypi]

    def collect(self, run: Run) -> pd.DataFrame:
        rows = []
        for c in run.contenders:
            for package in c.pypi:
                url = f"{API}/{package}"
                data, fetched = run.http.fetch_json(self.provider, url)
                rows.append(self.observation(
                    contender=c, subject=package, metric=TOY_DEPENDENTS.name,
                    value=require(data, "dependents", self, url, int), period_start=run.today,
                    period_end=run.today, period_label=f"{run.today}", unit="packages", reference=url,
                    query=f"{package}: dependents", collected_at=fetched))
        return pd.DataFrame(rows)
'''


@pytest.fixture
def toy_module(tmp_path):
    path = tmp_path / "toy.py"
    path.write_text(MODULE, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("toy_source_module", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["toy_source_module"] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules["toy_source_module"]


def test_a_toy_source_follows_the_recipe_into_the_store(tmp_path, toy_module):
    # 3. a field key: the toy registry names packages as PyPI does, so the contenders' `pypi` key serves
    contenders = [Contender("a", "A", pypi=("alpha",)), Contender("b", "B", pypi=("beta",))]
    # 4. one registry line (the real one is SOURCES in sources/__init__.py; the catalogue there is the real one)
    sources = registry(*SOURCES.values(), toy_module.ToySource(), catalogue=TOY_CATALOGUE)
    toy = sources["toy"]
    assert [c.full_url for c in toy.plan(contenders, date(2026, 1, 1), date(2026, 6, 1), None)] == [
        "https://toy.example/api/alpha", "https://toy.example/api/beta"]
    # 5. replayed responses, through the one collection runner, into a store
    answers = {"/api/alpha": 120, "/api/beta": 40}
    wire = httpx.MockTransport(lambda r: httpx.Response(200, json={"dependents": answers[r.url.path]}))
    db = tmp_path / "toy.duckdb"
    with Http(transport=wire, cache=False, limits={"toy": Limit(per_second=1e6, burst=100)}) as http:
        outcomes = run_collection([toy], contenders, date(2026, 1, 1), date(2026, 6, 1), http,
                                  lambda: store_session(db), progress=False)
    assert [(o.source, o.status, o.rows) for o in outcomes] == [("toy", "added", 2)]
    with store_session(db) as store:
        stored = store.observations(signal="dependents")
    assert stored.set_index("contender")["value"].to_dict() == {"a": 120.0, "b": 40.0}
    assert set(stored["metric"]) == {"toy_dependents"} and set(stored["source"]) == {"toy.example"}


def test_the_registry_refuses_what_the_recipe_forbids(toy_module):
    with pytest.raises(ValueError, match="not in the catalogue"):
        registry(toy_module.ToySource())                           # step 1 skipped: the metric is not declared
    with pytest.raises(ValueError, match="two sources named 'toy'"):
        registry(toy_module.ToySource(), toy_module.ToySource(), catalogue=TOY_CATALOGUE)
    wrong = type("Wrong", (toy_module.ToySource,), {"signal": "downloads"})
    with pytest.raises(ValueError, match="is of signal 'dependents'"):
        registry(wrong(), catalogue=TOY_CATALOGUE)

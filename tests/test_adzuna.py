"""Adzuna ad counts, replayed from recorded responses (tests/fixtures/adzuna: a real GB search, count 1160766, and
the wrapper of a real US search, count 223050), through the shared HTTP client."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import httpx
import pytest
import stamina

from mindshare.errors import InputError, SourceError
from mindshare.fields import load_field
from mindshare.http import Http, Limit
from mindshare.sources import Run, SourceSkipped
from mindshare.sources.adzuna import AdzunaSource, query_params

FIXTURES = Path(__file__).parent / "fixtures" / "adzuna"
RECORDED = {"gb": json.loads((FIXTURES / "search_gb_count_1160766.json").read_text(encoding="utf-8")),
            "us": json.loads((FIXTURES / "us_search_count_223050_excerpt.json").read_text(encoding="utf-8"))}
APP_ID, APP_KEY = "test-app-id-123", "test-secret-key-456"
ENV = {"ADZUNA_APP_ID": APP_ID, "ADZUNA_APP_KEY": APP_KEY}
FAST = {"adzuna": Limit(per_second=1e6, burst=1000, concurrency=1)}


class Recorder(httpx.BaseTransport):
    def __init__(self, status=200, body=None):
        self.seen: list[httpx.Request] = []
        self.status, self.body = status, body

    def handle_request(self, request):
        self.seen.append(request)
        if self.status != 200:
            return httpx.Response(self.status, json={"exception": "AUTH_FAIL"})
        country = request.url.path.split("/")[4]
        return httpx.Response(200, json=self.body if self.body is not None else RECORDED[country])


def collect(wire, env=ENV, countries=("gb", "US"), cache_dir=None):
    field = load_field()
    http = Http(transport=wire, cache=cache_dir is not None, cache_dir=cache_dir, limits=FAST, env=env)
    with http:
        frame = AdzunaSource(countries=countries).collect(Run(http, list(field.contenders), date(2026, 1, 1),
                                                              date(2026, 11, 26)))
    return frame, http, field


@pytest.fixture(autouse=True)
def no_stamina_waits():
    with stamina.set_testing(True, attempts=2):
        yield


def test_counts_per_contender_and_country_through_the_shared_client_without_leaking_the_key(tmp_path):
    wire = Recorder()
    frame, http, field = collect(wire, cache_dir=tmp_path / "cache")
    assert len(frame) == 2 * len(field.contenders)
    assert set(frame["segment"]) == {"gb", "us"}
    assert (frame[frame.segment == "gb"]["value"] == 1160766).all()
    assert (frame[frame.segment == "us"]["value"] == 223050).all()
    assert (frame["metric"] == "job_listings").all() and (frame["source"] == "Adzuna").all()
    assert frame["collected_at"].notna().all()
    # the key reached the wire, added by the shared client's signing ...
    assert all(r.url.params["app_key"] == APP_KEY and r.url.params["app_id"] == APP_ID for r in wire.seen)
    assert wire.seen[0].url.path == "/v1/api/jobs/gb/search/1"
    # ... its requests are counted like every source's, with the key masked ...
    assert len(http.requests) == len(wire.seen) == len(frame)
    assert all("app_key=%2A%2A%2A" in r.url or "app_key=***" in r.url for r in http.requests)
    # ... and nowhere else: not the observations, not the request log, not the cache file
    text = frame.to_csv()
    assert APP_KEY not in text and APP_ID not in text
    assert all(APP_KEY not in r.url and APP_ID not in r.url for r in http.requests)
    cached = b"".join(p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert APP_KEY.encode() not in cached and APP_ID.encode() not in cached


def test_ambiguous_names_are_asked_with_learning():
    field = load_field()
    assert query_params(field.contender("jax"))["what_and"] == "learning"
    assert "what_and" not in query_params(field.contender("pytorch"))


def test_missing_credentials_skip_and_say_what_to_set_and_a_bad_country_is_refused():
    wire = Recorder()
    with pytest.raises(SourceSkipped, match="ADZUNA_APP_ID and ADZUNA_APP_KEY are not set"):
        collect(wire, env={})
    assert wire.seen == []
    with pytest.raises(InputError, match="no Adzuna site for country xx"):
        collect(wire, countries=["xx"])


def test_countries_come_from_the_settings_when_not_given():
    from mindshare.settings import load

    assert AdzunaSource().countries(load({"MINDSHARE_ADZUNA_COUNTRIES": "de, FR"})) == ["de", "fr"]
    assert AdzunaSource().countries(load({})) == ["gb", "us"]


def test_rejected_key_is_one_line_without_the_key():
    with pytest.raises(SourceError) as caught:
        collect(Recorder(status=401), countries=["gb"])
    message = str(caught.value)
    assert "401" in message and "ADZUNA_APP_ID and ADZUNA_APP_KEY were rejected" in message
    assert APP_KEY not in message and "\n" not in message


def test_a_response_without_count_is_a_schema_error():
    with pytest.raises(SourceError, match="has no 'count'"):
        collect(Recorder(body={"results": []}), countries=["gb"])

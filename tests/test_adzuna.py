"""Adzuna ad counts, replayed from a recorded response (tests/fixtures/adzuna: real GB search, count 1160766)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import httpx
import pytest
import stamina

from mindshare.errors import SourceError
from mindshare.fields import load_field
from mindshare.http import Http, Limit
from mindshare.sources import adzuna

RECORDED = json.loads((Path(__file__).parent / "fixtures" / "adzuna" / "search_gb_count_1160766.json")
                      .read_text(encoding="utf-8"))
APP_ID, APP_KEY = "test-app-id-123", "test-secret-key-456"

FAST = {"adzuna": Limit(per_second=1e6, burst=1000, concurrency=1)}


class Recorder(httpx.BaseTransport):
    def __init__(self, status=200):
        self.seen: list[httpx.Request] = []
        self.status = status

    def handle_request(self, request):
        self.seen.append(request)
        if self.status != 200:
            return httpx.Response(self.status, json={"exception": "AUTH_FAIL"})
        return httpx.Response(200, json=RECORDED)


def test_counts_per_contender_and_country_without_leaking_the_key(tmp_path):
    wire = Recorder()
    field = load_field()
    http = Http(transport=adzuna.AdzunaCredentials(APP_ID, APP_KEY, wire), cache=True, cache_dir=tmp_path / "cache", limits=FAST)
    with http:
        frame = adzuna.collect(field, countries=["gb", "US"], http=http, today=date(2026, 11, 26))
    assert len(frame) == 2 * len(field.contenders)
    assert set(frame["segment"]) == {"gb", "us"} and (frame["value"] == RECORDED["count"]).all()
    assert (frame["metric"] == "job_listings").all() and (frame["source"] == "Adzuna").all()
    # the key reached the wire ...
    assert all(r.url.params["app_key"] == APP_KEY and r.url.params["app_id"] == APP_ID for r in wire.seen)
    assert wire.seen[0].url.path == "/v1/api/jobs/gb/search/1"
    # ... and nowhere else: not the observations, not the request log, not the cache file
    text = frame.to_csv()
    assert APP_KEY not in text and APP_ID not in text
    assert all(APP_KEY not in r.url for r in http.requests)
    cached = b"".join(p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert APP_KEY.encode() not in cached and APP_ID.encode() not in cached


def test_ambiguous_names_are_asked_with_learning():
    field = load_field()
    assert adzuna.query_params(field.contender("jax"))["what_and"] == "learning"
    assert "what_and" not in adzuna.query_params(field.contender("pytorch"))


def test_missing_credentials_and_bad_country():
    with pytest.raises(SourceError, match="ADZUNA_APP_ID and ADZUNA_APP_KEY"):
        adzuna.collect(load_field(), countries=["gb"], env={})
    with pytest.raises(SourceError, match="no Adzuna site for country xx"):
        adzuna.collect(load_field(), countries=["xx"], env={"ADZUNA_APP_ID": "a", "ADZUNA_APP_KEY": "b"})


def test_rejected_key_is_one_line_without_the_key():
    with stamina.set_testing(True, attempts=2):
        http = Http(transport=adzuna.AdzunaCredentials(APP_ID, APP_KEY, Recorder(status=401)), cache=False, limits=FAST)
        with http, pytest.raises(SourceError) as caught:
            adzuna.collect(load_field(), countries=["gb"], http=http)
    assert "401" in str(caught.value) and APP_KEY not in str(caught.value) and "\n" not in str(caught.value)


def test_a_response_without_count_is_a_schema_error():
    class NoCount(Recorder):
        def handle_request(self, request):
            return httpx.Response(200, json={"results": []})

    http = Http(transport=adzuna.AdzunaCredentials(APP_ID, APP_KEY, NoCount()), cache=False, limits=FAST)
    with http, pytest.raises(SourceError, match="no 'count'"):
        adzuna.collect(load_field(), countries=["gb"], http=http)

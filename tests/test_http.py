"""The shared HTTP layer: credentials, cache, retries, rate limits and error lines.

No network. Most responses come from an `httpx.MockTransport` handler written here, BUILT from the providers'
documented responses (GitHub's rate-limit headers, Stack Exchange's `backoff` and throttle body); the last test
replays a real recorded Hugging Face cassette (tests/fixtures/huggingface, from huggingface_hub's test suite).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx
import pytest
from conftest import FakeClock

from mindshare import __version__
from mindshare.errors import SourceError
from mindshare.http import FETCHED_AT_HEADER, Http, Limit, redact_url
from mindshare.sources.arxiv import ArxivSource
from mindshare.sources.github import GitHubSource
from mindshare.sources.huggingface import HuggingFaceSource
from mindshare.sources.pypistats import PypistatsSource
from mindshare.sources.stackexchange import StackExchangeSource
from mindshare.sources.wikipedia import WikipediaSource

GITHUB, STACKEXCHANGE, HUGGINGFACE = GitHubSource.provider, StackExchangeSource.provider, HuggingFaceSource.provider
WIKIPEDIA, ARXIV, PYPISTATS = WikipediaSource.provider, ArxivSource.provider, PypistatsSource.provider




pytestmark = pytest.mark.usefixtures("no_stamina_waits")


def make_http(handler, tmp_path=None, env=None, **kwargs) -> tuple[Http, FakeClock, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def recording(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    clock = FakeClock(start=1000.0)
    http = Http(transport=httpx.MockTransport(recording), cache=tmp_path is not None,
                cache_dir=tmp_path, env=env or {}, clock=clock, sleep=clock.sleep, **kwargs)
    return http, clock, seen


def cache_bytes(folder) -> bytes:
    """Every byte the cache holds: its rows (blobs included) and its files."""
    con = sqlite3.connect(folder / "responses.sqlite")
    rows = b"".join(
        (v if isinstance(v, bytes) else str(v).encode())
        for table, in con.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
        for row in con.execute(f"SELECT * FROM {table}") for v in row)
    con.close()
    files = b"".join(p.read_bytes() for p in folder.iterdir() if p.is_file())
    return rows + files


def test_user_agent_names_mindshare_and_credentials_go_only_on_the_wire(tmp_path):
    token = "ghp_SECRET_TOKEN_123"
    http, _, seen = make_http(lambda r: httpx.Response(200, json={"ok": True}), tmp_path / "cache",
                              env={"GITHUB_TOKEN": token})
    with http:
        assert http.get_json(GITHUB, "https://api.github.com/repos/a/b") == {"ok": True}
        # the second call is a cache hit: the transport is not called again
        assert http.get_json(GITHUB, "https://api.github.com/repos/a/b") == {"ok": True}
    assert len(seen) == 1
    assert seen[0].headers["authorization"] == f"Bearer {token}"
    assert f"mindshare/{__version__}" in seen[0].headers["user-agent"]
    stored = cache_bytes(tmp_path / "cache")
    assert b"repos/a/b" in stored and token.encode() not in stored
    assert [r.from_cache for r in http.requests] == [False, True]


def test_query_key_is_added_below_the_cache_and_never_shown(tmp_path):
    key = "SEKEY0123456789"
    http, _, seen = make_http(lambda r: httpx.Response(200, json={"items": [], "quota_remaining": 9999}),
                              tmp_path / "c", env={"STACKEXCHANGE_KEY": key})
    with http:
        http.get_json(STACKEXCHANGE, "https://api.stackexchange.com/2.3/tags/pytorch/info",
                      params={"site": "stackoverflow"})
    assert seen[0].url.params["key"] == key
    assert all(key not in r.url for r in http.requests)
    stored = cache_bytes(tmp_path / "c")
    assert key.encode() not in stored
    assert b"tags/pytorch/info" in stored  # the entry is there, stored without the key


def test_429_with_retry_after_waits_that_long_then_succeeds():
    answers = iter([httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json=[1])])
    http, clock, seen = make_http(lambda r: next(answers))
    with http:
        assert http.get_json(HUGGINGFACE, "https://huggingface.co/api/models") == [1]
    assert len(seen) == 2
    assert any(abs(s - 7) < 0.01 for s in clock.sleeps), clock.sleeps


def test_retry_after_beyond_the_limit_fails_at_once_with_a_time():
    http, _, seen = make_http(lambda r: httpx.Response(429, headers={"Retry-After": "3600"}))
    with http, pytest.raises(SourceError, match=r"huggingface: GET .* HTTP 429.*rate limited for another 3600 s"):
        http.get_json(HUGGINGFACE, "https://huggingface.co/api/models")
    assert len(seen) == 1


def test_github_rate_limit_exhausted_is_a_clear_line():
    import time

    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()) + 1800)}
    http, _, _ = make_http(lambda r: httpx.Response(403, headers=headers, json={"message": "API rate limit exceeded"}))
    with http, pytest.raises(SourceError) as caught:
        http.get_json(GITHUB, "https://api.github.com/repos/a/b")
    message = str(caught.value)
    assert "\n" not in message and message.startswith("github:") and "rate limited" in message


def test_server_error_then_success_is_retried():
    answers = iter([httpx.Response(502), httpx.Response(503), httpx.Response(200, json={"v": 2})])
    http, _, seen = make_http(lambda r: next(answers))
    with http:
        assert http.get_json(WIKIPEDIA, "https://wikimedia.org/api/rest_v1/x") == {"v": 2}
    assert len(seen) == 3


def test_persistent_server_error_names_provider_url_and_status():
    http, _, seen = make_http(lambda r: httpx.Response(500, json={"message": "boom"}))
    with http, pytest.raises(SourceError, match=r"^arxiv: GET https://export.arxiv.org/api/query\?search_query=x "
                                                 r"-> HTTP 500 \(boom\); still failing after"):
        http.get_text(ARXIV, "https://export.arxiv.org/api/query", params={"search_query": "x"})
    assert len(seen) == 3


def test_timeout_is_retried_then_reported():
    def handler(request):
        raise httpx.ReadTimeout("read timed out", request=request)

    http, _, seen = make_http(handler)
    with http, pytest.raises(SourceError, match=r"^pypistats: GET .* timed out after"):
        http.get_json(PYPISTATS, "https://pypistats.org/api/packages/torch/recent")
    assert len(seen) == 3


def test_no_network_fails_fast_without_retrying():
    def handler(request):
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution", request=request)

    http, clock, seen = make_http(handler)
    with http, pytest.raises(SourceError, match=r"^github: cannot connect to api.github.com .*network"):
        http.get_json(GITHUB, "https://api.github.com/repos/a/b")
    assert len(seen) == 1 and clock.sleeps == []


def test_malformed_json_is_a_source_error():
    http, _, _ = make_http(lambda r: httpx.Response(200, text="<html>maintenance</html>"))
    with http, pytest.raises(SourceError, match=r"^stackexchange: the response is not valid JSON"):
        http.get_json(STACKEXCHANGE, "https://api.stackexchange.com/2.3/tags/x/info")


def test_rejected_token_names_the_variable_but_not_the_token():
    token = "hf_wrongwrongwrong"
    http, _, _ = make_http(lambda r: httpx.Response(401, json={"error": "Invalid credentials in Authorization header"}),
                           env={"HF_TOKEN": token})
    with http, pytest.raises(SourceError) as caught:
        http.get_json(HUGGINGFACE, "https://huggingface.co/api/models")
    assert "HF_TOKEN was rejected" in str(caught.value) and token not in str(caught.value)


def test_stackexchange_bad_key_and_throttle_body():
    key = "badkey999"
    http, _, _ = make_http(lambda r: httpx.Response(
        400, json={"error_id": 400, "error_name": "bad_parameter", "error_message": "key"}),
        env={"STACKEXCHANGE_KEY": key})
    with http, pytest.raises(SourceError, match="STACKEXCHANGE_KEY was rejected") as caught:
        http.get_json(STACKEXCHANGE, "https://api.stackexchange.com/2.3/tags/x/info")
    assert key not in str(caught.value)

    answers = iter([httpx.Response(400, json={"error_id": 502, "error_name": "throttle_violation",
                                              "error_message": "too many requests from this IP, more requests "
                                                               "available in 12 seconds"}),
                    httpx.Response(200, json={"items": []})])
    http, clock, seen = make_http(lambda r: next(answers))
    with http:
        assert http.get_json(STACKEXCHANGE, "https://api.stackexchange.com/2.3/tags/x/info") == {"items": []}
    assert any(abs(s - 12) < 0.01 for s in clock.sleeps)


def test_stackexchange_backoff_field_holds_the_next_request():
    http, clock, _ = make_http(lambda r: httpx.Response(200, json={"items": [], "backoff": 10}))
    with http:
        http.get_json(STACKEXCHANGE, "https://api.stackexchange.com/2.3/a")
        before = clock.now
        http.get_json(STACKEXCHANGE, "https://api.stackexchange.com/2.3/b")
    assert clock.now - before >= 10


def test_arxiv_limit_spaces_requests_three_seconds_apart():
    http, clock, seen = make_http(lambda r: httpx.Response(200, text="<feed/>"))
    starts = []
    with http:
        for n in range(4):
            http.get_text(ARXIV, "https://export.arxiv.org/api/query", params={"start": n})
            starts.append(http.requests[-1].started)
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert all(abs(g - 3.0) < 1e-6 for g in gaps), gaps


def test_limit_override_and_burst():
    http, clock, _ = make_http(lambda r: httpx.Response(200, json={}),
                               limits={"wikipedia": Limit(per_second=2.0, burst=3, concurrency=2)})
    with http:
        for n in range(5):
            http.get_json(WIKIPEDIA, f"https://wikimedia.org/x/{n}")
    # three at once from the burst, then one every half second
    assert sum(clock.sleeps) == pytest.approx(1.0)


def test_fetched_at_survives_a_cache_replay(tmp_path):
    http, _, _ = make_http(lambda r: httpx.Response(200, json={"n": 1}), tmp_path / "c")
    with http:
        first = http.get(GITHUB, "https://api.github.com/x")
        second = http.get(GITHUB, "https://api.github.com/x")
    assert first.headers[FETCHED_AT_HEADER] == second.headers[FETCHED_AT_HEADER]
    assert Http.fetched_at(first) == Http.fetched_at(second)


def test_redact_url_drops_secret_params():
    url = "https://api.stackexchange.com/2.3/tags?site=stackoverflow&key=abc&access_token=def"
    assert redact_url(url) == "https://api.stackexchange.com/2.3/tags?site=stackoverflow"
    assert json.dumps(redact_url("https://x.org/a")) == '"https://x.org/a"'


def test_real_hugging_face_cassette_replays_through_the_whole_stack():
    """A real recording (huggingface_hub's vcrpy cassette): a 307 to the model's new name, then its JSON.
    vcrpy answers below our transports, so limiter, credentials and redirect handling all run."""
    import vcr

    cassette = Path(__file__).parent / "fixtures" / "huggingface" / "InferenceApiTest.test_simple_inference.yaml"
    with vcr.use_cassette(str(cassette), record_mode="none"), Http(cache=False, env={}) as http:
        model = http.get_json(HUGGINGFACE, "https://huggingface.co/api/models/bert-base-uncased")
    assert model["id"] == "google-bert/bert-base-uncased"
    # one model, three framework tags: why the Hugging Face source reports the overlap of library tags
    assert {"pytorch", "tf", "jax"} <= set(model["tags"])
    assert [(r.status, r.url.rsplit("/", 2)[-2:]) for r in http.requests] == [
        (307, ["models", "bert-base-uncased"]), (200, ["google-bert", "bert-base-uncased"])]


def test_limiter_ends_when_a_refilled_token_falls_short_by_a_rounding_error():
    """At 30 requests a second, threads sharing the limiter can leave a refill at 0.9999999999999964 of a token;
    with the clock at 7.03 the 1e-16 seconds still to wait do not move it (the sum rounds back), and the
    limiter spun for ever (seen in the suite, under a clock a year ahead)."""
    import threading

    from mindshare.http import HostLimiter

    clock = FakeClock(start=7.033333333333333)
    limiter = HostLimiter(Limit(per_second=30.0, burst=30, concurrency=4), clock, clock.sleep)
    limiter._tokens, limiter._updated = 1 - 3.552713678800501e-15, clock()  # the state seen in the hang
    worker = threading.Thread(target=limiter.acquire, daemon=True)
    worker.start()
    worker.join(timeout=5)
    assert not worker.is_alive(), "the limiter spun on a rounding error"
    assert clock.now == 7.033333333333333  # a whole token, taken at once


# -- providers are data, not branches of this module ---------------------------------------------------------
def test_the_http_layer_names_no_provider():
    """Every provider's rules live with its source (Provider, retry and pause rules, credential); on main
    http.py branched on 'github' and 'stackexchange' and held a PROVIDERS registry the sources mutated."""
    import ast
    import inspect

    import mindshare.http as http_module
    from mindshare.sources import SOURCES
    from mindshare.sources.venues import PROVIDERS as VENUE_PROVIDERS

    tree = ast.parse(inspect.getsource(http_module))
    strings = [node.value.lower() for node in ast.walk(tree) if isinstance(node, ast.Constant)
               and isinstance(node.value, str) and node is not tree.body[0].value]   # the docstring may explain
    names = {s.provider.name for s in SOURCES.values()} | set(VENUE_PROVIDERS)
    assert not [n for n in names for s in strings if n in s.split()]
    assert not hasattr(http_module, "PROVIDERS")


def test_verbose_records_show_the_url_asked_with_secret_values_masked():
    lines = []
    key, token = "SEKEY0123456789", "ghp_SECRET"
    http, _, _ = make_http(lambda r: httpx.Response(200, json={"items": []}),
                           env={"STACKEXCHANGE_KEY": key, "GITHUB_TOKEN": token})
    http.on_request = lambda record: lines.append(record.line())
    with http:
        http.get_json(STACKEXCHANGE, "https://api.stackexchange.com/2.3/tags/x/info", {"site": "stackoverflow"})
        http.get_json(GITHUB, "https://api.github.com/repos/a/b")
    assert lines[0].startswith("GET https://api.stackexchange.com/2.3/tags/x/info?site=stackoverflow&key=*** -> 200 (")
    assert lines[0].endswith(", STACKEXCHANGE_KEY)")
    assert lines[1].startswith("GET https://api.github.com/repos/a/b -> 200") and lines[1].endswith(", GITHUB_TOKEN)")
    assert key not in " ".join(lines) and token not in " ".join(lines)


def test_a_query_in_the_url_is_kept():
    """On main build_url(url, None) dropped a query already in the URL: CVF's `?day=all` was never sent."""
    from mindshare.http import build_url

    assert build_url("https://openaccess.thecvf.com/CVPR2023?day=all") == "https://openaccess.thecvf.com/CVPR2023?day=all"
    assert build_url("https://x.org/a?b=1", {"c": 2, "d": None}) == "https://x.org/a?b=1&c=2"


def test_an_answer_a_rule_retries_is_not_kept_in_the_cache(tmp_path):
    from mindshare.http import Provider, Retry

    def empty_answer(response):
        return Retry(None, "an empty answer") if response.content == b'{"items": []}' else None

    flaky = Provider("flaky", "A provider whose empty answers are transient", "flaky.example",
                     Limit(1000.0, 1000, 1), retry_rules=(empty_answer,))
    answers = iter([b'{"items": []}', b'{"items": []}', b'{"items": [1]}'])
    http, _, seen = make_http(lambda r: httpx.Response(200, content=next(answers)), tmp_path / "c")
    with http:
        assert http.get_json(flaky, "https://flaky.example/list") == {"items": [1]}
        assert http.get_json(flaky, "https://flaky.example/list") == {"items": [1]}   # now from the cache
    assert len(seen) == 3 and [r.from_cache for r in http.requests][-1] is True


def test_pypistats_real_429_page_is_retried_then_named():
    page = (Path(__file__).parent / "fixtures" / "pypistats" / "pypistats_429_body_as_transcribed.html").read_text()
    http, _, seen = make_http(lambda r: httpx.Response(429, text=page, headers={"content-type": "text/html"}))
    with http, pytest.raises(SourceError) as caught:
        http.get_json(PYPISTATS, "https://pypistats.org/api/packages/requests/recent")
    assert len(seen) == 3
    assert "HTTP 429; still failing after 3 attempts; pypistats.org throttles by IP" in str(caught.value)


def test_stackexchange_real_throttle_bodies_fail_at_once_with_when_to_come_back():
    bodies = (Path(__file__).parent / "fixtures" / "stackexchange" / "throttle_violation_bodies.txt").read_text()
    body = json.loads(bodies.splitlines()[0])   # "more requests available in 67194 seconds"
    http, _, seen = make_http(lambda r: httpx.Response(400, json=body))
    with http, pytest.raises(SourceError, match=r"HTTP 400 \(too many requests from this IP.*rate limited for "
                                                r"another 67194 s"):
        http.get_json(STACKEXCHANGE, "https://api.stackexchange.com/2.3/questions")
    assert len(seen) == 1


def test_stackexchange_real_backoff_tail_holds_the_next_request():
    tail = (Path(__file__).parent / "fixtures" / "stackexchange" / "backoff_wrapper_fields.txt").read_text()
    wrapper = json.loads("{" + tail.splitlines()[2].strip() + ', "items": []}')
    http, clock, _ = make_http(lambda r: httpx.Response(200, json=wrapper))
    with http:
        http.get_json(STACKEXCHANGE, "https://api.stackexchange.com/2.3/a")
        before = clock.now
        http.get_json(STACKEXCHANGE, "https://api.stackexchange.com/2.3/b")
    assert wrapper["backoff"] == 10 and clock.now - before >= 10

"""Benchmark `mindshare collect`: every source for 10 contenders against a local stand-in for the providers.

A threaded HTTP server on 127.0.0.1 answers like GitHub, pypistats.org, Stack Exchange, the Hugging Face Hub,
Wikimedia and arXiv (same paths, same JSON/Atom shapes, synthetic numbers), with an injected latency (100 ms)
and each provider's documented rate limit enforced on the server side (a request that comes too early gets a
429 with Retry-After, and is counted as a violation). The client is the real one (`run_collection`, the
shared `Http` with its limiter, retries and credentials) with only the innermost transport pointed at the
local server.

Printed, beside the wall time:
  (a) the sum of all request latencies: what a one-request-at-a-time collector would take, rate limits aside;
  (b) the critical path the rate limits impose: for each host, the longer of (its requests beyond the burst /
      its rate + one latency) and (its requests / its allowed concurrency x latency); the largest over hosts.
Goal: wall time within 1.3x of (b), i.e. requests to different hosts overlap and no host waits longer than its
limit requires.

    .venv/bin/python bench/collect.py                 # 3 months of monthly series, real limits (~90 s: arXiv)
    .venv/bin/python bench/collect.py --scale 0.1     # every rate limit 10x faster (latency unchanged)
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import stamina

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from mindshare.collection import run_collection  # noqa: E402
from mindshare.fields import parse_field  # noqa: E402
from mindshare.http import Http, Limit  # noqa: E402
from mindshare.sources import SOURCES  # noqa: E402

BENCH_SOURCES = ["github", "pypistats", "stackexchange", "huggingface", "wikipedia", "arxiv"]
N_CONTENDERS = 10
STARS = 150  # two pages of stargazers each


def field_toml(n: int) -> str:
    parts = ['name = "bench"\ntitle = "Benchmark field"\n']
    for i in range(n):
        parts.append(f"""
[[contender]]
id = "c{i}"
name = "Contender {i}"
patterns = ["contender{i}"]
pypi = ["pkg{i}", "pkg{i}-extra"]
github = "org{i}/repo{i}"
stackoverflow_tag = "tag{i}"
wikipedia = "Contender {i}"
huggingface_library = "lib{i}"
""")
    return "".join(parts)


# -- the stand-in providers -------------------------------------------------------------------------------------
class ServerLimits:
    """Server-side token buckets per host: a request beyond the provider's limit is a violation (429)."""

    def __init__(self, limits: dict[str, Limit], slack: float):
        self.limits = limits
        self.slack = slack
        self.state = {host: [float(limit.burst), time.monotonic()] for host, limit in limits.items()}
        self.lock = threading.Lock()
        self.violations: Counter[str] = Counter()
        self.served: Counter[str] = Counter()

    def admit(self, host: str) -> bool:
        limit = self.limits[host]
        with self.lock:
            tokens, updated = self.state[host]
            now = time.monotonic()
            tokens = min(float(limit.burst), tokens + (now - updated) * limit.per_second)
            if tokens < 1 - self.slack:
                self.state[host] = [tokens, now]
                self.violations[host] += 1
                return False
            self.state[host] = [tokens - 1, now]
            self.served[host] += 1
            return True


def answer(host: str, path: str, query: dict, today: date) -> tuple[int, dict, bytes]:
    def js(body, headers=None):
        return 200, {"content-type": "application/json", **(headers or {})}, json.dumps(body).encode()

    if host == "api.github.com":
        parts = path.strip("/").split("/")
        if len(parts) == 3:
            return js({"full_name": f"{parts[1]}/{parts[2]}", "stargazers_count": STARS, "forks_count": 40,
                       "watchers_count": STARS, "subscribers_count": 12, "open_issues_count": 7})
        if parts[3] in ("contributors", "releases"):
            link = f'<https://api.github.com/{path.strip("/")}?per_page=1&page=57>; rel="last"'
            return js([{"id": 1}], {"link": link})
        if parts[3] == "stargazers":
            page = int(query.get("page", ["1"])[0])
            first = (page - 1) * 100
            stamps = [(datetime.now(UTC) - timedelta(days=STARS - i)).strftime("%Y-%m-%dT%H:%M:%SZ")
                      for i in range(first, min(first + 100, STARS))]
            return js([{"starred_at": s, "user": {"login": f"u{n}"}} for n, s in enumerate(stamps)])
    if host == "pypistats.org":
        days = [today - timedelta(days=d) for d in range(180, 0, -1)]
        data = [{"category": c, "date": f"{d:%Y-%m-%d}", "downloads": 1000 + d.day}
                for c in ("with_mirrors", "without_mirrors") for d in days]
        return js({"data": data, "package": path.split("/")[3], "type": "overall_downloads"})
    if host == "api.stackexchange.com":
        if "/tags/" in path:
            tags = path.split("/tags/")[1].split("/")[0].split(";")
            return js({"items": [{"name": t, "count": 1234} for t in tags], "has_more": False,
                       "quota_max": 10000, "quota_remaining": 9000})
        return js({"total": 321})
    if host == "huggingface.co":
        return js({"models": [], "numItemsPerPage": 30, "numTotalItems": 5000, "pageIndex": 0})
    if host == "wikimedia.org":
        article = path.split("/user/")[1].split("/")[0]
        items = [{"project": "en.wikipedia", "article": article, "granularity": "monthly",
                  "timestamp": f"{today.year}{m:02d}0100", "access": "all-access", "agent": "user", "views": 999}
                 for m in range(1, today.month)]
        return js({"items": items})
    if host == "export.arxiv.org":
        feed = ('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
                'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"><opensearch:totalResults>42'
                '</opensearch:totalResults><opensearch:startIndex>0</opensearch:startIndex></feed>')
        return 200, {"content-type": "application/atom+xml"}, feed.encode()
    return 404, {"content-type": "application/json"}, b'{"message": "Not Found"}'


def make_server(latency: float, limits: ServerLimits, today: date) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802
            parts = urlsplit(self.path)
            host, _, path = parts.path.lstrip("/").partition("/")
            time.sleep(latency)
            if host in limits.limits and not limits.admit(host):
                status, headers, body = 429, {"retry-after": "1", "content-type": "application/json"}, b"{}"
            else:
                status, headers, body = answer(host, "/" + path, parse_qs(parts.query), today)
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    return server


class LocalTransport(httpx.BaseTransport):
    """The innermost transport: sends https://HOST/PATH to http://127.0.0.1:PORT/HOST/PATH."""

    def __init__(self, port: int):
        self.port = port
        self.inner = httpx.HTTPTransport(limits=httpx.Limits(max_connections=64, max_keepalive_connections=64))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        local = url.copy_with(scheme="http", host="127.0.0.1", port=self.port, path=f"/{url.host}{url.path}")
        headers = httpx.Headers(request.headers)
        headers["host"] = f"127.0.0.1:{self.port}"
        return self.inner.handle_request(httpx.Request(request.method, local, headers=headers,
                                                       extensions=request.extensions))

    def close(self) -> None:
        self.inner.close()


# -- the figures --------------------------------------------------------------------------------------------------
def critical_path(counts: Counter, limits: dict[str, Limit], latency: float) -> tuple[float, dict[str, float]]:
    per_host = {}
    for provider, n in counts.items():
        limit = limits[provider]
        bucket = max(0, n - limit.burst) / limit.per_second + latency
        slots = math.ceil(n / max(1, limit.concurrency)) * latency
        per_host[provider] = max(bucket, slots)
    return max(per_host.values()), per_host


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.100, help="injected latency per request, seconds")
    parser.add_argument("--months", type=int, default=3, help="months of monthly series (arXiv: one request each)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every rate limit's time by this")
    args = parser.parse_args()

    env = {"GITHUB_TOKEN": "bench-token", "STACKEXCHANGE_KEY": "bench-key", "HF_TOKEN": "bench-token"}
    limits, hosts = {}, {}
    for name in BENCH_SOURCES:
        spec = SOURCES[name].provider
        base = spec.limit_for(spec.credential is not None and all(env.get(n) for n in spec.credential.names))
        limits[spec.name] = Limit(per_second=base.per_second / args.scale, burst=base.burst,
                                  concurrency=base.concurrency)
        hosts[spec.name] = spec.host
    today = datetime.now(UTC).date()
    since = (today.replace(day=1) - timedelta(days=28 * (args.months - 1))).replace(day=1)
    server_limits = ServerLimits({hosts[p]: lim for p, lim in limits.items()}, slack=0.05)
    server = make_server(args.latency, server_limits, today)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    field = parse_field(field_toml(N_CONTENDERS), Path("bench-field.toml"))
    http = Http(transport=LocalTransport(server.server_address[1]), cache=False, env=env, limits=limits)
    stamina.set_active(True)
    started = time.perf_counter()
    outcomes = run_collection([SOURCES[n] for n in BENCH_SOURCES], list(field.contenders), since, today, http,
                              open_store=None, chosen_field=field, progress=False, store=False)
    wall = time.perf_counter() - started
    server.shutdown()

    failed = [o for o in outcomes if o.status == "failed"]
    counts = Counter(r.provider for r in http.requests)
    latencies = sum(r.seconds for r in http.requests)
    path, per_host = critical_path(counts, limits, args.latency)
    print(f"bench/collect: {N_CONTENDERS} contenders, {len(BENCH_SOURCES)} sources, {args.months} months "
          f"({since}..{today}), latency {args.latency * 1000:.0f} ms, rate-limit scale {args.scale:g}")
    print(f"  requests: {sum(counts.values())} " + ", ".join(f"{p} {n}" for p, n in counts.items()))
    print("  per-host limit path: " + ", ".join(f"{p} {t:.1f} s" for p, t in per_host.items()))
    print(f"  server-side rate-limit violations: {sum(server_limits.violations.values())}")
    print(f"  rows: {sum(o.rows for o in outcomes)}; failed sources: {[o.source + ': ' + o.why for o in failed]}")
    print(f"wall time                          {wall:8.2f} s")
    print(f"(a) sum of request latencies       {latencies:8.2f} s   wall/(a) = {wall / latencies:.2f}")
    print(f"(b) rate-limit critical path       {path:8.2f} s   wall/(b) = {wall / path:.2f}  (goal <= 1.3)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

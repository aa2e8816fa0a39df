"""GitHub REST API: stars, forks, watchers, contributors, open issues, releases; monthly new stars where allowed.

Per contender with a `github` repository (owner/name):

- `GET /repos/{repo}`: `stargazers_count` (github_stars, the metric the bundled history uses), `forks_count`,
  `subscribers_count` (watchers: people subscribed to notifications; the API's `watchers_count` is only stars
  again), `open_issues_count` (GitHub counts open pull requests as issues here; said in the note).
- `GET /repos/{repo}/contributors?per_page=1&anon=true` and `GET /repos/{repo}/releases?per_page=1`: the count is
  the last page number in the `Link` header. GitHub refuses the contributor list of very large repositories
  (HTTP 403 "too large"); that is recorded as a note, not a failure.
- Star history, `GET /repos/{repo}/stargazers` with `Accept: application/vnd.github.star+json` (100 a page,
  oldest first, each with `starred_at`): new stars per month since `--since`, read backwards from the last page.
  Limits, said in every such row and in docs/collect.md: the API lists at most 40,000 stargazers (400 pages),
  so a repository with more stars gets a note instead of a history; only *current* stargazers are listed (an
  unstar removes the star from its month); and GitHub has restricted stargazer listings further in 2026, so a
  refusal (403/422) there is a note too. Without `GITHUB_TOKEN` (60 requests an hour) no history is fetched.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from datetime import date, datetime

import httpx
import pandas as pd

from mindshare import catalogue
from mindshare.errors import SourceError
from mindshare.fields import Contender
from mindshare.http import DEFAULT_RETRY_RULES, BearerToken, Limit, Provider, Retry
from mindshare.observations import month_label, months_between, partial_note
from mindshare.settings import Settings
from mindshare.sources.base import Call, Run, Source, require

API = "https://api.github.com"
STAR_PAGE_CAP = 400          # pages of 100 the stargazers endpoint will serve: 40,000 stars
STAR_ACCEPT = "application/vnd.github.star+json"


def rate_limit_reset(response: httpx.Response) -> Retry | None:
    """GitHub's exhausted quota: 403/429 with `x-ratelimit-remaining: 0`; `x-ratelimit-reset` (epoch seconds)
    says when it refills."""
    if response.status_code not in (403, 429) or response.headers.get("x-ratelimit-remaining") != "0":
        return None
    reset = response.headers.get("x-ratelimit-reset", "")
    wait = max(0.0, int(reset) - time.time()) if reset.isdigit() else 60.0
    return Retry(wait, "rate limit exhausted")


def last_page(response: httpx.Response) -> int | None:
    """The page number of the `Link` header's rel="last" (httpx parses the header: `response.links`)."""
    last = response.links.get("last", {}).get("url")
    if not last:
        return None
    page = httpx.URL(last).params.get("page", "")
    return int(page) if page.isdigit() else None


class GitHubSource(Source):
    name = "github"
    title = "GitHub"
    provider = Provider(
        "github", "GitHub REST API", "api.github.com",
        # 60 requests/hour without a token, 5,000 with one; GitHub asks for serial, not concurrent, requests.
        limit=Limit(per_second=60 / 3600, burst=60, concurrency=1),
        limit_with_credentials=Limit(per_second=5000 / 3600, burst=5000, concurrency=1),
        credential=BearerToken("GITHUB_TOKEN"),
        retry_rules=(rate_limit_reset, *DEFAULT_RETRY_RULES),
        limits_doc="https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api",
        hint="set GITHUB_TOKEN (a token with no scopes is enough) for 5,000 requests an hour")
    signal = "github"
    source = "api.github.com"
    method = "github-rest-v1"
    identifier = "github"
    metrics = (catalogue.GITHUB_STARS, catalogue.FORKS, catalogue.WATCHERS, catalogue.OPEN_ISSUES,
               catalogue.CONTRIBUTORS, catalogue.RELEASES, catalogue.STARS_NEW_MONTH)
    measures = "stars, forks, watchers, contributors, open issues, releases; monthly new stars (≤40k stars)"

    def plan(self, contenders: list[Contender], since: date, today: date, settings: Settings) -> list[Call]:
        calls = []
        for c in self.eligible(contenders):
            calls += [
                Call(self.provider, f"{API}/repos/{c.github}", purpose=f"{c.id}: repository totals"),
                Call(self.provider, f"{API}/repos/{c.github}/contributors", {"per_page": 1, "anon": "true"},
                     f"{c.id}: contributors"),
                Call(self.provider, f"{API}/repos/{c.github}/releases", {"per_page": 1}, f"{c.id}: releases"),
                Call(self.provider, f"{API}/repos/{c.github}/stargazers", {"per_page": 100, "page": "LAST..."},
                     f"{c.id}: star history since {since} (≤40,000 stars, with GITHUB_TOKEN)"),
            ]
        return calls

    def collect(self, run: Run) -> pd.DataFrame:
        contenders = self.eligible(run.contenders)
        run.set_total(len(contenders) * 4)
        rows: list[dict] = []
        for contender in contenders:  # GitHub asks for serial requests
            rows += self._repository(run, contender)
        return pd.DataFrame(rows)

    def _repository(self, run: Run, c: Contender) -> list[dict]:
        url = f"{API}/repos/{c.github}"
        repo, fetched = run.http.fetch_json(self.provider, url, headers={"accept": "application/vnd.github+json"})
        day = fetched.date()
        common = dict(contender=c, subject=c.github, period_start=day, period_end=day,
                      period_label=f"{day:%Y-%m-%d}", reference=url, collected_at=fetched)
        stars = require(repo, "stargazers_count", self, url, int)
        rows = [
            self.observation(metric="github_stars", value=stars, unit="github_stars",
                             query=f"repository {c.github}: stargazers_count", **common),
            self.observation(metric="forks", value=require(repo, "forks_count", self, url, int), unit="forks",
                             query=f"repository {c.github}: forks_count", **common),
            self.observation(metric="watchers", value=require(repo, "subscribers_count", self, url, int),
                             unit="watchers", query=f"repository {c.github}: subscribers_count",
                             note="people watching the repository (subscribers_count; watchers_count is stars)",
                             **common),
            self.observation(metric="open_issues", value=require(repo, "open_issues_count", self, url, int),
                             unit="issues", query=f"repository {c.github}: open_issues_count",
                             note="GitHub counts open pull requests as open issues", **common),
        ]
        run.advance(1)
        rows.append(self._counted(run, c, "contributors", "contributors", {"per_page": 1, "anon": "true"},
                                  common))
        run.advance(1)
        rows.append(self._counted(run, c, "releases", "releases", {"per_page": 1}, common))
        run.advance(1)
        rows += self._star_history(run, c, stars, fetched)
        run.advance(1)
        return rows

    def _counted(self, run: Run, c: Contender, path: str, metric: str, params: dict, common: dict) -> dict:
        """A list's length from one request: the last page number when 1 item per page."""
        url = f"{API}/repos/{c.github}/{path}"
        response = run.http.get(self.provider, url, params, ok=(204, 403))
        query = f"repository {c.github}: {path}, counted from the Link header's last page at per_page=1"
        if response.status_code == 403:
            detail = _message_of(response) or "refused"
            return self.observation(metric=metric, value=None, unit=metric, query=query,
                                    value_text=f"not available: GitHub says {detail!r}", **common)
        if response.status_code == 204:
            return self.observation(metric=metric, value=0, unit=metric, query=query, **common)
        count = last_page(response)
        if count is None:
            items = _json(response, self, url)
            if not isinstance(items, list):
                raise self.schema_error(f"list of {path}", url)
            count = len(items)
        note = "includes anonymous contributors (anon=true)" if path == "contributors" else None
        return self.observation(metric=metric, value=count, unit=metric, query=query, note=note, **common)

    def _star_history(self, run: Run, c: Contender, stars: int, fetched: datetime) -> list[dict]:
        url = f"{API}/repos/{c.github}/stargazers"
        day = fetched.date()
        common = dict(contender=c, subject=c.github, period_start=run.since, period_end=day,
                      period_label=f"{run.since:%Y-%m}..{day:%Y-%m}", reference=url, collected_at=fetched,
                      unit="stars", query=f"repository {c.github}: stargazers with starred_at")
        if stars > STAR_PAGE_CAP * 100:
            run.skip(f"{c.id}: no star history ({stars:,} stars; the API lists only the first 40,000)")
            return [self.observation(
                metric="stars_new_month", value=None,
                value_text=f"not available: {stars:,} stars, and the stargazers API lists only the first 40,000",
                **common)]
        if not run.http.has_credentials(self.provider):
            run.skip(f"{c.id}: no star history without GITHUB_TOKEN")
            return []
        last_page = max(1, math.ceil(stars / 100))
        per_month: Counter[str] = Counter()
        page, reached_since = last_page, False
        while page >= 1 and not reached_since:
            response = run.http.get(self.provider, url, {"per_page": 100, "page": page},
                                    headers={"accept": STAR_ACCEPT}, ok=(403, 422))
            if response.status_code in (403, 422):
                detail = _message_of(response) or f"HTTP {response.status_code}"
                run.skip(f"{c.id}: star history refused by GitHub ({detail})")
                return [self.observation(metric="stars_new_month", value=None,
                                         value_text=f"not available: GitHub says {detail!r}", **common)]
            items = _json(response, self, url)
            if not isinstance(items, list):
                raise self.schema_error("list of stargazers", url)
            for item in items:
                stamp = require(item, "starred_at", self, url, str)
                try:
                    starred = datetime.fromisoformat(stamp.replace("Z", "+00:00")).date()
                except ValueError:
                    raise self.schema_error("readable 'starred_at'", url) from None
                if starred < run.since:
                    reached_since = True
                    continue
                per_month[f"{starred:%Y-%m}"] += 1
            page -= 1
        rows = []
        for first, last in months_between(run.since, day):
            rows.append(self.observation(
                metric="stars_new_month", contender=c, subject=c.github, value=per_month.get(month_label(first), 0),
                period_start=first, period_end=last, period_label=month_label(first), unit="stars",
                reference=url, query=f"repository {c.github}: stargazers with starred_at, counted by month",
                collected_at=fetched,
                note=partial_note(first, last, counted_on=day, extra="current stargazers only (an unstar removes a star)")))
        return rows


def _json(response, source: Source, url: str):
    try:
        return response.json()
    except ValueError:
        raise SourceError(f"{source.name}: the response is not valid JSON (GET {url} -> HTTP "
                          f"{response.status_code}); the API may have changed or be failing, try again later") from None


def _message_of(response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("message", ""))[:120] if isinstance(body, dict) else ""

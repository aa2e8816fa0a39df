"""OpenReview (ICLR): the submissions (before 2024) or accepted papers (2024 on) of a year.

- before 2024, API v1: `GET https://api.openreview.net/notes?invitation=ICLR.cc/<year>/Conference/-/
  Blind_Submission&offset=&limit=` (all submissions, as Horace He's ICLR 2021/22 counts);
- from 2024, API v2: `GET https://api2.openreview.net/notes?content.venueid=ICLR.cc/<year>/Conference&...`
  (accepted papers); v2 wraps content values (`{"title": {"value": ...}}`).
Both answer `{"notes": [{"id", "content": {...}}], "count": N}`, paged with `offset` and `limit`.

Since 2026 both refuse anonymous listing: HTTP 403 `{"name": "ChallengeRequiredError", "message": "Challenge
verification required"}` (a real answer: tests/fixtures/venues/openreview). So requests are signed with a
session of the user's own account: `OPENREVIEW_USERNAME` and `OPENREVIEW_PASSWORD` from the environment are sent
once per host to `POST /login` (`{"id", "password"}`, as openreview-py does), and its token is added as
`Authorization: Bearer` below the HTTP cache. Neither the password nor the token is stored, cached or shown;
without them the 403 says what to set.

No real recording of a notes answer exists: the tests' notes are built from this documented shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import httpx

from mindshare.errors import SourceError
from mindshare.http import CredentialSession, Limit, Provider, provider_detail
from mindshare.sources.venues.base import Listing, Paper, safe_id

USERNAME, PASSWORD = "OPENREVIEW_USERNAME", "OPENREVIEW_PASSWORD"
API_HOSTS = ("api.openreview.net", "api2.openreview.net")   # PDFs on openreview.net need no session


@dataclass(frozen=True)
class OpenReviewLogin:
    """A logged-in session: `POST /login` once per host, then `Authorization: Bearer <token>`."""

    names: tuple[str, ...] = (USERNAME, PASSWORD)

    def sign(self, request: httpx.Request, secrets: Mapping[str, str], session: CredentialSession) -> httpx.Request:
        host = request.url.host
        if host not in API_HOSTS:
            return request
        with session.lock:
            token = session.state.get(host)
            if token is None:
                token = session.state[host] = self._login(request, secrets, session)
        headers = httpx.Headers(request.headers)
        headers["authorization"] = f"Bearer {token}"
        return httpx.Request(request.method, request.url, headers=headers, stream=request.stream,
                             extensions=request.extensions)

    @staticmethod
    def _login(request: httpx.Request, secrets: Mapping[str, str], session: CredentialSession) -> str:
        login = httpx.Request("POST", request.url.copy_with(path="/login", query=None),
                              json={"id": secrets[USERNAME], "password": secrets[PASSWORD]},
                              headers={"accept": "application/json",
                                       "user-agent": request.headers.get("user-agent", "mindshare")})
        response = session.send(login)
        response.read()
        token = None
        if response.is_success:
            try:
                token = response.json().get("token")
            except (ValueError, AttributeError):
                token = None
        if not token:
            detail = provider_detail(response)
            raise SourceError(f"openreview: login to {request.url.host} refused (HTTP {response.status_code}"
                              f"{' ' + detail if detail else ''}); check {USERNAME} and {PASSWORD}")
        return str(token)


PROVIDER = Provider(
    "openreview", "OpenReview API", "api2.openreview.net", Limit(1.0, 1, 1),
    credential=OpenReviewLogin(),
    limits_doc="OpenReview rate-limits by IP (ratelimit-policy 180;w=60); one request a second is our choice",
    hint=f"OpenReview refuses anonymous listing (ChallengeRequiredError): set {USERNAME} and {PASSWORD} "
         f"(an openreview.net account) in the environment and run again")


def parse_openreview(data: dict) -> list[Paper]:
    papers = []
    for note in data.get("notes", []) if isinstance(data, dict) else []:
        content = note.get("content") or {}
        title = content.get("title")
        if isinstance(title, dict):  # API v2 wraps values: {"value": ...}
            title = title.get("value")
        papers.append(Paper(safe_id(note["id"]), str(title or ""), f"https://openreview.net/pdf?id={note['id']}"))
    return papers


def _query(venue: str, year: int) -> tuple[str, dict[str, str]]:
    group = f"{venue.upper()}.cc/{year}/Conference"
    if year >= 2024:
        return "https://api2.openreview.net/notes", {"content.venueid": group}
    return "https://api.openreview.net/notes", {"invitation": f"{group}/-/Blind_Submission"}


def index_openreview(venue: str, year: int, page_size: int = 1000) -> str:
    """The first page of the notes (after the login, one POST per API host)."""
    url, params = _query(venue, year)
    return str(httpx.URL(url, params={**params, "offset": 0, "limit": page_size}))


def list_openreview(http, venue: str, year: int, page_size: int = 1000) -> Listing:
    url, params = _query(venue, year)
    papers: list[Paper] = []
    offset = 0
    while True:
        data = http.get_json(PROVIDER, url, {**params, "offset": offset, "limit": page_size})
        if not isinstance(data, dict) or not isinstance(data.get("notes"), list):
            raise SourceError(f"openreview: the answer to GET {url} has no 'notes' list; the API may have changed")
        batch = parse_openreview(data)
        papers += batch
        offset += len(batch)
        if len(batch) < page_size:
            return Listing(papers, url)

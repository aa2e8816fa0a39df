"""npm downloads, replayed from recorded responses (tests/fixtures/npm/SOURCES.md says where each came from):
months and the last 30 days of a package, a scoped package, a package npm does not know (404), a burst npm
refuses (429) and a changed format, through the shared HTTP client; and `mindshare collect npm --dry-run`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from mindshare.catalogue import NPM_DOWNLOADS_30D, NPM_DOWNLOADS_MONTH
from mindshare.cli import app
from mindshare.errors import SourceError
from mindshare.fields import Contender
from mindshare.http import Http, Limit
from mindshare.sources import SOURCES, Run
from mindshare.sources.npm import NpmSource, ranges

FIXTURES = Path(__file__).parent / "fixtures" / "npm"
FAST = {"npm": Limit(per_second=1e6, burst=1000, concurrency=1)}
WEEK = (date(2017, 9, 22), date(2017, 9, 28))        # the recorded range's days


def body(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class Npm(httpx.BaseTransport):
    """api.npmjs.org from recorded bodies: `answers` maps (endpoint, package) to (status, file)."""

    def __init__(self, answers: dict[tuple[str, str], tuple[int, str]]):
        self.answers, self.seen = answers, []

    def handle_request(self, request):
        self.seen.append(request)
        _, _, endpoint, _period, *package = request.url.raw_path.decode().split("/")
        status, name = self.answers[(endpoint, "/".join(package))]
        return httpx.Response(status, json=body(name))


def collect(wire, *contenders: Contender, days=WEEK):
    with Http(transport=wire, cache=False, limits=FAST) as http:
        run = Run(http, list(contenders), *days)
        return NpmSource().collect(run), run, http


STRICT = Contender("strict", "Strict mode", npm=("strict-mode",))
RANGE = ("range", "strict-mode"), (200, "range_last_week_strict_mode_2017-09-28.json")
# npm's point count of another package, served for this one: the source reads the count and its days, not the name
POINT = ("point", "strict-mode"), (200, "point_last_month_express_2017-07-11.json")


@pytest.fixture(autouse=True)
def fast_retries(no_stamina_waits):
    yield


def test_recorded_days_become_a_partial_month_and_the_point_count_the_last_30_days():
    frame, run, http = collect(Npm(dict([RANGE, POINT])), STRICT)
    month = frame[frame["metric"] == NPM_DOWNLOADS_MONTH.name].iloc[0]
    assert month["value"] == 35 + 32 + 5 + 41 + 44 + 25 + 36 and month["period_label"] == "2017-09"
    assert month["note"].startswith("PARTIAL")          # the range covers 7 days of September: not a drop
    thirty = frame[frame["metric"] == NPM_DOWNLOADS_30D.name].iloc[0]
    assert thirty["value"] == 13359424
    assert (thirty["period_start"], thirty["period_end"]) == (date(2017, 6, 12), date(2017, 7, 11))
    assert set(frame["signal"]) == {"downloads"} and set(frame["source"]) == {"api.npmjs.org"}
    assert set(frame["contender"]) == {"strict"} and set(frame["subject"]) == {"strict-mode"}
    assert frame["collected_at"].notna().all() and len(http.requests) == 2 and not run.notes


def test_a_scoped_package_is_asked_by_its_own_name():
    scoped = Contender("shimo", "Shimo", npm=("@shimo/gulp-build",))
    wire = Npm({("range", "@shimo/gulp-build"): (200, "range_last_week_strict_mode_2017-09-28.json"),
                ("point", "@shimo/gulp-build"): (200, "point_scoped_shimo_gulp-build_2016-01.json")})
    frame, _, _ = collect(wire, scoped)
    assert [r.url.raw_path.decode() for r in wire.seen] == [
        "/downloads/range/2017-09-22:2017-09-28/@shimo/gulp-build", "/downloads/point/last-month/@shimo/gulp-build"]
    assert frame.loc[frame["metric"] == NPM_DOWNLOADS_30D.name, "value"].tolist() == [0.0]   # a real zero


def test_a_package_npm_does_not_know_is_said_and_left_out_the_others_kept():
    ghost = Contender("ghost", "Ghost", npm=("ahudsfgikaj",))
    wire = Npm(dict([RANGE, POINT, (("range", "ahudsfgikaj"), (404, "not_found_ahudsfgikaj.json"))]))
    frame, run, _ = collect(wire, STRICT, ghost)
    assert set(frame["contender"]) == {"strict"}
    assert run.notes == ["npm has no package 'ahudsfgikaj' (ghost): package ahudsfgikaj not found"]


def test_a_refused_burst_is_asked_again_then_fails_with_one_line():
    answers = iter([(429, "rate_limited.json"), (200, RANGE[1][1]), (200, POINT[1][1])])

    class Busy(httpx.BaseTransport):
        def handle_request(self, request):
            status, name = next(answers)
            return httpx.Response(status, json=body(name))

    frame, _, http = collect(Busy(), STRICT)             # one 429, then the answers: asked again
    assert len(frame) == 2 and len(http.requests) == 3
    always = Npm({("range", "strict-mode"): (429, "rate_limited.json")})
    with pytest.raises(SourceError, match=r"npm: GET https://api.npmjs.org/downloads/range/.*HTTP 429"):
        collect(always, STRICT)


def test_a_changed_format_is_a_clear_error_naming_the_field():
    wire = Npm({("range", "strict-mode"): (200, "malformed_range_strict_mode.json")})
    with pytest.raises(SourceError, match=r"no 'downloads' \(list\)"):
        collect(wire, STRICT)


def test_long_windows_are_asked_in_pieces_npm_serves():
    pieces = ranges(date(2024, 1, 1), date(2026, 12, 6))
    assert pieces[0] == (date(2024, 1, 1), date(2025, 6, 23)) and pieces[-1][1] == date(2026, 12, 6)
    assert all((b - a).days < 540 for a, b in pieces) and len(pieces) == 2
    assert "npm" in SOURCES and SOURCES["npm"].metrics == (NPM_DOWNLOADS_MONTH, NPM_DOWNLOADS_30D)


def test_collect_npm_dry_run_lists_its_requests(tmp_path):
    field = tmp_path / "js.toml"
    field.write_text('name = "js"\ntitle = "JS"\n[[contender]]\nid = "express"\nname = "Express"\n'
                     'npm = ["express"]\n[[contender]]\nid = "nest"\nname = "Nest"\nnpm = ["@nestjs/core"]\n',
                     encoding="utf-8")
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "s.duckdb"), "collect", "npm", "--dry-run",
                                      "--field", str(field)])      # a year back: one range request a package
    assert result.exit_code == 0, result.output
    assert "npm: 4 requests to api.npmjs.org" in result.output
    assert "GET https://api.npmjs.org/downloads/point/last-month/@nestjs/core" in result.output
    assert not (tmp_path / "s.duckdb").exists()                     # a dry run changes nothing

"""`mindshare papers fetch` and `papers venues` as the command line runs them (issue 24): a dry run asks nothing,
a fetch shows its progress on stderr, both print a table, CSV or JSON; replayed responses, no network."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from mindshare.cli import app
from mindshare.commands import collect as collect_command
from mindshare.http import Http, Limit

sys.path.insert(0, str(Path(__file__).parent))
from scan_pdfs import make_pdf  # noqa: E402

FAST = {name: Limit(1000.0, 1000, 4) for name in ("aclanthology", "cvf", "pmlr", "neurips", "openreview", "arxiv")}
# The real minified structure of an ACL Anthology event page (tests/fixtures/venues/acl): unquoted hrefs.
EVENT = "<!doctype html><html><body>" + "".join(
    f"<span class=d-block><strong><a class=align-middle href=/2020.acl-main.{n}/>Paper {n}</a></strong><br>"
    f"<a class=badge href=https://aclanthology.org/2020.acl-main.{n}.pdf title=\"Open PDF\">pdf</a></span>\n"
    for n in range(1, 6)) + "</body></html>"


@pytest.fixture
def asked(monkeypatch) -> list[str]:
    """Every URL the verb asks, answered from EVENT and a real small PDF."""
    seen: list[str] = []
    pdf = make_pdf(text="PyTorch")

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if str(request.url) == "https://aclanthology.org/events/acl-2020/":
            return httpx.Response(200, text=EVENT)
        return httpx.Response(200, content=pdf)

    def make(cache: bool = True, verbose: bool = False, settings=None) -> Http:
        return Http(transport=httpx.MockTransport(handler), cache=False, limits=FAST, sleep=lambda s: None,
                    attempts=1, env={})

    monkeypatch.setattr(collect_command, "make_http", make)
    return seen


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_a_dry_run_asks_nothing_and_writes_nothing(tmp_path, asked):
    """`papers fetch` had no --dry-run, and --list (the nearest thing) went to the network."""
    result = invoke("papers", "fetch", "--venue", "acl", "--year", "2020", "--to", str(tmp_path / "acl"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert asked == [] and not (tmp_path / "acl").exists()
    assert "ACL 2020: GET https://aclanthology.org/events/acl-2020/" in result.output
    assert "one request a second" not in result.output and "1 request a second to aclanthology.org" in result.output
    assert "dry run: nothing asked, nothing written" in result.output


def test_after_a_listing_a_dry_run_says_how_many_pdfs_and_how_long(tmp_path, asked):
    folder = tmp_path / "acl"
    listed = invoke("papers", "fetch", "--venue", "acl", "--year", "2020", "--to", str(folder), "--list")
    assert listed.exit_code == 0 and asked == ["https://aclanthology.org/events/acl-2020/"]
    assert "5 papers listed for ACL 2020; 0 downloaded" in listed.output and not list(folder.glob("*.pdf"))
    (folder / "2020.acl-main.1.pdf").write_bytes(make_pdf(text="x"))
    asked.clear()
    plan = invoke("papers", "fetch", "--venue", "acl", "--year", "2020", "--to", str(folder), "--dry-run",
                  "--format", "json")
    assert plan.exit_code == 0 and asked == []
    record = json.loads(plan.stdout)[0]
    assert (record["listed_before"], record["already_there"], record["to_fetch"]) == (5, 1, 4)
    assert record["least_seconds"] == 5.0   # 4 PDFs and the index, at one request a second


def test_a_fetch_shows_its_progress_on_stderr_and_its_result_on_stdout(tmp_path, asked):
    result = CliRunner().invoke(app, ["papers", "fetch", "--venue", "acl", "--year", "2020", "--to",
                                      str(tmp_path / "acl"), "--format", "csv"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "venue,year,index,listed,downloaded,already_there,failed,folder"
    assert result.stdout.splitlines()[1].startswith("ACL,2020,https://aclanthology.org/events/acl-2020/,5,5,0,0,")
    assert "ACL 2020 PDFs" in result.stderr and "5/5" in result.stderr
    quiet = CliRunner().invoke(app, ["papers", "fetch", "--venue", "acl", "--year", "2020", "--to",
                                     str(tmp_path / "acl"), "--quiet"], catch_exceptions=False)
    assert quiet.exit_code == 0 and quiet.stderr == "" and quiet.stdout == ""


def test_venues_print_a_table_csv_or_json():
    as_json = json.loads(invoke("papers", "venues", "--format", "json").stdout)
    assert [v["venue"] for v in as_json][:3] == ["acl", "emnlp", "naacl"]
    assert {"venue", "title", "where", "host"} == set(as_json[0])
    assert invoke("papers", "venues", "--format", "csv").stdout.startswith("venue,title,where,host\n")

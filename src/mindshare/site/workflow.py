"""`mindshare publish --workflow github`: a GitHub Actions workflow that refreshes the site on a schedule.

It runs in a repository that holds mindshare (a fork, or a copy with your field files): on its cron it restores
the store and the site folder from the previous run's cache, runs `mindshare collect` with the tokens taken from
the repository's secrets (as environment variables, never as arguments, so they reach no log), runs `mindshare
publish`, saves both for the next run, and deploys the site with GitHub's own Pages actions. The site folder is
kept between runs because permalinks are never rewritten: each run adds its own beside the earlier ones.

Every action is pinned to the commit of a release (a tag can be moved; a commit cannot), the release named
beside it. GitHub evicts a cache that no run has used for seven days, so the schedule is weekly by default; a lost store
is rebuilt from the bundled data and the next collection, but lost permalinks are not: docs/publish.md says how
to keep a copy.
"""

from __future__ import annotations

import re
import shlex

from mindshare.site.urls import base_url

WORKFLOW_PATH = ".github/workflows/mindshare-publish.yml"
WEEKLY = "17 6 * * 1"          # Mondays 06:17 UTC: off the hour, when GitHub's scheduler is least busy
PYTHON = "3.11"
# the tokens `mindshare collect` reads (README: "Tokens come from the environment only"); GitHub's own token
# serves the GitHub source
SECRETS = ("STACKEXCHANGE_KEY", "HF_TOKEN", "ADZUNA_APP_ID", "ADZUNA_APP_KEY", "OPENALEX_API_KEY")
_CRON = re.compile(r"^(\S+\s+){4}\S+$")


def github_workflow(site_url: str, *, field: str | None = None, contenders: list[str] | None = None,
                    history: int = 24, cron: str = WEEKLY, python: str = PYTHON) -> str:
    """The workflow's YAML. `field` / `contenders` and `history` are passed on to `mindshare publish`."""
    url = base_url(site_url)
    if not _CRON.match(cron.strip()):
        raise ValueError(f"{cron!r} is not a cron schedule of five fields (e.g. {WEEKLY!r})")
    publish = ["mindshare", "publish", "site", "--base-url", url, "--history", str(int(history))]
    if field:
        publish += ["--field", field]
    for contender in contenders or []:
        publish += ["--contenders", contender]
    for arg in publish:
        if "${{" in arg or any(ord(c) < 32 or c == "\x7f" for c in arg):
            raise ValueError(f"{arg!r} cannot go into a workflow (a control character, or '${{{{' that GitHub "
                             "would evaluate)")
    env = "\n".join(f"          {name}: ${{{{ secrets.{name} }}}}" for name in SECRETS)
    return f"""# Written by `mindshare publish --workflow github`: collect, publish and deploy the answer on a schedule.
# Settings > Pages > Source: "GitHub Actions". Add the tokens you have as repository secrets ({", ".join(SECRETS)});
# a source whose token is missing is skipped and says so in the log.
name: mindshare publish

on:
  schedule:
    - cron: "{cron.strip()}"
  workflow_dispatch:

permissions:
  contents: read

concurrency:
  group: mindshare-publish
  cancel-in-progress: false

env:
  MINDSHARE_DB: ${{{{ github.workspace }}}}/.mindshare/mindshare.duckdb
  MINDSHARE_CACHE: ${{{{ github.workspace }}}}/.mindshare/cache

jobs:
  publish:
    runs-on: ubuntu-latest
    timeout-minutes: 90
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2
        with:
          persist-credentials: false
      - uses: actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065  # v5.6.0
        with:
          python-version: "{python}"
      - name: Install mindshare
        run: python -m pip install -c constraints.txt .
      - name: Restore the store and the site of the previous run
        uses: actions/cache/restore@5a3ec84eff668545956fd18022155c47e93e2684  # v4.2.3
        with:
          path: |
            .mindshare
            site
          key: mindshare-${{{{ github.run_id }}}}
          restore-keys: |
            mindshare-
      - name: Collect
        env:
          GITHUB_TOKEN: ${{{{ github.token }}}}
{env}
        run: mindshare collect
      - name: Publish
        run: |
          {shlex.join(publish)}
      - name: Keep the store and the site for the next run
        if: always()
        uses: actions/cache/save@5a3ec84eff668545956fd18022155c47e93e2684  # v4.2.3
        with:
          path: |
            .mindshare
            site
          key: mindshare-${{{{ github.run_id }}}}
      - uses: actions/configure-pages@983d7736d9b0ae728b81ab479565c72886d7745b  # v5.0.0
      - uses: actions/upload-pages-artifact@56afc609e74202658d3ffba0e8f6dda462b719fa  # v3.0.1
        with:
          path: site

  deploy:
    needs: publish
    runs-on: ubuntu-latest
    timeout-minutes: 10
    permissions:
      pages: write
      id-token: write
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - id: deployment
        uses: actions/deploy-pages@d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e  # v4.0.5
"""

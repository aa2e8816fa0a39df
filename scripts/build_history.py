"""Build the any-field history that ships with mindshare (`src/mindshare/data/history/`) from the project's shared
reference data: 30-day PyPI downloads of the top packages (hugovk/top-pypi-packages), monthly stars of the top
GitHub repositories (EvanLi/Github-Ranking), weekly figures of ~1,100 ML projects (lukasmasuch/best-of-ml-python,
CC BY-SA 4.0) and Stack Overflow's published survey results for the technology questions, 2019-2026.

    .venv/bin/python scripts/build_history.py [--shared ../shared/data] [--out src/mindshare/data/history]
    .venv/bin/python scripts/build_history.py --check     # exit 1 if the bundled files differ from a fresh build

The same inputs give byte-identical files (rows sorted, row groups of a fixed size, no timestamps written).

What it writes (`mindshare.history` reads it; MANIFEST.toml says where every file came from):

- `pypi_downloads.parquet`: project, snapshot, downloads; sorted by project then snapshot, in small row
  groups, so that reading one project's rows reads one or two row groups (their min/max statistics say which).
  Two copies of one day's file (2018-02-25 was committed five times with identical figures) are kept once.
- `github_stars.parquet`: repo (owner/name lower-cased: GitHub names are case-insensitive), snapshot, github_id
  as the file spells it, stars, forks; one row per snapshot and repository (a repository stands in several
  top-100 lists of one file; the index keeps which).
- `best_of_ml_python.parquet`: project, snapshot, metric, value, flag (long: one row per figure); a figure the
  source's known problems make unusable keeps its value and a flag naming the rule (BAD_VALUE_RULES), and the
  reader turns it into a note, never a number.
- `stackoverflow_survey.parquet`: year, topic, question, segment, option, count, share_pct, n, basis: the
  "worked with" results of every technology question, every published segment.
- `snapshots.parquet`: the provenance of every snapshot (source, reference, method, query, period, published,
  note), one row per source and snapshot (per year and question for the survey), joined to the rows at read time.
- the name index `mindshare.resolve` reads: `pypi_projects.parquet`, `github_repos.parquet` (with each
  repository's language lists), `github_moves.parquet` (a repository that moved: from, to, the evidence) and
  `best_of_projects.parquet` (best-of-ml-python's github_id <-> pypi_id pairs).

One file in the folder is not built here but copied verbatim and checked: `pipreqs_mapping.txt`, bndr/pipreqs'
table of import names to PyPI projects (sklearn -> scikit_learn, bs4 -> beautifulsoup4, PIL -> Pillow), Apache
License 2.0 (`pipreqs_mapping.LICENSE` beside it); the manifest records where it came from.
"""

from __future__ import annotations

import argparse
import filecmp
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from html import unescape
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = ROOT.parent / "shared" / "data"
DEFAULT_OUT = ROOT / "src" / "mindshare" / "data" / "history"

VERSION = "2026.12"
COMPILED_AT = "2026-12-06T00:00:00"   # the day the shared histories were rebuilt from their repositories
ROW_GROUP_ROWS = 16384                # small groups: one project's rows sit in one or two of them
INDEX_GROUP_ROWS = 2048               # the name index is looked up a few keys at a time: smaller still

PYPI_SOURCE = "hugovk/top-pypi-packages"
GITHUB_SOURCE = "EvanLi/Github-Ranking"
BEST_OF_SOURCE = "lukasmasuch/best-of-ml-python"
SURVEY_REPOSITORY = "StackExchange/Survey"

BEST_OF_ATTRIBUTION = "best-of-ml-python, Lukas Masuch, CC BY-SA 4.0"
SURVEY_ATTRIBUTION = "Stack Overflow Developer Survey, Stack Exchange Inc.; ODbL 1.0, contents DbCL 1.0"

# Copied, not built: the import-name table and its licence (their bytes are checked against this digest).
PIPREQS = {"repository": "https://github.com/bndr/pipreqs", "commit": "d9040b7ad5afafade325fee41762b6d6166c8597",
           "path": "pipreqs/mapping", "file": "pipreqs_mapping.txt", "licence": "Apache License 2.0",
           "licence_file": "pipreqs_mapping.LICENSE",
           "sha256": "bc02385c473b7ccfdc2c67697df423feaa394023f5f1d59693c86a5a0dcd7e50",
           "decisions": "read as import name -> PyPI project, one pair a line; only to resolve a name a user gives "
                        "(an import name such as sklearn to the project scikit-learn), never as a figure"}
BUILT = ("MANIFEST.toml", "pypi_downloads.parquet", "github_stars.parquet", "best_of_ml_python.parquet",
         "stackoverflow_survey.parquet", "snapshots.parquet", "pypi_projects.parquet", "github_repos.parquet",
         "github_moves.parquet", "best_of_projects.parquet")

# best-of-ml-python's columns that become figures: column -> metric (the reader declares each metric's signal and
# unit; these names are the columns of the long file).
BEST_OF_METRICS = {
    "star_count": "github_stars",
    "fork_count": "github_forks",
    "contributor_count": "github_contributors",
    "github_dependent_project_count": "github_dependents",
    "pypi_dependent_project_count": "pypi_dependents",
    "pypi_monthly_downloads": "pypi_downloads_month",
    "conda_total_downloads": "conda_downloads_total",
}


@dataclass(frozen=True)
class BadValueRule:
    """A known problem of best-of-ml-python: the figures it matches are flagged (kept, never used as numbers)."""

    name: str
    metric: str
    why: str
    github_ids: tuple[str, ...] = ()      # empty: every project
    snapshots: tuple[str, ...] = ()       # ISO days; empty: every snapshot
    first: str | None = None              # or a range of snapshots
    last: str | None = None
    below_previous_max: float | None = None   # or: lower than this share of the project's earlier maximum


# From ../shared/data/series/SOURCES-any-field.md ("Known bad values a loader must flag, not use"), each checked
# against the data when the history is built (a rule that matches nothing stops the build). The two
# `below_previous_max` rules generalise what the SOURCES file lists by name: the same failures (a dependents count
# of 4-21 where the project had hundreds of thousands; a contributor count near 800 where it had 3,400+) hit
# other snapshots and projects too, and the rules say so in their own words.
BAD_VALUE_RULES = (
    BadValueRule("pytorch-dependents-2023-08", "github_dependents",
                 "absurd: 4-11 repositories for PyTorch, 2023-08-10 to 2023-08-31 (SOURCES-any-field.md)",
                 github_ids=("pytorch/pytorch",), first="2023-08-10", last="2023-08-31"),
    BadValueRule("keras-dependents-2023", "github_dependents",
                 "absurd for Keras on 2023-09-21 and 2023-11-30 (SOURCES-any-field.md)",
                 github_ids=("keras-team/keras",), snapshots=("2023-09-21", "2023-11-30")),
    BadValueRule("dependents-collapse", "github_dependents",
                 "below 5% of the project's earlier maximum, so not comparable with its earlier figures: the "
                 "scraper's failure of 2023-08 on gives 4-21 where projects had hundreds of thousands, and a "
                 "repository that was replaced restarts its count",
                 below_previous_max=0.05),
    BadValueRule("contributors-api-cap", "github_contributors",
                 "below half of the project's earlier maximum, so not comparable with its earlier figures: "
                 "GitHub's API caps the contributor list of the largest repositories (TensorFlow ~800 where it "
                 "had 3,400+; SOURCES-any-field.md), and a repository that was replaced restarts its count",
                 below_previous_max=0.5),
    BadValueRule("downloads-dip-2021-12-09", "pypi_downloads_month",
                 "every project's downloads dip on 2021-12-09 (SOURCES-any-field.md)", snapshots=("2021-12-09",)),
    BadValueRule("jax-downloads-2023-12-07", "pypi_downloads_month",
                 "JAX downloads 2023-12-07, listed as a dip by SOURCES-any-field.md",
                 github_ids=("google/jax",), snapshots=("2023-12-07",)),
    BadValueRule("jax-downloads-spike-2023-11", "pypi_downloads_month",
                 "JAX downloads ~12M on 2023-11-09 to 2023-11-30, three times the weeks on either side (~4M): "
                 "the jump the SOURCES file's 'dip on 2023-12-07' returns from",
                 github_ids=("google/jax",), first="2023-11-09", last="2023-11-30"),
)

# Stack Overflow's segments, in the words of mindshare.observations (a survey segment starts with a population).
SURVEY_SEGMENTS = {
    "All Respondents": "all respondents",
    "Professional Developers": "professional developers",
    "Learning to Code": "learning to code",
    "Other Coders": "other coders",
    "Professionals that Use AI": "professional developers; who use AI tools",
    "Learners that Use AI": "learning to code; who use AI tools",
    "1-5 years": "all respondents; 1-5 years of work experience",
    "6-15 years": "all respondents; 6-15 years of work experience",
    "16+ years": "all respondents; 16+ years of work experience",
}

# The question each year's block answers, as one topic across years (the question's words change; the file's
# keys change too). A topic joins years only where the question asked the same thing: 2019/2020 "Platforms" is the
# broad platform question (Linux, Docker, AWS, ...), and 2025 "Platform" / 2026 "CloudPlat" add containers,
# package managers, build tools and infrastructure as code to the cloud platforms of 2021-2024 (a broader base):
# each its own topic, never joined to the 2021-2024 cloud series.
SURVEY_TOPIC_BY_YEAR = {(2025, "Platform"): "cloud platforms and tools", (2026, "CloudPlat"): "cloud platforms and tools"}
SURVEY_TOPICS = {
    "Programming, Scripting, and Markup Languages": "languages", "Language": "languages",
    "Languages": "languages",
    "Databases": "databases", "Database": "databases",
    "Platforms": "platforms (broad)", "Platform": "cloud platforms", "CloudPlat": "cloud platforms",
    "Web Frameworks": "web frameworks", "Webframe": "web frameworks", "WebFramework": "web frameworks",
    "Other Frameworks, Libraries, and Tools": "other frameworks and libraries",
    "MiscTech": "other frameworks and libraries",
    "SOTags": "rising technologies (tags new on Stack Overflow)",
    "AIModels": "AI models", "LLM": "AI models",
    "AIAgentExternal": "AI agent tools (external)", "AIAgentKnowledge": "AI agent tools (knowledge)",
    "AIAgentObserveSecure": "AI agent tools (observe and secure)", "AIAgentOrchestration": "AI agent orchestration",
    "AIOrch": "AI agent orchestration", "AIObs": "AI observability", "AICodeAgent": "AI coding agents",
    "AIMem": "AI memory", "AINoCode": "AI no-code tools",
}


# -- helpers -----------------------------------------------------------------------------------------------------
def write_parquet(frame: pd.DataFrame, path: Path, sort: list[str], group_rows: int = ROW_GROUP_ROWS) -> None:
    """Sorted rows, fixed row groups, statistics on: reproducible, and a reader skips the groups it does not need.
    Strings are dictionary-encoded; numbers and days delta-encoded (a project's series, sorted by day, changes
    little from one snapshot to the next: half the size of plain encoding)."""
    frame = frame.sort_values(sort, kind="mergesort", ignore_index=True)
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    strings = [f.name for f in table.schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    deltas = {f.name: "DELTA_BINARY_PACKED" for f in table.schema
              if pa.types.is_integer(f.type) or pa.types.is_date32(f.type)}
    pq.write_table(table, path, compression="zstd", compression_level=19, row_group_size=group_rows,
                   use_dictionary=strings, column_encoding=deltas, write_statistics=True, store_schema=False)


def day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def plain_text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html or ""))).strip()


def github_url(repository: str, commit: str, path: str) -> str:
    return f"https://github.com/{repository}/blob/{commit}/{path}"


def download_window(snapshot: date, method: str) -> tuple[date, date]:
    """The days a snapshot's downloads count: the bundle's rule (mindshare.bundle.series_period), one definition."""
    from mindshare.bundle import series_period

    return series_period("window", snapshot, "downloads_30d", method)


# -- PyPI --------------------------------------------------------------------------------------------------------
def pypi(shared: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict]:
    raw = pd.read_parquet(shared / "series" / "pypi_top_packages_monthly.parquet")
    raw["snapshot"] = raw["snapshot"].map(day)
    # one file per snapshot day: a day committed several times (2018-02-25, five commits, the same figures) keeps
    # its earliest version, as the bundled DL series does
    versions = raw.groupby(["snapshot", "commit", "last_update", "file", "method"], as_index=False).size()
    versions = versions.sort_values(["snapshot", "last_update", "commit"], ignore_index=True)
    kept = versions.drop_duplicates("snapshot", keep="first")
    dropped = versions[~versions["commit"].isin(kept["commit"])]
    for snapshot in dropped["snapshot"].unique():
        same = raw[raw["snapshot"] == snapshot].groupby("project")[["download_count", "rank"]].nunique()
        if (same > 1).any().any():
            raise SystemExit(f"pypi: the copies of {snapshot} differ; decide which to keep before building")
    rows = raw[raw["commit"].isin(kept["commit"])]
    # the rank is left out of the rows (it doubles the file); the index keeps each project's last rank, and the
    # snapshot its top N and the smallest count listed
    data = pd.DataFrame({"project": rows["project"], "snapshot": rows["snapshot"],
                         "downloads": rows["download_count"].astype("int64")})
    ranks = rows["rank"].astype("int32")
    sizes = pd.DataFrame({"snapshot": data["snapshot"], "rank": ranks, "downloads": data["downloads"]}).groupby(
        "snapshot").agg(top=("rank", "max"), floor=("downloads", "min"))
    snapshots = []
    for row in kept.itertuples():
        start, end = download_window(row.snapshot, row.method)
        top, floor = sizes.loc[row.snapshot]
        updated = row.last_update or f"none in file (commit date {row.snapshot} used)"
        snapshots.append({
            "source": PYPI_SOURCE, "snapshot": row.snapshot,
            "reference": github_url(PYPI_SOURCE, row.commit, row.file), "method": row.method,
            "query": f"the project's row in {row.file} (the top {top:,} projects by downloads)",
            "period_start": start, "period_end": end, "published": row.snapshot,
            "note": f"top {top:,}; last_update={updated}", "top": int(top), "floor": int(floor)})
    projects = data.groupby("project").agg(first=("snapshot", "min"), last=("snapshot", "max"),
                                           snapshots=("snapshot", "size")).reset_index()
    latest = data.assign(rank=ranks).sort_values("snapshot").groupby("project").tail(1).set_index("project")
    projects["last_downloads"] = projects["project"].map(latest["downloads"]).astype("int64")
    projects["last_rank"] = projects["project"].map(latest["rank"]).astype("int32")
    about = {"dropped_copies": [f"{r.snapshot} {r.commit}" for r in dropped.itertuples()],
             "methods": sorted(kept["method"].unique())}
    return data, pd.DataFrame(snapshots), projects, about


# -- GitHub (EvanLi) ---------------------------------------------------------------------------------------------
def github(shared: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    raw = pd.read_parquet(shared / "series" / "github_ranking_monthly.parquet")
    raw["snapshot"] = raw["snapshot"].map(day)
    raw["repo"] = raw["github_id"].str.lower()
    raw["order"] = range(len(raw))      # file order: the first occurrence's figures stand for the repository
    grouped = raw.groupby(["snapshot", "repo"], sort=False)
    first = grouped.head(1).set_index(["snapshot", "repo"])
    spread = grouped["stars"].agg(lambda s: int(s.max() - s.min()))
    data = pd.DataFrame({
        "repo": first.index.get_level_values("repo"), "snapshot": first.index.get_level_values("snapshot"),
        "github_id": first["github_id"].to_numpy(), "stars": first["stars"].astype("int64").to_numpy(),
        "forks": first["forks"].astype("int64").to_numpy(),
        # lists fetched minutes apart give a repository's stars differently (by 1-3): the spread says so
        "stars_spread": spread.reindex(first.index).astype("int32").to_numpy(),
    })
    files = raw.groupby("snapshot").agg(path=("source_path", "first"), commit=("source_commit", "first"))
    snapshots = [{"source": GITHUB_SOURCE, "snapshot": s, "reference": github_url(GITHUB_SOURCE, r.commit, r.path),
                  "method": "as published",
                  "query": f"the repository's first row in {r.path} (36 lists: the top 100 by stars overall and "
                           f"per language, and by forks)",
                  "period_start": s, "period_end": s, "published": s,
                  "note": "stars that day; a repository outside every top-100 list is not listed (not zero)",
                  "top": 100, "floor": None}
                 for s, r in files.iterrows()]
    repos = repo_index(raw)
    return data, pd.DataFrame(snapshots), repos


def repo_index(raw: pd.DataFrame) -> pd.DataFrame:
    """Per repository: its latest spelling, name, owner, language, the lists it stood in, first/last seen, stars."""
    latest = raw.sort_values(["snapshot", "order"]).groupby("repo").tail(1).set_index("repo")
    lists = raw[~raw["item"].str.startswith("top-100")].groupby("repo")["item"].agg(lambda s: " ".join(sorted(set(s))))
    seen = raw.groupby("repo").agg(first=("snapshot", "min"), last=("snapshot", "max"),
                                   snapshots=("snapshot", "nunique"))
    index = seen.join(latest[["github_id", "stars", "language"]]).join(lists.rename("lists"))
    index = index.reset_index()
    index["owner"] = index["repo"].str.split("/").str[0]
    index["name"] = index["repo"].str.split("/").str[1]
    index["language"] = index["language"].fillna("")
    index["lists"] = index["lists"].fillna("")
    index["stars"] = index["stars"].astype("int64")
    # the key mindshare.resolve looks a repository up by (its name as names are compared there): one definition
    from mindshare.resolve import match_key

    index["name_key"] = index["name"].map(match_key)
    return index[["name_key", "repo", "github_id", "owner", "name", "language", "lists", "first", "last", "snapshots",
                  "stars"]]


def evanli_moves(data: pd.DataFrame, repos: pd.DataFrame) -> list[dict]:
    """Repositories that moved, as EvanLi's lists show them: one name leaves the lists the month before another of
    the same repository name appears, never both in one month, with stars within 10% of each other."""
    months = sorted(data["snapshot"].unique())
    following = dict(pairwise(months))
    stars = data.set_index(["repo", "snapshot"])["stars"]
    moves = []
    for name, group in repos.groupby("name"):
        if len(group) < 2:
            continue
        for old in group.itertuples():
            for new in group.itertuples():
                if old.repo == new.repo or following.get(old.last) != new.first:
                    continue
                before, after = stars[(old.repo, old.last)], stars[(new.repo, new.first)]
                if abs(after - before) <= 0.1 * before:
                    moves.append({"old": old.repo, "new": new.repo, "evidence": (
                        f"{GITHUB_SOURCE}: {old.github_id} last listed {old.last} with {before:,} stars, "
                        f"{new.github_id} first listed {new.first} with {after:,}")})
    return moves


# -- best-of-ml-python -------------------------------------------------------------------------------------------
def best_of(shared: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[dict], dict]:
    raw = pd.read_parquet(shared / "series" / "best_of_ml_python" / "best_of_ml_python_weekly.parquet")
    raw["snapshot"] = raw["snapshot"].map(day)
    raw = raw[raw["github_id"].fillna("") != ""].copy()   # a few rows name no repository: nothing to join them to
    raw["repo"] = raw["github_id"].str.lower()
    project_of, moves = best_of_projects_and_moves(raw)
    raw["project"] = raw["repo"].map(project_of)
    long = raw.melt(id_vars=["project", "snapshot", "repo"], value_vars=list(BEST_OF_METRICS),
                    var_name="column", value_name="value").dropna(subset=["value"])
    long["metric"] = long["column"].map(BEST_OF_METRICS)
    long["value"] = long["value"].astype("int64")
    # one project listed twice in one snapshot (two names for one repository): the same figures; keep one
    long = long.drop_duplicates(["project", "snapshot", "metric"], keep="first")
    long = long.sort_values(["project", "metric", "snapshot"], ignore_index=True)
    long["flag"] = ""
    matched = {}
    for rule in BAD_VALUE_RULES:
        hit = rule_matches(rule, long, project_of)
        if not hit.any():
            raise SystemExit(f"best-of-ml-python: bad-value rule {rule.name!r} matches nothing; check it")
        long.loc[hit & (long["flag"] == ""), "flag"] = rule.name
        matched[rule.name] = int(hit.sum())
    data = long[["project", "snapshot", "metric", "value", "flag"]]
    files = raw.groupby("snapshot").agg(path=("source_path", "first"), commit=("source_commit", "first"))
    snapshots = [{"source": BEST_OF_SOURCE, "snapshot": s, "reference": github_url(BEST_OF_SOURCE, r.commit, r.path),
                  "method": "best-of-generator weekly snapshot", "query": f"the project's row in {r.path}",
                  "period_start": s, "period_end": s, "published": s,
                  "note": f"{BEST_OF_ATTRIBUTION}: derived figures keep this attribution and licence",
                  "top": None, "floor": None}
                 for s, r in files.iterrows()]
    latest = raw.sort_values("snapshot").groupby("project").tail(1).set_index("project")
    names = raw.groupby("project")["name"].agg(lambda s: " | ".join(dict.fromkeys(s)))
    former = raw.groupby("project")["repo"].agg(lambda s: " ".join(sorted(set(s))))
    pypi_ids = raw[raw["pypi_id"].fillna("") != ""].groupby("project")["pypi_id"].agg(
        lambda s: " ".join(dict.fromkeys(normalise_pypi(p) for p in s)))
    projects = pd.DataFrame({"project": latest.index, "github_id": latest["github_id"].to_numpy(),
                             "names": names.reindex(latest.index).to_numpy(),
                             "repos": former.reindex(latest.index).to_numpy(),
                             "pypi": pypi_ids.reindex(latest.index).fillna("").to_numpy(),
                             "category": latest["category"].fillna("").to_numpy(),
                             "last": latest["snapshot"].to_numpy()})
    return data, pd.DataFrame(snapshots), projects, moves, matched


def best_of_projects_and_moves(raw: pd.DataFrame) -> tuple[dict[str, str], list[dict]]:
    """One project per repository that best-of-ml-python lists under one name over time (a repository that moved
    keeps its entry): repo -> project key (the repository's latest name), and the moves seen."""
    by_name = raw.sort_values("snapshot").groupby("name")
    parent: dict[str, str] = {}

    def find(repo: str) -> str:
        while parent.get(repo, repo) != repo:
            repo = parent[repo]
        return repo

    moves = []
    for name, rows in by_name:
        repos = list(dict.fromkeys(rows["repo"]))
        for old, new in pairwise(repos):
            parent[find(old)] = find(new)
            old_rows, new_rows = rows[rows["repo"] == old], rows[rows["repo"] == new]
            if old_rows["snapshot"].max() < new_rows["snapshot"].min():
                moves.append({"old": old, "new": new, "evidence": (
                    f"{BEST_OF_SOURCE}: the entry {name!r} names {old_rows['github_id'].iloc[-1]} until "
                    f"{old_rows['snapshot'].max()}, {new_rows['github_id'].iloc[0]} from {new_rows['snapshot'].min()}")})
    latest = raw.sort_values("snapshot").groupby("repo")["snapshot"].max()
    clusters: dict[str, list[str]] = {}
    for repo in raw["repo"].unique():
        clusters.setdefault(find(repo), []).append(repo)
    project_of = {}
    for members in clusters.values():
        key = max(members, key=lambda r: (latest[r], r))     # the name it has now
        for repo in members:
            project_of[repo] = key
    return project_of, moves


def rule_matches(rule: BadValueRule, long: pd.DataFrame, project_of: dict[str, str]) -> pd.Series:
    hit = long["metric"] == rule.metric
    if rule.github_ids:
        hit &= long["repo"].isin([r.lower() for r in rule.github_ids])
    if rule.snapshots:
        hit &= long["snapshot"].isin([date.fromisoformat(s) for s in rule.snapshots])
    if rule.first:
        hit &= long["snapshot"] >= date.fromisoformat(rule.first)
    if rule.last:
        hit &= long["snapshot"] <= date.fromisoformat(rule.last)
    if rule.below_previous_max is not None:
        earlier = (long[long["metric"] == rule.metric].groupby("project")["value"]
                   .transform(lambda s: s.cummax().shift(1)))
        hit &= long["value"] < rule.below_previous_max * earlier.reindex(long.index)
    return hit.fillna(False)


def normalise_pypi(name: str) -> str:
    """PEP 503: lower case, runs of -, _ and . as one -."""
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


# -- Stack Overflow survey ---------------------------------------------------------------------------------------
def survey_dates(shared: Path) -> dict[int, dict[str, date]]:
    """Opened, closed, released per year, from the archive's README table (StackExchange/Survey)."""
    found = {}
    for line in (shared / "surveys" / "stackoverflow_archive_README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        year = re.match(r"\[(\d{4})\]", cells[0]) if cells else None
        if year and len(cells) > 3:
            dates = [date.fromisoformat(c) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", c) else None for c in cells[1:4]]
            found[int(year.group(1))] = dict(zip(("opened", "closed", "released"), dates))
    return found


def survey(shared: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    dates = survey_dates(shared)
    old = pd.read_csv(shared / "surveys" / "stackoverflow_technology_2019_2024.csv", keep_default_na=False,
                      dtype=str)
    new = pd.read_csv(shared / "surveys" / "stackoverflow_technology_2025_2026.csv", keep_default_na=False,
                      dtype=str)
    rows, blocks = [], {}
    for (year, question), block in old.groupby(["year", "question_key"], sort=True):
        year = int(year)
        commit = block["commit"].iloc[0]
        text = plain_text(block["question_text"].iloc[0]) or f"{question} (select all that apply)"
        blocks[(year, question)] = (commit, "technology.json", text)
        for segment_name, part in block.groupby("segment", sort=False):
            rows += survey_rows_2019_2024(year, question, SURVEY_SEGMENTS[segment_name], part)
    kept = new[~new["json_key"].str.startswith(("WW_", "DA_")) & ~new["slice_type"].str.contains("write_ins")
               & (new["slice_type"] != "technologyseries")]
    for (year, question), block in kept.groupby(["year", "json_key"], sort=True):
        year = int(year)
        blocks[(year, question)] = (block["commit"].iloc[0], block["file"].iloc[0],
                                    plain_text(block["question_text"].iloc[0]))
        for segment_name, part in block.groupby("slice_value", sort=False):
            for r in part.itertuples():
                count, n = int(r.count), int(r.slice_n)
                rows.append({"year": year, "question": question, "segment": SURVEY_SEGMENTS[segment_name],
                             "option": r.response, "count": count, "share_pct": round(100 * float(r.pct), 4),
                             "n": n, "basis": "published"})
    data = pd.DataFrame(rows)
    data["topic"] = [SURVEY_TOPIC_BY_YEAR.get((y, q), SURVEY_TOPICS.get(q)) for y, q in zip(data["year"], data["question"])]
    if data["topic"].isna().any():
        raise SystemExit(f"survey: no topic for {sorted(data.loc[data['topic'].isna(), 'question'].unique())}")
    snapshots = []
    for (year, question), (commit, file_name, text) in sorted(blocks.items()):
        when = dates.get(year)
        path = f"packages/archive/{year}/json/{file_name}"
        # A year whose fielding dates the archive's README does not give (2026) was fielded and published before
        # the results were read here: its period runs from the year's start to that day, and that day is the
        # latest it can have become public (never a period that ends after the figures were seen).
        seen = date.fromisoformat(COMPILED_AT[:10])
        period = (when["opened"], when["closed"]) if when else (date(year, 1, 1), min(date(year, 12, 31), seen))
        snapshots.append({
            "source": f"Stack Overflow Developer Survey {year} (published results)",
            "snapshot": date(year, 1, 1), "question": question,
            "reference": github_url(SURVEY_REPOSITORY, commit, path), "method": "as published",
            "query": f"{question}: {text}"[:600], "period_start": period[0], "period_end": period[1],
            "published": when["released"] if when else seen,
            "note": SURVEY_ATTRIBUTION + ("" if when else f"; {year}'s fielding dates are not in the archive's "
                                          f"README: the period runs from {period[0]} to {period[1]}, the day the "
                                          f"published results were read, by which they were public"),
            "top": None, "floor": None})
    used = {int(y) for y in data["year"].unique()}
    return data, pd.DataFrame(snapshots), {str(y): {k: v for k, v in d.items() if v} for y, d in dates.items()
                                           if y in used}


def survey_rows_2019_2024(year: int, question: str, segment: str, part: pd.DataFrame) -> list[dict]:
    """2019-2020: % and n published, the count derived; 2021-2022: count and % published, the base implied (the
    published total is not the base, SOURCES-technology.md); 2023-2024: count, % and n published."""
    rows = []
    if year <= 2020:
        for r in part.itertuples():
            n, pct = int(r.total_respondents), float(r.percent)
            rows.append({"year": year, "question": question, "segment": segment, "option": r.response,
                         "count": round(pct * n / 100), "share_pct": pct, "n": n, "basis": "count derived"})
        return rows
    counts = part["frequency"].astype(int)
    shares = part["percent"].astype(float)
    if year <= 2022:
        n = int((counts / shares).median())
        basis = "base implied"
    else:
        n, basis = int(part["total_respondents"].iloc[0]), "published"
    for r, count, share in zip(part.itertuples(), counts, shares):
        rows.append({"year": year, "question": question, "segment": segment, "option": r.response,
                     "count": int(count), "share_pct": round(100 * share, 4), "n": n, "basis": basis})
    return rows


# -- the manifest ------------------------------------------------------------------------------------------------
def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_value(key)


def manifest(out: Path, facts: dict) -> None:
    lines = [
        "# The any-field history: every file here, where it came from, its licence and what was decided about it.",
        "# Written by scripts/build_history.py from the project's shared reference data; do not edit by hand.",
        f"version = {toml_value(VERSION)}",
        f"compiled_at = {toml_value(COMPILED_AT)}",
        "",
    ]
    for section, values in facts.items():
        lines.append(f"[{section}]")
        for key, value in values.items():
            lines.append(f"{toml_key(key)} = {toml_value(value)}")
        lines.append("")
    (out / "MANIFEST.toml").write_text("\n".join(lines), encoding="utf-8")


def check_copied(folder: Path) -> None:
    import hashlib

    path = folder / PIPREQS["file"]
    if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != PIPREQS["sha256"]:
        raise SystemExit(f"build_history: {path} is missing or not the copy of {PIPREQS['repository']} "
                         f"{PIPREQS['path']} @ {PIPREQS['commit'][:10]} (sha256 {PIPREQS['sha256'][:12]}...)")


def same_table(one: Path, other: Path) -> bool:
    """Whether two files hold the same table (rows, columns, types and their order), whatever wrote them."""
    import pyarrow.parquet as pq

    if one.suffix != ".parquet":
        return False
    return pq.read_table(one).equals(pq.read_table(other))


def build(shared: Path, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    pypi_data, pypi_snapshots, pypi_projects, pypi_about = pypi(shared)
    github_data, github_snapshots, repos = github(shared)
    best_data, best_snapshots, best_projects, best_moves, matched = best_of(shared)
    survey_data, survey_snapshots, dates = survey(shared)
    moves = pd.DataFrame(best_moves + evanli_moves(github_data, repos)).drop_duplicates(["old", "new"])

    write_parquet(pypi_data, out / "pypi_downloads.parquet", ["project", "snapshot"])
    write_parquet(github_data, out / "github_stars.parquet", ["repo", "snapshot"])
    write_parquet(best_data, out / "best_of_ml_python.parquet", ["project", "metric", "snapshot"])
    write_parquet(survey_data, out / "stackoverflow_survey.parquet", ["topic", "year", "question", "segment", "option"])
    snapshots = pd.concat([pypi_snapshots, github_snapshots, best_snapshots, survey_snapshots], ignore_index=True)
    snapshots["question"] = snapshots["question"].fillna("")
    snapshots["top"] = snapshots["top"].astype("Int64")
    snapshots["floor"] = snapshots["floor"].astype("Int64")
    write_parquet(snapshots, out / "snapshots.parquet", ["source", "snapshot", "question"])
    write_parquet(pypi_projects, out / "pypi_projects.parquet", ["project"], INDEX_GROUP_ROWS)
    write_parquet(repos, out / "github_repos.parquet", ["name_key", "repo"], INDEX_GROUP_ROWS)
    write_parquet(moves, out / "github_moves.parquet", ["old", "new"])
    write_parquet(best_projects, out / "best_of_projects.parquet", ["project"])

    facts = {
        f"sources.{PYPI_SOURCE.replace('/', '_')}": {
            "source": PYPI_SOURCE, "repository": f"https://github.com/{PYPI_SOURCE}",
            "head": "5501c5c934df26d6f01fb1ca810845db02111c7d",
            "files": ["top-pypi-packages-30-days.json", "top-pypi-packages-30-days.min.json"],
            "licence": "none stated by the repository; the figures are PyPI's public download logs (BigQuery, "
                       "ClickHouse). Cite it as hugovk/top-pypi-packages.",
            "written_to": "pypi_downloads.parquet", "snapshots": len(pypi_snapshots),
            "projects": int(pypi_data["project"].nunique()), "rows": len(pypi_data),
            "methods": pypi_about["methods"],
            "decisions": "every snapshot's counting method is its row's method (a series that crosses a change is "
                         "not one series); a project missing from a snapshot was outside its top N, not zero "
                         "(the reader says so with the snapshot's floor); a day committed several times keeps its "
                         "earliest copy (identical figures)",
            "dropped_copies": pypi_about["dropped_copies"]},
        f"sources.{GITHUB_SOURCE.replace('/', '_')}": {
            "source": GITHUB_SOURCE, "repository": f"https://github.com/{GITHUB_SOURCE}",
            "head": "1f3e1701525143b5ac563105153e380610d1ad53",
            "files": ["Data/github-ranking-YYYY-MM-DD.csv, the first daily file of each month"],
            "licence": "none stated by the repository; the figures are GitHub's public counts on that day. Cite "
                       "it as EvanLi/Github-Ranking.",
            "written_to": "github_stars.parquet", "snapshots": len(github_snapshots),
            "repositories": int(github_data["repo"].nunique()), "rows": len(github_data),
            "decisions": "one row per snapshot and repository (the first occurrence in the file, as the bundled "
                         "series does; stars_spread is how far its lists disagree); repositories keyed by owner/name "
                         "lower-cased; absent from a month means outside every top-100 list, not zero"},
        f"sources.{BEST_OF_SOURCE.replace('/', '_')}": {
            "source": BEST_OF_SOURCE, "repository": f"https://github.com/{BEST_OF_SOURCE}",
            "head": "47f29706164810be3fe3c3e50f5216fe8e95d2dc", "files": ["history/YYYY-MM-DD_projects.csv"],
            "licence": "CC BY-SA 4.0", "attribution": BEST_OF_ATTRIBUTION,
            "licence_url": "https://creativecommons.org/licenses/by-sa/4.0/",
            "written_to": "best_of_ml_python.parquet", "snapshots": len(best_snapshots),
            "projects": int(best_data["project"].nunique()), "rows": len(best_data),
            "metrics": BEST_OF_METRICS,
            "decisions": "one project per repository over time (a repository that moved keeps its entry; keyed by "
                         "its latest owner/name, lower-cased); rows naming no repository are left out; a missing "
                         "figure is no row; figures matched by a bad-value rule are flagged and never used as "
                         "numbers"},
        "sources.stackoverflow_survey": {
            "source": "Stack Overflow Developer Survey <year> (published results)",
            "repository": f"https://github.com/{SURVEY_REPOSITORY}",
            "files": ["packages/archive/<year>/json/technology.json (2019-2026)"],
            "licence": "Open Database License (ODbL) 1.0; contents Database Contents License (DbCL) 1.0",
            "attribution": SURVEY_ATTRIBUTION, "written_to": "stackoverflow_survey.parquet",
            "rows": len(survey_data), "years": sorted(int(y) for y in survey_data["year"].unique()),
            "decisions": "the 'worked with' results of every technology question and every published segment; "
                         "2019-2020 counts derived as round(% x n / 100); 2021-2022 bases implied (median of "
                         "count / % per block: the published total is not the base); 2025 'Desired/Admired', "
                         "worked-to-want flows and write-ins left out; 2026's 'Used for AI' rows left out (another "
                         "question); 2019-2020 'Platforms' is the broad platform question, its own topic",
            "dates": dates},
        "copied.pipreqs_mapping": PIPREQS,
        "bad_values": {rule.name: {"metric": rule.metric, "why": rule.why, "rows": matched[rule.name]}
                       for rule in BAD_VALUE_RULES},
        "files": {
            "pypi_downloads.parquet": "project, snapshot, downloads",
            "github_stars.parquet": "repo, snapshot, github_id, stars, forks, stars_spread",
            "best_of_ml_python.parquet": "project, snapshot, metric, value, flag",
            "stackoverflow_survey.parquet": "year, question, segment, option, count, share_pct, n, basis, topic",
            "snapshots.parquet": "the provenance of every snapshot (source, snapshot, question, reference, method, "
                                 "query, period, published, note, top, floor)",
            "pypi_projects.parquet": "the name index: every PyPI project, first and last seen, last downloads",
            "github_repos.parquet": "the name index: every repository, its language and lists, by name_key",
            "github_moves.parquet": "repositories that moved: old, new, the evidence",
            "best_of_projects.parquet": "best-of-ml-python's projects: repositories, PyPI names, category"},
    }
    manifest(out, facts)
    return facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared data folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="build into a temporary folder and compare")
    args = parser.parse_args()
    if not (args.shared / "series" / "pypi_top_packages_monthly.parquet").is_file():
        sys.exit(f"build_history: {args.shared} does not hold series/pypi_top_packages_monthly.parquet "
                 f"(give --shared, the shared data folder)")
    check_copied(args.out)
    if args.check:
        with tempfile.TemporaryDirectory() as scratch:
            build(args.shared, Path(scratch))
            _, mismatch, errors = filecmp.cmpfiles(args.out, scratch, list(BUILT), shallow=False)
            # another pyarrow writes other bytes (its name and version in the footer): the same table is no change
            mismatch = [name for name in mismatch if not same_table(args.out / name, Path(scratch) / name)]
            if mismatch or errors:
                sys.exit(f"build_history: {', '.join(mismatch + errors)} differ from a fresh build")
        print(f"{args.out}: up to date ({len(BUILT)} built files)")
        return
    with tempfile.TemporaryDirectory(dir=args.out.parent) as scratch:
        facts = build(args.shared, Path(scratch))      # a failed build leaves the bundled files as they were
        if sorted(p.name for p in Path(scratch).iterdir()) != sorted(BUILT):
            raise SystemExit("build_history: the build wrote other files than BUILT lists; update BUILT")
        for name in BUILT:
            shutil.copyfile(Path(scratch) / name, args.out / name)
    size = sum(p.stat().st_size for p in args.out.iterdir())
    print(f"wrote {args.out} ({size / 1e6:.2f} MB): "
          + "; ".join(f"{k.split('.', 1)[1]} {v.get('rows', '')} rows" for k, v in facts.items()
                      if k.startswith("sources.")))


if __name__ == "__main__":
    main()

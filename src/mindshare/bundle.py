"""The bundled dataset: real historical figures that ship with mindshare and load into a new store.

Files under `data/bundle/` are copies of published figures (see `data/bundle/MANIFEST.toml` for where each
came from). Each row becomes an observation that keeps its source, reference and the source's own note.
Figures given only in words ("nearly 3", "about half") are kept as notes: value null, value_text the words.
"""

from __future__ import annotations

import csv
import hashlib
import re
import tomllib
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path

import pandas as pd

from mindshare.fields import Field, load_field
from mindshare.observations import MEASUREMENT_KEY, SnapshotKind, Sources, month_end
from mindshare.store import SnapshotResult, Store

BUNDLE_SOURCE = Sources.BUNDLE
HORACE_HE_SOURCE = Sources.HORACE_HE
HORACE_HE_REFERENCE = "https://github.com/Chillee/pytorch-vs-tensorflow (data as of rules {rules})"

# facts.csv `metric` -> signal. Anything not listed goes to 'other'.
FACT_SIGNALS = {
    "hale_power_score_weight": "score_weights",
    "hale_growth_score_weight": "score_weights",
    "job_listings_ratio_text": "jobs",
    "job_listings_change_text": "jobs",
    "job_listings_new": "jobs",
    "job_postings_growth": "jobs",
    "medium_articles_new": "articles",
    "github_stars_new": "github",
    "github_stars": "github",
    "github_forks": "github",
    "so_survey_share": "usage",
    "so_survey_count": "usage",
    "kaggle_survey_share": "usage",
    "kaggle_survey_text": "usage",
    "jetbrains_psf_survey_share": "usage",
    "oreilly_survey_text": "usage",
    "developer_survey_share": "usage",
    "pypi_downloads": "downloads",
    "research_users_estimate": "research",
    "research_split_text": "research",
    "arxiv_papers_mentioning": "research",
    "arxiv_papers_growth": "research",
    "paper_implementations_share": "research",
    "papers_share": "research",
    "conference_share_text": "research",
    "stackoverflow_questions": "qa",
    "stackoverflow_questions_per_year": "qa",
    "google_search_results": "search",
}

# series file -> (signal, how its dates become periods)
SERIES_FILES = {
    "github_stars.csv": ("github", "instant"),
    "hn_hiring_monthly.csv": ("jobs", "month"),
    "pypi_downloads_monthly.csv": ("downloads", "window"),
    "pypi_downloads_365d.csv": ("downloads", "window"),
    "so_questions_yearly.csv": ("qa", "year"),
}

_DATE_TOKEN = re.compile(r"(?<!\d)(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?!\d)")
_WINDOW_DAYS = re.compile(r"--days (\d+)")


def bundle_folder() -> Path:
    return Path(str(resources.files("mindshare") / "data" / "bundle"))


def manifest() -> dict:
    return tomllib.loads((bundle_folder() / "MANIFEST.toml").read_text(encoding="utf-8"))


def ensure_bundle(store: Store) -> SnapshotResult | None:
    """Load the bundled dataset unless this exact version of it is already stored.

    The check reads a digest of the bundle's files recorded in the store's meta table, so an up-to-date
    store costs one query, not a re-parse of the files.
    """
    marker = f"bundle:{bundle_digest()}"
    if store.meta(marker) is not None:
        return None
    result = store.add_snapshot(bundled_observations(), kind=SnapshotKind.BUNDLED, source=BUNDLE_SOURCE,
                                description=f"bundled dataset {manifest()['version']}")
    store.set_meta(marker, result.snapshot_id)
    return result


def bundled_observations(field: Field | None = None) -> pd.DataFrame:
    field = field or load_field("deep-learning")
    folder = bundle_folder()
    compiled_at = datetime.fromisoformat(manifest()["compiled_at"])
    frames = [
        facts_observations(folder / "facts.csv", field),
        conference_observations(folder / "conference_mentions.csv", field),
        *(series_observations(folder / "series" / name, field) for name in SERIES_FILES),
    ]
    frame = pd.concat(frames, ignore_index=True)
    frame["collected_at"] = compiled_at
    # The source repositories sometimes hold the same snapshot under several commits of one day: the same
    # measurement with the same value. Keep the first, so each measurement appears once.
    return frame.drop_duplicates(subset=[k for k in MEASUREMENT_KEY], keep="first", ignore_index=True)


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def facts_observations(path: Path, field: Field) -> pd.DataFrame:
    rows = []
    previous: dict[str, str] = {}
    for row in read_csv_rows(path):
        row = _resolve_same_as_above(row, previous)
        previous = row
        start, end = parse_period(row["period"])
        value = float(row["value"]) if row["value"].strip() else None
        rows.append({
            "signal": FACT_SIGNALS.get(row["metric"], "other"),
            "metric": row["metric"],
            "source": row["source"],
            "contender": contender_of(row["framework"], field),
            "subject": row["framework"],
            "period_start": start, "period_end": end, "period_label": row["period"],
            "value": value, "value_text": row["value_text"] or None,
            "unit": row["unit"], "segment": row["segment"] or "all",
            "method": "as published",
            "reference": row["reference"] or row["source"],
            "note": row["note"] or None,
        })
    return pd.DataFrame(rows)


def _resolve_same_as_above(row: dict[str, str], previous: dict[str, str]) -> dict[str, str]:
    """A few facts say 'same' or 'same as above' for their source or segment: take the row above's words."""
    resolved = dict(row)
    for column in ("source", "segment", "reference"):
        if resolved.get(column, "").strip().lower() in {"same", "same as above"} and previous.get(column):
            resolved[column] = previous[column]
            resolved["note"] = (resolved.get("note") or "") + f" ({column} as in the row above)"
    return resolved


def conference_observations(path: Path, field: Field) -> pd.DataFrame:
    """Horace He's per-venue counts: one observation per counted quantity, his rules version as method."""
    rows = []
    for row in read_csv_rows(path):
        year = int(row["year"])
        common = {
            "signal": "research", "source": HORACE_HE_SOURCE, "segment": row["venue"],
            "period_start": date(year, 1, 1), "period_end": date(year, 12, 31), "period_label": row["year"],
            "method": f"horace-he-{row['rules']}", "reference": HORACE_HE_REFERENCE.format(rules=row["rules"]),
            "unit": "papers",
            # public once that version of his data was: the 2021-10 recount of 2019 was unknown in 2020
            "published": month_end(date.fromisoformat(f"{row['rules']}-01")),
        }
        for column, subject, metric in (("pytorch_papers", "PyTorch", "papers_mentioning_only"),
                                        ("tensorflow_papers", "TensorFlow", "papers_mentioning_only"),
                                        ("total_papers", "_all_papers", "total_papers")):
            rows.append({**common, "metric": metric, "subject": subject,
                         "contender": contender_of(subject, field) if subject != "_all_papers" else None,
                         "value": float(row[column]), "value_text": row[column]})
    return pd.DataFrame(rows)


def series_observations(path: Path, field: Field) -> pd.DataFrame:
    signal, period_kind = SERIES_FILES[path.name]
    rows = []
    for row in read_csv_rows(path):
        day = date.fromisoformat(row["date"])
        note = row["note"]
        method = series_method(path.name, note)
        start, end = series_period(period_kind, day, row["unit"], note)
        by_package = signal == "downloads"
        value = float(row["value"]) if row["value"].strip() else None
        rows.append({
            "signal": signal, "metric": row["unit"], "source": row["source_repo"],
            "contender": (contender_of_package(row["framework"], field) if by_package
                          else contender_of(row["framework"], field)),
            "subject": row["framework"],
            "period_start": start, "period_end": end, "period_label": row["date"],
            "value": value,
            # a missing value is a fact in words ("absent from top 500"), never a zero
            "value_text": row["value"] if value is not None else note.split(";")[0],
            "unit": row["unit"], "segment": "all", "method": method,
            "reference": f"https://github.com/{row['source_repo']}/blob/{row['commit']}/{row['source_path']}",
            "note": note,
        })
    return pd.DataFrame(rows)


def series_method(file_name: str, note: str) -> str:
    """The counting method of a row; a change of method breaks a series for trends and crossovers."""
    if file_name.startswith("pypi_downloads"):
        return note.rsplit("; ", 1)[-1].strip()
    if file_name.startswith("hn_hiring"):
        return "hiringtrends 2024 dictionary, whole word"
    return "as published"


def series_period(kind: str, day: date, unit: str, note: str) -> tuple[date, date]:
    if kind == "instant":
        return day, day
    if kind == "month":
        return day.replace(day=1), month_end(day)
    if kind == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    # a download window ending on the snapshot date, or the full previous calendar month
    if "previous calendar month" in note:
        end = day.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    days = _WINDOW_DAYS.search(note)
    length = int(days.group(1)) if days else (365 if unit.endswith("365d") else 30)
    return day - timedelta(days=length), day - timedelta(days=1)


def parse_period(text: str) -> tuple[date | None, date | None]:
    """'2019', '2018-09', '2018..2019', '2019-01..2019-06', 'c. 2023-05' -> first and last day covered."""
    tokens = _DATE_TOKEN.findall(text)
    if not tokens:
        return None, None
    first, last = tokens[0], tokens[-1]
    return _token_start(first), _token_end(last)


def _token_start(token: tuple[str, str, str]) -> date:
    year, month, day = token
    return date(int(year), int(month or 1), int(day or 1))


def _token_end(token: tuple[str, str, str]) -> date:
    year, month, day = token
    if day:
        return date(int(year), int(month), int(day))
    if month:
        return month_end(date(int(year), int(month), 1))
    return date(int(year), 12, 31)


def contender_of(name: str, field: Field) -> str | None:
    found = field.find(name)
    return found.id if found else None


def contender_of_package(package: str, field: Field) -> str | None:
    found = field.find_by_package(package)
    return found.id if found else None


def bundle_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(bundle_folder().rglob("*")):
        if not path.is_file():
            continue
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]

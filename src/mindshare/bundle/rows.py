"""How the bundled files become observations (see mindshare.bundle for what they hold): one function per file
or family of files, `bundled_observations` joining them. Imported only when a store needs the bundle loaded."""

from __future__ import annotations

import csv
import re
import statistics
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import pandas as pd

from mindshare.bundle.files import BUNDLE_SOURCE, bundle_folder, manifest, second_hand
from mindshare.fields import Field, load_field
from mindshare.importers import best_of, surveys
from mindshare.importers.surveys import KAGGLE, STACKOVERFLOW, SegmentTotals, ShareRow
from mindshare.observations import DEFAULT_METHOD, MEASUREMENT_KEY, PARTIAL, Methods, Sources, observation
from mindshare.observations import month_end as _month_end
from mindshare.observations import month_period as _month_period

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

# Notes of figures that two published readings give differently start with this (both readings are kept).
CONFLICT = "CONFLICT"
BRIDGE_METRIC = "series_bridge"
HN_DICTIONARY_METHOD = "hiringtrends 2024 dictionary, whole word"
HN_REGEX_METHOD = "hn-hiring-analysis: word-boundary regex on lower-cased, HTML-stripped posts"
STACKOVERFLOW_SEGMENTS = {"All Respondents": surveys.ALL, "Professional Developers": surveys.PROFESSIONAL,
                          "Learning to Code": surveys.LEARNING, "Other Coders": surveys.OTHER_CODERS}

_DATE_TOKEN = re.compile(r"(?<!\d)(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?!\d)")
_WINDOW_DAYS = re.compile(r"--days (\d+)")


# The bundle asks for the same few hundred months thousands of times; the periods are the house's (observations).
month_end = lru_cache(maxsize=4096)(_month_end)
month_period = lru_cache(maxsize=4096)(_month_period)


def bundled_observations(field: Field | None = None) -> pd.DataFrame:
    field = field or load_field("deep-learning")
    folder = bundle_folder()
    about = manifest()
    compiled_at = datetime.fromisoformat(about["compiled_at"])
    frames = [
        facts_observations(folder / "facts.csv", field, about.get("facts_published", {}), about.get("facts_notes", {}),
                           compiled_at.date()),
        contender_note_observations(about.get("contender_notes", []), field),
        conference_observations(folder / "conference_mentions.csv", field),
        *(series_observations(folder / "series" / name, field, about["series_published"].get(f"series/{name}"))
          for name in SERIES_FILES),
        kaggle_observations(folder / "surveys" / "kaggle_frameworks_2019_2021.csv", about["kaggle_raw"], field),
        hn_regex_observations(folder, about["hn_hiring_regex"], field),
        bridge_observations(about["hn_hiring_bridge"]),
        best_of.dependents_observations(folder / about["best_of_ml_python"]["file"], about["best_of_ml_python"], field),
    ]
    # the survey shares two publications give for one figure: facts.csv's readings and Stack Overflow's own
    frames[0] = flag_conflicting_readings(pd.concat(
        [frames[0], stackoverflow_observations(folder, about["stackoverflow_archive"], field)], ignore_index=True))
    frame = pd.concat(frames, ignore_index=True)
    frame["collected_at"] = compiled_at
    # The source repositories sometimes hold the same snapshot under several commits of one day: the same
    # measurement with the same value. Keep the first, so each measurement appears once.
    return frame.drop_duplicates(subset=[k for k in MEASUREMENT_KEY], keep="first", ignore_index=True)


def read_csv_rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def facts_observations(path: Path, field: Field, published: dict | None = None, notes: dict | None = None,
                       compiled: date | None = None) -> pd.DataFrame:
    """facts.csv's rows; `published` (MANIFEST [facts_published]: source -> day, or "unknown" for the day the bundle
    was compiled) dates when each became public, for --as-of; `notes` ([facts_notes]: source -> framework -> words)
    adds what the shared copy does not carry to a row's note."""
    published, notes = published or {}, notes or {}
    rows = []
    previous: dict[str, str] = {}
    relayed = second_hand()
    for row in read_csv_rows(path):
        row = _resolve_same_as_above(row, previous)
        previous = row
        start, end = parse_period(row["period"])
        value = float(row["value"]) if row["value"].strip() else None
        reference = row["reference"] or row["source"]
        if row["source"] in relayed:
            reference = f"{relayed[row['source']]}. {reference}"
        rows.append({
            "signal": FACT_SIGNALS.get(row["metric"], "other"),
            "metric": row["metric"],
            "source": row["source"],
            "contender": contender_of(row["framework"], field),
            "subject": row["framework"],
            "period_start": start, "period_end": end, "period_label": row["period"],
            "value": value, "value_text": row["value_text"] or None,
            "unit": row["unit"], "segment": row["segment"] or "all",
            "method": DEFAULT_METHOD,
            "reference": reference,
            "note": "; ".join(x for x in (row["note"], notes.get(row["source"], {}).get(row["framework"], "")) if x)
                    or None,
            "published": _published_day(published.get(row["source"]), compiled),
        })
    return pd.DataFrame(rows)


def _published_day(day: date | str | None, compiled: date | None) -> date | None:
    if day == "unknown":
        return compiled
    return day if isinstance(day, date) else None


def contender_note_observations(notes: list[dict], field: Field) -> pd.DataFrame:
    """MANIFEST [[contender_notes]]: what a contender has become that changes what its figures stand for, as words
    (metric contender_note), known from the day each was published."""
    rows = []
    for note in notes:
        start = date.fromisoformat(f"{note['period']}-01")
        rows.append(observation(signal="other", metric="contender_note", source=note["source"],
                                subject=note["subject"], contender=contender_of(note["subject"], field),
                                value_text=note["words"], period_start=start, period_end=month_end(start),
                                period_label=note["period"], method=DEFAULT_METHOD, reference=note["reference"],
                                published=note["published"]))
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


def series_observations(path: Path, field: Field, published: date | None = None) -> pd.DataFrame:
    signal, period_kind = SERIES_FILES[path.name]
    find = contender_of_package if signal == "downloads" else contender_of
    contenders: dict[str, str | None] = {}   # a few names, thousands of rows
    rows = []
    for row in read_csv_rows(path):
        day = date.fromisoformat(row["date"])
        # a year its source says was still running ("2020 is partial") is flagged the way every partial is
        note = f"{PARTIAL}: {row['note']}" if f"{day.year} is partial" in row["note"] else row["note"]
        method = series_method(path.name, note)
        start, end = series_period(period_kind, day, row["unit"], note)
        value = float(row["value"]) if row["value"].strip() else None
        name = row["framework"]
        if name not in contenders:
            contenders[name] = find(name, field)
        rows.append({
            "signal": signal, "metric": row["unit"], "source": row["source_repo"],
            "contender": contenders[name],
            "subject": name,
            "period_start": start, "period_end": end, "period_label": row["date"],
            "value": value,
            # a missing value is a fact in words ("absent from top 500"), never a zero
            "value_text": row["value"] if value is not None else note.split(";")[0],
            "unit": row["unit"], "segment": "all", "method": method,
            "reference": f"https://github.com/{row['source_repo']}/blob/{row['commit']}/{row['source_path']}",
            "note": note, "published": published,
        })
    return pd.DataFrame(rows)


def series_method(file_name: str, note: str) -> str:
    """The counting method of a row; a change of method breaks a series for trends and crossovers."""
    if file_name.startswith("pypi_downloads"):
        return note.rsplit("; ", 1)[-1].strip()
    if file_name.startswith("hn_hiring"):
        return HN_DICTIONARY_METHOD
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


# -- Stack Overflow's published results, 2019-2024 -------------------------------------------------------------
def stackoverflow_observations(folder: Path, archive: dict, field: Field) -> pd.DataFrame:
    """The ML rows of "Other frameworks and libraries" (the year's `options` in the column map), every segment,
    with count and base; the caveats of each year in the rows' notes; the year the question was dropped."""
    from mindshare.importers.survey_maps import load_survey_map

    survey_map = load_survey_map()
    rows: list[dict] = []
    tables: dict[str, list[dict[str, str]]] = {}
    for key, relative in archive["files"].items():
        year = int(key)
        if relative not in tables:
            tables[relative] = read_csv_rows(folder / relative, delimiter="\t")
        year_map = survey_map.year(year)
        common = _stackoverflow_common(year_map, survey_map, archive)
        shares, totals = _stackoverflow_year(year, tables[relative], year_map.options, field)
        rows += surveys.share_observations(STACKOVERFLOW, shares, totals, common)
        offered = {r.contender for r in shares}
        rows += surveys.not_an_option(STACKOVERFLOW, [c for c in field.contenders if c.id not in offered],
                                      "'Other frameworks and libraries'", year, common)
        rows += [observation(metric=STACKOVERFLOW.respondents, subject="_total_respondents_field", segment=segment,
                             value=n, unit="respondents", note="published as the block's total_respondents, but not "
                             "the base of its percentages (see _answered)", **common)
                 for segment, n in _total_fields(tables[relative], year).items()]
    dropped = survey_map.year(archive["dropped"])
    rows.append(surveys.survey_note(
        STACKOVERFLOW, "_question", f"{surveys_no_question(dropped.year)}: Stack Overflow dropped 'Other frameworks "
        f"and libraries', so its series of ML-framework shares ends in {dropped.year - 1}",
        {**_stackoverflow_common(dropped, survey_map, archive), "reference": archive["dropped_reference"]}))
    return pd.DataFrame(rows)


def surveys_no_question(year: int) -> str:
    from mindshare.importers.survey_maps import NO_QUESTION

    return NO_QUESTION.format(year=year)


def stackoverflow_published_source(year: int) -> str:
    """The source of Stack Overflow's own published figures: the survey, qualified as its results (a file
    recounted by `mindshare survey import` is the plain survey name)."""
    from mindshare.importers.survey_maps import load_survey_map

    return f"{load_survey_map().source.format(year=year)} (published results)"


def _stackoverflow_common(year_map, survey_map, archive: dict) -> dict:
    year = year_map.year
    commit = archive["commits"].get(str(year))
    path = archive["path"].format(year=year)
    reference = (f"https://github.com/{archive['repository']}/blob/{commit}/{path}" if commit
                 else f"https://github.com/{archive['repository']} {path}")
    start, end = year_map.period
    return {"signal": "usage", "source": stackoverflow_published_source(year), "period_start": start,
            "period_end": end, "period_label": str(year), "method": DEFAULT_METHOD, "reference": reference,
            "query": "'Other frameworks and libraries' (MiscTech), select all that apply",
            "published": year_map.released}


def _stackoverflow_year(year: int, table: list[dict[str, str]], options: tuple[str, ...],
                        field: Field) -> tuple[list[ShareRow], list[SegmentTotals]]:
    """One year's ML rows as ShareRows, and each segment's base, from whichever layout its file has."""
    wanted = set(options)
    shares, bases = [], {}
    for row in table:
        if row.get("year", str(year)) != str(year):
            continue
        segment = STACKOVERFLOW_SEGMENTS[row.get("name") or row["graph"]]
        option = row["response"].strip()
        if "percent_0_100" in row:   # 2019-2020: % and n published, the count derived
            n = int(row["responses_in_subtext"])
            share, count = float(row["percent_0_100"]), int(row["implied_count_rounded"])
            note = (f"published: the % and n ({n:,} responses); the count is derived as round(% x n / 100)")
            bases[segment] = (n, f"published: '{n:,} responses; select all that apply'")
        elif "implied_percent_base" in row:   # 2021-2022: count and % published, the base only implied
            n = int(row["implied_percent_base"])
            share, count = round(100 * float(row["percent"]), 4), int(row["frequency"])
            note = (f"published: the count and the % (to 4 digits); the %'s base is implied, n = count / % = {n:,}, "
                    f"not the published total_respondents {int(row['total_respondents_field']):,}")
            bases.setdefault(segment, []).append(n)
        else:   # 2023-2024: count, % and n published, % = count / n
            n = int(row["total_respondents"])
            share, count = round(100 * float(row["percent"]), 4), int(row["frequency"])
            note = "published: the count, the % and n (% = count / n)"
            bases[segment] = (n, "published: total_respondents of the block")
        if option not in wanted:
            continue
        contender = surveys.contender_for(option, field, "stackoverflow", year)
        shares.append(ShareRow(subject=option, contender=contender.id if contender else None, segment=segment,
                               share_pct=share, count=count, n=n, note=note))
    totals = []
    for segment, base in bases.items():
        if isinstance(base, list):   # the implied bases differ by rounding: their median stands for the segment
            median = int(statistics.median(base))
            totals.append(SegmentTotals(segment, n_answered=median, note=(
                f"implied: the median of count / % over the block's {len(base)} rows "
                f"({min(base):,}-{max(base):,}; they differ by the rounding of the %)")))
        else:
            totals.append(SegmentTotals(segment, n_answered=base[0], note=base[1]))
    return shares, totals


def _total_fields(table: list[dict[str, str]], year: int) -> dict[str, int]:
    """2021-2022: the total_respondents each block was published with (not its percentages' base)."""
    return {STACKOVERFLOW_SEGMENTS[row["name"]]: int(row["total_respondents_field"])
            for row in table if row.get("year") == str(year) and "total_respondents_field" in row}


def flag_conflicting_readings(frame: pd.DataFrame) -> pd.DataFrame:
    """Two published readings of one survey figure (the same year, contender and segment, from different
    sources): where they disagree beyond the coarser one's rounding, each row's note starts with CONFLICT and
    names the other; where they agree, the note says so. Both rows stay."""
    shares = frame[(frame["metric"] == STACKOVERFLOW.share) & frame["value"].notna() & frame["contender"].notna()
                   & (frame["method"] == DEFAULT_METHOD)]
    if shares.empty:
        return frame
    who = shares["segment"].str.split(";").str[0].str.strip().str.lower()
    frame = frame.copy()
    for _, group in shares.groupby([shares["period_label"].str[:4], shares["contender"], who]):
        if len(group) < 2:
            continue
        digits = group["value_text"].map(_decimals)
        coarse = int(digits.min())
        for index, row in group.iterrows():
            others = group.drop(index)
            differ = any(round(o.value, coarse) != round(row["value"], coarse) for o in others.itertuples())
            said = "; ".join(f"{o.source}: {o.value_text}" for o in others.itertuples())
            words = (f"{CONFLICT}: two published readings disagree ({said}); both are kept" if differ
                     else f"the same figure as {said}, to {coarse} decimal(s)")
            frame.at[index, "note"] = f"{words}; {row['note']}" if pd.notna(row["note"]) else words
    return frame


def _decimals(text: str) -> int:
    text = str(text)
    return len(text.split(".", 1)[1]) if "." in text else 0


# -- Kaggle, recounted from the raw files ------------------------------------------------------------------------
def kaggle_observations(path: Path, raw: dict, field: Field) -> pd.DataFrame:
    """The shape `mindshare survey import --source kaggle` stores, from the counts recounted from the raw files;
    reference: the raw file (name, sha256, where it was published)."""
    from mindshare.importers.survey_maps import load_kaggle_map

    kaggle_map = load_kaggle_map()
    by_year: dict[int, list[dict[str, str]]] = {}
    for row in read_csv_rows(path):
        by_year.setdefault(int(row["year"]), []).append(row)
    rows: list[dict] = []
    for year, table in sorted(by_year.items()):
        spec, origin = kaggle_map.year(year), raw[str(year)]
        first = table[0]
        segments = [(surveys.ALL, "count_all", int(first["n_answered"]), int(first["n_all_respondents"])),
                    (surveys.DATA_SCIENTISTS, "count_data_scientists", int(first["n_ds_answered"]),
                     int(first["n_data_scientists"]))]
        shares = []
        for row in table:
            contender = surveys.contender_for(row["framework"], field, "kaggle", year)
            for segment, column, n, n_all in segments:
                count = int(row[column])
                shares.append(ShareRow(subject=row["framework"], contender=contender.id if contender else None,
                                       segment=segment, share_pct=round(100 * count / n, 4), count=count, n=n,
                                       n_all=n_all, note=f"{count} of n={n}"))
        place = origin.get("commit") or origin.get("blob")
        common = {"signal": "usage", "source": kaggle_map.source.format(year=year), "period_start": date(year, 1, 1),
                  "period_end": date(year, 12, 31), "period_label": str(year), "method": Methods.SURVEY_IMPORT,
                  "reference": (f"{origin['file']} sha256:{origin['sha256']} ({origin['answers']}), from "
                                f"github.com/{origin['repository']} @ {place} {origin['path']}"),
                  "query": _kaggle_query(spec, [r["question_col"] for r in table])}
        totals = [SegmentTotals(segment, n_answered=n, n_all=n_all,
                                note="ticked any option, None and Other included")
                  for segment, _, n, n_all in segments]
        rows += surveys.share_observations(KAGGLE, shares, totals, common)
        offered = {r.contender for r in shares}
        rows += surveys.not_an_option(KAGGLE, [c for c in field.contenders if c.id not in offered],
                                      spec.question, year, common)
    return pd.DataFrame(rows)


def _kaggle_query(spec, columns: list[str]) -> str:
    query = f"{spec.prefix}N (one column per option)" + "".join(f" and {c}" for c in columns
                                                                if c in spec.other_columns)
    return query + (f"; data scientists: {spec.job_title} = {spec.data_scientist!r}" if spec.job_title else "")


# -- Hacker News 'Who is hiring?', the regex series to 2026 ------------------------------------------------------
HN_REGEX_POSTS, HN_REGEX_TOTAL = "job_posts", "_posts"
HN_REGEX_MATCHING, HN_REGEX_PCT = "posts_matching", "pct_of_posts_matching"


def hn_regex_observations(folder: Path, about: dict, field: Field) -> pd.DataFrame:
    """Posts per month (`job_posts`, subject `_posts`) and posts matching each term (`posts_matching`,
    `pct_of_posts_matching`), under the regex method; a month the source got wrong is a note saying so.

    The names differ from the ryanwi series' `_all_posts` / `posts_mentioning` / `pct_of_posts` on purpose: the
    report picks one Hacker News value per month and contender without looking at the method, and would mix the
    two methods (and stop at contenders ryanwi counts but this series does not, Keras). Same quantities, told
    apart by method and by name until the report selects by method.
    """
    reference = f"https://github.com/{about['repository']}/blob/{about['commit']}/{about['path']}"
    published = about["published"]
    contenders = {term: contender_of(term, field) for term in about["terms"]}
    rows = []
    for row in read_csv_rows(folder / about["file"]):
        start, end, label = month_period(date.fromisoformat(row["month"] + "-01"))
        common = {"signal": "jobs", "source": about["repository"], "period_start": start, "period_end": end,
                  "period_label": label, "method": HN_REGEX_METHOD, "reference": reference, "published": published}
        if label in about["dropped"]:
            rows.append(observation(metric=HN_REGEX_POSTS, subject=HN_REGEX_TOTAL, unit="job_posts",
                                    value_text=f"left out: {about['dropped'][label]}", **common))
            continue
        rows.append(observation(metric=HN_REGEX_POSTS, subject=HN_REGEX_TOTAL, value=float(row["posts"]),
                                unit="job_posts", note=about["posts"], **common))
        for term, pattern in about["terms"].items():
            contender = contenders[term]
            said = f"posts whose lower-cased, HTML-stripped text matches {pattern}"
            rows.append(observation(metric=HN_REGEX_MATCHING, subject=term, contender=contender,
                                    value=float(row[f"{term}_count"]), unit="posts", note=said, **common))
            rows.append(observation(metric=HN_REGEX_PCT, subject=term, contender=contender,
                                    value=float(row[f"{term}_pct"]), unit="% of posts",
                                    note=f"{said}, % of the month's posts", **common))
    return pd.DataFrame(rows)


def bridge_observations(bridge: dict) -> pd.DataFrame:
    """The decision how far the two HN series may be joined, one note per quantity (its words start with BRIDGED
    or NOT BRIDGED), over the months both cover."""
    first, last = bridge["common"]
    start = date.fromisoformat(f"{first}-01")
    end = month_end(date.fromisoformat(f"{last}-01"))
    method = " -> ".join(bridge["methods"])
    return pd.DataFrame([observation(
        signal="jobs", metric=BRIDGE_METRIC, source=BUNDLE_SOURCE, subject=subject, value_text=words,
        period_start=start, period_end=end, period_label=f"{first}..{last}", method=method,
        reference="mindshare bundle MANIFEST.toml [hn_hiring_bridge], checked by tests/test_bundle.py",
        query="regex series against dictionary series over their common months")
        for subject, words in bridge["decisions"].items()])

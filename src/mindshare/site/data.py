"""`SITE/data/`: the numbers behind the answer, for people who want them, each file with its provenance.

From results.json: `answer.json` (the headline section whole: headline, sentences, scoreboard, every figure with
its source) and `scoreboard.csv`; each section's tables as `<section>/<table>.csv` and `.json` (the JSON beside
the rows names the sources its rows cite, with their reference, method and time of collection); `sources.csv`
and `sources.json` (the whole source list); `index.json` and `index.html` listing them all.

CSV cells a spreadsheet would run as a formula are prefixed with an apostrophe, as `--format csv` does.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from html import escape
from typing import Any

from mindshare.report.tables import defused

FOLDER = "data"
ANSWER = "headline"
SOURCES = "sources"


def data_files(results: dict[str, Any], more: Iterable[tuple[str, bytes, str]] = ()) -> dict[str, bytes]:
    """Every file of `SITE/data/` (path relative to the site's root -> bytes); `more`: other files of the folder
    (path inside it, bytes, what it holds), listed with the rest."""
    sections = results.get("sections", [])
    sources = _sources(sections)
    about = {key: results.get(key) for key in ("field", "field_title", "as_of", "mindshare_version")}
    headline = next((s for s in sections if s.get("id") == ANSWER), None)
    about["report_date"] = (headline or {}).get("report_date")
    files: dict[str, bytes] = {}
    listing: list[dict[str, str]] = []

    def add(path: str, data: bytes, what: str) -> None:
        files[f"{FOLDER}/{path}"] = data
        listing.append({"file": path, "what": what})

    if headline is not None:
        cited = _cited(headline)
        add("answer.json", json_bytes({**about, "answer": headline, "sources": _rows_for(sources, cited)}),
            "the answer: headline, sentences, scoreboard, each figure with its source")
        scoreboard: list[dict[str, Any]] = next((t["rows"] for t in headline.get("tables", []) if t.get("name") == "scoreboard"), [])
        add("scoreboard.csv", csv_bytes(scoreboard), "the scoreboard, a row per signal")
    for section in sections:
        if section.get("id") in (ANSWER, SOURCES):
            continue
        for table in section.get("tables", []):
            stem = f"{_slug(section['id'])}/{_slug(table['name'])}"
            rows = table.get("rows", [])
            document = {**about, "section": section["id"], "table": table["name"],
                        "caption": table.get("caption", ""), "rows": rows,
                        "sources": _rows_for(sources, _cited({"rows": rows}))}
            add(f"{stem}.json", json_bytes(document), f"{section.get('title', section['id'])}: {table['name']}")
            add(f"{stem}.csv", csv_bytes(rows), f"{section.get('title', section['id'])}: {table['name']} (rows only)")
    if sources:
        add("sources.json", json_bytes({**about, "sources": sources}), "every source: reference, method, when collected")
        add("sources.csv", csv_bytes(sources), "every source (rows only)")
    for path, body, what in more:
        add(path, body, what)
    files[f"{FOLDER}/index.json"] = json_bytes({**about, "files": listing})
    files[f"{FOLDER}/index.html"] = _index_html(results, listing)
    return files


def _sources(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    section = next((s for s in sections if s.get("id") == SOURCES), None)
    return section["tables"][0]["rows"] if section and section.get("tables") else []


def _cited(node: Any) -> set[str]:
    """Every source reference (S12) a part of results.json cites, however deep."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "source_ref" and item:
                    found.update(re.findall(r"S\d+", str(item)))
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(node)
    return found


def _rows_for(sources: list[dict[str, Any]], refs: set[str]) -> list[dict[str, Any]]:
    return [row for row in sources if str(row.get("ref")) in refs]


def json_bytes(document: Any) -> bytes:
    """A JSON file as the site writes them (UTF-8, indented, no NaN)."""
    return (json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    """Rows as CSV: columns in first-seen order, nested values as JSON, formula-like text defused."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return out.getvalue().encode("utf-8")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return defused(value)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", str(text).lower()).strip("-") or "table"


def _index_html(results: dict[str, Any], listing: list[dict[str, str]]) -> bytes:
    from mindshare.site.pages import page

    items = "".join(f'<li><a href="{escape(item["file"])}">{escape(item["file"])}</a> '
                    f'<span class="meta">{escape(item["what"])}</span></li>\n' for item in listing)
    title = f"{results.get('field_title') or results.get('field') or 'mindshare'}: the numbers"
    body = (f"<h1>{escape(title)}</h1>\n<p class=\"meta\">Every number of the answer with its source. "
            '<a href="../">The answer</a> · <a href="index.json">this list as JSON</a></p>\n'
            f"<ul>\n{items}</ul>\n")
    return page(title, body)

"""Section `headline`: the answer, first on every page: one headline sentence, 3-5 plain sentences, what each kind
of reader should focus on, and the scoreboard (one row per signal: what it counts, period, leader, lead with its
interval, trend, confidence with its reason, the data's age), with a "data through" line.

Everything here is `mindshare.analysis.answer.Answer.as_section()`, rendered as it is: the report computes no figure
of its own. The one thing added is provenance: each figure that names its source row gets that row's S-number, so
the headline links to the source list like every other section.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import pandas as pd

from mindshare.report.evidence import Evidence
from mindshare.report.model import Finding, Section, Table

TITLE = "The answer"
FIRST_SCREEN_ROLES = ("headline", "sentence")          # above the scoreboard
AFTER_SCOREBOARD_ROLES = ("data_through",)             # the line right under it
MORE_ROLES = ("focus", "lead_lag", "others", "composite", "survey_note", "article")   # under the first screen


@dataclass(frozen=True, eq=False)
class HeadlineInput:
    evidence: Evidence
    answer: dict | None     # analysis.answer.Answer.as_section() (a plain dict, as the analysis cache keeps it)


def build(inputs: HeadlineInput) -> Section:
    section = Section(id="headline", title=TITLE)
    if not inputs.answer:
        section.notes.append("No signal has enough data for an answer yet.")
        return section
    document = copy.deepcopy(inputs.answer)
    article = inputs.evidence.article
    reproduced = article.reproduction(inputs.evidence) if article is not None else None
    if reproduced is not None:          # the article a field reproduces, point by point, as known on the day
        document["findings"].append(reproduced)
    refs = _source_refs(inputs.evidence, document)
    for finding in document["findings"]:
        _link(finding["figures"], refs)
    for table in document["tables"]:
        for row in table["rows"]:
            _link(row.get("figures", []), refs)
            if row.get("source") in refs:
                row["source_ref"] = refs[row["source"]]
    _then_beside_the_lead(document)
    document["id"], document["title"] = section.id, section.title
    document.setdefault("notes", list(document.get("method_notes", [])))
    document.setdefault("charts", [])
    document.setdefault("intro", "")
    section.document = document
    section.findings = [Finding(f["text"], f["figures"]) for f in document["findings"]]
    section.tables = [Table(t["name"], t["name"].replace("_", " "), pd.DataFrame(t["rows"]), collapsed=True)
                      for t in document["tables"]]
    section.notes = list(document["notes"])
    return section


# With --compare-to each scoreboard row carries its value then (`then`, answer_model.Then). Until the report's
# templates give it a column of its own, it is shown in the lead cell, so every renderer puts it on the first screen
# beside the value now: "<lead now>; on <day>: <leader then> <lead then> (<period then>)".
THEN_IN_LEAD_CELL = True


def _then_beside_the_lead(document: dict) -> None:
    if not THEN_IN_LEAD_CELL or not document.get("compare_to"):
        return
    for table in document["tables"]:
        if table["name"] != "scoreboard":
            continue
        for row in table["rows"]:
            if row.get("then"):
                row["lead"] = f"{row['lead']}; on {row['then']['day']}: {row['then']['words']}"


def findings(section: Section, roles: tuple[str, ...]) -> list[dict]:
    """The headline's findings of the given roles, in the answer's order (for the templates)."""
    if section is None or not section.document:
        return []
    return [f for f in section.document["findings"] if f.get("role") in roles]


def table_rows(section: Section, name: str) -> list[dict]:
    if section is None or not section.document:
        return []
    return next((t["rows"] for t in section.document["tables"] if t["name"] == name), [])


def _source_refs(evidence: Evidence, document: dict) -> dict[str, str]:
    """The S-number of every source the answer names (the first of its rows in the store's order)."""
    named = set()
    for finding in document["findings"]:
        named |= {f.get("source") for f in finding["figures"]}
    for table in document["tables"]:
        for row in table["rows"]:
            named.add(row.get("source"))
            named |= {f.get("source") for f in row.get("figures", [])}
    named.discard(None), named.discard("")
    observations = evidence.observations
    refs = {}
    for source in sorted(named):
        rows = observations[observations["source"] == source]
        if not rows.empty:
            refs[source] = evidence.provenance.ref(rows.iloc[0])
    return refs


def _link(figures: list[dict], refs: dict[str, str]) -> None:
    for figure in figures:
        if figure.get("source") in refs:
            figure["source_ref"] = refs[figure["source"]]

"""What the full-text indexes (Europe PMC, OpenAlex) are asked, and their counts as shares: the query helpers of
the sources that use them.

The words that count as a mention of each contender:

The same words the scanner counts in PDFs (rule M1 of `mindshare.scan.rules`: the contender's patterns or
name, plus its aliases, without the ambiguous ones that are not its own name), so an index count and a scan
count ask about the same words; how each index tokenises and stems them is its own (docs/research.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from mindshare import catalogue
from mindshare.fields import Contender, Field
from mindshare.observations import Subjects, number_text

PAPERS_ONLY = catalogue.PAPERS_ONLY.name
PAPERS_MENTIONING = catalogue.PAPERS_MENTIONING.name
PAPERS_ANY = catalogue.PAPERS_ANY.name
POPULATION = catalogue.POPULATION_PAPERS.name
PCT_MENTIONING = catalogue.PCT_PAPERS_MENTIONING.name


def phrases_by_contender(contenders: Iterable[Contender]) -> dict[str, list[str]]:
    """{contender id: the phrases that count as its mention}, in the field's order."""
    from mindshare.scan.rules import MindshareRules

    chosen = tuple(contenders)
    rules = MindshareRules(Field("index-terms", "index terms", Path("<contenders>"), contenders=chosen),
                           engine="python")
    found: dict[str, list[str]] = {c.id: [] for c in chosen}
    for keyword, (cid, kind) in zip(rules.keywords, rules.owners):
        if kind == "direct" and keyword.phrase.casefold() not in {p.casefold() for p in found[cid]}:
            found[cid].append(keyword.phrase)
    return found


@dataclass(frozen=True)
class Question:
    """One count to ask an index for: a research metric of the catalogue, for one contender or none.

    `expression` is the boolean search (None: the population itself, every paper the index counts over).
    """

    metric: str
    contender: Contender | None
    expression: str | None


def index_questions(contenders: Iterable[Contender], term: Callable[[str], str]) -> list[Question]:
    """What an index is asked, per period: the population; per contender the papers mentioning it and those
    mentioning it and no other contender; and the papers mentioning any. `term` writes one phrase in the
    index's syntax ('BODY:"pytorch"' for Europe PMC, '"pytorch"' for OpenAlex)."""
    chosen = list(contenders)
    phrases = phrases_by_contender(chosen)
    either = {cid: " OR ".join(term(p) for p in words) for cid, words in phrases.items() if words}
    questions = [Question(POPULATION, None, None)]
    for c in chosen:
        if c.id not in either:
            continue
        others = " OR ".join(either[o] for o in either if o != c.id)
        questions.append(Question(PAPERS_MENTIONING, c, f"({either[c.id]})"))
        questions.append(Question(PAPERS_ONLY, c, f"({either[c.id]}) NOT ({others})" if others
                                  else f"({either[c.id]})"))
    questions.append(Question(PAPERS_ANY, None, "(" + " OR ".join(either.values()) + ")"))
    return questions


def by_expression(questions: list[Question]) -> list[list[Question]]:
    """Questions that ask the same search, together (one contender: mentioning = only = any), so each
    distinct search is asked once."""
    groups: dict[str | None, list[Question]] = {}
    for q in questions:
        groups.setdefault(q.expression, []).append(q)
    return list(groups.values())


def subject_of(question: Question) -> str:
    """The observation `subject` of a question's count: the contender, all papers, or any contender."""
    if question.contender is not None:
        return question.contender.name
    return Subjects.ALL_PAPERS if question.expression is None else Subjects.ANY_CONTENDER


def shares_of_population(rows: list[dict]) -> list[dict]:
    """For index counts (rows of one run): `pct_papers_mentioning` per contender and period, its count over
    the population counted in the same run (the note names it), so no share is read off a later, larger
    denominator."""
    population = {(r["period_start"], r["segment"]): r for r in rows if r["metric"] == POPULATION}
    out = []
    for r in rows:
        base = population.get((r["period_start"], r["segment"]))
        if r["metric"] != PAPERS_MENTIONING or base is None or not base["value"]:
            continue
        share = 100 * r["value"] / base["value"]
        out.append({**r, "metric": PCT_MENTIONING, "unit": "%", "value": share, "value_text": number_text(share),
                    "note": "; ".join(x for x in (f"of {base['value']:,.0f} papers in the population "
                                                   f"({base['query']}), counted in the same run", r["note"]) if x)})
    return out

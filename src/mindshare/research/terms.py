"""The words that count as a mention of each contender, for the full-text indexes.

The same words the scanner counts in PDFs (rule M1 of `mindshare.scan.rules`: the contender's patterns or
name, plus its aliases, without the ambiguous ones that are not its own name), so an index count and a scan
count ask about the same words; how each index tokenises and stems them is its own (docs/research.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from mindshare.fields import Contender, Field


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
    """One count to ask an index for: a metric of `mindshare.research.tally`, for one contender or none.

    `expression` is the boolean search (None: the population itself, every paper the index counts over).
    """

    metric: str
    contender: Contender | None
    expression: str | None


def index_questions(contenders: Iterable[Contender], term: Callable[[str], str]) -> list[Question]:
    """What an index is asked, per period: the population; per contender the papers mentioning it and those
    mentioning it and no other contender; and the papers mentioning any. `term` writes one phrase in the
    index's syntax ('BODY:"pytorch"' for Europe PMC, '"pytorch"' for OpenAlex)."""
    from mindshare.research.tally import PAPERS_ANY, PAPERS_MENTIONING, PAPERS_ONLY, POPULATION

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
    from mindshare.research.tally import ALL_SUBJECT, ANY_SUBJECT

    if question.contender is not None:
        return question.contender.name
    return ALL_SUBJECT if question.expression is None else ANY_SUBJECT

"""Counting rules: which words count as a mention of which contender, and how papers are tallied.

Three rule sets, chosen with `mindshare scan --rules NAME` (docs/scan.md documents each rule and its test):

``mindshare`` (default; method string ``mindshare-1``)
    M1 keywords: each contender's `patterns` (or its name when it has none), plus its `aliases`; a word listed
       as `ambiguous` is left out unless it is the contender's own id or name ('gluon' is a particle in
       physics papers, 'Paddle' a company; 'jax' stays). `ecosystem` terms are counted apart, as ecosystem
       mentions, and do not make a paper "mention" the contender.
    M2 whole words, any case (see `match.Keyword`): 'markerassisted' is not Keras, 'ajax'/'JAXA' are not JAX;
       digits may follow ('Tensorflow2' with a footnote mark counts).
    M3 a keyword whose every match is also a match of another keyword of the same contender is dropped
       ('Torch/PyTorch' beside 'pytorch', 'caffe2' beside 'caffe'), so one mention is counted once.
    M4 the text is repaired first (extract.repair_text): NFKC, words hyphenated across line ends joined.
    M5 every direct mention is placed: ``url`` (inside a URL, also one broken after a '/' at a line end:
       'github.com/ tensorflow/tensor2tensor'), ``references`` (after the last References/Bibliography
       heading), else ``body``. All three count as a mention (labels.csv: a URL counts).
    M6 a paper mentions a contender when it has >= 1 direct mention; papers naming several are kept and
       tallied as "several".

``horace-he-2019`` (method ``horace-he-2019-11``) and ``horace-he-2021`` (``horace-he-2021-10``): Horace He's
rules from Chillee/pytorch-vs-tensorflow `data_analysis/generate_data.py`, as he ran them:
    H1 text lower-cased (`str.lower`), raw extraction text (no repairs: he ran pdftotext and read the .txt).
    H2 a synonym counts when it is a substring of the text (`word in text`); in 2021-10 'jax' alone needs
       `\\bjax\\b`.
    H3 synonym lists: see HORACE_2019 / HORACE_2021 below (2021-10 adds keras to TensorFlow; mxnet and jax).
    H4 a paper naming both PyTorch and TensorFlow synonyms is counted for neither.
    H5 2019-11: papers with a Google or Facebook affiliation string are excluded from the PyTorch-only and
       TensorFlow-only counts; 2021-10: they are included.
    H6 the total is every paper of the venue, excluded or not, unreadable ones included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Iterable

from mindshare.fields import Field
from mindshare.scan.match import Keyword, Matcher, _native

RULES = ("mindshare", "horace-he-2019", "horace-he-2021")
WHERE = ("body", "url", "references")

# Horace He's synonym lists (lower-cased by his code before use).
# 2019-11: the version the 2020 article cited; keras commented out, affiliations excluded.
HORACE_2019 = {
    "facebook": ["facebook ai research", "fb.com"],
    "google": ["google.com", "google brain"],
    "pytorch": ["pytorch", "allennlp", "opennmt-py", "torchvision", "huggingface", "fairseq"],
    "tensorflow": ["tensorflow", "opennmt-tf"],
}
# 2021-10: the final version; keras counted as TensorFlow, mxnet and jax tallied, affiliations kept.
HORACE_2021 = {
    "facebook": ["facebook ai research", "@fb.com", "facebook ai"],
    "google": ["@google.com", "google brain", "google ai"],
    "pytorch": ["pytorch", "allennlp", "opennmt-py", "torchvision", "fairseq"],
    "tensorflow": ["tensorflow", "opennmt-tf", "keras"],
    "mxnet": ["mxnet"],
    "jax": ["jax"],
}
AFFILIATIONS = ("facebook", "google")


@dataclass
class DocMentions:
    mentions: dict[str, int]
    ecosystem: dict[str, int] = dc_field(default_factory=dict)
    where: dict[str, dict[str, int]] = dc_field(default_factory=dict)
    affiliations: list[str] = dc_field(default_factory=list)
    counted_as: str | None = None  # horace rules: 'pytorch', 'tensorflow', 'both', 'excluded' or None


_REFERENCES = re.compile(
    rb"^[ \t#*]*(?:[0-9]+\.?|[IVX]+\.)?[ \t]*(?:references|bibliography|literature cited|works cited)"
    rb"[ \t:*]*$", re.IGNORECASE | re.MULTILINE)
_URL_HINT = re.compile(rb"://|www\.|\.(?:com|org|io|net|edu|ai|dev|gov)(?:/|$)|^[\w.-]+\.[a-z]{2,}/",
                       re.IGNORECASE)


def references_start(data: bytes) -> int | None:
    """Offset of the last References/Bibliography heading line, or None."""
    last = None
    for match in _REFERENCES.finditer(data):
        last = match.start()
    return last


def _token_around(data: bytes, start: int, end: int) -> bytes:
    """The whitespace-free run holding data[start:end], joined with the run before when that ends with '/'
    (a URL broken at a line end)."""
    left = start
    while left > 0 and not data[left - 1:left].isspace():
        left -= 1
    right = end
    while right < len(data) and not data[right:right + 1].isspace():
        right += 1
    token = data[left:right]
    # a URL broken after '/' at a line end: 'https://github.com/' LF 'tensorflow/tensor2tensor'
    probe = left
    while probe > 0 and data[probe - 1:probe].isspace():
        probe -= 1
    if probe > 0 and data[probe - 1:probe] == b"/" and left - probe <= 3:
        prev = probe - 1
        while prev > 0 and not data[prev - 1:prev].isspace():
            prev -= 1
        token = data[prev:probe] + token
    return token


def in_url(data: bytes, start: int, end: int) -> bool:
    return bool(_URL_HINT.search(_token_around(data, start, end)))


class MindshareRules:
    name = "mindshare"
    method = "mindshare-1"

    def __init__(self, field: Field, engine: str = "auto"):
        self.field = field
        self.ids = field.ids
        keywords: list[Keyword] = []
        owners: list[tuple[str, str]] = []  # (contender id, 'direct' | 'ecosystem')
        for contender in field.contenders:
            ambiguous = {a.casefold() for a in contender.ambiguous}
            own = {contender.id.casefold(), contender.name.casefold()}
            # M1: an ambiguous word that is not the contender's own name ('gluon' for MXNet: a particle in
            # physics papers; 'Paddle') is not counted in papers; 'jax' is JAX's own name and is kept
            direct = [p for p in (list(contender.patterns) or [contender.name])
                      if p.casefold() not in ambiguous or p.casefold() in own]
            direct += [a for a in contender.aliases if a.casefold() not in ambiguous]
            direct = _drop_subsumed(_usable(direct))
            for phrase in direct:
                keywords.append(Keyword(phrase))
                owners.append((contender.id, "direct"))
            for phrase in _usable(contender.ecosystem):
                keywords.append(Keyword(phrase))
                owners.append((contender.id, "ecosystem"))
        self.keywords = keywords
        self.owners = owners
        self.matcher = Matcher(keywords, engine)
        self.keep_words = {k.phrase.casefold() for k, (_, kind) in zip(keywords, owners)
                           if kind == "direct" and " " not in k.phrase}

    def evaluate(self, text: str) -> DocMentions:
        data = text.encode("utf-8")
        ends = self.matcher.scan(data)
        mentions = {cid: 0 for cid in self.ids}
        ecosystem = {cid: 0 for cid in self.ids}
        where: dict[str, dict[str, int]] = {}
        refs = references_start(data)
        for keyword, (cid, kind), offsets in zip(self.keywords, self.owners, ends):
            if not offsets:
                continue
            if kind == "ecosystem":
                ecosystem[cid] += len(offsets)
                continue
            mentions[cid] += len(offsets)
            places = where.setdefault(cid, {w: 0 for w in WHERE})
            for end in offsets:
                start = _match_start(data, end, keyword)
                if in_url(data, start, end):
                    places["url"] += 1
                elif refs is not None and start > refs:
                    places["references"] += 1
                else:
                    places["body"] += 1
        return DocMentions(mentions, {k: v for k, v in ecosystem.items() if v}, where)

    def mentioned(self, doc: dict) -> set[str]:
        return {cid for cid, n in (doc.get("mentions") or {}).items() if n}


def _match_start(data: bytes, end: int, keyword: Keyword) -> int:
    """Where a whole-word match that ended at `end` started (the match may include one trailing character)."""
    first = keyword.phrase.split()[0].encode().lower()
    low = max(0, end - len(keyword.phrase) - 64)  # 64: room for the whitespace runs a phrase may span
    found = data[low:end].lower().rfind(first)
    return low + found if found >= 0 else low


def _usable(phrases: Iterable[str]) -> list[str]:
    out = []
    for phrase in phrases:
        phrase = phrase.strip()
        if phrase and phrase[0].isalnum() and phrase not in out:
            out.append(phrase)
    return out


def _drop_subsumed(phrases: list[str]) -> list[str]:
    """Drop a phrase whose every match is also a match of another phrase in the list (rule M3)."""
    kept = []
    for i, phrase in enumerate(phrases):
        others = [p for j, p in enumerate(phrases) if j != i and not (p.casefold() == phrase.casefold() and j > i)]
        if others:
            probe = Matcher([Keyword(p) for p in others], "python")
            if any(probe.counts(b" " + phrase.encode() + b" ")):
                continue
        kept.append(phrase)
    # case-insensitive duplicates ('tensorflow', 'Tensorflow'): keep the first
    seen, unique = set(), []
    for phrase in kept:
        if phrase.casefold() not in seen:
            seen.add(phrase.casefold())
            unique.append(phrase)
    return unique


class HoraceRules:
    """Horace He's rules, exactly: lower-cased substring over the raw text (H1-H6 in the module docstring)."""

    def __init__(self, field: Field, version: str):
        if version not in ("2019", "2021"):
            raise ValueError(version)
        self.name = f"horace-he-{version}"
        self.method = "horace-he-2019-11" if version == "2019" else "horace-he-2021-10"
        self.synonyms = HORACE_2019 if version == "2019" else HORACE_2021
        self.exclude_affiliated = version == "2019"
        self.jax_word = version == "2021"
        self.field = field
        self.ids = field.ids
        self.keep_words: set[str] = set()

    def _found(self, word: str, text: str) -> int:
        if word == "jax" and self.jax_word:
            return len(re.findall(r"\bjax\b", text))
        return text.count(word) if word in text else 0

    def evaluate(self, text: str) -> DocMentions:
        text = text.lower()
        hits = {key: sum(self._found(w, text) for w in words) for key, words in self.synonyms.items()}
        mentions = {cid: 0 for cid in self.ids}
        for key, count in hits.items():
            if key in mentions:
                mentions[key] = count
        affiliations = [a for a in AFFILIATIONS if hits.get(a)]
        pt, tf = hits.get("pytorch", 0) > 0, hits.get("tensorflow", 0) > 0
        if pt and tf:
            counted = "both"
        elif not (pt or tf):
            counted = None
        elif self.exclude_affiliated and affiliations:
            counted = "excluded"
        else:
            counted = "pytorch" if pt else "tensorflow"
        return DocMentions(mentions, affiliations=affiliations, counted_as=counted)

    def mentioned(self, doc: dict) -> set[str]:
        return {cid for cid, n in (doc.get("mentions") or {}).items() if n}


def make_rules(name: str, field: Field, engine: str = "auto"):
    if name == "mindshare":
        return MindshareRules(field, engine)
    if name == "horace-he-2019":
        return HoraceRules(field, "2019")
    if name == "horace-he-2021":
        return HoraceRules(field, "2021")
    raise ValueError(f"unknown rules {name!r}; known: {', '.join(RULES)}")


def aggregate(docs: list[dict], rules_name: str, ids: list[str]) -> dict[str, float]:
    """Tallies over scanned documents (failed ones are counted apart and left out of the shares).

    Keys: papers_scanned, papers_failed, papers_mentioning:<id>, papers_only:<id>, papers_several,
    pct_mentioning:<id>, pct_only:<id>, pytorch_share (PyTorch-only / (PyTorch-only + TensorFlow-only)).
    """
    ok = [d for d in docs if not d.get("error")]
    out: dict[str, float] = {"papers_scanned": len(ok), "papers_failed": len(docs) - len(ok)}
    if rules_name.startswith("horace"):
        # H6: his total is every paper of the venue; a paper whose text he could not read ("N/A") matched
        # nothing but still counted in the total
        ok = list(docs)
        out["papers_scanned"] = len(docs)
    several = 0
    for cid in ids:
        out[f"papers_mentioning:{cid}"] = 0
        out[f"papers_only:{cid}"] = 0
    for doc in ok:
        named = {cid for cid, n in doc["mentions"].items() if n and cid in ids}
        for cid in named:
            out[f"papers_mentioning:{cid}"] += 1
        if rules_name.startswith("horace"):
            counted = doc.get("counted_as")
            if counted in ("pytorch", "tensorflow") and counted in ids:
                out[f"papers_only:{counted}"] += 1
            if counted == "both":
                several += 1
        else:
            if len(named) == 1:
                out[f"papers_only:{next(iter(named))}"] += 1
            elif len(named) > 1:
                several += 1
    out["papers_several"] = several
    total = len(ok)
    for cid in ids:
        out[f"pct_mentioning:{cid}"] = 100.0 * out[f"papers_mentioning:{cid}"] / total if total else float("nan")
        out[f"pct_only:{cid}"] = 100.0 * out[f"papers_only:{cid}"] / total if total else float("nan")
    if "pytorch" in ids and "tensorflow" in ids:
        pt, tf = out["papers_only:pytorch"], out["papers_only:tensorflow"]
        out["pytorch_share"] = pt / (pt + tf) if pt + tf else float("nan")
    return out


def line_count_of_matches(data: bytes, ends: list[list[int]]) -> int:
    """Lines holding at least one match (what `rg -c` counts): used by the benchmark to compare counts.
    A match's line is found from the last character of its keyword (a whole-word match may end one
    character later, on the newline itself). In C when the native matcher is built (same answer)."""
    if _native is not None:
        return _native.matching_lines(data, ends)
    return line_count_in_python(data, ends)


def line_count_in_python(data: bytes, ends: list[list[int]]) -> int:
    starts = set()
    rfind = data.rfind
    for offsets in ends:
        for end in offsets:
            last = end - 1 if data[end - 1:end] in _NON_KEYWORD_END else end
            starts.add(rfind(b"\n", 0, last))
    return len(starts)


_NON_KEYWORD_END = {b"\n"}

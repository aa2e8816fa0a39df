"""Counting rules: which words count as a mention of which contender, and what a paper counts as.

Every rule set is a `RuleSet` (the Protocol below): it evaluates one document's text into a `DocMentions` and
says what a stored document counts as in the tallies (`counted`); `mindshare.scan.tallies` adds the documents
up the same way for all of them. Three rule sets, chosen with `mindshare scan --rules NAME` (`RULES`;
docs/scan.md documents each rule and its test):

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

import json
import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import cached_property
from typing import Callable, Iterable, Protocol

from mindshare.fields import Field
from mindshare.scan.match import Keyword, Matcher, _native

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


class Text:
    """A document's text as UTF-8 bytes, decoded only for the rules that read characters (Horace He's)."""

    __slots__ = ("data", "__dict__")

    def __init__(self, data):
        self.data = data

    @cached_property
    def text(self) -> str:
        return bytes(self.data).decode("utf-8", errors="replace")


def as_text(value) -> Text:
    if isinstance(value, Text):
        return value
    return Text(value.encode("utf-8") if isinstance(value, str) else value)


@dataclass
class DocMentions:
    mentions: dict[str, int]
    ecosystem: dict[str, int] = dc_field(default_factory=dict)
    where: dict[str, dict[str, int]] = dc_field(default_factory=dict)
    affiliations: list[str] = dc_field(default_factory=list)
    counted_as: str | None = None  # horace rules: 'pytorch', 'tensorflow', 'both', 'excluded' or None
    detail: dict = dc_field(default_factory=dict)  # what --json prints after the counts, and the store keeps
    detail_json: str | None = None  # json.dumps(detail), when the rules wrote it themselves (faster)


class RuleSet(Protocol):
    """What the scanner and the tallies need from a rule set."""

    name: str                     # --rules NAME
    method: str                   # the method version stored with every count
    ids: list[str]                # the field's contender ids, in order
    keep_words: set[str]          # counted words whose line-end hyphen is kept by the repairs
    repairs_text: bool            # False: the raw extracted text (Horace He read pdftotext's output)
    pdf_backend: str              # the PDF backend the rules were written for
    total_includes_failed: bool   # True: unreadable papers stay in the total (H6)

    def evaluate(self, text: Text | str | bytes) -> DocMentions:
        """One document's counts."""

    def counted(self, mentions: dict[str, int], detail: dict) -> tuple[str | None, bool]:
        """What a scanned document counts as: (the one contender it is counted for, or None; several?)."""


# ---------------------------------------------------------------- places (rule M5)

_REFERENCES = re.compile(
    rb"^[ \t#*]*(?:[0-9]+\.?|[IVX]+\.)?[ \t]*(?:references|bibliography|literature cited|works cited)"
    rb"[ \t:*]*$", re.IGNORECASE | re.MULTILINE)
_HEADING_LINE = re.compile(_REFERENCES.pattern[1:-1], re.IGNORECASE)
HEADING_WORDS = ("references", "bibliography", "literature cited", "works cited")
# what the matching pass looks for to find those lines: every heading line holds one of these (the last word of each
# heading), and the line of each hit is then checked whole. Three literals where the four headings (two of them
# phrases) cost hyperscan's literal matcher ~10 us more a 50 KB document (bench/scan.py's corpus).
HEADING_HITS = ("references", "bibliography", "cited")
_URL_HINT = re.compile(rb"://|www\.|\.(?:com|org|io|net|edu|ai|dev|gov)(?:/|$)|^[\w.-]+\.[a-z]{2,}/",
                       re.IGNORECASE)


def references_start(data: bytes) -> int | None:
    """Offset of the last References/Bibliography heading line, or None."""
    last = None
    for match in _REFERENCES.finditer(data):
        last = match.start()
    return last


def references_from_hits(data, hits: Iterable[int]) -> int | None:
    """`references_start`, from the end offsets of the heading words found by the document's one matcher pass
    (every heading line holds one): the start of the last line that is a heading."""
    checked = set()
    for end in sorted(hits, reverse=True):
        line_start = data.rfind(b"\n", 0, end - 1) + 1
        if line_start in checked:
            continue
        checked.add(line_start)
        line_end = data.find(b"\n", end - 1)
        if _HEADING_LINE.fullmatch(data[line_start:line_end if line_end >= 0 else len(data)]):
            return line_start
    return None


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


def _match_start(data: bytes, end: int, first: bytes, span: int) -> int:
    """Where a whole-word match that ended at `end` started (the match may include one trailing character):
    the last `first` (the phrase's first word, lower case) in the span + 64 bytes before the end."""
    low = max(0, end - span - 64)  # 64: room for the whitespace runs a phrase may span
    found = data[low:end].lower().rfind(first)
    return low + found if found >= 0 else low


def places_in_python(data, ends: list[list[int]], first_words: list[bytes | None], spans: list[int],
                     owners: list[int], owner_count: int, refs: int | None):
    """Per contender (owner index): its direct matches, its ecosystem matches, and where the direct ones sit,
    (body, url, references), or None without any. A keyword whose first word is None is an ecosystem term."""
    direct, ecosystem = [0] * owner_count, [0] * owner_count
    where: list[list[int] | None] = [None] * owner_count
    for offsets, first, span, owner in zip(ends, first_words, spans, owners):
        if not offsets:
            continue
        if first is None:
            ecosystem[owner] += len(offsets)
            continue
        direct[owner] += len(offsets)
        spots = where[owner] = where[owner] or [0, 0, 0]
        for end in offsets:
            start = _match_start(data, end, first, span)
            if in_url(data, start, end):
                spots[1] += 1
            elif refs is not None and start > refs:
                spots[2] += 1
            else:
                spots[0] += 1
    return direct, ecosystem, [tuple(w) if w else None for w in where]


# ---------------------------------------------------------------- the mindshare rules

class MindshareRules:
    name = "mindshare"
    method = "mindshare-1"
    repairs_text = True
    pdf_backend = "pdfium"
    total_includes_failed = False

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
        # the heading words ride along in the same pass, so finding the References heading costs no second scan
        self.matcher = Matcher(keywords + [Keyword(w, "substring") for w in HEADING_HITS], engine)
        self.keep_words = {k.phrase.casefold() for k, (_, kind) in zip(keywords, owners)
                           if kind == "direct" and " " not in k.phrase}
        # per keyword, for `places`: the first word of a direct keyword (None: not placed) and its length
        self._first_words = [k.phrase.split()[0].encode().lower() if kind == "direct" else None
                             for k, (_, kind) in zip(keywords, owners)]
        self._spans = [len(k.phrase) for k in keywords]
        self._owners = [self.ids.index(cid) for cid, _ in owners]
        self._id_json = [json.dumps(cid) for cid in self.ids]

    def evaluate(self, text) -> DocMentions:
        """One document's counts, in its text as given (repaired already: extract, M4)."""
        direct, eco, placed = self._tally(as_text(text).data)
        ids = self.ids
        mentions = dict(zip(ids, direct))
        ecosystem = {ids[k]: n for k, n in enumerate(eco) if n}
        where = {ids[k]: {"body": p[0], "url": p[1], "references": p[2]} for k, p in enumerate(placed) if p}
        return DocMentions(mentions, ecosystem, where, detail={"ecosystem": ecosystem, "where": where},
                           detail_json=self._detail_json(eco, placed))

    def _detail_json(self, eco, placed) -> str:
        """json.dumps of the detail, written from the counts (a third of json.dumps's cost on every document)."""
        keys = self._id_json
        ecosystem = ", ".join([f"{keys[k]}: {n}" for k, n in enumerate(eco) if n])
        where = ", ".join([f'{keys[k]}: {{"body": {p[0]}, "url": {p[1]}, "references": {p[2]}}}'
                           for k, p in enumerate(placed) if p])
        return f'{{"ecosystem": {{{ecosystem}}}, "where": {{{where}}}}}'

    def _tally(self, data):
        """(direct and ecosystem counts per contender, where the direct ones sit): one pass in C with the native
        matcher (no list of offsets is built), else the matcher's offsets placed here."""
        count = len(self.keywords)
        if self.matcher.engine == "native":
            direct, eco, placed, _ = self.matcher.native.tally(
                data, self._first_words, self._spans, self._owners, len(self.ids), count, count + len(HEADING_HITS))
            return direct, eco, placed
        ends = self.matcher.scan(data)
        headings = ends[count:]
        refs = references_from_hits(data, [e for hits in headings for e in hits]) if any(headings) else None
        return places_in_python(data, ends[:count], self._first_words, self._spans, self._owners, len(self.ids),
                                refs)

    def text_batch(self):
        """The native batch of text files for these rules (runner.BatchJob: the common case whole in C), or None
        without the native matcher."""
        if self.matcher.engine != "native":
            return None
        batch = getattr(self, "_text_batch", None)
        if batch is None:
            from mindshare.scan import extract

            count = len(self.keywords)
            batch = self._text_batch = _native.TextBatch(
                self.matcher.native, self._first_words, self._spans, self._owners, count,
                count + len(HEADING_HITS), self._id_json, extract.repairer(self.keep_words), extract.KEY_HASHER,
                json.encoder.encode_basestring_ascii)
        return batch

    def counted(self, mentions: dict[str, int], detail: dict) -> tuple[str | None, bool]:
        # M6: one contender named: 'only' that one; two or more: several
        named = [cid for cid in self.ids if mentions.get(cid)]
        return (named[0] if len(named) == 1 else None), len(named) > 1


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


# ---------------------------------------------------------------- Horace He's rules

class HoraceRules:
    """Horace He's rules, exactly: lower-cased substring over the raw text (H1-H6 in the module docstring)."""

    repairs_text = False  # H1
    pdf_backend = "pdftotext"  # H1: he ran pdftotext (pdfium where it is not installed)
    total_includes_failed = True  # H6

    def __init__(self, field: Field, version: str):
        if version not in HORACE_METHODS:
            raise ValueError(version)
        self.name = f"horace-he-{version}"
        self.method = HORACE_METHODS[version]
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

    def evaluate(self, text) -> DocMentions:
        text = as_text(text).text.lower()
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
        return DocMentions(mentions, affiliations=affiliations, counted_as=counted,
                           detail={"affiliations": affiliations, "counted_as": counted})

    def counted(self, mentions: dict[str, int], detail: dict) -> tuple[str | None, bool]:
        # H4, H5: PyTorch-only or TensorFlow-only as his sets say; naming both is "several"
        counted = detail.get("counted_as")
        only = counted if counted in ("pytorch", "tensorflow") and counted in self.ids else None
        return only, counted == "both"


HORACE_METHODS = {"2019": "horace-he-2019-11", "2021": "horace-he-2021-10"}

# --rules NAME -> (method version, how to build it for a field and a matcher engine)
RULES: dict[str, tuple[str, Callable[[Field, str], RuleSet]]] = {
    "mindshare": (MindshareRules.method, lambda field, engine: MindshareRules(field, engine)),
    "horace-he-2019": (HORACE_METHODS["2019"], lambda field, engine: HoraceRules(field, "2019")),
    "horace-he-2021": (HORACE_METHODS["2021"], lambda field, engine: HoraceRules(field, "2021")),
}


def make_rules(name: str, field: Field, engine: str = "auto") -> RuleSet:
    if name not in RULES:
        raise ValueError(f"unknown rules {name!r}; known: {', '.join(RULES)}")
    return RULES[name][1](field, engine)


def method_of(name: str) -> str:
    if name not in RULES:
        raise ValueError(f"unknown rules {name!r}; known: {', '.join(RULES)}")
    return RULES[name][0]


# ---------------------------------------------------------------- the benchmark's line counts

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

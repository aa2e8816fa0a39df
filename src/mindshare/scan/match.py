"""Count keyword occurrences in bytes: hyperscan when it imports, pure Python otherwise, same counts.

A `Keyword` is a phrase (letters, digits, '.', '-', '@', spaces) with a mode:

* ``word`` (the mindshare rules): case-insensitive (ASCII), whole word. The phrase must not be preceded by a
  letter, digit or underscore, and must not be followed by a letter or underscore; digits may follow
  ('TensorFlow2' with a footnote mark, 'Keras2'), so 'markerassisted' is not Keras and 'ajax' / 'JAXA' are not
  JAX. A space in the phrase matches any run of whitespace ('PyTorch' LF 'Lightning').
* ``substring``: case-insensitive (ASCII) substring, anywhere, as Horace He's `word in text.lower()`.

`Matcher.scan(data)` makes one pass over the document and returns, for each keyword, the list of end offsets
of its matches (a match is counted once per end offset, as hyperscan reports it). A whole-word match's end
includes the one non-word character that closes it (after any digits), or is the end of the data.

Three engines give the same offsets (tests/test_scan_native.py holds them to it):

* ``native``: `mindshare.scan._native`, a C extension over hyperscan's C API (built when libhs's headers are on
  the machine: libhyperscan-dev). Every keyword is compiled as the bare literal of its first word, so hyperscan
  runs only its literal engines, and the rest (a phrase's further words, the whole-word conditions) is checked in
  C at each hit; no Python runs per match.
* ``hyperscan``: the hyperscan Python binding, with the conditions in the expressions; one Python call per match.
* ``python``: Python's `re`, where neither can be installed.

``auto`` takes the first of these that imports.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Sequence

_BINDING: list = []  # the hyperscan Python binding, or None, once looked for


def _hyperscan():
    """The hyperscan Python binding, imported on first use: the native engine does not need it, and a scan's
    start-up should not pay for it (~10 ms)."""
    if not _BINDING:
        try:  # pragma: no cover - exercised by whichever is installed
            import hyperscan
        except Exception:  # ImportError, or a missing libhs on the machine
            hyperscan = None
        _BINDING.append(hyperscan)
    return _BINDING[0]


def __getattr__(name: str):
    if name == "HAVE_HYPERSCAN":  # a module attribute computed when asked for (PEP 562)
        return _hyperscan() is not None
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


try:  # pragma: no cover - built by setup.py where libhs is installed
    from mindshare.scan import _native
except ImportError:
    _native = None

HAVE_NATIVE = _native is not None
ENGINES = ("native", "hyperscan", "python")


def default_engine() -> str:
    """The engine `auto` picks on this machine (a dask worker picks its own: same offsets, maybe another speed)."""
    return "native" if HAVE_NATIVE else "hyperscan" if _hyperscan() is not None else "python"

_PHRASE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-@ /_+#]*$")


@dataclass(frozen=True)
class Keyword:
    phrase: str
    mode: str = "word"  # or "substring"


def _phrase_body(phrase: str) -> bytes:
    """The phrase as an expression every engine shares: its words escaped, joined by any run of whitespace."""
    return rb"\s+".join(re.escape(word).encode() for word in phrase.split())


def hyperscan_expression(keyword: Keyword) -> bytes:
    body = _phrase_body(keyword.phrase)
    if keyword.mode == "substring":
        return body
    # \b before a leading word character; after: optional digits, then a non-word character or the end
    return rb"\b" + body + rb"(?:[0-9]*[^a-zA-Z0-9_]|[0-9]*\z)"


def native_expression(keyword: Keyword) -> tuple[bytes, int, bytes | None]:
    """What the native engine compiles for a keyword: the literal of its first word (hyperscan's literal engines
    then find it, no automaton); the byte length of that literal when its whole-word conditions are checked in C
    (0 for a substring); and the phrase's further words, which C checks after it (each after a run of
    whitespace), or None."""
    first, *rest = keyword.phrase.split()
    length = len(first.encode()) if keyword.mode == "word" else 0
    return re.escape(first).encode(), length, (" ".join(rest).lower().encode() if rest else None)


def python_expression(keyword: Keyword) -> bytes:
    body = _phrase_body(keyword.phrase)
    if keyword.mode == "substring":
        return body
    return rb"(?<![A-Za-z0-9_])" + body + rb"(?:[0-9]*[^a-zA-Z0-9_]|[0-9]*\Z)"


class Matcher:
    """Compiled once per process; `scan` is thread-safe (hyperscan gets one scratch space per thread)."""

    def __init__(self, keywords: Sequence[Keyword], engine: str = "auto"):
        self.keywords = list(keywords)
        for keyword in self.keywords:
            if not _PHRASE.match(keyword.phrase):
                raise ValueError(f"keyword {keyword.phrase!r} must start with a letter or digit")
            if keyword.mode not in ("word", "substring"):
                raise ValueError(f"keyword mode {keyword.mode!r} must be 'word' or 'substring'")
        self.requested = engine  # what travels to another process, which may have other engines built
        if engine == "auto":
            engine = default_engine()
        if engine == "native" and not HAVE_NATIVE:
            raise RuntimeError("the native matcher was not built (it needs libhyperscan-dev when mindshare is "
                               "installed); use engine='hyperscan' or 'python'")
        if engine == "hyperscan" and _hyperscan() is None:
            raise RuntimeError("hyperscan is not installed (pip install hyperscan); use engine='python'")
        self.engine = engine
        if engine == "native":
            compiled = [native_expression(keyword) for keyword in self.keywords]
            self._scanner = _native.Scanner([c[0] for c in compiled], [c[1] for c in compiled],
                                            [c[2] for c in compiled])
            self.native = self._scanner  # for callers that tally in C (rules.MindshareRules)
        elif engine == "hyperscan":
            _hs = _hyperscan()
            self._db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
            expressions = [hyperscan_expression(k) for k in self.keywords]
            flags = [_hs.HS_FLAG_CASELESS] * len(self.keywords)
            self._db.compile(expressions=expressions, ids=list(range(len(expressions))),
                             elements=len(expressions), flags=flags)
            self._local = threading.local()  # hyperscan scratch space is per thread (Dask runs threads)
        elif engine == "python":
            self._regexes = [re.compile(python_expression(k), re.IGNORECASE) for k in self.keywords]
        else:
            raise ValueError(f"unknown engine {engine!r}; known: auto, {', '.join(ENGINES)}")

    def __getstate__(self):
        return {"keywords": self.keywords, "engine": self.requested}

    def __setstate__(self, state):
        self.__init__(state["keywords"], state["engine"])

    def scan(self, data) -> list[list[int]]:
        """End offsets of every match, per keyword (in keyword order)."""
        if self.engine == "native":
            return self._scanner.scan(data)  # any buffer: bytes, bytearray, a memory-mapped file
        if not isinstance(data, bytes):
            data = bytes(data)
        ends: list[list[int]] = [[] for _ in self.keywords]
        if not data:
            return ends
        if self.engine == "hyperscan":
            appenders = [e.append for e in ends]

            def on_match(index, start, end, flags, context):
                appenders[index](end)
            scratch = getattr(self._local, "scratch", None)
            if scratch is None:
                scratch = self._local.scratch = _hyperscan().Scratch(self._db)
            self._db.scan(data, match_event_handler=on_match, scratch=scratch)
            return ends
        for index, regex in enumerate(self._regexes):
            ends[index] = [m.end() for m in regex.finditer(data)]
        return ends

    def counts(self, data: bytes) -> list[int]:
        return [len(e) for e in self.scan(data)]

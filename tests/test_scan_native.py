"""The native matcher (`mindshare.scan._native`, hyperscan's C API with whole-word checks in C) gives exactly the
offsets of the hyperscan Python binding and of Python's `re`, counts matching lines as the Python code does, and
its one-pass tally (places, the References heading), repair check, repairs and UTF-8 reading answer as the Python
reference code does. Its speed is measured in bench/scan.py, not here."""

from __future__ import annotations

import pickle
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mindshare.fields import load_field
from mindshare.scan import extract, match
from mindshare.scan.match import HAVE_HYPERSCAN, HAVE_NATIVE, Keyword, Matcher

CORPUS = Path(__file__).parent.parent.parent / "shared" / "corpus"
from mindshare.scan.rules import (
    HEADING_HITS,
    HEADING_WORDS,
    MindshareRules,
    line_count_in_python,
    line_count_of_matches,
    references_from_hits,
    references_start,
)

needs_native = pytest.mark.skipif(not HAVE_NATIVE, reason="the native matcher was not built (no libhs headers)")


def libhs_headers_installed() -> bool:
    if shutil.which("pkg-config"):
        return subprocess.run(["pkg-config", "--exists", "libhs"], check=False).returncode == 0
    return Path("/usr/include/hs/hs.h").exists()


def test_the_native_matcher_is_built_wherever_libhs_is_installed():
    # a machine with libhs's headers (CI installs libhyperscan-dev) must not silently fall back to the binding
    if not libhs_headers_installed():
        pytest.skip("libhs headers are not installed here; the native matcher is optional")
    assert HAVE_NATIVE, "libhs is installed but mindshare.scan._native did not build: see pip's output"
    assert Matcher([Keyword("pytorch")]).engine == "native"


# every keyword of the shipped field (one-word literals, phrases with spaces, '.', '-') and substring keywords
FIELD_KEYWORDS = MindshareRules(load_field(), "python").keywords
KEYWORDS = FIELD_KEYWORDS + [Keyword("fb.com", "substring"), Keyword("jax", "substring"),
                             Keyword("PyTorch Lightning", "substring"), Keyword("2d"), Keyword("detectron2"),
                             Keyword("caffe ")]  # a field file's stray trailing space: one word all the same
PIECES = ["pytorch", "PyTorch", "PYTORCH", "tensorflow", "TensorFlow2", "jax", "JAX", "ajax", "JAXA", "keras",
          "tf.keras", "tf.kerasx", "pytorch lightning", "PyTorch\n  Lightning", "detectron2", "detectron22",
          "2d", "caffe2", "@fb.com", " ", "  ", "\n", "\t", "\r\n", "-", "_", "0", "12", "x", "a", ".", ",", "/",
          "(", ")", "é", "\u00a0", "\x00"]
texts = st.lists(st.sampled_from(PIECES), max_size=60).map(lambda parts: "".join(parts).encode())


@needs_native
@settings(max_examples=400, deadline=None)
@given(texts)
def test_native_offsets_equal_pythons_re(data):
    assert Matcher(KEYWORDS, "native").scan(data) == Matcher(KEYWORDS, "python").scan(data)


@needs_native
@pytest.mark.skipif(not HAVE_HYPERSCAN, reason="hyperscan binding not installed")
@settings(max_examples=200, deadline=None)
@given(texts)
def test_native_offsets_equal_the_hyperscan_binding(data):
    assert Matcher(KEYWORDS, "native").scan(data) == Matcher(KEYWORDS, "hyperscan").scan(data)


@needs_native
@settings(max_examples=300, deadline=None)
@given(texts)
def test_native_line_count_equals_the_python_line_count(data):
    ends = Matcher(KEYWORDS, "python").scan(data)
    assert line_count_of_matches(data, ends) == line_count_in_python(data, ends)


@needs_native
@pytest.mark.parametrize("data,expected", [
    (b"pytorch\npytorch jax\n\nkeras", 3),
    (b"jax\n", 1),            # the match ends on the newline: still line 1
    (b"no mention\nat all", 0),
    (b"pytorch,tensorflow;keras", 1),
])
def test_matching_lines(data, expected):
    ends = Matcher(FIELD_KEYWORDS, "native").scan(data)
    assert line_count_of_matches(data, ends) == expected


@needs_native
def test_whole_word_edges():
    matcher = Matcher([Keyword("jax"), Keyword("detectron2")], "native")
    assert matcher.scan(b"jax") == [[3], []]             # at the end of the data, no closing byte
    assert matcher.scan(b"jax12") == [[5], []]           # digits after the word (a footnote mark)
    assert matcher.scan(b"jax12a ajax jax_") == [[], []]  # a letter after the digits, a letter before, '_' after
    assert matcher.scan(b"(JAX)") == [[5], []]           # takes the closing ')'
    assert matcher.scan(b"detectron22 ") == [[], [12]]
    assert matcher.scan(b"") == [[], []]


@needs_native
def test_accepts_any_contiguous_buffer():
    matcher = Matcher([Keyword("keras")], "native")
    data = b"use keras."
    assert matcher.scan(bytearray(data)) == matcher.scan(memoryview(data)) == [[10]]
    with pytest.raises(TypeError):
        matcher.scan("keras")  # text must be encoded first


@needs_native
def test_threads_share_one_matcher():
    # dask runs tasks in threads; a scan that finds the scratch space busy allocates its own
    matcher = Matcher(FIELD_KEYWORDS, "native")
    data = (b"PyTorch and TensorFlow, then JAX and Keras.\n" * 2000)
    expected = matcher.scan(data)
    results, errors = [], []

    def work():
        try:
            for _ in range(20):
                results.append(matcher.scan(data) == expected)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(results) == 80 and all(results)


@needs_native
def test_pickles_to_worker_processes(monkeypatch):
    matcher = Matcher(FIELD_KEYWORDS, "native")
    copy = pickle.loads(pickle.dumps(matcher))
    assert copy.engine == "native"
    assert copy.scan(b"pytorch ") == matcher.scan(b"pytorch ")
    # 'auto' travels as 'auto': a dask worker without the native build picks what it has
    chosen = pickle.dumps(Matcher(FIELD_KEYWORDS))
    monkeypatch.setattr(match, "HAVE_NATIVE", False)
    assert pickle.loads(chosen).engine in ("hyperscan", "python")


@needs_native
def test_bad_input_is_refused_clearly():
    with pytest.raises(ValueError, match="expression 0"):
        match._native.Scanner([b"(unclosed"], [0])
    with pytest.raises(TypeError, match="not bytes"):
        match._native.Scanner(["pytorch"], [0])
    with pytest.raises(ValueError, match="differ in length"):
        match._native.Scanner([b"pytorch"], [])
    with pytest.raises(ValueError, match="outside the data"):
        match._native.matching_lines(b"abc", [[9]])
    assert Matcher([], "native").scan(b"anything") == []


def test_unknown_or_missing_engine_is_a_clear_error(monkeypatch):
    with pytest.raises(ValueError, match="known: auto, native, hyperscan, python"):
        Matcher([Keyword("pytorch")], "fast")
    monkeypatch.setattr(match, "HAVE_NATIVE", False)
    with pytest.raises(RuntimeError, match="libhyperscan-dev"):
        Matcher([Keyword("pytorch")], "native")
    assert Matcher([Keyword("pytorch")]).engine in ("hyperscan", "python")


# ---------------------------------------------------------------- one pass in C: places, headings, repair signs

PLACE_PIECES = ["pytorch", "PyTorch", "tensorflow", "keras2", "jax", "fairseq", "pytorch lightning",
                "PyTorch\n  Lightning", " ", "\n", "\t", "\x0b", "/", "://", "https", "www.", ".com", ".io", ".ai",
                "github", ".", "-", "_", "x", "ab", "1", ":", "*", "# ", "2.", "IV.", "iv", "References",
                "REFERENCES", "Bibliography", "Literature Cited", "Works  cited", "é", "Tensor-\nFlow", "\r",
                "\x02", "- \n"]
place_texts = st.lists(st.sampled_from(PLACE_PIECES), max_size=60).map(lambda parts: "".join(parts).encode())


@needs_native
@settings(max_examples=600, deadline=None)
@given(place_texts)
def test_the_native_tally_equals_the_python_placing(data):
    # counts per contender, URL / references / body: C in one pass, Python from offsets
    native, python = MindshareRules(load_field(), "native"), MindshareRules(load_field(), "python")
    assert tuple(native._tally(data)) == tuple(python._tally(data))
    assert native.evaluate(data) == python.evaluate(data)


@needs_native
@settings(max_examples=600, deadline=None)
@given(place_texts)
def test_the_native_heading_is_the_last_references_line(data):
    rules = MindshareRules(load_field(), "native")
    count = len(rules.keywords)
    *_, last = rules.matcher.native.tally(data, rules._first_words, rules._spans, rules._owners,
                                          len(rules.ids), count, count + len(HEADING_HITS))
    assert (None if last < 0 else last) == references_start(data)
    for words in (HEADING_HITS, HEADING_WORDS):  # the few literals the pass looks for find what the headings find
        hits = [end for ends in Matcher([Keyword(w, "substring") for w in words], "python").scan(data) for end in ends]
        assert references_from_hits(data, hits) == references_start(data)


@needs_native
@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from([b"a", b"-", b"\n", b" ", b"\t", b"\r", b"\x02", "é".encode(), b"x" * 9,
                                 b"- \n", b"-\t\t\n", b"x" * 17, b"-" * 16]), max_size=40).map(b"".join))
def test_repair_signs_agree_everywhere(data):
    # the C check (sixteen bytes at a time) and the Python check
    assert extract.needs_repair(data) == extract.needs_repair_in_python(data)


# ---------------------------------------------------------------- the repairs in C

REPAIR_PIECES = ["Tensor-", "\n", "Flow", " ", "\t", "-", "\r\n", "\r", "ﬁ", "ﬂ", "\ufffe", "\x02", "\u00ad", "x", "_",
                 "1", "PyTorch-", "pytorch", "tf.keras-", "based", "é", "e\u0301", "\u0301", "  \n", "µ", "™", "\u2009",
                 "𝑧", "\uff0d", "－\n", "Ａ", "ſ", "K", "ß", "İ", "٣", "\u00a0", "\u3000", "¼",
                 "\u1100\u1161", "\u1161", "\ud7a3\u11a8", "\u0b47\u0b3e", "\u0b3e", "–", "—", "“", "’", "•",
                 "a" * 20, "-\n" * 9]
UNDECODABLE = [b"\xff", b"\x80", b"\xc3", b"\xe0\xa0", b"\xed\xa0\x80", b"\xf0\x9f", b"\xf4\x90\x80\x80", b"\xc0\xaf"]
repair_texts = st.lists(st.one_of(st.sampled_from(REPAIR_PIECES).map(str.encode), st.sampled_from(UNDECODABLE)),
                        max_size=50).map(b"".join)


@needs_native
@settings(max_examples=3000, deadline=None)
@given(repair_texts)
def test_the_native_repairs_equal_repair_text(data):
    # the reference: the bytes decoded (undecodable ones as U+FFFD), repair_text, encoded again
    keep = {"pytorch", "tf.keras"}
    expected = extract.repair_text(data.decode("utf-8", errors="replace"), keep).encode("utf-8")
    assert extract.repairer(keep).repair(data) == expected
    assert extract.repair_bytes(data, keep) == expected


@needs_native
@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=40) | repair_texts)
def test_utf8_is_read_as_python_reads_it(data):
    decoded = data.decode("utf-8", errors="replace")
    replaced = decoded.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
    assert extract._native.utf8_probe(data) == (len(decoded), replaced)


@needs_native
def test_the_native_repairs_on_real_papers():
    # every paper of ../shared/corpus as pdftotext and pdfium give its text: the bytes repair_text gives
    rules = MindshareRules(load_field())
    papers = sorted(CORPUS.glob("papers/*.pdf"))
    if not papers:
        pytest.skip("../shared/corpus not present")
    for paper in papers:
        for backend in ("pdfium", "pdftotext") if extract.pdftotext_available() else ("pdfium",):
            raw = extract.extract(str(paper), backend=backend, repair=False).data
            expected = extract.repair_text(raw.decode("utf-8", errors="replace"), rules.keep_words).encode()
            assert extract.repair_bytes(raw, rules.keep_words) == expected, (paper.name, backend)


def test_the_characters_that_compose_backward_are_all_listed():
    # NFKC may join a character to the one before it only if it has combining class 0 and is the second of a
    # canonical pair (or a Hangul vowel or final): the native repairs treat exactly those as needing Python
    import unicodedata

    second = set()
    for code in range(0x80, 0x110000):
        decomposition = unicodedata.decomposition(chr(code))
        if decomposition and not decomposition.startswith("<") and len(decomposition.split()) == 2:
            second.add(int(decomposition.split()[1], 16))
    backward = {c for c in second if unicodedata.combining(chr(c)) == 0}
    assert backward <= extract.COMBINES_BACKWARD, sorted(backward - extract.COMBINES_BACKWARD)
    assert not extract.nfkc_stable(0x0B3E) and not extract.nfkc_stable(0x1161) and not extract.nfkc_stable(0xFB01)
    assert extract.nfkc_stable(ord("–")) and extract.nfkc_stable(ord("é"))

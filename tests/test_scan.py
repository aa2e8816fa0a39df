"""`mindshare scan`: extraction repairs and failures, matching (hyperscan and the Python fallback agree),
the mindshare and Horace He rules, accuracy on the real corpus (../shared/corpus), the runner (resume, process
pool, dask LocalCluster) and the CLI.

The corpus PDFs are read from ../shared/corpus (20 MB, not copied). The truth for the 11 labelled documents is
../shared/corpus/labels.csv; the truth for the 8 unlabelled ones is what a person reads in them (see
UNLABELLED: each entry says where the mention is)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mindshare.fields import load_field
from mindshare.scan import extract as ex
from mindshare.scan.corpus import discover
from mindshare.scan.match import HAVE_HYPERSCAN, HAVE_NATIVE, Keyword, Matcher
from mindshare.scan.rules import HoraceRules, MindshareRules, in_url, references_start
from mindshare.scan.runner import ScanConfig, scan_document
from mindshare.scan.tallies import aggregate

sys.path.insert(0, str(Path(__file__).parent))
from scan_pdfs import make_pdf  # noqa: E402

REPO = Path(__file__).parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
FRAMEWORKS = ("pytorch", "tensorflow", "jax", "keras")

# Read by hand (the PDF opened and searched for each framework): file -> frameworks named (whole word).
UNLABELLED = {
    "acl2020_main_207.pdf": set(),            # AllenNLP only (a PyTorch *ecosystem* mention, checked below)
    "arxiv_1810.04805_bert.pdf": {"tensorflow"},  # only in the URL github.com/tensorflow/tensor2tensor
    "arxiv_2206.10883v3_multilexsum.pdf": {"pytorch"},  # "based on the PyTorch [46] implementations"
    "biorxiv_2023.08.22.554289.pdf": {"tensorflow"},  # "Conv1D model using TensorFlow"
    "dynamax_joss_paper.pdf": {"jax", "pytorch"},  # built with JAX; "other frameworks like PyTorch"
    "multivae_joss_draft.pdf": set(),
    "sarker2021_deep_learning_overview.pdf": {"pytorch", "tensorflow", "keras"},  # survey of DL libraries
    "wellawatte_explanations_molecular_prediction.pdf": {"keras"},  # "implemented in Keras"; Flaxman is not Flax
}


def corpus_path(name: str) -> Path:
    for folder in ("papers", "texts"):
        if (CORPUS / folder / name).exists():
            return CORPUS / folder / name
    raise FileNotFoundError(name)


def labels() -> list[dict]:
    with open(CORPUS / "labels.csv", newline="") as handle:
        return list(csv.DictReader(handle))


needs_corpus = pytest.mark.skipif(not (CORPUS / "labels.csv").exists(), reason="../shared/corpus not present")
engines = ["python"] + (["hyperscan"] if HAVE_HYPERSCAN else []) + (["native"] if HAVE_NATIVE else [])


# ---------------------------------------------------------------- accuracy

@needs_corpus
@pytest.mark.parametrize("engine", engines)
def test_every_labelled_document_comes_out_right(engine):
    rows = labels()
    assert len(rows) == 11
    config = ScanConfig(engine=engine)
    wrong = []
    for row in rows:
        result = scan_document(str(corpus_path(row["file"])), config)
        assert result["error"] is None, result
        for framework in FRAMEWORKS:
            truth = row[framework] == "yes"
            if (result["mentions"][framework] > 0) != truth:
                wrong.append((row["file"], framework, truth, result["mentions"][framework]))
    assert wrong == []


@needs_corpus
@pytest.mark.parametrize("name,truth", sorted(UNLABELLED.items()))
def test_unlabelled_documents_match_a_human_reading(name, truth):
    result = scan_document(str(corpus_path(name)), ScanConfig())
    found = {f for f in FRAMEWORKS if result["mentions"][f]}
    assert found == truth


@needs_corpus
def test_the_corpus_traps():
    config = ScanConfig()
    pmc = scan_document(str(corpus_path("PMC3130168_jxb_2011.pdf")), config)
    text = ex.extract(str(corpus_path("PMC3130168_jxb_2011.pdf"))).text
    assert "markerassisted" in text.lower() and pmc["mentions"]["keras"] == 0
    attention = scan_document(str(corpus_path("arxiv_1706.03762v5_attention.pdf")), config)
    assert attention["where"]["tensorflow"] == {"body": 0, "url": 1, "references": 0}
    acl = scan_document(str(corpus_path("acl2020_main_207.pdf")), config)
    assert acl["mentions"]["pytorch"] == 0 and acl["ecosystem"]["pytorch"] >= 1  # AllenNLP
    wella = scan_document(str(corpus_path("wellawatte_explanations_molecular_prediction.pdf")), config)
    assert wella["mentions"]["jax"] == 0 and "jax" not in wella.get("ecosystem", {})  # Flaxman
    assert wella["where"]["keras"]["url"] >= 1 and wella["where"]["keras"]["references"] >= 1


@needs_corpus
def test_pdftotext_backend_gives_the_same_labels():
    if not ex.pdftotext_available():
        pytest.skip("pdftotext not installed")
    config = ScanConfig(backend="pdftotext")
    for row in labels():
        if not row["file"].endswith(".pdf"):
            continue
        result = scan_document(str(corpus_path(row["file"])), config)
        assert {f for f in FRAMEWORKS if result["mentions"][f]} == {f for f in FRAMEWORKS if row[f] == "yes"}, row


# ---------------------------------------------------------------- extraction

def test_repairs():
    assert ex.repair_text("ﬁne-tuned with Tensor-\nFlow") == "fine-tuned with TensorFlow"
    assert ex.repair_text("allele\ufffespecific") == "allelespecific"
    assert ex.repair_text("Py\u00adTorch\r\nnext") == "PyTorch\nnext"
    assert ex.repair_text("ＰｙＴｏｒｃｈ") == "PyTorch"  # full-width letters (NFKC)
    # a counted word before the line-end hyphen keeps its hyphen, so the mention survives
    assert ex.repair_text("a PyTorch-\nbased model", keep={"pytorch"}) == "a PyTorch-based model"
    assert ex.repair_text("a PyTorch-\nbased model") == "a PyTorchbased model"
    assert ex.repair_text("a PyTorch\ufffebased", keep={"pytorch"}) == "a PyTorch-based"
    text = "Tensor-\nFlow and marker-\nassisted"
    assert ex.repair_text(ex.repair_text(text)) == ex.repair_text(text)


@pytest.mark.parametrize("backend", ["pdfium", "pdftotext"])
def test_failures_are_recorded_with_their_reason(backend):
    if backend == "pdftotext" and not ex.pdftotext_available():
        pytest.skip("pdftotext not installed")
    good = make_pdf(page_count=2, text="We use PyTorch here")
    result = ex.extract_bytes(good, "ok.pdf", backend=backend)
    assert result.error is None and result.pages == 2 and result.text.count("PyTorch") == 2
    cases = {
        "not a PDF": b"<html>404</html>",
        "encrypted": make_pdf(encrypt=True),
        "truncated": good[: len(good) // 2],
        "zero pages": make_pdf(page_count=0),
    }
    for reason, data in cases.items():
        failed = ex.extract_bytes(data, "bad.pdf", backend=backend)
        assert failed.error and reason in failed.error, (reason, failed.error)
        assert failed.key == ex.content_key(data)
    over = ex.extract_bytes(good, "big.pdf", backend=backend, max_bytes=100)
    assert "over the size bound" in over.error


def test_a_bad_document_does_not_stop_the_run(tmp_path):
    (tmp_path / "a.pdf").write_bytes(make_pdf(text="TensorFlow only"))
    (tmp_path / "b.pdf").write_bytes(b"not a pdf")
    (tmp_path / "c.md").write_text("We use JAX.")
    (tmp_path / "skip.png").write_bytes(b"x")
    paths = discover([str(tmp_path)])
    assert [Path(p).name for p in paths] == ["a.pdf", "b.pdf", "c.md"]
    results = [scan_document(p, ScanConfig()) for p in paths]
    assert [r["error"] is None for r in results] == [True, False, True]
    assert results[0]["mentions"]["tensorflow"] == 1 and results[2]["mentions"]["jax"] == 1
    assert set(results[1]["mentions"]) == set(load_field().ids)  # every contender, 0 where absent


# ---------------------------------------------------------------- matching

TRAPS = [
    (b"markerassisted selection", "keras", 0),
    (b"an ajax call", "jax", 0),
    (b"JAXA launched", "jax", 0),
    (b"we use JAX.", "jax", 1),
    (b"implemented in Tensorflow2.", "tensorflow", 1),  # footnote mark glued on
    (b"the tensorflowx fork", "tensorflow", 0),
    (b"github.com/tensorflow/models", "tensorflow", 1),
    (b"PyTorch, pytorch and PYTORCH", "pytorch", 3),
    (b"my_keras_helper", "keras", 0),
    (b"Caffe2 and Caffe", "caffe", 2),  # caffe2 is Caffe, counted once (rule M3)
    (b"gluon scattering", "mxnet", 0),  # ambiguous word, left out in papers (M1)
]


@pytest.mark.parametrize("engine", engines)
@pytest.mark.parametrize("data,contender,expected", TRAPS)
def test_whole_word_rules(engine, data, contender, expected):
    rules = MindshareRules(load_field(), engine)
    assert rules.evaluate(data.decode()).mentions[contender] == expected


@pytest.mark.skipif(not HAVE_HYPERSCAN, reason="hyperscan not installed")
@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["pytorch", "PyTorch", "tensorflow", "jax", "ajax", "keras", "tf.keras", " ",
                                 "\n", "-", "_", "2", "x", ".", "/", "pytorch lightning", "JAXA", "@fb.com",
                                 "é", "caffe2"]), max_size=40))
def test_hyperscan_and_python_fallback_count_the_same(parts):
    data = "".join(parts).encode()
    keywords = [Keyword(k) for k in ("pytorch", "tensorflow", "jax", "keras", "tf.keras", "pytorch lightning",
                                     "caffe")] + [Keyword("fb.com", "substring"), Keyword("jax", "substring")]
    assert Matcher(keywords, "hyperscan").counts(data) == Matcher(keywords, "python").counts(data)


def test_places_url_references_body():
    text = (b"We use PyTorch.\nCode: https://github.com/\ntensorflow/tensor2tensor\n"
            b"References\n[1] A. Paszke. PyTorch: an imperative style.\n")
    start = text.index(b"tensorflow")
    assert in_url(text, start, start + 10)
    assert not in_url(text, 7, 14)
    assert references_start(text) == text.index(b"References")
    found = MindshareRules(load_field()).evaluate(text.decode())
    assert found.where["pytorch"] == {"body": 1, "url": 0, "references": 1}
    assert found.where["tensorflow"] == {"body": 0, "url": 1, "references": 0}


# ---------------------------------------------------------------- Horace He's rules

def horace(version: str, text: str):
    return HoraceRules(load_field(), version).evaluate(text)


def test_horace_is_lowercased_substring():  # H1, H2
    assert horace("2019", "TorchVision models").mentions["pytorch"] == 1  # a synonym, any case
    assert horace("2019", "PyTorchx").mentions["pytorch"] == 1            # substring: no word boundary
    assert horace("2019", "markerassisted").counted_as is None             # keras not counted in 2019-11
    assert horace("2021", "markerassisted").counted_as == "tensorflow"     # ... but is in 2021-10 (a substring)


def test_horace_synonym_lists():  # H3
    assert horace("2019", "built on HuggingFace").counted_as == "pytorch"
    assert horace("2021", "built on HuggingFace").counted_as is None
    assert horace("2019", "OpenNMT-tf").counted_as == "tensorflow"
    assert horace("2021", "we use Keras").counted_as == "tensorflow"
    assert horace("2021", "mxnet and jax").mentions["mxnet"] == 1
    assert horace("2021", "ajax").mentions["jax"] == 0       # \bjax\b in 2021-10
    assert horace("2019", "jax").mentions["jax"] == 0        # jax not in the 2019-11 lists


def test_horace_drops_papers_naming_both():  # H4
    assert horace("2019", "PyTorch vs TensorFlow").counted_as == "both"
    assert horace("2021", "PyTorch and Keras").counted_as == "both"


def test_horace_affiliations():  # H5
    text = "Jane Doe, Google Brain. We implement it in TensorFlow."
    assert horace("2019", text).counted_as == "excluded"
    assert horace("2021", text).counted_as == "tensorflow"
    assert horace("2019", "jdoe@fb.com ... PyTorch").counted_as == "excluded"
    assert horace("2021", "jdoe@fb.com ... PyTorch").affiliations == ["facebook"]


def test_horace_aggregate_counts_totals_with_excluded_papers():  # H6
    field = load_field()
    docs = []
    for text in ["PyTorch", "PyTorch", "TensorFlow", "PyTorch TensorFlow", "Google Brain TensorFlow", "none"]:
        found = HoraceRules(field, "2019").evaluate(text)
        docs.append({"mentions": found.mentions, "counted_as": found.counted_as, "error": None})
    docs.append({"mentions": {}, "error": "encrypted (needs a password)"})  # his "N/A" text
    tallies = aggregate(docs, HoraceRules(field, "2019"))
    assert tallies["papers_only:pytorch"] == 2 and tallies["papers_only:tensorflow"] == 1
    assert tallies["papers_scanned"] == 7 and tallies["papers_several"] == 1
    assert tallies["pytorch_share"] == pytest.approx(2 / 3)


def test_mindshare_aggregate():
    field = load_field()
    rules = MindshareRules(field)
    texts = ["PyTorch", "PyTorch and JAX", "TensorFlow", "nothing", "Keras"]
    docs = [{"mentions": rules.evaluate(t).mentions, "error": None} for t in texts]
    docs.append({"mentions": {}, "error": "encrypted"})
    tallies = aggregate(docs, rules)
    assert tallies["papers_scanned"] == 5 and tallies["papers_failed"] == 1
    assert tallies["papers_mentioning:pytorch"] == 2 and tallies["papers_only:pytorch"] == 1
    assert tallies["papers_several"] == 1
    assert tallies["pct_mentioning:pytorch"] == pytest.approx(40.0)
    assert tallies["pytorch_share"] == pytest.approx(0.5)


# ---------------------------------------------------------------- CLI, store, resume

def run_cli(*args: str, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mindshare", "--db", str(db), *args],
                          capture_output=True, text=True, timeout=120)


def small_corpus(folder: Path) -> Path:
    folder.mkdir()
    (folder / "pt.pdf").write_bytes(make_pdf(text="Implemented in PyTorch"))
    (folder / "tf.pdf").write_bytes(make_pdf(page_count=2, text="Implemented in TensorFlow"))
    (folder / "both.md").write_text("PyTorch or TensorFlow")
    (folder / "jax.txt").write_text("We use JAX, not ajax")
    (folder / "bad.pdf").write_bytes(make_pdf(encrypt=True))
    return folder


def test_cli_json_and_store(tmp_path):
    folder = small_corpus(tmp_path / "papers")
    db = tmp_path / "s.duckdb"
    proc = run_cli("scan", str(folder), "--venue", "TestConf", "--year", "2020", "--json", "-j", "1", db=db)
    assert proc.returncode == 0, proc.stderr
    header, *lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert header == {"mindshare_scan": {"content_key": "blake3", "rules": "mindshare-1", "field": "deep-learning"}}
    assert len(lines) == 5
    by_name = {Path(d["path"]).name: d for d in lines}
    for doc in lines:
        assert list(doc)[:5] == ["path", "content_key", "pages", "mentions", "error"]
        assert set(doc["mentions"]) == set(load_field().ids)
    assert by_name["tf.pdf"]["pages"] == 2 and by_name["tf.pdf"]["mentions"]["tensorflow"] == 2
    assert "encrypted" in by_name["bad.pdf"]["error"]
    assert by_name["jax.txt"]["mentions"]["jax"] == 1

    from mindshare.store import open_store
    store = open_store(db)
    obs = store.observations(signal="research", source="mindshare scan")
    store.close()
    value = {(r.metric, r.contender if isinstance(r.contender, str) else None): r.value for r in obs.itertuples()}
    assert set(obs["segment"]) == {"TestConf"} and set(obs["method"]) == {"mindshare-1"}
    assert value[("papers_total", None)] == 4
    assert value[("papers_only", "pytorch")] == 1 and value[("papers_only", "tensorflow")] == 1
    assert value[("papers_several", None)] == 1
    assert value[("pytorch_share_of_pt_tf", "pytorch")] == pytest.approx(0.5)
    assert value[("pct_papers_mentioning", "pytorch")] == pytest.approx(50.0)


def test_resume_skips_scanned_documents_and_totals_agree(tmp_path):
    from mindshare.scan import runner
    from mindshare.store import open_store

    folder = small_corpus(tmp_path / "papers")
    paths = discover([str(folder)])
    config = ScanConfig()
    store = open_store(tmp_path / "s.duckdb")
    # a run killed after its first batch: only two documents made it to the table
    first = runner.run([p for p in paths if "bad" not in p][:2], config, connection=store.connection,
                       venue="V", year=2021, batch=2)
    assert first.scanned == 2
    again = runner.run(paths, config, connection=store.connection, venue="V", year=2021, batch=2)
    assert again.skipped == 2 and again.scanned == 3
    resumed = runner.load_results(store.connection, config, "V", 2021)
    store.close()
    fresh_store = open_store(tmp_path / "fresh.duckdb")
    runner.run(paths, config, connection=fresh_store.connection, venue="V", year=2021)
    fresh = runner.load_results(fresh_store.connection, config, "V", 2021)
    fresh_store.close()
    rules = MindshareRules(load_field())
    assert aggregate(resumed, rules) == pytest.approx(aggregate(fresh, rules), nan_ok=True)
    # the same bytes under another name are not stored or counted twice
    (folder / "copy.pdf").write_bytes((folder / "pt.pdf").read_bytes())
    store = open_store(tmp_path / "s.duckdb")
    third = runner.run([str(folder)], config, connection=store.connection, venue="V", year=2021)
    after = runner.load_results(store.connection, config, "V", 2021)
    store.close()
    assert third.duplicates == 1 and third.skipped == 4  # bad.pdf failed before: tried again
    assert aggregate(after, rules) == pytest.approx(aggregate(fresh, rules), nan_ok=True)


def test_cli_rerun_stores_nothing_new(tmp_path):
    folder = small_corpus(tmp_path / "papers")
    db = tmp_path / "s.duckdb"
    assert run_cli("scan", str(folder), "--venue", "X", "--year", "2019", db=db).returncode == 0
    second = run_cli("scan", str(folder), "--venue", "X", "--year", "2019", db=db)
    # the encrypted PDF failed: it is tried again; it fails the same way, so no figure changed
    assert "1 scanned, 4 already scanned" in second.stdout and "already stored" in second.stdout


def test_cli_errors_are_one_line(tmp_path):
    db = tmp_path / "s.duckdb"
    for args, words in [(["scan", str(tmp_path / "missing")], "no such file"),
                        (["scan", str(tmp_path), "--rules", "nope"], "unknown rules"),
                        (["scan", str(tmp_path), "--venue", "X"], "together")]:
        proc = run_cli(*args, db=db)
        assert proc.returncode != 0 and words in proc.stderr and "Traceback" not in proc.stderr


def test_process_pool_gives_the_same_results(tmp_path):
    from mindshare.scan import runner

    folder = small_corpus(tmp_path / "papers")
    paths = discover([str(folder)])
    one, two = [], []
    runner.run(paths, ScanConfig(), workers=1, on_result=one.append)
    runner.run(paths, ScanConfig(), workers=2, batch=1, on_result=two.append)
    key = lambda r: r["path"]  # noqa: E731
    assert sorted(one, key=key) == sorted(two, key=key)


def test_dask_local_cluster(tmp_path):
    # one worker process running 4 tasks at once in threads (`dask worker --nthreads 4`), started cold: pdfium is
    # not thread-safe, so every pypdfium2 call holds a lock per process (before it did, this crashed or called
    # valid PDFs damaged in about 1 run in 4), and the first tasks, arriving together, build the rules once
    distributed = pytest.importorskip("distributed")
    from mindshare.scan import runner

    folder = small_corpus(tmp_path / "papers")
    for pdf in sorted((CORPUS / "papers").glob("*.pdf")):
        (folder / pdf.name).symlink_to(pdf)
    paths = discover([str(folder)])
    local = []
    runner.run(paths, ScanConfig(), on_result=local.append)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=4, processes=True,
                                  dashboard_address=None) as cluster:
        on_dask = []
        runner.run([f"file://{p}" for p in paths], ScanConfig(), scheduler=cluster.scheduler_address,
                   batch=1, on_result=on_dask.append)
    strip = lambda rs: sorted((r["path"].removeprefix("file://"), json.dumps(r["mentions"]), r["error"])  # noqa
                              for r in rs)
    assert strip(on_dask) == strip(local)
    assert sum(r["error"] is not None for r in on_dask) == 1  # the encrypted one, and only it


def test_report_shows_the_scan_in_the_research_section(tmp_path):
    folder = small_corpus(tmp_path / "papers")
    db = tmp_path / "s.duckdb"
    assert run_cli("scan", str(folder), "--venue", "TestConf", "--year", "2020", db=db).returncode == 0
    from mindshare.report.build import build_report
    from mindshare.store import open_store

    store = open_store(db)
    try:
        report = build_report(store, load_field())
    finally:
        store.close()
    research = next(s for s in report.sections if s.id == "research")
    table = next(t for t in research.tables if t.name == "research_scanned")
    row = table.frame[table.frame["venue"] == "TestConf"].iloc[0]
    assert row["papers"] == 4 and row["only PyTorch"] == 1 and row["only TensorFlow"] == 1
    assert row["PyTorch share %"] == 50.0
    assert any("mindshare scan of TestConf 2020" in f.text for f in research.findings)
    assert all(t.name != "other_research_figures" or "TestConf" not in t.frame.to_string()
               for t in research.tables)



def test_horace_rules_read_the_raw_text(tmp_path):  # H1: no repairs
    doc = tmp_path / "a.txt"
    doc.write_text("We use Tensor-\nFlow here.")
    assert scan_document(str(doc), ScanConfig(rules="horace-he-2019"))["mentions"]["tensorflow"] == 0
    assert scan_document(str(doc), ScanConfig())["mentions"]["tensorflow"] == 1


def test_matcher_is_thread_safe():
    from concurrent.futures import ThreadPoolExecutor

    matcher = MindshareRules(load_field()).matcher
    text = ("We use PyTorch and TensorFlow. " * 2000).encode()
    expected = matcher.counts(text)
    with ThreadPoolExecutor(4) as pool:
        assert all(r == expected for r in pool.map(lambda _: matcher.counts(text), range(32)))


def test_a_store_from_before_the_scan_table_joined_the_schema_keeps_its_scans(tmp_path):
    # the scanner used to create scan_documents itself (no size, no mtime_ns); the store's migration adopts it
    from old_stores import version_1_store

    from mindshare.scan import runner
    from mindshare.store import SCHEMA_VERSION, open_store

    paper = tmp_path / "papers" / "jax.txt"
    paper.parent.mkdir()
    paper.write_text("We use JAX, not ajax")
    path = tmp_path / "old.duckdb"
    con = version_1_store(path)
    con.execute("CREATE TABLE scan_documents (sha256 VARCHAR NOT NULL, method VARCHAR NOT NULL, venue VARCHAR "
                "NOT NULL, year INTEGER NOT NULL, field VARCHAR NOT NULL, path VARCHAR NOT NULL, pages INTEGER, "
                "mentions VARCHAR NOT NULL, detail VARCHAR, error VARCHAR, scanned_at TIMESTAMP NOT NULL, "
                "PRIMARY KEY (sha256, method, venue, year, field))")
    mentions = dict.fromkeys(load_field().ids, 0) | {"jax": 1}
    con.execute("INSERT INTO scan_documents VALUES (?, 'mindshare-1', 'V', 2021, 'deep-learning', ?, 0, ?, "
                "'{}', NULL, '2024-01-01')", [ex.sha256_bytes(paper.read_bytes()), str(paper), json.dumps(mentions)])
    con.close()
    store = open_store(path)
    try:
        assert store.meta("schema_version") == str(SCHEMA_VERSION)
        before = runner.load_results(store.connection, ScanConfig(), "V", 2021)
        assert [d["mentions"]["jax"] for d in before] == [1]
        # no size or mtime was kept: the file is read once more, found to be the same, and its row completed
        again = runner.run([str(paper)], ScanConfig(), connection=store.connection, venue="V", year=2021)
        after = store.connection.execute("SELECT count(*), min(size) FROM scan_documents").fetchone()
    finally:
        store.close()
    assert again.scanned == 1 and after == (1, paper.stat().st_size)


def test_format_csv_is_a_row_per_document_with_the_counts_json_gives(tmp_path):
    """--format csv (the convention every verb that prints data keeps): one row per document, the same counts as
    --format json, the summary on stderr; --quiet leaves stderr empty."""
    papers = str(CORPUS / "papers")
    as_json = run_cli("scan", papers, "--no-store", "--format", "json", "--quiet", db=tmp_path / "s.duckdb")
    as_csv = run_cli("scan", papers, "--no-store", "--format", "csv", db=tmp_path / "s.duckdb")
    assert as_json.returncode == 0 and as_csv.returncode == 0, as_csv.stderr
    assert as_json.stderr == "" and "documents:" in as_csv.stderr
    documents = [json.loads(line) for line in as_json.stdout.splitlines()[1:]]
    rows = list(csv.DictReader(as_csv.stdout.splitlines()))
    assert len(rows) == len(documents) == len(list((CORPUS / "papers").glob("*.pdf")))
    by_path = {row["path"]: row for row in rows}
    for document in documents:
        row = by_path[document["path"]]
        assert {name: int(row[name]) for name in document["mentions"]} == document["mentions"]
        assert row["content_key"] == document["content_key"]


def test_a_scan_lists_folders_as_walk_does_without_stat_ing_a_text(tmp_path):
    """corpus.listings (the C listing) finds what corpus.walk finds, in its order: texts as their paths alone (their
    worker stats them), PDFs and archives stat-ed, links followed as walk follows them, names that are only a
    suffix left out."""
    from mindshare.scan import corpus
    from mindshare.scan.archive import ArchiveRef

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.txt").write_text("PyTorch")
    for name in ("a.PDF", ".txt", "..txt", "b.md", "c.tar", "z.doc", "d.TEX", "e.gz"):
        (tmp_path / name).write_text("x")
    for name, target in (("link.txt", "b.md"), ("linkdir", "sub"), ("broken.txt", "nope.txt"), ("linkdir.txt", "sub")):
        (tmp_path / name).symlink_to(tmp_path / target)
    listed = []
    for item in corpus.listings([str(tmp_path)]):
        listed.extend([item] if type(item) is ArchiveRef else item)
    walked = list(corpus.walk([str(tmp_path)]))
    assert [ref if type(ref) is str else ref.path for ref in listed] == [ref.path for ref in walked]
    texts = [ref for ref in listed if type(ref) is str]
    assert [os.path.basename(p) for p in texts] == ["b.md", "d.TEX", "e.gz", "x.txt"]
    assert all(ref.size is not None for ref in listed if type(ref) is not str)  # the PDF, the archive, the link

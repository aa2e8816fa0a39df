"""Benchmark `mindshare scan`, every figure beside its anchor, measured in one run:

    .venv/bin/python bench/scan.py [--corpus-mb 1100] [--runs 3] [--skip match real clean workers pdf memory dask
                                   archives]

Two text corpora of ~50 KB documents (--corpus-mb each), built under the temporary folder, never in the repository:

* real: the text pdftotext extracts from the 16 papers of ../shared/corpus/papers, each copied with a unique first
  line ("copy N of document K") until the corpus is big enough. Real extracted text is what a scan meets: every
  document holds non-ASCII (dashes, quotes, symbols, combining accents), most a few words hyphenated across a
  line. The bench prints those rates.
* clean: ~50 KB documents of real lines of scientific text made pure ASCII, with no line-end hyphen, one line in 20
  naming a framework, one in 100 a near miss ('ajax', 'markerassisted', 'xpytorch'); each line holds at most one
  match, so ripgrep's matching lines equal mindshare's matches, document by document.

Sections (each prints its figures beside their anchors and the load average):

* match: mindshare's matcher alone (native, then the hyperscan binding) against `rg -j1 -c -i -w -f KEYWORDS`, on
  the clean corpus (goal >= 2x, identical counts).
* real, clean: the command a user runs, `mindshare scan DIR --workers 1 --json` (start-up included, results stored
  in a fresh store), against `rg -j1 -c -i -w -f KEYWORDS DIR`, both held to one core (`sched_setaffinity`: the
  scan's store-writing thread would otherwise borrow the second core), interleaved, best of --runs. Goals: real
  >= 1.0x, clean >= 1.2x. On the real corpus every document's counts are compared with the Python reference
  implementation (repair_text, the hyperscan binding's offsets, rules.places_in_python) and with ripgrep's; on
  the clean one with ripgrep's. Then the floor: reading, keying (BLAKE3) and the C pass alone.
* workers: `--workers 2 --json` on two cores; the scan process's own CPU per document against one worker's, both
  after their start-up (the same command on two tiny texts, one batch each, so both workers start) (goal <= 10%),
  and the run against one worker on one core.
* pdf: pages per CPU-second of pypdfium2 (+ repairs) against the pdftotext CLI (goal >= 2x), labelled documents
  right with each; `mindshare scan` of the papers (repeated) with 2 workers against 1 (goal >= 1.8x).
* memory: peak resident memory of `mindshare scan` on one ~190 MB text file that needs every repair (chunked
  path), in-process and in a pool worker, against 2x the file plus a fixed budget (the same command on a tiny file).
* dask: the same jobs on a dask LocalCluster (2 single-threaded worker processes) against the process pool.
* archives: tars as arXiv publishes them (PDFs; gzipped LaTeX sources inside a tar), scanned without unpacking.
* projection: all of arXiv (~2.5M papers), from the PDF and the LaTeX-source figures above, in core-hours and in
  dollars of requester-pays transfer.

The 2 cores of the development machine are shared with other people's jobs: every figure carries the load average,
ratios come from runs interleaved in the same minute, and each timing is the best of --runs. Python's bytecode cache
is used as on a user's machine (PYTHONDONTWRITEBYTECODE, set in some sandboxes, is removed for the timed commands:
otherwise every run compiles mindshare's sources again).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from mindshare.fields import load_field  # noqa: E402
from mindshare.scan import extract as ex  # noqa: E402
from mindshare.scan.match import HAVE_HYPERSCAN, HAVE_NATIVE, Keyword, Matcher  # noqa: E402
from mindshare.scan.rules import MindshareRules, line_count_of_matches  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
# arXiv's bulk data on S3 (arxiv-docs, help/bulk_data_s3.md): 9.2 TB in all in April 2025, of which PDFs and sources
# were 2.7 and 2.9 TB in March 2023: split so, ~4.4 and ~4.8 TB; ~2.7M papers by then
ARXIV_PAPERS = 2_700_000
ARXIV_PDF_TB = 4.4            # the PDFs, as ~500 MB tar chunks
ARXIV_SRC_TB = 4.8            # the sources, as ~500 MB tar chunks of gzipped tarballs (figures and all)
S3_EGRESS_PER_GB = 0.09       # requester pays: S3 transfer out to the internet, first 10 TB a month (us-east-1)
S3_GET_PER_1000 = 0.0004      # requester pays: GET requests
MINDSHARE = [sys.executable, "-m", "mindshare"]
ONE_CPU = max(os.sched_getaffinity(0))  # the core "one core" runs are held to
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
FIGURES: list[tuple[str, str, str]] = []


def say(figure: str, value: str, anchor: str = "") -> None:
    FIGURES.append((figure, value, anchor))
    print(f"  {figure:<58} {value:>22}   {anchor}   [load {os.getloadavg()[0]:.1f}]", flush=True)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


# ------------------------------------------------------------------------------------------------ the corpora

def bench_keywords() -> list[str]:
    """What rg is given: every one-word keyword of the field (direct and ecosystem)."""
    rules = MindshareRules(load_field())
    return [k.phrase for k in rules.keywords if " " not in k.phrase]


def keyword_file(where: Path) -> Path:
    path = where / "scan-bench-keywords.txt"
    path.write_text("\n".join(re.escape(k) for k in bench_keywords()) + "\n")
    return path


def paper_texts() -> list[tuple[str, bytes]]:
    """pdftotext's UTF-8 text of every paper of ../shared/corpus/papers."""
    texts = []
    for pdf in sorted((CORPUS / "papers").glob("*.pdf")):
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout
        texts.append((pdf.stem, out))
    return texts


def generate_real(folder: Path, megabytes: int) -> int:
    """The papers' extracted text, each copied with a unique first line (no keyword in it) until `megabytes`."""
    version = f"{megabytes} real v1"
    marker = folder / ".complete"
    if marker.exists() and marker.read_text() == version:
        return sum(1 for _ in folder.glob("*.txt"))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    texts = paper_texts()
    size = sum(len(t) for _, t in texts)
    copies = max(1, megabytes * 1024 * 1024 // size)
    for copy in range(copies):
        for number, (_, text) in enumerate(texts):
            (folder / f"d{number:02d}-{copy:05d}.txt").write_bytes(f"copy {copy} of document {number}\n".encode()
                                                                     + text)
    marker.write_text(version)
    return copies * len(texts)


def real_rates(texts: list[tuple[str, bytes]]) -> None:
    """What makes real text real, per document, as pdftotext gives it."""
    high = [sum(1 for b in text if b >= 0x80) for _, text in texts]
    hyphens = [len(re.findall(rb"-[ \t]*\n", text)) for _, text in texts]
    ligatures = [sum(text.decode().count(c) for c in "\ufb00\ufb01\ufb02\ufb03\ufb04") for _, text in texts]
    changed = [sum(1 for c in text.decode() if ord(c) >= 0x80 and not ex.nfkc_stable(ord(c))) for _, text in texts]
    sizes = [len(text) for _, text in texts]
    say("real corpus: documents holding non-ASCII", f"{sum(1 for h in high if h)} of {len(texts)}",
        f"{min(high)}-{max(high)} non-ASCII bytes a document, {sum(high) / sum(sizes) * 100:.2f}% of the bytes")
    say("  line-end hyphens a document", f"{min(hyphens)}-{max(hyphens)}", f"{sum(hyphens)} in all")
    say("  characters NFKC changes or joins a document", f"{min(changed)}-{max(changed)}",
        f"{sum(changed)} in all; ligature characters: {sum(ligatures)} (pdftotext expands them itself)")


def generate_clean(folder: Path, megabytes: int, seed: int = 7) -> int:
    """~50 KB documents of 70-character lines; returns the number of documents (reuses a complete corpus)."""
    version = f"{megabytes} {seed} v4"
    marker = folder / ".complete"
    if marker.exists() and marker.read_text() == version:
        return sum(1 for _ in folder.glob("*.txt"))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = random.Random(seed)
    rules = MindshareRules(load_field())
    everything = [k.phrase for k in rules.keywords]
    # filler: real lines of scientific text, with every keyword (and every word of a several-word keyword, so
    # 'PyTorch' + 'Lightning' never meet by chance) taken out
    probe = Matcher([Keyword(k, "substring") for k in everything])
    phrase_words = {w.lower() for k in everything if " " in k for w in k.split()}
    traps = ["ajax", "JAXA", "markerassisted", "xpytorch", "tensorflowx", "Flaxman", "kerasx", "caffeine"]
    real = []
    for path in sorted((CORPUS / "papers").glob("*.pdf")) + sorted((CORPUS / "texts").glob("*")):
        real += ex.extract(str(path)).text.splitlines()
    real = [" ".join(line.split())[:78].rstrip("- ") for line in real]  # no line-end hyphen to repair
    real = [line for line in real if len(line) > 20 and line.isascii() and line.isprintable()
            and not any(probe.counts(line.encode())) and not phrase_words & set(line.lower().split())]
    # a mention holds no other keyword, so it is one match for mindshare and one matching line for rg
    single = [k for k in bench_keywords() if sum(sum(part.values()) for part in (
        rules.evaluate(f" {k} ").mentions, rules.evaluate(f" {k} ").ecosystem)) == 1]
    mentions = single + [k.upper() for k in single] + [k.capitalize() for k in single]
    lines = []
    for _ in range(40000):
        words = rng.choice(real).split(" ")
        roll = rng.random()
        if roll < 0.05:  # one line in 20 names a framework
            words[rng.randrange(len(words))] = rng.choice(mentions) + rng.choice(["", ",", ".", ")", ":"])
        elif roll < 0.06:  # one in 100 holds a near miss
            words[rng.randrange(len(words))] = rng.choice(traps)
        lines.append(" ".join(words))
    doc_bytes = 50 * 1024
    count = max(1, megabytes * 1024 * 1024 // doc_bytes)
    for index in range(count):
        body, size = [], 0
        while size < doc_bytes:
            line = lines[rng.randrange(len(lines))]
            body.append(line)
            size += len(line) + 1
        (folder / f"doc{index:06d}.txt").write_text("\n".join(body) + "\n")
    marker.write_text(version)
    return count


# ------------------------------------------------------------------------------------------------ tools

def on_one_core() -> None:
    """preexec_fn: hold a child process (and its threads) to ONE_CPU."""
    os.sched_setaffinity(0, {ONE_CPU})


def run_ripgrep(folder: Path, keywords: Path) -> tuple[float, dict[str, int], float]:
    """(wall seconds, matching lines per file, CPU seconds) of rg on one core."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(["rg", "-j1", "-c", "-i", "-w", "-f", str(keywords), str(folder)],
                          capture_output=True, text=True, preexec_fn=on_one_core)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    counts = {}
    for line in proc.stdout.splitlines():
        path, _, n = line.rpartition(":")
        counts[Path(path).name] = int(n)
    return seconds, counts, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


# run in the scan process by `run_scan`: the command as a user runs it, and at its exit its own CPU (all its threads)
# and the run's seconds to the microsecond (the command prints them to a tenth: 2.3 s against 2.4 s is 4% of a ratio),
# and the CPU of the process that wrote the store (state.StateWriter.in_process), its own figure, never a worker's
MEASURED = ("import atexit, os, resource, sys; from mindshare.scan import runner; _run = runner.run; _said = []; "
            "runner.run = lambda *a, **k: _said.append(_run(*a, **k)) or _said[-1]; "
            "atexit.register(lambda: os.write(2, ('\\nown cpu %.4f\\nrun seconds %.6f\\nwriter cpu %.4f\\n' % (sum("
            "resource.getrusage(resource.RUSAGE_SELF)[:2]), _said[-1].seconds if _said else 0.0, (getattr(_said[-1], "
            "'writer_cpu', 0.0) or 0.0) if _said else 0.0)).encode())); "
            "sys.argv = ['mindshare'] + sys.argv[1:]; from mindshare.cli import main; main()")


def become_subreaper() -> None:
    """Adopt the scan's orphans (its pool's forkserver, and through it the workers), so that their CPU reaches this
    process's RUSAGE_CHILDREN when `reap_orphans` waits for them (PR_SET_CHILD_SUBREAPER, Linux)."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)


def reap_orphans(seconds: float = 10.0) -> None:
    """Wait for the children adopted from a finished scan (its forkserver ends soon after it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG) is None:
                time.sleep(0.02)
        except ChildProcessError:
            return


def run_scan(folder: Path, db: Path, *args: str, one_core: bool = False) -> dict:
    """`mindshare scan` in a fresh store (held to one core with `one_core`): wall seconds, the run's own seconds
    (it prints them), CPU seconds of the command and its workers, the scan process's own CPU, peak memory, and its
    stdout."""
    for leftover in (db, db.with_name(db.name + ".wal")):
        leftover.unlink(missing_ok=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", MEASURED, "--db", str(db), "scan", str(folder), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
                            preexec_fn=on_one_core if one_core else None)
    watcher = PeakWatcher(proc.pid)
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - started
    watcher.stop()
    reap_orphans()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"mindshare scan failed ({proc.returncode}): {stderr[-800:]}")
    said = re.search(r"run seconds ([0-9.]+)", stderr)
    own = re.search(r"own cpu ([0-9.]+)", stderr)
    writer = re.search(r"writer cpu ([0-9.]+)", stderr)
    return {"wall": seconds, "run": float(said.group(1)) if said else seconds, "stdout": stdout,
            "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "own_cpu": float(own.group(1)) if own else 0.0, "writer_cpu": float(writer.group(1)) if writer else 0.0,
            "peak_parent_mb": watcher.parent_mb, "peak_worker_mb": watcher.worker_mb}


class PeakWatcher:
    """Peak resident memory (VmHWM) of a process and of its descendants, polled while it runs."""

    def __init__(self, pid: int):
        import threading

        self.pid, self.parent_mb, self.worker_mb = pid, 0.0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._stop.is_set():
            table = {}
            for status in Path("/proc").glob("[0-9]*/status"):
                try:
                    fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
                except OSError:
                    continue
                table[int(status.parent.name)] = (int(fields.get("PPid", "0").strip()),
                                                  int(fields.get("VmHWM", "0 kB").split()[0]) / 1024)
            for pid, (_, peak) in table.items():
                node = pid
                while node and node != self.pid:
                    node = table.get(node, (0, 0))[0]
                if pid == self.pid:
                    self.parent_mb = max(self.parent_mb, peak)
                elif node == self.pid:
                    self.worker_mb = max(self.worker_mb, peak)
            self._stop.wait(0.2)  # VmHWM is a high-water mark: a poll after the peak still sees it

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def documents(stdout: str) -> dict[str, dict]:
    """--json output -> each document's line by file name (the run's first line, its header, left out)."""
    return {Path(doc["path"]).name: doc for doc in map(json.loads, stdout.splitlines()) if "path" in doc}


def matches(doc: dict) -> int:
    """Every match of a document (direct mentions and ecosystem terms), as rg counts lines."""
    return sum(doc["mentions"].values()) + sum(doc.get("ecosystem", {}).values())


def best(runs: list[dict], key: str = "wall") -> dict:
    return min(runs, key=lambda r: r[key])


def read_whole(path: Path) -> bytes:
    """A file's bytes in one read, as the scan reads a text."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.read(fd, os.fstat(fd).st_size + 1)
    finally:
        os.close(fd)


def tiny_folder(work: Path) -> Path:
    """A folder of one tiny text: what a command costs before it has anything to scan."""
    tiny = work / "tiny"
    tiny.mkdir(exist_ok=True)
    (tiny / "small.txt").write_text("We use PyTorch.\n")
    return tiny


def two_tiny_folder(work: Path) -> Path:
    """A folder of two tiny texts: with `--batch 1`, what a command costs to start two workers and scan nothing
    much."""
    tiny = work / "tiny-two"
    tiny.mkdir(exist_ok=True)
    (tiny / "first.txt").write_text("We use PyTorch.\n")
    (tiny / "second.txt").write_text("We use JAX.\n")
    return tiny


class HeldToOneCore:
    """This process held to ONE_CPU while in the block (the in-process measurements)."""

    def __enter__(self):
        self.cpus = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {ONE_CPU})

    def __exit__(self, *exc):
        os.sched_setaffinity(0, self.cpus)


# ------------------------------------------------------------------------------------------------ match

def run_matcher(files: list[Path], matcher: Matcher) -> tuple[float, dict[str, int]]:
    counts = {}
    started = time.perf_counter()
    for path in files:
        data = read_whole(path)
        ends = matcher.scan(data)
        if any(ends):
            counts[path.name] = line_count_of_matches(data, ends)
    return time.perf_counter() - started, counts


def bench_match(args, folder: Path, keywords: Path, total: int) -> None:
    print(f"\n## matching alone, clean corpus ({load()})")
    files = sorted(folder.glob("*.txt"))
    run_ripgrep(folder, keywords)  # warm the page cache
    rg_seconds, rg_counts, _ = min((run_ripgrep(folder, keywords) for _ in range(args.runs)), key=lambda r: r[0])
    say(f"ripgrep -j1 -c -i -w ({len(bench_keywords())} keywords)", f"{total / rg_seconds / 1e6:,.0f} MB/s",
        "anchor")
    for engine in [e for e, built in (("native", HAVE_NATIVE), ("hyperscan", HAVE_HYPERSCAN)) if built]:
        matcher = Matcher([Keyword(k) for k in bench_keywords()], engine)
        with HeldToOneCore():
            seconds, counts = min((run_matcher(files, matcher) for _ in range(args.runs)), key=lambda r: r[0])
        differing = sum(1 for k in set(rg_counts) | set(counts) if rg_counts.get(k) != counts.get(k))
        say(f"matcher alone ({engine}, 1 core)", f"{total / seconds / 1e6:,.0f} MB/s",
            f"{rg_seconds / seconds:.2f}x ripgrep (goal >= 2x); counts {'identical' if not differing else 'DIFFER'}")


# ------------------------------------------------------------------------------------------------ end to end

def best_cpu(runs: list[dict]) -> float:
    return min(run["cpu"] for run in runs)


def end_to_end(args, name: str, folder: Path, keywords: Path, work: Path) -> tuple[dict, dict, list, list]:
    """rg and `mindshare scan --workers 1 --json`, both on one core, interleaved: the best of each, and every run
    (CPU seconds as well as wall: on a shared machine a core held to one process still waits its turn, and CPU time
    counts only the time it ran)."""
    db = work / f"bench-{name}.duckdb"
    run_ripgrep(folder, keywords)  # warm the page cache
    run_scan(tiny_folder(work), work / "tiny.duckdb")  # and Python's bytecode cache
    rg, one = [], []
    for _ in range(args.runs):
        rg.append(dict(zip(("wall", "counts", "cpu"), run_ripgrep(folder, keywords))))
        one.append(run_scan(folder, db, "--workers", "1", "--json", one_core=True))
    return best(rg), best(one), rg, one


def bench_real(args, folder: Path, keywords: Path, docs: int, total: int, work: Path) -> dict:
    print(f"\n## end to end, real paper text: {docs:,} documents, {total / 1e9:.2f} GB ({load()})")
    real_rates(paper_texts())
    rg, one, rg_runs, one_runs = end_to_end(args, "real", folder, keywords, work)
    say("rg -j1 -c -i -w -f KEYWORDS DIR (1 core)", f"{rg['wall']:.2f} s", f"anchor; CPU {rg['cpu']:.2f} s")
    say("mindshare scan DIR --workers 1 --json (stored, 1 core)", f"{one['wall']:.2f} s",
        f"{rg['wall'] / one['wall']:.2f}x rg (goal >= 1.0x); CPU {one['cpu']:.2f} s: "
        f"{best_cpu(rg_runs) / best_cpu(one_runs):.2f}x rg's")
    ours = documents(one["stdout"])
    different, repaired = compare_with_reference(folder, ours)
    say("  per-document counts equal to the Python reference", "all" if not different else f"NO: {different} differ",
        f"{len(ours):,} documents (repair_text, the hyperscan binding, places_in_python)")
    rg_differ = {name for name in set(rg["counts"]) | {n for n, d in ours.items() if matches(d)}
                 if rg["counts"].get(name, 0) != matches(ours[name])}
    say("  documents whose count differs from rg's", f"{len(rg_differ):,} of {len(ours):,}",
        f"{len(rg_differ & repaired):,} because of the repairs (a word hyphenated across a line, NFKC), the rest "
        "because a line holds two mentions (rg counts lines) or a digit follows the word (TensorFlow2)")
    return {"real_mb_per_cpu_s": total / 1e6 / one["cpu"]}


def _reference(path: str) -> tuple[str, dict, bool]:
    """One document's counts by the Python reference implementation, and whether the repairs changed them."""
    rules = _reference_rules()
    raw = Path(path).read_bytes()
    repaired = ex.repair_text(raw.decode("utf-8", errors="replace"), rules.keep_words).encode()
    found = rules.evaluate(repaired)
    plain = rules.evaluate(raw)
    doc = {"mentions": found.mentions, **found.detail}
    return Path(path).name, doc, (found.mentions, found.ecosystem) != (plain.mentions, plain.ecosystem)


_RULES: list = []


def _reference_rules() -> MindshareRules:
    if not _RULES:
        _RULES.append(MindshareRules(load_field(), "hyperscan" if HAVE_HYPERSCAN else "python"))
    return _RULES[0]


def compare_with_reference(folder: Path, ours: dict[str, dict]) -> tuple[int, set[str]]:
    """How many documents' counts differ from the Python reference (must be none), and which documents the
    repairs change (what ripgrep, which reads the raw text, cannot see)."""
    different, repaired = 0, set()
    with ProcessPoolExecutor(2) as pool:
        for name, reference, changed in pool.map(_reference, map(str, sorted(folder.glob("*.txt"))), chunksize=64):
            doc = ours.get(name, {})
            if {key: doc.get(key) for key in reference} != reference:
                different += 1
            if changed:
                repaired.add(name)
    return different, repaired


def bench_clean(args, folder: Path, keywords: Path, docs: int, total: int, work: Path) -> dict:
    print(f"\n## end to end, clean ASCII text: {docs:,} documents, {total / 1e9:.2f} GB ({load()})")
    rg, one, rg_runs, one_runs = end_to_end(args, "clean", folder, keywords, work)
    say("rg -j1 -c -i -w -f KEYWORDS DIR (1 core)", f"{rg['wall']:.2f} s", f"anchor; CPU {rg['cpu']:.2f} s")
    say("mindshare scan DIR --workers 1 --json (stored, 1 core)", f"{one['wall']:.2f} s",
        f"{rg['wall'] / one['wall']:.2f}x rg (goal >= 1.2x); CPU {one['cpu']:.2f} s: "
        f"{best_cpu(rg_runs) / best_cpu(one_runs):.2f}x rg's")
    ours = {name: matches(doc) for name, doc in documents(one["stdout"]).items() if matches(doc)}
    differing = sum(1 for k in set(rg["counts"]) | set(ours) if rg["counts"].get(k) != ours.get(k))
    say("  per-document counts identical to rg", "yes" if not differing else f"NO, {differing} differ",
        f"{len(ours):,} documents with a match")
    bench_floor(args, folder, rg["wall"], total, work)
    return {"text_mb_per_cpu_s": total / 1e6 / one["cpu"], "text_docs": docs}


def run_floor(files: list[Path], rules: MindshareRules) -> float:
    """Seconds to read every file, key it (BLAKE3) and run the scan's own C pass over it, with nothing else: no
    repairs (the clean corpus needs none), rows, tallies, output or store."""
    started = time.perf_counter()
    for path in files:
        data = read_whole(path)
        ex.KEY_HASHER(data).digest()
        rules._tally(data)
    return time.perf_counter() - started


def bench_floor(args, folder: Path, rg_seconds: float, total: int, work: Path) -> None:
    if not HAVE_NATIVE:
        return
    files = sorted(folder.glob("*.txt"))
    rules = MindshareRules(load_field())
    with HeldToOneCore():
        floor = min(run_floor(files, rules) for _ in range(args.runs))
    say("floor, 1 core: read + BLAKE3 + the C pass, nothing else", f"{floor:.2f} s",
        f"{rg_seconds / floor:.2f}x rg ({total / floor / 1e6:,.0f} MB/s)")
    start_up = min(run_scan(tiny_folder(work), work / "tiny.duckdb", "--workers", "1", "--json",
                            one_core=True)["wall"] for _ in range(args.runs))
    say("  + the command's start-up (one tiny file, 1 core)", f"{floor + start_up:.2f} s",
        f"{rg_seconds / (floor + start_up):.2f}x rg (start-up {start_up:.2f} s)")


# ------------------------------------------------------------------------------------------------ two workers

def bench_workers(args, folder: Path, docs: int, work: Path) -> None:
    """The scan process's own CPU a document beside one worker's, both after their start-up, from the same runs:
    start-up is what the same command costs on two tiny texts given one batch each (`--batch 1`), so that both
    workers start there too (the workers' start-up, ~0.3 s between them, is no work a document costs)."""
    print(f"\n## two workers, real paper text ({load()})")
    db = work / "bench-workers.duckdb"
    one, two, start = [], [], []
    for _ in range(args.runs):
        one.append(run_scan(folder, db, "--workers", "1", "--json", one_core=True))
        two.append(run_scan(folder, db, "--workers", "2", "--json"))
        start.append(run_scan(two_tiny_folder(work), work / "tiny.duckdb", "--workers", "2", "--json", "--batch", "1"))
    one_best, two_best = best(one, "run"), best(two, "run")
    own_start = min(run["own_cpu"] for run in start)
    writer_start = min(run["writer_cpu"] for run in start)
    workers_start = min(run["cpu"] - run["own_cpu"] - run["writer_cpu"] for run in start)
    own_run = min(two, key=lambda run: run["own_cpu"])
    own = max(own_run["own_cpu"] - own_start, 1e-9) / docs
    writer = max(own_run["writer_cpu"] - writer_start, 0.0) / docs
    worker = max(own_run["cpu"] - own_run["own_cpu"] - own_run["writer_cpu"] - workers_start, 1e-9) / docs
    say("the scan process's own CPU a document (2 workers)", f"{own * 1e6:.1f} us",
        f"{own / worker:.1%} of one worker's ({worker * 1e6:.0f} us) (goal <= 10%); both after start-up (scan "
        f"process {own_start:.2f} s, workers {workers_start:.2f} s)")
    say("  the store writer process's CPU a document", f"{writer * 1e6:.1f} us",
        f"{writer / worker:.1%} of one worker's; after its start-up ({writer_start:.2f} s); neither the scan "
        "process's nor a worker's")
    say(f"mindshare scan --workers 2 --json ({os.cpu_count()} cores)", f"{two_best['run']:.2f} s run",
        f"{one_best['run'] / two_best['run']:.2f}x one worker on one core ({one_best['run']:.2f} s); counts "
        + ("identical" if documents(two_best["stdout"]) == documents(one_best["stdout"]) else "DIFFER"))


# ------------------------------------------------------------------------------------------------ pdf

def bench_pdf(args, work: Path) -> dict:
    print(f"\n## PDFs ({load()})")
    papers = sorted((CORPUS / "papers").glob("*.pdf"))
    if not papers:
        print("  skipped: needs ../shared/corpus/papers")
        return {}
    results = {}
    for backend in (("pdftotext", "pdfium") if ex.pdftotext_available() else ("pdfium",)):
        timings = []
        for _ in range(args.runs):
            started, cpu = time.perf_counter(), time.process_time()
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            pages = sum(ex.extract(str(p), backend=backend).pages for p in papers)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            child_cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
            timings.append((time.perf_counter() - started, time.process_time() - cpu + child_cpu))
        results[backend] = (pages, min(t[0] for t in timings), min(t[1] for t in timings))
    pages = results["pdfium"][0]
    if "pdftotext" in results:
        say(f"pdftotext CLI ({len(papers)} PDFs, {pages} pages), per core", f"{pages / results['pdftotext'][2]:,.0f}"
            " pages/CPU-s", "anchor")
    say("pypdfium2 + repairs, per core", f"{pages / results['pdfium'][2]:,.0f} pages/CPU-s",
        f"{results['pdftotext'][2] / results['pdfium'][2]:.2f}x pdftotext (goal >= 2x)" if "pdftotext" in results
        else "")
    from mindshare.scan.runner import ScanConfig, scan_document
    with open(CORPUS / "labels.csv", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["file"].endswith(".pdf")]
    for backend in results:
        right = sum(all((scan_document(str(CORPUS / "papers" / r["file"]), ScanConfig(backend=backend))
                         ["mentions"][f] > 0) == (r[f] == "yes") for f in ("pytorch", "tensorflow", "jax", "keras"))
                    for r in rows)
        say(f"  labelled PDFs right with {backend}", f"{right} / {len(rows)}", "anchor: all right")
    folder = work / "pdfs"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for copy in range(args.repeat):
        for paper in papers:
            (folder / f"{copy}-{paper.name}").symlink_to(paper)
    db = work / "bench-pdf.duckdb"
    one, two = [], []
    for _ in range(args.runs):
        one.append(run_scan(folder, db, "--workers", "1", one_core=True))
        two.append(run_scan(folder, db, "--workers", "2"))
    one_best, two_best = best(one, "run"), best(two, "run")
    count = len(papers) * args.repeat
    say(f"mindshare scan, {count} PDFs ({pages * args.repeat:,} pages), 1 worker", f"{count / one_best['run']:.1f}"
        " papers/s", f"{pages * args.repeat / one_best['cpu']:,.0f} pages per CPU-second")
    say("  2 workers", f"{count / two_best['run']:.1f} papers/s",
        f"{one_best['run'] / two_best['run']:.2f}x one worker on one core (goal >= 1.8x)")
    return {"pages_per_paper": pages / len(papers)}


# ------------------------------------------------------------------------------------------------ memory

def bench_memory(args, work: Path) -> None:
    print(f"\n## memory ({load()})")
    big = work / "big" / "one-large-paper.txt"
    big.parent.mkdir(exist_ok=True)
    if not big.exists() or big.stat().st_size < 190_000_000:
        # every repair at work: line-end hyphens, ligatures, CR LF, non-ASCII: the chunked path
        line = ("The Tensor-\r\nFlow model was ﬁne-tuned on ＧＰＵs; PyTorch-\nbased baselines and Keras, "
                "naïve résumé.\r\n").encode()
        with big.open("wb") as handle:
            for _ in range(190_000_000 // (len(line) * 1000) + 1):
                handle.write(line * 1000)
    tiny = tiny_folder(work)
    size_mb = big.stat().st_size / 2**20
    for workers in ("1", "2"):
        base = run_scan(tiny, work / "mem.duckdb", "--workers", workers)
        peak = run_scan(big.parent, work / "mem.duckdb", "--workers", workers)
        who = "peak_parent_mb" if workers == "1" else "peak_worker_mb"
        label = "in-process" if workers == "1" else "pool worker"
        say(f"one {size_mb:,.0f} MiB text file, {label}", f"{peak[who]:,.0f} MiB",
            f"{peak[who] - base[who]:,.0f} MiB over the budget ({base[who]:,.0f} MiB on a tiny file): "
            f"{(peak[who] - base[who]) / size_mb:.2f}x the file (goal < 2x)")


# ------------------------------------------------------------------------------------------------ dask

def bench_dask(args, folders: dict[str, Path]) -> None:
    print(f"\n## dask against the process pool ({load()})")
    try:
        from distributed import LocalCluster
    except ImportError:
        print("  dask.distributed not installed: skipped")
        return
    from mindshare.scan import runner

    config = runner.ScanConfig()
    for name, folder in folders.items():
        if not folder.exists():
            continue
        pool, on_dask = [], []
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            for _ in range(args.runs):  # interleaved, so each pair shares the minute's load
                pool.append(runner.run([str(folder)], config, workers=2).seconds)
                on_dask.append(runner.run([str(folder)], config, scheduler=cluster.scheduler_address).seconds)
        pool_seconds, dask_seconds = min(pool), min(on_dask)
        say(f"{name}: dask LocalCluster, 2 processes x 1 thread", f"{dask_seconds:.2f} s",
            f"{100 * (dask_seconds / pool_seconds - 1):+.0f}% against the process pool ({pool_seconds:.2f} s)")


# ------------------------------------------------------------------------------------------------ archives

def source_tarball(text: bytes, number: int) -> bytes:
    """One paper's source as arXiv keeps it: a gzipped tar of its .tex and its figures (arXiv's sources average
    ~1.2 MB a paper, mostly figures, which do not compress: one of 1 MB here)."""
    inner = io.BytesIO()
    with tarfile.open(fileobj=inner, mode="w") as tar:
        for name, data in ((f"paper{number}.tex", text), ("figure1.png", os.urandom(1_000_000))):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(inner.getvalue(), mtime=0)


def build_archives(work: Path, copies: int) -> dict[str, Path]:
    """arXiv's two kinds of chunk, from the corpus: a tar of PDFs, and a tar of gzipped source tarballs (the
    papers' extracted text standing for their LaTeX)."""
    folder = work / "archives"
    marker = folder / ".complete"
    made = {"pdf": folder / "arXiv_pdf_2101_001.tar", "src": folder / "arXiv_src_2101_001.tar"}
    if marker.exists() and marker.read_text() == f"{copies} v2":
        return made
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    papers = sorted((CORPUS / "papers").glob("*.pdf"))
    texts = paper_texts()
    with tarfile.open(made["pdf"], "w") as tar:
        for copy in range(copies):
            for number, paper in enumerate(papers):
                data = paper.read_bytes() + f"\n% copy {copy}\n".encode()  # each its own content
                info = tarfile.TarInfo(f"2101/2101.{copy:03d}{number:02d}.pdf")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    with tarfile.open(made["src"], "w") as tar:
        for copy in range(copies):
            for number, (_, text) in enumerate(texts):
                data = source_tarball(f"% copy {copy}\n".encode() + text, number)
                info = tarfile.TarInfo(f"2101/2101.{copy:04d}{number:02d}.gz")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    marker.write_text(f"{copies} v2")
    return made


def bench_archives(args, work: Path) -> dict:
    print(f"\n## archives as arXiv publishes them ({load()})")
    made = build_archives(work, args.repeat)
    start_up = min(run_scan(tiny_folder(work), work / "tiny.duckdb", "--workers", "1", one_core=True)["cpu"]
                   for _ in range(args.runs))
    figures = {}
    for kind, tar in made.items():
        with tarfile.open(tar) as opened:
            members = [m for m in opened.getmembers() if m.isfile()]
        runs = [run_scan(tar, work / f"bench-{kind}-tar.duckdb", "--workers", "1", one_core=True)
                for _ in range(args.runs)]
        cpu = best(runs, "cpu")["cpu"] - start_up
        size = tar.stat().st_size
        say(f"{kind} tar: {len(members):,} papers, {size / 1e6:,.0f} MB, 1 worker, 1 core",
            f"{len(members) / cpu:.1f} papers/CPU-s", f"{size / 1e6 / cpu:,.1f} MB of tar per CPU-second (the "
            f"command's start-up, {start_up:.2f} s, left out)")
        figures[f"{kind}_tar_mb_per_cpu_s"] = size / 1e6 / cpu
        figures[f"{kind}_papers_per_cpu_s"] = len(members) / cpu
    return figures


# ------------------------------------------------------------------------------------------------ projection

def project(figures: dict) -> None:
    print("\n## projection: all of arXiv (CPU only; documents are independent, so cores add up)")
    if "pdf_tar_mb_per_cpu_s" in figures:
        rate = figures["pdf_tar_mb_per_cpu_s"]
        core_hours = ARXIV_PDF_TB * 1e6 / rate / 3600
        say(f"PDF chunks: {ARXIV_PDF_TB} TB of tars at {rate:,.1f} MB/CPU-s", f"{core_hours:,.0f} core-hours",
            f"{core_hours / (64 * 0.9):,.1f} h on 64 cores (90% efficiency); "
            f"{ARXIV_PAPERS / figures['pdf_papers_per_cpu_s'] / 3600:,.0f} core-hours by papers "
            f"({ARXIV_PAPERS:,} at {figures['pdf_papers_per_cpu_s']:.1f}/CPU-s)")
    if "src_tar_mb_per_cpu_s" in figures:
        rate = figures["src_tar_mb_per_cpu_s"]
        core_hours = ARXIV_SRC_TB * 1e6 / rate / 3600
        say(f"source chunks: {ARXIV_SRC_TB} TB of tars at {rate:,.1f} MB/CPU-s", f"{core_hours:,.0f} core-hours",
            f"{core_hours / (64 * 0.9):,.1f} h on 64 cores (90% efficiency)")
    for name, terabytes in (("PDF", ARXIV_PDF_TB), ("source", ARXIV_SRC_TB)):
        egress = terabytes * 1000 * S3_EGRESS_PER_GB
        gets = terabytes * 1e6 / 8 / 1000 * S3_GET_PER_1000  # one GET per 8 MB block read
        say(f"requester-pays transfer, {name} chunks ({terabytes} TB)", f"${egress:,.0f} out of AWS",
            f"$0 of transfer to EC2 in us-east-1, where the bucket is; GET requests ${gets:,.2f} either way")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus-mb", type=int, default=1100, help="size of each text corpus")
    parser.add_argument("--work-dir", default=str(Path(tempfile.gettempdir()) / "mindshare-scan-bench"))
    parser.add_argument("--runs", type=int, default=3, help="best of N runs for each timing")
    parser.add_argument("--repeat", type=int, default=8, help="PDFs: times the corpus papers are scanned")
    parser.add_argument("--skip", nargs="*", default=[],
                        choices=["match", "real", "clean", "workers", "pdf", "memory", "dask", "archives"])
    parser.add_argument("--clean", action="store_true", help="delete the generated files afterwards")
    args = parser.parse_args()
    work = Path(args.work_dir).resolve()
    if not str(work).startswith(tempfile.gettempdir()):
        parser.error("--work-dir must be under the temporary folder, never in the repository")
    if shutil.which("rg") is None or shutil.which("pdftotext") is None:
        parser.error("needs ripgrep and pdftotext (apt-get install ripgrep poppler-utils)")
    work.mkdir(parents=True, exist_ok=True)
    become_subreaper()
    print(f"mindshare scan benchmark ({load()}; the cores may be shared with other jobs)")
    folders = {"real": work / "real", "clean": work / "docs"}
    started = time.perf_counter()
    counts = {"real": generate_real(folders["real"], args.corpus_mb),
              "clean": generate_clean(folders["clean"], args.corpus_mb)}
    sizes = {name: sum(p.stat().st_size for p in folder.glob("*.txt")) for name, folder in folders.items()}
    for name in folders:
        print(f"  {name} corpus: {counts[name]:,} documents, {sizes[name] / 1e9:.2f} GB in {folders[name]}")
    print(f"  (ready in {time.perf_counter() - started:.0f}s)")
    keywords = keyword_file(work)
    figures: dict = {}
    if "match" not in args.skip:
        bench_match(args, folders["clean"], keywords, sizes["clean"])
    if "real" not in args.skip:
        figures |= bench_real(args, folders["real"], keywords, counts["real"], sizes["real"], work)
    if "clean" not in args.skip:
        figures |= bench_clean(args, folders["clean"], keywords, counts["clean"], sizes["clean"], work)
    if "workers" not in args.skip:
        bench_workers(args, folders["real"], counts["real"], work)
    if "pdf" not in args.skip:
        figures |= bench_pdf(args, work)
    if "memory" not in args.skip:
        bench_memory(args, work)
    if "dask" not in args.skip:
        bench_dask(args, {"text": folders["real"], "PDFs": work / "pdfs"})
    if "archives" not in args.skip:
        figures |= bench_archives(args, work)
    project(figures)
    print("\n## every figure (markdown)\n\n| figure | measured | anchor / goal |\n|---|---|---|")
    for figure, value, anchor in FIGURES:
        print(f"| {figure.strip()} | {value} | {anchor} |")
    if args.clean:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

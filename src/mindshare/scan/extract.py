"""Text out of a document, each file read and keyed once: PDF through pypdfium2 (default) or the pdftotext CLI,
plain text as it is.

Real PDFs need repairs before a whole-word match can be trusted; `repair_text` does them, in this order:

1. line ends: CR LF and CR become LF;
2. NFKC: ligatures (U+FB01 'ﬁ' -> 'fi'), full-width letters and compatibility forms become plain letters;
3. words hyphenated across a line end are joined: pdfium marks such a hyphen with U+FFFE (or U+0002) and drops
   the line break itself; pdftotext leaves 'Tensor-' LF 'Flow'. Both become 'TensorFlow'. One exception keeps
   mentions whole: when the part before the hyphen is itself a word we count (given as `keep`, e.g. 'pytorch'),
   the hyphen is kept ('PyTorch-' LF 'based' -> 'PyTorch-based', not 'PyTorchbased');
4. soft hyphens (U+00AD) and any remaining U+FFFE / U+0002 are removed.

Text that needs none of them (pure ASCII, no CR, no U+0002, no hyphen at a line end: `needs_repair`) is left
as bytes and never decoded. Text that needs them is repaired in C where the native module is built
(`repair_bytes`: `_native.Repairer`, the same bytes as `repair_text`; NFKC only around bytes >= 0x80), so real
extracted text, which always holds a few dashes, quotes or ligatures, is not decoded in Python either. Large
files (over `LARGE_FILE`) are memory-mapped and repaired in chunks cut at line ends where no repair can reach
across, so memory stays near one copy of the document.

pdfium is not thread-safe (a Dask worker runs tasks in threads): every pypdfium2 call holds `PDFIUM_LOCK`, one
lock per process.

Failures are per document and never stop a run: `extract` returns an `Extracted` whose `error` names the
reason (not a PDF, encrypted, truncated or damaged, zero pages, over the size bound, not text, unreadable).
"""

from __future__ import annotations

import functools
import hashlib
import mmap
import os
import re
import shutil
import subprocess
import threading
import unicodedata
import zlib
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterable

import blake3

try:  # pragma: no cover - built by setup.py where libhs is installed
    from mindshare.scan import _native
except ImportError:
    _native = None

TEXT_SUFFIXES = {".txt", ".md", ".tex", ".text", ".markdown"}
PDF_SUFFIXES = {".pdf"}
SOURCE_SUFFIXES = {".gz", ".tgz"}  # one paper's LaTeX source, as arXiv keeps it: a gzipped tar, or a gzipped .tex
SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES | SOURCE_SUFFIXES
BACKENDS = ("pdfium", "pdftotext")
DEFAULT_MAX_BYTES = 200 * 1024 * 1024  # 200 MiB: larger files are recorded as over the bound, not read
LARGE_FILE = 32 * 1024 * 1024  # text files above this are memory-mapped and repaired chunk by chunk
CHUNK = 8 * 1024 * 1024
TEXT_PROBE = 64 * 1024  # how much of a text file is looked at to tell text from binary data

PDFIUM_LOCK = threading.Lock()

_HYPHEN_MARKS = "\ufffe\u0002"
# a line-end hyphen ('Tensor-' LF 'Flow') or pdfium's mark ('Tensor' U+FFFE 'Flow'), before a word character;
# the word before it is found by walking back (a regex starting with (\w+) would try every position of the text)
_JOIN = re.compile(r"-[ \t]*\n[ \t]*(?=\w)|[\ufffe\u0002]\n?[ \t]*(?=\w)")
_HYPHEN_EOL = re.compile(rb"-[ \t]*\n")
_MARK_BYTES = ("\ufffe".encode(), b"\x02")

OnBytes = Callable[[int], None]


class NotText(Exception):
    """A 'text' file that is binary data; its message is the reason recorded for the document."""


@dataclass
class Extracted:
    """A document's text as UTF-8 bytes (`data`, repaired unless asked not to) or the reason it has none; `key`:
    its content key (`content_key` of the bytes read)."""

    path: str
    key: str
    pages: int
    data: bytes | bytearray | mmap.mmap = b""
    error: str | None = None
    sha256: str | None = None  # of the bytes read, when asked for (a store still holding sha256 keys: state.py)

    @cached_property
    def text(self) -> str:
        return bytes(self.data).decode("utf-8", errors="replace")


# ---------------------------------------------------------------- repairs

def repair_text(text: str, keep: Iterable[str] = ()) -> str:
    """Apply the repairs listed in the module docstring (idempotent)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFKC", text)
    text = _join_broken_words(text, {k.casefold() for k in keep})
    text = text.replace("\u00ad", "")
    for mark in _HYPHEN_MARKS:
        text = text.replace(mark, "")
    return text


def _join_broken_words(text: str, keep: set[str]) -> str:
    """Repair 3: the same as `re.sub(r"(\\w+)(?:-[ \\t]*\\n[ \\t]*|[\\ufffe\\u0002]\\n?[ \\t]*)(?=\\w)", ...)`, found
    from the hyphens rather than from every word."""
    pieces, done = [], 0
    for match in _JOIN.finditer(text):
        start = match.start()
        word = start
        while word > done and (text[word - 1].isalnum() or text[word - 1] == "_"):
            word -= 1
        if word == start:
            continue  # no word before the hyphen: nothing to join
        pieces.append(text[done:start])
        if text[word:start].casefold() in keep:
            pieces.append("-")
        done = match.end()
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def needs_repair(data) -> bool:
    """False when `repair_text` would leave the text as it is: pure ASCII (NFKC and the soft-hyphen and U+FFFE
    repairs are about non-ASCII characters), no CR, no U+0002 mark and no hyphen at a line end. In C (one pass,
    eight bytes at a time) when the native matcher is built; tests/test_scan_native.py: the same answers."""
    if _native is not None:
        return _native.needs_repair(data)
    return needs_repair_in_python(data)


def needs_repair_in_python(data) -> bool:
    if not data.isascii() or b"\r" in data or b"\x02" in data or b"-\n" in data:
        return True
    return (b" \n" in data or b"\t\n" in data) and _HYPHEN_EOL.search(data) is not None


def repair_bytes(data, keep: Iterable[str] = ()) -> bytes:
    """UTF-8 in, repaired UTF-8 out (`repair_text` of the text, undecodable bytes read as U+FFFD); the bytes
    themselves when nothing needs repairing. In C when the native module is built."""
    if _native is not None:
        return repairer(keep).repair(data)
    if not needs_repair(data):
        return data
    return repair_text(bytes(data).decode("utf-8", errors="replace"), keep).encode("utf-8")


# Characters of canonical combining class 0 that compose with the character before them (the second of a
# canonical pair: Bengali, Oriya, Tamil, Kannada, Malayalam, Sinhala, Tibetan, Myanmar, Balinese and Brahmi-script
# vowel signs and length marks), and Hangul's medial vowels and final consonants, which compose algorithmically.
# tests/test_scan_native.py checks this list against the running Python's Unicode database.
COMBINES_BACKWARD = frozenset([
    0x09BE, 0x09D7, 0x0B3E, 0x0B56, 0x0B57, 0x0BBE, 0x0BD7, 0x0CC2, 0x0CD5, 0x0CD6, 0x0D3E, 0x0D57, 0x0DCF,
    0x0DDF, 0x0FB5, 0x0FB7, 0x102E, 0x1B35, 0x11127, 0x1133E, 0x11357, 0x114B0, 0x114BA, 0x114BD, 0x115AF,
    0x11930, *range(0x1161, 0x1176), *range(0x11A8, 0x11C3)])


def nfkc_stable(code_point: int) -> bool:
    """Whether NFKC leaves this character as it is wherever it stands: a "boundary before" it (combining class 0,
    not composing with what comes before) and its own NFKC. A run of such characters needs no normalising (the
    native repairs ask this once per character)."""
    char = chr(code_point)
    return (code_point not in COMBINES_BACKWARD and unicodedata.combining(char) == 0
            and unicodedata.normalize("NFKC", char) == char)


_REPAIRERS: dict[frozenset, object] = {}


def repairer(keep: Iterable[str] = ()):
    """The native repairer for a set of kept words (one per set, per process)."""
    key = frozenset(keep)
    found = _REPAIRERS.get(key)
    if found is None:
        found = _REPAIRERS[key] = _native.Repairer(sorted(key), functools.partial(unicodedata.normalize, "NFKC"),
                                                   nfkc_stable)
    return found


def _safe_cut(data, target: int) -> int:
    """The first offset after `target` just past a line end that no repair reaches across (the line before it
    does not end in a hyphen or a pdfium mark, CR and blanks aside), or len(data)."""
    size = len(data)
    position = target
    while True:
        newline = data.find(b"\n", position)
        if newline < 0:
            return size
        last = newline
        while last > 0 and data[last - 1:last] in (b" ", b"\t", b"\r"):
            last -= 1
        tail = data[max(0, last - 3):last]
        if not tail.endswith(b"-") and not tail.endswith(_MARK_BYTES):
            return newline + 1
        position = newline + 1


# ---------------------------------------------------------------- text and binary data

def not_text_reason(data) -> str | None:
    """Why these bytes are not a text document (NUL bytes, or mostly not UTF-8), from their first 64 KiB; None
    when they are text."""
    return binary_reason(data) or utf8_reason(data)


def binary_reason(data) -> str | None:
    """NUL bytes in the first 64 KiB: binary data (one memchr, no copy)."""
    if data.find(b"\x00", 0, TEXT_PROBE) >= 0:
        return "not text (binary data: NUL bytes in the first 64 KiB)"
    return None


def utf8_reason(data) -> str | None:
    """More than 30% of the first 64 KiB is not UTF-8: binary data (Latin-1 text, a few percent, is kept)."""
    head = bytes(data[:TEXT_PROBE])
    if head.isascii():
        return None
    if _native is not None:
        characters, bad = _native.utf8_probe(head)
    else:
        decoded = head.decode("utf-8", errors="replace")
        # replacement characters that stand for undecodable bytes (not those the text itself holds)
        characters = len(decoded)
        bad = decoded.count("\ufffd") - head.decode("utf-8", errors="ignore").count("\ufffd")
    if bad > 0.3 * characters:
        return f"not text (binary data: {100 * bad / characters:.0f}% of the first 64 KiB is not UTF-8)"
    return None


def _text_document(data, keep: Iterable[str], repair: bool, on_bytes: OnBytes | None):
    """The text to match: the bytes themselves where no repair is needed, else repaired chunk by chunk."""
    if not repair:
        return data
    if len(data) <= CHUNK:
        return repair_bytes(data, keep)
    out: bytearray | None = None
    start = 0
    while start < len(data):
        end = _safe_cut(data, start + CHUNK)
        chunk = data[start:end]
        repaired = repair_bytes(chunk, keep)
        if repaired is not chunk and out is None:
            out = bytearray(data[:start])
        if out is not None:
            out += repaired
        _release(data, start, end)
        if on_bytes:
            on_bytes(end - start)
        start = end
    return data if out is None else out


def _release(data, start: int, end: int) -> None:
    """Drop the pages of a mapped file already worked through from this process's memory (the page cache keeps
    them), so a large document costs about one copy of itself."""
    if isinstance(data, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        page = mmap.PAGESIZE
        first = (start + page - 1) // page * page
        if end - first >= page:
            data.madvise(mmap.MADV_DONTNEED, first, (end - first) // page * page)


# ---------------------------------------------------------------- reading

# A document's content key: BLAKE3 of the bytes read (resume and "each content once" rest on it). It was sha256
# until stores of schema 3 were migrated (state.migrate_content_keys); BLAKE3 costs a third as much, which a text
# scan, a few microseconds a document, feels.
CONTENT_KEY = "blake3"
KEY_HASHER = blake3.blake3  # hasher(data).digest(): 32 bytes; .hexdigest() the key as stored


def content_key(data) -> str:
    """The content key of some bytes (any buffer), as hex."""
    return KEY_HASHER(data).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_PDF_ENDINGS = tuple(PDF_SUFFIXES)


_OTHER_ENDINGS = tuple(PDF_SUFFIXES | SOURCE_SUFFIXES)


def kind_of(path: str) -> str:
    """"pdf", "source" (a gzipped LaTeX source) or "text", from the name (an archive member's, for its address
    tar://MEMBER::ARCHIVE; a URL's without its query)."""
    if not path.lower().endswith(_OTHER_ENDINGS) and "?" not in path and "::" not in path:  # one cheap test
        return "text"
    name = path.split("::", 1)[0].split("?")[0]
    suffix = os.path.splitext(name)[1].lower()
    return "pdf" if suffix in PDF_SUFFIXES else "source" if suffix in SOURCE_SUFFIXES else "text"


@dataclass
class Loaded:
    """A document's bytes (an mmap for a large local file) and their content key, from one read."""

    data: bytes | mmap.mmap
    key: str
    size: int
    over_bound: bool = False


def load(path: str, max_bytes: int = DEFAULT_MAX_BYTES, storage_options: dict | None = None) -> Loaded:
    """Read a local path or an fsspec URL (s3://, gs://, https://...) once and key what was read. A file over
    `max_bytes` is not kept: its key is that of its first max_bytes + 1 bytes, read in chunks. Raises OSError."""
    if "://" in path and not path.startswith("file://"):
        from mindshare.scan import remote

        data = remote.read(path, max_bytes + 1, storage_options)
        if len(data) > max_bytes:
            return Loaded(b"", content_key(data), len(data), over_bound=True)
        return Loaded(data, content_key(data), len(data))
    fd = os.open(path.removeprefix("file://"), os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        if size > max_bytes:
            return Loaded(b"", _key_of_prefix(fd, max_bytes + 1), size, over_bound=True)
        if size > LARGE_FILE:
            mapped = mmap.mmap(fd, size, access=mmap.ACCESS_READ)
            digest = KEY_HASHER()
            view = memoryview(mapped)
            try:
                for start in range(0, size, CHUNK):
                    digest.update(view[start:start + CHUNK])
                    _release(mapped, start, min(size, start + CHUNK))
            finally:
                view.release()
            return Loaded(mapped, digest.hexdigest(), size)
        data = _read_all(fd, size)
        return Loaded(data, content_key(data), len(data))
    finally:
        os.close(fd)


def _read_all(fd: int, size: int) -> bytes:
    data = os.read(fd, size + 1)
    if len(data) < size:  # a short read (a network file system): read the rest
        parts = [data]
        while True:
            more = os.read(fd, 1 << 20)
            if not more:
                break
            parts.append(more)
        data = b"".join(parts)
    return data


def _key_of_prefix(fd: int, limit: int) -> str:
    digest = KEY_HASHER()
    while limit > 0:
        chunk = os.read(fd, min(CHUNK, limit))
        if not chunk:
            break
        digest.update(chunk)
        limit -= len(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------- extraction

def extract(path: str, *, backend: str = "pdfium", keep: Iterable[str] = (),
            max_bytes: int = DEFAULT_MAX_BYTES, repair: bool = True, on_bytes: OnBytes | None = None,
            storage_options: dict | None = None, also_sha256: bool = False) -> Extracted:
    """Read, key and extract one document; never raises for a bad document."""
    try:
        loaded = load(path, max_bytes, storage_options)
    except OSError as exc:
        return Extracted(path, "", 0, b"", f"cannot read it ({exc.strerror or exc})")
    if loaded.over_bound:
        return Extracted(path, loaded.key, 0, b"", f"over the size bound ({loaded.size:,} > {max_bytes:,} bytes)")
    sha256 = sha256_bytes(loaded.data) if also_sha256 else None
    extracted = _extract_loaded(loaded.data, loaded.key, path, backend, keep, repair, on_bytes, max_bytes)
    extracted.sha256 = sha256
    return extracted


def extract_bytes(data: bytes, path: str, *, backend: str = "pdfium", keep: Iterable[str] = (),
                  max_bytes: int = DEFAULT_MAX_BYTES, repair: bool = True) -> Extracted:
    """Extract (and, unless `repair` is False, repair) the text of one document given as bytes; never raises
    for a bad document."""
    key = content_key(data)
    if len(data) > max_bytes:
        return Extracted(path, key, 0, b"", f"over the size bound ({len(data):,} > {max_bytes:,} bytes)")
    return _extract_loaded(data, key, path, backend, keep, repair, None, max_bytes)


def _extract_loaded(data, key: str, path: str, backend: str, keep: Iterable[str], repair: bool,
                    on_bytes: OnBytes | None, max_bytes: int = DEFAULT_MAX_BYTES) -> Extracted:
    kind = kind_of(path)
    if kind == "source":
        try:
            data = source_text(bytes(data), max_bytes)
        except _Failed as exc:
            return Extracted(path, key, 0, b"", str(exc))
        kind = "text"
    if kind == "text":
        reason = not_text_reason(data)
        if reason:
            return Extracted(path, key, 0, b"", reason)
        return Extracted(path, key, 0, _text_document(data, keep, repair, on_bytes))
    if not bytes(data[:1024]).lstrip()[:5].startswith(b"%PDF"):
        return Extracted(path, key, 0, b"", "not a PDF (no %PDF header)")
    data = bytes(data) if not isinstance(data, bytes) else data
    try:
        if backend == "pdfium":
            pages, text = _pdfium(data)
        elif backend == "pdftotext":
            pages, text = _pdftotext(data)
        else:
            raise ValueError(f"unknown backend {backend!r}; known: {', '.join(BACKENDS)}")
    except _Failed as exc:
        return Extracted(path, key, 0, b"", str(exc))
    if pages == 0:
        return Extracted(path, key, 0, b"", "zero pages")
    data = text.encode("utf-8", "surrogatepass")  # pdfium's UTF-16 may hold a lone surrogate: read as U+FFFD
    return Extracted(path, key, pages, repair_bytes(data, keep) if repair else data)


def source_text(data: bytes, max_bytes: int) -> bytes:
    """The LaTeX of a paper's source as arXiv keeps it: a gzipped tar (its .tex files, in name order, joined by
    a line end) or a gzipped single .tex. Raises _Failed with the reason."""
    import gzip
    import io
    import tarfile

    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as unzipped:
            raw = unzipped.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise _Failed(f"not a gzipped source ({exc})") from None
    if len(raw) > max_bytes:
        raise _Failed(f"over the size bound (unpacked source over {max_bytes:,} bytes)")
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            members = sorted((m for m in tar.getmembers() if m.isfile() and m.name.lower().endswith(".tex")),
                             key=lambda m: m.name)
            if not members:
                raise _Failed("a source without a .tex file")
            return b"\n".join(tar.extractfile(m).read() for m in members)
    except tarfile.ReadError:
        return raw  # not a tar: a single gzipped .tex


_NO_PAGES = re.compile(rb"/Type\s*/Pages\b[^>]*/Count\s+0\b|/Count\s+0\b[^>]*/Type\s*/Pages\b")


class _Failed(Exception):
    pass


def _pdfium(data: bytes) -> tuple[int, str]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    with PDFIUM_LOCK:  # pdfium is not thread-safe: one document at a time per process
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            code = getattr(exc, "err_code", None)
            if code in (raw.FPDF_ERR_PASSWORD, raw.FPDF_ERR_SECURITY):
                raise _Failed("encrypted (needs a password)") from None
            if b"%%EOF" not in data[-2048:]:
                raise _Failed("truncated or damaged PDF (the end-of-file marker is missing; pdfium cannot open it)") from None
            if _NO_PAGES.search(data):
                raise _Failed("zero pages") from None
            raise _Failed(f"damaged PDF (pdfium: {exc})") from None
        try:
            parts = []
            count = len(pdf)
            for index in range(count):
                page = pdf[index]
                textpage = page.get_textpage()
                parts.append(textpage.get_text_range())
                textpage.close()
                page.close()
            return count, "\n".join(parts)
        except pdfium.PdfiumError as exc:
            raise _Failed(f"damaged PDF page (pdfium: {exc})") from None
        finally:
            pdf.close()


def pdftotext_available() -> bool:
    return shutil.which("pdftotext") is not None


def _pdftotext(data: bytes) -> tuple[int, str]:
    exe = shutil.which("pdftotext")
    if exe is None:
        raise _Failed("the pdftotext backend needs the pdftotext CLI (poppler-utils), which is not installed")
    proc = subprocess.run([exe, "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, timeout=300)
    if proc.returncode != 0:
        if b"password" in proc.stderr.lower():
            raise _Failed("encrypted (needs a password)")
        if _NO_PAGES.search(data):
            raise _Failed("zero pages")
        reason = {1: "damaged PDF (pdftotext cannot open it)", 3: "encrypted (copying text not permitted)"}
        if proc.returncode == 1 and b"%%EOF" not in data[-2048:]:
            raise _Failed("truncated or damaged PDF (the end-of-file marker is missing; pdftotext cannot open it)")
        raise _Failed(reason.get(proc.returncode, f"pdftotext failed with exit code {proc.returncode}"))
    text = proc.stdout.decode("utf-8", errors="replace")
    # pdftotext ends each page with a form feed
    pages = text.count("\f")
    if pages == 0 and text.strip():
        pages = 1
    if pages == 0 and b"/Encrypt" in data:
        raise _Failed("encrypted (copying text not permitted)")
    return pages, text.replace("\f", "\n")

"""Text out of a document: PDF through pypdfium2 (default) or the pdftotext CLI, plain text as it is.

Real PDFs need repairs before a whole-word match can be trusted; `repair_text` does them, in this order:

1. line ends: CR LF and CR become LF;
2. NFKC: ligatures (U+FB01 'ﬁ' -> 'fi'), full-width letters and compatibility forms become plain letters;
3. words hyphenated across a line end are joined: pdfium marks such a hyphen with U+FFFE (or U+0002) and drops
   the line break itself; pdftotext leaves 'Tensor-' LF 'Flow'. Both become 'TensorFlow'. One exception keeps
   mentions whole: when the part before the hyphen is itself a word we count (given as `keep`, e.g. 'pytorch'),
   the hyphen is kept ('PyTorch-' LF 'based' -> 'PyTorch-based', not 'PyTorchbased');
4. soft hyphens (U+00AD) and any remaining U+FFFE / U+0002 are removed.

Failures are per document and never stop a run: `extract` returns an `Extracted` whose `error` names the
reason (not a PDF, encrypted, truncated or damaged, zero pages, over the size bound, unreadable).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

TEXT_SUFFIXES = {".txt", ".md", ".tex", ".text", ".markdown"}
PDF_SUFFIXES = {".pdf"}
SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES
BACKENDS = ("pdfium", "pdftotext")
DEFAULT_MAX_BYTES = 200 * 1024 * 1024  # 200 MiB: larger files are recorded as over the bound, not read

_HYPHEN_MARKS = "\ufffe\u0002"
# 'Tensor-' + line end + 'Flow', or pdfium's 'Tensor' U+FFFE 'Flow' (line break already dropped)
_BROKEN = re.compile(r"(\w+)(?:-[ \t]*\n[ \t]*|[\ufffe\u0002]\n?[ \t]*)(?=\w)")


@dataclass
class Extracted:
    path: str
    sha256: str
    pages: int
    text: str
    error: str | None = None


def repair_text(text: str, keep: Iterable[str] = ()) -> str:
    """Apply the repairs listed in the module docstring (idempotent)."""
    keep_set = {k.casefold() for k in keep}
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFKC", text)

    def join(match: re.Match) -> str:
        left = match.group(1)
        return left + "-" if left.casefold() in keep_set else left

    text = _BROKEN.sub(join, text)
    text = text.replace("\u00ad", "")
    for mark in _HYPHEN_MARKS:
        text = text.replace(mark, "")
    return text


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def kind_of(path: str) -> str:
    suffix = Path(path.split("?")[0]).suffix.lower()
    return "pdf" if suffix in PDF_SUFFIXES else "text"


def extract_bytes(data: bytes, path: str, *, backend: str = "pdfium", keep: Iterable[str] = (),
                  max_bytes: int = DEFAULT_MAX_BYTES, repair: bool = True) -> Extracted:
    """Extract (and, unless `repair` is False, repair) the text of one document given as bytes; never raises
    for a bad document."""
    fix = (lambda text: repair_text(text, keep)) if repair else (lambda text: text)
    digest = sha256_bytes(data)
    if len(data) > max_bytes:
        return Extracted(path, digest, 0, "", f"over the size bound ({len(data):,} > {max_bytes:,} bytes)")
    if kind_of(path) == "text":
        text = data.decode("utf-8", errors="replace")
        return Extracted(path, digest, 0, fix(text))
    if not data.lstrip()[:5].startswith(b"%PDF"):
        return Extracted(path, digest, 0, "", "not a PDF (no %PDF header)")
    try:
        if backend == "pdfium":
            pages, text = _pdfium(data)
        elif backend == "pdftotext":
            pages, text = _pdftotext(data)
        else:
            raise ValueError(f"unknown backend {backend!r}; known: {', '.join(BACKENDS)}")
    except _Failed as exc:
        return Extracted(path, digest, 0, "", str(exc))
    if pages == 0:
        return Extracted(path, digest, 0, "", "zero pages")
    return Extracted(path, digest, pages, fix(text))


_NO_PAGES = re.compile(rb"/Type\s*/Pages\b[^>]*/Count\s+0\b|/Count\s+0\b[^>]*/Type\s*/Pages\b")


class _Failed(Exception):
    pass


def _pdfium(data: bytes) -> tuple[int, str]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in (raw.FPDF_ERR_PASSWORD, raw.FPDF_ERR_SECURITY):
            raise _Failed("encrypted (needs a password)") from None
        if b"%%EOF" not in data[-2048:]:
            raise _Failed("truncated or damaged PDF (no %%EOF trailer; pdfium cannot open it)") from None
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
            raise _Failed("truncated or damaged PDF (no %%EOF trailer; pdftotext cannot open it)")
        raise _Failed(reason.get(proc.returncode, f"pdftotext failed with exit code {proc.returncode}"))
    text = proc.stdout.decode("utf-8", errors="replace")
    # pdftotext ends each page with a form feed
    pages = text.count("\f")
    if pages == 0 and text.strip():
        pages = 1
    if pages == 0 and b"/Encrypt" in data:
        raise _Failed("encrypted (copying text not permitted)")
    return pages, text.replace("\f", "\n")


def read_source(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a local path or an fsspec URL (s3://, gs://, https://...); reads at most max_bytes + 1."""
    if "://" in path and not path.startswith("file://"):
        import fsspec

        with fsspec.open(path, "rb") as handle:
            return handle.read(max_bytes + 1)
    local = path[len("file://"):] if path.startswith("file://") else path
    with open(local, "rb") as handle:
        return handle.read(max_bytes + 1)


def extract(path: str, *, backend: str = "pdfium", keep: Iterable[str] = (),
            max_bytes: int = DEFAULT_MAX_BYTES, repair: bool = True) -> Extracted:
    try:
        data = read_source(path, max_bytes)
    except OSError as exc:
        return Extracted(path, "", 0, "", f"cannot read it ({exc.strerror or exc})")
    return extract_bytes(data, path, backend=backend, keep=keep, max_bytes=max_bytes, repair=repair)

"""Tar archives of papers, read as a stream without unpacking them to disk: arXiv's bulk data comes as monthly tar
chunks of PDFs (s3://arxiv/pdf/arXiv_pdf_YYMM_NNN.tar) and of sources, each paper's a gzipped tarball
(s3://arxiv/src/arXiv_src_YYMM_NNN.tar), in a requester-pays bucket.

* An archive is one unit of work: a worker reads it from start to end once (a local file, or an object through
  fsspec with the run's storage options) and scans each member as a document. Its members' rows come back together.
* Each member is a document like a file, keyed by its content and addressed by fsspec's URL of it,
  `tar://MEMBER::ARCHIVE` (fsspec opens that address too). A re-run skips the members stored already (by address,
  size and time, as files are skipped), and an archive read to its end is recorded with its identity (size, and
  time or ETag: `identity`), so a re-run does not read it again at all (state.ScanTable.archive_done).
* What is in it: `.pdf` members are PDFs, `.tex` `.txt` `.md` texts, `.gz` `.tgz` a paper's source (extract.
  source_text); any other member is not a paper: named in the run's problems, not counted. A truncated archive
  keeps what was read before the cut; the member cut short is a failed document; the archive is not recorded as
  read, so the next run reads it again (and skips what it stored).
"""

from __future__ import annotations

import tarfile
from typing import Callable, Iterator, NamedTuple

from mindshare.scan.extract import SUFFIXES, Extracted, content_key, extract_bytes

ARCHIVE_SUFFIXES = (".tar",)
MEMBER = "tar://"  # a member's address: tar://MEMBER::ARCHIVE


class ArchiveRef(NamedTuple):
    """An archive to scan: its path or URL, its size and identity, and which members to leave (stored already) or,
    for --retry-failed, the only ones to scan."""

    path: str
    size: int | None
    identity: str
    done: frozenset = frozenset()
    only: frozenset | None = None


class Member(NamedTuple):
    path: str             # tar://MEMBER::ARCHIVE
    size: int
    mtime_ns: int
    doc: Extracted


def is_archive(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


def address(archive: str, member: str) -> str:
    return f"{MEMBER}{member}::{archive}"


def member_name(path: str) -> str:
    """The member's name in its archive, from its address."""
    return path[len(MEMBER):].split("::", 1)[0]


def _is_paper(name: str) -> bool:
    lower = name.lower()
    return any(lower.endswith(suffix) for suffix in SUFFIXES)


class Reading:
    """One pass over an archive: iterate for its papers, extracted, in the archive's order; then `complete` says
    whether it was read to its end, and `problems` lists (where, why) of what was wrong with it."""

    def __init__(self, ref: ArchiveRef, open_archive: Callable, *, backend: str, keep, max_bytes: int,
                 repair: bool):
        self.ref, self.open_archive = ref, open_archive
        self.options = dict(backend=backend, keep=keep, max_bytes=max_bytes, repair=repair)
        self.complete = False
        self.problems: list[tuple[str, str]] = []

    def __iter__(self) -> Iterator[Member]:
        ref = self.ref
        try:
            handle = self.open_archive(ref.path)
        except Exception as exc:  # noqa: BLE001 - a local file or any object store's error: one line
            self.problems.append((ref.path, f"cannot read the archive ({_words(exc)})"))
            return
        with handle:
            try:
                stream = tarfile.open(fileobj=handle, mode="r|*")
            except (tarfile.TarError, OSError, EOFError) as exc:
                self.problems.append((ref.path, f"not a tar archive ({exc})"))
                return
            read = 0
            try:
                for info in stream:
                    if not info.isfile():
                        continue
                    path = address(ref.path, info.name)
                    if not _is_paper(info.name):
                        self.problems.append((path, "not a paper (not a .pdf, .tex, .txt, .md or gzipped source): "
                                                    "left out"))
                        continue
                    if info.name in ref.done or (ref.only is not None and info.name not in ref.only):
                        continue  # the tar stream skips its data
                    mtime_ns = int(info.mtime) * 1_000_000_000
                    if info.size > self.options["max_bytes"]:
                        doc = Extracted(path, content_key(path.encode()), 0, b"", f"over the size bound "
                                        f"({info.size:,} > {self.options['max_bytes']:,} bytes)")
                        yield Member(path, info.size, mtime_ns, doc)
                        continue
                    try:
                        data = stream.extractfile(info).read()
                    except (tarfile.TarError, OSError, EOFError) as exc:
                        doc = Extracted(path, content_key(path.encode()), 0, b"", f"truncated in the archive ({exc})")
                        yield Member(path, info.size, mtime_ns, doc)
                        raise
                    read += 1
                    doc = extract_bytes(data, info.name, **self.options)
                    doc.path = path
                    yield Member(path, info.size, mtime_ns, doc)
            except (tarfile.TarError, OSError, EOFError) as exc:
                self.problems.append((ref.path, f"truncated or damaged archive after {read} papers ({exc}): the "
                                                "rest is not scanned, and the archive is read again next time"))
                return
        self.complete = True


def _words(exc: BaseException) -> str:
    from mindshare.scan.remote import reason

    return exc.strerror if isinstance(exc, OSError) and exc.strerror else reason(exc)

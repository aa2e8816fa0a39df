"""Which documents a scan covers: files and folders of .pdf .txt .md .tex and gzipped sources (folders searched
recursively, each folder's entries in name order), tar archives of them (archive.py), and fsspec URLs of any of
these (a URL ending in '/' is a folder).

Discovery is a stream (`walk`), so a corpus of millions of files is never held as one list. What cannot be read
is never skipped in silence: a path given that does not exist or cannot be read is refused before anything is
scanned (`check_roots`), and a subfolder that cannot be listed is reported to `on_unreadable` (the run says
which and counts it); a file that cannot be read is scanned as a failed document ("cannot read it").
"""

from __future__ import annotations

import operator
import os
import stat
from pathlib import Path
from typing import Callable, Iterable, Iterator

from mindshare.errors import InputError
from mindshare.scan import remote
from mindshare.scan.archive import ARCHIVE_SUFFIXES, ArchiveRef, is_archive
from mindshare.scan.extract import PDF_SUFFIXES, SUFFIXES
from mindshare.scan.state import FileRef

try:  # pragma: no cover - built by setup.py where libhs is installed
    from mindshare.scan import _native
except ImportError:
    _native = None

OnUnreadable = Callable[[str, str], None]


def is_url(path: str) -> bool:
    return "://" in path and not path.startswith("file://")


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def check_roots(paths: Iterable[str], options: dict | None = None) -> list[str]:
    """The paths as given (file:// stripped), each checked to exist and be readable (a URL: with the run's storage
    options, which are checked too); roots inside another root folder are dropped (their files are found from
    it). Raises InputError with the path and the reason, before anything is scanned."""
    roots: list[str] = []
    for raw in map(str, paths):
        if is_url(raw):
            remote.check_options(raw, options)
            if raw.endswith("/"):
                remote.listing(raw, options, ())  # the folder can be listed (its objects: when walked)
            else:
                remote.info(raw, options)
            roots.append(raw)
            continue
        path = str(Path(raw.removeprefix("file://")))
        try:
            os.stat(path)
        except FileNotFoundError:
            raise InputError(f"{raw}: no such file or folder") from None
        except OSError as exc:
            raise InputError(f"{raw}: cannot be read ({_reason(exc)})") from None
        if os.path.isdir(path):
            try:
                with os.scandir(path):
                    pass
            except OSError as exc:
                raise InputError(f"{raw}: the folder cannot be read ({_reason(exc)})") from None
        roots.append(path)
    folders = [os.path.abspath(r) for r in roots if not is_url(r) and os.path.isdir(r)]
    kept, seen = [], set()
    for root in roots:
        if is_url(root):
            key = root
        else:
            key = os.path.abspath(root)
            if any(key != folder and _inside(key, folder) for folder in folders):
                continue
        if key not in seen:
            seen.add(key)
            kept.append(root)
    return kept


def _inside(path: str, folder: str) -> bool:
    return os.path.commonpath([path, folder]) == folder


def walk(roots: list[str], on_unreadable: OnUnreadable | None = None,
         options: dict | None = None) -> Iterator[FileRef | ArchiveRef]:
    """The documents and archives under the roots (from `check_roots`), in order."""
    for root in roots:
        if is_url(root):
            yield from _remote(root, options)
        elif os.path.isdir(root):
            yield from _folder(root, on_unreadable)
        else:
            yield _ref(root)


def listings(roots: list[str], on_unreadable: OnUnreadable | None = None,
             options: dict | None = None) -> Iterator[list[FileRef | str] | ArchiveRef]:
    """What `walk` finds, in its order, for a scan: documents in lists (a folder's, between its archives), archives
    one by one. A text in a folder comes as its path alone (a str), not stat-ed: the worker that reads it takes its
    size and modification time from the file it opened (in Python: `state.file_ref`), and the folder is listed in C
    (`_native.list_folder`), so the scan process makes nothing per text but its path. PDFs and archives are
    stat-ed here all the same: their size weighs their batch (runner.batches)."""
    for root in roots:
        if is_url(root) or not os.path.isdir(root):
            for ref in walk([root], on_unreadable, options):
                yield ref if type(ref) is ArchiveRef else [ref]
        elif _native is None:  # no C extension: the same, from scandir
            yield from _runs(_folder(root, on_unreadable, lazy=True))
        else:
            yield from _listed(root, on_unreadable)


def _runs(found: Iterable[FileRef | ArchiveRef | str]) -> Iterator[list[FileRef | str] | ArchiveRef]:
    run: list = []
    for ref in found:
        if type(ref) is ArchiveRef:
            if run:
                yield run
                run = []
            yield ref
        else:
            run.append(ref)
    if run:
        yield run


_TEXT, _PDF_KIND, _ARCHIVE, _FOLDER = b"tpad"


def _listed(root: str, on_unreadable: OnUnreadable | None) -> Iterator[list[FileRef | str] | ArchiveRef]:
    """`_folder(root, lazy=True)` from the C listing: a folder of texts costs one list."""
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            paths, kinds = _native.list_folder(folder, _ENDINGS, _PDF, ARCHIVE_SUFFIXES)
        except OSError as exc:
            if on_unreadable:
                on_unreadable(folder, _reason(exc))
            continue
        if kinds.count(_TEXT) == len(kinds):  # texts only, the common case
            if paths:
                yield paths
            continue
        subfolders: list[str] = []
        yield from _runs(_documents(paths, kinds, subfolders))
        stack.extend(reversed(subfolders))  # depth first, in name order


def _documents(paths: list[str], kinds: list[int], subfolders: list[str]) -> Iterator[FileRef | ArchiveRef | str]:
    """The documents and archives of one C listing, in its order (a text as its path alone); its folders go to
    `subfolders`."""
    for path, kind in zip(paths, kinds):
        if kind == _TEXT:
            yield path
        elif kind == _FOLDER:
            subfolders.append(path)
        else:
            ref = _ref(path) if kind in (_PDF_KIND, _ARCHIVE) else _entry_ref(path)
            if ref == _FOLDER:
                subfolders.append(path)
            elif ref is not None:
                yield ref


def _entry_ref(path: str) -> FileRef | ArchiveRef | int | None:
    """An entry the listing could not type (a symbolic link, or a file system without types), as `_folder` takes
    a DirEntry: _FOLDER when it is a folder itself (not a link to one), its ref when it is a document or an archive
    (a link followed), else None."""
    name = os.path.basename(path).lower()
    try:
        if stat.S_ISDIR(os.lstat(path).st_mode):
            return _FOLDER
        if not name.endswith(_WANTED) or not os.path.isfile(path):
            return None
    except OSError:
        return FileRef(path) if name.endswith(_WANTED) else None
    if not name.endswith(ARCHIVE_SUFFIXES) and not _is_document(name):
        return None
    return _ref(path)


def _ref(path: str) -> FileRef | ArchiveRef:
    try:
        info = os.stat(path)
    except OSError:
        return FileRef(path)  # read later, and recorded as a failed document with the reason
    if is_archive(path):
        return ArchiveRef(path, info.st_size, f"{info.st_size}:{info.st_mtime_ns}")
    return FileRef(path, info.st_size, info.st_mtime_ns)


def _folder(root: str, on_unreadable: OnUnreadable | None, lazy: bool = False) -> Iterator[FileRef | str]:
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=_NAME)
        except OSError as exc:
            if on_unreadable:
                on_unreadable(folder, _reason(exc))
            continue
        subfolders = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append(entry.path)
                    continue
                name = entry.name.lower()
                if not name.endswith(_WANTED) or not entry.is_file():
                    continue
                archive = name.endswith(ARCHIVE_SUFFIXES)
                if not archive and not _is_document(name):
                    continue
                if lazy and not archive and not name.endswith(_PDF):
                    yield entry.path
                    continue
                info = entry.stat()
            except OSError:
                yield FileRef(entry.path)
                continue
            if archive:
                yield ArchiveRef(entry.path, info.st_size, f"{info.st_size}:{info.st_mtime_ns}")
            else:
                yield FileRef(entry.path, info.st_size, info.st_mtime_ns)
        stack.extend(reversed(subfolders))  # depth first, in name order


_ENDINGS = tuple(SUFFIXES)
_PDF = tuple(PDF_SUFFIXES)
_WANTED = _ENDINGS + ARCHIVE_SUFFIXES
_NAME = operator.attrgetter("name")


def _is_document(name: str) -> bool:
    """os.path.splitext(name)[1].lower() in SUFFIXES, in one test for most names (a name that is only dots and a
    suffix, '.txt', has no suffix)."""
    lower = name.lower()
    if not lower.endswith(_ENDINGS):
        return False
    return bool(lower[:lower.rindex(".")].lstrip("."))


def _remote(url: str, options: dict | None) -> Iterator[FileRef | ArchiveRef]:
    if not url.endswith("/"):
        yield _remote_ref(url, remote.info(url, options) if is_archive(url) else {})
        return
    for found, info in remote.listing(url, options, tuple(SUFFIXES) + ARCHIVE_SUFFIXES):
        yield _remote_ref(found, info)


def _remote_ref(url: str, info: dict) -> FileRef | ArchiveRef:
    if is_archive(url):
        return ArchiveRef(url, info.get("size"), remote.identity(info))
    return FileRef(url)  # skipped by its URL alone when scanned before


def discover(paths: Iterable[str]) -> list[str]:
    """Every document and archive under the paths, as a list (for a few folders; a run streams `walk` instead)."""
    return [ref.path for ref in walk(check_roots(paths))]


def count(roots: list[str]) -> tuple[int, int]:
    """How many local documents and archives the roots hold and their bytes (for the progress bar; URLs are not
    counted)."""
    files = size = 0
    for ref in walk([r for r in roots if not is_url(r)]):
        files += 1
        size += ref.size or 0
    return files, size

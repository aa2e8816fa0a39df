"""Documents and archives behind fsspec URLs (s3://, gs://, https://...): the storage options a run gives
(`--storage-option requester_pays=true`), listing a folder of them, reading one, and their failures in words.

Credentials never come from the command line: each worker's environment (AWS_ACCESS_KEY_ID and the like, or the
machine's role) is what fsspec's file systems read, so nothing secret travels with the work, reaches the store, a
log or a report. A storage option naming a credential is refused.
"""

from __future__ import annotations

import inspect
from typing import Iterable

from mindshare.errors import InputError

# option names that would carry a secret: credentials come from the environment
_SECRETS = ("key", "secret", "token", "password", "credential", "session")


def parse_options(given: Iterable[str]) -> tuple[tuple[str, object], ...]:
    """`--storage-option NAME=VALUE` (repeatable) -> sorted (name, value) pairs; true/false and numbers as such.
    Raises InputError for a malformed option or one naming a credential."""
    options: dict[str, object] = {}
    for item in given:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InputError(f"--storage-option {item!r}: give NAME=VALUE (e.g. requester_pays=true)")
        if any(word in name.lower() for word in _SECRETS):
            raise InputError(f"--storage-option {name}: credentials are read from the environment (e.g. "
                             "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, or the machine's role), never given here")
        options[name] = _value(value.strip())
    return tuple(sorted(options.items()))


def _value(text: str) -> object:
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def check_options(url: str, options: dict | None) -> None:
    """Refuse a URL whose file system is not installed (one line, not fsspec's ImportError deep in a worker), a
    storage option the URL's file system does not take (fsspec passes unknown ones on silently), or a yes/no option
    given another value. Raises InputError naming the URL or the option, and what the file system takes."""
    import fsspec

    protocol = url.split("://", 1)[0]
    try:
        cls = fsspec.get_filesystem_class(protocol)
    except ImportError as exc:  # "Install s3fs to access S3": the file system's package is not installed
        extra = " (pip install 'mindshare[scan]' brings s3fs)" if protocol in {"s3", "s3a"} else ""
        raise InputError(f"{url}: {exc}{extra}") from None
    except ValueError as exc:
        raise InputError(f"{url}: {exc}") from None
    if not options:
        return
    taken: dict[str, inspect.Parameter] = {}
    for klass in reversed(cls.__mro__):
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        for name, parameter in inspect.signature(init).parameters.items():
            if name != "self" and parameter.kind not in (parameter.VAR_KEYWORD, parameter.VAR_POSITIONAL):
                taken[name] = parameter
    for name, value in options.items():
        if name not in taken:
            raise InputError(f"--storage-option {name}: {protocol}:// does not take it; it takes "
                             f"{', '.join(sorted(n for n in taken if not n.startswith('_')))}")
        if isinstance(taken[name].default, bool) and not isinstance(value, bool):
            raise InputError(f"--storage-option {name}={value}: give true or false")


def filesystem(url: str, options: dict | None):
    """(the file system, the path in it) of a URL."""
    import fsspec

    return fsspec.core.url_to_fs(url, **(options or {}))


def read(url: str, limit: int, options: dict | None = None) -> bytes:
    """Up to `limit` bytes of the object at `url`. Raises OSError."""
    import fsspec

    with fsspec.open(url, "rb", **(options or {})) as handle:
        return handle.read(limit)


def open_stream(url: str, options: dict | None = None):
    """The object at `url` for reading from its start to its end (an archive)."""
    fs, path = filesystem(url, options)
    return fs.open(path, "rb", block_size=8 * 1024 * 1024, cache_type="readahead")


def listing(url: str, options: dict | None, suffixes: tuple[str, ...]) -> list[tuple[str, dict]]:
    """(URL, info) of every object under a folder URL whose name ends with one of `suffixes`, in name order. Raises
    InputError when the folder cannot be listed."""
    protocol = url.split("://", 1)[0]
    try:
        fs, root = filesystem(url, options)
        found = fs.find(root, detail=True)
    except Exception as exc:  # noqa: BLE001 - every file system raises its own kinds; each becomes one line
        raise InputError(f"{url}: {reason(exc)}") from None
    return [(f"{protocol}://{name}", info) for name, info in sorted(found.items())
            if name.lower().endswith(suffixes)]


def info(url: str, options: dict | None) -> dict:
    """What the file system says of one object (its size, and an ETag or a modification time). Raises InputError
    when there is no such object or it cannot be read."""
    try:
        fs, path = filesystem(url, options)
        return fs.info(path)
    except Exception as exc:  # noqa: BLE001 - as in listing
        raise InputError(f"{url}: {reason(exc)}") from None


def identity(found: dict) -> str:
    """What tells one version of an object from another: its size and its ETag (or modification time)."""
    version = found.get("ETag") or found.get("etag") or found.get("LastModified") or found.get("mtime") or ""
    return f"{found.get('size')}:{str(version).strip(chr(34))}"


def reason(exc: BaseException) -> str:
    """An object store's failure in words a user can act on."""
    text = str(exc) or type(exc).__name__
    lower = text.lower()
    if isinstance(exc, FileNotFoundError) or "nosuchbucket" in lower or "no such" in lower or "not found" in lower:
        return "no such bucket, folder or object"
    if isinstance(exc, PermissionError) or "accessdenied" in lower or "forbidden" in lower or "403" in lower:
        return ("access denied (a requester-pays bucket, such as arXiv's, needs --storage-option "
                "requester_pays=true; credentials come from the environment)")
    if "could not connect" in lower or "connection" in lower or "endpoint" in lower:
        return f"cannot reach the store ({text.splitlines()[0][:200]})"
    return text.splitlines()[0][:300]

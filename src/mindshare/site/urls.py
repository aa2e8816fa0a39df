"""The site's address: the `--base-url` a site is published under, checked once, and the absolute URLs built
from it (a feed, a canonical link and an Open Graph image must be absolute)."""

from __future__ import annotations

from urllib.parse import urlsplit


def base_url(text: str) -> str:
    """`text` as a base URL ending in '/': http or https, with a host, no query or fragment. ValueError (its
    message one line, naming the value) otherwise."""
    value = (text or "").strip()
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        parts, port_ok = None, False
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or not port_ok \
            or parts.query or parts.fragment or any(c.isspace() for c in value):
        raise ValueError(f"{text!r} is not a URL a site can be published under (give http:// or https://, a host "
                         "and an optional path, e.g. https://you.github.io/mindshare/)")
    return value if value.endswith("/") else value + "/"


def absolute(base: str, path: str = "") -> str:
    """`path` (relative to the site's root, as the folder names it) under `base`."""
    return base_url(base) + path.lstrip("/")

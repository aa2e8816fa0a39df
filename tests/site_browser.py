"""A published site as a reader meets it: served over HTTP on 127.0.0.1 by the standard library, opened in Debian's
chromium through Playwright. For the site's tests (and `mindshare publish`'s, on the real site):

    with serve(folder) as base, launch() as browser:
        page, errors = open_page(browser, base + "index.html", dark=True)
        assert broken_links(base, ["index.html"]) == []
        assert images_not_drawn(page) == []
        shots = screenshots(browser, base + "index.html", tmp_path)
"""

from __future__ import annotations

import shutil
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import urldefrag, urljoin

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
needs_chromium = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed "
                       "(scripts/ensure-system-packages installs it where it can)"),
]


class _QuietHandler(SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {**SimpleHTTPRequestHandler.extensions_map, ".svg": "image/svg+xml",
                      ".xml": "application/atom+xml", ".json": "application/json", ".csv": "text/csv"}

    def log_message(self, format, *args):   # the test's output stays readable
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """`folder` served on 127.0.0.1 (a free port) as a static host serves it; yields the base URL, ending in '/'."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def launch():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser, url: str, *, size: str = "desktop", dark: bool = False):
    """A page at `url` in a new context, light or dark; returns (page, errors): console errors, page errors and
    failed requests, each as a line."""
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height},
                                  color_scheme="dark" if dark else "light")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(f"console: {message.text}") if message.type == "error"
            else None)
    page.on("pageerror", lambda error: errors.append(f"page: {error}"))
    page.on("requestfailed", lambda request: errors.append(f"request: {request.url} {request.failure}"))
    page.on("response", lambda response: errors.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400 else None)
    page.goto(url, wait_until="load")
    return page, errors


def images_not_drawn(page) -> list[str]:
    """The <img> on the page (in a <picture> or not) that the browser could not draw."""
    return page.eval_on_selector_all(
        "img", "els => els.filter(e => !(e.complete && e.naturalWidth > 0)).map(e => e.currentSrc || e.src)")


def screenshots(browser, url: str, folder: Path, name: str = "page") -> dict[str, Path]:
    """Light and dark screenshots of `url` at 1366x768 and 390 px wide: {'desktop-light': path, ...}."""
    folder.mkdir(parents=True, exist_ok=True)
    shots = {}
    for size in SIZES:
        for dark in (False, True):
            key = f"{size}-{'dark' if dark else 'light'}"
            page, _ = open_page(browser, url, size=size, dark=dark)
            shots[key] = folder / f"{name}-{key}.png"
            page.screenshot(path=str(shots[key]))
            page.context.close()
    return shots


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("href", "src"):
            if attrs.get(key) and tag in ("a", "link", "img", "script", "source", "iframe"):
                self.links.append(attrs[key])
        if attrs.get("srcset"):
            self.links += [part.strip().split(" ")[0] for part in attrs["srcset"].split(",") if part.strip()]
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh" and "url=" in attrs.get("content",
                                                                                                         ""):
            self.links.append(attrs["content"].split("url=", 1)[1].strip())


def broken_links(base: str, start: list[str], *, limit: int = 2000) -> list[str]:
    """Every link, image, script, srcset and refresh target of the site's HTML pages reachable from `start`
    (paths under `base`), followed within the site; returns 'page -> target (status)' for each that does not
    answer 200. Links off the site are listed when they are not http(s) (a file:// or a path outside)."""
    seen: set[str] = set()
    queue = [urljoin(base, path) for path in start]
    broken: list[str] = []
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                kind = response.headers.get_content_type()
                body = response.read()
        except urllib.error.HTTPError as exc:
            broken.append(f"{url} ({exc.code})")
            continue
        if kind != "text/html":
            continue
        parser = _Links()
        parser.feed(body.decode("utf-8", "replace"))
        for link in parser.links:
            target = urldefrag(urljoin(url, link))[0]
            if target.startswith(base):
                if target not in seen:
                    queue.append(target)
            elif not target.startswith(("http://", "https://", "mailto:", "data:")):
                broken.append(f"{url} -> {link} (not a web address)")
    return broken

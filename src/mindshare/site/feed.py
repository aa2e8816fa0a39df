"""The site's Atom feed (`SITE/feed.xml`): an entry for each dated event (a lead changes, a crossover happens, a
confidence label moves, a signal gets new data), newest first, written by feedgen.

An entry's id is a tag: URI (RFC 4151) built from the site's address and what the event *is* (its kind, signal,
day and key: who passed whom, the new period) and not from its wording, so publishing again, or rewording a
sentence, never notifies a reader twice. The feed's own `updated` is its newest event's day: no clock is read,
so the same events give the same bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from mindshare.site.urls import absolute, base_url

KINDS = {
    "lead-change": "the leader changed",
    "crossover": "one contender passed another",
    "confidence": "a confidence label moved",
    "new-data": "a signal got new data",
}
FEED_FILE = "feed.xml"
MAX_ENTRIES = 100


@dataclass(frozen=True)
class Event:
    """Something a follower wants to hear about once. `key` is what makes it this event and no other (e.g. the
    passer and the passed, or the new period); `link` is a page of the site, relative to its root."""

    day: date
    kind: str
    signal: str
    title: str
    summary: str
    key: tuple[str, ...] = ()
    link: str = ""
    detail: dict[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"an event's kind is one of {', '.join(KINDS)}, not {self.kind!r}")


def entry_id(event: Event, site: str) -> str:
    """tag:<host>,<day>:<path>feed/<kind>/<signal>/<digest of kind, signal, day and key>."""
    parts = urlsplit(base_url(site))
    content = "\x1f".join((event.kind, event.signal, event.day.isoformat(), *event.key))
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:20]
    return f"tag:{parts.hostname},{event.day.isoformat()}:{parts.path}feed/{event.kind}/{_tag_safe(event.signal)}/" \
           f"{digest}"


def atom_feed(events: Iterable[Event], site: str, *, title: str, subtitle: str = "", updated: date | None = None,
              limit: int = MAX_ENTRIES) -> bytes:
    """The feed of `events` (the newest `limit`) for the site at `site`. `updated` is the feed's date when there
    is no event (a feed must carry one)."""
    from feedgen.feed import FeedGenerator

    site = base_url(site)
    ordered = sorted(set(events), key=lambda e: (e.day, entry_id(e, site)), reverse=True)[:limit]
    newest = ordered[0].day if ordered else updated
    if newest is None:
        raise ValueError("a feed with no event needs the date it was last updated")
    feed = FeedGenerator()
    feed.id(absolute(site, FEED_FILE))
    feed.title(title)
    if subtitle:
        feed.subtitle(subtitle)
    feed.updated(_timestamp(newest))
    feed.author(name="mindshare")
    feed.link(href=site, rel="alternate", type="text/html")
    feed.link(href=absolute(site, FEED_FILE), rel="self", type="application/atom+xml")
    feed.generator("mindshare")   # no version: an upgrade alone must not change the bytes
    for event in ordered:
        entry = feed.add_entry(order="append")
        entry.id(entry_id(event, site))
        entry.title(event.title)
        entry.updated(_timestamp(event.day))
        entry.published(_timestamp(event.day))
        entry.summary(event.summary)
        entry.link(href=absolute(site, event.link), rel="alternate", type="text/html")
        entry.category(term=event.kind, label=KINDS[event.kind])
        if event.signal:
            entry.category(term=f"signal:{event.signal}", label=event.signal)
    return feed.atom_str(pretty=True)


def _timestamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _tag_safe(text: str) -> str:
    """A signal's name in a tag URI: characters a URI path allows, others percent-encoded."""
    from urllib.parse import quote

    return quote(text, safe="-._~") or "-"

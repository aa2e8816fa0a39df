"""The site's Atom feed, read back by feedparser as a feed reader would: valid, newest first, and each entry's id
the same however often the site is published or the event reworded."""

from dataclasses import replace
from datetime import date

import feedparser
import pytest

from mindshare.site.feed import Event, atom_feed, entry_id
from mindshare.site.urls import absolute, base_url

SITE = "https://you.github.io/mindshare"
EVENTS = [
    Event(date(2024, 5, 31), "crossover", "downloads", "PyTorch passed TensorFlow in PyPI downloads",
          "At the end of May 2024 PyTorch had 1.1 times TensorFlow's downloads.", ("pytorch", "tensorflow"),
          "2024-05-31/"),
    Event(date(2026, 3, 31), "new-data", "downloads", "New PyPI downloads data: March 2026",
          "PyTorch 3.6 times TensorFlow.", ("2026-03",), "2026-03-31/"),
    Event(date(2025, 1, 31), "confidence", "jobs", "Hacker News job posts: confidence medium -> high",
          "Twelve months pooled.", ("medium", "high"), "2025-01-31/"),
]


def _parse(data: bytes):
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_the_feed_is_valid_atom_newest_first():
    parsed = _parse(atom_feed(EVENTS, SITE, title="Deep-learning frameworks: who is winning?"))
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Deep-learning frameworks: who is winning?"
    assert parsed.feed.updated == "2026-03-31T00:00:00+00:00"
    assert [e.title for e in parsed.entries] == [EVENTS[1].title, EVENTS[2].title, EVENTS[0].title]
    first = parsed.entries[0]
    assert first.link == "https://you.github.io/mindshare/2026-03-31/"
    assert first.summary == "PyTorch 3.6 times TensorFlow."
    assert {t.term for t in first.tags} == {"new-data", "signal:downloads"}
    assert any(link.rel == "self" and link.href == f"{SITE}/feed.xml" for link in parsed.feed.links)


def test_entry_ids_are_stable_tag_uris():
    ids = [e.id for e in _parse(atom_feed(EVENTS, SITE, title="t")).entries]
    assert ids[0].startswith("tag:you.github.io,2026-03-31:/mindshare/feed/new-data/downloads/")
    again = [e.id for e in _parse(atom_feed(list(reversed(EVENTS)), SITE + "/", title="t")).entries]
    assert ids == again
    reworded = [replace(e, title=e.title.upper(), summary="said otherwise") for e in EVENTS]
    assert [e.id for e in _parse(atom_feed(reworded, SITE, title="t")).entries] == ids
    # another event, or the same event on another site, is another entry
    assert entry_id(replace(EVENTS[0], key=("tensorflow", "pytorch")), SITE) != entry_id(EVENTS[0], SITE)
    assert entry_id(EVENTS[0], "https://example.org/") != entry_id(EVENTS[0], SITE)
    assert len(set(ids)) == 3


def test_publishing_twice_gives_the_same_bytes():
    assert atom_feed(EVENTS, SITE, title="t") == atom_feed(list(EVENTS) + [EVENTS[0]], SITE, title="t")


def test_hostile_text_is_escaped_and_the_feed_capped():
    hostile = Event(date(2026, 1, 31), "lead-change", "we<ird> & \"sig\"", "<script>alert(1)</script> & co",
                    "a < b & c", ("x",), "2026-01-31/")
    data = atom_feed([hostile], SITE, title="<T> & t")
    assert b"<script>" not in data
    entry = _parse(data).entries[0]
    assert entry.title == "<script>alert(1)</script> & co" and entry.summary == "a < b & c"
    assert "/feed/lead-change/we%3Cird%3E%20%26%20%22sig%22/" in entry.id
    many = [replace(EVENTS[0], day=date(2020, 1, 1 + i), key=(str(i),)) for i in range(20)]
    assert len(_parse(atom_feed(many, SITE, title="t", limit=5)).entries) == 5


def test_an_empty_feed_needs_a_date_and_bad_input_is_refused():
    parsed = _parse(atom_feed([], SITE, title="t", updated=date(2026, 12, 1)))
    assert parsed.entries == [] and parsed.feed.updated.startswith("2026-12-01")
    with pytest.raises(ValueError, match="needs the date"):
        atom_feed([], SITE, title="t")
    with pytest.raises(ValueError, match="kind"):
        Event(date(2026, 1, 1), "rumour", "x", "t", "s")
    for bad in ("not a url", "ftp://host/", "https://", "https://host/?q=1", "https://host/#top", "https://a b/",
                "https://host:0/", ""):
        with pytest.raises(ValueError, match="is not a URL"):
            base_url(bad)
    assert absolute("https://host/x", "/feed.xml") == "https://host/x/feed.xml"

"""The Atom feed of changes (`reports/changes.atom`), rebuilt from the stored digests.

Entry ids name the change itself (commitment, date, from, to), so a reader that
polls the feed sees each change once however often the file is rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from tracker.model import StoredDigest

ATOM = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 200
# What XML 1.0 cannot hold at all (controls, U+FFFE/U+FFFF, lone surrogates): a feed holding one
# is not well-formed, and a reader drops the whole feed.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def entry_id(change: dict) -> str:
    moved = f"{change['from_status'] or 'none'}:{change['to_status']}"
    return f"urn:tracker:change:{change['commitment']}:{change['date']}:{moved}"


def _label(status: str | None) -> str:
    return status.replace("_", " ") if status else "first report"


def _timestamp(value: datetime) -> str:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat(timespec="seconds")


def atom_feed(digests: Sequence[StoredDigest], title: str, feed_id: str = "urn:tracker:changes") -> str:
    """The feed text: the confirmed changes of the given digests, newest first."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = feed_id
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "tracker"
    newest = max((d.created_at for d in digests), default=datetime(2000, 1, 1))
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _timestamp(newest)
    entries: list[tuple[datetime, dict]] = []
    seen: set[str] = set()
    for digest in sorted(digests, key=lambda d: d.id, reverse=True):
        for change in (digest.payload or {}).get("changes", []):
            if entry_id(change) not in seen:
                seen.add(entry_id(change))
                entries.append((digest.created_at, change))
    for updated, change in entries[:MAX_ENTRIES]:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = entry_id(change)
        setback = "Setback: " if change.get("setback") else ""
        ET.SubElement(entry, f"{{{ATOM}}}title").text = (
            f"{setback}{change.get('commitment_title') or change['commitment']}: "
            f"{_label(change['from_status'])} → {_label(change['to_status'])} ({change['date']})"
        )
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _timestamp(updated)
        ET.SubElement(entry, f"{{{ATOM}}}published").text = f"{change['date']}T00:00:00+00:00"
        url = change.get("source_url") or ""
        if url.lower().startswith(("http://", "https://")):
            ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=url)
        ET.SubElement(entry, f"{{{ATOM}}}category", term=change.get("kind") or "change")
        source = change.get("article_title") or change.get("source_name") or url
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = f"“{change.get('evidence', '')}” — {source}"
    for element in feed.iter():
        if element.text:
            element.text = _NOT_XML.sub("", element.text)
        for name, value in element.attrib.items():
            element.set(name, _NOT_XML.sub("", value))
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"

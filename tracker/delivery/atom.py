"""The Atom feed of changes (`reports/changes.atom`), rebuilt from the stored digests, and with several
relationships followed one feed each (`reports/changes-<relationship id>.atom`).

Entry ids name the change itself (commitment, date, from, to), so a reader that
polls the feed sees each change once however often the file is rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from tracker.digest import named_sections, section_of
from tracker.model import StoredDigest

ATOM = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 200
# What XML 1.0 cannot hold at all (controls, U+FFFE/U+FFFF, lone surrogates): a feed holding one
# is not well-formed, and a reader drops the whole feed.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def entry_id(change: dict, relationship_id: str | None = None) -> str:
    """The change's id; with `relationship_id`, qualified by it (two relationships may share a commitment id)."""
    moved = f"{change['from_status'] or 'none'}:{change['to_status']}"
    whose = f"{relationship_id}:" if relationship_id else ""
    return f"urn:tracker:change:{whose}{change['commitment']}:{change['date']}:{moved}"


def desk_changes(payload: dict) -> list[tuple[str, dict]]:
    """A stored digest's confirmed changes, each with its entry id in the desk's feed.

    The first relationship's changes keep the ids they had when it was followed alone, so a
    desk that takes on a second relationship does not show its readers every change again.
    """
    sections = named_sections(payload)
    if len(sections) < 2:
        return [(entry_id(change), change) for change in payload.get("changes") or []]
    first = sections[0]["relationship_id"]
    return [
        (entry_id(change, None if s["relationship_id"] == first else s["relationship_id"]), change)
        for s in sections
        for change in s.get("changes") or []
    ]


def relationship_changes(payload: dict, relationship_id: str) -> list[tuple[str, dict]]:
    """A stored digest's confirmed changes of one relationship, with ids qualified by it."""
    section = section_of(payload, relationship_id) or {}
    return [(entry_id(change, relationship_id), change) for change in section.get("changes") or []]


def _label(status: str | None) -> str:
    return status.replace("_", " ") if status else "first report"


def _timestamp(value: datetime) -> str:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat(timespec="seconds")


def atom_feed(
    digests: Sequence[StoredDigest],
    title: str,
    feed_id: str = "urn:tracker:changes",
    relationship_id: str | None = None,
) -> str:
    """The feed text: the confirmed changes of the given digests, newest first; of one relationship if named."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = feed_id
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "tracker"
    newest = max((d.created_at for d in digests), default=datetime(2000, 1, 1))
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _timestamp(newest)
    entries: list[tuple[datetime, str, dict]] = []
    seen: set[str] = set()
    for digest in sorted(digests, key=lambda d: d.id, reverse=True):
        payload = digest.payload or {}
        found = relationship_changes(payload, relationship_id) if relationship_id else desk_changes(payload)
        for key, change in found:
            if key not in seen:
                seen.add(key)
                entries.append((digest.created_at, key, change))
    for updated, key, change in entries[:MAX_ENTRIES]:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = key
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

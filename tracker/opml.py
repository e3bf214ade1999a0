"""OPML: the subscription lists feed readers import and export."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.sax.saxutils import quoteattr

from tracker.model import OpmlOutline
from tracker.sanitize import clean_line, clean_url
from tracker.sources import SourceError

MAX_OPML_BYTES = 5_000_000


def read_opml(data: bytes, where: str) -> list[OpmlOutline]:
    """Every outline with an http(s) `xmlUrl`, nested folders included, in document order."""
    if len(data) > MAX_OPML_BYTES:
        raise SourceError(f"{where}: larger than {MAX_OPML_BYTES} bytes; not an OPML subscription list")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise SourceError(f"{where}: not readable OPML: {exc}") from exc
    if root.tag.lower() != "opml":
        raise SourceError(f"{where}: not OPML (the root element is <{root.tag}>)")
    outlines = []
    seen = set()
    for node in root.iter("outline"):
        url = clean_url(node.get("xmlUrl") or node.get("xmlurl") or "")
        if not url.startswith(("http://", "https://")) or url in seen:
            continue
        seen.add(url)
        # Names and addresses from another program's file: one line, no control characters.
        outlines.append(OpmlOutline(url, clean_line(node.get("title") or node.get("text") or "")))
    return outlines


def write_opml(outlines: list[OpmlOutline], title: str = "tracker sources") -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        f"  <head><title>{_text(title)}</title></head>",
        "  <body>",
    ]
    for o in outlines:
        name = quoteattr(o.title or o.url)
        lines.append(f'    <outline type="rss" text={name} title={name} xmlUrl={quoteattr(o.url)}/>')
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

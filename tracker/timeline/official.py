"""Which sources are official: the one rule every part of the tracker asks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from urllib.parse import urlsplit

from tracker.model import FoldInput


def is_official(url: str, official_domains: Sequence[str]) -> bool:
    """A URL on an official domain or one of its subdomains (a ministry's site, a source followed as official)."""
    host = urlsplit(url).hostname or ""  # lower case already
    return any(host == d or host.endswith("." + d) for d in official_domains)


def marked_official(inputs: Iterable[FoldInput], official_domains: Sequence[str]) -> list[FoldInput]:
    """The fold's inputs, each marked official when its article's source is."""
    return [replace(i, official=is_official(i.source_url, official_domains)) for i in inputs]

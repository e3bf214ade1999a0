"""What a fetch asks for and what it gives back."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

# --- fetching ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchRequest:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    # Accept header: feeds and pages ask for different things.
    accept: str = "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, */*;q=0.8"


class FetchOutcome(StrEnum):
    OK = "ok"
    NOT_MODIFIED = "not_modified"
    GONE = "gone"
    FAILED = "failed"
    # Never asked: the run's time for fetching was spent first. Says nothing of the source.
    NOT_STARTED = "not_started"


@dataclass(frozen=True)
class Redirect:
    status: int
    # Where the hop led, redacted.
    location: str


@dataclass(frozen=True)
class FetchResult:
    url: str  # the request's URL, redacted
    outcome: FetchOutcome
    status: int | None = None
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    redirects: tuple[Redirect, ...] = ()
    # The final URL (without credentials) when every hop was permanent (301/308).
    moved_to: str | None = None
    error: str | None = None
    attempts: int = 1

    @property
    def charset(self) -> str | None:
        match = re.search(r"charset=[\"']?([\w.:-]+)", self.content_type, re.IGNORECASE)
        return match.group(1) if match else None


@dataclass(frozen=True)
class Health:
    """A source's state after one fetch."""

    failures: int
    next_fetch_at: datetime
    error: str | None
    # An error (not a warning): the source failed `error_after` times in a row, or is gone.
    alarming: bool
    disable: bool = False

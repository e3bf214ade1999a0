"""What the store gives: sources, changes, statements, digests, reviews and deliveries as frozen views."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

from tracker.model.folding import CommitmentKey, Support
from tracker.model.shaping import Shaped, to_json
from tracker.model.words import (
    ChangeKind,
    DeliveryState,
    ReviewKind,
    SourceKind,
)

# --- what the store gives ---------------------------------------------------------------


@dataclass(frozen=True)
class SourceSpec:
    """A feed or folder to follow, as the configuration or `tracker sources add` gives it."""

    kind: SourceKind
    # Redacted: no password, no secret query value (the configuration keeps those).
    location: str
    name: str
    official: bool = False
    full_text: bool | None = None
    # The name was given, not guessed from the location.
    named: bool = False


@dataclass(frozen=True)
class OpmlOutline:
    """A feed an OPML subscription list names."""

    url: str
    title: str = ""


@dataclass(frozen=True)
class SourceView(Shaped):
    id: int
    kind: SourceKind
    name: str
    location: str
    url: str | None
    official: bool
    enabled: bool
    disabled_reason: str | None
    from_config: bool
    full_text: bool | None
    etag: str | None
    last_modified: str | None
    failures: int
    last_error: str | None
    last_fetch_at: datetime | None
    last_success_at: datetime | None
    last_status: int | None
    next_fetch_at: datetime | None
    failing_since: datetime | None
    articles: int

    JSON_KEYS: ClassVar[tuple[str, ...]] = (
        *("id", "kind", "name", "location", "url", "official", "enabled", "disabled_reason", "from_config"),
        *("failures", "last_error", "last_fetch_at", "last_status", "next_fetch_at", "failing_since", "articles"),
    )


@dataclass(frozen=True)
class FetchRecord:
    """What one fetch did to a source."""

    source_id: int
    at: datetime
    status: int | None
    failures: int
    error: str | None
    next_fetch_at: datetime | None
    etag: str | None = None
    last_modified: str | None = None
    moved_to: str | None = None
    disable: bool = False
    # The feed's own title, for a source named only by its URL.
    title: str | None = None


@dataclass(frozen=True)
class ChangeView(Shaped):
    id: int
    commitment_id: str
    commitment_title: str
    from_status: str | None
    to_status: str
    kind: ChangeKind
    date: date
    evidence: str
    actor: str
    # The change's confidence, from every article of the day that supports it.
    confidence: float
    confirmed: bool
    sources: tuple[dict, ...]
    rule: str
    attribution: str
    source_name: str
    source_url: str
    article_title: str
    # Its commitment's relationship (ids are unique within one only).
    relationship_id: str = ""

    @property
    def setback(self) -> bool:
        return self.kind == ChangeKind.SETBACK

    JSON_KEYS: ClassVar[tuple[str, ...]] = (
        *("id", "commitment=commitment_id", "commitment_title", "from_status", "to_status", "kind", "setback"),
        *("date", "source_url", "source_name", "article_title", "evidence", "actor", "confidence", "confirmed"),
        *("sources", "rule", "attribution"),
    )


@dataclass(frozen=True)
class StoredChange:
    """A change as the store holds it, with what judging it needs: its statement's own confidence and, when
    asked for, every article of its day that supports it (`timeline.corroboration` makes it a `ChangeView`)."""

    id: int
    commitment_id: str
    commitment_title: str
    from_status: str | None
    to_status: str
    kind: ChangeKind
    date: date
    evidence: str
    actor: str
    statement_confidence: float
    rule: str
    attribution: str
    source_name: str
    source_url: str
    article_title: str
    # None: not gathered (a listing that shows no sources).
    supports: tuple[Support, ...] | None = None
    relationship_id: str = ""


@dataclass(frozen=True)
class StatementView(Shaped):
    commitment_id: str
    status: str
    actor: str
    evidence: str
    confidence: float
    rule: str
    attribution: str
    date: date
    source_name: str
    source_url: str
    article_title: str
    author: str | None = None
    date_estimated: bool = False
    relationship_id: str = ""

    JSON_KEYS: ClassVar[tuple[str, ...]] = (
        *("commitment=commitment_id", "status", "actor", "evidence", "confidence", "rule", "attribution", "date"),
        *("source_url", "source_name", "article_title", "author", "date_estimated"),
    )


@dataclass(frozen=True)
class StoredCommitment:
    """A tracked commitment as the database holds it: the catalogue's words and what the last digest reported."""

    id: str
    title: str
    description: str
    # The status the last digest reported; alerts are about moving away from it.
    alerted_status: str | None


@dataclass(frozen=True)
class Divergence:
    """Each side's version of the same days, giving one commitment different statuses."""

    commitment_id: str
    side_a: StatementView
    side_b: StatementView
    # The two sides' actor ids, side A first: what names each version in JSON.
    actors: tuple[str, str]

    @property
    def date(self) -> date:
        return max(self.side_a.date, self.side_b.date)

    def versions(self) -> tuple[tuple[str, StatementView], tuple[str, StatementView]]:
        """Each side's actor id and its version, side A first."""
        return ((self.actors[0], self.side_a), (self.actors[1], self.side_b))

    def as_json(self) -> dict:
        return {
            "commitment": self.commitment_id,
            "date": self.date.isoformat(),
            **{actor: version.as_json() for actor, version in self.versions()},
        }


@dataclass(frozen=True)
class DigestRecord:
    id: int
    as_of: date
    since: date | None
    change_count: int
    file_names: tuple[str, ...]


@dataclass(frozen=True)
class ReviewView:
    id: int
    kind: ReviewKind
    commitment_id: str
    change_id: int | None
    article_url: str | None
    status: str | None
    day: date | None
    evidence: str
    note: str
    reviewer: str
    created_at: datetime
    relationship_id: str = ""

    @property
    def commitment(self) -> CommitmentKey:
        return (self.relationship_id, self.commitment_id)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "kind": to_json(self.kind),
            "commitment": self.commitment_id,
            "change_id": self.change_id,
            "article_url": self.article_url,
            "status": self.status,
            "day": to_json(self.day),
            "evidence": self.evidence,
            "note": self.note,
            "reviewer": self.reviewer,
            "created_at": self.created_at.isoformat(timespec="seconds"),
        }


@dataclass(frozen=True)
class ReviewedStatement:
    """An analyst's decision on one statement: its status confirmed, or rejected as wrong for its sentence."""

    commitment_id: str
    status: str
    actor: str
    evidence: str
    confirmed: bool
    reviewer: str


@dataclass(frozen=True)
class ReviewedArticle:
    """An article with the analysts' decisions on its statements (for `tracker review export`)."""

    article_id: int
    url: str
    title: str
    summary: str
    text: str
    published: date
    source_name: str
    statements: tuple[ReviewedStatement, ...]


@dataclass(frozen=True)
class RevisionView:
    """An alert already delivered that the timeline no longer holds, and why."""

    reported: ChangeView
    reported_in: date
    now_status: str | None
    now_since: date | None
    because: ChangeView | None
    # The analyst's rejection of the reported change, when that (not a late article) took it out.
    rejected: ReviewView | None = None


@dataclass(frozen=True)
class StoredRevision:
    """A `RevisionView` as the store holds it: its changes not yet judged."""

    reported: StoredChange
    reported_in: date
    now_status: str | None
    now_since: date | None
    because: StoredChange | None
    rejected: ReviewView | None = None


@dataclass(frozen=True)
class StoredArticle:
    """A stored article's text, as `tracker explain` reads it again."""

    id: int
    url: str
    title: str
    summary: str
    text: str
    published: date

    @property
    def full_text(self) -> str:
        # As extraction read it when it was stored (see ArticleDraft.full_text).
        return f"{self.summary}\n\n{self.text}" if self.summary else self.text


@dataclass(frozen=True)
class StoredDigest:
    id: int
    as_of: date
    created_at: datetime
    change_count: int
    files: tuple[str, ...]
    payload: dict | None


@dataclass(frozen=True)
class DeliveryView:
    id: int
    digest_id: int
    as_of: date
    channel: str
    state: DeliveryState
    attempts: int
    last_error: str | None
    message_id: str | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class KnownDraft:
    """What the database holds of a draft: a copy of it, or the version it updates (and its fold order)."""

    stored: bool
    previous_id: int | None = None
    previous_order: str | None = None

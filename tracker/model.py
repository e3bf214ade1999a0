"""The model: every value that passes from one stage to another, and the one way it becomes JSON.

Each stage (sources, extraction, the fold, the store, the digest, delivery,
the command line) takes and gives these frozen types; none of them knows a
database row, a template or a parser. Statuses, change kinds, review kinds,
channel kinds, delivery and run states are `StrEnum`s: each equals the string
the database stores, so rows read and JSON written are what they were as bare
strings.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import date, datetime
from enum import Enum, StrEnum
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from tracker.sanitize import clean_line, clean_text, clean_url

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

# --- JSON ------------------------------------------------------------------------------


def to_json(value: Any) -> Any:
    """A model value as JSON-ready data: the one way any of them becomes JSON.

    A type that gives its readers a shape of its own (other key names, a
    derived field, fields left out) says so in `as_json`; any other frozen
    type is its fields. Enums are their values, days and times ISO 8601, paths strings.
    """
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "as_json"):
        return value.as_json()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json(v) for v in value]
    raise TypeError(f"no JSON form for {type(value).__name__}")


class Shaped:
    """A frozen type whose JSON is the keys `JSON_KEYS` names, in that order ("key=attribute" where the
    attribute has another name); without them, its fields."""

    JSON_KEYS: ClassVar[tuple[str, ...]] = ()

    def as_json(self) -> dict:
        keys = self.JSON_KEYS or tuple(f.name for f in fields(cast("DataclassInstance", self)))
        return {key: to_json(getattr(self, name or key)) for key, _, name in (k.partition("=") for k in keys)}


# --- the words the stages share ----------------------------------------------------------


class Status(StrEnum):
    """Where a commitment stands (the catalogue's ladder and its two negative states)."""

    SUSPENDED = "suspended"
    PROPOSED = "proposed"
    UNDER_DISCUSSION = "under_discussion"
    AGREED = "agreed"
    IN_PROGRESS = "in_progress"
    IMPLEMENTED = "implemented"
    STALLED = "stalled"


class ChangeKind(StrEnum):
    NEW = "new"
    PROGRESS = "progress"
    RESUMPTION = "resumption"
    SETBACK = "setback"


class ReviewKind(StrEnum):
    CONFIRM = "confirm"
    REJECT = "reject"
    # A status the analyst set, stored as a statement of its own.
    SET = "set"


class DeliveryState(StrEnum):
    QUEUED = "queued"
    # Being handed over; a later run that finds it so finds what a dead run left.
    SENDING = "sending"
    SENT = "sent"
    # Tried max_attempts times: no longer retried.
    FAILED = "failed"
    # Left mid-send, or unsure whether the far side has it: not resent unless asked.
    INTERRUPTED = "interrupted"


class ChannelKind(StrEnum):
    """What a delivery goes through. The outbox names a channel by its kind, and a notification
    by its kind and a hash of its URL (`notify:3f2a…`)."""

    FILES = "files"
    EMAIL = "email"
    NOTIFY = "notify"

    @classmethod
    def of(cls, channel: str) -> ChannelKind:
        """The kind of an outbox channel name; ValueError for a name no kind has."""
        return cls(channel.partition(":")[0])


class RunState(StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    # Stopped on an error; what it did by then is recorded.
    FAILED = "failed"
    # Stopped by a signal, or killed (found still "running" by a later run).
    INTERRUPTED = "interrupted"


class SourceKind(StrEnum):
    FEED = "feed"
    FOLDER = "folder"
    # Where articles came from that is no subscription: an outlet named in a
    # folder's manifest, a feed file given to `tracker ingest`.
    OUTLET = "outlet"


class Reason(StrEnum):
    """Why a mention of a commitment is not a statement of its current status."""

    NEGATED = "negated"
    HEDGED = "hedged"
    UNCONFIRMED = "unconfirmed"
    NOT_A_PARTY = "not-a-party"
    RETROSPECTIVE = "retrospective"
    QUESTION = "question"
    TIMELINE_ENTRY = "timeline-entry"
    OTHER_RELATIONSHIP = "not-this-relationship"
    NO_CUE = "no-cue"
    EMBEDDED_NOMINAL = "embedded-nominal"
    NOT_THE_CLEAREST = "not-the-clearest"
    AGENT = "agent-not-topic"
    IN_PASSING = "in-passing"
    # A thing a side may raise (an upstream dam), reported without anyone raising it.
    NOT_RAISED = "not-raised"


class Message(str):
    """One line a run says, 'level: text' (error, warning or note), kept and printed as that line.

    A string, so that what is stored, printed and searched is the line itself.
    """

    __slots__ = ()
    LEVELS = ("error", "warning", "note")

    def __new__(cls, level: str, text: str) -> Message:
        return super().__new__(cls, f"{level}: {text}" if level else text)

    @classmethod
    def parse(cls, line: str) -> Message:
        """A line as a message: its level when it starts with one, else a line without a level."""
        level, sep, text = line.partition(": ")
        if sep and level in cls.LEVELS:
            return cls(level, text)
        return cls("", line)

    @property
    def level(self) -> str:
        level, sep, _ = self.partition(": ")
        return level if sep and level in self.LEVELS else ""

    @property
    def text(self) -> str:
        return self[len(self.level) + 2 :] if self.level else str(self)


# Marks what an analyst stated: the source of the statement a set status makes, and its rule.
REVIEW_SOURCE = "Analyst review"
REVIEW_RULE = "analyst-review"


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


# --- articles and statements -------------------------------------------------------------

# Titles and source names are one line each, and short: longer ones are cut (with an ellipsis).
MAX_TITLE_CHARS = 300


def normalise(text: str) -> str:
    """Text reduced to what makes two copies the same article."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[\W_]+", " ", text)
    return text.strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ArticleDraft:
    """An article as read from its source, before it is stored."""

    title: str
    text: str
    published: date
    url: str
    source_name: str
    origin: str
    summary: str = ""
    # A feed entry's GUID (its id, else its link): the same GUID with new text is an update.
    guid: str = ""
    # The entry's updated date, when later than its published date.
    updated: date | None = None
    # As the entry or the manifest names it ("" when it names nobody).
    author: str = ""
    # No date of its own: `published` is its feed's date, the day it was
    # fetched or its file's modification time.
    date_estimated: bool = False

    def __post_init__(self) -> None:
        # Whatever a file or a feed carried, an article holds no control sequence or character:
        # titles, names and links are one line, texts keep their line breaks only.
        for name in ("title", "source_name", "author", "origin", "guid"):
            object.__setattr__(self, name, clean_line(getattr(self, name)))
        for name in ("title", "source_name"):
            value = getattr(self, name)
            if len(value) > MAX_TITLE_CHARS:
                object.__setattr__(self, name, value[: MAX_TITLE_CHARS - 1] + "…")
        for name in ("text", "summary"):
            object.__setattr__(self, name, clean_text(getattr(self, name)))
        object.__setattr__(self, "url", clean_url(self.url))

    @cached_property
    def content_hash(self) -> str:
        # Computed once per draft (a changed text is a new draft: `replace`).
        return content_hash(self.text)

    @property
    def full_text(self) -> str:
        """Summary and body as one text, the way extraction reads it."""
        return f"{self.summary}\n\n{self.text}" if self.summary else self.text

    def as_update(self) -> ArticleDraft:
        """The draft as a new version of a stored article: dated at its update."""
        return replace(self, published=self.updated or self.published)


@dataclass(frozen=True)
class ArticleText:
    """One article as extraction reads it."""

    text: str
    published: date
    title: str = ""


@dataclass(frozen=True)
class Rejection:
    """A mention that was not taken as a statement, and why (for `tracker explain`)."""

    commitment_id: str
    sentence_index: int
    reason: Reason
    evidence: str
    # The cue that was cancelled, when one governed the mention.
    rule: str = ""
    # How the tree reached it, and the predicate's features.
    path: str = ""

    def describe(self) -> str:
        return f"{self.reason}:{self.rule}" if self.rule else str(self.reason)


@dataclass(frozen=True)
class ExtractedStatement:
    """One article's assertion about one commitment's current status."""

    commitment_id: str
    status: str
    actor: str
    evidence: str
    sentence_index: int
    confidence: float
    rule: str
    # Who the sentence says it (a ministry, a spokesperson, an outlet), when it says.
    attribution: str = ""
    # How the governing cue was found: the tree path and the predicate's features.
    path: str = ""
    # Read from a noun phrase ("the resumption of X") rather than a predicate.
    nominal: bool = False
    # The parse offered no governing cue; the nearest cue in the clause stood in.
    nearest: bool = False


# --- the fold ---------------------------------------------------------------------------

# Which commitments a fold covers, each from a day on (None: from its first statement).
FoldScope = Mapping[str, date | None]


@dataclass(frozen=True)
class FoldInput:
    """A statement as the fold sees it: ordered by date, then article, then sentence."""

    key: Hashable  # identifies the statement to the caller (a database id, say)
    commitment_id: str
    status: str
    published: date
    article_order: str
    sentence_index: int
    confidence: float = 1.0
    # From an official source (a ministry): weighs more when the fold asks whether a change is sure.
    official: bool = False
    # Its article's URL: what says whether its source is official.
    source_url: str = ""
    # Its article (None: an input made without one, as a test or the evaluation makes it).
    article_id: int | None = None
    # Its article copies a syndicated story that this article (its fold order) counts for: it adds no support.
    copy_of: str | None = None


@dataclass(frozen=True)
class StatusChange:
    commitment_id: str
    from_status: str | None
    to_status: str
    date: date
    cause: Hashable  # the key of the statement that caused it
    kind: ChangeKind
    # The status later statements are compared against after this change's
    # day: the change's own status when it was sure, else the level before it (FoldPolicy).
    level: str | None = None


@dataclass(frozen=True)
class FoldStart:
    """Where a commitment stood before the statements a fold is given: its shown status and its level."""

    shown: str | None
    level: str | None


@dataclass(frozen=True)
class Support:
    """An article stating, on a change's day, the status the commitment changed to."""

    url: str
    source_name: str
    title: str
    evidence: str
    confidence: float
    text: str


@dataclass(frozen=True)
class Corroboration:
    confidence: float
    confirmed: bool
    sources: tuple[dict, ...]


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

    @property
    def setback(self) -> bool:
        return self.kind == ChangeKind.SETBACK

    JSON_KEYS: ClassVar[tuple[str, ...]] = (
        *("id", "commitment=commitment_id", "commitment_title", "from_status", "to_status", "kind", "setback"),
        *("date", "source_url", "source_name", "article_title", "evidence", "actor", "confidence", "confirmed"),
        *("sources", "rule", "attribution"),
    )


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


# --- what a run reports ----------------------------------------------------------------


@dataclass(frozen=True)
class SourceProblem(Shaped):
    name: str
    location: str
    since: str
    error: str
    failures: int
    # Past `error_after` failures in a row, or gone: an error, not a warning.
    in_error: bool


@dataclass(frozen=True)
class RunRecord:
    """One run as the runs table keeps it: when, as of which day, what it did and said."""

    id: int
    command: str
    started_at: datetime
    finished_at: datetime | None
    as_of: date
    ingested: int
    skipped: int
    failed: int
    deferred: int
    changes: int
    digest_id: int | None
    messages: tuple[str, ...]
    # None only on a database made before states were kept (and upgraded since).
    state: str | None


@dataclass(frozen=True)
class RunCounts:
    ingested: int
    skipped: int
    failed: int


@dataclass(frozen=True)
class DeliveryOutcome:
    """What happened to one delivery in this run."""

    delivery: DeliveryView
    ok: bool
    detail: str
    paths: tuple[Path, ...] = ()
    # The digest's own report files (the files channel): a run's summary names them, not a line of their own.
    report: bool = False


@dataclass(frozen=True)
class FeedTrial:
    """What one fetch of a feed's URL gave, when it is added: whether it reads as a feed, and in words."""

    ok: bool
    detail: str

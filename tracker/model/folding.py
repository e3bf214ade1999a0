"""What the fold reads and gives: its inputs, status changes, and the support of a change's day."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import date

from tracker.model.words import (
    ChangeKind,
)

# --- the fold ---------------------------------------------------------------------------

# A commitment as the fold and the store key it: (relationship id, commitment id); ids are unique
# within a relationship only.
CommitmentKey = tuple[str, str]
# Which commitments a fold covers, each from a day on (None: from its first statement).
FoldScope = Mapping[CommitmentKey, date | None]


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
    # The relationship whose commitment it is ("": an input made without one, as the evaluation makes it).
    relationship_id: str = ""


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
    relationship_id: str = ""


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

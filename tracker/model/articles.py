"""Articles as read and the statements the reader takes from them."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property

from tracker.model.words import (
    Reason,
)
from tracker.sanitize import clean_line, clean_text, clean_url

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
class RelatedStatement:
    """A statement with the relationship whose catalogue read it (ids are unique within a relationship only)."""

    relationship_id: str
    statement: ExtractedStatement


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
    # Told in the plain past ("was put on hold"): a setback so told is background to news of a move.
    plain_past: bool = False

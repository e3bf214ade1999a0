"""`tracker catalogue check`: how a catalogue's phrases meet a folder of articles.

Loading the catalogue compiles every phrase (a bad one is the loader's one-line
error). With articles, each phrase is matched alone, as the reader matches it (whole
words, case aside), so a writer sees which phrases name nothing and which name
almost everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from tracker.catalogue import Catalogue, Commitment, compile_phrases

# A phrase in this share of the articles or more names almost everything: it finds the
# relationship, not the commitment. Judged only on a folder of at least MIN_ARTICLES.
NEARLY_ALL = 0.9
MIN_ARTICLES = 5


class PhraseField(StrEnum):
    """The lists of a commitment whose phrases name it on their own."""

    PHRASES = "phrases"
    RAISED = "raised"


class Concern(StrEnum):
    NOTHING = "matches no article"
    NEARLY_ALL = "matches nearly every article"


@dataclass(frozen=True)
class CheckedArticle:
    name: str
    # Title and body, every run of whitespace one space: a phrase broken across lines still matches.
    text: str


@dataclass(frozen=True)
class PhraseCount:
    field: PhraseField
    index: int
    phrase: str
    articles: int
    concern: Concern | None


@dataclass(frozen=True)
class CommitmentCount:
    commitment: Commitment
    articles: int
    phrases: tuple[PhraseCount, ...]


def article_folder(folder: Path) -> Path:
    """A folder of `.txt` articles, or a corpus folder holding them in `articles/`."""
    inner = folder / "articles"
    return inner if inner.is_dir() else folder


def read_articles(folder: Path) -> list[CheckedArticle]:
    """Every `.txt` file of the folder: a title, a blank line, the body."""
    articles = []
    for path in sorted(article_folder(folder).glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        articles.append(CheckedArticle(path.name, " ".join(text.split())))
    return articles


def _concern(matched: int, total: int) -> Concern | None:
    if total and matched == 0:
        return Concern.NOTHING
    if total >= MIN_ARTICLES and matched >= NEARLY_ALL * total:
        return Concern.NEARLY_ALL
    return None


def count_matches(catalogue: Catalogue, articles: Sequence[CheckedArticle]) -> list[CommitmentCount]:
    """For each commitment, the articles its phrases match, and each phrase's own count."""
    counts = []
    for commitment in catalogue.commitments:
        phrases = []
        fields = ((PhraseField.PHRASES, commitment.phrases), (PhraseField.RAISED, commitment.raised))
        for field, listed in fields:
            for index, phrase in enumerate(listed):
                pattern = compile_phrases([phrase], f"{commitment.id}.{field}[{index}]")
                matched = sum(1 for a in articles if pattern.search(a.text))
                phrases.append(PhraseCount(field, index, phrase, matched, _concern(matched, len(articles))))
        named = sum(1 for a in articles if commitment.pattern.search(a.text))
        counts.append(CommitmentCount(commitment, named, tuple(phrases)))
    return counts


def concerns(counts: Sequence[CommitmentCount]) -> list[str]:
    """One warning line per phrase that matches nothing or nearly everything."""
    return [
        f"commitment {c.commitment.id!r} {p.field}[{p.index}] {p.phrase!r} {p.concern} ({p.articles})"
        for c in counts
        for p in c.phrases
        if p.concern is not None
    ]


def phrase_count(catalogue: Catalogue) -> int:
    return sum(len(c.phrases) + len(c.raised) for c in catalogue.commitments)

"""A labelled corpus: its articles and an analyst's statements in them, read, split by story or day, written."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from tracker.catalogue import STATUSES, Catalogue
from tracker.extraction import split_sentences
from tracker.model import ArticleDraft, ReviewedArticle
from tracker.private import make_dirs, write_private
from tracker.sources import SourceError, parse_article_text, read_text

NONE = "none"


@dataclass(frozen=True)
class GoldStatement:
    commitment: str
    status: str
    actor: str
    evidence: str


@dataclass(frozen=True)
class RejectedStatement:
    """A status an analyst rejected for a sentence: reading it there is wrong; what is right is not said."""

    commitment: str
    status: str
    evidence: str


@dataclass(frozen=True)
class CorpusArticle:
    id: str
    date: date
    title: str
    url: str
    source: str
    text: str
    statements: tuple[GoldStatement, ...]
    # From analysts' reviews (`tracker review export`): statuses known to be wrong for the article.
    rejected: tuple[RejectedStatement, ...] = ()
    # The commitments the labels speak for, when not all (a review judged only some); None: all.
    judged: tuple[str, ...] | None = None

    def draft(self) -> ArticleDraft:
        return ArticleDraft(
            title=self.title,
            text=self.text,
            published=self.date,
            url=self.url,
            source_name=self.source,
            origin=f"corpus:{self.id}",
        )


def load_corpus(folder: Path, catalogue: Catalogue) -> list[CorpusArticle]:
    """The labelled articles of a corpus folder; a bad label or file is a one-line error."""
    labels_path = folder / "labels.json"
    try:
        labels = json.loads(labels_path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourceError(f"{labels_path}: cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise SourceError(f"{labels_path}: not UTF-8 text: {exc.reason} at byte {exc.start}") from exc
    except json.JSONDecodeError as exc:
        raise SourceError(f"{labels_path}: not valid JSON: {exc}") from exc
    if not isinstance(labels, list):
        raise SourceError(f"{labels_path}: must be a list of articles")
    articles: list[CorpusArticle] = []
    # The tracker's statements are told apart by their article's URL, so ids and URLs must be unique.
    seen: dict[tuple[str, str], int] = {}
    for index, item in enumerate(labels):
        where = f"{labels_path}: [{index}]"
        article = _labelled_article(folder, item, where, catalogue)
        for key in (("id", article.id), ("url", article.url)):
            if key in seen:
                raise SourceError(f"{where}.{key[0]}: {key[1]!r} is also the {key[0]} of [{seen[key]}]")
            seen[key] = index
        articles.append(article)
    return sorted(articles, key=lambda a: (a.date, a.id))


_KINDS: dict[type, str] = {str: "a non-empty string", list: "a list", dict: "an object"}


def _field(item: dict, name: str, where: str, kind: type = str, default: object = None) -> Any:
    """One field of a label object, of the given JSON type; a default makes it optional (null or "" too)."""
    if default is not None and item.get(name) in (None, ""):
        return default
    if name not in item:
        raise SourceError(f"{where}: missing field {name!r}")
    value = item[name]
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise SourceError(f"{where}.{name}: must be {_KINDS[kind]}")
    return value


def _labelled_article(folder: Path, item: object, where: str, catalogue: Catalogue) -> CorpusArticle:
    if not isinstance(item, dict):
        raise SourceError(f"{where}: must be an object with id, date and statements")
    article_id = _field(item, "id", where)
    day = _field(item, "date", where)
    try:
        published = date.fromisoformat(day)
    except ValueError as exc:
        raise SourceError(f"{where}.date: {exc}") from exc
    title, summary, body = parse_article_text(read_text(folder / "articles" / f"{article_id}.txt"))
    statements = []
    for number, s in enumerate(_field(item, "statements", where, list)):
        spot = f"{where}.statements[{number}]"
        if not isinstance(s, dict):
            raise SourceError(f"{spot}: must be an object with commitment, status and evidence")
        commitment, status = _field(s, "commitment", spot), _field(s, "status", spot)
        actor, evidence = _field(s, "actor", spot, default="both"), _field(s, "evidence", spot)
        if commitment not in catalogue.ids:
            raise SourceError(f"{spot}.commitment: unknown commitment {commitment!r}")
        if status not in STATUSES:
            raise SourceError(f"{spot}.status: unknown status {status!r}")
        if actor not in catalogue.actors:
            raise SourceError(f"{spot}.actor: unknown actor {actor!r}")
        statements.append(GoldStatement(commitment, status, actor, evidence))
    rejected = []
    for number, s in enumerate(_field(item, "rejected", where, list, default=[])):
        spot = f"{where}.rejected[{number}]"
        if not isinstance(s, dict):
            raise SourceError(f"{spot}: must be an object with commitment, status and evidence")
        commitment, status = _field(s, "commitment", spot), _field(s, "status", spot)
        if commitment not in catalogue.ids:
            raise SourceError(f"{spot}.commitment: unknown commitment {commitment!r}")
        if status not in STATUSES:
            raise SourceError(f"{spot}.status: unknown status {status!r}")
        rejected.append(RejectedStatement(commitment, status, _field(s, "evidence", spot, default="-")))
    judged = item.get("judged")
    if judged is not None and (
        not isinstance(judged, list) or not all(isinstance(c, str) and c in catalogue.ids for c in judged)
    ):
        raise SourceError(f"{where}.judged: must be a list of the catalogue's commitment ids")
    return CorpusArticle(
        id=article_id,
        date=published,
        title=_field(item, "title", where, default=title or article_id),
        url=_field(item, "url", where, default=f"corpus:{article_id}"),
        source=_field(item, "source", where, default="corpus"),
        text=f"{summary}\n\n{body}" if summary else body,
        statements=tuple(statements),
        rejected=tuple(rejected),
        judged=tuple(judged) if judged is not None else None,
    )


def export_reviews(articles: Sequence[ReviewedArticle], folder: Path) -> int:
    """Write analysts' decisions in the corpus format `tracker eval` reads; returns the articles written.

    A confirmed status is a labelled statement; a rejected one goes under the
    article's `rejected` (that status is wrong for that sentence). The folder
    must be new or empty: an export never overwrites a corpus.
    """
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise SourceError(f"{folder}: exists and is not an empty folder; give a new one")
    make_dirs(folder / "articles")
    labels = []
    for article in articles:
        article_id = f"a{article.article_id}"
        body = f"{article.summary}\n\n{article.text}" if article.summary else article.text
        write_private(folder / "articles" / f"{article_id}.txt", f"{article.title}\n\n{body}\n")
        labels.append(
            {
                "id": article_id,
                "date": article.published.isoformat(),
                "title": article.title,
                "url": article.url,
                "source": article.source_name,
                "statements": [
                    {"commitment": s.commitment_id, "status": s.status, "actor": s.actor, "evidence": s.evidence}
                    for s in article.statements
                    if s.confirmed
                ],
                "rejected": [
                    {"commitment": s.commitment_id, "status": s.status, "evidence": s.evidence}
                    for s in article.statements
                    if not s.confirmed
                ],
                "judged": sorted({s.commitment_id for s in article.statements}),
                "reviewers": sorted({s.reviewer for s in article.statements}),
            }
        )
    write_private(folder / "labels.json", json.dumps(labels, indent=2, ensure_ascii=False) + "\n")
    return len(labels)


# A run of words long enough to be a story's own words rather than a stock phrase.
_STORY_SHINGLE = 10


def stories(corpus: Sequence[CorpusArticle]) -> list[list[CorpusArticle]]:
    """The corpus grouped by story: articles that share a near-identical sentence go together.

    Outlets repeat one readout, each with its own cuts and punctuation; an
    article in one fold and its rewrite in another would let a fold be
    measured on text it was tuned on. Two articles share a sentence when they
    share a run of ten words (case and punctuation aside); the sharing is
    transitive (union-find).
    """
    parent = list(range(len(corpus)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_seen: dict[tuple[str, ...], int] = {}
    for i, article in enumerate(corpus):
        for sentence in split_sentences(f"{article.title}\n\n{article.text}"):
            words = re.findall(r"\w+", sentence.text.casefold())
            for n in range(len(words) - _STORY_SHINGLE + 1):
                j = first_seen.setdefault(tuple(words[n : n + _STORY_SHINGLE]), i)
                if j != i:
                    parent[root(i)] = root(j)
    groups: dict[int, list[CorpusArticle]] = defaultdict(list)
    for i, article in enumerate(corpus):
        groups[root(i)].append(article)
    return sorted(groups.values(), key=lambda g: (g[0].date, g[0].id))


def story_folds(corpus: Sequence[CorpusArticle], k: int) -> list[list[CorpusArticle]]:
    """k folds of whole stories, balanced by size; deterministic (largest story first, to the smallest fold)."""
    if k < 2:
        raise ValueError("folds must be at least 2")
    folds: list[list[CorpusArticle]] = [[] for _ in range(k)]
    for story in sorted(stories(corpus), key=lambda g: (-len(g), g[0].date, g[0].id)):
        smallest = min(range(k), key=lambda n: (len(folds[n]), n))
        folds[smallest].extend(story)
    return [sorted(f, key=lambda a: (a.date, a.id)) for f in folds if f]


def within(corpus: Sequence[CorpusArticle], start: date | None, end: date | None) -> list[CorpusArticle]:
    """The articles dated from `start` to `end` (both included, either open)."""
    return [a for a in corpus if (start is None or a.date >= start) and (end is None or a.date <= end)]

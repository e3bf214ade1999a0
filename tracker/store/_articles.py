"""Articles and their statements: what is known of a draft, storing a batch, what the fold reads."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import func, insert, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.faults import checkpoint
from tracker.model import (
    ArticleDraft,
    CommitmentKey,
    ExtractedStatement,
    FoldInput,
    FoldScope,
    FoldStart,
    KnownDraft,
    RelatedStatement,
    ReviewKind,
    StoredArticle,
    content_hash,
)
from tracker.schema import Article, Change, Review, Source, Statement
from tracker.store._base import StoreBase
from tracker.store._rows import IN_CHUNK, chunks, in_scope, relationship_of, resumable, source_id, statement_row
from tracker.timeline.fold import resume_from
from tracker.timeline.ordering import fold_order


def _known(session: Session, drafts: Sequence[ArticleDraft]) -> list[KnownDraft]:
    hashes: set[str] = set()
    for chunk in chunks(d.content_hash for d in drafts):
        hashes.update(session.scalars(select(Article.content_hash).where(Article.content_hash.in_(chunk))))
    stored_links: set[str] = set()
    for chunk in chunks(d.url for d in drafts if not d.guid):
        stored_links.update(session.scalars(select(Article.url).where(Article.url.in_(chunk))))
    latest_by: dict[str, dict[str, tuple[int, str | None]]] = {"guid": {}, "url": {}}
    for column_name, column, values in (
        ("guid", Article.guid, [d.guid for d in drafts if d.guid]),
        ("url", Article.url, [d.url for d in drafts if d.guid]),
    ):
        for chunk in chunks(values):
            newest = (
                select(column.label("key"), func.max(Article.id).label("id")).where(column.in_(chunk)).group_by(column)
            ).subquery()
            for key, aid, order in session.execute(
                select(newest.c.key, newest.c.id, Article.fold_order).join(Article, Article.id == newest.c.id)
            ):
                latest_by[column_name][key] = (aid, order)
    found = []
    for draft in drafts:
        if draft.content_hash in hashes or (not draft.guid and draft.url in stored_links):
            found.append(KnownDraft(stored=True))
            continue
        previous = None
        if draft.guid:
            previous = latest_by["guid"].get(draft.guid) or latest_by["url"].get(draft.url)
        found.append(KnownDraft(False, *previous) if previous else KnownDraft(False))
    return found


def _source_location(draft: ArticleDraft) -> str:
    """Where a source is: a feed's URL or file; for article files, the folder and the outlet.

    A folder's manifest may name several outlets; each is its own source.
    """
    origin = draft.origin
    if origin.startswith(("http://", "https://")):
        return origin
    path = Path(origin)
    if path.suffix.lower() in {".xml", ".rss", ".atom"}:
        return str(path)
    return f"{path.parent}#{draft.source_name}"


class ArticlesMixin(StoreBase):
    def stored_article(self, key: str) -> StoredArticle | None:
        """An article by its number, else by its URL (the newest version of an updated story)."""
        with self.sessions() as session:
            if key.isdigit():
                row = session.get(Article, int(key))
            else:
                row = session.scalars(select(Article).where(Article.url == key).order_by(Article.id.desc())).first()
            if row is None:
                return None
            return StoredArticle(row.id, row.url, row.title, row.summary or "", row.text, row.published)

    def has_article(self, draft: ArticleDraft) -> bool:
        return self.known([draft])[0].stored

    def known(self, drafts: Sequence[ArticleDraft]) -> list[KnownDraft]:
        """What is stored already of each draft: a copy of it, or an earlier version it updates.

        A handful of queries for the whole batch, whatever its size. A copy is
        a stored article with the same normalised text or (article files, which
        have no GUID) the same URL; a feed entry under a stored GUID, else link,
        but with other text is an update of that entry's latest version.
        """
        if not drafts:
            return []
        with self.sessions() as session:
            return _known(session, drafts)

    def add_article(
        self, draft: ArticleDraft, statements: Iterable[ExtractedStatement | RelatedStatement], run_id: int
    ) -> bool:
        """Store an article with its statements; False if it was already stored."""
        return self.add_articles([(draft, list(statements))], run_id)[0] is not None

    def add_articles(
        self, items: Sequence[tuple[ArticleDraft, Sequence[ExtractedStatement | RelatedStatement]]], run_id: int
    ) -> list[int | None]:
        """Store a batch of articles with their statements in one transaction; each one's id, None for a copy.

        What is stored already is looked up again inside the transaction that
        writes (one query for the batch), and a copy of an earlier member of
        the same batch is no new article either. Should another process store
        one of them between that look-up and the insert, the batch is written
        again one article at a time, each in its own savepoint. A bare
        `ExtractedStatement` belongs to the one relationship that tracks its id.
        """
        if not items:
            return []
        try:
            with self.sessions.begin() as session:
                inserted = self._insert_batch(session, items, run_id)
                checkpoint("ingest.uncommitted")
                return inserted
        except IntegrityError:
            ids: list[int | None] = []
            with self.sessions.begin() as session:
                for item in items:
                    try:
                        with session.begin_nested():
                            ids.extend(self._insert_batch(session, [item], run_id))
                    except IntegrityError:
                        ids.append(None)
            return ids

    def _insert_batch(
        self,
        session: Session,
        items: Sequence[tuple[ArticleDraft, Sequence[ExtractedStatement | RelatedStatement]]],
        run_id: int,
    ) -> list[int | None]:
        known = _known(session, [draft for draft, _ in items])
        sources = self._source_ids(session, {(d.source_name, _source_location(d)) for d, _ in items})
        seen_hashes: set[str] = set()
        seen_links: set[str] = set()
        rows: list[dict] = []
        kept: list[int] = []
        for i, ((draft, _), found) in enumerate(zip(items, known, strict=True)):
            digest = draft.content_hash
            if found.stored or digest in seen_hashes or (not draft.guid and draft.url in seen_links):
                continue
            seen_hashes.add(digest)
            if not draft.guid:
                seen_links.add(draft.url)
            kept.append(i)
            rows.append(
                {
                    "source_id": sources[(draft.source_name, _source_location(draft))],
                    "url": draft.url,
                    "guid": draft.guid or None,
                    "previous_id": found.previous_id,
                    "content_hash": digest,
                    "title": draft.title,
                    "summary": draft.summary,
                    "text": draft.text,
                    "published": draft.published,
                    "run_id": run_id,
                    "author": draft.author[:300] or None,
                    "date_estimated": draft.date_estimated,
                    "fold_order": fold_order(found.previous_order, digest),
                }
            )
        ids: list[int | None] = [None] * len(items)
        if not rows:
            return ids
        inserted = session.scalars(insert(Article).returning(Article.id, sort_by_parameter_order=True), rows).all()
        statements: list[dict] = []
        relationships: dict[str, str] = {}
        for i, article_id in zip(kept, inserted, strict=True):
            ids[i] = article_id
            for s in items[i][1]:
                if isinstance(s, RelatedStatement):
                    statements.append(statement_row(article_id, s.statement, s.relationship_id))
                    continue
                if s.commitment_id not in relationships:
                    relationships[s.commitment_id] = relationship_of(session, s.commitment_id)
                statements.append(statement_row(article_id, s, relationships[s.commitment_id]))
        if statements:
            session.execute(insert(Statement), statements)
        return ids

    def _source_ids(self, session: Session, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The source of each (name, location), made when it is new; one query for those there."""
        by_location = {
            location: sid
            for sid, location in session.execute(
                select(Source.id, Source.location).where(Source.location.in_({loc for _, loc in wanted}))
            )
        }
        ids = {}
        for name, location in sorted(wanted):
            if location not in by_location:
                by_location[location] = source_id(session, name, location)
            ids[(name, location)] = by_location[location]
        return ids

    def statements_read(
        self, article_ids: Collection[int]
    ) -> dict[int, frozenset[tuple[str, str, str, str, str, str]]]:
        """What the reader took from each article: (relationship, commitment, status, actor, evidence, rule) of its
        statements."""
        found: dict[int, set[tuple[str, str, str, str, str, str]]] = {i: set() for i in article_ids}
        if not article_ids:
            return {}
        with self.sessions() as session:
            for chunk in chunks([str(i) for i in article_ids]):
                rows = session.execute(
                    select(
                        Statement.article_id,
                        Statement.relationship_id,
                        Statement.commitment_id,
                        Statement.status,
                        Statement.actor,
                        Statement.evidence,
                        Statement.rule,
                    ).where(Statement.article_id.in_([int(i) for i in chunk]))
                )
                for article_id, *key in rows:
                    found[article_id].add(tuple(key))  # type: ignore[arg-type]
        return {i: frozenset(keys) for i, keys in found.items()}

    def unchanged_entries(self, drafts: Sequence[ArticleDraft]) -> set[int]:
        """Indexes of feed drafts whose text is what their GUID's latest stored version was read from.

        Used before fetching full text: an entry whose feed text has not
        changed since it was stored costs no page fetch.
        """
        guids = {d.guid for d in drafts if d.guid}
        if not guids:
            return set()
        with self.sessions() as session:
            latest: dict[str, set[str]] = {}
            rows = session.execute(
                select(Article.guid, Article.summary, Article.text).where(Article.guid.in_(guids)).order_by(Article.id)
            )
            for guid, summary, text in rows:
                if guid:
                    # What the feed gave: the summary (full text fetched), the text, or both.
                    latest[guid] = {content_hash(summary), content_hash(text), content_hash(f"{summary} {text}")}
        return {i for i, d in enumerate(drafts) if d.guid in latest and content_hash(d.full_text) in latest[d.guid]}

    def fold_inputs(self, scope: FoldScope | None = None) -> list[FoldInput]:
        """The statements the fold reads: all but those an analyst rejected.

        With a scope, only its commitments' statements, each from its day on
        (None: all of that commitment's); without one, every statement.
        """
        with self.sessions() as session:
            rejects = select(Review.article_url, Review.relationship_id, Review.commitment_id).where(
                Review.kind == ReviewKind.REJECT
            )
            query = select(
                Statement.id,
                Statement.relationship_id,
                Statement.commitment_id,
                Statement.status,
                Article.published,
                Article.fold_order,
                Article.content_hash,
                Statement.sentence_index,
                Statement.confidence,
                Article.url,
                Article.id,
            ).join(Article)
            if scope is not None:
                if not scope:
                    return []
                rejects = rejects.where(tuple_(Review.relationship_id, Review.commitment_id).in_(list(scope)))
                query = query.where(
                    in_scope(scope, Statement.relationship_id, Statement.commitment_id, Article.published)
                )
                days = [since for since in scope.values() if since is not None]
                if len(days) == len(scope):
                    # Only articles of those days on: found by their date, not by walking each timeline.
                    query = query.where(Article.published >= min(days))
            rejected = {(url, rid, cid) for url, rid, cid in session.execute(rejects)}
            return [
                FoldInput(
                    key=sid,
                    relationship_id=rid,
                    commitment_id=cid,
                    status=status,
                    published=published,
                    article_order=order or digest,
                    sentence_index=index,
                    confidence=confidence,
                    source_url=url,
                    article_id=article_id,
                )
                for sid, rid, cid, status, published, order, digest, index, confidence, url, article_id in (
                    session.execute(query)
                )
                if (url, rid, cid) not in rejected
            ]

    def article_texts(self, article_ids: Collection[int]) -> dict[int, str]:
        """Articles' texts by id (the body, as corroboration compares them for copies)."""
        with self.sessions() as session:
            found: dict[int, str] = {}
            ids = sorted(set(article_ids))
            for start in range(0, len(ids), IN_CHUNK):
                chunk = ids[start : start + IN_CHUNK]
                for article_id, text in session.execute(select(Article.id, Article.text).where(Article.id.in_(chunk))):
                    found[article_id] = text
            return found

    def fold_starts(self, scope: FoldScope) -> tuple[dict[CommitmentKey, FoldStart], FoldScope]:
        """Where each commitment of a scope stood before its day: (starts, the scope to fold).

        From its last current changes before the day (`resume_from`). A
        change stored before changes kept their level does not know it: that
        commitment is folded from its first statement instead (once; the fold
        then fills the levels in).
        """
        starts: dict[CommitmentKey, FoldStart] = {}
        widened: dict[CommitmentKey, date | None] = {}
        with self.sessions() as session:
            for commitment_key, day in scope.items():
                if day is None:
                    widened[commitment_key] = None
                    continue
                relationship_id, commitment_id = commitment_key
                before = select(Change.to_status, Change.level, Change.date).where(
                    Change.relationship_id == relationship_id,
                    Change.commitment_id == commitment_id,
                    Change.superseded.is_(False),
                    Change.date < day,
                )
                newest = (Change.date.desc(), Change.id.desc())
                last = session.execute(before.order_by(*newest).limit(1)).first()
                if last is not None and last.level is None:
                    widened[commitment_key] = None
                    continue
                last_sure = None
                if last is not None and last.level != last.to_status:
                    last_sure = session.execute(
                        before.where(Change.level == Change.to_status).order_by(*newest).limit(1)
                    ).first()
                start, first_day = resume_from(resumable(last), resumable(last_sure), day)
                starts[commitment_key] = start
                widened[commitment_key] = None if first_day == date.min else first_day
        return starts, widened

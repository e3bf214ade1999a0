"""Rows in, model types out: the conversions and the queries several parts of the store share."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select, tuple_
from sqlalchemy.engine import Row
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from tracker.model import (
    ChangeKind,
    DeliveryState,
    DeliveryView,
    ExtractedStatement,
    FoldScope,
    ReviewKind,
    ReviewView,
    SourceKind,
    StoredChange,
    StoredDigest,
    Support,
)
from tracker.schema import Article, Change, Commitment, Delivery, Digest, Review, Source, Statement, utcnow


def review_view(row: Review) -> ReviewView:
    return ReviewView(
        id=row.id,
        kind=ReviewKind(row.kind),
        commitment_id=row.commitment_id,
        change_id=row.change_id,
        article_url=row.article_url,
        status=row.status,
        day=row.day,
        evidence=row.evidence or "",
        note=row.note or "",
        reviewer=row.reviewer,
        created_at=row.created_at or utcnow(),
        relationship_id=row.relationship_id,
    )


@dataclass(frozen=True)
class Resumable:
    to_status: str
    level: str | None
    date: date


def resumable(row: Row | None) -> Resumable | None:
    return None if row is None else Resumable(row.to_status, level_of(row.level), row.date)


def stored_level(level: str | None) -> str:
    # "" is "no sure status yet"; NULL is kept for rows made before the level was stored.
    return level or ""


def level_of(stored: str | None) -> str | None:
    return stored or None


def latest_changes(session: Session, until: date | None = None) -> list[Change]:
    """Each commitment's latest current change (by date, then id), in one query; with `until`, as of that day.

    One index probe per commitment (status_changes by commitment and date),
    however long the timelines are.
    """
    conditions = [
        Change.relationship_id == Commitment.relationship_id,
        Change.commitment_id == Commitment.id,
        Change.superseded.is_(False),
    ]
    if until is not None:
        conditions.append(Change.date <= until)
    latest = (
        select(Change.id)
        .where(*conditions)
        .order_by(Change.date.desc(), Change.id.desc())
        .limit(1)
        .correlate(Commitment)
        .scalar_subquery()
    )
    return list(
        session.scalars(
            select(Change)
            .where(Change.id.in_(select(latest).select_from(Commitment)))
            .order_by(Change.commitment_id, Change.relationship_id)
        )
    )


def in_scope(
    scope: FoldScope,
    relationship: InstrumentedAttribute,
    commitment: InstrumentedAttribute,
    day: InstrumentedAttribute,
) -> ColumnElement[bool]:
    """Rows of a scope's commitments, each from its day on."""
    whole = [key for key, since in scope.items() if since is None]
    conditions: list[ColumnElement[bool]] = [tuple_(relationship, commitment).in_(whole)] if whole else []
    conditions += [
        (relationship == rid) & (commitment == cid) & (day >= since)
        for (rid, cid), since in scope.items()
        if since is not None
    ]
    return or_(*conditions)


def find_source(session: Session, key: str) -> Source | None:
    """A followed source by id, location or name (a location first: names need not be unique)."""
    followed = select(Source).where(Source.kind != SourceKind.OUTLET)
    if key.isdigit():
        row = session.scalar(followed.where(Source.id == int(key)))
        if row is not None:
            return row
    row = session.scalar(followed.where(Source.location == key))
    if row is None:
        row = session.scalar(followed.where(Source.name == key).order_by(Source.id).limit(1))
    return row


def stored_digest(row: Digest) -> StoredDigest:
    return StoredDigest(
        id=row.id,
        as_of=row.as_of,
        created_at=row.created_at,
        change_count=row.change_count,
        files=tuple(json.loads(row.files)),
        payload=json.loads(row.payload) if row.payload else None,
    )


def delivery_view(row: Delivery, as_of: date) -> DeliveryView:
    return DeliveryView(
        id=row.id,
        digest_id=row.digest_id,
        as_of=as_of,
        channel=row.channel,
        state=DeliveryState(row.state),
        attempts=row.attempts,
        last_error=row.last_error,
        message_id=row.message_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        sent_at=row.sent_at,
    )


def statement_row(article_id: int, statement: ExtractedStatement, relationship_id: str) -> dict:
    """A statement as a row of the statements table (for bulk inserts)."""
    return {"article_id": article_id, **statement_columns(statement, relationship_id)}


def relationship_of(session: Session, commitment_id: str) -> str:
    """The one relationship tracking a commitment id, for a statement that does not name its relationship."""
    found = sorted(session.scalars(select(Commitment.relationship_id).where(Commitment.id == commitment_id)))
    if len(found) != 1:
        known = f"tracked by {', '.join(found)}" if found else "tracked by no relationship"
        raise ValueError(f"commitment {commitment_id!r} is {known}: name its relationship")
    return found[0]


def statement_columns(statement: ExtractedStatement, relationship_id: str) -> dict:
    """A statement's columns but its article's."""
    return {
        "relationship_id": relationship_id,
        "commitment_id": statement.commitment_id,
        "status": statement.status,
        "actor": statement.actor,
        "evidence": statement.evidence,
        "sentence_index": statement.sentence_index,
        "confidence": statement.confidence,
        "rule": statement.rule,
        "attribution": statement.attribution[:200],
    }


# Bound parameters per IN list: well under SQLite's and PostgreSQL's limits.
IN_CHUNK = 500


def chunks(values: Iterable[str]) -> Iterator[list[str]]:
    items = sorted(set(values))
    for i in range(0, len(items), IN_CHUNK):
        yield items[i : i + IN_CHUNK]


def source_id(session: Session, name: str, location: str) -> int:
    source = session.scalar(select(Source).where(Source.location == location))
    if source is None:
        source = Source(name=name, location=location)
        session.add(source)
        session.flush()
    return source.id


def day_supports(session: Session, rows: Sequence[Change]) -> dict[tuple[str, str, str, date], list[Support]]:
    """For each change, the day's articles that state the status it moved to, best statement each.

    One query for all the changes asked about (in groups), whatever their number.
    """
    wanted = sorted({(r.relationship_id, r.commitment_id, r.to_status, r.date) for r in rows})
    if not wanted:
        return {}
    rejected = {
        (url, rid, cid)
        for url, rid, cid in session.execute(
            select(Review.article_url, Review.relationship_id, Review.commitment_id).where(
                Review.kind == ReviewKind.REJECT, Review.commitment_id.in_({w[1] for w in wanted})
            )
        )
    }
    best: dict[tuple[str, str, str, date], dict[int, tuple[float, Support]]] = {}
    asked = set(wanted)
    days = sorted({day for _, _, _, day in wanted})
    commitments = sorted({cid for _, cid, _, _ in wanted})
    for start in range(0, len(days), IN_CHUNK):
        # Found through the articles of those days (the date index), then the statements of each
        # article: a commitment's whole timeline is never walked.
        query = (
            select(
                Statement.relationship_id,
                Statement.commitment_id,
                Statement.status,
                Article.published,
                Statement.article_id,
                Statement.confidence,
                Statement.evidence,
                Article.url,
                Article.title,
                Article.text,
                Source.name,
            )
            .select_from(Article)
            .join(Statement, Statement.article_id == Article.id)
            .join(Source, Source.id == Article.source_id)
            .where(Article.published.in_(days[start : start + IN_CHUNK]), Statement.commitment_id.in_(commitments))
            .order_by(Statement.id)
        )
        for rid, cid, status, day, article_id, confidence, evidence, url, title, body, source_name in session.execute(
            query
        ):
            if (rid, cid, status, day) not in asked or (url, rid, cid) in rejected:
                continue  # another status, or an analyst took it out: it supports nothing
            own = best.setdefault((rid, cid, status, day), {})
            current = own.get(article_id)
            if current is None or confidence > current[0]:
                own[article_id] = (
                    confidence,
                    Support(
                        url=url,
                        source_name=source_name,
                        title=title,
                        evidence=evidence,
                        confidence=confidence,
                        text=body,
                    ),
                )
    return {key: [support for _, support in own.values()] for key, own in best.items()}


def change_views(session: Session, rows: Iterable[Change], corroborated: bool = True) -> list[StoredChange]:
    """Changes with their statement, article and source loaded with them, supports in one query.

    `corroborated` False leaves the supporting sources out (`supports` None):
    for listings that do not print them.
    """
    rows = list(rows)
    if not rows:
        return []
    titles = {
        (rid, cid): title
        for rid, cid, title in session.execute(select(Commitment.relationship_id, Commitment.id, Commitment.title))
    }
    details = {
        change_id: (statement, article, source)
        for change_id, statement, article, source in session.execute(
            select(Change.id, Statement, Article, Source)
            .join(Statement, Statement.id == Change.statement_id)
            .join(Article, Article.id == Statement.article_id)
            .join(Source, Source.id == Article.source_id)
            .where(Change.id.in_([r.id for r in rows]))
        )
    }
    supports = day_supports(session, rows) if corroborated else {}
    changes = []
    for row in rows:
        statement, article, source = details[row.id]
        changes.append(
            StoredChange(
                id=row.id,
                commitment_id=row.commitment_id,
                commitment_title=titles.get((row.relationship_id, row.commitment_id), row.commitment_id),
                from_status=row.from_status,
                to_status=row.to_status,
                kind=ChangeKind(row.kind),
                date=row.date,
                evidence=statement.evidence,
                actor=statement.actor,
                statement_confidence=statement.confidence,
                rule=statement.rule,
                attribution=statement.attribution,
                source_name=source.name,
                source_url=article.url,
                article_title=article.title,
                supports=tuple(supports.get((row.relationship_id, row.commitment_id, row.to_status, row.date), []))
                if corroborated
                else None,
                relationship_id=row.relationship_id,
            )
        )
    return changes


def current_status(session: Session) -> dict[tuple[str, str], str]:
    """Each commitment's status now, by (relationship, commitment id)."""
    return {(row.relationship_id, row.commitment_id): row.to_status for row in latest_changes(session)}

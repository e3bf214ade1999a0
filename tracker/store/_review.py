"""Analyst review: decisions on changes, set statuses, and what they revised."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date

from sqlalchemy import select

from tracker.model import (
    REVIEW_RULE,
    REVIEW_SOURCE,
    ReviewedArticle,
    ReviewedStatement,
    ReviewKind,
    ReviewView,
    StoredChange,
    StoredRevision,
)
from tracker.schema import Article, Change, Commitment, Digest, Review, Statement
from tracker.store._base import StoreBase
from tracker.store._rows import change_views, relationship_of, review_view, source_id, statement_columns
from tracker.timeline.ordering import review_order
from tracker.timeline.review import analyst_statement, analyst_title


class ReviewError(ValueError):
    """A review that cannot be recorded (an unknown change, say); the message says why."""


class AlreadyReviewed(ReviewError):
    """The change has this decision already; `earlier` is the review that made it."""

    def __init__(self, earlier: ReviewView) -> None:
        super().__init__(f"change #{earlier.change_id} was already {earlier.kind}ed")
        self.earlier = earlier


class ReviewMixin(StoreBase):
    def review_change(self, kind: str, change_id: int, reviewer: str, note: str = "") -> ReviewView:
        """Confirm or reject a change; a rejection takes its statement out of the fold."""
        if kind not in (ReviewKind.CONFIRM, ReviewKind.REJECT):
            raise ReviewError(f"unknown review {kind!r}: confirm or reject")
        with self.sessions.begin() as session:
            change = session.get(Change, change_id)
            if change is None:
                raise ReviewError(f"no status change #{change_id}; `tracker review` lists them")
            earlier = session.scalars(
                select(Review).where(Review.change_id == change.id, Review.kind == kind).order_by(Review.id).limit(1)
            ).first()
            if earlier is not None:
                # A second identical decision adds nothing; the first one stands (re-running a command is safe).
                raise AlreadyReviewed(review_view(earlier))
            statement = change.statement
            review = Review(
                kind=kind,
                relationship_id=change.relationship_id,
                commitment_id=change.commitment_id,
                change_id=change.id,
                article_url=statement.article.url,
                status=change.to_status,
                day=change.date,
                evidence=statement.evidence,
                note=note,
                reviewer=reviewer[:200],
            )
            session.add(review)
            session.flush()
            return review_view(review)

    def review_set(
        self,
        commitment_id: str,
        status: str,
        day: date,
        reviewer: str,
        note: str,
        run_id: int | None = None,
        relationship_id: str | None = None,
    ) -> ReviewView:
        """An analyst's status: stored as a statement of its own, from the analyst as source.

        Without `relationship_id`, the commitment of that id in the one relationship tracking it.
        """
        with self.sessions.begin() as session:
            if relationship_id is None:
                try:
                    relationship_id = relationship_of(session, commitment_id)
                except ValueError as exc:
                    raise ReviewError(str(exc)) from exc
            if session.get(Commitment, (relationship_id, commitment_id)) is None:
                raise ReviewError(f"unknown commitment {commitment_id!r}")
            review = Review(
                kind=ReviewKind.SET,
                relationship_id=relationship_id,
                commitment_id=commitment_id,
                status=status,
                day=day,
                note=note,
                reviewer=reviewer[:200],
            )
            session.add(review)
            session.flush()
            url = f"review:{review.id}"
            article = Article(
                source_id=source_id(session, REVIEW_SOURCE, "review:analysts"),
                url=url,
                content_hash=hashlib.sha256(url.encode()).hexdigest(),
                title=analyst_title(reviewer),
                text=note,
                published=day,
                run_id=run_id,
                fold_order=review_order(review.id),
            )
            statement = analyst_statement(commitment_id, status, reviewer, note)
            article.statements = [Statement(**statement_columns(statement, relationship_id))]
            session.add(article)
            session.flush()
            review.statement_id = article.statements[0].id
            review.article_url = url
            review.evidence = article.statements[0].evidence
            return review_view(review)

    def reviews(self, commitment_id: str | None = None, relationship_id: str | None = None) -> list[ReviewView]:
        """Every review, oldest first."""
        with self.sessions() as session:
            query = select(Review).order_by(Review.id)
            if commitment_id is not None:
                query = query.where(Review.commitment_id == commitment_id)
            if relationship_id is not None:
                query = query.where(Review.relationship_id == relationship_id)
            return [review_view(r) for r in session.scalars(query)]

    def reviewed_articles(self) -> list[ReviewedArticle]:
        """Each article an analyst confirmed or rejected a statement of, with its text and those decisions.

        A later decision on the same article, commitment and status replaces
        an earlier one (an analyst may change their mind); reviews are read
        oldest first.
        """
        with self.sessions() as session:
            reviews = list(
                session.scalars(
                    select(Review).where(Review.kind.in_((ReviewKind.CONFIRM, ReviewKind.REJECT))).order_by(Review.id)
                )
            )
            urls = {r.article_url for r in reviews if r.article_url}
            articles: dict[str, Article] = {}
            if urls:
                for article in session.scalars(select(Article).where(Article.url.in_(urls)).order_by(Article.id)):
                    # The newest version of an updated story is the one read now.
                    articles[article.url] = article
            decided: dict[str, dict[tuple[str, str, str], ReviewedStatement]] = defaultdict(dict)
            for review in reviews:
                if review.article_url not in articles or review.status is None:
                    continue
                actor = "both"
                if review.statement_id is not None:
                    statement = session.get(Statement, review.statement_id)
                    actor = statement.actor if statement is not None else actor
                key = (review.relationship_id, review.commitment_id, review.status)
                decided[review.article_url][key] = ReviewedStatement(
                    commitment_id=review.commitment_id,
                    status=review.status,
                    actor=actor,
                    evidence=review.evidence or "",
                    confirmed=review.kind == ReviewKind.CONFIRM,
                    reviewer=review.reviewer,
                )
            out = []
            for url, statements in decided.items():
                article = articles[url]
                out.append(
                    ReviewedArticle(
                        article_id=article.id,
                        url=url,
                        title=article.title,
                        summary=article.summary or "",
                        text=article.text,
                        published=article.published,
                        source_name=article.source.name,
                        statements=tuple(statements.values()),
                    )
                )
            return sorted(out, key=lambda a: (a.published, a.article_id))

    def awaiting_review(self, limit: int = 20, relationship_id: str | None = None) -> list[StoredChange]:
        """Current changes no analyst has confirmed or rejected, newest first (of one relationship if named)."""
        with self.sessions() as session:
            reviewed = select(Review.change_id).where(Review.change_id.is_not(None))
            # An analyst's own `review set` is a decision already, not the machine's work to check.
            analysts = select(Statement.id).where(Statement.rule == REVIEW_RULE)
            query = select(Change).where(
                Change.superseded.is_(False), Change.id.not_in(reviewed), Change.statement_id.not_in(analysts)
            )
            if relationship_id is not None:
                query = query.where(Change.relationship_id == relationship_id)
            rows = session.scalars(query.order_by(Change.date.desc(), Change.id.desc()).limit(limit))
            return change_views(session, rows)

    def pending_revisions(self) -> list[StoredRevision]:
        """Reported changes that a later fold superseded, not yet told to the reader.

        Each comes with where the commitment stands now and the change that
        most recently arrived for it (the late article behind the revision).
        """
        with self.sessions() as session:
            rows = list(
                session.scalars(
                    select(Change)
                    .where(
                        Change.superseded.is_(True),
                        Change.digest_id.is_not(None),
                        Change.revised_digest_id.is_(None),
                    )
                    .order_by(Change.commitment_id, Change.date, Change.id)
                )
            )
            revisions = []
            for row in rows:
                current = session.scalars(
                    select(Change)
                    .where(
                        Change.relationship_id == row.relationship_id,
                        Change.commitment_id == row.commitment_id,
                        Change.superseded.is_(False),
                    )
                    .order_by(Change.date.desc(), Change.id.desc())
                    .limit(1)
                ).first()
                newest = session.scalars(
                    select(Change)
                    .join(Statement, Statement.id == Change.statement_id)
                    .join(Article, Article.id == Statement.article_id)
                    .where(
                        Change.relationship_id == row.relationship_id,
                        Change.commitment_id == row.commitment_id,
                        Change.superseded.is_(False),
                    )
                    .order_by(Article.ingested_at.desc(), Article.id.desc(), Change.id.desc())
                    .limit(1)
                ).first()
                reported_in = session.get_one(Digest, row.digest_id)
                rejection = session.scalars(
                    select(Review)
                    .where(Review.change_id == row.id, Review.kind == ReviewKind.REJECT)
                    .order_by(Review.id.desc())
                    .limit(1)
                ).first()
                views = change_views(session, [row, *([newest] if newest else [])])
                revisions.append(
                    StoredRevision(
                        reported=views[0],
                        reported_in=reported_in.as_of,
                        now_status=current.to_status if current else None,
                        now_since=current.date if current else None,
                        because=views[1] if newest and rejection is None else None,
                        rejected=review_view(rejection) if rejection is not None else None,
                    )
                )
            return revisions

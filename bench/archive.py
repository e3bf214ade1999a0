"""Build an N-article archive quickly, without running extraction over N articles.

The schema is made by the project's Store (Alembic); articles and statements
are inserted with SQLAlchemy Core in batches, the statements taken from the
generator's own labels; the timeline is folded once with the pipeline's fold
and every change marked reported, as if the digests of those days had gone
out. A day measured afterwards then alerts only on its own changes.

    .venv/bin/python bench/archive.py --articles 200000 --database-url sqlite:///archive.db
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, update

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import OUTLETS, Corpus, GeneratedArticle

from tracker.config import Config
from tracker.model import content_hash
from tracker.pipeline import Context, update_timeline
from tracker.schema import Article, Change, Digest, Statement
from tracker.store import Store, source_id
from tracker.timeline.ordering import fold_order

ARCHIVE_SEED = 20_000
ARCHIVE_START = date(2024, 1, 1)
PER_DAY = 500
RULE = "bench-archive"


@dataclass(frozen=True)
class ArchiveReport:
    articles: int
    statements: int
    changes: int
    last_day: date
    insert_seconds: float
    fold_seconds: float
    total_seconds: float


def last_day(count: int, start: date = ARCHIVE_START, per_day: int = PER_DAY) -> date:
    """The publication day of the archive's last article."""
    return start + timedelta(days=max(count - 1, 0) // per_day)


def outlet_location(host: str) -> str:
    return f"bench-archive/{host}.xml"


def source_ids(store: Store) -> dict[str, int]:
    """One outlet source per generated outlet, as `tracker ingest` of its feed file would make."""
    with store.sessions.begin() as session:
        return {name: source_id(session, name, outlet_location(host)) for name, host, _ in OUTLETS}


def insert_batch(
    store: Store, batch: Iterable[GeneratedArticle], sources: dict[str, int], run_id: int, relationship_id: str
) -> int:
    """One transaction: the batch's articles (one Core insert) and their statements (another)."""
    articles = list(batch)
    hashes = [content_hash(a.text) for a in articles]
    rows = [
        {
            "source_id": sources[a.outlet],
            "url": a.link,
            "content_hash": digest,
            # No article updates another: each one's place in its day is its hash.
            "fold_order": fold_order(None, digest),
            "guid": a.guid,
            "previous_id": None,
            "title": a.title,
            "summary": "",
            "text": a.text,
            "published": a.published,
            "run_id": run_id,
            "author": a.author,
            "date_estimated": False,
        }
        for a, digest in zip(articles, hashes, strict=True)
    ]
    table = Article.__table__
    with store.engine.begin() as connection:
        ids = connection.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars()
        statements = [
            {
                "article_id": article_id,
                "relationship_id": relationship_id,
                "commitment_id": label.commitment_id,
                "status": label.status,
                "actor": label.actor,
                "evidence": label.sentence,
                "sentence_index": label.sentence_index,
                "confidence": label.confidence,
                "rule": RULE,
                "attribution": label.attribution,
            }
            for article_id, article in zip(list(ids), articles, strict=True)
            for label in article.labels
        ]
        if statements:
            connection.execute(insert(Statement.__table__), statements)
    return len(statements)


def fold(ctx: Context) -> int:
    """Fold the stored statements into the timeline once; returns the new changes.

    The whole timeline (no scope): every commitment from its first statement.
    Kept in one place so that a change to the pipeline's fold is adapted here alone.
    """
    return update_timeline(ctx)


def mark_reported(store: Store, as_of: date) -> int:
    """Every change so far reported in one digest, with each commitment's reported status set."""
    digest_id = store.record_digest(as_of, None, [], [], payload=None)
    with store.engine.begin() as connection:
        marked = connection.execute(
            update(Change.__table__)
            .where(Change.__table__.c.digest_id.is_(None), Change.__table__.c.superseded.is_(False))
            .values(digest_id=digest_id)
        ).rowcount
        digests = Digest.__table__
        connection.execute(update(digests).where(digests.c.id == digest_id).values(change_count=marked))
    return marked


def build_archive(
    database_url: str,
    count: int,
    *,
    seed: int = ARCHIVE_SEED,
    batch_size: int = 2000,
    start: date = ARCHIVE_START,
    per_day: int = PER_DAY,
    progress: bool = False,
) -> ArchiveReport:
    """An archive of `count` generated articles, folded, with every change reported."""
    began = time.perf_counter()
    config = replace(Config(), database_url=database_url, use_seeds=False)
    ctx = Context.open(config)
    try:
        store = ctx.store
        with store.engine.connect() as connection:
            if connection.execute(select(func.count()).select_from(Article.__table__)).scalar_one():
                raise SystemExit(f"{database_url}: the database holds articles already; give an empty one")
        end = last_day(count, start, per_day)
        run_id = store.start_run("bench-archive", end)
        sources = source_ids(store)
        corpus = Corpus(seed, start, per_day)
        statements = done = 0
        stream = corpus.articles(count)
        while done < count:
            batch = [next(stream) for _ in range(min(batch_size, count - done))]
            statements += insert_batch(store, batch, sources, run_id, ctx.catalogue.relationship_id)
            done += len(batch)
            if progress and done % (batch_size * 10) == 0:
                print(f"  {done} articles, {time.perf_counter() - began:.0f} s", file=sys.stderr)
        inserted = time.perf_counter()
        changes = fold(ctx)
        store.mark_folded([run_id])
        mark_reported(store, end)
        folded = time.perf_counter()
        store.finish_run(
            run_id,
            ingested=count,
            skipped=0,
            failed=0,
            deferred=0,
            changes_found=changes,
            messages=[],
            digest_id=None,
        )
    finally:
        ctx.close()
    return ArchiveReport(
        articles=count,
        statements=statements,
        changes=changes,
        last_day=end,
        insert_seconds=inserted - began,
        fold_seconds=folded - inserted,
        total_seconds=time.perf_counter() - began,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Build a generated archive into a database.")
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seed", type=int, default=ARCHIVE_SEED)
    parser.add_argument("--batch", type=int, default=2000)
    args = parser.parse_args()
    report = build_archive(args.database_url, args.articles, seed=args.seed, batch_size=args.batch, progress=True)
    print(
        f"{report.articles} articles, {report.statements} statements, {report.changes} changes up to "
        f"{report.last_day}: inserted in {report.insert_seconds:.1f} s, folded and marked reported in "
        f"{report.fold_seconds:.1f} s, {report.total_seconds:.1f} s in all"
    )


if __name__ == "__main__":
    main()

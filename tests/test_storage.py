"""Storage on real databases: migrations, de-duplication, the stored timeline and alerts.

Every test runs on a SQLite file and on PostgreSQL (see `database_url` in conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, func, inspect, select

from tracker.catalogue import Catalogue, load_catalogue
from tracker.extraction import ExtractedStatement
from tracker.resources import data_path
from tracker.schema import Article, Base, Change, Statement
from tracker.sources import ArticleDraft
from tracker.store import Store
from tracker.timeline.fold import fold

TABLES = {"sources", "runs", "articles", "commitments", "statements", "status_changes", "digests"}


# --- helpers ------------------------------------------------------------------------


def draft(url: str, text: str, published: date = date(2025, 1, 27)) -> ArticleDraft:
    return ArticleDraft(
        title="India and China meet",
        text=text,
        published=published,
        url=url,
        source_name="Test desk",
        origin="https://example.org/feed.xml",
    )


def statement(commitment_id: str, status: str, evidence: str, index: int = 0) -> ExtractedStatement:
    return ExtractedStatement(
        commitment_id=commitment_id,
        status=status,
        actor="both",
        evidence=evidence,
        sentence_index=index,
        confidence=0.9,
        rule=f"test-{status}",
    )


def table_names(store: Store) -> set[str]:
    return set(inspect(store.engine).get_table_names())


def article_count(store: Store) -> int:
    with store.sessions() as session:
        return session.scalar(select(func.count()).select_from(Article)) or 0


def refold(store: Store) -> list[int]:
    """Fold every stored statement and store the timeline, as the pipeline does."""
    return store.apply_timeline(fold(store.fold_inputs()))


def add(store: Store, run_id: int, url: str, published: date, *statements: ExtractedStatement) -> None:
    text = f"Report {url} of {published}: " + " ".join(s.evidence for s in statements)
    assert store.add_article(draft(url, text, published), statements, run_id)


@pytest.fixture
def store(database_url: str, catalogue: Catalogue) -> Iterator[Store]:
    store = Store(database_url)
    store.upgrade()
    store.sync_catalogue(catalogue)
    yield store
    store.close()


@pytest.fixture
def run_id(store: Store) -> int:
    return store.start_run("test", date(2025, 12, 1))


# --- migrations -----------------------------------------------------------------------


def test_upgrade_downgrade_upgrade_round_trip(database_url: str) -> None:
    store = Store(database_url)
    try:
        assert store.is_empty()
        store.upgrade()
        assert table_names(store) >= TABLES
        assert not store.is_empty()

        store.downgrade("base")
        assert table_names(store) & TABLES == set()
        assert store.is_empty()

        store.upgrade()
        assert table_names(store) >= TABLES
        # The schema is usable after the round trip, not merely present.
        assert store.start_run("test", date(2025, 1, 1)) > 0
    finally:
        store.close()


def test_ensure_schema_upgrades_a_database_downgraded_to_base(database_url: str) -> None:
    store = Store(database_url)
    try:
        store.upgrade()
        store.downgrade("base")  # leaves Alembic's empty bookkeeping table behind
        store.ensure_schema()
        assert table_names(store) >= TABLES
    finally:
        store.close()


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    store = Store(database_url)
    try:
        store.upgrade()
        with store.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
        assert differences == []
    finally:
        store.close()


# --- articles -------------------------------------------------------------------------


def test_the_same_draft_twice_is_stored_once(store: Store, run_id: int) -> None:
    article = draft("https://example.org/a", "India and China agreed to resume direct flights.")
    assert not store.has_article(article)
    assert store.add_article(article, [statement("air-services", "agreed", "agreed to resume")], run_id) is True
    assert store.has_article(article)
    assert store.add_article(article, [statement("air-services", "agreed", "agreed to resume")], run_id) is False
    assert article_count(store) == 1
    assert len(store.statements("air-services")) == 1


def test_the_same_text_under_another_url_is_stored_once(store: Store, run_id: int) -> None:
    text = "India and China agreed to resume direct flights."
    assert store.add_article(draft("https://example.org/a", text), [], run_id)
    # Content hashes ignore case, punctuation and spacing: a syndicated copy is the same article.
    copy = draft("https://mirror.example.net/b", "  INDIA and China agreed — to resume direct flights!")
    assert store.has_article(copy)
    assert store.add_article(copy, [], run_id) is False
    assert article_count(store) == 1


def test_the_same_url_with_other_text_is_stored_once(store: Store, run_id: int) -> None:
    assert store.add_article(draft("https://example.org/a", "India and China agreed to resume flights."), [], run_id)
    updated = draft("https://example.org/a", "Updated: the first direct flight between India and China landed.")
    assert store.has_article(updated)
    assert store.add_article(updated, [], run_id) is False
    assert article_count(store) == 1


def test_different_articles_are_both_stored(store: Store, run_id: int) -> None:
    assert store.add_article(draft("https://example.org/a", "India and China discussed the yatra."), [], run_id)
    assert store.add_article(draft("https://example.org/b", "India and China agreed on visas."), [], run_id)
    assert article_count(store) == 2


# --- the timeline ---------------------------------------------------------------------


def test_apply_timeline_returns_new_changes_once(store: Store, run_id: int) -> None:
    add(
        store,
        run_id,
        "https://example.org/jan",
        date(2025, 1, 27),
        statement("air-services", "proposed", "China has expressed interest in resuming direct flights."),
    )
    add(
        store,
        run_id,
        "https://example.org/jun",
        date(2025, 6, 13),
        statement("air-services", "in_progress", "They agreed to expedite the resumption of direct air services."),
    )

    timeline = fold(store.fold_inputs())
    first = store.apply_timeline(timeline)
    assert len(first) == 2
    assert store.apply_timeline(timeline) == []
    assert store.apply_timeline(fold(store.fold_inputs())) == []

    changes = store.changes()
    assert sorted(c.id for c in changes) == sorted(first)
    assert [(c.date, c.from_status, c.to_status) for c in changes] == [
        (date(2025, 1, 27), None, "proposed"),
        (date(2025, 6, 13), "proposed", "in_progress"),
    ]


def test_a_change_the_fold_no_longer_produces_is_superseded_not_deleted(store: Store, run_id: int) -> None:
    add(
        store,
        run_id,
        "https://example.org/jan",
        date(2025, 1, 27),
        statement("visas", "proposed", "China has called for the restoration of normal visa processes."),
    )
    add(
        store,
        run_id,
        "https://example.org/jun",
        date(2025, 6, 13),
        statement("visas", "agreed", "India and China agreed on practical measures to facilitate visa processes."),
    )
    timeline = fold(store.fold_inputs())
    store.apply_timeline(timeline)
    dropped = next(c for c in store.changes() if c.to_status == "agreed")

    remaining = [c for c in timeline if c.to_status != "agreed"]
    assert store.apply_timeline(remaining) == []

    assert [c.to_status for c in store.changes()] == ["proposed"]
    assert store.changes(commitment_id="visas", since=date(2025, 6, 1)) == []
    with store.sessions() as session:
        row = session.get(Change, dropped.id)
        assert row is not None, "a superseded change must be kept"
        assert row.superseded is True

    # Produced again, it comes back as the same row, not as a new change.
    assert store.apply_timeline(timeline) == []
    assert [c.id for c in store.changes() if c.to_status == "agreed"] == [dropped.id]


def test_changes_filters_by_date_and_commitment(store: Store, run_id: int) -> None:
    add(
        store,
        run_id,
        "https://example.org/jan",
        date(2025, 1, 27),
        statement("air-services", "proposed", "China has expressed interest in resuming direct flights."),
        statement("visas", "proposed", "China has called for normal visa processes.", index=1),
    )
    add(
        store,
        run_id,
        "https://example.org/jun",
        date(2025, 6, 13),
        statement("air-services", "in_progress", "They agreed to expedite the resumption of direct air services."),
    )
    refold(store)
    assert {c.commitment_id for c in store.changes(commitment_id="visas")} == {"visas"}
    assert [c.date for c in store.changes(since=date(2025, 6, 1))] == [date(2025, 6, 13)]
    assert len(store.changes()) == 3


# --- alerts and digests ---------------------------------------------------------------


def test_a_late_article_that_keeps_the_current_status_raises_no_alert(store: Store, run_id: int) -> None:
    add(
        store,
        run_id,
        "https://example.org/jan",
        date(2025, 1, 27),
        statement("air-services", "proposed", "China has expressed interest in resuming direct flights."),
    )
    add(
        store,
        run_id,
        "https://example.org/jun",
        date(2025, 6, 13),
        statement("air-services", "in_progress", "They agreed to expedite the resumption of direct air services."),
    )
    refold(store)
    alerts = store.pending_alerts()
    assert [(a.from_status, a.to_status) for a in alerts] == [(None, "proposed"), ("proposed", "in_progress")]
    store.record_digest(date(2025, 6, 30), None, [a.id for a in alerts], [])
    assert store.pending_alerts() == []

    # A March article arrives late: history gains a step, the current status stays in_progress.
    add(
        store,
        run_id,
        "https://example.org/mar",
        date(2025, 3, 1),
        statement("air-services", "agreed", "India and China agreed in principle to resume direct flights."),
    )
    new_ids = refold(store)
    assert len(new_ids) == 2  # proposed → agreed in March, and agreed → in_progress in June
    assert [(c.date, c.from_status, c.to_status) for c in store.changes()] == [
        (date(2025, 1, 27), None, "proposed"),
        (date(2025, 3, 1), "proposed", "agreed"),
        (date(2025, 6, 13), "agreed", "in_progress"),
    ]

    assert store.pending_alerts() == []
    with store.sessions() as session:
        rows = session.scalars(select(Change).where(Change.id.in_(new_ids))).all()
        assert len(rows) == 2
        assert all(row.quiet and row.digest_id is None for row in rows)
        replaced = session.scalars(select(Change).where(Change.superseded.is_(True))).all()
        assert [(r.from_status, r.to_status) for r in replaced] == [("proposed", "in_progress")]
        assert replaced[0].digest_id is not None  # what was reported stays reported
    assert store.pending_alerts() == []


def test_a_late_article_that_moves_the_current_status_raises_an_alert(store: Store, run_id: int) -> None:
    add(
        store,
        run_id,
        "https://example.org/jan",
        date(2025, 1, 27),
        statement("kailash-yatra", "under_discussion", "Misri and Wang Yi discussed resuming the yatra."),
    )
    add(
        store,
        run_id,
        "https://example.org/jun",
        date(2025, 6, 13),
        statement("kailash-yatra", "in_progress", "The yatra will resume this summer."),
    )
    refold(store)
    store.record_digest(date(2025, 6, 30), None, [a.id for a in store.pending_alerts()], [])

    # Dated before June but further up the ladder: the current status becomes implemented.
    add(
        store,
        run_id,
        "https://example.org/may",
        date(2025, 5, 20),
        statement("kailash-yatra", "implemented", "The first batch of pilgrims crossed into Tibet."),
    )
    refold(store)
    alerts = store.pending_alerts()
    assert [(a.date, a.from_status, a.to_status) for a in alerts] == [
        (date(2025, 5, 20), "under_discussion", "implemented"),
    ]


def test_record_digest_marks_changes_reported(store: Store, run_id: int) -> None:
    add(
        store,
        run_id,
        "https://example.org/jan",
        date(2025, 1, 27),
        statement("visas", "proposed", "China has called for normal visa processes."),
    )
    refold(store)
    alerts = store.pending_alerts()
    assert len(alerts) == 1
    digest_id = store.record_digest(date(2025, 2, 1), None, [a.id for a in alerts], ["2025-02-01.md"])
    last = store.last_digest()
    assert last is not None and last.id == digest_id and last.change_count == 1
    assert store.pending_alerts() == []
    with store.sessions() as session:
        assert session.get_one(Change, alerts[0].id).digest_id == digest_id
        assert session.scalar(select(func.count()).select_from(Statement)) == 1


def test_a_database_of_one_relationship_upgrades_in_place_with_its_history(
    database_url: str, catalogue: Catalogue
) -> None:
    """A database made before commitments were keyed by relationship keeps its statements, changes and reviews."""
    store = Store(database_url)
    try:
        store.upgrade("0007")
        tables = MetaData()
        with store.engine.begin() as connection:
            tables.reflect(connection)
            t = tables.tables
            connection.execute(
                t["commitments"].insert(),
                [
                    {"id": c.id, "relationship_id": "IN-CN", "title": c.title, "description": ""}
                    for c in catalogue.commitments
                ],
            )
            connection.execute(
                t["sources"].insert(),
                {"id": 1, "name": "Test desk", "location": "https://example.org/feed.xml", "failures": 0},
            )
            connection.execute(
                t["runs"].insert(),
                {
                    "id": 1,
                    "command": "run",
                    "as_of": date(2025, 1, 27),
                    "started_at": datetime(2025, 1, 27, 6),
                    "ingested": 1,
                    "skipped": 0,
                    "failed": 0,
                    "deferred": 0,
                    "changes_found": 1,
                    "messages": "[]",
                    "state": "finished",
                },
            )
            connection.execute(
                t["articles"].insert(),
                {
                    "id": 1,
                    "source_id": 1,
                    "url": "https://example.org/a",
                    "content_hash": "a" * 64,
                    "title": "Flights resume",
                    "summary": "",
                    "text": "Direct flights resumed today.",
                    "published": date(2025, 1, 27),
                    "ingested_at": datetime(2025, 1, 27, 6),
                    "run_id": 1,
                    "date_estimated": False,
                },
            )
            connection.execute(
                t["statements"].insert(),
                {
                    "id": 1,
                    "article_id": 1,
                    "commitment_id": "air-services",
                    "status": "implemented",
                    "actor": "both",
                    "evidence": "Direct flights resumed today.",
                    "sentence_index": 0,
                    "confidence": 0.9,
                    "rule": "test-implemented",
                    "attribution": "",
                },
            )
            connection.execute(
                t["status_changes"].insert(),
                {
                    "id": 1,
                    "commitment_id": "air-services",
                    "from_status": None,
                    "to_status": "implemented",
                    "kind": "new",
                    "date": date(2025, 1, 27),
                    "statement_id": 1,
                    "found_at": datetime(2025, 1, 27, 6),
                    "superseded": False,
                    "quiet": False,
                    "level": "implemented",
                },
            )
            connection.execute(
                t["reviews"].insert(),
                {
                    "id": 1,
                    "kind": "confirm",
                    "commitment_id": "air-services",
                    "change_id": 1,
                    "article_url": "https://example.org/a",
                    "status": "implemented",
                    "day": date(2025, 1, 27),
                    "evidence": "Direct flights resumed today.",
                    "note": "",
                    "reviewer": "analyst",
                    "created_at": datetime(2025, 1, 28, 9),
                },
            )
        store.upgrade()
        assert store.schema_is_current()
        with store.sessions() as session:
            assert session.scalar(select(Statement.relationship_id)) == "IN-CN"
            assert session.scalar(select(Change.relationship_id)) == "IN-CN"
        [change] = store.changes()
        assert (change.relationship_id, change.commitment_id, change.to_status) == (
            "IN-CN",
            "air-services",
            "implemented",
        )
        assert change.date == date(2025, 1, 27) and change.evidence == "Direct flights resumed today."
        [review] = store.reviews()
        assert (review.relationship_id, review.commitment_id, review.change_id) == ("IN-CN", "air-services", 1)
        [said] = store.statements()
        assert said.commitment_id == "air-services" and said.source_url == "https://example.org/a"
        # The upgraded database takes a second relationship whose ids repeat the first's.
        store.sync_catalogue(load_catalogue(data_path("australia-china.toml")))
        assert [c.id for c in store.commitments()].count("visas") == 2
        # And it folds again to the same history.
        assert refold(store) == []
        assert [c.id for c in store.changes()] == [1]
    finally:
        store.close()


def test_the_migrations_form_one_line() -> None:
    from alembic.script import ScriptDirectory

    from tracker.store import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    chain = list(script.walk_revisions())
    # Newest first, each revision resting on the next one down, the last on nothing.
    assert [r.down_revision for r in chain] == [r.revision for r in chain[1:]] + [None]
    # Opening a database compares it with this constant, not with the scripts (which load Alembic).
    from tracker.store import SCHEMA_HEAD

    assert script.get_heads() == [SCHEMA_HEAD]

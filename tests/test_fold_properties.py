"""The fold does not depend on arrival order: articles shuffled into days, with copies and late arrivals.

A fixed set of articles with known statements is split into days of arrival
in a random order (hypothesis), some arriving twice. Each day stores its
articles in a real SQLite file in one batch (`Store.add_articles`) and folds
the commitments they name from the earliest day they state
(`update_timeline` with a scope: the incremental fold a run does), and a
digest is recorded when there are alerts. At the
end the current statuses and the timeline that is not superseded must equal
those of storing everything at once.

`TRACKER_TEST_SHUFFLES=N` runs N examples (default 50).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from conftest import record_count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from tracker.config import Config
from tracker.extraction import ExtractedStatement
from tracker.pipeline import Context, current_statuses, update_timeline
from tracker.schema import Change
from tracker.sources import ArticleDraft

pytestmark = pytest.mark.system

SHUFFLES = int(os.environ.get("TRACKER_TEST_SHUFFLES", "50"))


@dataclass(frozen=True)
class Known:
    """An article and the statements it makes: (commitment, status, confidence)."""

    day: date
    slug: str
    says: tuple[tuple[str, str, float], ...]

    def draft(self) -> ArticleDraft:
        text = f"Report {self.slug}: " + " ".join(f"{c} is {s}." for c, s, _ in self.says)
        return ArticleDraft(
            title=f"Report {self.slug}",
            text=text,
            published=self.day,
            url=f"https://news.test/{self.slug}",
            source_name="News desk",
            origin="https://news.test/feed.xml",
        )

    def statements(self) -> list[ExtractedStatement]:
        return [
            ExtractedStatement(c, s, "both", f"{c} is {s}.", i, confidence, "test")
            for i, (c, s, confidence) in enumerate(self.says)
        ]


D = date
ARTICLES = [
    Known(D(2025, 1, 10), "flights-suspended", (("air-services", "suspended", 0.8),)),
    Known(D(2025, 1, 27), "flights-agreed", (("air-services", "agreed", 0.8), ("kailash-yatra", "agreed", 0.8))),
    # Two reports of one day that disagree: the day's changes collapse, the article order decides.
    Known(D(2025, 3, 3), "yatra-discussed", (("kailash-yatra", "under_discussion", 0.7),)),
    Known(D(2025, 3, 3), "yatra-stalled", (("kailash-yatra", "stalled", 0.7),)),
    Known(D(2025, 4, 12), "flights-date", (("air-services", "in_progress", 0.8), ("visas", "proposed", 0.6))),
    # Below the confidence threshold: shown, but does not set the level.
    Known(D(2025, 5, 1), "visas-rumour", (("visas", "implemented", 0.3),)),
    Known(D(2025, 6, 13), "visas-agreed", (("visas", "agreed", 0.8), ("air-services", "agreed", 0.8))),
    Known(D(2025, 6, 21), "yatra-resumed", (("kailash-yatra", "implemented", 0.9),)),
    Known(D(2025, 7, 2), "flights-stalled", (("air-services", "stalled", 0.7),)),
    Known(D(2025, 10, 26), "flights-flown", (("air-services", "implemented", 0.9),)),
]
AS_OF = D(2025, 12, 1)


@pytest.fixture(scope="module")
def empty_database() -> Iterator[Path]:
    """A database with the schema, made once and copied for every example."""
    folder = Path(tempfile.mkdtemp(prefix="fold-"))
    ctx = Context.open(_config(folder / "empty.db"))
    ctx.close()
    yield folder / "empty.db"
    shutil.rmtree(folder)


def _config(path: Path) -> Config:
    return Config(database_url=f"sqlite:///{path}", reports_dir=path.parent / "reports", use_seeds=False)


def _open(path: Path) -> Context:
    """The store on a throwaway file: no fsync per commit (what is tested is the fold, not durability)."""
    ctx = Context.open(_config(path))
    event.listen(ctx.store.engine, "connect", lambda dbapi, _record: dbapi.execute("PRAGMA synchronous = OFF"))
    return ctx


def _end(ctx: Context) -> tuple[dict[str, tuple[str, date]], list[tuple]]:
    statuses = {cid: (c.to_status, c.date) for cid, c in current_statuses(ctx.views).items()}
    with ctx.store.sessions() as session:
        rows = session.query(Change).filter(Change.superseded.is_(False)).all()
        timeline = sorted(
            (r.commitment_id, r.date, r.from_status, r.to_status, r.kind, r.statement.article.url) for r in rows
        )
    return statuses, timeline


def _arrive(ctx: Context, days: list[list[int]]) -> None:
    """Each day's articles stored in one batch, then folded from the earliest day they state, as a run does."""
    for number, arriving in enumerate(days):
        run_id = ctx.store.start_run("test", AS_OF)
        batch = [(ARTICLES[i].draft(), ARTICLES[i].statements()) for i in arriving]
        touched: dict[tuple[str, str], date] = {}
        relationship = ctx.catalogue.relationship_id
        for (draft, statements), article_id in zip(batch, ctx.store.add_articles(batch, run_id), strict=True):
            if article_id is None:
                continue
            for statement in statements:
                key = (relationship, statement.commitment_id)
                touched[key] = min(draft.published, touched.get(key, date.max))
        update_timeline(ctx, touched)
        ctx.store.mark_folded([run_id])
        alerts = ctx.views.pending_alerts()
        revisions = ctx.views.pending_revisions()
        if alerts or revisions:
            revised = [r.reported.id for r in revisions]
            ctx.store.record_digest(AS_OF, None, [a.id for a in alerts], [f"digest-{number}.json"], revised_ids=revised)


@st.composite
def arrivals(draw: st.DrawFn) -> list[list[int]]:
    """The articles in a random order, cut into 1 to 5 days, some arriving again on a later day."""
    order = draw(st.permutations(range(len(ARTICLES))))
    cuts = sorted(draw(st.sets(st.integers(1, len(order) - 1), max_size=4)))
    days = [list(order[a:b]) for a, b in zip([0, *cuts], [*cuts, len(order)], strict=True)]
    again = draw(st.lists(st.tuples(st.integers(0, len(ARTICLES) - 1), st.integers(0, 4)), max_size=4))
    for index, day in again:
        days[min(day, len(days) - 1)].append(index)
    return days


def test_all_at_once_is_the_reference(empty_database: Path, tmp_path: Path) -> None:
    # The fixed set moves every commitment more than once and supersedes nothing when read in date order.
    path = tmp_path / "once.db"
    shutil.copy(empty_database, path)
    ctx = _open(path)
    try:
        _arrive(ctx, [list(range(len(ARTICLES)))])
        statuses, timeline = _end(ctx)
    finally:
        ctx.close()
    assert statuses["air-services"][0] == "implemented" and statuses["kailash-yatra"][0] == "implemented"
    assert len(timeline) >= 8


@pytest.fixture(scope="module")
def reference(empty_database: Path) -> tuple[dict, list]:
    folder = Path(tempfile.mkdtemp(prefix="fold-ref-"))
    shutil.copy(empty_database, folder / "ref.db")
    ctx = _open(folder / "ref.db")
    try:
        _arrive(ctx, [list(range(len(ARTICLES)))])
        return _end(ctx)
    finally:
        ctx.close()
        shutil.rmtree(folder)


@settings(max_examples=SHUFFLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(days=arrivals())
def test_any_arrival_order_folds_to_the_same_statuses_and_timeline(
    empty_database: Path, reference: tuple[dict, list], days: list[list[int]]
) -> None:
    record_count("shuffles")
    folder = Path(tempfile.mkdtemp(prefix="fold-"))
    try:
        shutil.copy(empty_database, folder / "t.db")
        ctx = _open(folder / "t.db")
        try:
            _arrive(ctx, days)
            assert _end(ctx) == reference
        finally:
            ctx.close()
    finally:
        shutil.rmtree(folder)

"""The store: the tracker's database, read and written in one place.

Each topic is a mixin of its own module (migrations, the catalogue, runs,
sources, articles, the timeline, digests, analyst review, the outbox),
combined here as one `Store`; `StoreProtocol` is what the rest of the tracker
may ask of it, topic by topic. Rows go in, model types (`tracker.model`) come
out; the rules it applies are `tracker.timeline`'s. The tables themselves are
`tracker.schema`, which Alembic's migrations import alone.

Changes come out as `StoredChange`s with the articles that support them; how
sure each is (corroboration under the desk's policy) is `tracker.timeline`'s
to say, applied by the caller (`tracker.views`).
"""

from tracker.model import SourceKind, SourceSpec
from tracker.store._articles import ArticlesMixin
from tracker.store._catalogue import CatalogueMixin
from tracker.store._digests import DigestsMixin
from tracker.store._migrations import SCHEMA_HEAD, SchemaMixin, alembic_config
from tracker.store._outbox import OutboxMixin
from tracker.store._review import AlreadyReviewed, ReviewError, ReviewMixin
from tracker.store._rows import source_id, statement_row
from tracker.store._runs import RunsMixin
from tracker.store._sources import SourcesMixin
from tracker.store._timeline import TimelineMixin
from tracker.store.protocol import StoreProtocol


class Store(
    SchemaMixin,
    CatalogueMixin,
    RunsMixin,
    SourcesMixin,
    ArticlesMixin,
    TimelineMixin,
    DigestsMixin,
    ReviewMixin,
    OutboxMixin,
):
    """The tracker's database: one engine, short sessions, every query in one place."""


__all__ = [
    "SCHEMA_HEAD",
    "AlreadyReviewed",
    "ReviewError",
    "SourceKind",
    "SourceSpec",
    "Store",
    "StoreProtocol",
    "alembic_config",
    "source_id",
    "statement_row",
]


def _satisfies(store: Store) -> StoreProtocol:
    # mypy checks here that the combined store offers everything the protocol names.
    return store

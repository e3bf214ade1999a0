"""What one invocation works with: the configuration, the store, the catalogue; and why a database cannot be opened."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from urllib.parse import urlsplit

from tracker.catalogue import Catalogue, Lexicon, load_catalogues, load_lexicon
from tracker.config import Config, check_relationship_recipients
from tracker.days import Start
from tracker.store import Store
from tracker.timeline.corroboration import CorroborationPolicy
from tracker.views import Views


@dataclass(frozen=True)
class Context:
    """What one invocation works with: configuration, store and rules (the lexicon read when first needed)."""

    config: Config
    store: Store
    # Every relationship followed, one catalogue each (the configured order).
    catalogues: tuple[Catalogue, ...]
    # How sure the articles supporting a change make it, under the sources `open` settled on as official.
    policy: CorroborationPolicy

    @property
    def catalogue(self) -> Catalogue:
        """The first catalogue: the one relationship of a single-catalogue desk."""
        return self.catalogues[0]

    @property
    def start(self) -> Start:
        """The earliest day a followed relationship began: an article dated before every one is read as undated."""
        return min((catalogue.start for catalogue in self.catalogues), key=lambda start: start.day)

    @cached_property
    def views(self) -> Views:
        """The store's changes judged under `policy`: every reader of changes reads them here."""
        return Views(self.store, self.policy)

    @property
    def official_domains(self) -> tuple[str, ...]:
        """The domains `open` settled on: configured (else the catalogue's) and followed as official."""
        return self.config.official_domains or ()

    @cached_property
    def lexicon(self) -> Lexicon:
        # Compiling the cue patterns is most of opening; status, history and changes never read them.
        return load_lexicon(self.config.lexicon)

    @classmethod
    def open(cls, config: Config, create: bool = True, upgrade: bool = False) -> Context:
        """Open the store (creating an empty database's schema unless `create` is False) and the rules.

        With `create` False a database that does not exist, or holds no
        tracker tables, raises `NoDatabase` and nothing is created. A database
        at an older schema raises `OldSchema` unless `upgrade` (`tracker init`).
        """
        # A bad catalogue, or two claiming one relationship, stops the command before the database is touched.
        catalogues = load_catalogues(config.catalogues)
        check_relationship_recipients(config, [catalogue.relationship_id for catalogue in catalogues])
        store = Store(config.database_url, create=create)
        try:
            if not create and store.is_empty():
                raise NoDatabase(store.database_url)
            if store.schema_is_newer():
                raise NewerSchema(store.database_url, store.schema_revision() or "")
            if upgrade:
                # Upgrading over corrupted pages would report a sound database.
                problem = store.integrity_problem()
                if problem is not None:
                    raise DamagedDatabase(store.database_url, problem)
                store.upgrade()
            store.ensure_schema()
            if not store.schema_is_current():
                raise OldSchema(store.database_url)
            hosts = tuple(dict.fromkeys(host for catalogue in catalogues for host in catalogue.official_hosts))
            # The configuration's official feeds count from the first fold, before they are synced into the store.
            official = (
                (hosts if config.official_domains is None else config.official_domains)
                + configured_official_hosts(config)
                + tuple(store.official_hosts())
            )
            # One set for every question of whether a source is official (the fold, the digest's
            # corroboration and versions, history, the site): the configured domains (else the
            # catalogue's) and the sources followed as official.
            config = replace(config, official_domains=official)
            policy = CorroborationPolicy(official_domains=official, threshold=config.confidence_threshold)
            if create:
                for catalogue in catalogues:
                    store.sync_catalogue(catalogue)
        except BaseException:
            store.close()
            raise
        return cls(config, store, catalogues, policy)

    def close(self) -> None:
        self.store.close()


class NoDatabase(Exception):
    """A read-only command was pointed at a database that does not exist."""

    def __init__(self, database_url: str) -> None:
        super().__init__(database_url)
        self.database_url = database_url


class OldSchema(NoDatabase):
    """The database was made by an older tracker: `tracker init` upgrades it."""


def configured_official_hosts(config: Config) -> tuple[str, ...]:
    """The hosts of the feeds marked `official = true` in the configuration."""
    hosts = {urlsplit(feed.url).hostname for feed in config.feeds if feed.official}
    return tuple(sorted(h for h in hosts if h))


class NewerSchema(NoDatabase):
    """The database was made by a newer tracker: this one must neither use nor "upgrade" it."""

    def __init__(self, database_url: str, revision: str) -> None:
        super().__init__(database_url)
        self.revision = revision


class DamagedDatabase(NoDatabase):
    """The database file's own check fails (corrupted pages)."""

    def __init__(self, database_url: str, problem: str) -> None:
        super().__init__(database_url)
        self.problem = problem

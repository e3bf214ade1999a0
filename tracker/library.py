"""The library face: everything the tracker does, as calls that return model types and print nothing.

The command line, the scheduler and `tracker eval` go through `Tracker`; so
can a notebook or a web page ("the history of visas" is `history("visas")`).
A `Tracker` holds one open store (`Tracker.open`, or `Tracker.locked` for
what writes: one such caller per database at a time). Requests that cannot
be carried out raise `TrackerError`, whose text is one line to show as it is;
a database that cannot be opened raises what `Context.open` raises.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import replace
from datetime import date
from pathlib import Path
from types import TracebackType

from tracker import runlock
from tracker.catalogue import Catalogue, load_catalogue, load_lexicon
from tracker.config import Config
from tracker.fetching import has_secret, redact
from tracker.model import (
    ArticleDraft,
    ChangeView,
    DeliveryOutcome,
    DeliveryView,
    Explanation,
    FeedTrial,
    History,
    OpmlOutline,
    ReviewedArticle,
    ReviewKind,
    ReviewOutcome,
    RunRecord,
    SourceAdded,
    SourceKind,
    SourcesImported,
    SourceSpec,
    SourceView,
    StatementView,
    StatusBoard,
    StoredArticle,
    StoredDigest,
)
from tracker.pipeline import (
    Context,
    DamagedDatabase,
    NewerSchema,
    NoDatabase,
    OldSchema,
    Progress,
    RunReport,
    after_review,
    describe_failure,
    ingest_paths,
    run_cycle,
    run_worker,
    source_specs,
    store_articles,
    update_timeline,
)
from tracker.pipeline import try_feed as try_feed_once
from tracker.sanitize import strip_controls
from tracker.store import AlreadyReviewed, ReviewError, Store
from tracker.views import Views

Warn = Callable[[str], None]

# Besides its own: what opening a database raises (`NoDatabase` and its kinds), what `review` raises
# (a decision the store refuses, one already taken), and a run's failure said in one line.
__all__ = [
    "ROW_ID_MAX",
    "AlreadyReviewed",
    "CannotLock",
    "DamagedDatabase",
    "NewerSchema",
    "NoDatabase",
    "OldSchema",
    "ReviewError",
    "RunInProgress",
    "Tracker",
    "TrackerError",
    "describe_failure",
    "explain",
    "shown_url",
    "source_spec",
    "status_label",
    "try_feed",
]

# Ids are the databases' 64-bit integers: a larger number names nothing, and would not even reach a query.
ROW_ID_MAX = 2**63 - 1


class TrackerError(Exception):
    """A request the tracker cannot carry out; its text is one line, to be shown as it is."""


class RunInProgress(TrackerError):
    """Another run holds the database's run lock."""


class CannotLock(TrackerError):
    """The run lock could not be taken at all (no driver, no server, no folder): `cause` says why."""

    def __init__(self, database_url: str, cause: Exception) -> None:
        super().__init__(f"cannot lock the database {shown_url(database_url)}")
        self.database_url, self.cause = database_url, cause


def shown_url(database_url: str) -> str:
    """The database URL as it may be printed: without its password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return make_url(database_url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        return database_url


def status_label(status: str | None) -> str:
    return status.replace("_", " ") if status else "—"


class Tracker:
    """One open tracker database with its configuration and catalogue."""

    def __init__(self, context: Context) -> None:
        self.context = context

    @classmethod
    def open(cls, config: Config, create: bool = True, upgrade: bool = False) -> Tracker:
        """Open the configured database (see `Context.open`: `create` False makes nothing)."""
        return cls(Context.open(config, create=create, upgrade=upgrade))

    @classmethod
    @contextmanager
    def locked(cls, config: Config, command: str, shared: bool = False) -> Iterator[Tracker]:
        """The tracker for a command that writes, holding the run lock (`shared`: workers hold it together).

        Raises `RunInProgress` after `config.lock_wait` seconds, `CannotLock` when no lock can be taken.
        """
        from sqlalchemy.exc import SQLAlchemyError

        with ExitStack() as stack:
            try:
                stack.enter_context(runlock.run_lock(config.database_url, command, config.lock_wait, shared=shared))
            except runlock.LockBusy as exc:
                raise RunInProgress(
                    f"another run is in progress: {exc}; waited {config.lock_wait:g}s, not running"
                ) from None
            except (ImportError, SQLAlchemyError, OSError) as exc:
                raise CannotLock(config.database_url, exc) from exc
            with cls.open(config) as tracker:
                yield tracker

    def close(self) -> None:
        self.context.close()

    def __enter__(self) -> Tracker:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    @property
    def config(self) -> Config:
        return self.context.config

    @property
    def catalogue(self) -> Catalogue:
        return self.context.catalogue

    @property
    def store(self) -> Store:
        return self.context.store

    @property
    def views(self) -> Views:
        return self.context.views

    def check_permissions(self, warn: Warn) -> None:
        """An existing database left readable by others is made owner-only; a configuration holding secrets
        that others can read is named (it is the user's file: they choose its mode)."""
        from tracker.private import exposed, tighten

        config = self.config
        if config.database_url.startswith("sqlite:///"):
            database = Path(config.database_url.removeprefix("sqlite:///").split("?", 1)[0])
            was = tighten(database)
            if was is not None:
                warn(f"note: {database} was readable by others (mode {was:04o}); made readable by its owner only")
        if config.source and (any(has_secret(f.url) for f in config.feeds) or config.notify):
            mode = exposed(Path(config.source))
            if mode is not None:
                warn(
                    f"warning: {config.source} holds passwords or tokens and others can read it (mode {mode:04o});"
                    f" chmod 600 {config.source}"
                )

    def today(self) -> date:
        """A run's day by default: today in the configured time zone, the clock feeds are dated on too."""
        from tracker.days import today_in

        return today_in(self.config.timezone)

    # --- runs ---------------------------------------------------------------------------------

    def run(
        self,
        as_of: date | None = None,
        always: bool = False,
        dry_run: bool = False,
        progress: Progress | None = None,
        warn: Warn | None = None,
    ) -> RunReport:
        """One daily cycle (`pipeline.run_cycle`) for `as_of`, by default today."""
        return run_cycle(
            self.context, as_of or self.today(), always=always, progress=progress, warn=warn, dry_run=dry_run
        )

    def run_worker(self, owner: str, as_of: date | None = None, warn: Warn | None = None) -> RunReport:
        """One of several workers sharing a PostgreSQL database (`pipeline.run_worker`)."""
        return run_worker(self.context, as_of or self.today(), owner, warn=warn)

    def ingest(
        self,
        paths: Sequence[Path],
        as_of: date | None = None,
        progress: Progress | None = None,
        warn: Warn | None = None,
    ) -> RunReport:
        """Files, folders or feed files read, extracted and folded; no digest."""
        return ingest_paths(self.context, list(paths), as_of or self.today(), progress=progress, warn=warn)

    def ingest_drafts(self, drafts: Iterable[ArticleDraft], as_of: date, command: str = "eval") -> int:
        """Articles already read, stored and folded as of a day, under a run of `command`; returns new changes.

        No digest, no site, no run finished: what an evaluation feeds in day by day.
        """
        report = RunReport(run_id=self.store.start_run(command, as_of), as_of=as_of)
        store_articles(self.context, drafts, as_of, report)
        return update_timeline(self.context, report.touched)

    def runs(self, limit: int = 10) -> list[RunRecord]:
        """The recent runs, newest first, each with the state to show.

        A run killed, or cut off from its database server, cannot record its end; the next run marks
        it interrupted. Until then the free run lock says it: no run can be live without holding it.
        """
        from sqlalchemy.exc import SQLAlchemyError

        rows = self.store.runs(limit)
        dead: set[int] = set()
        if any(row.state == "running" for row in rows):
            lock = runlock.run_lock(self.config.database_url, "runs", 0)
            with suppress(runlock.LockBusy, SQLAlchemyError, OSError), lock:
                rows = self.store.runs(limit)  # read again under the lock: one that just finished is finished
                dead = {row.id for row in rows if row.state == "running"}
        return [
            replace(
                row,
                state="interrupted"
                if row.id in dead
                else row.state or ("finished" if row.finished_at else "interrupted"),
            )
            for row in rows
        ]

    # --- the timeline -------------------------------------------------------------------------

    @property
    def catalogues(self) -> tuple[Catalogue, ...]:
        """Every relationship followed, one catalogue each, in the configured order."""
        return self.context.catalogues

    def catalogue_of(self, relationship_id: str | None) -> Catalogue:
        """A relationship's catalogue (None: the first); `TrackerError` naming those followed when there is none."""
        if relationship_id is None:
            return self.catalogue
        for catalogue in self.catalogues:
            if catalogue.relationship_id == relationship_id:
                return catalogue
        followed = ", ".join(c.relationship_id for c in self.catalogues)
        raise TrackerError(f"unknown relationship {relationship_id!r}; followed: {followed}")

    def resolve(self, name: str) -> tuple[Catalogue, str]:
        """A commitment named by its id, or by REL/ID: its relationship's catalogue and its id.

        `TrackerError` for an unknown one, and for a bare id that several relationships track.
        """
        relationship_id, _, commitment_id = name.rpartition("/")
        if relationship_id:
            catalogue = self.catalogue_of(relationship_id)
            if catalogue.get(commitment_id) is None:
                known = ", ".join(catalogue.ids)
                raise TrackerError(f"unknown commitment {commitment_id!r} of {relationship_id}; known: {known}")
            return catalogue, commitment_id
        owners = [c for c in self.catalogues if c.get(commitment_id) is not None]
        if len(owners) > 1:
            named = " and ".join(c.relationship_id for c in owners)
            example = f"{owners[0].relationship_id}/{commitment_id}"
            raise TrackerError(f"commitment {commitment_id!r} is tracked by {named}: name one, as {example}")
        if not owners:
            if len(self.catalogues) == 1:
                known = ", ".join(self.catalogue.ids)
            else:
                known = ", ".join(f"{c.relationship_id}/{cid}" for c in self.catalogues for cid in c.ids)
            raise TrackerError(f"unknown commitment {commitment_id!r}; known: {known}")
        return owners[0], commitment_id

    def status(self, relationship_id: str | None = None) -> StatusBoard:
        """Where every commitment of a relationship (None: the first) stands and since when (without sources)."""
        catalogue = self.catalogue_of(relationship_id)
        latest = self.views.current_statuses(corroborated=False, relationship_id=catalogue.relationship_id)
        return StatusBoard(tuple((c.id, c.title) for c in catalogue.commitments), latest)

    def current_statuses(self, corroborated: bool = True, until: date | None = None) -> dict[str, ChangeView]:
        return self.views.current_statuses(corroborated, until, self.catalogue.relationship_id)

    def changes(
        self,
        since: date | None = None,
        limit: int | None = None,
        commitment_id: str | None = None,
        relationship_id: str | None = None,
    ) -> list[ChangeView]:
        """Status changes, oldest first, each judged under the desk's corroboration policy.

        `commitment_id` may be REL/ID; `relationship_id` keeps one relationship's changes.
        """
        if relationship_id is not None:
            self.catalogue_of(relationship_id)
        if commitment_id is not None:
            catalogue, commitment_id = self.resolve(commitment_id)
            relationship_id = catalogue.relationship_id
        return self.views.changes(
            since=since, commitment_id=commitment_id, limit=limit, relationship_id=relationship_id
        )

    def statements(self) -> list[StatementView]:
        return self.store.statements()

    def commitment_title(self, commitment_id: str) -> str:
        """The catalogue's title of a commitment (its id or REL/ID); `TrackerError` naming the known ids when there
        is none, or the relationships when a bare id is ambiguous."""
        catalogue, commitment_id = self.resolve(commitment_id)
        commitment = catalogue.get(commitment_id)
        assert commitment is not None  # resolve found it
        return commitment.title

    def history(self, commitment_id: str, since: date | None = None, limit: int | None = None) -> History:
        """One commitment's statements and changes (the newest `limit` of each), its divergences and reviews."""
        from tracker.timeline.versions import divergences

        title = self.commitment_title(commitment_id)
        catalogue, commitment_id = self.resolve(commitment_id)
        rid = catalogue.relationship_id
        statements = self.store.statements(commitment_id, since=since, limit=limit, relationship_id=rid)
        changes = self.views.changes(since=since, commitment_id=commitment_id, limit=limit, relationship_id=rid)
        earlier = (
            self.store.count_statements(commitment_id, since=since, relationship_id=rid) - len(statements)
            if limit
            else 0
        )
        found = divergences(statements, catalogue, self.context.official_domains)
        reviews = self.store.reviews(commitment_id, relationship_id=rid)
        return History(commitment_id, title, tuple(statements), tuple(changes), tuple(found), tuple(reviews), earlier)

    def stored_article(self, key: str) -> StoredArticle | None:
        """A stored article by its # or its URL (None: no such article)."""
        key = key.strip()
        beyond = key.isdigit() and not (key.isascii() and int(key) <= ROW_ID_MAX)  # names no row; not a URL either
        return None if beyond else self.store.stored_article(key)

    # --- review -------------------------------------------------------------------------------

    def awaiting_review(self, limit: int = 20, relationship_id: str | None = None) -> list[ChangeView]:
        """Current changes no analyst has confirmed or rejected, newest first; of one relationship if named
        (`TrackerError` for one not followed)."""
        if relationship_id is not None:
            self.catalogue_of(relationship_id)
        return self.views.awaiting_review(limit, relationship_id)

    def reviewer(self, by: str | None) -> str:
        """Who decides: `by`, else the configured reviewer, else the login name."""
        import getpass

        name = by or self.config.reviewer
        if not name:
            try:
                name = getpass.getuser()
            except (KeyError, OSError):
                name = ""
        if not name.strip():
            raise TrackerError("who is reviewing? give --by NAME or set reviewer in the configuration")
        return strip_controls(name).strip()

    def review(self, kind: ReviewKind, change_id: int, by: str | None, note: str = "") -> ReviewOutcome:
        """Confirm or reject a change, then fold its commitment again (raises the store's `ReviewError`s)."""
        decision = self.store.review_change(kind, change_id, self.reviewer(by), note)
        return ReviewOutcome(decision, after_review(self.context, decision.commitment))

    def set_status(self, commitment_id: str, status: str, day: date, by: str | None, note: str) -> ReviewOutcome:
        """An analyst's statement that a commitment stands at `status` from `day`, folded as any other."""
        from tracker.timeline.fold import next_status

        catalogue, bare_id = self.resolve(commitment_id)
        rid = catalogue.relationship_id
        current = self.views.current_statuses(corroborated=False, relationship_id=rid).get(bare_id)
        if current is not None and current.date <= day and next_status(current.to_status, status) is None:
            # Folded by the rules of change it would be a reaffirmation: stored, it would change nothing.
            same = current.to_status == status
            raise TrackerError(
                f"{commitment_id} stands at {status_label(current.to_status)} since {current.date}"
                f" (change #{current.id}); setting {status_label(status)} "
                + ("restates it" if same else "below it on the ladder would be a reaffirmation")
                + " and changes nothing. "
                + (
                    f"To confirm it: tracker review confirm {current.id}"
                    if same
                    else f"To lower it, reject the change that raised it: tracker review reject {current.id} --note ..."
                )
            )
        decision = self.store.review_set(bare_id, status, day, self.reviewer(by), note, relationship_id=rid)
        return ReviewOutcome(decision, after_review(self.context, decision.commitment))

    def reviewed_articles(self) -> list[ReviewedArticle]:
        return self.store.reviewed_articles()

    # --- export -------------------------------------------------------------------------------

    def export(self, what: str, fmt: str, relationship_id: str | None = None) -> str:
        """Commitments, statements, changes or reviews as JSON or CSV (formula-like cells neutralised), of every
        relationship or of one."""
        from tracker.terminal.export import export

        catalogues = self.catalogues if relationship_id is None else (self.catalogue_of(relationship_id),)
        return export(self.views, catalogues, what, fmt, relationship_id)

    # --- digests and their delivery ----------------------------------------------------------

    def digest(self, digest_id: int | None = None) -> StoredDigest:
        """A stored digest with its content (the latest without an id)."""
        stored = self.store.stored_digest(digest_id)
        if stored is None:
            raise TrackerError("no digest recorded yet" if digest_id is None else f"no digest #{digest_id}")
        if stored.payload is None:
            raise TrackerError(f"digest #{stored.id} was recorded before digests kept their content")
        return stored

    def digest_section(self, stored: StoredDigest, relationship_id: str) -> dict:
        """One relationship's part of a stored digest, shaped as a digest of its own (what its recipients get).

        `TrackerError` for a relationship not followed, or one the digest has no section of.
        """
        from tracker.digest import section_digest, section_of, sections_of

        self.catalogue_of(relationship_id)
        assert stored.payload is not None
        found = section_of(stored.payload, relationship_id)
        older = sections_of(stored.payload)[0]
        if found is None and older.get("relationship_id") is None and relationship_id == self.catalogue.relationship_id:
            # A digest stored before sections was the first relationship's alone.
            found = older
        if found is None:
            raise TrackerError(f"digest #{stored.id} has no section of {relationship_id}")
        return section_digest(stored.payload, found)

    def deliver(
        self, dry_run: bool = False, resend: Sequence[int] = (), warn: Warn | None = None
    ) -> list[DeliveryOutcome]:
        """Every queued or failed delivery now, after queueing the `resend` ones again."""
        from tracker.delivery import deliver

        known = {d.id for d in self.store.deliveries()}
        for delivery_id in resend:
            if delivery_id not in known:
                raise TrackerError(f"no delivery #{delivery_id}; see tracker outbox")
            self.store.requeue(delivery_id)
        return deliver(self.store, self.config, dry_run=dry_run, retry_failed=True, warn=warn or (lambda _m: None))

    def outbox(self, states: Sequence[str] = ()) -> list[DeliveryView]:
        return self.store.deliveries(list(states) or None)

    def test_send(self, channel: str | None = None) -> list[tuple[str, bool, str]]:
        """A sample digest (from the current timeline) through each configured channel, or `channel`."""
        from tracker.delivery import test_send, testable_kinds
        from tracker.digest import RelationshipPart, build_desk_digest
        from tracker.model import RunCounts

        parts = []
        for catalogue in self.catalogues:
            current = self.views.current_statuses(relationship_id=catalogue.relationship_id)
            parts.append(RelationshipPart(catalogue, current, list(current.values())[:3]))
        sample = build_desk_digest(parts, date.today(), None, RunCounts(0, 0, 0))
        # Bare: every configured channel, and only those (a desk with email alone has no notify to fail).
        configured = testable_kinds(self.config, self.store)
        if channel is None and not configured:
            raise TrackerError(
                "no channel configured: add an [email] table or notify = [...] Apprise URLs to the configuration"
            )
        chosen = [channel] if channel else configured
        return [r for name in chosen for r in test_send(self.config, self.store, name, sample)]

    # --- sources ------------------------------------------------------------------------------

    def sources(self) -> list[SourceView]:
        """The followed feeds and folders, the configuration's among them."""
        self.store.sync_config_sources(source_specs(self.config), [str(p) for p in self.config.folders])
        return self.store.subscriptions()

    def add_source(self, spec: SourceSpec, trial: FeedTrial | None = None) -> SourceAdded:
        view, created = self.store.add_source(spec)
        return SourceAdded(view, created, trial)

    def remove_source(self, key: str) -> SourceView:
        """Stop following a source named by its number, URL or name; its articles stay."""
        found = self.store.find_source(key)
        if found is None:
            raise TrackerError(f"no followed source {key!r}; see `tracker sources list`")
        if found.from_config and found.enabled:
            raise TrackerError(f"{found.location} is in the configuration file {self.config.source}; remove it there")
        self.store.remove_source(str(found.id))
        return found

    def import_sources(self, outlines: Sequence[OpmlOutline], where: str, warn: Warn) -> SourcesImported:
        """Follow the feeds of an OPML file's outlines; one whose URL carries a secret is refused."""
        added = known = refused = 0
        for outline in outlines:
            if has_secret(outline.url):
                refused += 1
                warn(f"warning: {where}: {redact(outline.url)} carries a secret; put it in the configuration file")
                continue
            spec = SourceSpec(SourceKind.FEED, outline.url, outline.title or outline.url, named=bool(outline.title))
            _, created = self.store.add_source(spec)
            added, known = added + created, known + (not created)
        return SourcesImported(added, known, refused)


def source_spec(url: str, name: str | None, official: bool, full_text: bool | None) -> SourceSpec:
    """A source to follow: an http(s) feed (never one whose URL carries a secret) or a folder that exists."""
    if url.startswith(("http://", "https://")):
        if has_secret(url):
            raise TrackerError(
                f"{redact(url)}: this URL carries a secret, which the database would keep in clear;"
                " put the feed in the configuration file (feeds = [{ url = ..., username = ..., password = ... }])"
            )
        kind, location = SourceKind.FEED, url
    else:
        path = Path(url).expanduser()
        if not path.is_dir():
            raise TrackerError(f"{url}: neither an http(s) feed URL nor a folder")
        kind, location = SourceKind.FOLDER, str(path.resolve())
        name = name or path.resolve().name
    return SourceSpec(kind, location, name or location, official, full_text, named=name is not None)


def try_feed(config: Config, url: str) -> FeedTrial:
    """Fetch a feed once under the configured limits and say what came back; nothing is stored."""
    return try_feed_once(config, url)


def explain(config: Config, text: str, published: date | None = None, title: str = "") -> Explanation:
    """What the reader takes from a text read on `published` (default today), and why it leaves the rest.

    Needs no database: the configured catalogue and lexicon alone.
    """
    from tracker.extraction import Rejection, extract_statements

    catalogue, lexicon = load_catalogue(config.catalogue), load_lexicon(config.lexicon)
    rejections: list[Rejection] = []
    statements = extract_statements(
        text,
        published or date.today(),
        catalogue,
        lexicon,
        title=title,
        rejections=rejections,
        nlp_model=config.nlp_model,
    )
    taken = {(s.commitment_id, s.sentence_index) for s in statements}
    not_taken = [r for r in rejections if (r.commitment_id, r.sentence_index) not in taken]
    return Explanation(tuple(statements), tuple(not_taken), bool(statements or rejections))

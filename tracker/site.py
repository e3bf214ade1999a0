"""The static site: an index, a page per commitment and a page per digest, from stored data.

Written at the end of every run into `site_dir` (default `reports/site/`): plain
HTML files with their style inline and their charts as inline SVG, so the site
opens from disk and can be hosted anywhere. Article text is escaped by the
templates' autoescape; only http(s) URLs become links.

Deciding what to draw (`chart`, `strip`, `timeline_days`) is pure; `write_site`
reads the store and writes the files.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from markupsafe import Markup

from tracker.catalogue import NEGATIVE_STATUSES, POSITIVE_LADDER, Catalogue
from tracker.digest import desk_title, relationship_folder, template_environment
from tracker.faults import checkpoint
from tracker.model import REVIEW_RULE, ChangeView, CommitmentKey, Divergence, StatementView
from tracker.private import make_dirs, write_private
from tracker.sanitize import strip_controls
from tracker.timeline.versions import divergences, government_of
from tracker.views import Views

# Top to bottom on the chart: the ladder from its top, then the setbacks.
LEVELS: tuple[str, ...] = (*reversed(POSITIVE_LADDER), "stalled", "suspended")


def level_of(status: str) -> int:
    return LEVELS.index(status) if status in LEVELS else len(LEVELS) - 1


# --- the step chart -----------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    x1: float
    x2: float
    y: float
    status: str
    setback: bool
    start: str
    end: str


@dataclass(frozen=True)
class Riser:
    x: float
    y1: float
    y2: float
    setback: bool


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    status: str
    date: str
    move: str
    confirmed: bool
    setback: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    top: int
    row: int
    levels: tuple[tuple[str, float], ...]
    ticks: tuple[tuple[str, float, str], ...]
    segments: tuple[Segment, ...]
    risers: tuple[Riser, ...]
    points: tuple[Point, ...]
    summary: str

    @property
    def right(self) -> int:
        return self.width - 20

    @property
    def bottom(self) -> float:
        return self.top + self.row * (len(self.levels) - 1)


def _label(status: str | None) -> str:
    return status.replace("_", " ") if status else "not yet known"


def _x(day: date, start: date, end: date, left: float, right: float) -> float:
    span = max((end - start).days, 1)
    return round(left + (right - left) * (day - start).days / span, 1)


def chart(changes: Sequence[ChangeView], end: date, width: int = 760, row: int = 26) -> Chart:
    """A commitment's status over time as a step chart of the ladder.

    Each change is a point (hollow when unconfirmed); the status holds as a
    level line until the next change, drawn in the warning colour while it is
    a setback; `end` is where the last level line stops (the day of the site).
    """
    left, top = 130, 16
    height = top + row * (len(LEVELS) - 1) + 40
    right = width - 20
    ordered = sorted(changes, key=lambda c: (c.date, c.id))
    start = ordered[0].date if ordered else end
    end = max(end, ordered[-1].date) if ordered else end
    levels = tuple((status, top + row * i) for i, status in enumerate(LEVELS))

    def y(status: str) -> float:
        return top + row * level_of(status)

    segments: list[Segment] = []
    risers: list[Riser] = []
    points: list[Point] = []
    for index, change in enumerate(ordered):
        x = _x(change.date, start, end, left, right)
        following = ordered[index + 1].date if index + 1 < len(ordered) else end
        x2 = _x(following, start, end, left, right)
        negative = change.to_status in NEGATIVE_STATUSES
        if change.from_status is not None and index:
            risers.append(Riser(x, y(change.from_status), y(change.to_status), negative))
        level = y(change.to_status)
        segments.append(
            Segment(x, x2, level, change.to_status, negative, change.date.isoformat(), following.isoformat())
        )
        move = f"{_label(change.from_status) if change.from_status else 'first report'} → {_label(change.to_status)}"
        points.append(
            Point(x, y(change.to_status), change.to_status, change.date.isoformat(), move, change.confirmed, negative)
        )
    ticks = _ticks(start, end, left, right) if ordered else ()
    if ordered:
        summary = "; ".join(f"{p.date}: {p.move}{'' if p.confirmed else ' (unconfirmed)'}" for p in points)
    else:
        summary = "no status reported yet"
    return Chart(width, height, left, top, row, levels, ticks, tuple(segments), tuple(risers), tuple(points), summary)


def _ticks(start: date, end: date, left: float, right: float) -> tuple[tuple[str, float, str], ...]:
    """Month ticks (every few months on a long span), the start and end days on a short one.

    Each is (label, x, text anchor): a label at either end is anchored inward, so the
    chart's edge does not clip it.
    """
    months = (end.year - start.year) * 12 + end.month - start.month
    if months < 2:
        first = (start.isoformat(), left, "start")
        return (first, (end.isoformat(), right, "end")) if start != end else (first,)
    step = max(1, -(-months // 6))
    ticks = []
    year, month = start.year, start.month
    while True:
        month += step
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
        day = date(year, month, 1)
        if day > end:
            break
        x = _x(day, start, end, left, right)
        # A label is some 50 units wide: centred within 30 of the right edge, it would run past it.
        ticks.append((day.strftime("%b %Y"), x, "end" if x > right - 30 else "middle"))
    return tuple(ticks)


@dataclass(frozen=True)
class StripPart:
    x: float
    width: float
    status: str
    start: str
    end: str


def strip(changes: Sequence[ChangeView], start: date, end: date, width: int = 160) -> tuple[StripPart, ...]:
    """The index's small strip: one bar per status held, over a common span of time."""
    ordered = sorted(changes, key=lambda c: (c.date, c.id))
    parts = []
    for index, change in enumerate(ordered):
        following = ordered[index + 1].date if index + 1 < len(ordered) else end
        x1, x2 = _x(change.date, start, end, 0, width), _x(following, start, end, 0, width)
        parts.append(
            StripPart(x1, max(round(x2 - x1, 1), 2.0), change.to_status, change.date.isoformat(), following.isoformat())
        )
    return tuple(parts)


# --- the statements of a commitment, day by day ---------------------------------------------


@dataclass
class StatusGroup:
    """The statements of one day that state one status: corroborating sources together."""

    status: str
    statements: list[StatementView] = field(default_factory=list)
    change: ChangeView | None = None


@dataclass
class Day:
    date: date
    groups: list[StatusGroup] = field(default_factory=list)
    divergences: list[Divergence] = field(default_factory=list)

    @property
    def change(self) -> ChangeView | None:
        return next((g.change for g in self.groups if g.change is not None), None)


def timeline_days(
    statements: Sequence[StatementView], changes: Sequence[ChangeView], found: Sequence[Divergence]
) -> list[Day]:
    """Newest day first; within a day, the status that changed first, then by number of sources."""
    days: dict[date, Day] = {}
    for statement in statements:
        day = days.setdefault(statement.date, Day(statement.date))
        group = next((g for g in day.groups if g.status == statement.status), None)
        if group is None:
            group = StatusGroup(statement.status)
            day.groups.append(group)
        group.statements.append(statement)
    for change in changes:
        day = days.setdefault(change.date, Day(change.date))
        group = next((g for g in day.groups if g.status == change.to_status), None)
        if group is None:
            group = StatusGroup(change.to_status)
            day.groups.append(group)
        group.change = change
    for divergence in found:
        if divergence.date in days:
            days[divergence.date].divergences.append(divergence)
    for day in days.values():
        day.groups.sort(key=lambda g: (g.change is None, -len(g.statements)))
    return sorted(days.values(), key=lambda d: d.date, reverse=True)


# --- writing it -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestLink:
    id: int
    as_of: date
    since: date | None
    change_count: int
    page: str
    files: tuple[tuple[str, str], ...]  # (kind, href from the digest's page)
    index_files: tuple[tuple[str, str], ...] = ()  # (kind, href from the index)


def _clean(value: object) -> object:
    """Every string printed into a page loses its control characters (markup from macros is ours)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return strip_controls(value)
    return value


_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
# Statements a commitment's page lists (the newest); `tracker history --all` has every one.
PAGE_STATEMENTS = 200
# What the site remembers between runs: which pages it wrote for which catalogue, and their divergence flags.
STATE_FILE = ".tracker-site.json"


def _read_state(site_dir: Path) -> dict:
    try:
        state = json.loads((site_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _write_state(site_dir: Path, state: dict) -> None:
    path = site_dir / STATE_FILE
    partial = path.with_suffix(".partial")
    write_private(partial, json.dumps(state, sort_keys=True))
    partial.replace(path)


def forget_site_state(site_dir: Path) -> None:
    """Drop what the site remembers (best effort), so the next write is of every page.

    After a write that failed part way, which pages are current is unknown.
    """
    # A folder that cannot be written cannot lose its state either; its pending list stands.
    with contextlib.suppress(OSError):
        (site_dir / STATE_FILE).unlink(missing_ok=True)


def mark_pages_pending(site_dir: Path, commitments: Collection[str]) -> None:
    """Name commitments whose pages the next site write must include, whatever that run folds itself.

    Called before a fold is marked done: a run killed before it writes the
    site leaves those pages to the next run instead of stale.
    """
    if not commitments:
        return
    state = _read_state(site_dir)
    make_dirs(site_dir)
    _write_state(site_dir, state | {"pending": sorted(set(state.get("pending", [])) | set(commitments))})


def _relative(target: Path, base: Path) -> str:
    return Path(os.path.relpath(target.resolve(), base.resolve())).as_posix()


def _page_keys(catalogues: Sequence[Catalogue], named: Collection[str | CommitmentKey]) -> set[CommitmentKey]:
    """The pages named: (relationship, id), `relationship/id`, or a bare id (that id in every relationship)."""
    keys: set[CommitmentKey] = set()
    for item in named:
        if isinstance(item, tuple):
            keys.add(item)
            continue
        relationship_id, _, commitment_id = item.rpartition("/")
        keys |= {
            (c.relationship_id, commitment_id)
            for c in catalogues
            if commitment_id in c.ids and relationship_id in ("", c.relationship_id)
        }
    return keys


def page_key(key: CommitmentKey) -> str:
    """A commitment as the site's state and a run's pending pages name it: `relationship/id`."""
    return f"{key[0]}/{key[1]}"


@dataclass(frozen=True)
class RelationshipPages:
    """One relationship's part of the site: the first's pages at the top, the others' under their own folder."""

    catalogue: Catalogue
    folder: str

    @property
    def relationship_id(self) -> str:
        return self.catalogue.relationship_id


def write_site(
    views: Views,
    catalogues: Catalogue | Sequence[Catalogue],
    site_dir: Path,
    reports_dir: Path,
    templates_dir: Path | None = None,
    as_of: date | None = None,
    now: datetime | None = None,
    commitments: Collection[str | CommitmentKey] | None = None,
) -> list[Path]:
    """Write the site from what is stored; returns the files written.

    `as_of` is the day the charts run to (the run's day, default today's);
    `now` is the time the footer gives. With `commitments` (those a run's
    articles stated about, see `_page_keys`) only their pages, the index and
    digest pages not yet written are written; the others stand as they were.
    A site not yet written, or written for other catalogues, is written whole.
    With several relationships the first keeps its pages where a desk of it alone
    has them (`commitments/<id>.html`), so links stand; each other's are under
    `relationships/<id>/`, since two relationships may track one commitment id.
    """
    followed = (catalogues,) if isinstance(catalogues, Catalogue) else tuple(catalogues)
    parts = [
        RelationshipPages(c, "" if i == 0 else relationship_folder(c.relationship_id) + "/")
        for i, c in enumerate(followed)
    ]
    now = now or datetime.now(UTC)
    today = as_of or now.date()
    store, policy = views.store, views.policy
    for commitment in (commitment for catalogue in followed for commitment in catalogue.commitments):
        # An id names a page file: `../../x` would write outside the site.
        if not _SLUG.fullmatch(commitment.id):
            raise ValueError(
                f"catalogue id {commitment.id!r} is not a slug (letters, digits, '-' and '_'); the site is not written"
            )
    # An environment of the site's own: set on the shared one, `finalize` would reach every template the
    # process compiles afterwards (a later digest's Markdown and email came out one line per change).
    env = template_environment(templates_dir, finalize=_clean)
    state = _read_state(site_dir)
    every_key = [(c.relationship_id, cid) for c in followed for cid in c.ids]
    ids = [page_key(key) for key in every_key]
    # No site yet, or one for other catalogues: every page.
    whole = commitments is None or state.get("commitments") != ids
    pages = set(every_key) if whole or commitments is None else _page_keys(followed, commitments)
    # Pages a run was stopped before writing are written by the next one; the state says which they are.
    pages |= _page_keys(followed, state.get("pending", []))
    pages &= set(every_key)
    divergent: dict[str, bool] = dict(state.get("divergent", {}))
    # The index needs each commitment's changes (not their supporting sources) and its current status.
    changes = views.changes(corroborated=False)
    latest = {(view.relationship_id, view.commitment_id): view for view in views.current_changes()}
    by_commitment: dict[CommitmentKey, list[ChangeView]] = {}
    for change in changes:
        by_commitment.setdefault((change.relationship_id, change.commitment_id), []).append(change)
    first_day = min((c.date for c in changes), default=today)
    end = max([today, *(c.date for c in changes)])

    for part in parts:
        make_dirs(site_dir / part.folder / "commitments")
    make_dirs(site_dir / "digests")
    _write_state(site_dir, state | {"pending": sorted(page_key(key) for key in pages)})
    digests = []
    for row in store.digests():
        present = [Path(name) for name in row.file_names if Path(name).exists()]
        files = tuple((p.suffix.lstrip(".").upper(), _relative(p, site_dir / "digests")) for p in present)
        from_index = tuple((p.suffix.lstrip(".").upper(), _relative(p, site_dir)) for p in present)
        digests.append(
            DigestLink(row.id, row.as_of, row.since, row.change_count, f"digests/{row.id}.html", files, from_index)
        )
    feeds = sorted({p for folder in (reports_dir, site_dir) if folder.is_dir() for p in folder.glob("*.atom")}, key=str)
    feed_links = [_relative(p, site_dir) for p in feeds]
    desk = {
        "relationship": desk_title([c.relationship_title for c in followed]),
        # Every relationship's sides: a desk's pages name each change's actor, whichever pair it is of.
        "sides": {actor: label for c in reversed(followed) for actor, label in c.labels.items()},
    }
    common = {
        "generated_at": now.isoformat(timespec="seconds"),
        "negative": sorted(NEGATIVE_STATUSES),
        "ladder": list(POSITIVE_LADDER),
    }
    written = []

    def write(relative: str, template: str, **values: object) -> None:
        depth = relative.count("/")
        html = env.get_template(template).render(root="../" * depth, **common, **values)
        path = site_dir / relative
        # Beside the page, then renamed over it: a run stopped mid-write leaves the old page, never half of one.
        temporary = path.with_name(f".{path.name}.tmp")
        write_private(temporary, html if html.endswith("\n") else html + "\n")
        os.replace(temporary, path)
        checkpoint("site.page")
        written.append(path)

    groups = []
    for part in parts:
        catalogue, rid = part.catalogue, part.relationship_id
        own_frame = {"relationship": catalogue.relationship_title, "sides": catalogue.labels}
        for commitment in catalogue.commitments:
            key = (rid, commitment.id)
            if key not in pages:
                continue
            # A page shows the newest statements: what it costs to write stays the same as the archive grows.
            own_statements = store.statements(commitment.id, limit=PAGE_STATEMENTS, relationship_id=rid)
            earlier = store.count_statements(commitment.id, relationship_id=rid) - len(own_statements)
            # The chart draws every change; the days listed (those of the statements shown) show each
            # change's supporting sources, gathered for those days only.
            every = by_commitment.get(key, [])
            shown_from = own_statements[0].date if own_statements and earlier > 0 else None
            listed = views.changes(since=shown_from, commitment_id=commitment.id, relationship_id=rid)
            own = [c for c in every if shown_from is not None and c.date < shown_from] + listed
            own_found = divergences(own_statements, catalogue, policy.official_domains)
            divergent[page_key(key)] = bool(own_found)
            own_reviews = store.reviews(commitment.id, relationship_id=rid)
            write(
                f"{part.folder}commitments/{commitment.id}.html",
                "site/commitment.html.j2",
                **own_frame,
                commitment=commitment,
                latest=latest.get(key),
                chart=chart(own, end),
                days=timeline_days(own_statements, listed, own_found),
                divergences=own_found,
                government=lambda s, catalogue=catalogue: government_of(s, catalogue, policy.official_domains),
                reviews=own_reviews,
                rejected={r.article_url: r for r in own_reviews if r.kind == "reject"},
                decided={r.change_id: r for r in own_reviews if r.change_id is not None},
                review_rule=REVIEW_RULE,
                earlier=earlier,
                shown=len(own_statements),
            )
        rows = [
            {
                "commitment": commitment,
                "page": f"{part.folder}commitments/{commitment.id}.html",
                "latest": latest.get((rid, commitment.id)),
                "strip": strip(by_commitment.get((rid, commitment.id), []), first_day, end),
                "divergent": divergent.get(page_key((rid, commitment.id)), False),
            }
            for commitment in catalogue.commitments
        ]
        groups.append({"id": rid, "title": catalogue.relationship_title, "sides": catalogue.labels, "rows": rows})
    write(
        "index.html",
        "site/index.html.j2",
        **desk,
        groups=groups,
        digests=list(reversed(digests)),
        feeds=feed_links,
        span=(first_day.isoformat(), end.isoformat()),
    )
    newest = max((link.id for link in digests), default=None)
    every_review = store.reviews()
    last_review = max((r.id for r in every_review), default=0)
    # Each change's latest decision (reviews come oldest first), shown beside what the digest reported.
    decided = {r.change_id: r for r in every_review if r.change_id is not None}
    reviewed_since = last_review > state.get("last_review", 0)
    folders = {part.relationship_id: part.folder for part in parts}
    for link in digests:
        # A digest's page is written once (and the newest again, and all after a review):
        # what it reported does not change, only what analysts have said of it since.
        if not whole and not reviewed_since and link.id != newest and (site_dir / link.page).exists():
            continue
        write(
            link.page,
            "site/digest.html.j2",
            **desk,
            digest=link,
            changes=views.digest_changes(link.id),
            titles={(c.relationship_id, cm.id): cm.title for c in followed for cm in c.commitments},
            # A change stored before relationships, or of one no longer followed: the first's pages.
            folders=folders,
            decided=decided,
        )
    _write_state(site_dir, {"commitments": ids, "divergent": divergent, "last_review": last_review})
    return written

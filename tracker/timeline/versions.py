"""Each government's version: where the two sides' official word on one commitment differs.

Pure: statements in, divergences out. A statement is a government's version when
it comes from that government's official site (one of its side's `official_hosts`,
a host under its `government_domains`, or a source configured as official under its
country's domain) or names that government as its speaker (one of its side's
`speakers`: "…, the Ministry said"). Two versions of the same days (at most a day
apart, for the time zones and a readout published next morning) that give the
commitment different statuses are a divergence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tracker.catalogue import Catalogue, Side
from tracker.model import Divergence, StatementView
from tracker.timeline.official import is_official

WINDOW_DAYS = 1


def _speaks_for(side: Side, url: str, official_domains: Sequence[str]) -> bool:
    """Whether a source's address is this side's government's site."""
    own = [*side.official_hosts, *side.government_domains]
    suffixes = tuple("." + c for c in side.country_domains)
    configured = [d for d in official_domains if suffixes and d.endswith(suffixes)]
    return is_official(url, own) or is_official(url, configured)


def government_of(statement: StatementView, catalogue: Catalogue, official_domains: Sequence[str] = ()) -> str | None:
    """Whose official version a statement is (a side's actor id), if either government's."""
    if statement.source_url.lower().startswith(("http://", "https://")):
        for side in catalogue.sides:
            if _speaks_for(side, statement.source_url, official_domains):
                return side.actor
    for side in catalogue.sides:
        if statement.attribution and side.speakers is not None and side.speakers.search(statement.attribution):
            return side.actor
    return None


def divergences(
    statements: Iterable[StatementView], catalogue: Catalogue, official_domains: Sequence[str] = ()
) -> list[Divergence]:
    """Every divergence among the statements, by commitment and date.

    On each pair of days, each government's surest statement speaks for it.
    """
    side_a, side_b = (side.actor for side in catalogue.sides)
    versions: dict[tuple[str, str], list[StatementView]] = {}
    for statement in statements:
        government = government_of(statement, catalogue, official_domains)
        if government is not None:
            versions.setdefault((statement.commitment_id, government), []).append(statement)
    found: list[Divergence] = []
    for (commitment_id, government), firsts in sorted(versions.items()):
        if government != side_a:
            continue
        seconds = versions.get((commitment_id, side_b), [])
        seen: set[tuple] = set()
        for i in firsts:
            near = [c for c in seconds if abs((c.date - i.date).days) <= WINDOW_DAYS]
            if not near:
                continue
            best_a = max(
                (s for s in firsts if abs((s.date - i.date).days) <= WINDOW_DAYS and s.date == i.date),
                key=lambda s: s.confidence,
            )
            best_b = max(near, key=lambda s: (s.date == i.date, s.confidence))
            key = (best_a.date, best_b.date)
            if key in seen or best_a.status == best_b.status:
                continue
            seen.add(key)
            found.append(Divergence(commitment_id, best_a, best_b, (side_a, side_b)))
    found.sort(key=lambda d: (d.date, d.commitment_id))
    return found

"""The status and changes listings, on the screen and as CSV rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tracker.model import ChangeView
from tracker.terminal.screen import (
    STATUS_STYLES,
    Cell,
    Column,
    Row,
    Screen,
    status_cell,
    status_label,
)

SHARED_ACTOR_LABELS = {"both": "both sides", "other": "other party"}


def actor_label(actor: str, sides: Mapping[str, str]) -> str:
    """An actor as the listings name it: a side by its catalogue label (`sides`, by actor id)."""
    return sides.get(actor) or SHARED_ACTOR_LABELS.get(actor, actor)


STATUS_CSV = ("commitment", "title", "status", "since", "evidence", "source_name", "source_url")


def status_rows(commitments: Sequence[tuple[str, str]], latest: dict[str, ChangeView]) -> list[list[object]]:
    rows: list[list[object]] = []
    for commitment_id, title in commitments:
        change = latest.get(commitment_id)
        rows.append(
            [
                commitment_id,
                title,
                change.to_status if change else None,
                change.date.isoformat() if change else None,
                change.evidence if change else None,
                change.source_name if change else None,
                change.source_url if change else None,
            ]
        )
    return rows


def render_status(screen: Screen, commitments: Sequence[tuple[str, str]], latest: dict[str, ChangeView]) -> None:
    columns = [Column("Commitment"), Column("Status"), Column("Since"), Column("Last evidence", cut=True)]
    rows: list[Row] = []
    for commitment_id, _title in commitments:
        change = latest.get(commitment_id)
        if change is None:
            rows.append([commitment_id, Cell("not yet reported", "dim"), "", ""])
        else:
            rows.append([commitment_id, status_cell(change.to_status), change.date.isoformat(), change.evidence])
    screen.table(columns, rows)


CHANGE_CSV = (
    "id",
    "commitment",
    "date",
    "from_status",
    "to_status",
    "kind",
    "confirmed",
    "change_confidence",
    "sources",
    "actor",
    "according_to",
    "source_name",
    "source_url",
    "article_title",
    "evidence",
)


def change_rows(changes: Sequence[ChangeView]) -> list[list[object]]:
    return [
        [
            c.id,
            c.commitment_id,
            c.date.isoformat(),
            c.from_status,
            c.to_status,
            c.kind,
            c.confirmed,
            c.confidence,
            len(c.sources),
            c.actor,
            c.attribution,
            c.source_name,
            c.source_url,
            c.article_title,
            c.evidence,
        ]
        for c in changes
    ]


def move_label(from_status: str | None, to_status: str) -> str:
    return f"{status_label(from_status) if from_status else 'first report'} → {status_label(to_status)}"


def render_changes(screen: Screen, changes: Sequence[ChangeView], titles: dict[str, str]) -> None:
    """Changes grouped by commitment (in catalogue order), oldest first within each."""
    order = list(titles)
    # Two relationships may track one id: each relationship's commitment is its own group, named REL/ID.
    several = len({change.relationship_id for change in changes}) > 1
    groups: dict[tuple[str, str], list[ChangeView]] = {}
    for change in changes:
        groups.setdefault((change.relationship_id, change.commitment_id), []).append(change)
    ranked = sorted(groups, key=lambda key: order.index(key[1]) if key[1] in order else len(order))
    for number, key in enumerate(ranked):
        if number:
            screen.line()
        relationship_id, commitment_id = key
        if several:
            screen.heading(f"{groups[key][0].commitment_title} ({relationship_id}/{commitment_id})")
        else:
            screen.heading(f"{titles.get(commitment_id, commitment_id)} ({commitment_id})")
        columns = [
            Column("#", justify="right"),
            Column("Date"),
            Column("Change", max_width=22, min_width=12),
            Column("Kind"),
            Column("Change conf.", justify="right"),
            Column("Source", max_width=24, min_width=10),
            Column("Evidence", cut=True),
        ]
        rows: list[Row] = []
        styles: list[str] = []
        for c in groups[key]:
            kind = c.kind + ("" if c.confirmed else ", unconfirmed")
            sources = f" ({len(c.sources)} sources)" if len(c.sources) > 1 else ""
            rows.append(
                [
                    str(c.id),
                    c.date.isoformat(),
                    Cell(move_label(c.from_status, c.to_status), STATUS_STYLES.get(c.to_status, "")),
                    Cell(kind, "bold red" if c.setback else ("dim" if not c.confirmed else "")),
                    f"{c.confidence:.0%}",
                    c.source_name + sources,
                    c.evidence,
                ]
            )
            styles.append("" if c.confirmed else "dim")
        screen.table(columns, rows, styles)

"""A commitment's history: its statements, changes, divergences and reviews as one list of entries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.padding import Padding
from rich.text import Text

from tracker.catalogue import possessive
from tracker.model import REVIEW_RULE, ChangeView, Divergence, ReviewView, StatementView
from tracker.sanitize import strip_controls
from tracker.terminal.listings import (
    actor_label,
    move_label,
)
from tracker.terminal.screen import (
    STATUS_STYLES,
    Cell,
    Column,
    Row,
    Screen,
    is_setback_status,
    status_cell,
    status_label,
)

HISTORY_CSV = (
    "date",
    "kind",
    "status",
    "change",
    "actor",
    "according_to",
    "statement_confidence",
    "rule",
    "source_name",
    "source_url",
    "article_title",
    "evidence",
    "flag",
)


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a commitment's history: a statement (maybe causing a change) or an analyst's note."""

    date: str
    kind: str  # statement, review
    status: str | None
    change: str
    actor: str
    according_to: str
    confidence: float | None
    rule: str
    source_name: str
    source_url: str
    article_title: str
    evidence: str
    flag: str = ""

    def csv_row(self) -> list[object]:
        return [
            self.date,
            self.kind,
            self.status,
            self.change,
            self.actor,
            self.according_to,
            self.confidence,
            self.rule,
            self.source_name,
            self.source_url,
            self.article_title,
            self.evidence,
            self.flag,
        ]


def history_entries(
    statements: Sequence[StatementView],
    changes: Sequence[ChangeView],
    found: Sequence[Divergence] = (),
    reviews: Sequence[ReviewView] = (),
    sides: Mapping[str, str] | None = None,
) -> list[HistoryEntry]:
    """The statements in order; those that caused a change say so, each government's version
    that differs from the other's is flagged (each side named by its label in `sides`), and
    analysts' decisions are shown in their place."""
    sides = sides or {}
    caused = {(c.date, c.evidence): c for c in changes}
    flags: dict[tuple, list[str]] = {}
    for d in found:
        (a, version_a), (b, version_b) = d.versions()
        for (own, version), (other, said) in (((a, version_a), (b, version_b)), ((b, version_b), (a, version_a))):
            flags.setdefault((version.date, version.evidence), []).append(
                f"⚠ {possessive(actor_label(own, sides))} version; {actor_label(other, sides)} says"
                f" {status_label(said.status)}"
            )
    rejected = {r.article_url: r for r in reviews if r.kind == "reject"}
    entries = []
    for s in statements:
        change = caused.get((s.date, s.evidence))
        marks = list(flags.get((s.date, s.evidence), []))
        if s.source_url in rejected:
            marks.insert(0, f"✗ rejected by {rejected[s.source_url].reviewer}")
        if s.rule == REVIEW_RULE:
            marks.insert(0, "analyst's status")
        entries.append(
            HistoryEntry(
                date=s.date.isoformat(),
                kind="statement",
                status=s.status,
                change=move_label(change.from_status, change.to_status) if change else "",
                actor=s.actor,
                according_to=s.attribution,
                confidence=s.confidence,
                rule=s.rule,
                source_name=s.source_name,
                source_url=s.source_url,
                article_title=s.article_title,
                evidence=s.evidence,
                flag="; ".join(marks),
            )
        )
    for r in reviews:
        if r.kind == "set":
            continue  # the analyst's statement is in the list already
        entries.append(
            HistoryEntry(
                date=(r.day or r.created_at.date()).isoformat(),
                kind="review",
                status=r.status,
                change=f"{'confirmed' if r.kind == 'confirm' else 'rejected'} change #{r.change_id}",
                actor="analyst",
                according_to=r.reviewer,
                confidence=None,
                rule="",
                source_name=f"review {r.created_at:%Y-%m-%d %H:%M}",
                source_url="",
                article_title="",
                evidence=r.note or r.evidence,
            )
        )
    entries.sort(key=lambda e: e.date)
    return entries


# Below this many columns the history table would leave its evidence a few characters wide:
# each entry is printed as a record instead, its evidence wrapped in full.
HISTORY_TABLE_MIN_WIDTH = 140


def render_history(
    screen: Screen,
    title: str,
    commitment_id: str,
    entries: Sequence[HistoryEntry],
    sides: Mapping[str, str] | None = None,
) -> None:
    """The history on screen, each side named by its label in `sides` (by actor id)."""
    screen.heading(f"{title} ({commitment_id})")
    if not entries:
        screen.line("No statements yet.")
        return
    if screen.terminal and screen.console.width < HISTORY_TABLE_MIN_WIDTH:
        _history_records(screen, entries, sides or {})
    else:
        _history_table(screen, entries, sides or {})
    screen.line("* the statement's confidence: how surely its sentence states the status (cue rule and scope);")
    screen.line("  a change's confidence, in `tracker changes`, combines every article of its day.")


def _history_mark(e: HistoryEntry) -> str:
    mark = e.change if e.kind == "review" else (("⇒ " + e.change) if e.change else "")
    if e.flag:
        mark = (mark + "; " if mark else "") + e.flag
    return mark


def _history_records(screen: Screen, entries: Sequence[HistoryEntry], sides: Mapping[str, str]) -> None:
    """A narrow terminal: one record per entry, the evidence wrapped to the width rather than cut."""
    for e in entries:
        head = Text(strip_controls(e.date) + "  ", style="bold" if e.change else "")
        head.append(status_label(e.status), style=STATUS_STYLES.get(e.status or "", "dim"))
        mark = _history_mark(e)
        if mark:
            head.append("  " + strip_controls(mark), style="bold red" if is_setback_status(e.status) else "bold")
        if e.confidence is not None:
            head.append(f"  conf.* {e.confidence:.0%}")
        screen.console.print(head)
        who = [actor_label(e.actor, sides), e.according_to and f"according to {e.according_to}", e.source_name]
        screen.console.print(Padding(Text(strip_controls(" · ".join(w for w in who if w)), style="dim"), (0, 0, 0, 4)))
        if e.evidence:
            quoted = Text(strip_controls(f"“{e.evidence}”"), style="italic" if e.kind == "review" else "")
            screen.console.print(Padding(quoted, (0, 0, 0, 4)))
        screen.console.print()


def _history_table(screen: Screen, entries: Sequence[HistoryEntry], sides: Mapping[str, str]) -> None:
    columns = [
        Column("Date"),
        Column("Status"),
        Column("Change", max_width=18, min_width=10),
        Column("Actor"),
        Column("According to", max_width=22, min_width=10),
        Column("Conf.*", justify="right"),
        Column("Source", max_width=22, min_width=10),
        Column("Evidence", cut=True),
    ]
    rows: list[Row] = []
    styles: list[str] = []
    for e in entries:
        mark = _history_mark(e)
        rows.append(
            [
                e.date,
                status_cell(e.status),
                Cell(mark, "bold red" if is_setback_status(e.status) and e.change else "bold"),
                actor_label(e.actor, sides),
                e.according_to,
                f"{e.confidence:.0%}" if e.confidence is not None else "",
                e.source_name,
                e.evidence,
            ]
        )
        styles.append("italic" if e.kind == "review" else ("bold" if e.change else ""))
    screen.table(columns, rows, styles)

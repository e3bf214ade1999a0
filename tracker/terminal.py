"""What the CLI prints: tables on a terminal, plain text through a pipe, CSV on request.

The one output layer of the command line. Every string passes through
`strip_controls` before rich sees it, and rich gets `Text` objects only, so
neither an escape sequence nor rich's own `[markup]` in an article can act on
the terminal. On a terminal, tables fit its width (long evidence is cut with
an ellipsis) and statuses are coloured; elsewhere the same rows are written
as plain, uncoloured lines that are never cut.
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from tracker.catalogue import NEGATIVE_STATUSES, Catalogue, possessive
from tracker.model import REVIEW_RULE, ChangeView, Divergence, ReviewView, StatementView
from tracker.sanitize import csv_cell, safe_json, strip_controls
from tracker.store import Store
from tracker.timeline.fold import current_statuses as latest_changes

STATUS_STYLES = {
    "proposed": "white",
    "under_discussion": "yellow",
    "agreed": "blue",
    "in_progress": "cyan",
    "implemented": "bold green",
    "suspended": "bold red",
    "stalled": "bold magenta",
}
# Wide enough that plain output is never wrapped or cut.
_PLAIN_WIDTH = 100_000


def status_label(status: str | None) -> str:
    return status.replace("_", " ") if status else "—"


@dataclass(frozen=True)
class Cell:
    """One cell: its text (cleaned when shown) and a style used only on a terminal."""

    text: str
    style: str = ""


def status_cell(status: str | None) -> Cell:
    return Cell(status_label(status), STATUS_STYLES.get(status or "", "dim"))


@dataclass(frozen=True)
class Column:
    header: str
    # The column that gives way on a narrow terminal: cut to one line with an ellipsis.
    cut: bool = False
    max_width: int | None = None
    min_width: int | None = None
    justify: str = "left"


Row = Sequence["str | Cell | None"]


def is_terminal() -> bool:
    return sys.stdout.isatty()


class Screen:
    """Collects headings and tables, then gives the text to print."""

    def __init__(self, terminal: bool | None = None, width: int | None = None) -> None:
        self.terminal = is_terminal() if terminal is None else terminal
        self._buffer = io.StringIO()
        self.console = Console(
            file=self._buffer,
            force_terminal=self.terminal,
            color_system="standard" if self.terminal else None,
            # On a terminal, NO_COLOR in the environment still turns colour off.
            no_color=None if self.terminal else True,
            width=(width or shutil.get_terminal_size((100, 24)).columns) if self.terminal else _PLAIN_WIDTH,
            markup=False,
            emoji=False,
            highlight=False,
            soft_wrap=not self.terminal,
        )

    def line(self, text: str = "", style: str = "") -> None:
        self.console.print(Text(strip_controls(text), style=style if self.terminal else ""))

    def heading(self, text: str) -> None:
        self.line(text, "bold underline")

    def table(self, columns: Sequence[Column], rows: Iterable[Row], row_styles: Sequence[str] | None = None) -> None:
        table = Table(
            box=box.SIMPLE_HEAD if self.terminal else None,
            show_header=True,
            header_style="bold" if self.terminal else "",
            pad_edge=False,
            expand=False,
            show_edge=False,
            padding=(0, 1),
            collapse_padding=True,
        )
        for column in columns:
            # On a terminal the cut column is the one rich may narrow (its cells then
            # end in an ellipsis); short columns wrap only when they have a maximum width.
            table.add_column(
                column.header,
                no_wrap=not self.terminal or not (column.cut or column.max_width),
                overflow="ellipsis" if column.cut else "fold",
                max_width=column.max_width if self.terminal else None,
                min_width=(column.min_width or (24 if column.cut else None)) if self.terminal else None,
                justify=column.justify,  # type: ignore[arg-type]
            )
        for index, row in enumerate(rows):
            style = row_styles[index] if row_styles and self.terminal else ""
            cells = (self._text(cell, cut=c.cut) for cell, c in zip(row, columns, strict=True))
            table.add_row(*cells, style=style or None)
        self.console.print(table)

    def _text(self, cell: str | Cell | None, cut: bool = False) -> Text:
        if cell is None:
            cell = ""
        text, style = (cell.text, cell.style) if isinstance(cell, Cell) else (cell, "")
        return Text(
            strip_controls(text),
            style=style if self.terminal else "",
            no_wrap=cut and self.terminal,
            overflow="ellipsis" if cut and self.terminal else "fold",
        )

    def text(self) -> str:
        """What was collected; plain lines lose the padding rich puts at their ends."""
        value = self._buffer.getvalue()
        if not self.terminal:
            value = "\n".join(line.rstrip() for line in value.splitlines()) + ("\n" if value else "")
        return value


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Rows as CSV; every cell cleaned of control characters and protected from formula reading."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([csv_cell(value.text if isinstance(value, Cell) else value) for value in row])
    return out.getvalue()


def is_setback_status(status: str | None) -> bool:
    return status in NEGATIVE_STATUSES


# --- the listings of the CLI ---------------------------------------------------------------

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


def _move(from_status: str | None, to_status: str) -> str:
    return f"{status_label(from_status) if from_status else 'first report'} → {status_label(to_status)}"


def render_changes(screen: Screen, changes: Sequence[ChangeView], titles: dict[str, str]) -> None:
    """Changes grouped by commitment (in catalogue order), oldest first within each."""
    order = list(titles)
    groups: dict[str, list[ChangeView]] = {}
    for change in changes:
        groups.setdefault(change.commitment_id, []).append(change)
    ranked = sorted(groups, key=lambda cid: order.index(cid) if cid in order else len(order))
    for number, commitment_id in enumerate(ranked):
        if number:
            screen.line()
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
        for c in groups[commitment_id]:
            kind = c.kind + ("" if c.confirmed else ", unconfirmed")
            sources = f" ({len(c.sources)} sources)" if len(c.sources) > 1 else ""
            rows.append(
                [
                    str(c.id),
                    c.date.isoformat(),
                    Cell(_move(c.from_status, c.to_status), STATUS_STYLES.get(c.to_status, "")),
                    Cell(kind, "bold red" if c.setback else ("dim" if not c.confirmed else "")),
                    f"{c.confidence:.0%}",
                    c.source_name + sources,
                    c.evidence,
                ]
            )
            styles.append("" if c.confirmed else "dim")
        screen.table(columns, rows, styles)


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
                change=_move(change.from_status, change.to_status) if change else "",
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


RUN_CSV = (
    "id",
    "command",
    "started_at",
    "finished_at",
    "as_of",
    "ingested",
    "skipped",
    "failed",
    "deferred",
    "changes",
    "digest_id",
    "errors",
    "warnings",
)


@dataclass(frozen=True)
class RunSummary:
    id: int
    command: str
    started_at: str
    finished_at: str | None
    as_of: str
    ingested: int
    skipped: int
    failed: int
    deferred: int
    changes: int
    digest_id: int | None
    messages: tuple[str, ...]
    # running, finished, failed or interrupted (model.RunState).
    state: str = "finished"

    def count(self, level: str) -> int:
        return sum(m.startswith(f"{level}:") for m in self.messages)

    @property
    def errors(self) -> int:
        return self.count("error")

    @property
    def warnings(self) -> int:
        """Every message that is not an error (a source's notes about a file are warnings too)."""
        return len(self.messages) - self.errors

    def csv_row(self) -> list[object]:
        return [
            self.id,
            self.command,
            self.started_at,
            self.finished_at,
            self.as_of,
            self.ingested,
            self.skipped,
            self.failed,
            self.deferred,
            self.changes,
            self.digest_id,
            self.errors,
            self.warnings,
        ]

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "command": self.command,
            "state": self.state,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "as_of": self.as_of,
            "ingested": self.ingested,
            "skipped": self.skipped,
            "failed": self.failed,
            "deferred": self.deferred,
            "changes": self.changes,
            "digest_id": self.digest_id,
            "errors": self.errors,
            "warnings": self.warnings,
            "messages": list(self.messages),
        }


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def render_runs(screen: Screen, runs: Sequence[RunSummary], show_messages: bool) -> None:
    if not runs:
        screen.line("No runs yet.")
        return
    columns = [
        Column("#", justify="right"),
        Column("Command"),
        Column("State"),
        Column("Started (UTC)"),
        Column("As of"),
        Column("Ingested", justify="right"),
        Column("Skipped", justify="right"),
        Column("Failed", justify="right"),
        Column("Changes", justify="right"),
        Column("Digest"),
        Column("Messages", cut=True),
    ]
    rows: list[Row] = []
    for run in runs:
        parts = [
            _plural(run.errors, "error") if run.errors else "",
            _plural(run.warnings, "warning") if run.warnings else "",
        ]
        summary = ", ".join(p for p in parts if p) or "none"
        first_error = next((m for m in run.messages if m.startswith("error:")), None)
        if first_error and not show_messages:
            summary += f"; first: {first_error.removeprefix('error:').strip()}"
        rows.append(
            [
                str(run.id),
                run.command,
                Cell(run.state, "" if run.state == "finished" else "bold red"),
                run.started_at,
                run.as_of,
                str(run.ingested),
                str(run.skipped),
                Cell(str(run.failed), "bold red" if run.failed else ""),
                str(run.changes),
                f"#{run.digest_id}" if run.digest_id else "",
                Cell(summary, "red" if run.errors else ""),
            ]
        )
    screen.table(columns, rows)
    if show_messages:
        for run in runs:
            if run.messages:
                screen.line()
                screen.heading(f"Run #{run.id}: {_plural(len(run.messages), 'message')}")
                for message in run.messages:
                    screen.line(f"  {message}", "red" if message.startswith("error:") else "")
    elif any(run.messages for run in runs):
        screen.line("`tracker runs --messages` lists every message.")


# --- export ------------------------------------------------------------------------------------

STATEMENT_CSV = (
    "commitment",
    "date",
    "status",
    "actor",
    "according_to",
    "statement_confidence",
    "rule",
    "rejected",
    "source_name",
    "source_url",
    "article_title",
    "evidence",
)
REVIEW_CSV = (
    "id",
    "kind",
    "commitment",
    "change_id",
    "status",
    "day",
    "reviewer",
    "created_at",
    "note",
    "evidence",
    "article_url",
)


def export(store: Store, catalogue: Catalogue, what: str, fmt: str) -> str:
    """Commitments, statements, changes or reviews as JSON or CSV."""

    if what == "commitments":
        commitments = [(c.id, c.title) for c in catalogue.commitments]
        rows = status_rows(commitments, latest_changes(store.changes()))
        if fmt == "csv":
            return to_csv(STATUS_CSV, rows)
        items: list[dict] = [dict(zip(STATUS_CSV, row, strict=True)) for row in rows]
    elif what == "statements":
        rejected = {(r.article_url, r.commitment_id) for r in store.reviews() if r.kind == "reject"}
        statements = store.statements()
        flags = [(s.source_url, s.commitment_id) in rejected for s in statements]
        if fmt == "csv":
            return to_csv(
                STATEMENT_CSV,
                [
                    [
                        s.commitment_id,
                        s.date.isoformat(),
                        s.status,
                        s.actor,
                        s.attribution,
                        s.confidence,
                        s.rule,
                        flag,
                        s.source_name,
                        s.source_url,
                        s.article_title,
                        s.evidence,
                    ]
                    for s, flag in zip(statements, flags, strict=True)
                ],
            )
        items = [s.as_json() | {"rejected": flag} for s, flag in zip(statements, flags, strict=True)]
    elif what == "changes":
        changes = store.changes()
        if fmt == "csv":
            return to_csv(CHANGE_CSV, change_rows(changes))
        items = [c.as_json() for c in changes]
    elif what == "reviews":
        reviews = store.reviews()
        if fmt == "csv":
            return to_csv(REVIEW_CSV, [[r.as_json()[k] for k in REVIEW_CSV] for r in reviews])
        items = [r.as_json() for r in reviews]
    else:
        raise ValueError(f"cannot export {what!r}")
    return safe_json(items) + "\n"

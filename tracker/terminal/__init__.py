"""What the CLI prints: tables on a terminal, plain text through a pipe, CSV on request.

The one output layer of the command line. Every string passes through
`strip_controls` before rich sees it, and rich gets `Text` objects only, so
neither an escape sequence nor rich's own `[markup]` in an article can act on
the terminal. On a terminal, tables fit its width (long evidence is cut with
an ellipsis) and statuses are coloured; elsewhere the same rows are written
as plain, uncoloured lines that are never cut. `screen` is that layer; the
listings (`listings`, `history`, `runs`) and `export` are built on it.
"""

from tracker.terminal.export import REVIEW_CSV, STATEMENT_CSV, export
from tracker.terminal.history import HISTORY_CSV, HISTORY_TABLE_MIN_WIDTH, HistoryEntry, history_entries, render_history
from tracker.terminal.listings import (
    CHANGE_CSV,
    SHARED_ACTOR_LABELS,
    STATUS_CSV,
    actor_label,
    change_rows,
    render_changes,
    render_status,
    status_rows,
)
from tracker.terminal.runs import RUN_CSV, RunSummary, render_runs
from tracker.terminal.screen import (
    STATUS_STYLES,
    Cell,
    Column,
    Row,
    Screen,
    is_setback_status,
    is_terminal,
    status_cell,
    status_label,
    to_csv,
)

__all__ = [
    "CHANGE_CSV",
    "HISTORY_CSV",
    "HISTORY_TABLE_MIN_WIDTH",
    "REVIEW_CSV",
    "RUN_CSV",
    "SHARED_ACTOR_LABELS",
    "STATEMENT_CSV",
    "STATUS_CSV",
    "STATUS_STYLES",
    "Cell",
    "Column",
    "HistoryEntry",
    "Row",
    "RunSummary",
    "Screen",
    "actor_label",
    "change_rows",
    "export",
    "history_entries",
    "is_setback_status",
    "is_terminal",
    "render_changes",
    "render_history",
    "render_runs",
    "render_status",
    "status_cell",
    "status_label",
    "status_rows",
    "to_csv",
]

"""The output layer: a `Screen` of lines and tables (rich on a terminal, plain text through a pipe) and CSV."""

from __future__ import annotations

import csv
import io
import shutil
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tracker.catalogue import NEGATIVE_STATUSES
from tracker.sanitize import csv_cell, strip_controls

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

"""The runs listing: each run's record, formatted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tracker.model import RunRecord
from tracker.terminal.screen import (
    Cell,
    Column,
    Row,
    Screen,
)

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
    """One run as the listing shows it: its record, formatted (the record's state is the one to show)."""

    record: RunRecord

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def messages(self) -> tuple[str, ...]:
        return self.record.messages

    @property
    def state(self) -> str:
        # running, finished, failed or interrupted (model.RunState).
        return self.record.state or "finished"

    @property
    def started_at(self) -> str:
        return f"{self.record.started_at:%Y-%m-%d %H:%M}"

    @property
    def finished_at(self) -> str | None:
        return f"{self.record.finished_at:%Y-%m-%d %H:%M}" if self.record.finished_at else None

    @property
    def as_of(self) -> str:
        return self.record.as_of.isoformat()

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
        r = self.record
        return [
            r.id,
            r.command,
            self.started_at,
            self.finished_at,
            self.as_of,
            r.ingested,
            r.skipped,
            r.failed,
            r.deferred,
            r.changes,
            r.digest_id,
            self.errors,
            self.warnings,
        ]

    def as_json(self) -> dict:
        r = self.record
        return {
            "id": r.id,
            "command": r.command,
            "state": self.state,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "as_of": self.as_of,
            "ingested": r.ingested,
            "skipped": r.skipped,
            "failed": r.failed,
            "deferred": r.deferred,
            "changes": r.changes,
            "digest_id": r.digest_id,
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
                run.record.command,
                Cell(run.state, "" if run.state == "finished" else "bold red"),
                run.started_at,
                run.as_of,
                str(run.record.ingested),
                str(run.record.skipped),
                Cell(str(run.record.failed), "bold red" if run.record.failed else ""),
                str(run.record.changes),
                f"#{run.record.digest_id}" if run.record.digest_id else "",
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

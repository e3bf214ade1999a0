"""The review commands: what awaits an analyst, and their decisions."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from tracker.catalogue import STATUSES
from tracker.cli.base import (
    RowId,
    csv_option,
    library,
    main,
    only_one,
    opened,
    parse_date,
    show,
    status_label,
    terminal,
)
from tracker.cli.errors import reported
from tracker.model import ReviewKind
from tracker.sanitize import strip_controls


@main.group(invoke_without_command=True)
@click.option("--limit", default=20, show_default=True, help="How many changes to list.")
@click.option("--json", "as_json", is_flag=True, help="Print the changes awaiting review as a JSON list.")
@csv_option("one row per change awaiting review")
@click.option("--relationship", "relationship_id", metavar="ID", help="Only this relationship (its catalogue's id).")
@click.pass_context
def review(click_ctx: click.Context, limit: int, as_json: bool, as_csv: bool, relationship_id: str | None) -> None:
    """Review the machine's work: list recent changes no analyst has confirmed
    or rejected, and record decisions.

    A rejected change's statement no longer drives the timeline; a set status
    is a statement of its own with the analyst as its source (folded by the
    same rules as any other). Decisions are kept (nothing is deleted), survive
    re-runs, and show in `tracker history` and on the site. The reviewer is
    --by, else `reviewer` in the configuration (TRACKER_REVIEWER), else the
    login name.

    \b
    Examples:
      tracker review
      tracker review confirm 12 --note "MEA readout says the same"
      tracker review reject 13 --note "the sentence is about 2020"
      tracker review set air-services implemented --date 2025-10-26 --note "first flight landed"
    """
    if click_ctx.invoked_subcommand is not None:
        return
    only_one(as_json, as_csv)
    with opened(click_ctx.obj, create=False) as tracker:
        rows = tracker.awaiting_review(limit, relationship_id)
        if as_json:
            click.echo(json.dumps([c.as_json() for c in rows], indent=2, ensure_ascii=False))
            return
        if as_csv:
            click.echo(terminal.to_csv(terminal.CHANGE_CSV, terminal.change_rows(rows)), nl=False)
            return
        if not rows:
            click.echo("No change awaits review.")
            return
        screen = terminal.Screen()
        terminal.render_changes(screen, rows, {c.id: c.title for c in tracker.catalogue.commitments})
        screen.line("Confirm or reject one by its #: tracker review confirm|reject ID [--note TEXT]")
        show(screen)


def _decide(obj: dict, kind: ReviewKind, change_id: int, note: str, by: str | None) -> None:
    with opened(obj, create=False) as tracker:
        try:
            outcome = tracker.review(kind, change_id, by, note)
        except library.AlreadyReviewed as exc:
            earlier = exc.earlier
            click.echo(
                f"Change #{change_id} was already {earlier.kind}ed by {strip_controls(earlier.reviewer)}"
                f" on {earlier.created_at:%Y-%m-%d}; nothing recorded."
            )
            return
        except library.ReviewError as exc:
            raise click.ClickException(str(exc)) from exc
        decision, new = outcome.review, outcome.new_changes
        verb = "Confirmed" if kind == ReviewKind.CONFIRM else "Rejected"
        click.echo(
            f"{verb} change #{change_id} of {decision.commitment_id} ({decision.day}: "
            f"{status_label(decision.status)}) as {decision.reviewer}."
            + (f" {new} new change{'s' if new != 1 else ''} in the timeline." if new else "")
        )


_by_option = click.option("--by", help="Who decides (default: reviewer from the configuration, else the login name).")
_note_option = click.option("--note", default="", help="Why: kept with the decision.")


@review.command("confirm")
@click.argument("change_id", type=RowId("status change"))
@_note_option
@_by_option
@click.pass_obj
def review_confirm(obj: dict, change_id: int, note: str, by: str | None) -> None:
    """Confirm a status change (by the # that `tracker review` or `tracker changes` shows).

    \b
    Examples:
      tracker review confirm 12
      tracker review confirm 12 --note "the readout says so" --by asha
    """
    _decide(obj, ReviewKind.CONFIRM, change_id, note, by)


@review.command("reject")
@click.argument("change_id", type=RowId("status change"))
@_note_option
@_by_option
@click.pass_obj
def review_reject(obj: dict, change_id: int, note: str, by: str | None) -> None:
    """Reject a status change: its statement no longer drives the timeline.

    \b
    Examples:
      tracker review reject 13 --note "retrospective: the 2020 suspension"
    """
    _decide(obj, ReviewKind.REJECT, change_id, note, by)


@review.command("set")
@click.argument("commitment_id")
@click.argument("status", type=click.Choice(list(STATUSES)))
@click.option("--date", "day", callback=parse_date, required=True, help="The day the status holds from.")
@click.option("--note", required=True, help="The analyst's evidence: kept as the statement's text.")
@_by_option
@click.pass_obj
def review_set(obj: dict, commitment_id: str, status: str, day: date, note: str, by: str | None) -> None:
    """Set a commitment's status as of a day: a statement of its own, with the analyst as source.

    \b
    Examples:
      tracker review set air-services implemented --date 2025-10-26 --note "first flight landed in Kolkata"
    """
    with opened(obj, create=False) as tracker:
        outcome = tracker.set_status(commitment_id, status, day, by, note)
        click.echo(
            f"Set {commitment_id} to {status_label(status)} from {day} as {outcome.review.reviewer}; "
            f"{outcome.new_changes} new change{'s' if outcome.new_changes != 1 else ''} in the timeline."
        )


@review.command("export")
@click.argument("folder", type=click.Path(path_type=Path))
@click.pass_obj
def review_export(obj: dict, folder: Path) -> None:
    """Write the analysts' confirmed and rejected statements as a labelled corpus.

    FOLDER (new or empty) gets articles/<id>.txt and labels.json in the format
    `tracker eval` reads: a confirmed change's statement is a label; a
    rejected one is listed under the article's "rejected" (that status is
    wrong for that sentence; reading it again counts as a false positive,
    any other status there is not judged). Statuses set by an analyst have
    no sentence to read and are not exported.

    \b
    Examples:
      tracker review export reviewed/
      tracker eval reviewed/            # the reader on the desk's own corrections
    """
    from tracker.evaluation import export_reviews

    with opened(obj, create=False) as tracker:
        articles = tracker.reviewed_articles()
    with reported():
        written = export_reviews(articles, folder)
    decisions = sum(len(a.statements) for a in articles)
    click.echo(f"Wrote {written} reviewed articles ({decisions} decisions) to {strip_controls(str(folder))}.")
    if written:
        click.echo(f"Measure the reader on them: tracker eval {strip_controls(str(folder))}")

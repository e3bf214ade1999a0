"""Commands that read the timeline: status, changes, history, explain and export."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracker.catalogue import Catalogue, CatalogueError, load_catalogue
from tracker.cli.base import (
    configuration,
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
from tracker.sanitize import strip_controls

if TYPE_CHECKING:
    from tracker.library import Tracker


@main.command()
@click.option(
    "--json", "as_json", is_flag=True, help="Print JSON: {commitment_id: {status, since, evidence, source_url}}."
)
@csv_option("one row per commitment")
@click.option("--relationship", "relationship_id", metavar="ID", help="Only this relationship (its catalogue's id).")
@click.pass_obj
def status(obj: dict, as_json: bool, as_csv: bool, relationship_id: str | None) -> None:
    """Show each commitment's current status, since when, and the evidence;
    under a heading per relationship when several are followed.

    \b
    Examples:
      tracker status
      tracker status --json
      tracker status --csv > status.csv
      tracker status --relationship AU-CN
    """
    only_one(as_json, as_csv)
    with opened(obj, create=False) as tracker:
        shown = [tracker.catalogue_of(relationship_id)] if relationship_id else list(tracker.catalogues)
        if len(shown) > 1:
            _several_statuses(tracker, shown, as_json, as_csv)
            return
        board = tracker.status(shown[0].relationship_id)
        if as_json:
            click.echo(json.dumps(board.as_json(), indent=2, ensure_ascii=False))
            return
        latest = dict(board.latest)
        if as_csv:
            click.echo(terminal.to_csv(terminal.STATUS_CSV, terminal.status_rows(board.commitments, latest)), nl=False)
            return
        screen = terminal.Screen()
        terminal.render_status(screen, board.commitments, latest)
        show(screen)


def _several_statuses(tracker: Tracker, shown: list[Catalogue], as_json: bool, as_csv: bool) -> None:
    """Each relationship's board: JSON by relationship id, CSV rows ending with it, a heading on the screen."""
    boards = [(catalogue, tracker.status(catalogue.relationship_id)) for catalogue in shown]
    if as_json:
        found = {catalogue.relationship_id: board.as_json() for catalogue, board in boards}
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    if as_csv:
        rows = [
            [*row, catalogue.relationship_id]
            for catalogue, board in boards
            for row in terminal.status_rows(board.commitments, dict(board.latest))
        ]
        click.echo(terminal.to_csv((*terminal.STATUS_CSV, "relationship"), rows), nl=False)
        return
    screen = terminal.Screen()
    for catalogue, board in boards:
        screen.heading(f"{catalogue.relationship_title} ({catalogue.relationship_id})")
        terminal.render_status(screen, board.commitments, dict(board.latest))
    show(screen)


@main.command()
@click.option("--since", callback=parse_date, help="Only changes dated on or after this day.")
@click.option("--limit", type=click.IntRange(min=1), help="Only the newest N changes (still listed oldest first).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of changes.")
@csv_option("one row per change")
@click.option("--relationship", "relationship_id", metavar="ID", help="Only this relationship (its catalogue's id).")
@click.pass_obj
def changes(
    obj: dict, since: date | None, limit: int | None, as_json: bool, as_csv: bool, relationship_id: str | None
) -> None:
    """List status changes, grouped by commitment, oldest first within each.

    Each JSON item has commitment, from_status (null for a first status),
    to_status, date (the publication date of the article that caused it),
    source_url and evidence, with kind, actor, rule, confidence (from every
    article of that day that supports the change, official sources weighing
    more and syndicated copies counting once), confirmed (confidence at or
    above the threshold) and sources. The JSON list is in date order.

    \b
    Examples:
      tracker changes
      tracker changes --since 2025-06-01 --json
      tracker changes --limit 50
      tracker changes --csv > changes.csv
    """
    only_one(as_json, as_csv)
    with opened(obj, create=False) as tracker:
        rows = tracker.changes(since=since, limit=limit, relationship_id=relationship_id)
        if as_json:
            click.echo(json.dumps([c.as_json() for c in rows], indent=2, ensure_ascii=False))
            return
        if as_csv:
            click.echo(terminal.to_csv(terminal.CHANGE_CSV, terminal.change_rows(rows)), nl=False)
            return
        if not rows:
            click.echo("No status changes" + (f" since {since}." if since else "."))
            return
        screen = terminal.Screen()
        terminal.render_changes(screen, rows, {c.id: c.title for c in tracker.catalogue.commitments})
        show(screen)


# What `tracker history` shows on the screen unless told otherwise: the newest statements and changes.
HISTORY_ON_SCREEN = 100


class _HistoryCommand(click.Command):
    """`tracker history --help` ends with the ids of the configured catalogue."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        obj = ctx.find_root().obj or {}
        try:
            catalogue = load_catalogue(configuration(obj).catalogue)
        except (click.ClickException, CatalogueError):
            return
        with formatter.section("Commitment ids"):
            formatter.write_dl([(c.id, c.title) for c in catalogue.commitments])


@main.command(cls=_HistoryCommand)
@click.argument("commitment_id")
@click.option("--since", callback=parse_date, help="Only statements and changes dated on or after this day.")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    help=f"Only the newest N statements and changes (the screen shows the newest {HISTORY_ON_SCREEN} unless --all).",
)
@click.option("--all", "show_all", is_flag=True, help="On the screen, every statement, however many.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {commitment, statements, changes}.")
@csv_option("one row per statement")
@click.option(
    "--relationship",
    "relationship_id",
    metavar="ID",
    help="The relationship whose commitment it is, when several track its id (as ID/COMMITMENT does).",
)
@click.pass_obj
def history(
    obj: dict,
    commitment_id: str,
    since: date | None,
    limit: int | None,
    show_all: bool,
    as_json: bool,
    as_csv: bool,
    relationship_id: str | None,
) -> None:
    """Show every statement and change of one commitment, in order: which
    statements changed the status, and where the two governments' official
    versions of the same days differ.

    \b
    Examples:
      tracker history air-services
      tracker history visas --json
      tracker history visas --since 2025-06-01
      tracker history visas --csv
      tracker history visas --relationship AU-CN
    """
    only_one(as_json, as_csv)
    if relationship_id is not None:
        if "/" in commitment_id:
            raise click.UsageError("name the relationship once: ID/COMMITMENT or --relationship ID")
        commitment_id = f"{relationship_id}/{commitment_id}"
    on_screen = not (as_json or as_csv or show_all)
    if limit is None and on_screen:
        limit = HISTORY_ON_SCREEN
    with opened(obj, create=False) as tracker:
        found = tracker.history(commitment_id, since=since, limit=limit)
        if as_json:
            click.echo(json.dumps(found.as_json(), indent=2, ensure_ascii=False))
            return
        labels = tracker.resolve(commitment_id)[0].labels
        entries = terminal.history_entries(found.statements, found.changes, found.divergences, found.reviews, labels)
        if as_csv:
            click.echo(terminal.to_csv(terminal.HISTORY_CSV, [e.csv_row() for e in entries]), nl=False)
            return
        screen = terminal.Screen()
        terminal.render_history(screen, found.title, commitment_id, entries, labels)
        show(screen)
        if found.earlier > 0 and on_screen:
            click.echo(
                f"{found.earlier} earlier statement{'s' if found.earlier != 1 else ''} not shown:"
                " --all, --since DAY or --limit N show more."
            )


@main.command(name="export")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True, help="Output format."
)
@click.option(
    "--what",
    type=click.Choice(["commitments", "statements", "changes", "reviews"]),
    default="changes",
    show_default=True,
    help="What to export.",
)
@click.option("--relationship", "relationship_id", metavar="ID", help="Only this relationship (its catalogue's id).")
@click.pass_obj
def export(obj: dict, fmt: str, what: str, relationship_id: str | None) -> None:
    """Export commitments (where each stands), every statement, the status
    changes or the analyst reviews, as JSON or CSV. CSV cells that a
    spreadsheet would read as a formula (=, +, -, @) are neutralised.

    \b
    Examples:
      tracker export --what changes --format csv > changes.csv
      tracker export --what statements --format json
      tracker export --relationship AU-CN
    """
    with opened(obj, create=False) as tracker:
        click.echo(tracker.export(what, fmt, relationship_id), nl=False)


@main.command()
@click.argument("text", required=False)
@click.option("--article", "article_key", metavar="ID|URL", help="Read a stored article again (its # or its URL).")
@click.option(
    "--file",
    "article_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read an article file (title line, blank line, body).",
)
@click.option("--date", "published", callback=parse_date, help="Publication date of the text (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {statements: [...], not_taken: [...]}.")
@csv_option("one row per statement or mention not taken")
@click.pass_obj
def explain(
    obj: dict,
    text: str | None,
    article_key: str | None,
    article_file: Path | None,
    published: date | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Show what the extractor reads in a text, a stored article or an article
    file, and why: the rule behind each statement, and the reason each other
    mention was not taken. A stored article or a file is read at its own date
    unless --date says otherwise.

    \b
    Examples:
      tracker explain "The two sides agreed to resume direct flights."
      tracker explain "Flights could resume in October." --date 2025-08-12
      tracker explain "They agreed to resume the yatra." --csv
      tracker explain --article 42
      tracker explain --article https://example.org/news/flights
      tracker explain --file incoming/2025-10-21-flights.txt
    """
    only_one(as_json, as_csv)
    if sum(x is not None for x in (text, article_key, article_file)) != 1:
        raise click.UsageError("give one of TEXT, --article ID|URL or --file PATH")
    config = configuration(obj)
    title = ""
    if article_key is not None:
        with opened(obj, create=False) as tracker:
            stored = tracker.stored_article(article_key)
        if stored is None:
            raise click.ClickException(f"no stored article {article_key!r} (an article's # or its URL)")
        text, title, published = stored.full_text, stored.title, published or stored.published
    elif article_file is not None:
        from tracker.sources import read_article_file

        with reported():
            draft = read_article_file(article_file, None, lambda _message: None)
        text, title, published = draft.full_text, draft.title, published or draft.published
    assert text is not None
    with reported():
        found = library.explain(config, text, published, title)
    if as_json or as_csv:
        payload = found.as_json()
        if as_json:
            click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
            return
        headers = ("kind", "commitment", "status", "actor", "confidence", "rule", "attribution", "reason", "evidence")
        rows = [["statement", *(f[k] for k in headers[1:7]), "", f["evidence"]] for f in payload["statements"]]
        rows += [
            ["not taken", m["commitment"], "", "", "", "", "", m["reason"], m["evidence"]] for m in payload["not_taken"]
        ]
        click.echo(terminal.to_csv(headers, rows), nl=False)
        return
    clean = strip_controls
    for s in found.statements:
        click.echo(
            f"statement: {s.commitment_id} {status_label(s.status)} (actor {s.actor}, "
            f"confidence {s.confidence:.0%}, rule {s.rule}"
            + (f", according to {clean(s.attribution)}" if s.attribution else "")
            + ")"
        )
        click.echo(f"    “{clean(s.evidence)}”")
        if s.path:
            click.echo(f"    how: {clean(s.path)}")
    for r in found.not_taken:
        click.echo(f"not taken: {r.commitment_id}: {clean(r.describe())}" + (f" [{clean(r.path)}]" if r.path else ""))
        click.echo(f"    “{clean(r.evidence)}”")
    if not found.mentioned:
        click.echo("No tracked commitment is named.")

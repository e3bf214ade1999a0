"""Commands that run the tracker: init, ingest, run, runs and schedule."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from contextlib import suppress
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracker.cli.base import (
    configuration,
    csv_option,
    library,
    line,
    main,
    only_one,
    opened,
    parse_date,
    progress,
    show,
    terminal,
    warn,
)
from tracker.cli.errors import Busy, reported

if TYPE_CHECKING:
    from tracker.model import DeliveryOutcome
    from tracker.pipeline import RunReport


@main.command()
@click.pass_obj
def init(obj: dict) -> None:
    """Create the database or upgrade it to the newest schema.

    \b
    Examples:
      tracker init
      tracker --database-url postgresql+psycopg://tracker@localhost/tracker init
    """
    with opened(obj, upgrade=True) as tracker:
        click.echo(f"Database at {library.shown_url(tracker.config.database_url)} is at the newest schema.")


def print_report(report: RunReport, command: str) -> None:
    click.echo(
        f"{command} #{report.run_id} as of {report.as_of}: {report.ingested} ingested, "
        f"{report.skipped} skipped as duplicates, {report.failed} failed"
        + (f", {report.deferred} dated after {report.as_of} left for later" if report.deferred else "")
        + (f", {report.updated} of them updated versions" if report.updated else "")
        + (f", {report.not_modified} feeds not modified" if report.not_modified else "")
        + "."
    )
    for problem in report.source_problems:
        level = "in error" if problem.in_error else "failing"
        times = f"{problem.failures}× in a row"
        line(f"Source {level}: {problem.name} (since {problem.since}, {times}): {problem.error}")
    click.echo(f"{report.new_changes} new status change{'s' if report.new_changes != 1 else ''} in the timeline.")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--as-of", callback=parse_date, help="Ingest articles published up to this day (default: today).")
@click.pass_obj
def ingest(obj: dict, paths: tuple[Path, ...], as_of: date | None) -> None:
    """Ingest article files, folders of them, or feed files (.xml, .rss, .atom).

    Statements are extracted and the timeline updated; the changes found are
    reported in the next `tracker run` digest. A folder may hold a
    manifest.toml giving each file's date, source and URL; a file without one
    is dated from its text, else from its modification time.

    Exit status: 0 when something was read; 4 when every path failed (a
    missing path, a folder of unreadable files).

    \b
    Examples:
      tracker ingest article.txt
      tracker ingest seeds/ downloads/feed.xml --as-of 2025-06-30
    """
    with opened(obj, lock="ingest") as tracker:
        report = tracker.ingest(list(paths), as_of, progress=progress, warn=warn)
        print_report(report, "Ingest")
    sys.exit(report.exit_status)


@main.command()
@click.option("--as-of", callback=parse_date, help="The day the cycle runs for (default: today).")
@click.option("--always", is_flag=True, help="Write a digest even when nothing changed.")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Record, queue and send nothing: write the email the digest would be as reports/<day>.eml.",
)
@click.option(
    "--worker",
    is_flag=True,
    help="One of several processes sharing a PostgreSQL database: each takes feeds by lease; one digest for the day.",
)
@click.pass_obj
def run(obj: dict, as_of: date | None, always: bool, dry_run: bool, worker: bool) -> None:
    """Run one daily cycle: ingest the seeds and every configured source, extract,
    compare, and write a digest when a status changed.

    Running the same day again is safe: nothing is stored or reported twice.

    Exit status: 0 when the run did its job; 3 when a followed source
    has failed `error_after` times in a row (or is gone); 4 when every
    input failed (nothing could be read).

    \b
    Examples:
      tracker run
      tracker run --as-of 2025-06-30 --always
      tracker run --dry-run                # no digest recorded; email configured: reports/<day>.eml
      tracker run --worker &  tracker run --worker &  tracker run --worker   # PostgreSQL: three at once
    """
    if worker:
        if always or dry_run:
            raise click.UsageError("--worker runs the day as it comes: not with --always or --dry-run")
        if not configuration(obj).database_url.startswith("postgresql"):
            raise click.UsageError(
                "--worker shares a PostgreSQL database between processes; this database is not one: run without it"
            )
    with opened(obj, lock="worker" if worker else "run", shared=worker) as tracker:
        if worker:
            import os
            import socket

            owner = f"{socket.gethostname()} pid {os.getpid()}"
            report = tracker.run_worker(owner, as_of, warn=warn)
        else:
            report = tracker.run(as_of, always=always, dry_run=dry_run, progress=progress, warn=warn)
        print_report(report, "Worker" if worker else "Run")
        if report.dry_run:
            _print_dry_run(report)
        elif report.digest_id is not None:
            files_ok = any(o.ok and o.report and o.delivery.digest_id == report.digest_id for o in report.deliveries)
            confirmed = sum(c.confirmed for c in report.alerts)
            unconfirmed = len(report.alerts) - confirmed
            click.echo(
                f"{confirmed} change{'s' if confirmed != 1 else ''} reported"
                + (f", {unconfirmed} unconfirmed signal{'s' if unconfirmed != 1 else ''}" if unconfirmed else "")
                + (
                    f", {len(report.revisions)} earlier alert{'s' if len(report.revisions) != 1 else ''} revised"
                    if report.revisions
                    else ""
                )
                + (". Digest written:" if files_ok else f". Digest #{report.digest_id} recorded; its files are not")
                + (
                    ""
                    if files_ok
                    else " written yet (see the warning above); the next run or tracker digest send retries."
                )
            )
            for path in report.digest_files if files_ok else []:
                click.echo(f"  {path}")
        else:
            click.echo("No status changed; no digest written.")
        if report.site_files:
            index = next((p for p in report.site_files if p.name == "index.html"), report.site_files[0])
            click.echo(f"Site written: {index}")
        print_deliveries(report.deliveries)
    sys.exit(report.exit_status)


def _print_dry_run(report: RunReport) -> None:
    alerts, revised = len(report.alerts), len(report.revisions)
    if alerts or revised:
        click.echo(
            f"Dry run: {alerts} change{'s' if alerts != 1 else ''}"
            + (f" and {revised} revised alert{'s' if revised != 1 else ''}" if revised else "")
            + " would be reported"
            + (f"; the email it would send is in {report.preview}" if report.preview else "")
            + "."
        )
    click.echo("Dry run: no digest recorded, nothing marked reported, nothing queued or sent.")


def print_deliveries(outcomes: Sequence[DeliveryOutcome]) -> None:
    for outcome in outcomes:
        if outcome.report:
            continue
        state = "" if outcome.ok else f" ({outcome.delivery.state}, attempt {outcome.delivery.attempts})"
        click.echo(f"Digest #{outcome.delivery.digest_id} {outcome.delivery.channel}: {outcome.detail}{state}")


@main.command()
@click.option("--limit", default=10, show_default=True, help="How many recent runs to show.")
@click.option("--messages", "show_messages", is_flag=True, help="List every warning and error of each run.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of runs, with their messages.")
@csv_option("one row per run (with --messages: one row per message)")
@click.pass_obj
def runs(obj: dict, limit: int, show_messages: bool, as_json: bool, as_csv: bool) -> None:
    """List recent runs: when, as of which day, what was ingested, skipped and
    failed, and how many errors and warnings each had.

    \b
    Examples:
      tracker runs
      tracker runs --limit 3 --messages
      tracker runs --csv
    """
    only_one(as_json, as_csv)
    with opened(obj, create=False) as tracker:
        summaries = [terminal.RunSummary(record) for record in tracker.runs(limit)]
    if as_json:
        click.echo(json.dumps([r.as_json() for r in summaries], indent=2, ensure_ascii=False))
    elif as_csv and show_messages:
        message_rows = [[r.id, m] for r in summaries for m in r.messages]
        click.echo(terminal.to_csv(("run", "message"), message_rows), nl=False)
    elif as_csv:
        click.echo(terminal.to_csv(terminal.RUN_CSV, [r.csv_row() for r in summaries]), nl=False)
    else:
        screen = terminal.Screen()
        terminal.render_runs(screen, summaries, show_messages)
        show(screen)


@main.command()
@click.option("--time", "at", help="HH:MM every day, or a crontab line ('30 6 * * 1-5'); default from config: 06:00.")
@click.option("--timezone", "tz", help="Time zone of --time (default from config: UTC).")
@click.option(
    "--misfire-grace",
    default=6 * 3600,
    show_default=True,
    help="Seconds after a missed time within which the run is still made up when the scheduler is back.",
)
@click.pass_obj
def schedule(obj: dict, at: str | None, tz: str | None, misfire_grace: int) -> None:
    """Run the daily cycle at a fixed time, until stopped (SIGINT or SIGTERM).

    APScheduler keeps the job in the tracker's database: a run missed while
    the scheduler was stopped or the machine was off is made up once when it
    starts again (coalesced), never twice. Each run takes the run lock, so a
    second scheduler on the same database does not run at the same time.
    One log line per run. cron or a systemd timer calling `tracker run` does
    the same job (see the README).

    \b
    Examples:
      tracker schedule
      tracker schedule --time 07:30 --timezone Asia/Kolkata
      tracker schedule --time "0 6 * * 1-5"
    """
    import logging

    from tracker.scheduling import build_scheduler, run_until_stopped, trigger_for

    config = configuration(obj)
    when, zone = at or config.schedule_time, tz or config.timezone
    with reported():
        trigger = trigger_for(when, zone)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # httpx logs every request at INFO: the schedule's log keeps one line per run.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # The tables first: the job store's own table must not make a new database look populated.
    with suppress(Busy), opened(obj, lock="schedule"):
        pass  # (a run holding the lock has made them)
    config_path = str(obj["config_path"].resolve()) if obj["config_path"] else None
    with reported(config.database_url, doing="keep the schedule in"):
        scheduler = build_scheduler(config, trigger, config_path, obj["database_url"], misfire_grace)
    run_until_stopped(
        scheduler, lambda: click.echo(f"Running the daily cycle at {when} {zone}; Ctrl-C or SIGTERM stops.", err=True)
    )
    click.echo("Scheduler stopped.", err=True)

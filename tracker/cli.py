"""The command line: a thin shell over `tracker.pipeline` and `tracker.store`."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tracker import __version__
from tracker.catalogue import STATUSES, CatalogueError, load_catalogue, load_lexicon
from tracker.config import Config, ConfigError, load_config
from tracker.fetching import has_secret, redact
from tracker.lazy import lazy_module
from tracker.model import ChannelKind
from tracker.sanitize import strip_controls

if TYPE_CHECKING:
    from tracker.extraction import Rejection
    from tracker.model import ArticleDraft, RunRecord, SourceSpec
    from tracker.model import DeliveryOutcome as Outcome
    from tracker.pipeline import Context, RunReport
    from tracker.terminal import Screen

# Loaded on first use, so that `--help` (and a command that needs no parser,
# no templates, no database driver) starts without them.
terminal = lazy_module("tracker.terminal")
delivery = lazy_module("tracker.delivery")
extraction = lazy_module("tracker.extraction")
opml_files = lazy_module("tracker.opml")
pipeline = lazy_module("tracker.pipeline")
runlock = lazy_module("tracker.runlock")
source_files = lazy_module("tracker.sources")
storage = lazy_module("tracker.store")
versions = lazy_module("tracker.timeline.versions")


def _parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date of the form YYYY-MM-DD") from exc
    from tracker.days import out_of_range

    # A day no run could mean would be stored and break every later run's date arithmetic.
    why = out_of_range(day)
    if why is not None:
        raise click.BadParameter(why)
    return day


# Ids are the databases' 64-bit integers: a larger number names nothing, and would not even reach a query.
ROW_ID_MAX = 2**63 - 1


class RowId(click.ParamType):
    """An id given on the command line; one beyond any stored id is one line, as an unknown id is."""

    name = "integer"

    def __init__(self, noun: str) -> None:
        self.noun = noun

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        number: int = click.INT.convert(value, param, ctx)
        if number > ROW_ID_MAX:
            raise click.ClickException(f"no {self.noun} #{number} (ids go up to {ROW_ID_MAX})")
        return number


def _today(ctx: Context) -> date:
    """A run's day by default: today in the configured time zone, the clock feeds are dated on too."""
    from tracker.days import today_in

    return today_in(ctx.config.timezone)


def _warn(message: str) -> None:
    click.echo(strip_controls(message), err=True)


def _line(text: str) -> None:
    """One line of stored text (a source's name, address or error) to stdout, without control characters."""
    click.echo(strip_controls(text))


def _progress(drafts: Iterable[ArticleDraft]) -> Iterator[ArticleDraft]:
    # A count only where somebody watches (articles arrive as they are read: no total to show).
    if not sys.stderr.isatty():
        yield from drafts
        return
    with click.progressbar(drafts, label="Reading articles", file=sys.stderr, show_pos=True) as bar:
        yield from bar


def _shown_url(database_url: str) -> str:
    """The database URL as it may be printed: without its password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return make_url(database_url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        return database_url


def _load_config(obj: dict) -> Config:
    try:
        return load_config(obj["config_path"], {"database_url": obj["database_url"]})
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


@contextmanager
def _context(obj: dict, create: bool = True, upgrade: bool = False) -> Iterator[Context]:
    """The configured context; with `create` False (read-only commands) no database is made."""
    from sqlalchemy.exc import SQLAlchemyError

    config = _load_config(obj)
    try:
        ctx = pipeline.Context.open(config, create=create, upgrade=upgrade)
    except pipeline.NewerSchema as exc:
        raise click.ClickException(
            f"the database at {_shown_url(exc.database_url)} has a newer schema ({exc.revision}) than this"
            f" tracker knows; upgrade tracker to use it"
        ) from exc
    except pipeline.DamagedDatabase as exc:
        raise click.ClickException(
            f"the database at {_shown_url(exc.database_url)} is damaged ({exc.problem}); restore it from a backup"
        ) from exc
    except pipeline.OldSchema as exc:
        raise click.ClickException(
            f"the database at {_shown_url(exc.database_url)} has an older schema; upgrade it with `tracker init`"
        ) from exc
    except pipeline.NoDatabase as exc:
        raise click.ClickException(
            f"no tracker database at {_shown_url(exc.database_url)}; create it with `tracker init`"
            " (or point --database-url at the right one)"
        ) from exc
    except CatalogueError as exc:
        raise click.ClickException(str(exc)) from exc
    except ImportError as exc:
        raise click.ClickException(
            f"cannot open the database {_shown_url(config.database_url)}: its driver is not installed ({exc.name});"
            " for PostgreSQL: pip install 'tracker[postgres]'"
        ) from exc
    except SQLAlchemyError as exc:
        # A bad URL or a server that does not answer: one line, not a traceback.
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise click.ClickException(f"cannot open the database {_shown_url(config.database_url)}: {reason}") from exc
    _check_permissions(config)
    try:
        yield ctx
    except (extraction.GrammarError, CatalogueError) as exc:
        raise click.ClickException(str(exc)) from exc
    except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
        raise
    except Exception as exc:
        # A full disk, a locked or corrupted database, a server gone mid-run: one line, not a traceback
        # holding SQL and article text (the run is recorded as failed, with what it did by then).
        if os.environ.get("TRACKER_TRACEBACK"):
            raise
        raise click.ClickException(pipeline.describe_failure(exc)) from exc
    finally:
        ctx.close()


def _check_permissions(config: Config) -> None:
    """An existing database left readable by others is made owner-only; a configuration holding secrets
    that others can read is named (it is the user's file: they choose its mode)."""
    from tracker.fetching import has_secret
    from tracker.private import exposed, tighten

    if config.database_url.startswith("sqlite:///"):
        database = Path(config.database_url.removeprefix("sqlite:///").split("?", 1)[0])
        was = tighten(database)
        if was is not None:
            _warn(f"note: {database} was readable by others (mode {was:04o}); made readable by its owner only")
    if config.source and (any(has_secret(f.url) for f in config.feeds) or config.notify):
        mode = exposed(Path(config.source))
        if mode is not None:
            _warn(
                f"warning: {config.source} holds passwords or tokens and others can read it (mode {mode:04o});"
                f" chmod 600 {config.source}"
            )


class Busy(click.ClickException):
    """Another run holds the database: a distinct exit status for schedulers and scripts."""

    exit_code = 75  # EX_TEMPFAIL: try again later


@contextmanager
def _locked(obj: dict, command: str, shared: bool = False) -> Iterator[Context]:
    """The context of a command that writes: one such command per database at a time (workers share it)."""
    from sqlalchemy.exc import SQLAlchemyError

    config = _load_config(obj)
    with ExitStack() as stack:
        try:
            stack.enter_context(runlock.run_lock(config.database_url, command, config.lock_wait, shared=shared))
        except runlock.LockBusy as exc:
            raise Busy(f"another run is in progress: {exc}; waited {config.lock_wait:g}s, not running") from None
        except ImportError as exc:
            raise click.ClickException(
                f"cannot open the database {_shown_url(config.database_url)}: its driver is not installed ({exc.name})"
            ) from exc
        except (SQLAlchemyError, OSError) as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise click.ClickException(f"cannot lock the database {_shown_url(config.database_url)}: {reason}") from exc
        with _context(obj) as ctx:
            yield ctx


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tracker")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="TRACKER_CONFIG",
    help="TOML configuration file (default: ./tracker.toml when present).",
)
@click.option(
    "--database-url",
    envvar="TRACKER_DATABASE_URL",
    help="SQLAlchemy database URL (default: sqlite:///tracker.db in this folder).",
)
@click.pass_context
def main(ctx: click.Context, config_path: Path | None, database_url: str | None) -> None:
    """Follow a relationship's commitments in the news and report when their status changes.

    \b
    Examples:
      tracker run                          # one daily cycle on the seeds and configured sources
      tracker ingest articles/ feed.xml    # add articles by hand
      tracker status                       # where every commitment stands
      tracker history air-services         # every statement and change of one commitment
    """
    ctx.obj = {"config_path": config_path, "database_url": database_url}
    if database_url and ctx.get_parameter_source("database_url") is click.core.ParameterSource.COMMANDLINE:
        _warn_of_password_in_arguments(database_url)


def _warn_of_password_in_arguments(database_url: str) -> None:
    """A password on the command line is visible to every user of the machine (ps, /proc): say so."""
    from urllib.parse import urlsplit

    try:
        password = urlsplit(database_url).password
    except ValueError:
        password = None
    if password:
        _warn(
            "warning: --database-url carries a password, which other users of this machine can read in the"
            " process list; set TRACKER_DATABASE_URL (or database_url in a configuration file only you can read)"
        )


@main.command()
@click.pass_obj
def init(obj: dict) -> None:
    """Create the database or upgrade it to the newest schema.

    \b
    Examples:
      tracker init
      tracker --database-url postgresql+psycopg://tracker@localhost/tracker init
    """
    with _context(obj, upgrade=True) as ctx:
        click.echo(f"Database at {_shown_url(ctx.config.database_url)} is at the newest schema.")


def _print_report(report: RunReport, command: str) -> None:
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
        _line(f"Source {level}: {problem.name} (since {problem.since}, {times}): {problem.error}")
    click.echo(f"{report.new_changes} new status change{'s' if report.new_changes != 1 else ''} in the timeline.")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--as-of", callback=_parse_date, help="Ingest articles published up to this day (default: today).")
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
    with _locked(obj, "ingest") as ctx:
        report = pipeline.ingest_paths(ctx, list(paths), as_of or _today(ctx), progress=_progress, warn=_warn)
        _print_report(report, "Ingest")
    sys.exit(report.exit_status)


@main.command()
@click.option("--as-of", callback=_parse_date, help="The day the cycle runs for (default: today).")
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
        if not _load_config(obj).database_url.startswith("postgresql"):
            raise click.UsageError(
                "--worker shares a PostgreSQL database between processes; this database is not one: run without it"
            )
    with _locked(obj, "worker" if worker else "run", shared=worker) as ctx:
        if worker:
            import os
            import socket

            owner = f"{socket.gethostname()} pid {os.getpid()}"
            report = pipeline.run_worker(ctx, as_of or _today(ctx), owner, warn=_warn)
        else:
            report = pipeline.run_cycle(
                ctx, as_of or _today(ctx), always=always, progress=_progress, warn=_warn, dry_run=dry_run
            )
        _print_report(report, "Worker" if worker else "Run")
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
        _print_deliveries(report.deliveries)
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


def _print_deliveries(outcomes: Sequence[Outcome]) -> None:
    for outcome in outcomes:
        if outcome.report:
            continue
        state = "" if outcome.ok else f" ({outcome.delivery.state}, attempt {outcome.delivery.attempts})"
        click.echo(f"Digest #{outcome.delivery.digest_id} {outcome.delivery.channel}: {outcome.detail}{state}")


def _status_label(status: str | None) -> str:
    return status.replace("_", " ") if status else "—"


def _csv_option(what: str):  # type: ignore[no-untyped-def]
    return click.option("--csv", "as_csv", is_flag=True, help=f"Print {what} as CSV (formula-like cells neutralised).")


def _only_one(as_json: bool, as_csv: bool) -> None:
    if as_json and as_csv:
        raise click.UsageError("--json and --csv are alternatives; give one")


def _show(screen: Screen) -> None:
    click.echo(screen.text(), nl=False)


@main.command()
@click.option(
    "--json", "as_json", is_flag=True, help="Print JSON: {commitment_id: {status, since, evidence, source_url}}."
)
@_csv_option("one row per commitment")
@click.pass_obj
def status(obj: dict, as_json: bool, as_csv: bool) -> None:
    """Show each commitment's current status, since when, and the evidence.

    \b
    Examples:
      tracker status
      tracker status --json
      tracker status --csv > status.csv
    """
    _only_one(as_json, as_csv)
    with _context(obj, create=False) as ctx:
        latest = pipeline.current_statuses(ctx.views, corroborated=False)
        if as_json:
            payload = {
                c.id: {
                    "title": c.title,
                    "status": latest[c.id].to_status if c.id in latest else None,
                    "since": latest[c.id].date.isoformat() if c.id in latest else None,
                    "evidence": latest[c.id].evidence if c.id in latest else None,
                    "source_url": latest[c.id].source_url if c.id in latest else None,
                }
                for c in ctx.catalogue.commitments
            }
            click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
            return
        commitments = [(c.id, c.title) for c in ctx.catalogue.commitments]
        if as_csv:
            click.echo(terminal.to_csv(terminal.STATUS_CSV, terminal.status_rows(commitments, latest)), nl=False)
            return
        screen = terminal.Screen()
        terminal.render_status(screen, commitments, latest)
        _show(screen)


@main.command()
@click.option("--since", callback=_parse_date, help="Only changes dated on or after this day.")
@click.option("--limit", type=click.IntRange(min=1), help="Only the newest N changes (still listed oldest first).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of changes.")
@_csv_option("one row per change")
@click.pass_obj
def changes(obj: dict, since: date | None, limit: int | None, as_json: bool, as_csv: bool) -> None:
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
    _only_one(as_json, as_csv)
    with _context(obj, create=False) as ctx:
        rows = ctx.views.changes(since=since, limit=limit)
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
        terminal.render_changes(screen, rows, {c.id: c.title for c in ctx.catalogue.commitments})
        _show(screen)


# What `tracker history` shows on the screen unless told otherwise: the newest statements and changes.
HISTORY_ON_SCREEN = 100


class _HistoryCommand(click.Command):
    """`tracker history --help` ends with the ids of the configured catalogue."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        obj = ctx.find_root().obj or {}
        try:
            catalogue = load_catalogue(_load_config(obj).catalogue)
        except (click.ClickException, CatalogueError):
            return
        with formatter.section("Commitment ids"):
            formatter.write_dl([(c.id, c.title) for c in catalogue.commitments])


@main.command(cls=_HistoryCommand)
@click.argument("commitment_id")
@click.option("--since", callback=_parse_date, help="Only statements and changes dated on or after this day.")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    help=f"Only the newest N statements and changes (the screen shows the newest {HISTORY_ON_SCREEN} unless --all).",
)
@click.option("--all", "show_all", is_flag=True, help="On the screen, every statement, however many.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {commitment, statements, changes}.")
@_csv_option("one row per statement")
@click.pass_obj
def history(
    obj: dict,
    commitment_id: str,
    since: date | None,
    limit: int | None,
    show_all: bool,
    as_json: bool,
    as_csv: bool,
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
    """
    _only_one(as_json, as_csv)
    on_screen = not (as_json or as_csv or show_all)
    if limit is None and on_screen:
        limit = HISTORY_ON_SCREEN
    with _context(obj, create=False) as ctx:
        commitment = ctx.catalogue.get(commitment_id)
        if commitment is None:
            raise click.ClickException(f"unknown commitment {commitment_id!r}; known: {', '.join(ctx.catalogue.ids)}")
        statements = ctx.store.statements(commitment_id, since=since, limit=limit)
        rows = ctx.views.changes(since=since, commitment_id=commitment_id, limit=limit)
        earlier = ctx.store.count_statements(commitment_id, since=since) - len(statements) if limit else 0
        found = versions.divergences(statements, ctx.catalogue, ctx.official_domains)
        reviews = ctx.store.reviews(commitment_id)
        if as_json:
            payload = {
                "commitment": commitment_id,
                "title": commitment.title,
                "statements": [s.as_json() for s in statements],
                "changes": [c.as_json() for c in rows],
                "divergences": [d.as_json() for d in found],
                "reviews": [r.as_json() for r in reviews],
            }
            click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
            return
        entries = terminal.history_entries(statements, rows, found, reviews, ctx.catalogue.labels)
        if as_csv:
            click.echo(terminal.to_csv(terminal.HISTORY_CSV, [e.csv_row() for e in entries]), nl=False)
            return
        screen = terminal.Screen()
        terminal.render_history(screen, commitment.title, commitment_id, entries, ctx.catalogue.labels)
        _show(screen)
        if earlier > 0 and on_screen:
            click.echo(
                f"{earlier} earlier statement{'s' if earlier != 1 else ''} not shown:"
                " --all, --since DAY or --limit N show more."
            )


@main.command()
@click.option("--limit", default=10, show_default=True, help="How many recent runs to show.")
@click.option("--messages", "show_messages", is_flag=True, help="List every warning and error of each run.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of runs, with their messages.")
@_csv_option("one row per run (with --messages: one row per message)")
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
    _only_one(as_json, as_csv)
    with _context(obj, create=False) as ctx:
        rows, dead = _runs_and_the_dead(ctx, limit)
        summaries = [
            terminal.RunSummary(
                replace(
                    row,
                    state="interrupted"
                    if row.id in dead
                    else row.state or ("finished" if row.finished_at else "interrupted"),
                )
            )
            for row in rows
        ]
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
        _show(screen)


def _runs_and_the_dead(ctx: Context, limit: int) -> tuple[list[RunRecord], set[int]]:
    """The recent runs, and those still marked running that no process runs any more.

    A run killed, or cut off from its database server, cannot record its end; the next run marks
    it interrupted. Until then the free run lock says it: no run can be live without holding it.
    """
    from sqlalchemy.exc import SQLAlchemyError

    rows = ctx.store.runs(limit)
    if not any(row.state == "running" for row in rows):
        return rows, set()
    lock = runlock.run_lock(ctx.config.database_url, "runs", 0)
    with suppress(runlock.LockBusy, SQLAlchemyError, OSError), lock:
        rows = ctx.store.runs(limit)  # read again under the lock: one that just finished is finished
        return rows, {row.id for row in rows if row.state == "running"}
    return rows, set()


@main.group(invoke_without_command=True)
@click.option("--limit", default=20, show_default=True, help="How many changes to list.")
@click.option("--json", "as_json", is_flag=True, help="Print the changes awaiting review as a JSON list.")
@_csv_option("one row per change awaiting review")
@click.pass_context
def review(click_ctx: click.Context, limit: int, as_json: bool, as_csv: bool) -> None:
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
    _only_one(as_json, as_csv)
    with _context(click_ctx.obj, create=False) as ctx:
        rows = ctx.views.awaiting_review(limit)
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
        terminal.render_changes(screen, rows, {c.id: c.title for c in ctx.catalogue.commitments})
        screen.line("Confirm or reject one by its #: tracker review confirm|reject ID [--note TEXT]")
        _show(screen)


def _reviewer(ctx: Context, by: str | None) -> str:
    import getpass

    name = by or ctx.config.reviewer
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = ""
    if not name.strip():
        raise click.ClickException("who is reviewing? give --by NAME or set reviewer in the configuration")
    return strip_controls(name).strip()


def _decide(obj: dict, kind: str, change_id: int, note: str, by: str | None) -> None:
    with _context(obj, create=False) as ctx:
        try:
            decision = ctx.store.review_change(kind, change_id, _reviewer(ctx, by), note)
        except storage.AlreadyReviewed as exc:
            earlier = exc.earlier
            click.echo(
                f"Change #{change_id} was already {earlier.kind}ed by {strip_controls(earlier.reviewer)}"
                f" on {earlier.created_at:%Y-%m-%d}; nothing recorded."
            )
            return
        except storage.ReviewError as exc:
            raise click.ClickException(str(exc)) from exc
        new = pipeline.after_review(ctx, decision.commitment_id)
        verb = "Confirmed" if kind == "confirm" else "Rejected"
        click.echo(
            f"{verb} change #{change_id} of {decision.commitment_id} ({decision.day}: "
            f"{_status_label(decision.status)}) as {decision.reviewer}."
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
    _decide(obj, "confirm", change_id, note, by)


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
    _decide(obj, "reject", change_id, note, by)


@review.command("set")
@click.argument("commitment_id")
@click.argument("status", type=click.Choice(list(STATUSES)))
@click.option("--date", "day", callback=_parse_date, required=True, help="The day the status holds from.")
@click.option("--note", required=True, help="The analyst's evidence: kept as the statement's text.")
@_by_option
@click.pass_obj
def review_set(obj: dict, commitment_id: str, status: str, day: date, note: str, by: str | None) -> None:
    """Set a commitment's status as of a day: a statement of its own, with the analyst as source.

    \b
    Examples:
      tracker review set air-services implemented --date 2025-10-26 --note "first flight landed in Kolkata"
    """
    with _context(obj, create=False) as ctx:
        if ctx.catalogue.get(commitment_id) is None:
            raise click.ClickException(f"unknown commitment {commitment_id!r}; known: {', '.join(ctx.catalogue.ids)}")
        from tracker.timeline.fold import next_status

        current = pipeline.current_statuses(ctx.views, corroborated=False).get(commitment_id)
        if current is not None and current.date <= day and next_status(current.to_status, status) is None:
            # Folded by the rules of change it would be a reaffirmation: stored, it would change nothing.
            same = current.to_status == status
            raise click.ClickException(
                f"{commitment_id} stands at {_status_label(current.to_status)} since {current.date}"
                f" (change #{current.id}); setting {_status_label(status)} "
                + ("restates it" if same else "below it on the ladder would be a reaffirmation")
                + " and changes nothing. "
                + (
                    f"To confirm it: tracker review confirm {current.id}"
                    if same
                    else f"To lower it, reject the change that raised it: tracker review reject {current.id} --note ..."
                )
            )
        decision = ctx.store.review_set(commitment_id, status, day, _reviewer(ctx, by), note)
        new = pipeline.after_review(ctx, commitment_id)
        click.echo(
            f"Set {commitment_id} to {_status_label(status)} from {day} as {decision.reviewer}; "
            f"{new} new change{'s' if new != 1 else ''} in the timeline."
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

    with _context(obj, create=False) as ctx:
        articles = ctx.store.reviewed_articles()
    try:
        written = export_reviews(articles, folder)
    except source_files.SourceError as exc:
        raise click.ClickException(str(exc)) from exc
    decisions = sum(len(a.statements) for a in articles)
    click.echo(f"Wrote {written} reviewed articles ({decisions} decisions) to {strip_controls(str(folder))}.")
    if written:
        click.echo(f"Measure the reader on them: tracker eval {strip_controls(str(folder))}")


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
@click.pass_obj
def export(obj: dict, fmt: str, what: str) -> None:
    """Export commitments (where each stands), every statement, the status
    changes or the analyst reviews, as JSON or CSV. CSV cells that a
    spreadsheet would read as a formula (=, +, -, @) are neutralised.

    \b
    Examples:
      tracker export --what changes --format csv > changes.csv
      tracker export --what statements --format json
    """
    with _context(obj, create=False) as ctx:
        click.echo(terminal.export(ctx.views, ctx.catalogue, what, fmt), nl=False)


@main.group()
def sources() -> None:
    """Manage the feeds and folders the daily run follows.

    Feeds and folders in the configuration file are followed too (and listed
    here); remove those from the file. Credentials belong in the
    configuration (a `user:pass@` URL or username/password keys), never in
    the database: a URL carrying a secret is refused here.

    \b
    Examples:
      tracker sources add https://www.mea.gov.in/rss.xml --name MEA --official
      tracker sources list
      tracker sources import subscriptions.opml
      tracker sources export > subscriptions.opml
      tracker sources remove MEA
    """


@sources.command(name="add")
@click.argument("url")
@click.option("--name", help="The outlet's name (default: the feed's own title).")
@click.option("--official", is_flag=True, help="An official source (weighs more in corroboration).")
@click.option("--full-text/--no-full-text", default=None, help="Fetch linked pages of short entries (default: config).")
@click.option("--no-check", is_flag=True, help="Do not fetch the feed once to see what it answers.")
@click.pass_obj
def sources_add(obj: dict, url: str, name: str | None, official: bool, full_text: bool | None, no_check: bool) -> None:
    """Follow a feed (an http(s) URL) or a folder of article files.

    A feed is fetched once as it is added, and what came back is said (an
    address that answers 404, or a page that is no feed, is still followed,
    with a warning).

    \b
    Examples:
      tracker sources add https://example.org/relations.rss --name "Example wire"
      tracker sources add incoming/
      tracker sources add https://example.org/later.rss --no-check   # offline
    """
    spec = _source_spec(url, name, official, full_text)
    trial = None
    if spec.kind == storage.SourceKind.FEED and not no_check:
        trial = pipeline.try_feed(_load_config(obj), url)
    with _context(obj) as ctx:
        view, created = ctx.store.add_source(spec)
    verb = "Following" if created else "Already following"
    _line(f"{verb} {view.kind.value} #{view.id}: {view.name} ({view.location})")
    if trial is not None and trial.ok:
        _line(f"Tried it now: {trial.detail}.")
    elif trial is not None:
        _warn(
            f"warning: {redact(url)}: tried it now: {trial.detail}; followed all the same:"
            f" check the address, or stop with `tracker sources remove {view.id}`"
        )


def _source_spec(url: str, name: str | None, official: bool, full_text: bool | None) -> SourceSpec:
    if url.startswith(("http://", "https://")):
        if has_secret(url):
            raise click.ClickException(
                f"{redact(url)}: this URL carries a secret, which the database would keep in clear;"
                " put the feed in the configuration file (feeds = [{ url = ..., username = ..., password = ... }])"
            )
        kind, location = storage.SourceKind.FEED, url
    else:
        path = Path(url).expanduser()
        if not path.is_dir():
            raise click.ClickException(f"{url}: neither an http(s) feed URL nor a folder")
        kind, location = storage.SourceKind.FOLDER, str(path.resolve())
        name = name or path.resolve().name
    return storage.SourceSpec(kind, location, name or location, official, full_text, named=name is not None)


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "—"


@sources.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of sources.")
@click.pass_obj
def sources_list(obj: dict, as_json: bool) -> None:
    """List followed feeds and folders: last fetch, HTTP status, error, failures in a row, articles, next fetch.

    \b
    Examples:
      tracker sources list
      tracker sources list --json
    """
    with _context(obj, create=False) as ctx:
        ctx.store.sync_config_sources(pipeline.source_specs(ctx.config), [str(p) for p in ctx.config.folders])
        rows = ctx.store.subscriptions()
    if as_json:
        click.echo(json.dumps([r.as_json() for r in rows], indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("No sources followed; add one with `tracker sources add URL`.")
    for r in rows:
        flags = [r.kind.value] + (["official"] if r.official else []) + (["config"] if r.from_config else [])
        state = "enabled" if r.enabled else f"disabled: {r.disabled_reason}"
        _line(f"#{r.id} {r.name} [{', '.join(flags)}] {state}")
        _line(f"    {r.location}" + (f" → {r.url}" if r.url else ""))
        if r.kind == storage.SourceKind.FEED:
            status = str(r.last_status) if r.last_status is not None else "—"
            click.echo(
                f"    last fetch {_when(r.last_fetch_at)} (HTTP {status}), {r.failures} failure"
                f"{'s' if r.failures != 1 else ''} in a row, {r.articles} articles, next fetch "
                + (_when(r.next_fetch_at) if r.next_fetch_at else "next run")
            )
        else:
            click.echo(f"    {r.articles} articles")
        if r.last_error:
            _line(f"    error: {r.last_error}")


@sources.command(name="remove")
@click.argument("source")
@click.pass_obj
def sources_remove(obj: dict, source: str) -> None:
    """Stop following a source, named by its number, URL or name; its articles stay.

    \b
    Examples:
      tracker sources remove 3
      tracker sources remove https://example.org/relations.rss
    """
    with _context(obj, create=False) as ctx:
        found = ctx.store.find_source(source)
        if found is None:
            raise click.ClickException(f"no followed source {source!r}; see `tracker sources list`")
        if found.from_config and found.enabled:
            raise click.ClickException(
                f"{found.location} is in the configuration file {ctx.config.source}; remove it there"
            )
        ctx.store.remove_source(str(found.id))
    _line(f"No longer following #{found.id}: {found.name} ({found.location})")


@sources.command(name="import")
@click.argument("opml", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def sources_import(obj: dict, opml: Path) -> None:
    """Follow every feed of an OPML file (as feed readers export it).

    \b
    Examples:
      tracker sources import subscriptions.opml
    """
    try:
        outlines = opml_files.read_opml(opml.read_bytes(), str(opml))
    except source_files.SourceError as exc:
        raise click.ClickException(str(exc)) from exc
    added = known = refused = 0
    with _context(obj) as ctx:
        for outline in outlines:
            if has_secret(outline.url):
                refused += 1
                _warn(f"warning: {opml}: {redact(outline.url)} carries a secret; put it in the configuration file")
                continue
            spec = storage.SourceSpec(
                storage.SourceKind.FEED, outline.url, outline.title or outline.url, named=bool(outline.title)
            )
            _, created = ctx.store.add_source(spec)
            added, known = added + created, known + (not created)
    click.echo(
        f"Imported {opml}: {added} feed{'s' if added != 1 else ''} added, {known} already followed"
        + (f", {refused} refused" if refused else "")
        + "."
    )


@sources.command(name="export")
@click.pass_obj
def sources_export(obj: dict) -> None:
    """Print the followed feeds as OPML (secrets redacted).

    \b
    Examples:
      tracker sources export > subscriptions.opml
    """
    with _context(obj, create=False) as ctx:
        ctx.store.sync_config_sources(pipeline.source_specs(ctx.config), [str(p) for p in ctx.config.folders])
        rows = [r for r in ctx.store.subscriptions() if r.kind == storage.SourceKind.FEED and r.enabled]
    click.echo(opml_files.write_opml([opml_files.OpmlOutline(r.url or r.location, r.name) for r in rows]), nl=False)


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

    from sqlalchemy.exc import SQLAlchemyError

    from tracker.scheduling import ScheduleError, build_scheduler, run_until_stopped, trigger_for

    config = _load_config(obj)
    when, zone = at or config.schedule_time, tz or config.timezone
    try:
        trigger = trigger_for(when, zone)
    except ScheduleError as exc:
        raise click.ClickException(str(exc)) from exc
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # httpx logs every request at INFO: the schedule's log keeps one line per run.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # The tables first: the job store's own table must not make a new database look populated.
    with suppress(Busy), _locked(obj, "schedule"):
        pass  # (a run holding the lock has made them)
    config_path = str(obj["config_path"].resolve()) if obj["config_path"] else None
    try:
        scheduler = build_scheduler(config, trigger, config_path, obj["database_url"], misfire_grace)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise click.ClickException(f"cannot keep the schedule in {_shown_url(config.database_url)}: {reason}") from exc
    run_until_stopped(
        scheduler, lambda: click.echo(f"Running the daily cycle at {when} {zone}; Ctrl-C or SIGTERM stops.", err=True)
    )
    click.echo("Scheduler stopped.", err=True)


@main.command(name="eval")
@click.argument("corpus_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the figures and errors as JSON.")
@click.option("--errors/--no-errors", default=True, show_default=True, help="List the errors themselves.")
@click.option("--min-statement-f1", type=float, help="Fail (exit 1) when statement F1 is below this.")
@click.option("--min-change-precision", type=float, help="Fail when change-event precision is below this.")
@click.option("--min-change-recall", type=float, help="Fail when change-event recall is below this.")
@click.option("--min-final-accuracy", type=float, help="Fail when final-status accuracy is below this.")
@click.option(
    "--from", "start", callback=_parse_date, help="Read only the articles dated from this day (the later part)."
)
@click.option("--until", "end", callback=_parse_date, help="Read only the articles dated up to this day.")
@click.option(
    "--folds",
    type=click.IntRange(min=2, max=20),
    help="Also read the corpus in this many folds of whole stories (articles sharing a sentence go together).",
)
@click.pass_obj
def eval_(
    obj: dict,
    corpus_dir: Path,
    as_json: bool,
    errors: bool,
    min_statement_f1: float | None,
    min_change_precision: float | None,
    min_change_recall: float | None,
    min_final_accuracy: float | None,
    start: date | None,
    end: date | None,
    folds: int | None,
) -> None:
    """Measure extraction and change detection on a labelled corpus.

    CORPUS_DIR holds articles/<id>.txt and labels.json. The corpus is ingested
    day by day into a temporary database (the configured one is not touched);
    statement and change-event precision, recall and F1, final-status accuracy
    and the errors are printed beside a keyword baseline's figures.

    \b
    Examples:
      tracker eval tests/corpus
      tracker eval tests/corpus --json --no-errors
      tracker eval tests/corpus --min-statement-f1 0.9 --min-change-precision 0.95
      tracker eval CORPUS --from 2025-07-01      # the later articles alone
      tracker eval CORPUS --folds 5 --no-errors  # and in five folds by story

    --from and --until read only the articles of those days, as a corpus of
    their own (a desk that starts on that day). --folds reads each fold of
    whole stories as a corpus of its own and pools the figures.
    """
    from tracker.evaluation import evaluate, evaluate_folds, format_held_out, format_report, load_corpus, within

    config = _load_config(obj)
    try:
        catalogue = load_catalogue(config.catalogue)
        corpus = within(load_corpus(corpus_dir, catalogue), start, end)
    except (CatalogueError, source_files.SourceError) as exc:
        raise click.ClickException(str(exc)) from exc
    if not corpus:
        raise click.ClickException(f"{corpus_dir}: no labelled article dated within the days asked for")
    result = evaluate(corpus, catalogue, config)
    held = evaluate_folds(corpus, catalogue, config, folds) if folds else None
    if as_json:
        payload = result.as_json()
        if not errors:
            payload["tracker"].pop("errors", None)
        if held is not None:
            payload["held_out"] = held.as_json()
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        click.echo(format_report(result, errors=errors))
        if held is not None:
            click.echo("")
            click.echo(format_held_out(held))
    t = result.tracker
    failures = [
        f"{name} {value:.3f} < {floor}"
        for name, value, floor in (
            ("statement F1", t.statements.f1, min_statement_f1),
            ("change precision", t.changes.precision, min_change_precision),
            ("change recall", t.changes.recall, min_change_recall),
            ("final-status accuracy", t.final_accuracy, min_final_accuracy),
        )
        if floor is not None and value < floor
    ]
    if failures:
        raise click.ClickException("below threshold: " + "; ".join(failures))


@main.command()
@click.argument("text", required=False)
@click.option("--article", "article_key", metavar="ID|URL", help="Read a stored article again (its # or its URL).")
@click.option(
    "--file",
    "article_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read an article file (title line, blank line, body).",
)
@click.option("--date", "published", callback=_parse_date, help="Publication date of the text (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {statements: [...], not_taken: [...]}.")
@_csv_option("one row per statement or mention not taken")
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
    _only_one(as_json, as_csv)
    if sum(x is not None for x in (text, article_key, article_file)) != 1:
        raise click.UsageError("give one of TEXT, --article ID|URL or --file PATH")
    config = _load_config(obj)
    title = ""
    if article_key is not None:
        with _context(obj, create=False) as ctx:
            key = article_key.strip()
            beyond = key.isdigit() and not (key.isascii() and int(key) <= ROW_ID_MAX)  # names no row; not a URL either
            stored = None if beyond else ctx.store.stored_article(key)
        if stored is None:
            raise click.ClickException(f"no stored article {article_key!r} (an article's # or its URL)")
        text, title, published = stored.full_text, stored.title, published or stored.published
    elif article_file is not None:
        try:
            draft = source_files.read_article_file(article_file, None, lambda _message: None)
        except source_files.SourceError as exc:
            raise click.ClickException(str(exc)) from exc
        text, title, published = draft.full_text, draft.title, published or draft.published
    assert text is not None
    try:
        catalogue, lexicon = load_catalogue(config.catalogue), load_lexicon(config.lexicon)
    except CatalogueError as exc:
        raise click.ClickException(str(exc)) from exc
    rejections: list[Rejection] = []
    try:
        statements = extraction.extract_statements(
            text,
            published or date.today(),
            catalogue,
            lexicon,
            title=title,
            rejections=rejections,
            nlp_model=config.nlp_model,
        )
    except extraction.GrammarError as exc:
        raise click.ClickException(str(exc)) from exc
    taken = {(s.commitment_id, s.sentence_index) for s in statements}
    not_taken = [r for r in rejections if (r.commitment_id, r.sentence_index) not in taken]
    if as_json or as_csv:
        found = [
            {
                "commitment": s.commitment_id,
                "status": s.status,
                "actor": s.actor,
                "confidence": s.confidence,
                "rule": s.rule,
                "attribution": s.attribution,
                "path": s.path,
                "evidence": s.evidence,
            }
            for s in statements
        ]
        missed = [
            {"commitment": r.commitment_id, "reason": r.describe(), "path": r.path, "evidence": r.evidence}
            for r in not_taken
        ]
        if as_json:
            click.echo(json.dumps({"statements": found, "not_taken": missed}, indent=2, ensure_ascii=False))
            return
        headers = ("kind", "commitment", "status", "actor", "confidence", "rule", "attribution", "reason", "evidence")
        rows = [["statement", *(f[k] for k in headers[1:7]), "", f["evidence"]] for f in found]
        rows += [["not taken", m["commitment"], "", "", "", "", "", m["reason"], m["evidence"]] for m in missed]
        click.echo(terminal.to_csv(headers, rows), nl=False)
        return
    clean = strip_controls
    for s in statements:
        click.echo(
            f"statement: {s.commitment_id} {_status_label(s.status)} (actor {s.actor}, "
            f"confidence {s.confidence:.0%}, rule {s.rule}"
            + (f", according to {clean(s.attribution)}" if s.attribution else "")
            + ")"
        )
        click.echo(f"    “{clean(s.evidence)}”")
        if s.path:
            click.echo(f"    how: {clean(s.path)}")
    for r in not_taken:
        click.echo(f"not taken: {r.commitment_id}: {clean(r.describe())}" + (f" [{clean(r.path)}]" if r.path else ""))
        click.echo(f"    “{clean(r.evidence)}”")
    if not statements and not rejections:
        click.echo("No tracked commitment is named.")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@main.group(name="catalogue")
def catalogue_group() -> None:
    """Check a catalogue of commitments before following it.

    \b
    Examples:
      tracker catalogue check my-pair.toml
      tracker catalogue check my-pair.toml --articles sample/
    """


@catalogue_group.command(name="check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--articles",
    "articles_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder of .txt articles (title, blank line, body), or a corpus folder with articles/.",
)
def catalogue_check(file: Path, articles_dir: Path | None) -> None:
    """Load a catalogue and compile every phrase; with --articles, count the
    articles each commitment's phrases match.

    A catalogue that does not load (a phrase that does not compile, a
    duplicate id, an unknown key) is one line naming the file, the commitment
    and the field, and exit status 1. With articles, a phrase that matches no
    article, or nearly every one, is a warning: it names nothing the folder
    says, or it finds the relationship rather than the commitment.

    \b
    Examples:
      tracker catalogue check my-pair.toml
      tracker catalogue check my-pair.toml --articles sample/
    """
    from tracker import catalogue_check as checks

    try:
        catalogue = load_catalogue(file)
    except CatalogueError as exc:
        raise click.ClickException(strip_controls(str(exc))) from None
    sides = " and ".join(catalogue.labels.values())
    _line(
        f"{file}: {catalogue.relationship_title} ({catalogue.relationship_id}), {sides}:"
        f" {_count(len(catalogue.commitments), 'commitment')}, {_count(checks.phrase_count(catalogue), 'phrase')}"
        " compiled"
    )
    if articles_dir is None:
        return
    articles = checks.read_articles(articles_dir)
    _line(f"{_count(len(articles), 'article')} in {checks.article_folder(articles_dir)}")
    counts = checks.count_matches(catalogue, articles)
    for count in counts:
        _line(f"{count.commitment.id}: {count.articles} of {_count(len(articles), 'article')}")
        for phrase in count.phrases:
            _line(f"  {phrase.field}[{phrase.index}] {phrase.phrase!r}: {phrase.articles}")
    for concern in checks.concerns(counts):
        _warn(f"warning: {concern}")


@main.group()
def digest() -> None:
    """Stored digests: print one, or send what is still queued.

    \b
    Examples:
      tracker digest show
      tracker digest send
    """


@digest.command(name="show")
@click.argument("digest_id", type=RowId("digest"), required=False)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "md", "html", "json", "eml"]), default="text", show_default=True
)
@click.pass_obj
def digest_show(obj: dict, digest_id: int | None, fmt: str) -> None:
    """Print a stored digest (the latest without DIGEST_ID), as it was built.

    \b
    Examples:
      tracker digest show
      tracker digest show 3 --format md
    """
    from tracker.delivery.email import as_eml, build_message
    from tracker.delivery.files import render_report
    from tracker.digest import template_environment

    with _context(obj, create=False) as ctx:
        stored = ctx.store.stored_digest(digest_id)
        if stored is None:
            raise click.ClickException("no digest recorded yet" if digest_id is None else f"no digest #{digest_id}")
        if stored.payload is None:
            raise click.ClickException(f"digest #{stored.id} was recorded before digests kept their content")
        if fmt == "text":
            env = template_environment(ctx.config.templates_dir)
            click.echo(env.get_template("email.txt.j2").render(digest=stored.payload), nl=False)
        elif fmt == "eml":
            if ctx.config.email is None:
                raise click.ClickException("--format eml needs [email] configured (sender and recipients)")
            click.echo(as_eml(build_message(stored, ctx.config.email, ctx.config.templates_dir)).decode(), nl=False)
        else:
            click.echo(render_report(stored.payload, ctx.config.templates_dir)[fmt])


@digest.command(name="send")
@click.option("--dry-run", is_flag=True, help="Write each queued email as a .eml file instead of sending it.")
@click.option(
    "--resend",
    "resend",
    type=RowId("delivery"),
    multiple=True,
    metavar="DELIVERY_ID",
    help="Queue an interrupted or sent delivery again first (see tracker outbox); same Message-ID.",
)
@click.pass_obj
def digest_send(obj: dict, dry_run: bool, resend: tuple[int, ...]) -> None:
    """Deliver every queued or failed digest now (files, email, notifications).

    A delivery that a run left interrupted (the server may have it) is sent
    again only when named with --resend.

    \b
    Examples:
      tracker digest send
      tracker digest send --dry-run
      tracker digest send --resend 4
    """
    with _locked(obj, "send") as ctx:
        known = {d.id for d in ctx.store.deliveries()}
        for delivery_id in resend:
            if delivery_id not in known:
                raise click.ClickException(f"no delivery #{delivery_id}; see tracker outbox")
            ctx.store.requeue(delivery_id)
        outcomes = delivery.deliver(ctx.store, ctx.config, dry_run=dry_run, retry_failed=True, warn=_warn)
        if not outcomes:
            click.echo("Nothing queued.")
        for outcome in outcomes:
            state = "" if outcome.ok else f" ({outcome.delivery.state}, attempt {outcome.delivery.attempts})"
            paths = f": {', '.join(str(p) for p in outcome.paths)}" if outcome.report else ""
            click.echo(
                f"Digest #{outcome.delivery.digest_id} {outcome.delivery.channel}: {outcome.detail}{paths}{state}"
            )
        if any(not o.ok for o in outcomes):
            sys.exit(1)


@main.command()
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice(["queued", "sending", "interrupted", "failed", "sent"]),
    help="Only deliveries in this state (repeatable).",
)
@click.pass_obj
def outbox(obj: dict, states: tuple[str, ...]) -> None:
    """List deliveries: each digest per channel, queued, failed or sent, with attempts and the last error.

    \b
    Examples:
      tracker outbox
      tracker outbox --state queued --state failed
    """
    with _context(obj, create=False) as ctx:
        rows = ctx.store.deliveries(list(states) or None)
        if not rows:
            click.echo("The outbox is empty.")
        for row in rows:
            when = f" at {row.sent_at:%Y-%m-%d %H:%M}" if row.sent_at else ""
            click.echo(
                f"#{row.id} digest #{row.digest_id} ({row.as_of}) {row.channel:<20} {row.state:<11}"
                f" {row.attempts} attempt{'s' if row.attempts != 1 else ''}{when}"
                + (f" {row.message_id}" if row.message_id else "")
            )
            if row.last_error and row.state != "sent":
                click.echo(f"    {row.last_error}")


@main.command(name="test-send")
# The kinds that send a message somewhere (the report files have nothing to try).
@click.argument("channel", required=False, type=click.Choice([ChannelKind.EMAIL.value, ChannelKind.NOTIFY.value]))
@click.pass_obj
def test_send_(obj: dict, channel: str | None) -> None:
    """Send a sample digest through each configured channel (or CHANNEL) and say what happened.

    Nothing is recorded; the sample is built from the current timeline.

    \b
    Examples:
      tracker test-send
      tracker test-send email
    """
    from tracker.digest import build_digest
    from tracker.model import RunCounts

    with _context(obj, create=False) as ctx:
        current = pipeline.current_statuses(ctx.views)
        sample = build_digest(
            list(current.values())[:3], current, ctx.catalogue, date.today(), None, RunCounts(0, 0, 0)
        )
        # Bare: every configured channel, and only those (a desk with email alone has no notify to fail).
        configured = delivery.testable_kinds(ctx.config, ctx.store)
        if channel is None and not configured:
            raise click.ClickException(
                "no channel configured: add an [email] table or notify = [...] Apprise URLs to the configuration"
            )
        chosen = [channel] if channel else configured
        results = [r for name in chosen for r in delivery.test_send(ctx.config, ctx.store, name, sample)]
    for name, ok, detail in results:
        click.echo(f"{name}: {'ok' if ok else 'FAILED'}: {detail}")
    if not all(ok for _, ok, _ in results):
        sys.exit(1)

"""The one error mapping of the command line: what goes wrong, as one `Error: …` line and an exit status.

Every command reports through `reported`: the library's refusals, a
database that cannot be opened or locked, a catalogue, grammar, source or
schedule that does not load. Inside a command working on the database
(`describe` True) anything else is one line too, not a traceback holding
SQL and article text (TRACKER_TRACEBACK=1 shows the traceback).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from tracker.catalogue import CatalogueError
from tracker.config import ConfigError
from tracker.sanitize import strip_controls


class Busy(click.ClickException):
    """Another run holds the database: a distinct exit status for schedulers and scripts."""

    exit_code = 75  # EX_TEMPFAIL: try again later


def _reason(exc: BaseException) -> str:
    """A database error's first line, the driver's own where there is one."""
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def _loaded_class(module: str, name: str) -> type | None:
    """A class of a module already imported: an exception of a module never imported cannot have been raised."""
    return getattr(sys.modules.get(module), name, None)


def one_line(
    exc: BaseException,
    database_url: str | None = None,
    describe: bool = False,
    clean: bool = False,
    doing: str = "open the database",
) -> click.ClickException | None:
    """The one line (and exit status) `exc` is shown as; None: not one of ours, let it through.

    `database_url` is the database being opened (or used as `doing` says): a
    driver not installed, or a server that does not answer, is said of it. `clean` strips control
    characters from the message (the text came from a file being checked).
    """
    if not isinstance(exc, Exception) or isinstance(
        exc, click.ClickException | click.exceptions.Exit | click.exceptions.Abort
    ):
        return None  # an exit, an interrupt, or a message already
    from tracker.library import CannotLock, RunInProgress, TrackerError, shown_url

    if isinstance(exc, RunInProgress):
        return Busy(str(exc))
    if isinstance(exc, CannotLock):
        if isinstance(exc.cause, ImportError):
            return click.ClickException(
                f"cannot open the database {shown_url(exc.database_url)}:"
                f" its driver is not installed ({exc.cause.name})"
            )
        return click.ClickException(f"cannot lock the database {shown_url(exc.database_url)}: {_reason(exc.cause)}")
    no_database = _loaded_class("tracker.pipeline.context", "NoDatabase")
    if no_database is not None and isinstance(exc, no_database):
        return click.ClickException(_no_database(exc))
    plain: tuple[type, ...] = (TrackerError, CatalogueError, ConfigError)
    plain += tuple(
        found
        for found in (
            _loaded_class("tracker.extraction.grammar", "GrammarError"),
            *(() if describe else (_loaded_class("tracker.sources", "SourceError"),)),
            *(() if describe else (_loaded_class("tracker.scheduling", "ScheduleError"),)),
        )
        if found is not None
    )
    if isinstance(exc, plain):
        return click.ClickException(strip_controls(str(exc)) if clean else str(exc))
    if database_url is not None:
        if isinstance(exc, ImportError):
            return click.ClickException(
                f"cannot open the database {shown_url(database_url)}: its driver is not installed ({exc.name});"
                " for PostgreSQL: pip install 'tracker[postgres]'"
            )
        database_error = _loaded_class("sqlalchemy.exc", "SQLAlchemyError")
        if database_error is not None and isinstance(exc, database_error):
            # A bad URL or a server that does not answer: one line, not a traceback.
            return click.ClickException(f"cannot {doing} {shown_url(database_url)}: {_reason(exc)}")
    if describe and isinstance(exc, Exception) and not os.environ.get("TRACKER_TRACEBACK"):
        # A full disk, a locked or corrupted database, a server gone mid-run: one line, not a traceback
        # holding SQL and article text (the run is recorded as failed, with what it did by then).
        from tracker.library import describe_failure

        return click.ClickException(describe_failure(exc))
    return None


def _no_database(exc: BaseException) -> str:
    from tracker.library import DamagedDatabase, NewerSchema, OldSchema, shown_url

    where = shown_url(getattr(exc, "database_url", ""))
    if isinstance(exc, NewerSchema):
        return (
            f"the database at {where} has a newer schema ({exc.revision}) than this"
            f" tracker knows; upgrade tracker to use it"
        )
    if isinstance(exc, DamagedDatabase):
        return f"the database at {where} is damaged ({exc.problem}); restore it from a backup"
    if isinstance(exc, OldSchema):
        return f"the database at {where} has an older schema; upgrade it with `tracker init`"
    return f"no tracker database at {where}; create it with `tracker init` (or point --database-url at the right one)"


@contextmanager
def reported(
    database_url: str | None = None, describe: bool = False, clean: bool = False, doing: str = "open the database"
) -> Iterator[None]:
    """Errors of the block as `one_line` says them (see there for the arguments)."""
    try:
        yield
    except BaseException as exc:
        shown = one_line(exc, database_url, describe, clean, doing)
        if shown is None:
            raise
        raise shown from exc

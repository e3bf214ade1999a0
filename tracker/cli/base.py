"""What every command shares: the `tracker` group, option types, output helpers and the open tracker."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tracker import __version__
from tracker.cli.errors import reported
from tracker.config import Config, load_config
from tracker.lazy import lazy_module
from tracker.sanitize import strip_controls

if TYPE_CHECKING:
    from tracker.library import Tracker
    from tracker.model import ArticleDraft
    from tracker.terminal import Screen

# Loaded on first use, so that `--help` (and a command that needs no parser,
# no templates, no database driver) starts without them.
library = lazy_module("tracker.library")
terminal = lazy_module("tracker.terminal")


def parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
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


def warn(message: str) -> None:
    click.echo(strip_controls(message), err=True)


def line(text: str) -> None:
    """One line of stored text (a source's name, address or error) to stdout, without control characters."""
    click.echo(strip_controls(text))


def progress(drafts: Iterable[ArticleDraft]) -> Iterator[ArticleDraft]:
    # A count only where somebody watches (articles arrive as they are read: no total to show).
    if not sys.stderr.isatty():
        yield from drafts
        return
    with click.progressbar(drafts, label="Reading articles", file=sys.stderr, show_pos=True) as bar:
        yield from bar


def status_label(status: str | None) -> str:
    return status.replace("_", " ") if status else "—"


def csv_option(what: str):  # type: ignore[no-untyped-def]
    return click.option("--csv", "as_csv", is_flag=True, help=f"Print {what} as CSV (formula-like cells neutralised).")


def only_one(as_json: bool, as_csv: bool) -> None:
    if as_json and as_csv:
        raise click.UsageError("--json and --csv are alternatives; give one")


def show(screen: Screen) -> None:
    click.echo(screen.text(), nl=False)


def count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def configuration(obj: dict) -> Config:
    with reported():
        return load_config(obj["config_path"], {"database_url": obj["database_url"]})


@contextmanager
def opened(
    obj: dict, create: bool = True, upgrade: bool = False, lock: str | None = None, shared: bool = False
) -> Iterator[Tracker]:
    """The configured tracker; with `create` False (read-only commands) no database is made.

    `lock` names a command that writes: one such command per database at a
    time (workers, `shared`, hold it together).
    """
    config = configuration(obj)
    with ExitStack() as stack:
        with reported(config.database_url):
            if lock is None:
                tracker = stack.enter_context(library.Tracker.open(config, create=create, upgrade=upgrade))
            else:
                tracker = stack.enter_context(library.Tracker.locked(config, lock, shared=shared))
        tracker.check_permissions(warn)
        with reported(describe=True):
            yield tracker


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
        warn(
            "warning: --database-url carries a password, which other users of this machine can read in the"
            " process list; set TRACKER_DATABASE_URL (or database_url in a configuration file only you can read)"
        )

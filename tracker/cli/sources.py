"""The sources commands: the feeds and folders the daily run follows."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from tracker.cli.base import configuration, library, line, main, opened, warn
from tracker.cli.errors import reported
from tracker.fetching import redact
from tracker.model import SourceKind


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
    with reported():
        spec = library.source_spec(url, name, official, full_text)
    trial = None
    if spec.kind == SourceKind.FEED and not no_check:
        trial = library.try_feed(configuration(obj), url)
    with opened(obj) as tracker:
        added = tracker.add_source(spec, trial)
    view = added.source
    verb = "Following" if added.created else "Already following"
    line(f"{verb} {view.kind.value} #{view.id}: {view.name} ({view.location})")
    if trial is not None and trial.ok:
        line(f"Tried it now: {trial.detail}.")
    elif trial is not None:
        warn(
            f"warning: {redact(url)}: tried it now: {trial.detail}; followed all the same:"
            f" check the address, or stop with `tracker sources remove {view.id}`"
        )


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
    with opened(obj, create=False) as tracker:
        rows = tracker.sources()
    if as_json:
        click.echo(json.dumps([r.as_json() for r in rows], indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("No sources followed; add one with `tracker sources add URL`.")
    for r in rows:
        flags = [r.kind.value] + (["official"] if r.official else []) + (["config"] if r.from_config else [])
        state = "enabled" if r.enabled else f"disabled: {r.disabled_reason}"
        line(f"#{r.id} {r.name} [{', '.join(flags)}] {state}")
        line(f"    {r.location}" + (f" → {r.url}" if r.url else ""))
        if r.kind == SourceKind.FEED:
            status = str(r.last_status) if r.last_status is not None else "—"
            click.echo(
                f"    last fetch {_when(r.last_fetch_at)} (HTTP {status}), {r.failures} failure"
                f"{'s' if r.failures != 1 else ''} in a row, {r.articles} articles, next fetch "
                + (_when(r.next_fetch_at) if r.next_fetch_at else "next run")
            )
        else:
            click.echo(f"    {r.articles} articles")
        if r.last_error:
            line(f"    error: {r.last_error}")


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
    with opened(obj, create=False) as tracker:
        found = tracker.remove_source(source)
    line(f"No longer following #{found.id}: {found.name} ({found.location})")


@sources.command(name="import")
@click.argument("opml", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def sources_import(obj: dict, opml: Path) -> None:
    """Follow every feed of an OPML file (as feed readers export it).

    \b
    Examples:
      tracker sources import subscriptions.opml
    """
    from tracker.opml import read_opml

    with reported():
        outlines = read_opml(opml.read_bytes(), str(opml))
    with opened(obj) as tracker:
        done = tracker.import_sources(outlines, str(opml), warn)
    click.echo(
        f"Imported {opml}: {done.added} feed{'s' if done.added != 1 else ''} added, {done.known} already followed"
        + (f", {done.refused} refused" if done.refused else "")
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
    from tracker.model import OpmlOutline
    from tracker.opml import write_opml

    with opened(obj, create=False) as tracker:
        rows = [r for r in tracker.sources() if r.kind == SourceKind.FEED and r.enabled]
    click.echo(write_opml([OpmlOutline(r.url or r.location, r.name) for r in rows]), nl=False)

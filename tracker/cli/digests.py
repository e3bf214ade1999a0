"""Digests and their delivery: digest show and send, the outbox, test-send."""

from __future__ import annotations

import sys
from dataclasses import replace

import click

from tracker.cli.base import RowId, main, opened, warn
from tracker.model import ChannelKind


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
@click.option(
    "--relationship", "relationship_id", metavar="ID", help="Only this relationship's section (its catalogue's id)."
)
@click.pass_obj
def digest_show(obj: dict, digest_id: int | None, fmt: str, relationship_id: str | None) -> None:
    """Print a stored digest (the latest without DIGEST_ID), as it was built;
    with --relationship, that relationship's section as its own recipients get it.

    \b
    Examples:
      tracker digest show
      tracker digest show 3 --format md
      tracker digest show --relationship AU-CN
    """
    from tracker.delivery.email import as_eml, build_message
    from tracker.delivery.files import render_report
    from tracker.digest import template_environment

    with opened(obj, create=False) as tracker:
        stored = tracker.digest(digest_id)
        payload = stored.payload
        assert payload is not None  # `digest` refuses one recorded without its content
        if relationship_id is not None:
            payload = tracker.digest_section(stored, relationship_id)
            stored = replace(stored, payload=payload)
        config = tracker.config
        if fmt == "text":
            env = template_environment(config.templates_dir)
            click.echo(env.get_template("email.txt.j2").render(digest=payload), nl=False)
        elif fmt == "eml":
            if config.email is None:
                raise click.ClickException("--format eml needs [email] configured (sender and recipients)")
            settings = config.email
            # A relationship's section goes to its own recipients, when it has them.
            own = dict(settings.relationship_recipients).get(relationship_id or "")
            if own:
                settings = replace(settings, recipients=own)
            message = build_message(stored, settings, config.templates_dir, relationship_id, payload)
            click.echo(as_eml(message).decode(), nl=False)
        else:
            click.echo(render_report(payload, config.templates_dir)[fmt])


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
    with opened(obj, lock="send") as tracker:
        outcomes = tracker.deliver(dry_run=dry_run, resend=resend, warn=warn)
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
    with opened(obj, create=False) as tracker:
        rows = tracker.outbox(states)
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
    with opened(obj, create=False) as tracker:
        results = tracker.test_send(channel)
    for name, ok, detail in results:
        click.echo(f"{name}: {'ok' if ok else 'FAILED'}: {detail}")
    if not all(ok for _, ok, _ in results):
        sys.exit(1)

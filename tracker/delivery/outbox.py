"""The outbox: queue a built digest with one delivery per channel, then work the queue.

Deciding what to send is data in the database; doing it is `deliver`, which any
later run (or `tracker digest send`) repeats until every delivery is sent. Runs
hold the run lock, so a delivery left in "sending" belongs to a dead run: the
far side may hold it already, so it is marked interrupted and not resent
unless asked (`tracker digest send --resend ID`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from tracker.config import Config
from tracker.delivery.atom import atom_feed
from tracker.delivery.email import as_eml, build_message, message_id, send_message, subject
from tracker.delivery.files import DeliveryError, DeliveryUncertain, atomic_write, choose_files, write_report
from tracker.delivery.notify import channel_name, notification_text, send_notification, shown
from tracker.faults import checkpoint
from tracker.model import DeliveryOutcome, DeliveryView, StoredDigest
from tracker.private import write_private
from tracker.store import Store

ATOM_FILE = "changes.atom"


def channels_for(config: Config) -> list[str]:
    """The channels a digest recorded now is queued for."""
    return ["files"] + (["email"] if config.email else []) + [channel_name(url) for url in config.notify]


def queue_digest(
    store: Store,
    config: Config,
    digest: dict,
    change_ids: Sequence[int],
    revised_ids: Sequence[int] = (),
    since: date | None = None,
) -> StoredDigest:
    """Record the digest with its file names and queued deliveries, and its changes as reported, at once."""
    as_of = date.fromisoformat(digest["as_of"])
    files = choose_files(config.reports_dir, as_of, store.digest_files())
    digest_id = store.record_digest(
        as_of,
        since,
        change_ids,
        [str(path) for path in files],
        payload=json.dumps(digest, ensure_ascii=False),
        channels=channels_for(config),
        revised_ids=revised_ids,
    )
    stored = store.stored_digest(digest_id)
    assert stored is not None
    return stored


def deliver(
    store: Store,
    config: Config,
    *,
    dry_run: bool = False,
    retry_failed: bool = False,
    warn: Callable[[str], None] = lambda _message: None,
) -> list[DeliveryOutcome]:
    """Work every queued delivery (and failed ones when asked), oldest first."""
    for interrupted in store.interrupt_sending():
        warn(
            f"warning: digest #{interrupted.digest_id} {interrupted.channel}: a run stopped while handing it over; "
            f"not resent (the far side may have it): tracker digest send --resend {interrupted.id}"
        )
    states = ["queued", "failed"] if retry_failed else ["queued"]
    outcomes: list[DeliveryOutcome] = []
    digests: dict[int, StoredDigest | None] = {}
    for delivery in store.deliveries(states):
        if delivery.digest_id not in digests:
            digests[delivery.digest_id] = store.stored_digest(delivery.digest_id)
        stored = digests[delivery.digest_id]
        if stored is None:
            continue
        outcome = _deliver_one(store, config, delivery, stored, dry_run)
        if outcome is None:
            continue
        if not outcome.ok:
            warn(f"warning: digest #{delivery.digest_id} {delivery.channel}: {outcome.detail}")
        outcomes.append(outcome)
    if not retry_failed:
        # Given up on after max_attempts: said on every run until sent again, never silent.
        for given_up in store.deliveries(["failed"]):
            warn(
                f"error: digest #{given_up.digest_id} {given_up.channel}: failed {given_up.attempts} times and is no "
                f"longer retried by tracker run: tracker digest send retries it ({given_up.last_error or 'no error'})"
            )
    return outcomes


def write_atom(store: Store, config: Config) -> Path:
    digests = [d for d in store.stored_digests() if d.payload]
    relationship = digests[-1].payload["relationship"] if digests and digests[-1].payload else "Tracked"
    path = config.reports_dir / ATOM_FILE
    try:
        atomic_write(path, atom_feed(digests, f"{relationship} commitments: status changes"))
    except OSError as exc:
        raise DeliveryError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    return path


def _deliver_one(
    store: Store, config: Config, delivery: DeliveryView, stored: StoredDigest, dry_run: bool
) -> DeliveryOutcome | None:
    payload = stored.payload
    if payload is None:
        return None
    channel = delivery.channel
    if channel == "files":
        store.start_attempt(delivery.id)
        try:
            paths = write_report(payload, stored.files, config.reports_dir, config.templates_dir)
            # The feed is part of the same delivery: a run killed in between writes both again.
            write_atom(store, config)
            checkpoint("files.atom")
        except DeliveryError as exc:
            return DeliveryOutcome(store.finish_attempt(delivery.id, str(exc), config.max_attempts), False, str(exc))
        done = store.finish_attempt(delivery.id, None, config.max_attempts)
        return DeliveryOutcome(done, True, "written", tuple(paths))
    if channel == "email":
        if config.email is None:
            return DeliveryOutcome(delivery, False, "email is no longer configured; left queued")
        try:
            message = build_message(stored, config.email, config.templates_dir)
        except DeliveryError as exc:
            return DeliveryOutcome(delivery, False, str(exc))
        if dry_run:
            path = config.reports_dir / (Path(stored.files[0]).stem + ".eml")
            write_private(path, as_eml(message))
            return DeliveryOutcome(delivery, True, f"dry run: message written to {path}, not sent", (path,))
        checkpoint("email.before")
        store.start_attempt(delivery.id, message_id(stored, config.email.sender))
        try:
            send_message(message, config.email, lambda: store.mark_sending(delivery.id))
        except DeliveryUncertain as exc:
            return _interrupted(store, delivery, exc)
        except DeliveryError as exc:
            return DeliveryOutcome(store.finish_attempt(delivery.id, str(exc), config.max_attempts), False, str(exc))
        checkpoint("email.sent")
        done = store.finish_attempt(delivery.id, None, config.max_attempts)
        return DeliveryOutcome(done, True, f"sent to {', '.join(config.email.recipients)} as {done.message_id}")
    url = next((u for u in config.notify if channel_name(u) == channel), None)
    if url is None:
        return DeliveryOutcome(delivery, False, "this notification URL is no longer configured; left queued")
    if dry_run:
        return DeliveryOutcome(delivery, True, f"dry run: would notify {shown(url)}")
    store.start_attempt(delivery.id)
    store.mark_sending(delivery.id)
    try:
        send_notification(url, subject(payload), notification_text(payload), config.notify_timeout)
    except DeliveryUncertain as exc:
        return _interrupted(store, delivery, exc)
    except DeliveryError as exc:
        return DeliveryOutcome(store.finish_attempt(delivery.id, str(exc), config.max_attempts), False, str(exc))
    return DeliveryOutcome(store.finish_attempt(delivery.id, None, config.max_attempts), True, f"notified {shown(url)}")


def _interrupted(store: Store, delivery: DeliveryView, exc: DeliveryUncertain) -> DeliveryOutcome:
    """At most once: what the far side may hold is not sent again unless asked."""
    view = store.interrupt(delivery.id, str(exc))
    return DeliveryOutcome(view, False, f"{exc}; not resent: tracker digest send --resend {delivery.id}")


def test_send(config: Config, channel: str | None, sample: dict) -> list[tuple[str, bool, str]]:
    """Send a sample digest through each configured channel (or the one named); nothing is recorded."""
    results: list[tuple[str, bool, str]] = []
    stored = StoredDigest(
        id=0,
        as_of=date.fromisoformat(sample["as_of"]),
        created_at=datetime.now(UTC),
        change_count=len(sample.get("changes") or []),
        files=(),
        payload=sample,
    )
    wanted = {"email", "notify"} if channel is None else {channel}
    if "email" in wanted:
        if config.email is None:
            results.append(("email", False, "not configured ([email] host, sender, recipients)"))
        else:
            try:
                message = build_message(stored, config.email, config.templates_dir)
                del message["Subject"]
                message["Subject"] = "[test] " + subject(sample)
                send_message(message, config.email)
                results.append(("email", True, f"sent to {', '.join(config.email.recipients)}"))
            except DeliveryError as exc:
                results.append(("email", False, str(exc)))
    if "notify" in wanted:
        if not config.notify:
            results.append(("notify", False, "not configured (notify = [...] Apprise URLs)"))
        for url in config.notify:
            try:
                send_notification(url, "[test] " + subject(sample), notification_text(sample), config.notify_timeout)
                results.append((f"notify {shown(url)}", True, "notified"))
            except DeliveryError as exc:
                results.append((f"notify {shown(url)}", False, str(exc)))
    unknown = wanted - {"email", "notify"}
    results.extend((name, False, "unknown channel; choose email or notify") for name in sorted(unknown))
    return results


__all__ = ["DeliveryOutcome", "channels_for", "deliver", "queue_digest", "test_send", "write_atom"]

"""The outbox: queue a built digest with one delivery per channel, then work the queue.

Deciding what to send is data in the database; doing it is `deliver`, which any
later run (or `tracker digest send`) repeats until every delivery is sent. Each
delivery goes to the channel its name gives (one class per kind, see
`channel.py`) through one `Attempt`, which records it at most once (see
`attempt.py`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from tracker.config import Config
from tracker.delivery.attempt import Attempt
from tracker.delivery.channel import Channel, DeliveryError
from tracker.delivery.files import choose_files
from tracker.delivery.kinds import channel_of_kind
from tracker.model import ChannelKind, DeliveryOutcome, DeliveryView, StoredDigest
from tracker.store import Store


def configured_channels(config: Config, store: Store) -> list[Channel[Any]]:
    """Every channel the configuration holds, files first, then email, then each notification URL."""
    return [channel for kind in ChannelKind for channel in channel_of_kind(kind).configured(config, store)]


def channels_for(config: Config, store: Store) -> list[str]:
    """The channels a digest recorded now is queued for."""
    return [channel.name for channel in configured_channels(config, store)]


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
        channels=channels_for(config, store),
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
    for interrupted in Attempt.left_by_dead_runs(store):
        warn(
            f"warning: digest #{interrupted.digest_id} {interrupted.channel}: a run stopped while handing it over; "
            f"not resent (the far side may have it): tracker digest send --resend {interrupted.id}"
        )
    states = ["queued", "failed"] if retry_failed else ["queued"]
    outcomes: list[DeliveryOutcome] = []
    channels = {channel.name: channel for channel in configured_channels(config, store)}
    digests: dict[int, StoredDigest | None] = {}
    for delivery in store.deliveries(states):
        if delivery.digest_id not in digests:
            digests[delivery.digest_id] = store.stored_digest(delivery.digest_id)
        stored = digests[delivery.digest_id]
        if stored is None:
            continue
        outcome = _deliver_one(store, config, channels, delivery, stored, dry_run)
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


def _deliver_one(
    store: Store,
    config: Config,
    channels: dict[str, Channel[Any]],
    delivery: DeliveryView,
    stored: StoredDigest,
    dry_run: bool,
) -> DeliveryOutcome | None:
    if stored.payload is None:
        return None
    channel = channels.get(delivery.channel)
    if channel is None:
        try:
            gone = channel_of_kind(ChannelKind.of(delivery.channel)).no_longer_configured
        except ValueError:
            gone = "no channel of this kind; left queued"
        return DeliveryOutcome(delivery, False, gone)
    if dry_run:
        try:
            rehearsal = channel.rehearse(stored)
        except DeliveryError as exc:
            return DeliveryOutcome(delivery, False, str(exc), report=channel.writes_report)
        if rehearsal is not None:
            return DeliveryOutcome(delivery, True, rehearsal.detail, rehearsal.paths, report=channel.writes_report)
    return Attempt(store, delivery, config.max_attempts).run(channel, stored)


def testable_kinds(config: Config, store: Store) -> list[ChannelKind]:
    """The kinds `tracker test-send` tries when none is named: those configured that can be tried."""
    return [
        kind
        for kind in ChannelKind
        if channel_of_kind(kind).testable and channel_of_kind(kind).configured(config, store)
    ]


def test_send(config: Config, store: Store, kind: str, sample: dict) -> list[tuple[str, bool, str]]:
    """Send a sample digest through each configured channel of one kind; nothing is recorded."""
    stored = StoredDigest(
        id=0,
        as_of=date.fromisoformat(sample["as_of"]),
        created_at=datetime.now(UTC),
        change_count=len(sample.get("changes") or []),
        files=(),
        payload=sample,
    )
    testable = [k for k in ChannelKind if channel_of_kind(k).testable]
    if kind not in testable:
        return [(kind, False, f"unknown channel; choose {' or '.join(testable)}")]
    cls = channel_of_kind(ChannelKind(kind))
    channels = cls.configured(config, store)
    if not channels:
        return [(kind, False, cls.not_configured)]
    results: list[tuple[str, bool, str]] = []
    for channel in channels:
        try:
            results.append((channel.label, True, channel.test(stored)))
        except DeliveryError as exc:
            results.append((channel.label, False, str(exc)))
    return results


__all__ = ["channels_for", "configured_channels", "deliver", "queue_digest", "test_send", "testable_kinds"]

"""Notifications through Apprise URLs (chat, webhooks, push): a short text per digest.

URLs often carry tokens, so the outbox names a channel by a hash of its URL and
messages name only its scheme.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import apprise

from tracker.delivery.channel import Channel, Delivered, DeliveryError, DeliveryUncertain
from tracker.delivery.email import subject
from tracker.digest import named_sections
from tracker.model import ChannelKind, StoredDigest

if TYPE_CHECKING:
    from tracker.config import Config
    from tracker.store import Store


def channel_name(url: str) -> str:
    return "notify:" + hashlib.sha256(url.encode()).hexdigest()[:12]


def shown(url: str) -> str:
    """The URL as it may be printed: its scheme only."""
    scheme, sep, _ = url.partition("://")
    return f"{scheme}://…" if sep else "a notification URL"


def notification_text(payload: dict) -> str:
    """One line per change and revision; with several relationships each line names its own
    (two relationships may both track "Visas")."""
    titles = {part["relationship_id"]: part["relationship"] for part in named_sections(payload)}

    def whose(item: dict) -> str:
        title = titles.get(item.get("relationship_id", "")) if len(titles) > 1 else None
        return f"{title} " if title else ""

    lines = []
    for change in payload.get("changes") or []:
        mark = "SETBACK " if change.get("setback") else ""
        before = (change.get("from_status") or "first report").replace("_", " ")
        lines.append(
            f"{mark}{whose(change)}{change.get('commitment_title') or change['commitment']}: "
            f"{before} → {change['to_status'].replace('_', ' ')} ({change['date']})"
        )
    for item in payload.get("revised") or []:
        now = (item["now_status"] or "not known").replace("_", " ")
        lines.append(f"REVISED {whose(item)}{item['commitment_title']}: now {now}")
    return "\n".join(lines) or "No status changed."


# Apprise's own log lines that say a request never left (nothing can have been received).
_NOT_SENT = (
    "Connection refused",
    "NewConnectionError",
    "Name or service not known",
    "ConnectTimeout",
    "No route to host",
)


def send_notification(url: str, title: str, body: str, deadline: float = 30.0) -> None:
    """Notify through one Apprise URL within `deadline` seconds in all.

    A refusal or a connection never made raises DeliveryError (tried again
    later). A request sent whose answer is lost or late raises
    DeliveryUncertain: the service may have it, so it is not sent again
    automatically.
    """
    notifier = apprise.Apprise()
    if not notifier.add(url):
        raise DeliveryError(f"notify {shown(url)}: not a notification URL Apprise understands")
    outcome: dict[str, object] = {}

    def attempt() -> None:
        with apprise.LogCapture(level=logging.DEBUG) as captured:
            try:
                outcome["delivered"] = notifier.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT)
            finally:
                outcome["log"] = captured.getvalue() if hasattr(captured, "getvalue") else ""

    # Apprise bounds each read, not the whole exchange: the attempt runs in a thread given one deadline.
    worker = threading.Thread(target=attempt, name="notify", daemon=True)
    worker.start()
    worker.join(deadline)
    if worker.is_alive():
        raise DeliveryUncertain(
            f"notify {shown(url)}: no answer within the {deadline:g} s deadline; the service may have it"
        )
    if outcome.get("delivered"):
        return
    log = str(outcome.get("log", ""))
    warnings = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
    reason = " ".join(" ".join(warnings).split())[:300] or "the service did not accept it"
    if "Connection error" in log and not any(mark in log for mark in _NOT_SENT):
        raise DeliveryUncertain(f"notify {shown(url)}: {reason} (the request may have arrived)")
    raise DeliveryError(f"notify {shown(url)}: {reason}")


class NotifyChannel(Channel[dict]):
    """One Apprise URL: the subject as title and one line per change."""

    kind = ChannelKind.NOTIFY
    no_longer_configured = "this notification URL is no longer configured; left queued"
    not_configured = "not configured (notify = [...] Apprise URLs)"

    def __init__(self, url: str, timeout: float) -> None:
        self.name = channel_name(url)
        self.label = f"notify {shown(url)}"
        self._url = url
        self._timeout = timeout

    @classmethod
    def configured(cls, config: Config, store: Store) -> list[NotifyChannel]:
        return [cls(url, config.notify_timeout) for url in config.notify]

    def rehearse(self, stored: StoredDigest) -> Delivered:
        return Delivered(f"dry run: would notify {shown(self._url)}")

    def prepare(self, stored: StoredDigest) -> dict:
        assert stored.payload is not None
        return stored.payload

    def hand_over(self, prepared: dict, point_of_no_return: Callable[[], None]) -> Delivered:
        # Apprise cannot say whether a request left: from its first byte, the service may have it.
        point_of_no_return()
        send_notification(self._url, subject(prepared), notification_text(prepared), self._timeout)
        return Delivered(f"notified {shown(self._url)}")

    def test(self, sample: StoredDigest) -> str:
        assert sample.payload is not None
        send_notification(
            self._url, "[test] " + subject(sample.payload), notification_text(sample.payload), self._timeout
        )
        return "notified"


__all__ = ["NotifyChannel", "channel_name", "notification_text", "send_notification", "shown", "subject"]

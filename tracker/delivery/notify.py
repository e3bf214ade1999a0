"""Notifications through Apprise URLs (chat, webhooks, push): a short text per digest.

URLs often carry tokens, so the outbox names a channel by a hash of its URL and
messages name only its scheme.
"""

from __future__ import annotations

import hashlib
import logging

import apprise

from tracker.delivery.email import subject
from tracker.delivery.files import DeliveryError


def channel_name(url: str) -> str:
    return "notify:" + hashlib.sha256(url.encode()).hexdigest()[:12]


def shown(url: str) -> str:
    """The URL as it may be printed: its scheme only."""
    scheme, sep, _ = url.partition("://")
    return f"{scheme}://…" if sep else "a notification URL"


def notification_text(payload: dict) -> str:
    lines = []
    for change in payload.get("changes") or []:
        mark = "SETBACK " if change.get("setback") else ""
        before = (change.get("from_status") or "first report").replace("_", " ")
        lines.append(
            f"{mark}{change.get('commitment_title') or change['commitment']}: "
            f"{before} → {change['to_status'].replace('_', ' ')} ({change['date']})"
        )
    for item in payload.get("revised") or []:
        lines.append(f"REVISED {item['commitment_title']}: now {(item['now_status'] or 'not known').replace('_', ' ')}")
    return "\n".join(lines) or "No status changed."


def send_notification(url: str, title: str, body: str) -> None:
    notifier = apprise.Apprise()
    if not notifier.add(url):
        raise DeliveryError(f"notify {shown(url)}: not a notification URL Apprise understands")
    with apprise.LogCapture(level=logging.WARNING) as captured:
        delivered = notifier.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT)
        log = captured.getvalue() if hasattr(captured, "getvalue") else ""
    if not delivered:
        reason = " ".join(str(log).split())[:300] or "the service did not accept it"
        raise DeliveryError(f"notify {shown(url)}: {reason}")


__all__ = ["channel_name", "notification_text", "send_notification", "shown", "subject"]

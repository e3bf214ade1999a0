"""Email: the stored digest as one multipart message (plain text and HTML with CSS inlined), over SMTP.

The Message-ID is derived from the digest (its id and a hash of its payload),
so every attempt to send one digest carries the same id, and the outbox records
it before the message is handed over.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import smtplib
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING

import css_inline

from tracker.config import Config, EmailSettings
from tracker.delivery.channel import Channel, Delivered, DeliveryError, DeliveryUncertain
from tracker.digest import relationship_slug, section_digest, section_of, template_environment
from tracker.faults import checkpoint
from tracker.model import ChannelKind, StoredDigest
from tracker.private import write_private

if TYPE_CHECKING:
    from tracker.store import Store


def message_id(digest: StoredDigest, sender: str, relationship_id: str | None = None) -> str:
    """`<tracker-digest-7.3f2a…@example.org>`: the same for every attempt to send this digest.

    A relationship's own message (its section alone) has an id of its own: it is another message.
    """
    body = json.dumps(digest.payload, sort_keys=True, ensure_ascii=False).encode()
    domain = sender.rpartition("@")[2].strip(">").strip() or "tracker.invalid"
    digest_hash = hashlib.sha256(body).hexdigest()[:16]
    if relationship_id is not None:
        whose = hashlib.sha256(relationship_id.encode()).hexdigest()[:8]
        return f"<tracker-digest-{digest.id}.{whose}.{digest_hash}@{domain}>"
    return f"<tracker-digest-{digest.id}.{digest_hash}@{domain}>"


def relationship_payload(payload: dict, relationship_id: str) -> dict | None:
    """One relationship's digest out of a stored one: None when it has no section there, or nothing to say."""
    section = section_of(payload, relationship_id)
    if section is None or not any(section.get(key) for key in ("changes", "unconfirmed", "revised", "divergences")):
        return None
    return section_digest(payload, section)


def subject(payload: dict) -> str:
    """The relationship, the date and the number of changes, setbacks first."""
    changes = payload.get("changes") or []
    setbacks = sum(1 for c in changes if c.get("setback"))
    revised = len(payload.get("revised") or [])
    parts = []
    if setbacks:
        parts.append(f"{setbacks} setback{'s' if setbacks != 1 else ''}")
    parts.append(f"{len(changes)} change{'s' if len(changes) != 1 else ''}" if changes else "no changes")
    if revised:
        parts.append(f"{revised} revised")
    return f"{payload['relationship']} digest {payload['as_of']}: {', '.join(parts)}"


def build_message(
    digest: StoredDigest,
    settings: EmailSettings,
    templates_dir: Path | None = None,
    relationship_id: str | None = None,
    payload: dict | None = None,
) -> EmailMessage:
    """The message for a stored digest: pure, the same bytes whenever it is built again.

    With `relationship_id`, its section alone (`payload`, from `relationship_payload`) to its own recipients.
    """
    if digest.payload is None:
        raise DeliveryError(f"digest #{digest.id} was recorded without its content and cannot be mailed")
    shown = payload if payload is not None else digest.payload
    env = template_environment(templates_dir)
    text = env.get_template("email.txt.j2").render(digest=shown)
    html = css_inline.inline(env.get_template("email.html.j2").render(digest=shown))
    message = EmailMessage()
    message["Subject"] = subject(shown)
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.recipients)
    created = digest.created_at if digest.created_at.tzinfo else digest.created_at.replace(tzinfo=UTC)
    message["Date"] = format_datetime(created)
    message["Message-ID"] = message_id(digest, settings.sender, relationship_id)
    message["X-Tracker-Digest"] = str(digest.id)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def as_eml(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=policy.SMTP)


def _password(settings: EmailSettings) -> str | None:
    if not settings.username:
        return None
    name = settings.password_env or "TRACKER_SMTP_PASSWORD"
    password = os.environ.get(name)
    if not password:
        raise DeliveryError(f"email: the password variable {name} is not set (needed to log in as {settings.username})")
    return password


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {' '.join(detail.split())}"
    return " ".join(str(exc).split()) or type(exc).__name__


class _Deadline:
    """Shuts the client's socket once the whole exchange has run over `seconds`.

    smtplib's timeout bounds each read; a server that sends an endless
    multi-line reply a line at a time never trips it. A watcher thread closes
    whatever socket the client holds at the time (the TLS one after STARTTLS),
    and keeps closing it until the exchange ends, so no socket made late escapes.
    """

    def __init__(self, client: smtplib.SMTP, seconds: float) -> None:
        self.client, self.seconds = client, seconds
        self.expired = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="smtp-deadline", daemon=True)

    def __enter__(self) -> _Deadline:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _watch(self) -> None:
        if self._done.wait(self.seconds):
            return
        self.expired = True
        while not self._done.is_set():
            sock = getattr(self.client, "sock", None)
            if sock is not None:
                with contextlib.suppress(OSError, ValueError):
                    sock.shutdown(socket.SHUT_RDWR)
            self._done.wait(0.1)


def send_message(
    message: EmailMessage, settings: EmailSettings, point_of_no_return: Callable[[], None] = lambda: None
) -> None:
    """Hand the message to the SMTP server; raise DeliveryError (one line) unless it accepted it.

    Everything that can fail cleanly (connection, TLS, login, sender and every
    recipient) happens first; `point_of_no_return` is called just before the
    message itself is sent, the only step after which the server may hold it
    without this side knowing: a lost or late answer from there on raises
    DeliveryUncertain, never a failure to be retried. The whole exchange has
    one deadline, `settings.timeout`, however slowly the server answers.
    """
    where = f"email via {settings.host}:{settings.port}"
    password = _password(settings)
    context = ssl.create_default_context(cafile=str(settings.ca_file) if settings.ca_file else None)
    client: smtplib.SMTP
    if settings.security == "tls":
        client = smtplib.SMTP_SSL(timeout=settings.timeout, context=context)
    else:
        client = smtplib.SMTP(timeout=settings.timeout)
    deadline = _Deadline(client, settings.timeout)
    handed_over = False

    def hand_over() -> None:
        nonlocal handed_over
        point_of_no_return()
        handed_over = True

    try:
        with deadline:
            try:
                _exchange(client, message, settings, password, context, where, hand_over)
            finally:
                with contextlib.suppress(Exception):
                    client.close()
    except DeliveryError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"{where}: login as {settings.username} refused: {_reason(exc)}") from exc
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        # ValueError: an SSL socket shut by the deadline while being read.
        reason = f"no complete answer within the {settings.timeout:g} s deadline" if deadline.expired else _reason(exc)
        if handed_over:
            raise DeliveryUncertain(
                f"{where}: the message was handed over but no answer came back ({reason}); the server may have it"
            ) from exc
        raise DeliveryError(f"{where}: {reason}") from exc


def _exchange(
    client: smtplib.SMTP,
    message: EmailMessage,
    settings: EmailSettings,
    password: str | None,
    context: ssl.SSLContext,
    where: str,
    hand_over: Callable[[], None],
) -> None:
    """The SMTP conversation, up to the server's answer to the message."""
    # Constructed without a host so that connecting happens under the deadline; TLS checks the
    # certificate against this name, which smtplib takes from the constructor otherwise.
    client._host = settings.host  # type: ignore[attr-defined]
    client.connect(settings.host, settings.port)
    client.ehlo()
    if settings.security == "starttls":
        client.starttls(context=context)
        client.ehlo()
    if settings.username and password is not None:
        client.login(settings.username, password)
    code, reply = client.mail(settings.sender)
    if code != 250:
        raise DeliveryError(f"{where}: sender {settings.sender} refused: {code} {reply.decode(errors='replace')}")
    for recipient in settings.recipients:
        code, reply = client.rcpt(recipient)
        if code not in (250, 251):
            raise DeliveryError(f"{where}: recipient {recipient} refused: {code} {reply.decode(errors='replace')}")
    hand_over()
    try:
        code, reply = client.data(as_eml(message))
    except smtplib.SMTPDataError as exc:
        # The server answered, refusing the message: it does not hold it, so it may be tried again.
        raise DeliveryError(f"{where}: message refused: {_reason(exc)}") from exc
    if code != 250:
        raise DeliveryError(f"{where}: message refused: {code} {reply.decode(errors='replace')}")
    checkpoint("email.accepted")
    # Accepted: a QUIT that goes wrong changes nothing.
    with contextlib.suppress(smtplib.SMTPException, OSError, ValueError):
        client.quit()


class EmailChannel(Channel[EmailMessage | None]):
    """The digest as one email to the configured recipients; with `relationship_id`, that relationship's
    section alone to its own recipients (`[email.relationships]`), named `email:<relationship id>`."""

    kind = ChannelKind.EMAIL
    no_longer_configured = "email is no longer configured; left queued"
    not_configured = "not configured ([email] host, sender, recipients)"

    def __init__(self, config: Config, settings: EmailSettings, relationship_id: str | None = None) -> None:
        self.name = self.label = str(self.kind) if relationship_id is None else f"{self.kind}:{relationship_id}"
        self._config = config
        self._settings = settings
        self._relationship_id = relationship_id

    @classmethod
    def configured(cls, config: Config, store: Store | None = None) -> list[EmailChannel]:
        settings = config.email
        if settings is None:
            return []
        whole = [cls(config, settings)] if settings.recipients else []
        return whole + [
            cls(config, replace(settings, recipients=addresses), relationship_id)
            for relationship_id, addresses in settings.relationship_recipients
        ]

    def _message(self, stored: StoredDigest) -> EmailMessage | None:
        if self._relationship_id is None or stored.payload is None:
            return build_message(stored, self._settings, self._config.templates_dir)
        payload = relationship_payload(stored.payload, self._relationship_id)
        if payload is None:
            return None
        return build_message(stored, self._settings, self._config.templates_dir, self._relationship_id, payload)

    def message_id(self, stored: StoredDigest) -> str:
        return message_id(stored, self._settings.sender, self._relationship_id)

    def _nothing(self) -> Delivered:
        return Delivered(f"nothing of {self._relationship_id} in this digest; no message to {self._recipients}")

    @property
    def _recipients(self) -> str:
        return ", ".join(self._settings.recipients)

    def rehearse(self, stored: StoredDigest) -> Delivered:
        message = self._message(stored)
        if message is None:
            return self._nothing()
        whose = "" if self._relationship_id is None else f"-{relationship_slug(self._relationship_id)}"
        path = self._config.reports_dir / (Path(stored.files[0]).stem + whose + ".eml")
        write_private(path, as_eml(message))
        return Delivered(f"dry run: message written to {path}, not sent", (path,))

    def prepare(self, stored: StoredDigest) -> EmailMessage | None:
        message = self._message(stored)
        checkpoint("email.before")
        return message

    def hand_over(self, prepared: EmailMessage | None, point_of_no_return: Callable[[], None]) -> Delivered:
        if prepared is None:
            # Nothing leaves; marked all the same, as the outbox holds every email delivery to it.
            point_of_no_return()
            return self._nothing()
        send_message(prepared, self._settings, point_of_no_return)
        checkpoint("email.sent")
        return Delivered(f"sent to {self._recipients} as {prepared['Message-ID']}")

    def test(self, sample: StoredDigest) -> str:
        assert sample.payload is not None
        payload = sample.payload
        if self._relationship_id is not None:
            # The relationship's section, whatever it holds: a test is of the address, not of the news.
            section = section_of(payload, self._relationship_id)
            payload = section_digest(payload, section) if section else payload
        message = build_message(sample, self._settings, self._config.templates_dir, self._relationship_id, payload)
        del message["Subject"]
        message["Subject"] = "[test] " + subject(payload)
        send_message(message, self._settings)
        return f"sent to {self._recipients}"

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
from datetime import UTC
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING

import css_inline

from tracker.config import Config, EmailSettings
from tracker.delivery.channel import Channel, Delivered, DeliveryError, DeliveryUncertain
from tracker.digest import template_environment
from tracker.faults import checkpoint
from tracker.model import ChannelKind, StoredDigest
from tracker.private import write_private

if TYPE_CHECKING:
    from tracker.store import Store


def message_id(digest: StoredDigest, sender: str) -> str:
    """`<tracker-digest-7.3f2a…@example.org>`: the same for every attempt to send this digest."""
    body = json.dumps(digest.payload, sort_keys=True, ensure_ascii=False).encode()
    domain = sender.rpartition("@")[2].strip(">").strip() or "tracker.invalid"
    return f"<tracker-digest-{digest.id}.{hashlib.sha256(body).hexdigest()[:16]}@{domain}>"


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


def build_message(digest: StoredDigest, settings: EmailSettings, templates_dir: Path | None = None) -> EmailMessage:
    """The message for a stored digest: pure, the same bytes whenever it is built again."""
    if digest.payload is None:
        raise DeliveryError(f"digest #{digest.id} was recorded without its content and cannot be mailed")
    env = template_environment(templates_dir)
    text = env.get_template("email.txt.j2").render(digest=digest.payload)
    html = css_inline.inline(env.get_template("email.html.j2").render(digest=digest.payload))
    message = EmailMessage()
    message["Subject"] = subject(digest.payload)
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.recipients)
    created = digest.created_at if digest.created_at.tzinfo else digest.created_at.replace(tzinfo=UTC)
    message["Date"] = format_datetime(created)
    message["Message-ID"] = message_id(digest, settings.sender)
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


class EmailChannel(Channel[EmailMessage]):
    """The digest as one email to the configured recipients."""

    kind = ChannelKind.EMAIL
    no_longer_configured = "email is no longer configured; left queued"
    not_configured = "not configured ([email] host, sender, recipients)"

    def __init__(self, config: Config, settings: EmailSettings) -> None:
        self.name = self.label = str(self.kind)
        self._config = config
        self._settings = settings

    @classmethod
    def configured(cls, config: Config, store: Store) -> list[EmailChannel]:
        return [cls(config, config.email)] if config.email else []

    def _message(self, stored: StoredDigest) -> EmailMessage:
        return build_message(stored, self._settings, self._config.templates_dir)

    def message_id(self, stored: StoredDigest) -> str:
        return message_id(stored, self._settings.sender)

    def rehearse(self, stored: StoredDigest) -> Delivered:
        path = self._config.reports_dir / (Path(stored.files[0]).stem + ".eml")
        write_private(path, as_eml(self._message(stored)))
        return Delivered(f"dry run: message written to {path}, not sent", (path,))

    def prepare(self, stored: StoredDigest) -> EmailMessage:
        message = self._message(stored)
        checkpoint("email.before")
        return message

    def hand_over(self, prepared: EmailMessage, point_of_no_return: Callable[[], None]) -> Delivered:
        send_message(prepared, self._settings, point_of_no_return)
        checkpoint("email.sent")
        return Delivered(f"sent to {', '.join(self._settings.recipients)} as {prepared['Message-ID']}")

    def test(self, sample: StoredDigest) -> str:
        message = self._message(sample)
        assert sample.payload is not None  # a message was built from it
        del message["Subject"]
        message["Subject"] = "[test] " + subject(sample.payload)
        send_message(message, self._settings)
        return f"sent to {', '.join(self._settings.recipients)}"

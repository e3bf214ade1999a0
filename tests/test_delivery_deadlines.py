"""Every delivery has a deadline on the whole exchange, and is handed over at most once: a lost
or late final answer leaves it interrupted, never sent again by a later run. Real SMTP
servers on loopback (aiosmtpd, and a raw socket server for an endless greeting), a real
webhook server, real databases."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.support.smtp_server import start
from tracker.config import Config, EmailSettings
from tracker.model import DeliveryView
from tracker.pipeline import Context, RunReport, run_cycle

pytestmark = pytest.mark.system

AS_OF = date(2025, 12, 1)


class LateHandler:
    """Takes the whole message, then answers after `delay` seconds (or never, when the client has gone)."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.messages = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages += 1
        await asyncio.sleep(self.delay)
        return "250 2.0.0 OK"


class EndlessGreeting:
    """A raw SMTP 'server' whose greeting never ends: one continuation line every 0.2 s."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(5)
        self.port = self.listener.getsockname()[1]
        self.stopped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        with conn:
            try:
                while not self.stopped.is_set():
                    conn.sendall(b"220-still greeting you\r\n")
                    time.sleep(0.2)
            except OSError:
                return

    def stop(self) -> None:
        self.stopped.set()
        self.listener.close()


def make_config(database_url: str, tmp_path: Path, port: int | None, *, timeout: float = 2.0, **more: Any) -> Config:
    email = None
    if port is not None:
        email = EmailSettings(
            host="127.0.0.1",
            port=port,
            security="none",
            sender="tracker@example.org",
            recipients=("desk@example.org",),
            timeout=timeout,
        )
    return Config(
        database_url=database_url, reports_dir=tmp_path / "reports", site_dir=tmp_path / "site", email=email, **more
    )


def cycle(config: Config, as_of: date = AS_OF) -> tuple[RunReport, dict[str, DeliveryView]]:
    ctx = Context.open(config)
    try:
        report = run_cycle(ctx, as_of)
        return report, {row.channel.split(":")[0]: row for row in ctx.store.deliveries()}
    finally:
        ctx.close()


def test_an_endless_greeting_is_cut_off_at_the_deadline(database_url: str, tmp_path: Path) -> None:
    server = EndlessGreeting()
    try:
        config = make_config(database_url, tmp_path, server.port, timeout=1.5)
        started = time.monotonic()
        report, rows = cycle(config)
        took = time.monotonic() - started
    finally:
        server.stop()
    assert report.digest_id is not None
    assert rows["email"].state == "queued", "nothing was handed over: it may be tried again"
    assert "1.5 s deadline" in (rows["email"].last_error or "")
    # The run itself (seeds read, folded, site written) plus at most the deadline and a little.
    assert took < 60
    warning = [m for m in report.messages if "email" in m and "deadline" in m]
    assert len(warning) == 1 and "\n" not in warning[0]


def test_the_deadline_bounds_the_exchange_not_each_read(tmp_path: Path) -> None:
    """Straight through send_message: 1.5 s in all, though each line arrives well within the per-read timeout."""
    from email.message import EmailMessage

    from tracker.delivery.channel import DeliveryError
    from tracker.delivery.email import send_message

    server = EndlessGreeting()
    try:
        settings = EmailSettings(
            host="127.0.0.1",
            port=server.port,
            security="none",
            sender="a@b.example",
            recipients=("c@d.example",),
            timeout=1.5,
        )
        started = time.monotonic()
        with pytest.raises(DeliveryError) as caught:
            send_message(EmailMessage(), settings)
        assert time.monotonic() - started < 4
        assert "deadline" in str(caught.value)
    finally:
        server.stop()


@pytest.fixture
def late_smtp() -> Iterator[tuple[LateHandler, int]]:
    handler = LateHandler(delay=5)
    controller = start(handler)  # type: ignore[arg-type]
    try:
        yield handler, controller.port
    finally:
        controller.stop()


def test_a_late_final_answer_is_interrupted_and_never_resent_by_a_run(
    database_url: str, tmp_path: Path, late_smtp: tuple[LateHandler, int]
) -> None:
    handler, port = late_smtp
    config = make_config(database_url, tmp_path, port, timeout=2)

    first, rows = cycle(config)
    assert first.digest_id is not None and handler.messages == 1
    assert rows["email"].state == "interrupted"
    told = [m for m in first.messages if "email" in m and "--resend" in m]
    assert len(told) == 1 and "may have it" in told[0] and "\n" not in told[0]

    # Later runs (the same day, the next) send nothing again.
    cycle(config)
    _, rows = cycle(config, date(2025, 12, 2))
    assert handler.messages == 1
    assert rows["email"].state == "interrupted"


def test_a_webhook_that_answers_late_gets_one_post(database_url: str, tmp_path: Path, httpserver: HTTPServer) -> None:
    posts: list[float] = []

    def slow(request: Request) -> Response:
        posts.append(time.monotonic())
        time.sleep(3)
        return Response("ok")

    httpserver.expect_request("/hook", method="POST").respond_with_handler(slow)
    config = make_config(
        database_url, tmp_path, None, notify=(f"json://127.0.0.1:{httpserver.port}/hook",), notify_timeout=1.0
    )

    started = time.monotonic()
    first, rows = cycle(config)
    assert time.monotonic() - started < 60
    assert len(posts) == 1
    assert rows["notify"].state == "interrupted"
    assert [m for m in first.messages if "notify json://" in m and "--resend" in m]

    time.sleep(2.5)  # the slow answer has come and gone
    cycle(config)
    cycle(config, date(2025, 12, 2))
    assert len(posts) == 1, "one POST, whatever the number of runs"


def test_a_webhook_that_refuses_is_tried_again(database_url: str, tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("no", status=503)
    config = make_config(database_url, tmp_path, None, notify=(f"json://127.0.0.1:{httpserver.port}/hook",))
    _, rows = cycle(config)
    assert rows["notify"].state == "queued"
    httpserver.clear()
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    _, rows = cycle(config)
    assert rows["notify"].state == "sent" and len(httpserver.log) == 1


class HostileRefusal:
    """Refuses every message with a reply carrying terminal escape sequences."""

    def __init__(self) -> None:
        self.refuse = True
        self.messages = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "554 5.7.1 \x1b]0;pwned\x07\x1b[2J\x1b[31mno\x1b[0m thanks"
        self.messages += 1
        return "250 2.0.0 OK"


def test_a_given_up_email_is_an_error_on_every_run_and_its_reply_is_clean(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = HostileRefusal()
    controller = start(handler)  # type: ignore[arg-type]
    try:
        config = make_config(database_url, tmp_path, controller.port, max_attempts=1)
        first, rows = cycle(config)
        assert rows["email"].state == "failed"
        assert "\x1b" not in (rows["email"].last_error or "") and "no thanks" in (rows["email"].last_error or "")
        assert first.exit_status == 3
        assert all("\x1b" not in m and "\x07" not in m for m in first.messages)
        later, _ = cycle(config, date(2025, 12, 2))
        said = [m for m in later.messages if m.startswith("error: digest #1 email: failed 1 times")]
        assert len(said) == 1 and "tracker digest send" in said[0]
        assert later.exit_status == 3

        # Sent again by hand: the error and the exit status go.
        handler.refuse = False
        from tracker.delivery import deliver

        ctx = Context.open(config)
        try:
            deliver(ctx.store, config, retry_failed=True)
        finally:
            ctx.close()
        assert handler.messages == 1
        quiet, rows = cycle(config, date(2025, 12, 3))
        assert rows["email"].state == "sent" and quiet.exit_status == 0
    finally:
        controller.stop()

"""Delivery: the outbox, report files, email over a real SMTP server on loopback, Atom, Apprise."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import feedparser
import pytest
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer

from tests.support.smtp_server import Authenticator, Handler, self_signed_certificate, start
from tracker.cli import main
from tracker.config import Config, EmailSettings
from tracker.delivery import deliver
from tracker.model import DeliveryView, StoredDigest
from tracker.pipeline import Context, RunReport, run_cycle
from tracker.store import Store

AS_OF = date(2025, 12, 1)


@pytest.fixture
def smtp() -> Iterator[tuple[Handler, int]]:
    handler = Handler()
    controller = start(handler, auth_require_tls=False, authenticator=Authenticator("tracker", "s3cret"))
    try:
        yield handler, controller.port
    finally:
        controller.stop()


def make_config(database_url: str, tmp_path: Path, port: int | None = None, **email: Any) -> Config:
    settings = None
    if port is not None:
        fields: dict[str, Any] = {"security": "none", "sender": "tracker@example.org"}
        fields["recipients"] = ("desk@example.org", "analyst@example.org")
        settings = EmailSettings(host="127.0.0.1", port=port, **(fields | email))
    return Config(
        database_url=database_url, reports_dir=tmp_path / "reports", site_dir=tmp_path / "site", email=settings
    )


def cycle(config: Config, as_of: date = AS_OF, **options: Any) -> tuple[RunReport, list[DeliveryView]]:
    ctx = Context.open(config)
    try:
        return run_cycle(ctx, as_of, **options), ctx.store.deliveries()
    finally:
        ctx.close()


def by_channel(rows: list[DeliveryView]) -> dict[str, DeliveryView]:
    return {row.channel: row for row in rows}


# --- email ------------------------------------------------------------------------------


def test_the_digest_email_has_text_and_inlined_html(
    database_url: str, tmp_path: Path, smtp: tuple[Handler, int]
) -> None:
    handler, port = smtp
    report, rows = cycle(make_config(database_url, tmp_path, port))
    assert len(handler.received) == 1
    message = handler.received[0]
    assert handler.envelopes[0] == ("tracker@example.org", ["desk@example.org", "analyst@example.org"])
    assert message["Subject"] == "India–China digest 2025-12-01: 11 changes"
    email_row = by_channel(rows)["email"]
    assert email_row.state == "sent" and email_row.attempts == 1
    assert message["Message-ID"] == email_row.message_id
    assert email_row.message_id is not None and email_row.message_id.endswith("@example.org>")
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    text_body, html_body = text.get_content(), html.get_content()
    assert "Direct air services" in text_body and "proposed -> in progress" in text_body
    assert "They agreed to expedite the resumption of direct air services" in text_body
    # CSS is inlined into the elements: mail clients drop <style> blocks.
    assert "<style" not in html_body
    assert 'class="change' in html_body and "border-left:" in html_body
    assert "Direct air services" in html_body
    assert report.digest_id == email_row.digest_id
    # A second run the same day sends nothing more.
    _, rows = cycle(make_config(database_url, tmp_path, port))
    assert len(handler.received) == 1


def test_setbacks_come_first_in_the_subject(database_url: str, tmp_path: Path, smtp: tuple[Handler, int]) -> None:
    handler, port = smtp
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "curbs.txt").write_text(
        "Flights halted again\n\nIndia and China have suspended direct flights between the two countries again, "
        "the Ministry of External Affairs said on Tuesday.\n",
        encoding="utf-8",
    )
    (folder / "manifest.toml").write_text(
        '[[article]]\nfile = "curbs.txt"\ndate = 2025-12-02\nsource = "MEA"\nurl = "https://mea.gov.in/x"\n',
        encoding="utf-8",
    )
    config = make_config(database_url, tmp_path, port)
    cycle(config)
    from dataclasses import replace

    cycle(replace(config, folders=(folder,)), date(2025, 12, 2))
    assert len(handler.received) == 2
    assert handler.received[1]["Subject"] == "India–China digest 2025-12-02: 1 setback, 1 change"


def test_a_connection_dropped_after_the_message_leaves_it_interrupted(
    database_url: str, tmp_path: Path, smtp: tuple[Handler, int]
) -> None:
    """The server took the whole message and hung up without answering: it may hold it, so no run resends it."""
    handler, port = smtp
    handler.mode = "disconnect"
    config = make_config(database_url, tmp_path, port)
    report, rows = cycle(config)
    row = by_channel(rows)["email"]
    assert (row.state, row.attempts) == ("interrupted", 1)
    assert [m for m in report.messages if "email via" in m and f"--resend {row.id}" in m]
    handler.mode = "ok"
    _, rows = cycle(config)
    assert by_channel(rows)["email"].state == "interrupted" and handler.received == []


@pytest.mark.parametrize("failure", ["refuse", "auth"])
def test_a_failing_server_leaves_the_digest_queued_and_a_later_run_delivers_it_once(
    database_url: str, tmp_path: Path, smtp: tuple[Handler, int], failure: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, port = smtp
    monkeypatch.setenv("TRACKER_SMTP_PASSWORD", "wrong" if failure == "auth" else "s3cret")
    handler.mode = "ok" if failure == "auth" else failure
    config = make_config(database_url, tmp_path, port, username="tracker", password_env="TRACKER_SMTP_PASSWORD")
    report, rows = cycle(config)
    row = by_channel(rows)["email"]
    assert (row.state, row.attempts) == ("queued", 1)
    assert row.last_error and row.last_error.startswith(f"email via 127.0.0.1:{port}: ")
    assert "s3cret" not in row.last_error and "wrong" not in row.last_error
    assert handler.received == []
    assert any("email via" in m for m in report.messages)
    # The files went out regardless.
    assert by_channel(rows)["files"].state == "sent"

    handler.mode = "ok"
    monkeypatch.setenv("TRACKER_SMTP_PASSWORD", "s3cret")
    _, rows = cycle(config)
    row = by_channel(rows)["email"]
    assert (row.state, row.attempts, row.last_error) == ("sent", 2, None)
    _, rows = cycle(config)
    assert len(handler.received) == 1
    assert handler.received[0]["Message-ID"] == row.message_id


def test_starttls_with_a_self_signed_certificate(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = self_signed_certificate(tmp_path)
    handler = Handler()
    controller = start(handler, cert=(cert, key), require_starttls=True, authenticator=Authenticator("tracker", "pw"))
    monkeypatch.setenv("TRACKER_SMTP_PASSWORD", "pw")
    try:
        untrusted = make_config(database_url, tmp_path, controller.port, security="starttls", username="tracker")
        _, rows = cycle(untrusted)
        row = by_channel(rows)["email"]
        assert row.state == "queued" and "CERTIFICATE_VERIFY_FAILED" in (row.last_error or "")
        trusted = make_config(
            database_url, tmp_path, controller.port, security="starttls", username="tracker", ca_file=cert
        )
        _, rows = cycle(trusted)
        assert by_channel(rows)["email"].state == "sent"
        assert len(handler.received) == 1
    finally:
        controller.stop()


def test_dry_run_writes_the_message_and_sends_nothing(
    database_url: str, tmp_path: Path, smtp: tuple[Handler, int]
) -> None:
    handler, port = smtp
    config = make_config(database_url, tmp_path, port)
    _report, rows = cycle(config, dry_run=True)
    eml = tmp_path / "reports" / "2025-12-01.eml"
    assert eml.is_file() and b"Message-ID: <tracker-digest-" in eml.read_bytes()
    assert handler.received == []
    assert rows == []  # nothing recorded or queued: the next run reports the changes itself
    _, rows = cycle(config)
    assert by_channel(rows)["email"].state == "sent" and len(handler.received) == 1


# --- real processes: a crash after the server accepted --------------------------------


def tracker(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tracker", "--config", str(tmp_path / "tracker.toml"), *args],
        env=os.environ | (env or {}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )


def write_config(tmp_path: Path, database_url: str, port: int) -> None:
    (tmp_path / "tracker.toml").write_text(
        f'database_url = "{database_url}"\nreports_dir = "reports"\n\n[email]\nhost = "127.0.0.1"\n'
        f'port = {port}\nsecurity = "none"\nsender = "tracker@example.org"\nrecipients = ["desk@example.org"]\n',
        encoding="utf-8",
    )


@pytest.mark.system
def test_a_crash_after_the_server_accepted_sends_no_second_copy(
    database_url: str, tmp_path: Path, smtp: tuple[Handler, int]
) -> None:
    handler, port = smtp
    write_config(tmp_path, database_url, port)
    handler.mode = "kill"
    first = tracker(tmp_path, "run", "--as-of", "2025-12-01")
    handler.kill_pid = first.pid
    assert first.wait(timeout=120) == -9
    assert len(handler.received) == 1

    handler.mode = "ok"
    again = tracker(tmp_path, "run", "--as-of", "2025-12-01")
    _out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert "Traceback" not in err
    assert "not resent" in err and "tracker digest send --resend" in err
    assert len(handler.received) == 1
    listing = tracker(tmp_path, "outbox").communicate(timeout=60)[0]
    assert "interrupted" in listing and "sent" in listing
    # Asked explicitly, it goes again with the same Message-ID, so the far side can tell.
    delivery_id = next(line.split()[0][1:] for line in listing.splitlines() if "interrupted" in line)
    resend = tracker(tmp_path, "digest", "send", "--resend", delivery_id)
    resend.communicate(timeout=120)
    assert resend.returncode == 0
    assert len(handler.received) == 2
    assert handler.received[0]["Message-ID"] == handler.received[1]["Message-ID"]


# --- the Atom feed and Apprise --------------------------------------------------------


def test_the_atom_feed_parses_back_with_stable_ids(database_url: str, tmp_path: Path) -> None:
    config = make_config(database_url, tmp_path)
    report, _ = cycle(config)
    feed_path = tmp_path / "reports" / "changes.atom"
    feed = feedparser.parse(feed_path.read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "India–China commitments: status changes"
    confirmed = [c for c in report.alerts if c.confirmed]
    assert len(feed.entries) == len(confirmed) == 11
    ids = [entry.id for entry in feed.entries]
    assert len(set(ids)) == len(ids)
    assert "urn:tracker:change:air-services:2025-06-13:proposed:in_progress" in ids
    air = next(e for e in feed.entries if e.id.startswith("urn:tracker:change:air-services:2025-06-13"))
    assert "Direct air services" in air.title and "expedite" in air.summary
    # A later digest rewrites the file; the entries it had keep their ids.
    cycle(config, date(2025, 12, 2), always=True)
    assert [e.id for e in feedparser.parse(feed_path.read_bytes()).entries] == ids


def test_apprise_json_notification_to_a_loopback_server(
    database_url: str, tmp_path: Path, httpserver: HTTPServer
) -> None:
    from dataclasses import replace

    httpserver.expect_request("/hook", method="POST").respond_with_data("", status=500)
    url = f"json://127.0.0.1:{httpserver.port}/hook"
    config = replace(make_config(database_url, tmp_path), notify=(url,))
    report, rows = cycle(config)
    row = next(r for r in rows if r.channel.startswith("notify:"))
    assert row.state == "queued" and row.attempts == 1
    assert any("notify json://" in m for m in report.messages)
    httpserver.clear()
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    _, rows = cycle(config)
    assert next(r for r in rows if r.channel.startswith("notify:")).state == "sent"
    assert len(httpserver.log) == 1
    body = json.loads(httpserver.log[0][0].get_data())
    assert body["title"] == "India–China digest 2025-12-01: 11 changes"
    assert "Direct air services: proposed → in progress (2025-06-13)" in body["message"]


# --- the outbox: a crash between recording and writing ----------------------------------


def test_a_digest_recorded_but_not_written_is_finished_by_the_next_run(database_url: str, tmp_path: Path) -> None:
    from tracker.delivery import queue_digest
    from tracker.digest import build_digest
    from tracker.model import RunCounts
    from tracker.pipeline import current_statuses, read_paths, seeds_dir, store_articles, update_timeline

    config = make_config(database_url, tmp_path)
    ctx = Context.open(config)
    try:
        # The first half of a run, stopped right after the digest was recorded.
        report = RunReport(run_id=ctx.store.start_run("run", AS_OF), as_of=AS_OF)
        seeds = seeds_dir(config)
        assert seeds is not None
        store_articles(ctx, read_paths([seeds], report, print), AS_OF, report)
        update_timeline(ctx)
        alerts = ctx.views.pending_alerts()
        digest = build_digest(alerts, current_statuses(ctx.views), ctx.catalogue, AS_OF, None, RunCounts(2, 0, 0))
        stored = queue_digest(ctx.store, config, digest, [a.id for a in alerts])
        # A temporary file a killed writer left behind.
        (tmp_path / "reports").mkdir()
        (tmp_path / "reports" / ".2025-12-01.html.999.tmp").write_text("half", encoding="utf-8")
    finally:
        ctx.close()
    report, rows = cycle(config)
    assert report.digest_id is None and report.alerts == []
    assert by_channel(rows)["files"].state == "sent"
    names = sorted(p.name for p in (tmp_path / "reports").iterdir() if p.is_file())
    assert names == ["2025-12-01.html", "2025-12-01.json", "2025-12-01.md", "changes.atom"]
    assert json.loads((tmp_path / "reports" / "2025-12-01.json").read_text(encoding="utf-8")) == stored.payload
    # Delivering again rewrites the same bytes.
    before = {p.name: p.read_bytes() for p in (tmp_path / "reports").iterdir() if p.is_file()}
    ctx = Context.open(config)
    try:
        ctx.store.requeue(by_channel(rows)["files"].id)
        deliver(ctx.store, config)
    finally:
        ctx.close()
    assert {p.name: p.read_bytes() for p in (tmp_path / "reports").iterdir() if p.is_file()} == before


# --- channels and the attempt ---------------------------------------------------------


def test_channels_are_queued_files_first_then_email_then_each_notification_url(
    database_url: str, tmp_path: Path
) -> None:
    from tracker.delivery import channels_for
    from tracker.delivery.notify import channel_name

    urls = ("json://127.0.0.1:9/a", "json://127.0.0.1:9/b")
    config = dataclasses.replace(make_config(database_url, tmp_path, port=25), notify=urls)
    ctx = Context.open(config)
    try:
        assert channels_for(config, ctx.store) == ["files", "email", *(channel_name(url) for url in urls)]
        assert channels_for(make_config(database_url, tmp_path), ctx.store) == ["files"]
    finally:
        ctx.close()


def test_a_kind_has_one_channel_class() -> None:
    from tracker.delivery.channel import Channel
    from tracker.delivery.kinds import channel_of_kind
    from tracker.model import ChannelKind

    assert {kind: channel_of_kind(kind).kind for kind in ChannelKind} == {kind: kind for kind in ChannelKind}
    with pytest.raises(TypeError, match="two channels of kind email"):

        class Another(Channel[None]):
            kind = ChannelKind.EMAIL

    assert channel_of_kind(ChannelKind.EMAIL).__name__ == "EmailChannel"


def _one_queued_notification(store: Store) -> tuple[DeliveryView, StoredDigest]:
    payload = {"relationship": "India–China", "as_of": AS_OF.isoformat(), "changes": []}
    digest_id = store.record_digest(AS_OF, None, [], [], payload=json.dumps(payload), channels=["notify:0"])
    stored = store.stored_digest(digest_id)
    assert stored is not None
    return store.deliveries()[0], stored


def test_an_attempt_is_counted_before_the_hand_over_and_marked_at_the_point_of_no_return(
    database_url: str, tmp_path: Path
) -> None:
    from tracker.delivery.attempt import Attempt
    from tracker.delivery.channel import Delivered
    from tracker.delivery.notify import NotifyChannel

    ctx = Context.open(make_config(database_url, tmp_path))
    seen: list[tuple[str, int]] = []

    class Watched(NotifyChannel):
        def hand_over(self, prepared: dict, point_of_no_return: Callable[[], None]) -> Delivered:
            seen.append((ctx.store.deliveries()[0].state, ctx.store.deliveries()[0].attempts))
            point_of_no_return()
            seen.append((ctx.store.deliveries()[0].state, ctx.store.deliveries()[0].attempts))
            return Delivered("notified")

    try:
        delivery, stored = _one_queued_notification(ctx.store)
        outcome = Attempt(ctx.store, delivery, 3).run(Watched("json://127.0.0.1:9/", 1.0), stored)
        assert seen == [("queued", 1), ("sending", 1)]
        assert outcome.ok and outcome.delivery.state == "sent" and outcome.delivery.attempts == 1
    finally:
        ctx.close()


def test_a_channel_that_skips_the_point_of_no_return_is_stopped_and_never_resent(
    database_url: str, tmp_path: Path
) -> None:
    from tracker.delivery.attempt import Attempt, ChannelBroke
    from tracker.delivery.channel import Delivered
    from tracker.delivery.notify import NotifyChannel

    class Careless(NotifyChannel):
        def hand_over(self, prepared: dict, point_of_no_return: Callable[[], None]) -> Delivered:
            return Delivered("notified")

    config = make_config(database_url, tmp_path)
    ctx = Context.open(config)
    try:
        delivery, stored = _one_queued_notification(ctx.store)
        with pytest.raises(ChannelBroke, match="without marking the point of no return"):
            Attempt(ctx.store, delivery, 3).run(Careless("json://127.0.0.1:9/", 1.0), stored)
        assert ctx.store.deliveries()[0].state == "interrupted"
        assert deliver(ctx.store, config, retry_failed=True) == []
    finally:
        ctx.close()


# --- the commands ---------------------------------------------------------------------


def test_outbox_digest_show_and_test_send(
    database_url: str, tmp_path: Path, smtp: tuple[Handler, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The commands in this process, as `tracker --config tracker.toml ...` run in the desk's folder
    (the tests above start real processes where a crash is the point)."""
    handler, port = smtp
    write_config(tmp_path, database_url, port)
    monkeypatch.chdir(tmp_path)

    def command(*args: str) -> Result:
        return CliRunner().invoke(main, ["--config", str(tmp_path / "tracker.toml"), *args], catch_exceptions=False)

    ran = command("run", "--as-of", "2025-12-01")
    assert "Digest #1 email: sent to desk@example.org as <tracker-digest-1." in ran.stdout, ran.stderr
    listing = command("outbox").stdout
    lines = listing.splitlines()
    assert len(lines) == 2
    assert "files" in lines[0] and "sent" in lines[0]
    assert "email" in lines[1] and "sent" in lines[1] and "1 attempt" in lines[1] and "<tracker-digest-1." in lines[1]
    shown = command("digest", "show").stdout
    assert shown.startswith("India–China commitments: digest of 2025-12-01\n")
    as_json = command("digest", "show", "1", "--format", "json").stdout
    assert len(json.loads(as_json)["changes"]) == 11
    missing = command("digest", "show", "9")
    assert missing.exit_code == 1 and missing.stderr.strip() == "Error: no digest #9"
    queued = command("digest", "send").stdout
    assert queued.strip() == "Nothing queued."

    sent = command("test-send", "email")
    assert sent.exit_code == 0 and sent.stdout.startswith("email: ok: sent to desk@example.org")
    assert len(handler.received) == 2 and handler.received[1]["Subject"].startswith("[test] India–China digest ")
    unconfigured = command("test-send", "notify")
    assert unconfigured.exit_code == 1 and "notify: FAILED: not configured" in unconfigured.stdout


# --- SIGKILL anywhere in a run, then a rerun ------------------------------------------


def _phase(database_url: str) -> str:
    """How far a killed run got, read from what it left in the database."""
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(database_url)
    try:
        if "deliveries" not in inspect(engine).get_table_names():
            return "killed before the schema was made"
        with engine.connect() as connection:
            if not connection.execute(text("SELECT count(*) FROM articles")).scalar():
                return "killed before an article was stored"
            states = dict(connection.execute(text("SELECT channel, state FROM deliveries")).all())
    finally:
        engine.dispose()
    if not states:
        return "killed before the digest was recorded"
    if states.get("files") != "sent":
        return "killed before the files were written"
    return f"killed with the email {states.get('email')}"


KILL_POINTS = int(os.environ.get("TRACKER_TEST_KILL_POINTS", "8"))


@pytest.mark.system
def test_a_run_killed_at_any_point_then_rerun_gives_one_digest_the_same_files_one_email(
    tmp_path: Path, smtp: tuple[Handler, int]
) -> None:
    import time

    from sqlalchemy import create_engine, text

    from tracker.delivery.files import render_report

    handler, port = smtp
    # How long a whole run takes here, to spread the kills over it.
    probe = tmp_path / "probe"
    probe.mkdir()
    write_config(probe, f"sqlite:///{probe / 'tracker.db'}", port)
    started = time.monotonic()
    assert tracker(probe, "run", "--as-of", "2025-12-01").wait(timeout=120) == 0
    duration = time.monotonic() - started
    handler.received.clear()
    outcomes: dict[str, int] = {}
    for point in range(KILL_POINTS):
        folder = tmp_path / f"point-{point}"
        folder.mkdir()
        url = f"sqlite:///{folder / 'tracker.db'}"
        write_config(folder, url, port)
        before = len(handler.received)
        victim = tracker(folder, "run", "--as-of", "2025-12-01")
        time.sleep(duration * (point + 1) / (KILL_POINTS + 1))
        victim.kill()
        killed = victim.wait(timeout=60) == -9
        phase = _phase(url) if killed else "finished"
        rerun = tracker(folder, "run", "--as-of", "2025-12-01")
        _, err = rerun.communicate(timeout=120)
        assert rerun.returncode == 0 and "Traceback" not in err, err
        engine = create_engine(url)
        with engine.connect() as connection:
            digests = connection.execute(text("SELECT id, payload FROM digests")).all()
            states = dict(connection.execute(text("SELECT channel, state FROM deliveries")).all())
        engine.dispose()
        assert len(digests) == 1
        payload = json.loads(digests[0][1])
        reports = folder / "reports"
        assert sorted(p.name for p in reports.iterdir() if p.is_file()) == [
            "2025-12-01.html",
            "2025-12-01.json",
            "2025-12-01.md",
            "changes.atom",
        ]
        rendered = render_report(payload)
        for ext in ("html", "md", "json"):
            assert (reports / f"2025-12-01.{ext}").read_text(encoding="utf-8").rstrip("\n") == rendered[ext].rstrip(
                "\n"
            )
        mails = len(handler.received) - before
        assert states["files"] == "sent"
        # Exactly one email, or (killed while handing it over) at most one and flagged, never two.
        assert mails == 1 if states["email"] == "sent" else states["email"] == "interrupted" and mails <= 1
        key = f"{phase}, then email {states['email']}"
        outcomes[key] = outcomes.get(key, 0) + 1
    print(f"{KILL_POINTS} kills over a {duration:.1f}s run: {outcomes}")


# --- revisions ------------------------------------------------------------------------


def test_a_late_article_that_rewrites_a_delivered_alert_is_told_as_revised(
    database_url: str, tmp_path: Path, smtp: tuple[Handler, int]
) -> None:
    from dataclasses import replace

    handler, port = smtp
    folder = tmp_path / "incoming"
    folder.mkdir()
    config = replace(make_config(database_url, tmp_path, port), folders=(folder,))
    cycle(config)
    (folder / "late.txt").write_text(
        "Flights deal\n\nIndia and China have agreed to resume direct flights,"
        " the Ministry of External Affairs said.\n",
        encoding="utf-8",
    )
    (folder / "manifest.toml").write_text(
        '[[article]]\nfile = "late.txt"\ndate = 2025-03-01\nsource = "MEA"\nurl = "https://mea.gov.in/late"\n',
        encoding="utf-8",
    )
    report, _ = cycle(config, date(2025, 12, 2))
    # History moved under the alert, not the current status: no new alert, one revision.
    assert report.alerts == [] and report.digest_id is not None
    digest = json.loads((tmp_path / "reports" / "2025-12-02.json").read_text(encoding="utf-8"))
    assert digest["changes"] == []
    [item] = digest["revised"]
    assert item["commitment_id"] == "air-services"
    assert (item["reported"]["from_status"], item["reported"]["to_status"]) == ("proposed", "in_progress")
    assert item["reported_in"] == "2025-12-01"
    assert (item["now_status"], item["now_since"]) == ("in_progress", "2025-06-13")
    assert item["because"]["date"] == "2025-03-01" and item["because"]["to_status"] == "agreed"
    markdown = (tmp_path / "reports" / "2025-12-02.md").read_text(encoding="utf-8")
    assert "## Revised" in markdown and "Reported in the digest of 2025-12-01: proposed → in progress" in markdown
    assert "> India and China have agreed to resume direct flights" in markdown
    assert ">Revised</h2>" in (tmp_path / "reports" / "2025-12-02.html").read_text(encoding="utf-8")
    mail = handler.received[-1]
    assert mail["Subject"] == "India–China digest 2025-12-02: no changes, 1 revised"
    text = mail.get_body(("plain",))
    assert text is not None and "REVISED" in text.get_content()
    # Told once.
    again, _ = cycle(config, date(2025, 12, 3))
    assert again.digest_id is None and len(handler.received) == 2


def test_a_reports_folder_that_cannot_be_written_keeps_the_files_queued(database_url: str, tmp_path: Path) -> None:
    config = make_config(database_url, tmp_path)
    config.reports_dir.write_text("not a folder", encoding="utf-8")
    report, rows = cycle(config)
    assert report.digest_id is not None
    files = by_channel(rows)["files"]
    assert (files.state, files.attempts) == ("queued", 1)
    assert [m for m in report.messages if "cannot write" in m and str(config.reports_dir) in m]
    config.reports_dir.unlink()
    again, rows = cycle(config)
    assert again.digest_id is None and by_channel(rows)["files"].state == "sent"
    assert sorted(p.name for p in config.reports_dir.iterdir())[:3] == [
        "2025-12-01.html",
        "2025-12-01.json",
        "2025-12-01.md",
    ]


def test_a_site_written_earlier_in_the_process_leaves_the_report_and_email_as_they_are(
    sqlite_url: str, tmp_path: Path, smtp: tuple[Handler, int]
) -> None:
    """As `tracker schedule` runs its days in one process: a quiet day writes the site only, a later
    day's digest is written and mailed as a fresh process would have them."""
    handler, port = smtp
    # Templates of one's own (none here): templates are compiled once per folder and process, so a
    # folder of this test's own starts from none compiled, whatever ran before in this process.
    templates = tmp_path / "templates"
    templates.mkdir()
    config = dataclasses.replace(make_config(sqlite_url, tmp_path, port), templates_dir=templates)
    quiet, _ = cycle(dataclasses.replace(config, use_seeds=False))
    assert quiet.digest_id is None and quiet.site_files
    report, _ = cycle(config)
    assert report.digest_id is not None
    markdown = (config.reports_dir / "2025-12-01.md").read_text(encoding="utf-8")
    assert "\n### Direct air services\n\n**first report → proposed** · New · 2025-01-27\n" in markdown
    text = handler.received[-1].get_body(("plain",))
    assert text is not None
    lines = text.get_content().splitlines()
    assert lines[lines.index("* Direct air services (2025-01-27)") + 1] == "  first report -> proposed"

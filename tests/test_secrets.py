"""Secrets never leave the configuration: the SMTP password, tokens in Apprise URLs, credentials
and secret query parameters in feed URLs, the database password.

Real parts: an SMTP server on loopback that requires AUTH (aiosmtpd), an HTTP server on
loopback for the feeds (it demands Basic authentication) and for the Apprise webhook. After
each run, every place a secret could end up is searched: what the commands print (run,
sources list, runs, outbox, status, changes, exports, test-send, every --help), the runs
table's messages, the digest files, the site, and the bytes of the SQLite file.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from tests.support.smtp_server import Authenticator, Handler, free_port, start
from tracker.cli import main
from tracker.config import CONFIG_ENV, EMAIL_ENV_PREFIX, EMAIL_KEYS, ENV_KEYS, NOTIFY_ENV

pytestmark = pytest.mark.system

SMTP_PASSWORD = "smtp-PW-7f3a9c"
FEED_PASSWORD = "feed-PW-41d0e2"
QUERY_TOKEN = "qtok-8c1b55"
API_KEY = "akey-0e99d3"
HOOK_TOKEN = "hook-TOK-5a2f70"
HOOK_PASSWORD = "hook-PW-c3e1b8"
DB_PASSWORD = "db-PW-9b7e44"
# Secrets under names no list of names foresaw, or in a shape that says what they are.
PW_VALUE = "pwval-61c2aa"
PASS_VALUE = "passval-0d7e13"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZXNrIn0.c2lnbmF0dXJlLW9mLWRlc2s"
BEARER = "brr7Q2x9KfLmN3pR8sT1vW4yZ6"
ODD_PASSWORD = "odd#PW/x?9d2"
# Short secrets under names that say nothing: hidden by their shape alone.
SID = "x7Hq2mPz"
CODE = "Kd4w9"
SECRETS = (
    SMTP_PASSWORD,
    FEED_PASSWORD,
    QUERY_TOKEN,
    API_KEY,
    HOOK_TOKEN,
    HOOK_PASSWORD,
    DB_PASSWORD,
    PW_VALUE,
    PASS_VALUE,
    JWT,
    BEARER,
    ODD_PASSWORD,
    SID,
    CODE,
)

FLIGHTS = "India and China agreed in principle to resume direct flights, the two sides said."


def rss(title: str, link: str, text: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Desk</title>'
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>Tue, 01 Jul 2025 10:00:00 GMT</pubDate><description>{text}</description></item>"
        "</channel></rss>"
    )


def leaks(text: str | bytes) -> list[str]:
    """The secrets (or their Basic-auth or AUTH PLAIN encodings) found in a text."""
    data = text.decode("latin-1") if isinstance(text, bytes) else text
    found = [s for s in SECRETS if s in data]
    for user, password in (("desk", FEED_PASSWORD), ("desk", ODD_PASSWORD), ("tracker", SMTP_PASSWORD)):
        for token in (f"{user}:{password}", f"\0{user}\0{password}"):
            if base64.b64encode(token.encode()).decode() in data:
                found.append(f"base64 of {user}'s credentials")
    return found


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for env in [CONFIG_ENV, NOTIFY_ENV, *ENV_KEYS.values(), *(EMAIL_ENV_PREFIX + k.upper() for k in EMAIL_KEYS)]:
        monkeypatch.delenv(env, raising=False)
    monkeypatch.setenv("TRACKER_SMTP_PASSWORD", SMTP_PASSWORD)


@pytest.fixture
def smtp() -> Iterator[tuple[Handler, int]]:
    handler = Handler()
    controller = start(handler, auth_require_tls=False, authenticator=Authenticator("tracker", SMTP_PASSWORD))
    yield handler, controller.port
    controller.stop()


def write_config(tmp_path: Path, httpserver: HTTPServer, smtp_port: int, *, notify: list[str]) -> Path:
    base = httpserver.url_for("/").rstrip("/")
    host = base.removeprefix("http://")
    feeds = [
        # Credentials in the URL, and as username/password keys, and secret query parameters.
        f"http://desk:{FEED_PASSWORD}@{host}/private.rss?token={QUERY_TOKEN}",
        f"{base}/keyed.rss?api_key={API_KEY}&lang=en",
        f"{base}/refused.rss?access_token={QUERY_TOKEN}",
        f"http://desk:{FEED_PASSWORD}@127.0.0.1:{free_port()}/down.rss",
        f"{base}/pw.rss?pw={PW_VALUE}&pass={PASS_VALUE}&jwt={JWT}&q=Bearer%20{BEARER}&lang=en&sid={SID}&c={CODE}",
    ]
    lines = ",\n".join(f"  {{ url = {json.dumps(u)}, full_text = false }}" for u in feeds)
    lines += (
        f',\n  {{ url = {json.dumps(base + "/table.rss")}, username = "desk", password = {json.dumps(FEED_PASSWORD)},'
        " full_text = false }"
        f',\n  {{ url = {json.dumps(base + "/odd.rss")}, username = "desk", password = {json.dumps(ODD_PASSWORD)},'
        " full_text = false }"
    )
    config = tmp_path / "tracker.toml"
    config.write_text(
        f'database_url = "sqlite:///{tmp_path / "tracker.db"}"\nreports_dir = "{tmp_path / "reports"}"\n'
        f'seeds_dir = ""\nerror_after = 1\nnotify = {json.dumps(notify)}\nfeeds = [\n{lines}\n]\n'
        "[fetch]\nconnect_timeout = 1\nread_timeout = 2\ntotal_timeout = 3\nretries = 0\n"
        'allow = ["127.0.0.1", "localhost"]\n'
        f'[email]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\nusername = "tracker"\n'
        'sender = "tracker@desk.example"\nrecipients = ["analyst@desk.example"]\n',
        encoding="utf-8",
    )
    return config


def serve_feeds(httpserver: HTTPServer) -> None:
    auth = "Basic " + base64.b64encode(f"desk:{FEED_PASSWORD}".encode()).decode()
    httpserver.expect_request("/private.rss", headers={"Authorization": auth}).respond_with_data(
        rss("Flights", "https://wire.example/flights", FLIGHTS), content_type="application/rss+xml"
    )
    httpserver.expect_request("/table.rss", headers={"Authorization": auth}).respond_with_data(
        rss("Visas", "https://wire.example/visas", "India and China agreed to ease visas for journalists."),
        content_type="application/rss+xml",
    )
    # A server that echoes the URL it was asked for, secrets and all, in its error page and headers.
    httpserver.expect_request("/keyed.rss").respond_with_data(
        f"bad key {API_KEY}", status=403, headers={"X-Echo": f"/keyed.rss?api_key={API_KEY}"}
    )
    httpserver.expect_request("/refused.rss").respond_with_data(
        "", status=301, headers={"Location": f"{httpserver.url_for('/moved.rss')}?access_token={QUERY_TOKEN}"}
    )
    httpserver.expect_request("/moved.rss").respond_with_data("not a feed <html>", content_type="text/html")
    httpserver.expect_request("/pw.rss").respond_with_data(
        f"denied pw={PW_VALUE} pass={PASS_VALUE} jwt={JWT} Bearer {BEARER} sid={SID} c={CODE}", status=403
    )
    odd = "Basic " + base64.b64encode(f"desk:{ODD_PASSWORD}".encode()).decode()
    httpserver.expect_request("/odd.rss", headers={"Authorization": odd}).respond_with_data(
        rss("Trade", "https://wire.example/trade", "India and China agreed to reopen border trade."),
        content_type="application/rss+xml",
    )
    httpserver.expect_request("/hook").respond_with_data("ok")
    httpserver.expect_request("/broken-hook").respond_with_data(f"denied {HOOK_TOKEN}", status=500)


def invoke(config: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--config", str(config), *args])
    return f"{result.output}\n{result.stderr}\n{result.exception!r}"


def everything_shown(config: Path, tmp_path: Path) -> dict[str, str | bytes]:
    shown: dict[str, str | bytes] = {}
    commands = [
        ["sources", "list"], ["sources", "list", "--json"], ["sources", "export"], ["runs", "--messages"],
        ["runs", "--json"], ["outbox"], ["status", "--json"], ["changes", "--json"], ["digest", "show"],
        ["digest", "show", "--format", "eml"], ["export", "--what", "statements"], ["review"],
    ]  # fmt: skip
    for command in commands:
        shown[" ".join(command)] = invoke(config, *command)
    for path in (tmp_path / "reports").rglob("*"):
        if path.is_file():
            shown[str(path.relative_to(tmp_path))] = path.read_bytes()
    for path in tmp_path.glob("tracker.db*"):
        shown[path.name] = path.read_bytes()
    return shown


def test_no_secret_in_any_output_the_runs_table_or_the_database(
    environment: None, tmp_path: Path, httpserver: HTTPServer, smtp: tuple[Handler, int]
) -> None:
    handler, port = smtp
    serve_feeds(httpserver)
    hook = f"json://hook:{HOOK_PASSWORD}@127.0.0.1:{httpserver.port}/hook?-token={HOOK_TOKEN}"
    broken = f"json://127.0.0.1:{httpserver.port}/broken-hook?-token={HOOK_TOKEN}"
    unknown = f"nosuchservice://{HOOK_TOKEN}@127.0.0.1/x"
    config = write_config(tmp_path, httpserver, port, notify=[hook, broken, unknown])

    # The search finds what it looks for: the configuration holds every feed and hook secret.
    assert set(leaks(config.read_text(encoding="utf-8"))) >= {FEED_PASSWORD, QUERY_TOKEN, API_KEY, HOOK_TOKEN}

    run = invoke(config, "run", "--as-of", "2025-12-01")

    assert "Digest #1 email: sent" in run, run
    assert len(handler.received) == 1
    requests = {r.path: r for r, _ in httpserver.log}
    assert {"/private.rss", "/table.rss", "/keyed.rss", "/pw.rss", "/odd.rss", "/hook", "/broken-hook"} <= set(
        requests
    ), set(requests)
    assert "403" in run and "***" in run
    shown = {"run": run, **everything_shown(config, tmp_path)}
    assert "Flights" in str(shown["changes --json"])
    found = {name: leaks(text) for name, text in shown.items() if leaks(text)}
    assert not found, found
    # The secrets did their job: the feeds were read with them, and the hook was called with its token.
    assert requests["/hook"].args.get("token") == HOOK_TOKEN
    assert requests["/hook"].authorization.password == HOOK_PASSWORD


def test_a_refused_smtp_login_and_test_send_name_the_user_not_the_password(
    environment: None,
    tmp_path: Path,
    httpserver: HTTPServer,
    smtp: tuple[Handler, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, port = smtp
    serve_feeds(httpserver)
    config = write_config(tmp_path, httpserver, port, notify=[])
    monkeypatch.setenv("TRACKER_SMTP_PASSWORD", SMTP_PASSWORD[::-1] + DB_PASSWORD)

    run = invoke(config, "run", "--as-of", "2025-12-01")
    sent = invoke(config, "test-send", "email")

    assert "login as tracker refused" in run and "login as tracker refused" in sent, (run, sent)
    shown = {"run": run, "test-send": sent, **everything_shown(config, tmp_path)}
    found = {name: leaks(text) for name, text in shown.items() if leaks(text)}
    assert not found, found


def test_help_and_errors_show_no_secret_from_the_environment(
    environment: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"postgresql+psycopg://tracker:{DB_PASSWORD}@127.0.0.1:{free_port()}/tracker"
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    monkeypatch.setenv(NOTIFY_ENV, f"json://127.0.0.1:9/hook?token={HOOK_TOKEN}")
    monkeypatch.setenv("TRACKER_EMAIL_PASSWORD_ENV", "TRACKER_SMTP_PASSWORD")
    names = [[], *([name] for name in main.commands)]  # type: ignore[attr-defined]
    names += [["sources", sub] for sub in ("add", "list", "remove", "import", "export")]
    names += [["digest", "show"], ["digest", "send"], ["review", "confirm"]]
    outputs = {" ".join(n) or "tracker": invoke_plain(*n, "--help") for n in names}
    # A database that cannot be reached: the error names it, without its password.
    outputs["status"] = invoke_plain("status")
    outputs["run"] = invoke_plain("run", "--as-of", "2025-12-01")
    assert "127.0.0.1" in outputs["status"], outputs["status"]
    found = {name: leaks(text) for name, text in outputs.items() if leaks(text)}
    assert not found, found


def invoke_plain(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    return f"{result.output}\n{result.stderr}\n{result.exception!r}"


def test_a_traceback_of_a_real_process_shows_no_secret(tmp_path: Path) -> None:
    """The command as a user runs it: even an unexpected failure prints no password."""
    url = f"postgresql+psycopg://tracker:{DB_PASSWORD}@127.0.0.1:{free_port()}/tracker"
    env = {"PATH": "/usr/bin:/bin", "TRACKER_DATABASE_URL": url, "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "sources", "list"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert not leaks(done.stdout + done.stderr), done.stdout + done.stderr


def scheduled_job_state(database_url: str, tmp_path: Path) -> bytes:
    """Build the scheduler the way `tracker --database-url URL schedule` does: the bytes its job
    store writes into the database for the daily job (APScheduler pickles the job's state)."""
    import pickle

    from tracker.config import Config
    from tracker.pipeline import Context
    from tracker.scheduling import JOB_ID, build_scheduler, trigger_for

    config = Config(database_url=database_url, reports_dir=tmp_path / "reports", use_seeds=False)
    Context.open(config).close()
    scheduler = build_scheduler(config, trigger_for("06:00", "UTC"), None, database_url)
    (job,) = [j for j in scheduler.get_jobs() if j.id == JOB_ID]
    job.next_run_time = None  # set when the scheduler starts; the rest is what the store writes
    return pickle.dumps(job.__getstate__(), pickle.HIGHEST_PROTOCOL)


def test_the_scheduled_job_stores_no_database_url(tmp_path: Path, environment: None) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    state = scheduled_job_state(url, tmp_path)
    assert b"tracker.db" not in state and b"sqlite" not in state


def test_the_scheduled_job_stores_no_database_password(postgres_url: str, tmp_path: Path, environment: None) -> None:
    # The test server trusts loopback connections: a password in the URL is sent and ignored.
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url).set(password=DB_PASSWORD).render_as_string(hide_password=False)
    state = scheduled_job_state(url, tmp_path)
    assert not leaks(state)


@pytest.mark.parametrize("password", ["pa#ss", "pa/ss", "pa?ss", "pa@ss", "p/a@ss"])
def test_a_password_left_unencoded_in_a_feed_url_is_refused_without_showing_it(
    environment: None, tmp_path: Path, password: str
) -> None:
    from tracker.config import ConfigError, load_config

    config = tmp_path / "tracker.toml"
    config.write_text(f'feeds = ["https://desk:{password}Zq81@wire.example/feed.rss"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    message = str(caught.value)
    assert message.startswith(f"{config}: feeds[0].url: the password in the URL holds")
    assert "Zq81" not in message and "\n" not in message


def test_two_feeds_that_read_alike_once_redacted_are_refused(environment: None, tmp_path: Path) -> None:
    """Feeds are stored and named by their redacted URL: two that differ only in a hidden value
    would be taken for one feed (one fetched, the other silently dropped)."""
    from tracker.config import ConfigError, load_config

    config = tmp_path / "tracker.toml"
    config.write_text(
        'feeds = ["https://wire.example/rss?lang=en", "https://wire.example/rss?sid=Qa7x1",'
        ' "https://wire.example/rss?sid=Zp4k2"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    message = str(caught.value)
    assert message.startswith(f"{config}: feeds[2].url: reads as feeds[1] once its secrets are hidden"), message
    assert "Qa7x1" not in message and "Zp4k2" not in message and "\n" not in message

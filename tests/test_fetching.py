"""Fetching against real HTTP servers on loopback: pytest-httpserver, and a raw socket
server for the misbehaviour a framework will not produce (trickled headers and bodies)."""

from __future__ import annotations

import base64
import gzip
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.support.slow_server import SlowServer
from tracker.fetching import (
    USER_AGENT,
    FetchPolicy,
    assess,
    fetch_all,
    redact,
    split_credentials,
)
from tracker.model import FetchOutcome as Outcome
from tracker.model import FetchRequest, FetchResult

# The test servers listen on loopback, which a fetch refuses unless allowed.
LOOPBACK = ("127.0.0.1", "::1", "localhost")
FAST = FetchPolicy(connect_timeout=2, read_timeout=2, total_timeout=3, retries=0, allow=LOOPBACK)


def one(url: str, policy: FetchPolicy = FAST, **kwargs: str) -> FetchResult:
    (result,) = fetch_all([FetchRequest(url, **kwargs)], policy)
    return result


# --- redaction ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://alice:s3cret@feeds.example/rss", "https://***@feeds.example/rss"),
        ("https://feeds.example/rss?api_key=abc123&lang=en", "https://feeds.example/rss?api_key=***&lang=en"),
        (
            "https://feeds.example/rss?token=t0k&apikey=k&sig=s",
            "https://feeds.example/rss?token=***&apikey=***&sig=***",
        ),
        ("https://feeds.example/rss?lang=en&page=2", "https://feeds.example/rss?lang=en&page=2"),
        ("https://bob@feeds.example/rss", "https://***@feeds.example/rss"),
        # Plain shapes are shown (they name a feed: two feeds may differ only there) ...
        (
            "https://news.example/rss?q=India+China&hl=en-IN&ceid=IN:en&from=2025-07-01&tag=india-china",
            "https://news.example/rss?q=India+China&hl=en-IN&ceid=IN:en&from=2025-07-01&tag=india-china",
        ),
        # ... anything else is hidden whatever its name: digits in a word, mixed case, long numbers, symbols.
        (
            "https://feeds.example/rss?sid=x7Hq2mPz&c=Kd4w9&n=123456789&e=a@b&lang=en",
            "https://feeds.example/rss?sid=***&c=***&n=***&e=***&lang=en",
        ),
        ("https://feeds.example/rss?q=Bearer%20brr7Q2x9KfLmN3pR8sT1vW4yZ6", "https://feeds.example/rss?q=***"),
        # A plain word under a name that says credential is hidden too: a password may be a word.
        ("https://feeds.example/rss?pass=hunter&pin=1234", "https://feeds.example/rss?pass=***&pin=***"),
        # Delimiters left unencoded in a password: all of the userinfo goes, whatever URL parsing makes of it.
        ("https://desk:p@ss@feeds.example/rss", "https://***@feeds.example/rss"),
        ("https://desk:p#w?x/y@feeds.example/rss", "https://***@feeds.example/rss"),
        # An `@` in a path or a query is no userinfo.
        ("https://medium.example/feed/@desk", "https://medium.example/feed/@desk"),
    ],
)
def test_redact_hides_passwords_and_secret_query_values(url: str, shown: str) -> None:
    assert redact(url) == shown


def test_split_credentials_decodes_the_userinfo() -> None:
    assert split_credentials("https://al%40ice:p%3Ass@h.example/f?x=1") == (
        "https://h.example/f?x=1",
        ("al@ice", "p:ss"),
    )
    assert split_credentials("https://h.example/f") == ("https://h.example/f", None)


# --- HTTP behaviour -------------------------------------------------------------------


def test_user_agent_and_compression(httpserver: HTTPServer) -> None:
    body = b"<rss>" + b"x" * 5000 + b"</rss>"
    httpserver.expect_request("/feed", headers={"User-Agent": USER_AGENT}).respond_with_response(
        Response(gzip.compress(body), headers={"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"})
    )

    result = one(httpserver.url_for("/feed"))

    assert (result.outcome, result.status, result.body) == (Outcome.OK, 200, body)
    (request, _response) = httpserver.log[0]
    assert "gzip" in request.headers["Accept-Encoding"]
    httpserver.check_assertions()


def test_conditional_get_round_trip(httpserver: HTTPServer) -> None:
    etag, modified = '"v1"', "Sat, 14 Jun 2025 08:00:00 GMT"

    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304)
        return Response("<rss/>", headers={"ETag": etag, "Last-Modified": modified})

    httpserver.expect_request("/feed").respond_with_handler(handler)
    url = httpserver.url_for("/feed")

    first = one(url)
    second = one(url, etag=first.etag or "", last_modified=first.last_modified or "")

    assert (first.outcome, first.etag, first.last_modified) == (Outcome.OK, etag, modified)
    assert (second.outcome, second.status, second.body) == (Outcome.NOT_MODIFIED, 304, b"")
    assert httpserver.log[1][0].headers["If-Modified-Since"] == modified


@pytest.mark.parametrize(("status", "outcome"), [(404, Outcome.FAILED), (500, Outcome.FAILED), (410, Outcome.GONE)])
def test_error_statuses(httpserver: HTTPServer, status: int, outcome: Outcome) -> None:
    httpserver.expect_request("/feed").respond_with_data("no", status=status)

    result = one(httpserver.url_for("/feed"))

    assert (result.outcome, result.status) == (outcome, status)
    assert result.error is not None and str(status) in result.error
    assert "\n" not in result.error


def test_transient_failures_are_retried_with_growing_waits(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/feed").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/feed").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/feed").respond_with_data("<rss/>")
    policy = FetchPolicy(total_timeout=3, retries=2, retry_delay=0.05, allow=LOOPBACK)

    result = one(httpserver.url_for("/feed"), policy)

    assert (result.outcome, result.attempts, result.body) == (Outcome.OK, 3, b"<rss/>")
    httpserver.check_assertions()


def test_a_404_is_not_retried(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data("no", status=404)

    result = one(httpserver.url_for("/feed"), FetchPolicy(retries=3, retry_delay=0.05, allow=LOOPBACK))

    assert (result.outcome, result.attempts, len(httpserver.log)) == (Outcome.FAILED, 1, 1)


def test_permanent_redirect_is_followed_and_reported(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data("<rss/>")

    result = one(httpserver.url_for("/old"))

    assert (result.outcome, result.body) == (Outcome.OK, b"<rss/>")
    assert [r.status for r in result.redirects] == [301]
    assert result.moved_to == httpserver.url_for("/new")


def test_temporary_redirect_is_followed_but_moves_nothing(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old").respond_with_data("", status=302, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data("<rss/>")

    result = one(httpserver.url_for("/old"))

    assert (result.outcome, [r.status for r in result.redirects], result.moved_to) == (Outcome.OK, [302], None)


def test_redirect_loop_is_one_failure(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})

    result = one(httpserver.url_for("/a"))

    assert result.outcome is Outcome.FAILED
    assert result.error is not None and "redirect" in result.error


def test_body_past_the_cap_is_stopped(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/big").respond_with_data(b"x" * 200_000)
    # Small when sent, large when decompressed: the cap counts what it decompresses to.
    bomb = gzip.compress(b"x" * 2_000_000)
    httpserver.expect_request("/bomb").respond_with_response(Response(bomb, headers={"Content-Encoding": "gzip"}))
    policy = FetchPolicy(max_bytes=100_000, retries=0, allow=LOOPBACK)

    big, gz = fetch_all([FetchRequest(httpserver.url_for("/big")), FetchRequest(httpserver.url_for("/bomb"))], policy)

    assert len(bomb) < 100_000
    for result in (big, gz):
        assert result.outcome is Outcome.FAILED
        assert result.error is not None and "100000 byte limit" in result.error
        assert result.body == b""


def test_basic_credentials_from_the_url_are_sent_and_never_shown(httpserver: HTTPServer) -> None:
    expected = "Basic " + base64.b64encode(b"analyst:pa55word").decode()
    httpserver.expect_request("/private", headers={"Authorization": expected}).respond_with_data("<rss/>")
    httpserver.expect_request("/denied").respond_with_data("who?", status=401)
    url = httpserver.url_for("/private").replace("http://", "http://analyst:pa55word@")
    denied = httpserver.url_for("/denied").replace("http://", "http://analyst:pa55word@") + "?api_key=k3y"

    ok, failed = fetch_all([FetchRequest(url), FetchRequest(denied)], FAST)

    assert (ok.outcome, ok.body) == (Outcome.OK, b"<rss/>")
    assert failed.outcome is Outcome.FAILED
    for result in (ok, failed):
        shown = repr(result)
        assert "pa55word" not in shown and "k3y" not in shown and "analyst" not in shown
    httpserver.check_assertions()


def test_unreachable_port_is_one_failure_naming_the_reason() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    result = one(f"http://u:hidden@127.0.0.1:{port}/feed")

    assert result.outcome is Outcome.FAILED
    assert result.error is not None and result.error.startswith("cannot connect")
    assert "hidden" not in repr(result)


# --- servers that trickle -------------------------------------------------------------


class Trickler(SlowServer):
    """It answers slowly, one byte at a time: the body ("body") or the headers ("headers")."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        super().__init__("feed.xml")

    def answer(self, conn: socket.socket) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n"
        if self.mode == "body":
            conn.sendall(head)
            data = b"<rss>" + b" " * 99_995
        else:
            data = head
        for byte in data:
            if self.stop.is_set():
                return
            conn.sendall(bytes([byte]))
            time.sleep(0.2)


@pytest.fixture(params=["body", "headers"])
def trickler(request: pytest.FixtureRequest) -> Iterator[Trickler]:
    server = Trickler(request.param)
    yield server
    server.close()


def test_a_trickling_server_meets_the_total_deadline_and_holds_no_other(
    trickler: Trickler, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/good.xml").respond_with_data("<rss/>")
    # Each byte comes well within the read timeout: only the total deadline can stop it.
    policy = FetchPolicy(connect_timeout=2, read_timeout=2, total_timeout=1.5, retries=0, concurrency=2, allow=LOOPBACK)

    slow, good = fetch_all([FetchRequest(trickler.url), FetchRequest(httpserver.url_for("/good.xml"))], policy)

    assert slow.outcome is Outcome.FAILED
    assert slow.error is not None and "1.5 s deadline" in slow.error
    assert (good.outcome, good.body) == (Outcome.OK, b"<rss/>")


class CountingHandler(BaseHTTPRequestHandler):
    """Answers after a pause, counting how many requests it serves at once."""

    lock = threading.Lock()
    active = 0
    peak = 0

    def do_GET(self) -> None:
        cls = type(self)
        with cls.lock:
            cls.active += 1
            cls.peak = max(cls.peak, cls.active)
        time.sleep(0.2)
        with cls.lock:
            cls.active -= 1
        self.send_response(200)
        self.send_header("Content-Length", "6")
        self.end_headers()
        self.wfile.write(b"<rss/>")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.parametrize("concurrency", [1, 3])
def test_the_pool_is_bounded(concurrency: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), CountingHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    CountingHandler.peak = 0
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/feed"
        requests = [FetchRequest(f"{url}?n={i}") for i in range(6)]

        results = fetch_all(requests, FetchPolicy(concurrency=concurrency, retries=0, allow=LOOPBACK))
    finally:
        server.shutdown()
        server.server_close()

    assert [r.outcome for r in results] == [Outcome.OK] * 6
    # Requests overlap up to the bound and never past it.
    assert CountingHandler.peak == concurrency


# --- what a result does to a source (pure) ------------------------------------------------

NOW = datetime(2025, 12, 1, 6, 0)


def failed(error: str = "HTTP 500") -> FetchResult:
    return FetchResult(url="http://x/feed", outcome=Outcome.FAILED, status=500, error=error)


def test_failures_back_off_exponentially_and_become_an_error_after_error_after() -> None:
    waits = []
    failures = 0
    levels = []
    for _ in range(5):
        health = assess(failed(), failures, NOW, interval=0, backoff=600, backoff_max=3000, error_after=3)
        failures = health.failures
        waits.append(health.next_fetch_at - NOW)
        levels.append(health.alarming)
    assert waits == [timedelta(seconds=s) for s in (600, 1200, 2400, 3000, 3000)]
    assert levels == [False, False, True, True, True]


def test_success_resets_and_gone_disables() -> None:
    ok = FetchResult(url="http://x/feed", outcome=Outcome.NOT_MODIFIED, status=304)
    health = assess(ok, 4, NOW, interval=3600, backoff=600, backoff_max=3000, error_after=3)
    assert (health.failures, health.error, health.next_fetch_at) == (0, None, NOW + timedelta(hours=1))

    gone = FetchResult(url="http://x/feed", outcome=Outcome.GONE, status=410, error="HTTP 410 Gone")
    health = assess(gone, 0, NOW, interval=0, backoff=600, backoff_max=3000, error_after=3)
    assert (health.disable, health.alarming) == (True, True)

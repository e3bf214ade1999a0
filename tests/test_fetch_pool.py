"""Feeds are fetched by a real pool (one hanging feed holds no other), and a run's fetching has a
budget: what has not started when it is spent waits for the next run, named. A real threaded
HTTP server on loopback, real databases, the real cycle."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import func, select

from tracker.config import Config, FeedSource
from tracker.fetching import FetchPolicy, fetch_stream
from tracker.model import FetchOutcome as Outcome
from tracker.model import FetchRequest
from tracker.pipeline import Context, RunReport, run_cycle
from tracker.schema import Article

pytestmark = pytest.mark.system

AS_OF = date(2025, 12, 1)
LOOPBACK = ("127.0.0.1",)


def rss(name: str, links: list[str]) -> bytes:
    items = "".join(
        f"<item><title>{name} {i}</title><link>{link}</link><guid>{name}-{i}</guid>"
        f"<pubDate>Sun, 26 Oct 2025 08:00:00 GMT</pubDate>"
        f"<description>India and China resumed direct flights, {name} {i} said.</description></item>"
        for i, link in enumerate(links)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>{items}</channel></rss>'.encode()


class Recorder(BaseHTTPRequestHandler):
    """`/hang-*` answers after `pause` seconds; every request's path and arrival time are kept."""

    pause = 2.0
    arrivals: ClassVar[list[tuple[str, float]]] = []
    lock = threading.Lock()
    port = 0

    def do_GET(self) -> None:
        with self.lock:
            self.arrivals.append((self.path, time.monotonic()))
        if "hang" in self.path:
            time.sleep(self.pause)
        name = self.path.strip("/").split(".")[0]
        if self.path.startswith("/page"):
            body = b"<html><body><article><p>" + b"A long page. " * 100 + b"</p></article></body></html>"
        elif self.path.startswith("/links"):
            base = f"http://127.0.0.1:{self.port}"
            body = rss(name, [f"{base}/page-hang-{i}" for i in range(5)])
        else:
            body = rss(name, [f"https://wire.example.org/{name}/{i}" for i in range(2)])
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Recorder.arrivals = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    Recorder.port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def cycle(
    database_url: str, tmp_path: Path, feeds: list[str], full_text: bool = False, **fetch: float
) -> tuple[RunReport, int, float]:
    policy = FetchPolicy(connect_timeout=2, read_timeout=5, total_timeout=5, retries=0, allow=LOOPBACK, **fetch)  # type: ignore[arg-type]
    config = Config(
        database_url=database_url,
        reports_dir=tmp_path / "reports",
        use_seeds=False,
        feeds=tuple(FeedSource(url=u) for u in feeds),
        fetch=policy,
        full_text=full_text,
        full_text_min_chars=600,
    )
    ctx = Context.open(config)
    try:
        started = time.monotonic()
        report = run_cycle(ctx, AS_OF)
        took = time.monotonic() - started
        with ctx.store.sessions() as session:
            stored = session.scalar(select(func.count()).select_from(Article)) or 0
        return report, stored, took
    finally:
        ctx.close()


def test_one_hanging_feed_holds_no_other(database_url: str, tmp_path: Path, server: str) -> None:
    """Two at a time: with groups in lock-step the third and fourth feeds would wait for the hanging first."""
    feeds = [f"{server}/hang-a.rss", f"{server}/b.rss", f"{server}/c.rss", f"{server}/d.rss"]
    report, stored, _ = cycle(database_url, tmp_path, feeds, concurrency=2)
    assert stored == 8 and report.failed == 0
    first = min(t for _, t in Recorder.arrivals)
    arrived = {path: t - first for path, t in Recorder.arrivals}
    assert arrived["/c.rss"] < 1.0 and arrived["/d.rss"] < 1.0, arrived


def test_results_come_as_they_complete_and_the_pool_stays_bounded(server: str) -> None:
    policy = FetchPolicy(retries=0, concurrency=2, allow=LOOPBACK)
    urls = [f"{server}/hang-a.rss", f"{server}/b.rss", f"{server}/c.rss"]
    order = [index for index, result in fetch_stream([FetchRequest(u) for u in urls], policy)]
    assert sorted(order) == [0, 1, 2]
    assert order[-1] == 0, "the hanging feed comes last, the others did not wait for it"


def test_a_spent_budget_leaves_the_other_feeds_for_the_next_run_named(
    database_url: str, tmp_path: Path, server: str
) -> None:
    feeds = [f"{server}/hang-a.rss", f"{server}/hang-b.rss", f"{server}/hang-c.rss"]
    report, stored, took = cycle(database_url, tmp_path, feeds, concurrency=1, budget=1.0)
    assert stored == 2, "the first feed, started within the budget, was read"
    assert took < 2.0 * 2 + 3, "the others were never started"
    waiting = [m for m in report.messages if "for fetching are spent" in m]
    assert len(waiting) == 2
    assert any("hang-b.rss" in m for m in waiting) and any("hang-c.rss" in m for m in waiting)
    assert report.failed == 0, "not fetched is no failure of the source"

    later, stored, _ = cycle(database_url, tmp_path, feeds, concurrency=3, budget=60.0)
    assert stored == 6 and not [m for m in later.messages if "for fetching are spent" in m]


def test_linked_pages_count_against_the_budget(database_url: str, tmp_path: Path, server: str) -> None:
    """Five short entries whose pages hang: with the budget spent, the rest keep the feed's text, each named."""
    report, stored, took = cycle(
        database_url, tmp_path, [f"{server}/links.rss"], full_text=True, concurrency=1, budget=1.0
    )
    assert stored == 5
    pages = [p for p, _ in Recorder.arrivals if p.startswith("/page")]
    assert len(pages) == 1
    assert len([m for m in report.messages if "cannot fetch the full text" in m and "spent" in m]) == 4
    assert took < 2.0 + 3


def test_not_started_is_no_failure() -> None:
    from datetime import datetime

    from tracker.fetching import assess
    from tracker.model import FetchResult

    health = assess(
        FetchResult(url="u", outcome=Outcome.NOT_STARTED),
        2,
        datetime(2025, 12, 1),
        interval=0,
        backoff=600,
        backoff_max=86400,
        error_after=3,
    )
    assert (health.failures, health.error, health.alarming) == (2, None, False)

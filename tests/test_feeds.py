"""Feeds followed by the daily run, end to end: a real HTTP server on loopback, real
databases (SQLite file, PostgreSQL when configured), the sources table."""

from __future__ import annotations

import base64
import json
import socket
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from werkzeug import Request, Response

from tests.support.slow_server import SlowServer
from tracker.config import Config, FeedSource
from tracker.fetching import FetchPolicy
from tracker.model import SourceView
from tracker.pipeline import EXIT_ALL_INPUTS_FAILED, EXIT_OK, EXIT_SOURCE_IN_ERROR, Context, RunReport, run_cycle
from tracker.schema import Article, Run, Source

AS_OF = date(2025, 12, 1)
# The test servers listen on loopback, which a fetch refuses unless allowed.
LOOPBACK = ("127.0.0.1", "::1", "localhost")
POLICY = FetchPolicy(connect_timeout=2, read_timeout=2, total_timeout=2, retries=0, allow=LOOPBACK)


def rss2(title: str, items: list[tuple[str, str, str, str]]) -> str:
    """RSS 2.0: items of (title, link, RFC 822 date or "", HTML text)."""
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid>"
        + (f"<pubDate>{when}</pubDate>" if when else "")
        + f"<description><![CDATA[{text}]]></description></item>"
        for t, link, when, text in items
    )
    head = '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0">'
    return f"{head}<channel><title>{title}</title>{body}</channel></rss>"


RSS1 = """<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="http://press.test/">
    <title>Press notes</title><link>http://press.test/</link><description>notes</description>
  </channel>
  <item rdf:about="http://press.test/visas">
    <title>Visa facilitation</title>
    <link>http://press.test/visas</link>
    <dc:date>2025-06-13T10:00:00Z</dc:date>
    <description>India and China agreed on practical measures to facilitate visa processes.</description>
  </item>
</rdf:RDF>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Ministry updates</title><id>urn:test:ministry</id><updated>2025-08-20T09:00:00Z</updated>
  <entry>
    <title>Border trade</title><id>urn:test:border-trade</id>
    <link rel="alternate" href="http://ministry.test/border-trade"/>
    <published>2025-08-20T09:00:00Z</published>
    <content type="html">&lt;p&gt;India and China agreed to reopen border trade through the Lipulekh,
      Shipki La and Nathu La passes, the Ministry of External Affairs said.&lt;/p&gt;</content>
  </entry>
</feed>
"""

FLIGHTS_AGREED = "India and China agreed in principle to resume direct flights, the two sides said."
FLIGHTS_FLOWN = "The first direct flight between India and China in five years landed in Guangzhou on Sunday."


@pytest.fixture
def open_context(database_url: str, tmp_path: Path) -> Iterator:
    opened: list[Context] = []

    def make(**settings: object) -> Context:
        settings.setdefault("use_seeds", False)
        settings.setdefault("fetch", POLICY)
        ctx = Context.open(Config(database_url=database_url, reports_dir=tmp_path / "reports", **settings))  # type: ignore[arg-type]
        opened.append(ctx)
        return ctx

    yield make
    for ctx in opened:
        ctx.close()


def source(ctx: Context, location: str) -> SourceView:
    found = ctx.store.find_source(location)
    assert found is not None, location
    return found


def articles(ctx: Context) -> list[tuple[str, date, int | None]]:
    with ctx.store.sessions() as session:
        rows = session.execute(select(Article.url, Article.published, Article.previous_id).order_by(Article.id))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def digest_json(report: RunReport) -> dict:
    (path,) = [p for p in report.digest_files if p.suffix == ".json"]
    return json.loads(path.read_text(encoding="utf-8"))


class Hanging(SlowServer):
    """A feed server that sends its headers, then one byte a second."""

    def __init__(self) -> None:
        super().__init__("hanging.xml")

    def answer(self, conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 9999\r\n\r\n<rss")
        while not self.stop.wait(1.0):
            conn.sendall(b" ")


@pytest.fixture
def hanging() -> Iterator[Hanging]:
    server = Hanging()
    yield server
    server.close()


# --- five feeds: one hangs, one fails, three are read --------------------------------------


def test_one_hanging_and_one_failing_feed_of_five(open_context, httpserver: HTTPServer, hanging: Hanging) -> None:
    flights = rss2("Wire", [("Flights", "http://wire.test/flights", "Sun, 26 Oct 2025 18:30:00 GMT", FLIGHTS_FLOWN)])
    httpserver.expect_request("/wire.rss").respond_with_data(flights, content_type="application/rss+xml")
    httpserver.expect_request("/press.rdf").respond_with_data(RSS1, content_type="application/rdf+xml")
    httpserver.expect_request("/ministry.atom").respond_with_data(ATOM, content_type="application/atom+xml")
    httpserver.expect_request("/broken.rss").respond_with_data("down", status=500)
    feeds = (
        FeedSource(url=hanging.url, name="Hanging wire"),
        FeedSource(url=httpserver.url_for("/wire.rss"), name="Wire"),
        FeedSource(url=httpserver.url_for("/broken.rss"), name="Broken daily"),
        FeedSource(url=httpserver.url_for("/press.rdf")),
        FeedSource(url=httpserver.url_for("/ministry.atom"), name="Ministry", official=True),
    )
    ctx = open_context(feeds=feeds)

    report = run_cycle(ctx, AS_OF, always=True)

    assert (report.ingested, report.failed) == (3, 2)
    assert sorted(url for url, _, _ in articles(ctx)) == [
        "http://ministry.test/border-trade",
        "http://press.test/visas",
        "http://wire.test/flights",
    ]
    problems = {p.name: p for p in report.source_problems}
    assert set(problems) == {"Hanging wire", "Broken daily"}
    assert "deadline" in problems["Hanging wire"].error
    assert "500" in problems["Broken daily"].error
    # The run finished: its row is closed and names both failures.
    with ctx.store.sessions() as session:
        run = session.get_one(Run, report.run_id)
    assert run.finished_at is not None
    assert any(hanging.url in m for m in json.loads(run.messages))
    # sources list: failure, error, HTTP status; a feed named by nobody takes its own title.
    assert source(ctx, hanging.url).failures == 1
    broken = source(ctx, httpserver.url_for("/broken.rss"))
    assert (broken.failures, broken.last_status) == (1, 500)
    press = source(ctx, httpserver.url_for("/press.rdf"))
    assert (press.name, press.failures, press.last_status, press.articles) == ("Press notes", 0, 200, 1)
    # The digest names them too.
    named = {e["name"] for e in digest_json(report)["sources_in_error"]}
    assert named == {"Hanging wire", "Broken daily"}
    md = next(p for p in report.digest_files if p.suffix == ".md").read_text(encoding="utf-8")
    assert "Hanging wire" in md and "Broken daily" in md
    # Failures below error_after are warnings: the run did its job.
    assert report.exit_status == EXIT_OK


# --- conditional GET ------------------------------------------------------------------


def test_second_fetch_gets_304_and_stores_nothing(open_context, httpserver: HTTPServer) -> None:
    feed = rss2("Wire", [("Flights", "http://wire.test/flights", "Sun, 26 Oct 2025 18:30:00 GMT", FLIGHTS_FLOWN)])
    etag = '"abc"'

    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304)
        return Response(feed, headers={"ETag": etag, "Last-Modified": "Sun, 26 Oct 2025 19:00:00 GMT"})

    httpserver.expect_request("/wire.rss").respond_with_handler(handler)
    url = httpserver.url_for("/wire.rss")
    ctx = open_context(feeds=(FeedSource(url=url),))

    first = run_cycle(ctx, AS_OF)
    second = run_cycle(ctx, AS_OF)

    assert (first.ingested, first.not_modified) == (1, 0)
    assert (second.ingested, second.skipped, second.not_modified, second.failed) == (0, 0, 1, 0)
    assert len(articles(ctx)) == 1
    stored = source(ctx, url)
    assert (stored.etag, stored.last_status, stored.failures) == (etag, 304, 0)
    assert httpserver.log[1][0].headers["If-Modified-Since"] == "Sun, 26 Oct 2025 19:00:00 GMT"


# --- updates ----------------------------------------------------------------------------


def test_an_updated_entry_is_read_again_as_a_new_version(open_context, httpserver: HTTPServer) -> None:
    link = "http://wire.test/flights-live"
    atom = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Live</title><id>urn:live</id><updated>{u}</updated>
<entry><title>Flights: live</title><id>urn:live:flights</id><link href="{link}"/>
<published>2025-08-19T09:00:00Z</published><updated>{u}</updated><content>{text}</content></entry></feed>"""
    url = httpserver.url_for("/live.atom")
    ctx = open_context(feeds=(FeedSource(url=url, name="Live desk"),))

    httpserver.expect_oneshot_request("/live.atom").respond_with_data(
        atom.format(u="2025-08-19T09:00:00Z", link=link, text=FLIGHTS_AGREED)
    )
    first = run_cycle(ctx, AS_OF)
    # The live blog gains a paragraph under the same GUID and link.
    updated = atom.format(u="2025-10-26T18:00:00Z", link=link, text=f"{FLIGHTS_AGREED} {FLIGHTS_FLOWN}")
    httpserver.expect_oneshot_request("/live.atom").respond_with_data(updated)
    second = run_cycle(ctx, AS_OF)
    httpserver.expect_oneshot_request("/live.atom").respond_with_data(updated)
    third = run_cycle(ctx, AS_OF)

    assert (first.ingested, first.updated) == (1, 0)
    assert (second.ingested, second.updated, second.skipped) == (1, 1, 0)
    assert (third.ingested, third.skipped) == (0, 1)
    (v1, v2) = articles(ctx)
    assert (v1[0], v1[1], v1[2]) == (link, date(2025, 8, 19), None)
    # The new version is dated at its update and points at the version it updates.
    assert (v2[0], v2[1]) == (link, date(2025, 10, 26))
    with ctx.store.sessions() as session:
        first_id = session.scalar(select(Article.id).where(Article.published == date(2025, 8, 19)))
    assert v2[2] == first_id
    flights = ctx.views.changes(commitment_id="air-services")
    assert [(c.to_status, c.date) for c in flights] == [
        ("agreed", date(2025, 8, 19)),
        ("implemented", date(2025, 10, 26)),
    ]
    # Each change is alerted once: the first run's, then only the update's.
    assert [c.to_status for c in first.alerts] == ["agreed"]
    assert [c.to_status for c in second.alerts] == ["implemented"]
    assert third.alerts == []


def test_an_update_that_restates_the_story_is_no_new_version(open_context, httpserver: HTTPServer) -> None:
    link = "http://wire.test/flights"
    url = httpserver.url_for("/wire.rss")
    ctx = open_context(feeds=(FeedSource(url=url),))
    when = "Tue, 19 Aug 2025 09:00:00 GMT"
    httpserver.expect_oneshot_request("/wire.rss").respond_with_data(rss2("W", [("F", link, when, FLIGHTS_AGREED)]))
    first = run_cycle(ctx, AS_OF)
    edited = f"{FLIGHTS_AGREED} Officials declined to give a date."
    httpserver.expect_oneshot_request("/wire.rss").respond_with_data(rss2("W", [("F", link, when, edited)]))
    second = run_cycle(ctx, AS_OF)

    assert (first.new_changes, len(first.alerts)) == (1, 1)
    # The new sentence states nothing: the reader reads the same, so it is no new version.
    assert (second.ingested, second.updated, second.skipped, second.new_changes, second.alerts) == (0, 0, 1, 0, [])
    assert len(articles(ctx)) == 1


def test_a_view_counter_in_every_entry_stores_no_new_versions(open_context, httpserver: HTTPServer) -> None:
    """The text changes on every fetch (a counter), what the reader reads does not: one row per entry."""
    url = httpserver.url_for("/counted.rss")
    ctx = open_context(feeds=(FeedSource(url=url),))
    when = "Tue, 19 Aug 2025 09:00:00 GMT"
    for views in range(1, 5):
        items = [
            (f"F{i}", f"http://wire.test/{i}", when, f"{FLIGHTS_AGREED} Story {i}. Read {views * 1000 + i} times.")
            for i in range(5)
        ]
        httpserver.expect_oneshot_request("/counted.rss").respond_with_data(rss2("W", items))
        report = run_cycle(ctx, AS_OF)
        if views > 1:
            assert (report.ingested, report.updated, report.skipped) == (0, 0, 5)
    assert len(articles(ctx)) == 5


# --- full text --------------------------------------------------------------------------

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Flights resume</title></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Direct flights between India and China resume</h1>
<p>KOLKATA: {flown}</p>
<p>Passengers were greeted with flowers at the airport in Guangzhou after the flight from Kolkata, which
took a little over four hours. Airline officials said the route would be flown daily from next month, with
more cities to follow once the two civil aviation authorities finish their review of the revised air
services agreement signed earlier in the year.</p>
<p>Travel agents in both countries reported strong early demand from students, traders and families who
had for five years made the journey through Singapore, Bangkok or Hong Kong at greater cost.</p>
</article><footer>Copyright The Test Wire</footer></body></html>"""


def test_a_summary_only_entry_gets_its_page_text(open_context, httpserver: HTTPServer) -> None:
    page = httpserver.url_for("/2025/10/flights.html")
    missing = httpserver.url_for("/2025/10/missing.html")
    httpserver.expect_request("/2025/10/flights.html").respond_with_data(
        PAGE.format(flown=FLIGHTS_FLOWN), content_type="text/html; charset=utf-8"
    )
    httpserver.expect_request("/2025/10/missing.html").respond_with_data("gone", status=404)
    when = "Sun, 26 Oct 2025 18:30:00 GMT"
    feed = rss2(
        "Wire",
        [("Flights resume", page, when, "Flights are back."), ("Visas", missing, when, "Visa rules were discussed.")],
    )
    httpserver.expect_request("/wire.rss").respond_with_data(feed, content_type="application/rss+xml")
    ctx = open_context(feeds=(FeedSource(url=httpserver.url_for("/wire.rss")),))

    report = run_cycle(ctx, AS_OF)

    assert report.ingested == 2
    with ctx.store.sessions() as session:
        stored = {a.url: a for a in session.scalars(select(Article))}
    assert FLIGHTS_FLOWN in stored[page].text
    assert "Travel agents" in stored[page].text
    assert "Copyright" not in stored[page].text
    assert stored[page].summary == "Flights are back."
    # A page that cannot be fetched keeps the feed's text, with a warning naming it.
    assert stored[missing].text == "Visa rules were discussed."
    assert any(missing in m and "full text" in m for m in report.messages), report.messages
    assert [c.to_status for c in ctx.views.changes(commitment_id="air-services")] == ["implemented"]

    # An unchanged entry costs no second page fetch.
    pages_before = sum(1 for r, _ in httpserver.log if r.path.endswith(".html"))
    again = run_cycle(ctx, AS_OF)
    assert (again.ingested, again.skipped) == (0, 2)
    assert sum(1 for r, _ in httpserver.log if r.path.endswith(".html")) == pages_before


def test_full_text_can_be_turned_off_per_source(open_context, httpserver: HTTPServer) -> None:
    page = httpserver.url_for("/flights.html")
    httpserver.expect_request("/flights.html").respond_with_data(PAGE.format(flown=FLIGHTS_FLOWN))
    feed = rss2("Wire", [("Flights", page, "Sun, 26 Oct 2025 18:30:00 GMT", "Flights are back.")])
    httpserver.expect_request("/wire.rss").respond_with_data(feed)
    ctx = open_context(feeds=(FeedSource(url=httpserver.url_for("/wire.rss"), full_text=False),))

    run_cycle(ctx, AS_OF)

    assert [r.path for r, _ in httpserver.log] == ["/wire.rss"]


# --- bad feeds ----------------------------------------------------------------------------


def test_html_page_truncated_xml_and_latin1_feed(open_context, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/page.html").respond_with_data("<html><body><p>Hello</p></body></html>")
    cut = rss2("Cut", [("Flights", "http://cut.test/f", "Sun, 26 Oct 2025 18:30:00 GMT", FLIGHTS_FLOWN)])
    httpserver.expect_request("/cut.rss").respond_with_data(cut[: cut.index("</item>") - 10])
    latin = (
        '<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>Réseau</title>'
        "<item><title>Réunion à Pékin</title><link>http://latin.test/pekin</link>"
        "<pubDate>Fri, 13 Jun 2025 10:00:00 GMT</pubDate>"
        "<description>India and China agreed on practical measures to facilitate visa processes à Pékin."
        "</description></item></channel></rss>"
    ).encode("iso-8859-1")
    httpserver.expect_request("/latin.rss").respond_with_data(latin, content_type="application/rss+xml")
    page, broken, latin_url = (httpserver.url_for(p) for p in ("/page.html", "/cut.rss", "/latin.rss"))
    ctx = open_context(feeds=tuple(FeedSource(url=u) for u in (page, broken, latin_url)))

    report = run_cycle(ctx, AS_OF)

    assert any(m.startswith(f"warning: {page}: not a readable RSS/Atom feed") for m in report.messages), report.messages
    assert source(ctx, page).failures == 1
    with ctx.store.sessions() as session:
        titles = set(session.scalars(select(Article.title)))
    assert "Réunion à Pékin" in titles
    assert source(ctx, latin_url).name == "Réseau"
    # The truncated feed is either read in part (with a warning) or one failure; never a traceback.
    assert source(ctx, broken).failures == 1 or any(broken in m for m in report.messages)


def test_entries_without_dates_or_links(open_context, httpserver: HTTPServer) -> None:
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Bare</title>'
        f"<item><title>Undated</title><link>http://bare.test/undated</link><description>{FLIGHTS_AGREED}"
        "</description></item>"
        f"<item><title>Unlinked</title><pubDate>Fri, 13 Jun 2025 10:00:00 GMT</pubDate><description>{FLIGHTS_FLOWN}"
        "</description></item></channel></rss>"
    )
    httpserver.expect_request("/bare.rss").respond_with_data(feed)
    url = httpserver.url_for("/bare.rss")
    ctx = open_context(feeds=(FeedSource(url=url),))
    now = datetime(2025, 11, 30, 6, 0)

    from tracker.pipeline import ArticleSink, read_feeds
    from tracker.schema import Article

    report = RunReport(run_id=ctx.store.start_run("test", AS_OF), as_of=date(2025, 11, 30))
    read_feeds(ctx, ArticleSink(ctx, report.as_of, report, report.messages.append), now=now)

    with ctx.store.sessions() as session:
        by_title = {a.title: a for a in session.scalars(select(Article))}
    # No date: the day it was fetched, and a warning says so.
    assert by_title["Undated"].published == date(2025, 11, 30)
    assert any("http://bare.test/undated" in m and "fetched" in m for m in report.messages), report.messages
    # No link: a stable URL of its own within the feed.
    assert by_title["Unlinked"].url == f"{url}#2"


# --- 410, redirects, credentials, backoff ----------------------------------------------------


def test_410_gone_disables_the_source(open_context, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/gone.rss").respond_with_data("gone", status=410)
    url = httpserver.url_for("/gone.rss")
    ctx = open_context(feeds=(FeedSource(url=url, name="Closed wire"),))

    first = run_cycle(ctx, AS_OF)
    second = run_cycle(ctx, AS_OF)

    assert any(m.startswith(f"error: {url}") and "disabled" in m for m in first.messages), first.messages
    assert first.exit_status == EXIT_ALL_INPUTS_FAILED
    gone = source(ctx, url)
    assert (gone.enabled, gone.last_status) == (False, 410)
    assert "410" in (gone.disabled_reason or "")
    # Not asked again.
    assert len(httpserver.log) == 1
    assert second.failed == 0


def test_permanent_redirect_updates_the_stored_url(open_context, httpserver: HTTPServer) -> None:
    feed = rss2("Wire", [("Flights", "http://wire.test/f", "Sun, 26 Oct 2025 18:30:00 GMT", FLIGHTS_FLOWN)])
    httpserver.expect_request("/old.rss").respond_with_data("", status=301, headers={"Location": "/new.rss"})
    httpserver.expect_request("/new.rss").respond_with_data(feed)
    old = httpserver.url_for("/old.rss")
    ctx = open_context(feeds=(FeedSource(url=old, name="Wire"),))

    first = run_cycle(ctx, AS_OF)
    run_cycle(ctx, AS_OF)

    assert first.ingested == 1
    assert any("moved permanently" in m for m in first.messages)
    assert source(ctx, old).url == httpserver.url_for("/new.rss")
    assert [r.path for r, _ in httpserver.log] == ["/old.rss", "/new.rss", "/new.rss"]


def test_credentials_are_sent_and_never_printed_or_stored(open_context, httpserver: HTTPServer) -> None:
    feed = rss2("Private", [("Flights", "http://p.test/f", "Sun, 26 Oct 2025 18:30:00 GMT", FLIGHTS_FLOWN)])
    auth = "Basic " + base64.b64encode(b"desk:hunter2").decode()
    httpserver.expect_request("/private.rss", headers={"Authorization": auth}).respond_with_data(feed)
    httpserver.expect_request("/keyed.rss").respond_with_data("bad key", status=403)
    private = httpserver.url_for("/private.rss").replace("http://", "http://desk:hunter2@")
    keyed = httpserver.url_for("/keyed.rss") + "?api_key=SEKRETKEY&lang=en"
    ctx = open_context(feeds=(FeedSource(url=private), FeedSource(url=keyed)), error_after=1)

    report = run_cycle(ctx, AS_OF)

    assert (report.ingested, report.failed) == (1, 1)
    assert report.exit_status == EXIT_SOURCE_IN_ERROR
    assert any("api_key=***" in m and "403" in m for m in report.messages), report.messages
    with ctx.store.sessions() as session:
        stored = [
            *session.scalars(select(Run.messages)),
            *session.scalars(select(Source.location)),
            *(e or "" for e in session.scalars(select(Source.last_error))),
        ]
    everything = " ".join([*report.messages, *stored, *(json.dumps(s.as_json()) for s in ctx.store.subscriptions())])
    assert "hunter2" not in everything
    assert "SEKRETKEY" not in everything
    assert "***@" in everything


def test_credentials_stay_at_their_origin_after_a_permanent_move(open_context, httpserver: HTTPServer) -> None:
    """A 301 to another port of the same host: the moved source is fetched there without the password."""
    feed = rss2("Private", [("Flights", "http://p.test/f", "Sun, 26 Oct 2025 18:30:00 GMT", FLIGHTS_FLOWN)])
    elsewhere = HTTPServer(host="127.0.0.1", port=0)
    elsewhere.start()
    try:
        elsewhere.expect_request("/private.rss").respond_with_data(feed)
        httpserver.expect_request("/private.rss").respond_with_data(
            "", status=301, headers={"Location": elsewhere.url_for("/private.rss")}
        )
        private = httpserver.url_for("/private.rss").replace("http://", "http://desk:hunter2@")
        ctx = open_context(feeds=(FeedSource(url=private, name="Private"),))

        first = run_cycle(ctx, AS_OF)
        second = run_cycle(ctx, AS_OF)

        assert first.ingested == 1 and second.failed == 0
        assert any("moved permanently" in m for m in first.messages)
        assert len(elsewhere.log) == 2, "fetched at its new address on both runs"
        assert [r.headers.get("Authorization") for r, _ in elsewhere.log] == [None, None]
        assert httpserver.log[0][0].headers.get("Authorization", "").startswith("Basic ")
    finally:
        elsewhere.stop()


@pytest.mark.parametrize(
    ("moved", "kept"),
    [
        ("https://wire.test/new.rss", True),
        ("https://wire.test:443/new.rss", True),
        ("http://wire.test/new.rss", False),  # https to http: the password would travel in clear
        ("https://wire.test:8443/new.rss", False),
        ("https://other.test/new.rss", False),
    ],
)
def test_only_the_configured_origin_gets_the_credentials(moved: str, kept: bool) -> None:
    from tracker.fetching import same_origin

    assert same_origin(moved, "https://desk:pw@wire.test/old.rss") is kept


def test_a_failing_feed_waits_for_its_backoff(open_context, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/down.rss").respond_with_data("down", status=503)
    url = httpserver.url_for("/down.rss")
    ctx = open_context(feeds=(FeedSource(url=url),), fetch_backoff=3600.0)

    before = datetime.now()
    run_cycle(ctx, AS_OF)
    second = run_cycle(ctx, AS_OF)

    assert len(httpserver.log) == 1
    waiting = source(ctx, url)
    assert waiting.next_fetch_at is not None and waiting.next_fetch_at > before + timedelta(minutes=50)
    assert any("next attempt after" in m for m in second.messages), second.messages
    assert second.failed == 0


def test_exit_status_when_every_feed_fails(open_context, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a.rss").respond_with_data("no", status=404)
    httpserver.expect_request("/b.rss").respond_with_data("<html>not a feed</html>")
    ctx = open_context(
        feeds=(FeedSource(url=httpserver.url_for("/a.rss")), FeedSource(url=httpserver.url_for("/b.rss")))
    )

    report = run_cycle(ctx, AS_OF)

    assert report.exit_status == EXIT_ALL_INPUTS_FAILED


def test_a_slow_feed_holds_no_other(open_context, httpserver: HTTPServer, hanging: Hanging) -> None:
    feed = rss2("Wire", [("Flights", "http://wire.test/f", "Sun, 26 Oct 2025 18:30:00 GMT", FLIGHTS_FLOWN)])
    served: list[float] = []

    def handler(_request: Request) -> Response:
        served.append(time.monotonic())
        return Response(feed)

    httpserver.expect_request("/wire.rss").respond_with_handler(handler)
    ctx = open_context(feeds=(FeedSource(url=hanging.url), FeedSource(url=httpserver.url_for("/wire.rss"))))

    started = time.monotonic()
    report = run_cycle(ctx, AS_OF)

    assert report.ingested == 1
    # The good feed was asked while the hanging one was still being waited for, not after it.
    assert served and served[0] - started < POLICY.total_timeout

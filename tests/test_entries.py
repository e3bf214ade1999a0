"""Entries → articles: the author an entry or manifest names, and dates that were estimated,
from the reader to the database and `tracker history --json`."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from tracker.cli import main
from tracker.config import Config, FeedSource
from tracker.fetching import FetchPolicy
from tracker.pipeline import ArticleSink, Context, RunReport, read_feeds, update_timeline
from tracker.schema import Article
from tracker.sources import ArticleDraft, SourceError, iter_path, parse_feed

AS_OF = date(2025, 12, 1)
FETCHED = datetime(2025, 11, 30, 6, 0)
# The test servers listen on loopback, which a fetch refuses unless allowed.
LOOPBACK = ("127.0.0.1", "::1", "localhost")
POLICY = FetchPolicy(connect_timeout=2, read_timeout=2, total_timeout=2, retries=0, allow=LOOPBACK)

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Wire</title>
<item><title>Flights agreed</title><link>http://wire.test/flights</link>
  <pubDate>Fri, 13 Jun 2025 10:00:00 GMT</pubDate><author>desk@wire.test (Meera Rao)</author>
  <description>India and China agreed in principle to resume direct flights, the two sides said.</description></item>
<item><title>Yatra</title><link>http://wire.test/yatra</link><dc:creator>Li  &lt;b&gt;Wei&lt;/b&gt;</dc:creator>
  <description>India and China agreed to resume the Kailash Mansarovar Yatra this summer,
  officials said.</description></item>
</channel></rss>
"""


class Warnings(list[str]):
    def __call__(self, message: str) -> None:
        self.append(message)


def test_feed_authors_and_an_estimated_date() -> None:
    warnings = Warnings()
    first, second = parse_feed(FEED.encode(), "wire.rss", warnings, fetched=FETCHED.date())
    # RSS's "email (name)" gives the name; dc:creator's markup is reduced to text.
    assert (first.author, second.author) == ("Meera Rao", "Li Wei")
    assert (first.published, first.date_estimated) == (date(2025, 6, 13), False)
    # No date of its own: the day it was fetched, marked so, and a warning naming the entry.
    assert (second.published, second.date_estimated) == (date(2025, 11, 30), True)
    (warning,) = warnings
    assert "http://wire.test/yatra" in warning and "fetched" in warning


def test_the_feeds_date_is_an_estimate_too_and_no_author_is_empty() -> None:
    feed = FEED.replace(
        "<title>Wire</title>", "<title>Wire</title><lastBuildDate>Sat, 14 Jun 2025 08:00:00 GMT</lastBuildDate>"
    )
    feed = feed.replace("<author>desk@wire.test (Meera Rao)</author>", "")
    first, second = parse_feed(feed.encode(), "wire.rss", Warnings(), fetched=FETCHED.date())
    assert (first.author, first.date_estimated) == ("", False)
    assert (second.published, second.date_estimated) == (date(2025, 6, 14), True)


def test_atom_author_name() -> None:
    atom = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>M</title><id>urn:m</id>'
        "<entry><title>T</title><id>urn:m:1</id><published>2025-01-27T10:00:00Z</published>"
        "<author><name>Foreign Ministry Spokesperson</name><email>press@m.test</email></author>"
        "<summary>India and China agreed to resume flights.</summary></entry></feed>"
    )
    (draft,) = parse_feed(atom.encode(), "m.atom", Warnings())
    assert draft.author == "Foreign Ministry Spokesperson"
    assert draft.date_estimated is False


def drafts_under(path: Path, warn: Warnings) -> list[ArticleDraft]:
    found = list(iter_path(path, warn))
    assert not [e for e in found if isinstance(e, SourceError)], found
    return [d for d in found if isinstance(d, ArticleDraft)]


def test_manifest_author_and_a_modification_time_date(tmp_path: Path) -> None:
    (tmp_path / "named.txt").write_text("Flights\n\nIndia and China agreed to resume flights.\n", encoding="utf-8")
    (tmp_path / "dated.txt").write_text("Yatra\n\nOn 27 January 2025 the two sides met.\n", encoding="utf-8")
    undated = tmp_path / "undated.txt"
    undated.write_text("Talks\n\nThe two sides will meet again soon.\n", encoding="utf-8")
    when = datetime(2024, 3, 5, 12, 0, tzinfo=UTC).timestamp()
    os.utime(undated, (when, when))
    (tmp_path / "manifest.toml").write_text(
        '[[article]]\nfile = "named.txt"\ndate = 2025-07-01\nsource = "Daily"\nauthor = "  Asha   Menon "\n',
        encoding="utf-8",
    )
    by_name = {Path(d.origin).name: d for d in drafts_under(tmp_path, Warnings())}
    assert (by_name["named.txt"].author, by_name["named.txt"].date_estimated) == ("Asha Menon", False)
    # A date read from the text is the article's own; the modification time is not.
    assert (by_name["dated.txt"].published, by_name["dated.txt"].date_estimated) == (date(2025, 1, 27), False)
    assert (by_name["undated.txt"].published, by_name["undated.txt"].date_estimated) == (date(2024, 3, 5), True)
    assert by_name["undated.txt"].author == ""


def test_author_and_estimated_date_are_stored_and_shown_in_history_json(
    database_url: str, tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/wire.rss").respond_with_data(FEED, content_type="application/rss+xml")
    config = Config(
        database_url=database_url,
        reports_dir=tmp_path / "reports",
        use_seeds=False,
        fetch=POLICY,
        feeds=(FeedSource(url=httpserver.url_for("/wire.rss")),),
    )
    ctx = Context.open(config)
    try:
        report = RunReport(run_id=ctx.store.start_run("test", AS_OF), as_of=AS_OF)
        read_feeds(ctx, ArticleSink(ctx, AS_OF, report, report.messages.append), now=FETCHED)
        update_timeline(ctx)
        assert report.ingested == 2
        # The run's warnings name the entry dated by its fetch, as before.
        assert any("http://wire.test/yatra" in m and "fetched" in m for m in report.messages), report.messages
        with ctx.store.sessions() as session:
            rows = session.execute(select(Article.url, Article.author, Article.date_estimated).order_by(Article.url))
            assert [tuple(r) for r in rows] == [
                ("http://wire.test/flights", "Meera Rao", False),
                ("http://wire.test/yatra", "Li Wei", True),
            ]
    finally:
        ctx.close()

    def history(commitment: str) -> dict:
        result = CliRunner().invoke(
            main, ["--database-url", database_url, "history", commitment, "--json"], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    (flights,) = history("air-services")["statements"]
    (yatra,) = history("kailash-yatra")["statements"]
    # Keys added, none taken away.
    for statement in (flights, yatra):
        assert {"commitment", "status", "evidence", "date", "source_url", "source_name", "article_title"} <= set(
            statement
        )
    assert (flights["author"], flights["date_estimated"], flights["date"]) == ("Meera Rao", False, "2025-06-13")
    assert (yatra["author"], yatra["date_estimated"], yatra["date"]) == ("Li Wei", True, "2025-11-30")

"""The same story from three outlets with small edits, fetched from a real HTTP server on
loopback: every article stored, every outlet a source, the story counted once."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from tracker.cli import main
from tracker.config import Config, FeedSource
from tracker.fetching import FetchPolicy
from tracker.pipeline import ArticleSink, Context, RunReport, read_feeds, update_timeline
from tracker.schema import Article, Change, Source, Statement

AS_OF = date(2025, 12, 1)
# The test servers listen on loopback, which a fetch refuses unless allowed.
LOOPBACK = ("127.0.0.1", "::1", "localhost")
POLICY = FetchPolicy(connect_timeout=2, read_timeout=2, total_timeout=2, retries=0, allow=LOOPBACK)

STORY = [
    "India and China agreed on Monday to resume the Kailash Mansarovar Yatra this summer, the Ministry of "
    "External Affairs said after talks between the foreign secretary and the vice foreign minister in Beijing.",
    "The pilgrimage will be organised through the Lipulekh and Nathu La passes, and officials from both sides "
    "will work out the practical arrangements for the pilgrims in the coming weeks.",
    "The two delegations also reviewed trade, hydrological data on trans-border rivers and exchanges between "
    "think tanks and the media, the ministry said in its statement issued late on Monday evening.",
]
# (feed path, outlet, headline, link, the story as that outlet ran it)
OUTLETS = [
    ("/wire.rss", "Capital Wire", "India, China agree to resume Kailash yatra", "http://wire.test/2025/yatra", STORY),
    (
        "/daily.rss",
        "The Daily Courier",
        "Kailash Mansarovar Yatra to resume this summer",
        "http://daily.test/news/yatra-resumes?utm_source=rss",
        [STORY[0], STORY[1].replace("in the coming weeks", "over the next few weeks"), STORY[2]],
    ),
    (
        "/herald.rss",
        "Northern Herald",
        "Yatra is back: India and China reach agreement",
        "http://herald.test/a/12345",
        [STORY[0], STORY[1], "Trade and river data were also on the agenda, a spokesperson told reporters."],
    ),
]


def feed(outlet: str, title: str, link: str, paragraphs: list[str]) -> str:
    text = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{outlet}</title><item><title>{title}</title><link>{link.replace('&', '&amp;')}</link>"
        f"<guid>{link.replace('&', '&amp;')}</guid><pubDate>Mon, 27 Jan 2025 1{len(outlet) % 10}:00:00 GMT</pubDate>"
        f"<description><![CDATA[{text}]]></description></item></channel></rss>"
    )


def test_one_story_from_three_outlets_is_counted_once_and_every_outlet_listed(
    database_url: str, tmp_path: Path, httpserver: HTTPServer
) -> None:
    for path, outlet, title, link, paragraphs in OUTLETS:
        httpserver.expect_request(path).respond_with_data(
            feed(outlet, title, link, paragraphs), content_type="application/rss+xml"
        )
    config = Config(
        database_url=database_url,
        reports_dir=tmp_path / "reports",
        use_seeds=False,
        fetch=POLICY,
        full_text=False,
        feeds=tuple(FeedSource(url=httpserver.url_for(path)) for path, *_ in OUTLETS),
    )
    ctx = Context.open(config)
    try:
        report = RunReport(run_id=ctx.store.start_run("test", AS_OF), as_of=AS_OF)
        read_feeds(ctx, ArticleSink(ctx, AS_OF, report, report.messages.append), now=datetime(2025, 1, 28, 6, 0))
        update_timeline(ctx)
        # Small edits make three texts: all three are stored, none is taken for a duplicate.
        assert (report.ingested, report.skipped, report.failed) == (3, 0, 0), report.messages
        with ctx.store.sessions() as session:
            stored = session.execute(select(Article.url, Source.name).join(Source).order_by(Article.url)).all()
            yatra = session.execute(
                select(Statement.status, Statement.confidence).where(Statement.commitment_id == "kailash-yatra")
            ).all()
            (level,) = session.scalars(select(Change.level).where(Change.commitment_id == "kailash-yatra")).all()
        assert [tuple(r) for r in stored] == [
            ("http://daily.test/news/yatra-resumes", "The Daily Courier"),
            ("http://herald.test/a/12345", "Northern Herald"),
            ("http://wire.test/2025/yatra", "Capital Wire"),
        ]
        # Each outlet's article makes the same statement about the yatra.
        assert len(yatra) == 3 and len({status for status, _ in yatra}) == 1, yatra
        confidences = [confidence for _, confidence in yatra]
    finally:
        ctx.close()

    result = CliRunner().invoke(main, ["--database-url", database_url, "changes", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (change,) = [c for c in json.loads(result.stdout) if c["commitment"] == "kailash-yatra"]
    assert (change["to_status"], change["date"]) == (yatra[0][0], "2025-01-27")
    # Every outlet is a source of the change; two of the three are flagged as copies of the one that counts.
    assert sorted(s["source_name"] for s in change["sources"]) == [
        "Capital Wire",
        "Northern Herald",
        "The Daily Courier",
    ]
    counted = [s for s in change["sources"] if not s["copy"]]
    copies = [s for s in change["sources"] if s["copy"]]
    assert len(counted) == 1 and len(copies) == 2
    assert {s["copy_of"] for s in copies} == {counted[0]["url"]}
    assert {"url", "source_name", "title", "official", "evidence"} <= set(counted[0])
    # The story counts once: the confidence of its surest article alone, not three reports combined.
    once = round(0.9 * max(confidences), 2)
    three_times = round(1 - (1 - 0.9 * max(confidences)) ** 3, 2)
    assert change["confidence"] == once != three_times
    # The fold weighs the story as the digest does: the change is the level later statements are
    # compared against exactly when the digest calls it confirmed.
    assert (level == change["to_status"]) == change["confirmed"]

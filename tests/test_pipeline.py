"""The daily cycle end to end on real databases, real files and a real HTTP feed."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, inspect, select

from tracker.config import Config, FeedSource
from tracker.fetching import FetchPolicy
from tracker.model import ChangeView
from tracker.pipeline import Context, RunReport, run_cycle
from tracker.schema import Article, Source

AS_OF = date(2025, 12, 1)


# --- helpers ------------------------------------------------------------------------


def changes_of(ctx: Context, commitment_id: str) -> list[ChangeView]:
    return ctx.views.changes(commitment_id=commitment_id)


def article_urls(ctx: Context) -> list[str]:
    with ctx.store.sessions() as session:
        return sorted(session.scalars(select(Article.url)))


def article_count(ctx: Context) -> int:
    with ctx.store.sessions() as session:
        return session.scalar(select(func.count()).select_from(Article)) or 0


def digest_json(report: RunReport) -> dict:
    (path,) = [p for p in report.digest_files if p.suffix == ".json"]
    return json.loads(path.read_text(encoding="utf-8"))


def unused_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    return tmp_path / "reports"


@pytest.fixture
def open_context(database_url: str, reports: Path) -> Iterator:
    """Opens contexts on the test database with the given settings, closing them afterwards."""
    opened: list[Context] = []

    def make(**settings: object) -> Context:
        # The test feeds link to pages on the open web: no full-text fetch of them.
        settings.setdefault("full_text", False)
        # The test feeds are served on loopback, which a fetch refuses unless allowed.
        settings.setdefault("fetch", FetchPolicy(allow=("127.0.0.1", "localhost")))
        ctx = Context.open(Config(database_url=database_url, reports_dir=reports, **settings))  # type: ignore[arg-type]
        opened.append(ctx)
        return ctx

    yield make
    for ctx in opened:
        ctx.close()


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>Test wire: India–China</title>
    <link>https://wire.example.org/</link>
    <description>India–China diplomacy</description>
    <item>
      <title>India and China agree to resume border trade through three passes</title>
      <link>https://wire.example.org/2025/08/border-trade</link>
      <guid>https://wire.example.org/2025/08/border-trade</guid>
      <pubDate>Wed, 20 Aug 2025 09:00:00 GMT</pubDate>
      <description><![CDATA[<p>NEW DELHI: India and China agreed on Tuesday to reopen border trade
        through the Lipulekh, Shipki La and Nathu La passes, the Ministry of External Affairs said
        after talks between the foreign ministers.</p>]]></description>
    </item>
    <item>
      <title>Direct flights between India and China resume after five years</title>
      <link>https://wire.example.org/2025/10/flights</link>
      <guid>https://wire.example.org/2025/10/flights</guid>
      <pubDate>Sun, 26 Oct 2025 18:30:00 GMT</pubDate>
      <description><![CDATA[<p>KOLKATA: The first direct flight between India and China in five years
        landed in Guangzhou on Sunday, as direct air services between the two countries resumed.</p>]]></description>
    </item>
  </channel>
</rss>
"""


# --- opening ----------------------------------------------------------------------------


def test_open_upgrades_an_empty_database(database_url: str, open_context) -> None:
    ctx = open_context()
    tables = set(inspect(ctx.store.engine).get_table_names())
    assert {"articles", "statements", "status_changes", "commitments", "digests", "runs", "sources"} <= tables
    assert [c.id for c in ctx.store.commitments()] == sorted(ctx.catalogue.ids)


# --- the seeds ----------------------------------------------------------------------------


def test_run_on_the_seeds(open_context, reports: Path) -> None:
    ctx = open_context()
    report = run_cycle(ctx, AS_OF)
    assert (report.ingested, report.skipped, report.failed, report.deferred) == (2, 0, 0, 0)
    assert report.new_changes > 0

    air = changes_of(ctx, "air-services")
    assert air[-1].to_status == "in_progress"
    assert (air[-1].date, air[-1].from_status) == (date(2025, 6, 13), "proposed")

    yatra = changes_of(ctx, "kailash-yatra")
    ladder = ["proposed", "under_discussion", "agreed", "in_progress", "implemented"]
    assert any(
        c.from_status == "under_discussion" and ladder.index(c.to_status) > ladder.index("under_discussion")
        for c in yatra
    ), yatra

    assert any(c.to_status == "agreed" for c in changes_of(ctx, "visas"))

    supply = changes_of(ctx, "supply-chains")
    assert supply, "rare-mineral export restrictions appear in the June article"
    assert supply[0].from_status is None
    assert (supply[0].date.year, supply[0].date.month) == (2025, 6)

    rivers = changes_of(ctx, "trans-border-rivers")
    assert [(c.date, c.from_status) for c in rivers] == [(date(2025, 1, 27), None)]

    names = sorted(p.name for p in report.digest_files)
    assert names == ["2025-12-01.html", "2025-12-01.json", "2025-12-01.md"]
    # Beside the digest, the Atom feed of changes and the site.
    assert sorted(p.name for p in reports.iterdir()) == [*names, "changes.atom", "site"]
    digest = digest_json(report)
    assert digest["as_of"] == "2025-12-01"
    assert len(digest["changes"]) == len(report.alerts) == len(ctx.views.changes())


def test_running_again_is_idempotent(open_context, reports: Path) -> None:
    ctx = open_context()
    run_cycle(ctx, AS_OF)
    before = sorted(p.name for p in reports.iterdir())
    changes_before = ctx.views.changes()

    again = run_cycle(ctx, AS_OF)
    assert (again.ingested, again.skipped, again.failed, again.new_changes) == (0, 2, 0, 0)
    assert again.alerts == []
    assert again.digest_files == []
    assert sorted(p.name for p in reports.iterdir()) == before
    assert ctx.views.changes() == changes_before
    assert article_count(ctx) == 2

    forced = run_cycle(ctx, AS_OF, always=True)
    assert sorted(p.name for p in forced.digest_files) == ["2025-12-01-2.html", "2025-12-01-2.json", "2025-12-01-2.md"]
    assert digest_json(forced)["changes"] == []
    assert len(list(reports.glob("2025-12-01*"))) == 6


def test_two_runs_report_january_then_june(open_context) -> None:
    ctx = open_context()
    first = run_cycle(ctx, date(2025, 2, 1))
    assert (first.ingested, first.deferred) == (1, 1)
    january = digest_json(first)
    assert january["changes"]
    assert {c["date"] for c in january["changes"]} == {"2025-01-27"}

    second = run_cycle(ctx, AS_OF)
    assert (second.ingested, second.skipped, second.deferred) == (1, 1, 0)
    june = digest_json(second)
    assert june["changes"]
    assert {c["date"] for c in june["changes"]} == {"2025-06-13"}
    assert june["since"] == "2025-02-01"
    assert second.digest_files[0].name.startswith("2025-12-01.")


# --- failures -----------------------------------------------------------------------------


def test_a_bad_file_fails_alone(open_context, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.txt").write_text(
        "India and China agree on visas\n\n"
        "India and China agreed on practical measures to facilitate visa processes.\n",
        encoding="utf-8",
    )
    (folder / "bad.txt").write_bytes(b"India \xff\xfe China \x80 visas\n")
    (folder / "manifest.toml").write_text(
        '[[article]]\nfile = "good.txt"\ndate = 2025-06-13\nsource = "Desk"\nurl = "https://example.org/good"\n'
        '[[article]]\nfile = "bad.txt"\ndate = 2025-06-14\nsource = "Desk"\nurl = "https://example.org/bad"\n',
        encoding="utf-8",
    )
    ctx = open_context(use_seeds=False, folders=(folder,))

    first = run_cycle(ctx, AS_OF)
    assert (first.ingested, first.failed) == (1, 1)
    assert any("bad.txt" in m and "UTF-8" in m for m in first.messages), first.messages
    assert article_urls(ctx) == ["https://example.org/good"]

    second = run_cycle(ctx, AS_OF)
    assert (second.ingested, second.skipped, second.failed) == (0, 1, 1)
    assert article_urls(ctx) == ["https://example.org/good"]


def test_a_feed_that_fails_is_counted_and_the_run_goes_on(open_context, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(RSS, content_type="application/rss+xml")
    dead = f"http://127.0.0.1:{unused_port()}/feed.xml"
    ctx = open_context(feeds=(FeedSource(url=dead), FeedSource(url=httpserver.url_for("/feed.xml"))))

    report = run_cycle(ctx, AS_OF)
    assert report.failed == 1
    assert any(dead in m and "cannot fetch" in m for m in report.messages), report.messages
    # The seeds and the feed that works are still read.
    assert report.ingested == 4
    assert "https://wire.example.org/2025/08/border-trade" in article_urls(ctx)
    assert report.digest_files
    with ctx.store.sessions() as session:
        failures = session.scalar(select(Source.failures).where(Source.location == dead))
    assert failures == 1


def test_a_feed_down_run_after_run_becomes_an_error(open_context) -> None:
    dead = f"http://127.0.0.1:{unused_port()}/feed.xml"
    # No backoff: the second run tries the feed again at once.
    ctx = open_context(
        use_seeds=False, feeds=(FeedSource(url=dead, name="Dead wire"),), error_after=2, fetch_backoff=0.0
    )
    first = run_cycle(ctx, AS_OF)
    assert [m.split(":")[0] for m in first.messages] == ["warning"]
    second = run_cycle(ctx, AS_OF)
    assert [m.split(":")[0] for m in second.messages] == ["error"]
    assert "2 times in a row" in second.messages[0]


def test_articles_from_a_configured_feed_are_ingested(open_context, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/india-china.rss").respond_with_data(RSS, content_type="application/rss+xml")
    url = httpserver.url_for("/india-china.rss")
    ctx = open_context(use_seeds=False, feeds=(FeedSource(url=url, name="Test wire"),))

    report = run_cycle(ctx, AS_OF)
    assert (report.ingested, report.failed) == (2, 0)
    assert article_urls(ctx) == [
        "https://wire.example.org/2025/08/border-trade",
        "https://wire.example.org/2025/10/flights",
    ]
    with ctx.store.sessions() as session:
        rows = session.execute(select(Article.published, Source.name, Source.location).join(Source)).all()
    assert sorted(rows) == [
        (date(2025, 8, 20), "Test wire", url),
        (date(2025, 10, 26), "Test wire", url),
    ]

    again = run_cycle(ctx, AS_OF)
    assert (again.ingested, again.skipped) == (0, 2)


def test_feed_articles_after_as_of_wait_for_a_later_run(open_context, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(RSS, content_type="application/rss+xml")
    ctx = open_context(use_seeds=False, feeds=(FeedSource(url=httpserver.url_for("/feed.xml")),))
    early = run_cycle(ctx, date(2025, 9, 1))
    assert (early.ingested, early.deferred) == (1, 1)
    later = run_cycle(ctx, AS_OF)
    assert (later.ingested, later.skipped, later.deferred) == (1, 1, 0)


# --- confidence ---------------------------------------------------------------------------


def digest_texts(report: RunReport) -> dict[str, str]:
    return {p.suffix: p.read_text(encoding="utf-8") for p in report.digest_files}


def test_changes_below_the_threshold_are_unconfirmed_signals(open_context) -> None:
    ctx = open_context(confidence_threshold=0.99)
    report = run_cycle(ctx, AS_OF)
    stored = ctx.views.changes()
    assert stored
    assert all(not c.confirmed and c.confidence < 0.99 for c in stored)

    digest = digest_json(report)
    assert digest["changes"] == []
    assert len(digest["unconfirmed"]) == len(stored) == len(report.alerts)
    assert sorted((c["commitment_id"], c["date"], c["to_status"]) for c in digest["unconfirmed"]) == sorted(
        (c.commitment_id, c.date.isoformat(), c.to_status) for c in stored
    )
    assert all(c["confirmed"] is False for c in digest["unconfirmed"])

    texts = digest_texts(report)
    for suffix in (".md", ".html"):
        assert "Unconfirmed signals" in texts[suffix], suffix
        assert f"No status changed; {len(stored)} unconfirmed signals below." in texts[suffix], suffix
        # The unconfirmed changes are shown, with their evidence.
        assert "Direct air services" in texts[suffix], suffix
    assert "## Unconfirmed signals" in texts[".md"]
    assert "## Changes" not in texts[".md"]
    assert '<h2 class="unconfirmed">Unconfirmed signals</h2>' in texts[".html"]


def test_with_the_default_threshold_nothing_is_unconfirmed(open_context) -> None:
    ctx = open_context()
    report = run_cycle(ctx, AS_OF)
    digest = digest_json(report)
    assert digest["unconfirmed"] == []
    assert digest["changes"]
    assert all(c["confirmed"] is True and c["confidence"] >= 0.6 for c in digest["changes"])
    texts = digest_texts(report)
    assert "Unconfirmed signals" not in texts[".md"]
    assert "Unconfirmed signals" not in texts[".html"]
    assert "## Changes" in texts[".md"]


# --- the incremental fold -----------------------------------------------------------------


def timeline_of(ctx: Context) -> list[tuple]:
    return [(c.commitment_id, c.date, c.from_status, c.to_status, c.evidence) for c in ctx.views.changes()]


@pytest.mark.parametrize("seed", [1, 2])
def test_runs_folding_only_what_they_touched_end_where_a_full_fold_does(open_context, seed: int) -> None:
    """Articles arrive over four runs, some late (dated before what is stored): folding only the
    commitments each run's statements name, from where they stood, leaves the timeline a fold of
    everything gives."""
    import random

    from tracker.catalogue import load_catalogue
    from tracker.evaluation import load_corpus
    from tracker.pipeline import store_articles, update_timeline

    corpus = load_corpus(Path(__file__).parent / "holdout", load_catalogue())
    rng = random.Random(seed)
    order = sorted(corpus, key=lambda a: a.date)
    # Mostly in date order, a quarter of them held back to arrive late.
    late = set(rng.sample(range(len(order)), len(order) // 4))
    arrivals = [a for i, a in enumerate(order) if i not in late] + [order[i] for i in sorted(late)]
    ctx = open_context(use_seeds=False, confidence_threshold=0.6)
    touched_any = 0
    for part in range(4):
        batch = arrivals[part * len(arrivals) // 4 : (part + 1) * len(arrivals) // 4]
        as_of = max(a.date for a in batch)
        report = RunReport(run_id=ctx.store.start_run("test", as_of), as_of=as_of)
        store_articles(ctx, [a.draft() for a in batch], as_of, report)
        touched_any += bool(report.touched)
        # Only what this run stated about is folded: not every commitment.
        assert set(report.touched) <= {(s.relationship_id, s.commitment_id) for s in ctx.store.statements()}
        update_timeline(ctx, report.touched)
    assert touched_any == 4
    incremental = timeline_of(ctx)
    assert incremental

    assert update_timeline(ctx) == 0
    assert timeline_of(ctx) == incremental


def test_a_run_keeps_a_bounded_number_of_its_messages() -> None:
    from tracker.pipeline import MAX_KEPT_MESSAGES, _collector

    report = RunReport(run_id=0, as_of=AS_OF)
    printed: list[str] = []
    say = _collector(report, printed.append)
    for n in range(MAX_KEPT_MESSAGES + 5):
        say(f"warning: entry {n}")
    assert len(printed) == MAX_KEPT_MESSAGES + 5
    assert len(report.messages) == MAX_KEPT_MESSAGES
    assert report.messages[-2] == f"warning: entry {MAX_KEPT_MESSAGES - 2}"
    assert report.messages[-1] == "note: 6 more messages not kept"


def test_what_a_killed_run_stored_but_never_folded_is_folded_by_the_next_run(open_context, tmp_path: Path) -> None:
    """A run dies after storing articles, before its fold: the next run, finding them stored, still folds them."""
    from tracker.catalogue import load_catalogue
    from tracker.evaluation import load_corpus
    from tracker.pipeline import store_articles, update_timeline
    from tracker.schema import Run

    corpus = load_corpus(Path(__file__).parent / "holdout", load_catalogue())
    ctx = open_context(use_seeds=False)
    killed = RunReport(run_id=ctx.store.start_run("run", AS_OF), as_of=AS_OF)
    store_articles(ctx, [a.draft() for a in corpus], AS_OF, killed)
    assert killed.ingested and ctx.views.changes() == []

    after = run_cycle(ctx, AS_OF)
    assert after.ingested == 0  # all stored already
    recovered = timeline_of(ctx)
    assert recovered and after.alerts
    # The same as folding everything.
    assert update_timeline(ctx) == 0 and timeline_of(ctx) == recovered
    with ctx.store.sessions() as session:
        assert all(r.folded_at is not None for r in session.scalars(select(Run)))

"""The static site and the digests, rendered from a database built from the seeds and fixture articles."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.support.hostile import HOSTILE_SOURCE, write_fixture_articles
from tracker.config import Config
from tracker.delivery.files import render_report
from tracker.digest import build_digest
from tracker.model import ChangeView, RunCounts
from tracker.pipeline import Context, run_cycle
from tracker.site import LEVELS, chart, strip, write_site
from tracker.timeline.fold import current_statuses
from tracker.timeline.versions import divergences

AS_OF = date(2025, 12, 1)
NOW = datetime(2025, 12, 1, 6, 0, tzinfo=UTC)
GOLDEN = Path(__file__).parent / "golden"
UPDATE = bool(os.environ.get("TRACKER_UPDATE_GOLDEN"))


def open_built(database_url: str, tmp_path: Path) -> Context:
    config = Config(
        database_url=database_url,
        reports_dir=tmp_path / "reports",
        folders=(write_fixture_articles(tmp_path / "incoming"),),
        confidence_threshold=0.65,
    )
    ctx = Context.open(config)
    report = run_cycle(ctx, AS_OF)
    assert report.site_files, "every run writes the site"
    return ctx


@pytest.fixture(scope="module")
def built(module_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Context, Path]]:
    """The site, built once on each test database for the tests below that only read it and the store."""
    folder = tmp_path_factory.mktemp("built")
    ctx = open_built(module_database_url, folder)
    site = folder / "site"
    write_site(ctx.views, ctx.catalogue, site, ctx.config.reports_dir, as_of=AS_OF, now=NOW)
    yield ctx, site
    ctx.close()


@pytest.fixture
def sqlite_built(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[Context, Path]]:
    ctx = open_built(sqlite_url, tmp_path)
    site = tmp_path / "site"
    write_site(ctx.views, ctx.catalogue, site, ctx.config.reports_dir, as_of=AS_OF, now=NOW)
    yield ctx, site
    ctx.close()


def pages(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html"))}


def test_every_run_writes_the_site_into_the_reports_folder(sqlite_built: tuple[Context, Path]) -> None:
    ctx, _ = sqlite_built
    default = ctx.config.reports_dir / "site"
    names = sorted(p.relative_to(default).as_posix() for p in default.rglob("*.html"))
    assert names == sorted(
        ["index.html", "digests/1.html", *(f"commitments/{c.id}.html" for c in ctx.catalogue.commitments)]
    )


def test_the_index_shows_each_commitment_with_status_since_evidence_and_links(
    built: tuple[Context, Path],
) -> None:
    ctx, site = built
    index = (site / "index.html").read_text(encoding="utf-8")
    latest = current_statuses(ctx.views.changes())
    for commitment in ctx.catalogue.commitments:
        assert f'href="commitments/{commitment.id}.html"' in index
        assert commitment.title in index
    air = latest["air-services"]
    assert air.to_status == "suspended"
    row = index.split('<tr id="air-services">')[1].split("</tr>")[0]
    assert 'class="badge s-suspended setback"' in row and "2025-09-10" in row
    assert "An airline said the direct flights remain suspended." in row
    assert row.count("<rect") >= 4  # the strip: background and three statuses held
    rivers = index.split('<tr id="trans-border-rivers">')[1].split("</tr>")[0]
    assert "versions differ" in rivers
    assert 'href="digests/1.html"' in index


def test_a_commitment_page_has_the_chart_and_every_statement(built: tuple[Context, Path]) -> None:
    ctx, site = built
    page = (site / "commitments" / "air-services.html").read_text(encoding="utf-8")
    changes = ctx.views.changes(commitment_id="air-services")
    assert page.count('<circle class="point') == len(changes)
    assert 'class="level k-suspended setback"' in page  # the setback in the warning style
    assert page.count(" unconfirmed") >= 2  # the weak first report and the weak setback are hollow
    for statement in ctx.store.statements("air-services"):
        assert f'<time datetime="{statement.date}">' in page
    assert "Change: in progress → suspended" in page
    assert "stated by 2 sources" in page  # 2025-07-01: two articles stating one status, grouped
    assert '<a href="https://traveltrade.example/2025/09/flights" rel="noopener noreferrer nofollow">' in page


def test_each_governments_version_is_set_side_by_side(built: tuple[Context, Path]) -> None:
    _, site = built
    page = (site / "commitments" / "trans-border-rivers.html").read_text(encoding="utf-8")
    section = page.split('<h2 id="versions">')[1].split("<h2>")[0]
    assert "India says agreed, China says in progress" in section
    assert "India and China agreed to resume data sharing on trans-border rivers" in section
    assert "China and India agreed to expedite the resumption of hydrological data sharing" in section
    assert "India and China differ on this day" in page
    assert "India's official version" in page and "China's official version" in page
    other = (site / "commitments" / "visas.html").read_text(encoding="utf-8")
    assert "Each government's version" not in other


def test_article_text_is_escaped_and_only_web_addresses_are_links(built: tuple[Context, Path]) -> None:
    _, site = built
    for name, html in pages(site).items():
        assert "<script" not in html, name
        assert "javascript:" not in " ".join(re.findall(r'(?:href|src)="[^"]*"', html)), name
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", html), name
        for href in re.findall(r'href="([^"]*)"', html):
            assert href.startswith(("https://", "http://", "#")) or not re.match(r"^[a-z][a-z0-9+.-]*:", href), href
        # No external assets: no image, script, frame or stylesheet is loaded from anywhere.
        assert not re.search(r"<(?:img|script|iframe|link)\b", html), name
        assert "url(" not in html, name
    border = pages(site)["commitments/border-trade.html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in border
    assert "[x](javascript:alert(1))" in border  # shown as text
    assert HOSTILE_SOURCE.split(" ")[0] in border


def test_a_digest_page_lists_what_the_digest_reported(built: tuple[Context, Path]) -> None:
    ctx, site = built
    page = (site / "digests" / "1.html").read_text(encoding="utf-8")
    (record,) = ctx.store.digests()
    assert f"Digest of {record.as_of}" in page
    assert page.count('<article class="group change') == record.change_count
    # The site is beside the reports folder here (tmp/site, tmp/reports); links are relative.
    for suffix in ("html", "md", "json"):
        assert f'href="../../reports/2025-12-01.{suffix}"' in page
        assert f'href="../reports/2025-12-01.{suffix}"' in (site / "index.html").read_text(encoding="utf-8")


# --- pure parts -------------------------------------------------------------------------------


def view(id_: int, day: date, from_status: str | None, to_status: str, confirmed: bool = True) -> ChangeView:
    kind = "setback" if to_status in {"suspended", "stalled"} else ("new" if from_status is None else "progress")
    return ChangeView(
        id_, "x", "X", from_status, to_status, kind, day, "", "both", 0.9, confirmed, (), "r", "", "", "", ""
    )


def test_the_chart_steps_through_the_ladder() -> None:
    changes = [
        view(1, date(2025, 1, 1), None, "proposed"),
        view(2, date(2025, 3, 1), "proposed", "agreed", confirmed=False),
        view(3, date(2025, 5, 1), "agreed", "suspended"),
    ]
    drawn = chart(changes, date(2025, 7, 1))
    assert [s.status for s in drawn.segments] == ["proposed", "agreed", "suspended"]
    assert [s.setback for s in drawn.segments] == [False, False, True]
    assert [p.confirmed for p in drawn.points] == [True, False, True]
    assert drawn.segments[0].x1 == drawn.left and drawn.segments[-1].x2 == drawn.right
    # Higher on the ladder is higher on the chart; setbacks lie below the ladder.
    ys = {s.status: s.y for s in drawn.segments}
    assert ys["agreed"] < ys["proposed"] < ys["suspended"]
    assert len(drawn.risers) == 2
    assert LEVELS[0] == "implemented" and LEVELS[-1] == "suspended"
    assert "(unconfirmed)" in drawn.summary


def test_the_strip_covers_the_span() -> None:
    parts = strip([view(1, date(2025, 1, 1), None, "proposed")], date(2024, 1, 1), date(2026, 1, 1))
    assert parts[0].x == pytest.approx(80, abs=0.5) and parts[0].x + parts[0].width == pytest.approx(160, abs=0.5)


# --- golden files -------------------------------------------------------------------------------


def check_golden(name: str, text: str, tmp_root: Path) -> None:
    text = text.replace(str(tmp_root), "TMP")
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} missing: run with TRACKER_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def test_golden_site_page(sqlite_built: tuple[Context, Path], tmp_path: Path) -> None:
    _, site = sqlite_built
    check_golden("site-air-services.html", (site / "commitments" / "air-services.html").read_text("utf-8"), tmp_path)


def test_golden_digest(sqlite_built: tuple[Context, Path], tmp_path: Path) -> None:
    ctx, _ = sqlite_built
    changes = ctx.views.changes()
    digest = build_digest(
        changes,
        current_statuses(changes),
        ctx.catalogue,
        AS_OF,
        None,
        RunCounts(3, 0, 0),
        [d.as_json() for d in divergences(ctx.store.statements(), ctx.catalogue, ctx.official_domains)],
        now=NOW,
    )
    # The report's text as the files delivery writes it.
    for ext, text in render_report(digest).items():
        check_golden(f"digest.{ext}", text if text.endswith("\n") else text + "\n", tmp_path)
    assert json.loads((GOLDEN / "digest.json").read_text("utf-8"))["divergences"][0]["commitment"] == (
        "trans-border-rivers"
    )


# --- in a real browser ---------------------------------------------------------------------------------


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.system
@pytest.mark.skipif(chromium() is None, reason="Debian's chromium is not installed")
def test_pages_in_headless_chromium(sqlite_built: tuple[Context, Path], tmp_path: Path) -> None:
    ctx, site = sqlite_built
    browser = chromium()
    assert browser
    base = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0"]
    profile = ["--user-data-dir=" + str(tmp_path / "profile"), "--no-first-run", "--disable-extensions"]
    for name in ("index.html", "commitments/air-services.html", "commitments/trans-border-rivers.html"):
        url = (site / name).resolve().as_uri()
        shot = tmp_path / (name.replace("/", "-") + ".png")
        done = subprocess.run(
            [*base, *profile, "--window-size=1280,1600", f"--screenshot={shot}", "--dump-dom", url],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        dom = done.stdout
        assert "CONSOLE" not in done.stderr, done.stderr
        if name == "index.html":
            for commitment in ctx.catalogue.commitments:
                assert f"commitments/{commitment.id}.html" in dom
            assert dom.count('<svg class="strip"') == len(ctx.catalogue.commitments)
        else:
            assert '<svg viewBox="0 0 760' in dom and "<circle" in dom
        assert shot.exists() and shot.stat().st_size > 10_000
        keep = os.environ.get("TRACKER_SCREENSHOTS")
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(shot, Path(keep) / shot.name)


def test_the_index_links_the_atom_feed_when_there_is_one(sqlite_built: tuple[Context, Path], tmp_path: Path) -> None:
    ctx, site = sqlite_built
    # Every run writes the feed of changes beside the digest.
    assert '<a href="../reports/changes.atom" type="application/atom+xml">' in (site / "index.html").read_text("utf-8")
    (ctx.config.reports_dir / "feed.atom").write_text("<feed xmlns='http://www.w3.org/2005/Atom'/>", encoding="utf-8")
    write_site(ctx.views, ctx.catalogue, site, ctx.config.reports_dir, as_of=AS_OF, now=NOW)
    assert '<a href="../reports/feed.atom" type="application/atom+xml">' in (site / "index.html").read_text("utf-8")


def test_a_run_rewrites_only_the_pages_of_what_it_folded(sqlite_built: tuple[Context, Path], tmp_path: Path) -> None:
    ctx, site = sqlite_built
    before = pages(site)
    assert len([name for name in before if name.startswith("commitments/")]) == len(ctx.catalogue.commitments)

    # Only the yatra was stated about: its page and the index are written again, no other commitment's.
    written = write_site(
        ctx.views, ctx.catalogue, site, ctx.config.reports_dir, as_of=AS_OF, now=NOW, commitments={"kailash-yatra"}
    )
    names = sorted(p.relative_to(site).as_posix() for p in written)
    assert "commitments/kailash-yatra.html" in names and "index.html" in names
    assert not [n for n in names if n.startswith("commitments/") and n != "commitments/kailash-yatra.html"]
    # What it wrote is what a whole rewrite writes.
    assert pages(site) == before

    # Nothing folded: the index and the newest digest's page only.
    written = write_site(ctx.views, ctx.catalogue, site, ctx.config.reports_dir, as_of=AS_OF, now=NOW, commitments=())
    assert not [p for p in written if p.parent.name == "commitments"]

    # A site folder without its record of what was written is written whole.
    (site / ".tracker-site.json").unlink()
    written = write_site(ctx.views, ctx.catalogue, site, ctx.config.reports_dir, as_of=AS_OF, now=NOW, commitments=())
    assert len([p for p in written if p.parent.name == "commitments"]) == len(ctx.catalogue.commitments)
    assert pages(site) == before

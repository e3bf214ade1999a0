"""A small world for whole-run tests: article files, two feeds on loopback, SMTP on loopback,
real `tracker run` processes, and the end state of a run read back for comparison.

Used by the crash harness and the race tests. Everything a run leaves is read as
content (no ids, no clock times), so two runs that did the same work compare equal.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from pathlib import Path

from pytest_httpserver import HTTPServer
from sqlalchemy import create_engine, select
from sqlalchemy.orm import aliased
from werkzeug import Request, Response

from tracker.schema import Article, Change, Delivery, Digest, Source, Statement

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "articles"
DAY_1 = date(2025, 6, 14)
DAY_2 = date(2025, 6, 28)

# (corpus file, publication date): day 1's articles, then those dated after it (read on day 2).
FOLDER = [
    ("2025-01-27-deccanherald-yatra-flights-resume.txt", "2025-01-27"),
    ("2025-01-27-mea-foreign-secretary-vice-minister-mechanism.txt", "2025-01-27"),
    ("2025-06-13-thehindu-misri-sun-weidong-talks.txt", "2025-06-13"),
    ("2025-06-21-telegraph-yatra-first-batch-nathu-la.txt", "2025-06-21"),
    ("2025-06-27-thehindu-rajnath-dong-jun-qingdao.txt", "2025-06-27"),
    ("apps-ban.txt", "2025-05-02"),
    ("border-trade-talks.txt", "2025-06-24"),
    ("rivers-data.txt", "2025-06-26"),
]
# The feed every run follows: one entry for each day.
FEED_1 = [
    ("2025-04-12-thehindu-chinese-embassy-visas-indians.txt", "Sat, 12 Apr 2025 08:00:00 GMT"),
    ("2025-06-12-mea-weekly-briefing-rare-earths.txt", "Thu, 12 Jun 2025 08:00:00 GMT"),
    # Dated after day 1: left for day 2, when the feed answers "not modified" unless asked in full.
    ("first-flight", "Sun, 22 Jun 2025 08:00:00 GMT"),
]
# The feed added on day 2: a late article (dated before day 1) and a copy of a folder article.
FEED_2 = [
    ("2025-03-25-mea-wmcc-33rd-meeting.txt", "Tue, 25 Mar 2025 08:00:00 GMT"),
    ("2025-01-27-deccanherald-yatra-flights-resume.txt", "Mon, 27 Jan 2025 09:00:00 GMT"),
    ("visa-measures", "Sat, 01 Mar 2025 08:00:00 GMT"),
]
# Texts written here rather than taken from the corpus (first line: the title).
TEXTS = {
    "apps-ban.txt": "Apps stay blocked\nThe ban on Chinese mobile apps remains in force, the ministry said.",
    "border-trade-talks.txt": "Border trade\n"
    "India and China discussed reopening border trade through Nathu La, officials said on Tuesday.",
    "rivers-data.txt": "Rivers\n"
    "China has resumed sharing hydrological data on the Brahmaputra with India, officials said.",
    "first-flight": "First direct flight lands\n"
    "The first direct flight between India and China in five years landed in Guangzhou on Sunday.",
    "visa-measures": "Visa facilitation measures\n"
    "India and China agreed on practical measures to facilitate visa processes, the two foreign ministries said.",
}

# The footer's counts describe the run that wrote the digest: after a crash, the rerun's own work.
_GAP = r"(\s|<[^>]*>|&middot;|·)*"
_RUN_COUNTS = re.compile(rf"\d+ articles? ingested{_GAP}\d+ skipped as duplicates{_GAP}\d+ failed")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


def _rss(title: str, base: str, items: list[tuple[str, str]]) -> str:
    body = []
    for name, when in items:
        raw = TEXTS[name] if name in TEXTS else (CORPUS / name).read_text(encoding="utf-8")
        lines = raw.strip().splitlines()
        head, text = lines[0], "\n".join(f"<p>{line}</p>" for line in lines[1:] if line.strip())
        link = f"{base}/{name.removesuffix('.txt')}"
        body.append(
            f"<item><title>{head}</title><link>{link}</link><guid>{link}</guid><pubDate>{when}</pubDate>"
            f"<description><![CDATA[{text}]]></description></item>"
        )
    head = '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0">'
    return f"{head}<channel><title>{title}</title>{''.join(body)}</channel></rss>"


def make_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    manifest = []
    for name, day in FOLDER:
        (folder / name).write_text(TEXTS.get(name) or (CORPUS / name).read_text(encoding="utf-8"), encoding="utf-8")
        manifest.append(
            f'[[article]]\nfile = "{name}"\ndate = {day}\nsource = "Desk files"\nurl = "https://desk.test/{name}"\n'
        )
    (folder / "manifest.toml").write_text("\n".join(manifest), encoding="utf-8")
    return folder


def _conditional(body: str) -> Callable[[Request], Response]:
    """Answer with an ETag, and 304 Not Modified to a request that names it, as a real feed server does."""
    tag = f'"{hashlib.sha256(body.encode()).hexdigest()[:16]}"'

    def answer(request: Request) -> Response:
        if request.headers.get("If-None-Match") == tag:
            return Response(status=304, headers={"ETag": tag})
        return Response(body, content_type="application/rss+xml", headers={"ETag": tag})

    return answer


def serve_feeds(server: HTTPServer) -> tuple[str, str]:
    """The two feeds' URLs on the loopback server."""
    server.expect_request("/wire.xml").respond_with_handler(_conditional(_rss("Wire", "https://wire.test", FEED_1)))
    server.expect_request("/late.xml").respond_with_handler(
        _conditional(_rss("Late desk", "https://late.test", FEED_2))
    )
    return server.url_for("/wire.xml"), server.url_for("/late.xml")


@dataclass(frozen=True)
class Setup:
    """Where one run reads and writes."""

    folder: Path
    feeds: tuple[str, ...]
    smtp_port: int
    recipient: str

    def config(self, where: Path, database_url: str, day: int) -> Path:
        """A configuration under `where`: day 1 follows the first feed, day 2 both."""
        where.mkdir(parents=True, exist_ok=True)
        feeds = ", ".join(json.dumps(url) for url in self.feeds[:day])
        path = where / f"tracker-day{day}.toml"
        path.write_text(
            f"database_url = {json.dumps(database_url)}\n"
            f"reports_dir = {json.dumps(str(where / 'reports'))}\n"
            f"site_dir = {json.dumps(str(where / 'site'))}\n"
            'seeds_dir = ""\n'
            f"folders = [{json.dumps(str(self.folder))}]\n"
            f"feeds = [{feeds}]\n"
            "full_text = false\n"
            "batch_size = 2\n"
            "lock_wait = 120\n"
            "[fetch]\nconnect_timeout = 5\nread_timeout = 5\ntotal_timeout = 10\nretries = 0\n"
            'allow = ["127.0.0.1", "localhost"]\n'
            "[email]\n"
            f'host = "127.0.0.1"\nport = {self.smtp_port}\nsecurity = "none"\n'
            f'sender = "tracker@example.org"\nrecipients = [{json.dumps(self.recipient)}]\n',
            encoding="utf-8",
        )
        return path


def tracker_run(config: Path, day: date, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """A real `tracker run` process."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    environment |= env or {}
    return subprocess.run(
        [sys.executable, "-m", "tracker", "--config", str(config), "run", "--as-of", day.isoformat()],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def untimed(text: str) -> str:
    """Text with clock times and the writing run's counts blanked: what two equal runs may differ in."""
    return _RUN_COUNTS.sub("<run counts>", _TIME.sub("<time>", text))


def untimed_payload(payload: str | None) -> object:
    if payload is None:
        return None
    digest = json.loads(untimed(payload))
    digest.pop("run", None)
    return digest


def untimed_json(text: str) -> str:
    return json.dumps(untimed_payload(text), sort_keys=True)


@dataclass(frozen=True)
class EndState:
    articles: tuple
    statements: tuple
    changes: tuple
    digests: tuple
    deliveries: tuple

    def duplicates(self) -> dict[str, list]:
        """Rows that occur more than once (by content)."""
        found = {}
        for name in ("articles", "statements", "changes", "digests", "deliveries"):
            rows: tuple = getattr(self, name)
            repeated = [row for row, n in Counter(rows).items() if n > 1]
            if repeated:
                found[name] = repeated
        return found


def end_state(database_url: str) -> EndState:
    """What a run left in the database, by content."""
    engine = create_engine(database_url)
    previous = aliased(Article)
    try:
        with engine.connect() as c:
            digest_day = {i: d for i, d in c.execute(select(Digest.id, Digest.as_of))}
            article_key = {
                i: (url, h) for i, url, h in c.execute(select(Article.id, Article.url, Article.content_hash))
            }
            articles = c.execute(
                select(
                    Article.url,
                    Article.content_hash,
                    Article.title,
                    Article.published,
                    Article.guid,
                    Source.name,
                    previous.url,
                )
                .join(Source, Source.id == Article.source_id)
                .outerjoin(previous, previous.id == Article.previous_id)
            ).all()
            statement_key = {}
            statements = []
            for row in c.execute(select(Statement)).mappings():
                key = (
                    article_key[row["article_id"]],
                    row["commitment_id"],
                    row["status"],
                    row["actor"],
                    row["evidence"],
                    row["sentence_index"],
                    round(row["confidence"], 6),
                    row["rule"],
                )
                statement_key[row["id"]] = (*key[:2], key[5])
                statements.append(key)
            changes = [
                (
                    r["commitment_id"],
                    r["from_status"],
                    r["to_status"],
                    r["kind"],
                    r["date"],
                    statement_key[r["statement_id"]],
                    r["superseded"],
                    r["quiet"],
                    digest_day.get(r["digest_id"]),
                    digest_day.get(r["revised_digest_id"]),
                )
                for r in c.execute(select(Change)).mappings()
            ]
            digests = [
                (
                    r["as_of"],
                    r["since"],
                    r["change_count"],
                    tuple(Path(name).name for name in json.loads(r["files"])),
                    json.dumps(untimed_payload(r["payload"]), sort_keys=True),
                )
                for r in c.execute(select(Digest)).mappings()
            ]
            deliveries = [
                (digest_day[r["digest_id"]], r["channel"], r["state"]) for r in c.execute(select(Delivery)).mappings()
            ]
    finally:
        engine.dispose()
    return EndState(*(tuple(sorted(rows, key=repr)) for rows in (articles, statements, changes, digests, deliveries)))


def report_files(folder: Path) -> dict[str, str]:
    """Every file in the reports folder (temporaries included), clock times blanked."""
    if not folder.is_dir():
        return {}
    return {
        p.name: (untimed_json if p.suffix == ".json" else untimed)(p.read_text(encoding="utf-8"))
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def site_files(folder: Path) -> dict[str, str]:
    """Every page of the site (by path under it), clock times blanked."""
    if not folder.is_dir():
        return {}
    return {
        str(p.relative_to(folder)): untimed(p.read_text(encoding="utf-8"))
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def message_content(message: EmailMessage) -> tuple[str, str, str, str]:
    """(Subject, From, plain text, HTML) with clock times blanked."""
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    return (
        str(message["Subject"]),
        str(message["From"]),
        untimed(text.get_content()) if text is not None else "",
        untimed(html.get_content()) if html is not None else "",
    )

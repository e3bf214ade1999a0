"""Several `tracker run --worker` processes on one real PostgreSQL database.

The feeds are served by a real HTTP server on loopback, each answer slowed a
little so that the workers overlap; the test counts what each feed was asked
for and what the database holds afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import create_engine, text
from werkzeug import Request, Response

pytestmark = pytest.mark.system

FEEDS = 9
AS_OF = "2025-12-01"
TOPICS = [
    ("agreed to reopen border trade through the Shipki La pass", "border-trade"),
    ("resumed direct flights between Kolkata and Guangzhou", "air-services"),
    ("agreed to resume the Kailash Mansarovar Yatra this summer", "kailash-yatra"),
]


def feed_xml(number: int) -> str:
    items = []
    for k, (words, _) in enumerate(TOPICS):
        day = 10 + (number * 3 + k) % 18
        items.append(
            f"<item><title>Report {number}-{k}</title><link>https://wire{number}.example.org/{k}</link>"
            f"<guid>https://wire{number}.example.org/{k}</guid><pubDate>Mon, {day} Nov 2025 09:00:00 GMT</pubDate>"
            f"<description>NEW DELHI: India and China {words}, officials of outlet {number} said in "
            f"report {k}.</description></item>"
        )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire {number}</title>'
        f"<link>https://wire{number}.example.org/</link>{''.join(items)}</channel></rss>"
    )


@pytest.fixture
def feeds(httpserver: HTTPServer) -> tuple[list[str], Counter[str]]:
    asked: Counter[str] = Counter()
    lock = threading.Lock()

    def answer(request: Request) -> Response:
        with lock:
            asked[request.path] += 1
        time.sleep(0.3)  # long enough for the other workers to ask for a feed meanwhile
        number = int(request.path.removeprefix("/feed").removesuffix(".xml"))
        return Response(feed_xml(number), content_type="application/rss+xml")

    urls = []
    for number in range(FEEDS):
        path = f"/feed{number}.xml"
        httpserver.expect_request(path).respond_with_handler(answer)
        urls.append(httpserver.url_for(path))
    return urls, asked


def write_config(folder: Path, database_url: str, urls: list[str]) -> Path:
    lines = [f'database_url = "{database_url}"', 'reports_dir = "reports"', "full_text = false", ""]
    for url in urls:
        lines += ["[[feeds]]", f'url = "{url}"', ""]
    lines += ["[fetch]", 'allow = ["127.0.0.1", "localhost"]', ""]
    path = folder / "tracker.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def start(folder: Path, config: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tracker", "--config", str(config), "run", *args, "--as-of", AS_OF],
        cwd=folder,
        env=os.environ | {"TRACKER_LOCK_WAIT": "60"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def counts(database_url: str) -> dict[str, int]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return {
                table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("articles", "statements", "status_changes", "digests", "deliveries")
            } | {
                "worker_runs": connection.execute(
                    text("SELECT count(*) FROM runs WHERE command = 'worker' AND finished_at IS NOT NULL")
                ).scalar_one(),
                "feeds_done": connection.execute(
                    text("SELECT count(*) FROM sources WHERE kind = 'feed' AND done_for = :day"), {"day": AS_OF}
                ).scalar_one(),
                "leases_held": connection.execute(
                    text("SELECT count(*) FROM sources WHERE lease_owner IS NOT NULL")
                ).scalar_one(),
                "duplicate_changes": connection.execute(
                    text(
                        "SELECT count(*) FROM (SELECT commitment_id, date, to_status FROM status_changes"
                        " WHERE NOT superseded GROUP BY commitment_id, date, to_status HAVING count(*) > 1) d"
                    )
                ).scalar_one(),
            }
    finally:
        engine.dispose()


def test_three_workers_split_the_feeds_and_build_one_digest(
    postgres_url: str, tmp_path: Path, feeds: tuple[list[str], Counter[str]]
) -> None:
    urls, asked = feeds
    config = write_config(tmp_path, postgres_url, urls)
    workers = [start(tmp_path, config, "--worker") for _ in range(3)]
    outputs = [w.communicate(timeout=300) for w in workers]
    for worker, (_out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        assert "Traceback" not in err

    # Every feed asked for once: no worker fetched one another had taken.
    assert asked == Counter({f"/feed{n}.xml": 1 for n in range(FEEDS)})
    # The work was shared: more than one worker ingested something.
    busy = [out for out, _ in outputs if " 0 ingested" not in out]
    assert len(busy) >= 2, outputs
    stored = counts(postgres_url)
    seeds = 2
    assert stored["articles"] == FEEDS * len(TOPICS) + seeds
    assert stored["worker_runs"] == 3
    assert stored["feeds_done"] == FEEDS and stored["leases_held"] == 0
    assert stored["duplicate_changes"] == 0
    # One digest for the day, built once all the feeds were done.
    assert stored["digests"] == 1
    assert sum("Digest written" in out or "changes reported" in out for out, _ in outputs) == 1, outputs

    # The same day again, three workers: nothing new, nothing fetched, no second digest.
    again = [start(tmp_path, config, "--worker") for _ in range(3)]
    for worker in again:
        _, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
    assert sum(asked.values()) == FEEDS
    assert counts(postgres_url) == stored | {"worker_runs": 6}


def test_a_plain_run_waits_for_workers_and_workers_need_postgresql(
    postgres_url: str, tmp_path: Path, feeds: tuple[list[str], Counter[str]]
) -> None:
    urls, _asked = feeds
    config = write_config(tmp_path, postgres_url, urls)
    worker = start(tmp_path, config, "--worker")
    plain = start(tmp_path, config)
    _, worker_err = worker.communicate(timeout=300)
    _, plain_err = plain.communicate(timeout=300)
    assert worker.returncode == 0, worker_err
    assert plain.returncode == 0, plain_err
    assert counts(postgres_url)["articles"] == FEEDS * len(TOPICS) + 2

    sqlite = tmp_path / "sqlite"
    sqlite.mkdir()
    lone = start(sqlite, write_config(sqlite, f"sqlite:///{sqlite / 'tracker.db'}", urls), "--worker")
    _, err = lone.communicate(timeout=120)
    assert lone.returncode == 2
    assert "--worker shares a PostgreSQL database" in err and "Traceback" not in err

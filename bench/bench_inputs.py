"""Benchmarks: hostile inputs cost bounded time and memory.

Run from a checkout:  .venv/bin/python bench/bench_inputs.py

Each case runs in a fresh Python process (so its peak RSS is its own) on a
SQLite file in a temporary folder:

- a 5 MB article file that is one line without a full stop;
- a 5 MB article file of ordinary sentences;
- a 200 MB feed served over loopback (one item, streamed): stopped at the cap;
- a 200 MB feed file given to `ingest`: refused by its size;
- a feed just under the cap (4.9 MB, 200 items of news that names no
  tracked commitment) served over loopback: what parsing a feed that size costs.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SENTENCE = "India and China agreed to resume direct flights while officials discussed visas and border trade"
# Ordinary news that names no tracked commitment: what most of a big feed is.
OTHER = "The city council approved a new budget for parks and libraries after a long public hearing"
MB = 1_000_000


def feed_chunks(total: int, items: int, sentence: str = SENTENCE) -> Iterator[bytes]:
    """An RSS document of about `total` bytes, made 64 KB at a time (never held whole)."""
    head = b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Big</title>'
    yield head
    per_item = max(1, (total - len(head)) // items)
    block = (sentence + ". ").encode() * (65536 // (len(sentence) + 2))
    for i in range(items):
        start = (
            f"<item><title>Item {i}</title><link>http://big.test/{i}</link>"
            f"<pubDate>Sun, 26 Oct 2025 18:30:00 GMT</pubDate><description>Report {i}: "
        ).encode()
        yield start
        left = per_item - len(start) - 30
        while left > 0:
            piece = block[: min(left, len(block))]
            yield piece
            left -= len(piece)
        yield b"</description></item>"
    yield b"</channel></rss>"


def serve(total: int, items: int, sentence: str = SENTENCE) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            try:
                for chunk in feed_chunks(total, items, sentence):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/big.rss"


def child(case: str, workdir: Path) -> dict:
    """One case, in this process; returns its figures."""
    from tracker.config import Config, FeedSource
    from tracker.pipeline import Context, ingest_paths, run_cycle

    database = f"sqlite:///{workdir / 'bench.db'}"
    # Today: the article files are dated from their modification time.
    as_of = date.today()
    server = None
    if case == "article-one-line":
        path = workdir / "one-line.txt"
        words = (SENTENCE + " ").encode() * (5 * MB // (len(SENTENCE) + 1))
        path.write_bytes(b"A very long line\n\n" + words)
        config, paths = Config(database_url=database, use_seeds=False), [path]
    elif case == "article-sentences":
        path = workdir / "sentences.txt"
        path.write_bytes(b"Many sentences\n\n" + (SENTENCE + ". ").encode() * (5 * MB // (len(SENTENCE) + 2)))
        config, paths = Config(database_url=database, use_seeds=False), [path]
    elif case == "feed-file-200mb":
        path = workdir / "big.xml"
        with path.open("wb") as handle:
            for chunk in feed_chunks(200 * MB, 1):
                handle.write(chunk)
        config, paths = Config(database_url=database, use_seeds=False), [path]
    else:
        total, items = (200 * MB, 1) if case == "feed-http-200mb" else (int(4.9 * MB), 200)
        server, url = serve(total, items, SENTENCE if case == "feed-http-200mb" else OTHER)
        config = Config(database_url=database, use_seeds=False, feeds=(FeedSource(url=url),), full_text=False)
        paths = []
    ctx = Context.open(config)
    messages: list[str] = []
    start = time.perf_counter()
    if paths:
        report = ingest_paths(ctx, paths, as_of, warn=messages.append)
    else:
        report = run_cycle(ctx, as_of, warn=messages.append)
    seconds = time.perf_counter() - start
    ctx.close()
    if server:
        server.shutdown()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "case": case,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(peak_mb),
        "ingested": report.ingested,
        "failed": report.failed,
        # The message that says what the case got (not the dating note every undated file gets).
        "message": next((m[:160] for m in messages if "no manifest entry" not in m), ""),
    }


CASES = ["article-one-line", "article-sentences", "feed-http-200mb", "feed-file-200mb", "feed-http-4.9mb"]


def main() -> None:
    if len(sys.argv) == 3:
        print(json.dumps(child(sys.argv[1], Path(sys.argv[2]))))
        return
    print(f"{'case':<20} {'seconds':>8} {'peak RSS':>9} {'ingested':>9} {'failed':>7}  message")
    for case in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run([sys.executable, __file__, case, tmp], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        figures = f"{r['seconds']:>8} {r['peak_rss_mb']:>6} MB {r['ingested']:>9} {r['failed']:>7}"
        print(f"{r['case']:<20} {figures}  {r['message']}")


if __name__ == "__main__":
    main()

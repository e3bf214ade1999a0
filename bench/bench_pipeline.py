"""Benchmarks: extraction throughput and a full daily cycle on a SQLite file.

Run from a checkout:  .venv/bin/python bench/bench_pipeline.py [--articles N]

Articles are the seeds and the development corpus (tests/corpus/articles),
repeated with a numbered dateline so each copy is a distinct article.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from tracker.catalogue import load_catalogue, load_lexicon
from tracker.config import Config
from tracker.extraction import extract_statements
from tracker.pipeline import Context, run_cycle
from tracker.resources import bundled_dir
from tracker.sources import parse_article_text

ROOT = Path(__file__).resolve().parent.parent


def article_texts() -> list[str]:
    files = sorted(bundled_dir("seeds").glob("*.txt")) + sorted((ROOT / "tests" / "corpus" / "articles").glob("*.txt"))
    return [f.read_text(encoding="utf-8") for f in files]


def bench_extraction(texts: list[str], rounds: int) -> None:
    catalogue, lexicon = load_catalogue(), load_lexicon()
    bodies = [parse_article_text(t) for t in texts]
    words = sum(len(f"{s} {b}".split()) for _, s, b in bodies)
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        for title, summary, body in bodies:
            extract_statements(f"{summary}\n\n{body}", date(2025, 6, 13), catalogue, lexicon, title=title)
        timings.append(time.perf_counter() - start)
    best, median = min(timings), statistics.median(timings)
    print(
        f"extraction: {len(bodies)} articles, {words} words; best {best * 1000:.1f} ms, median {median * 1000:.1f} ms "
        f"over {rounds} rounds = {len(bodies) / median:.0f} articles/s, {words / median:.0f} words/s"
    )


def bench_cycle(texts: list[str], count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        day = date(2025, 1, 1)
        for i in range(count):
            raw = texts[i % len(texts)]
            published = day + timedelta(days=i % 300)
            # A distinct dateline makes each copy a distinct article (another content hash).
            title, _, rest = raw.partition("\n")
            (folder / f"{i:05d}.txt").write_text(
                f"{title}\n\nNEW DELHI, {published:%B} {published.day}, {published.year} (copy {i}) -\n{rest}",
                encoding="utf-8",
            )
        config = replace(
            Config(),
            database_url=f"sqlite:///{tmp}/bench.db",
            reports_dir=Path(tmp) / "reports",
            use_seeds=False,
            folders=(folder,),
        )
        ctx = Context.open(config)
        try:
            start = time.perf_counter()
            first = run_cycle(ctx, date(2025, 12, 31))
            cold = time.perf_counter() - start
            start = time.perf_counter()
            second = run_cycle(ctx, date(2025, 12, 31))
            warm = time.perf_counter() - start
        finally:
            ctx.close()
        print(
            f"daily cycle, SQLite file: {count} new articles in {cold:.2f} s ({count / cold:.0f} articles/s), "
            f"{first.new_changes} changes; re-run of the same day {warm:.2f} s ({second.skipped} skipped)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000, help="articles in the full-cycle benchmark")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the extraction benchmark")
    args = parser.parse_args()
    texts = article_texts()
    bench_extraction(texts, args.rounds)
    bench_cycle(texts, args.articles)


if __name__ == "__main__":
    main()

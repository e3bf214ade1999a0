"""Benchmarks: extraction throughput and a full daily cycle on a SQLite file.

Run from a checkout:  .venv/bin/python bench/bench_pipeline.py [--articles N]

Articles are the seeds and the labelled corpora (tests/*/articles), repeated
with a numbered dateline so each copy is a distinct article. Figures are
printed with ratios taken in the same run (this machine is shared): the share
of sentences that are parsed, and what parsing costs beside splitting.
"""

from __future__ import annotations

import argparse
import os

# One core: the parser's matrix work would otherwise use every core it finds.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from tracker.catalogue import load_catalogue, load_lexicon
from tracker.config import Config
from tracker.extraction import extract_statements, grammar, split_sentences
from tracker.pipeline import Context, run_cycle
from tracker.resources import bundled_dir
from tracker.sources import parse_article_text

ROOT = Path(__file__).resolve().parent.parent


def article_texts(pattern: str) -> list[str]:
    files = sorted(bundled_dir("seeds").glob("*.txt")) + sorted(ROOT.glob(pattern))
    return [f.read_text(encoding="utf-8") for f in files]


def bench_extraction(texts: list[str], rounds: int) -> None:
    catalogue, lexicon = load_catalogue(), load_lexicon()
    bodies = [f"{summary}\n\n{body}" for _, summary, body in map(parse_article_text, texts)]
    titles = [title for title, _, _ in map(parse_article_text, texts)]
    words = sum(len(b.split()) for b in bodies)
    sentences = [s.text for b in bodies for s in split_sentences(b)]
    candidates = [s for s in sentences if any(c.pattern.search(s) for c in catalogue.commitments)]
    extract_statements(bodies[0], date(2025, 6, 13), catalogue, lexicon, title=titles[0])  # loads the pipeline

    def timed(work: Callable[[], object]) -> float:
        runs = []
        for _ in range(rounds):
            start = time.perf_counter()
            work()
            runs.append(time.perf_counter() - start)
        return statistics.median(runs)

    full = timed(
        lambda: [
            extract_statements(b, date(2025, 6, 13), catalogue, lexicon, title=t)
            for b, t in zip(bodies, titles, strict=True)
        ]
    )
    split = timed(lambda: [split_sentences(b) for b in bodies])
    parsing = timed(lambda: grammar.parse(candidates))
    print(
        f"extraction: {len(bodies)} articles, {words} words, {len(sentences)} sentences of which "
        f"{len(candidates)} ({len(candidates) / len(sentences):.0%}) name a commitment and are parsed"
    )
    print(
        f"  median of {rounds}: {full * 1000:.0f} ms = {len(bodies) / full:.0f} articles/s, "
        f"{len(sentences) / full:.0f} sentences/s, {words / full:.0f} words/s"
    )
    print(
        f"  in the same run: splitting {split * 1000:.0f} ms, parsing the candidates {parsing * 1000:.0f} ms "
        f"({parsing / full:.0%} of extraction; {len(candidates) / parsing:.0f} parsed sentences/s)"
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
    parser.add_argument(
        "--texts", default="tests/*/articles/*.txt", help="articles besides the seeds (a glob under the checkout)"
    )
    args = parser.parse_args()
    texts = article_texts(args.texts)
    bench_extraction(texts, args.rounds)
    bench_cycle(texts, args.articles)


if __name__ == "__main__":
    main()

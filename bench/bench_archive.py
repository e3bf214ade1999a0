"""Archive-scale benchmarks: ingest against its floor, a day into a large archive, memory, start-up.

Run from a checkout with the package installed:

    .venv/bin/python bench/bench_archive.py --archive 200000 --json archive.json
    .venv/bin/python bench/bench_archive.py --archive 20000 --sizes 2000 --backends sqlite   # a quick try
    .venv/bin/python bench/bench_archive.py --postgres --backends postgresql                # a throwaway server

Every ratio compares figures taken in the same run (the machine is shared and
noisy). On PostgreSQL each measurement gets a database of its own on the
server named by `--postgres-url` (or one started for the run by `--postgres`),
dropped at the end. CPU times are this process's (or the child's), never the
database server's.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os

# One core for the parser's matrix work, as in bench_pipeline.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent))

from archive import PER_DAY, build_archive, last_day
from corpus import Corpus, render_feed, write_feeds

from tracker.catalogue import load_catalogue, load_lexicon
from tracker.config import Config
from tracker.extraction import extract_statements
from tracker.model import content_hash
from tracker.pipeline import Context, ingest_paths, run_cycle
from tracker.schema import Article, Statement
from tracker.sources import html_to_text
from tracker.store import Store, statement_row
from tracker.store import source_id as source_row

TRACKER = str(Path(sys.executable).with_name("tracker"))
INGEST_SEED, DAY_SEED, RSS_SEED = 501, 502, 503
HISTORY_ID = "air-services"


@dataclass
class Timing:
    wall: float
    cpu: float


@contextlib.contextmanager
def timed() -> Iterator[Timing]:
    result = Timing(0.0, 0.0)
    wall, cpu = time.perf_counter(), time.process_time()
    yield result
    result.wall, result.cpu = time.perf_counter() - wall, time.process_time() - cpu


# --- databases ---------------------------------------------------------------------


class Databases:
    """Fresh, empty databases of one backend, one per measurement."""

    def __init__(self, backend: str, work: Path, postgres_url: str | None = None) -> None:
        self.backend, self.work, self.postgres_url = backend, work, postgres_url
        self.made: list[str] = []

    def new(self, name: str) -> str:
        if self.backend == "sqlite":
            path = self.work / f"{name}.db"
            path.unlink(missing_ok=True)
            return f"sqlite:///{path}"
        import psycopg
        from sqlalchemy.engine import make_url

        assert self.postgres_url is not None
        url = make_url(self.postgres_url)
        database = f"bench_{name.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False)) as conn:
            conn.autocommit = True
            conn.execute(f'CREATE DATABASE "{database}"')
        self.made.append(database)
        return url.set(database=database).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if self.backend != "postgresql" or not self.made:
            return
        import psycopg
        from sqlalchemy.engine import make_url

        assert self.postgres_url is not None
        admin = make_url(self.postgres_url).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(admin) as conn:
            conn.autocommit = True
            for database in self.made:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        self.made.clear()


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A PostgreSQL server from the system's packages on a free loopback port, removed afterwards."""
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not bins:
        raise SystemExit("no PostgreSQL server installed (Debian: apt-get install postgresql)")
    pgbin = bins[-1]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    root = os.getuid() == 0

    def as_pg(*args: str) -> None:
        command = [str(a) for a in args]
        if root:
            command = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{a}'" for a in command)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

    if root:
        shutil.chown(data, "postgres")
    as_pg(f"{pgbin}/initdb", "-D", str(data), "-A", "trust", "-U", "postgres")
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=on"
    as_pg(f"{pgbin}/pg_ctl", "-D", str(data), "-l", f"{data}/server.log", "-w", "-o", options, "start")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            as_pg(f"{pgbin}/pg_ctl", "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(data, ignore_errors=True)


def config_for(url: str, work: Path, folders: tuple[Path, ...] = ()) -> Config:
    return replace(Config(), database_url=url, use_seeds=False, folders=folders, reports_dir=work / "reports")


def child_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["TRACKER_DATABASE_URL"] = url
    return env


def make_schema(url: str) -> None:
    """The schema made beforehand, so that a measured process does not migrate."""
    store = Store(url)
    try:
        store.ensure_schema()
    finally:
        store.close()


def warm_up() -> None:
    """Load the parser once, so that no measured step pays for it."""
    extract_statements(
        "India and China agreed to resume direct flights.", date(2025, 1, 1), load_catalogue(), load_lexicon()
    )


# --- ingest against feedparser and the floor -------------------------------------------


def ingest_process(dbs: Databases, work: Path, feed: Path, as_of: date) -> float:
    """The same ingest as a whole process: imports, model load and schema check included."""
    url = dbs.new("ingest-process")
    make_schema(url)
    start = time.perf_counter()
    subprocess.run(
        [TRACKER, "ingest", str(feed), "--as-of", str(as_of)],
        env=child_env(url),
        cwd=work,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def bench_ingest(dbs: Databases, work: Path, count: int, process_too: bool = True) -> dict[str, Any]:
    articles = list(Corpus(INGEST_SEED, date(2025, 3, 1), per_day=count).articles(count))
    feed = work / "ingest" / "feed.xml"
    feed.parent.mkdir(parents=True, exist_ok=True)
    data = render_feed(articles, "rss", "Northern Wire", "northern-wire.example")
    feed.write_bytes(data)
    as_of = articles[-1].published
    parses = []
    for _ in range(3):
        with timed() as t:
            parsed = feedparser.parse(data)
        parses.append(t)
    parse = min(parses, key=lambda t: t.wall)
    assert len(parsed.entries) == count

    url = dbs.new("ingest")
    ctx = Context.open(config_for(url, work))
    try:
        with timed() as ingest:
            report = ingest_paths(ctx, [feed], as_of)
    finally:
        ctx.close()

    catalogue, lexicon = load_catalogue(), load_lexicon()
    store = Store(dbs.new("floor"))
    store.ensure_schema()
    store.sync_catalogue(catalogue)
    try:
        with store.sessions.begin() as session:
            source_id = source_row(session, "Northern Wire", str(feed))
        with timed() as floor:
            entries = feedparser.parse(data).entries
            rows, found = [], []
            for entry in entries:
                text = html_to_text(entry.content[0].value)
                s = entry.published_parsed
                published = date(s.tm_year, s.tm_mon, s.tm_mday)
                found.append(extract_statements(text, published, catalogue, lexicon, title=entry.title))
                rows.append(
                    {
                        "source_id": source_id,
                        "url": entry.link,
                        "content_hash": content_hash(text),
                        "guid": entry.id,
                        "title": entry.title,
                        "summary": "",
                        "text": text,
                        "published": published,
                    }
                )
            table = Article.__table__
            with store.engine.begin() as connection:
                ids = connection.execute(
                    insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
                ).scalars()
                statements = [
                    statement_row(article_id, s, catalogue.relationship_id)
                    for article_id, extracted in zip(list(ids), found, strict=True)
                    for s in extracted
                ]
                if statements:
                    connection.execute(insert(Statement.__table__), statements)
    finally:
        store.close()

    process = ingest_process(dbs, work, feed, as_of) if process_too else None
    return {
        "articles": count,
        "feed_bytes": len(data),
        "ingested": report.ingested,
        "statements_floor": len(statements),
        "feedparser_s": parse.wall,
        "ingest_s": ingest.wall,
        "ingest_cpu_s": ingest.cpu,
        "ingest_process_s": process,
        "floor_s": floor.wall,
        "ingest_over_parse": ingest.wall / parse.wall,
        "process_over_parse": process / parse.wall if process else None,
        "ingest_over_floor": ingest.wall / floor.wall,
    }


# --- a day into an archive against a day into an empty database ----------------------------


def day_feeds(work: Path, day: date, count: int) -> Path:
    folder = work / "day"
    if folder.exists():
        shutil.rmtree(folder)
    write_feeds(Corpus(DAY_SEED, day, per_day=count).articles(count), folder)
    return folder


def run_day(url: str, work: Path, folder: Path, day: date) -> dict[str, Any]:
    ctx = Context.open(config_for(url, work, (folder,)))
    try:
        with timed() as t:
            report = run_cycle(ctx, day)
    finally:
        ctx.close()
    return {
        "wall_s": t.wall,
        "cpu_s": t.cpu,
        "ingested": report.ingested,
        "new_changes": report.new_changes,
        "alerts": len(report.alerts),
    }


# --- whole processes -------------------------------------------------------------------


COMMANDS: list[tuple[str, list[str]]] = [
    ('python -c "import click"', [sys.executable, "-c", "import click"]),
    ("tracker --help", [TRACKER, "--help"]),
    ("tracker status", [TRACKER, "status"]),
    (f"tracker history {HISTORY_ID}", [TRACKER, "history", HISTORY_ID]),
    (f"tracker history {HISTORY_ID} --limit 50", [TRACKER, "history", HISTORY_ID, "--limit", "50"]),
    ("tracker changes --limit 50", [TRACKER, "changes", "--limit", "50"]),
    # Today's unpaged listing, for a figure where --limit is not there yet.
    ("tracker changes", [TRACKER, "changes"]),
]


def bench_commands(url: str, work: Path, repeat: int, budget: float, timeout: float) -> dict[str, Any]:
    """Each command best of `repeat` (fewer once one run takes over `budget` seconds)."""
    out: dict[str, Any] = {}
    for name, argv in COMMANDS:
        runs: list[float] = []
        error = None
        for _ in range(repeat):
            start = time.perf_counter()
            try:
                done = subprocess.run(argv, env=child_env(url), cwd=work, capture_output=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                error = f"no answer within {timeout:.0f} s"
                break
            elapsed = time.perf_counter() - start
            if done.returncode != 0:
                lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
                error = f"exit {done.returncode}: {lines[-1] if lines else ''}"
                break
            runs.append(elapsed)
            if elapsed > budget:
                break
        out[name] = {"best_s": min(runs) if runs else None, "runs_s": runs, "error": error}
    reference = out[COMMANDS[0][0]]["best_s"]
    for item in out.values():
        item["over_import_click"] = item["best_s"] / reference if item["best_s"] and reference else None
    return out


# --- peak memory of ingest -------------------------------------------------------------------


def bench_rss(dbs: Databases, work: Path, sizes: list[int]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for size in sizes:
        folder = work / f"rss-{size}"
        if folder.exists():
            shutil.rmtree(folder)
        start = date(2025, 1, 1)
        write_feeds(Corpus(RSS_SEED, start, PER_DAY).articles(size), folder)
        url = dbs.new(f"rss-{size}")
        make_schema(url)
        as_of = last_day(size, start)
        began = time.perf_counter()
        child = subprocess.Popen(
            [TRACKER, "ingest", str(folder), "--as-of", str(as_of)],
            env=child_env(url),
            cwd=work,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - began
        out[str(size)] = {
            "articles": size,
            "peak_rss_mb": usage.ru_maxrss / 1024,
            "wall_s": wall,
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "exit": child.returncode,
        }
        shutil.rmtree(folder)
    return out


# --- the run ---------------------------------------------------------------------------------


@dataclass
class Options:
    archive: int
    day: int
    ingest: int
    sizes: list[int]
    repeat: int
    budget: float
    timeout: float
    skip: set[str] = field(default_factory=set)


def bench_backend(dbs: Databases, work: Path, opts: Options, say: Callable[[str], None]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if "ingest" not in opts.skip:
        say(f"ingest of {opts.ingest} feed articles")
        result["ingest"] = bench_ingest(dbs, work, opts.ingest, "ingest-process" not in opts.skip)
    if "day" not in opts.skip or "commands" not in opts.skip:
        day = last_day(opts.archive) + timedelta(days=1)
        folder = day_feeds(work, day, opts.day)
        empty_url = dbs.new("day-empty")
        if "day" not in opts.skip:
            say(f"a day of {opts.day} articles into an empty database")
            result["day_empty"] = run_day(empty_url, work, folder, day)
        say(f"building a {opts.archive}-article archive")
        archive_url = dbs.new("archive")
        built = build_archive(archive_url, opts.archive)
        result["archive"] = asdict(built) | {"last_day": str(built.last_day)}
        say(f"  built in {built.total_seconds:.1f} s")
        if "commands" not in opts.skip:
            say("whole processes on the archive")
            result["commands_archive"] = bench_commands(archive_url, work, opts.repeat, opts.budget, opts.timeout)
            if "day" not in opts.skip and "commands-day" not in opts.skip:
                say(f"whole processes on the {opts.day}-article database")
                result["commands_day"] = bench_commands(empty_url, work, opts.repeat, opts.budget, opts.timeout)
        if "day" not in opts.skip:
            say(f"a day of {opts.day} articles into the {opts.archive}-article archive")
            result["day_archive"] = run_day(archive_url, work, folder, day)
            empty, full = result["day_empty"], result["day_archive"]
            result["day_ratio"] = {"wall": full["wall_s"] / empty["wall_s"], "cpu": full["cpu_s"] / empty["cpu_s"]}
    if "rss" not in opts.skip and opts.sizes:
        say(f"peak RSS of tracker ingest at {', '.join(map(str, opts.sizes))} articles")
        result["rss"] = bench_rss(dbs, work, opts.sizes)
    return result


def table(results: dict[str, Any]) -> str:
    lines = ["| backend | what | figure |", "|---|---|---|"]

    def row(backend: str, what: str, figure: str) -> None:
        lines.append(f"| {backend} | {what} | {figure} |")

    for backend, r in results["backends"].items():
        if "ingest" in r:
            i = r["ingest"]
            row(backend, f"ingest of {i['articles']} feed articles (in process)", f"{i['ingest_s']:.2f} s")
            row(backend, "feedparser.parse of the same bytes", f"{i['feedparser_s']:.3f} s")
            row(backend, "floor: parse + extraction + one bulk insert", f"{i['floor_s']:.2f} s")
            row(
                backend,
                "ingest / parse, ingest / floor",
                f"{i['ingest_over_parse']:.1f}×, {i['ingest_over_floor']:.2f}×",
            )
            if i["ingest_process_s"] is not None:
                row(
                    backend,
                    "`tracker ingest` as a process / parse",
                    f"{i['ingest_process_s']:.1f} s, {i['process_over_parse']:.0f}×",
                )
        if "archive" in r:
            a = r["archive"]
            row(
                backend,
                f"building the {a['articles']}-article archive",
                f"{a['total_seconds']:.0f} s ({a['statements']} statements, {a['changes']} changes; "
                f"fold and marking {a['fold_seconds']:.1f} s)",
            )
        if "day_ratio" in r:
            e, f, q = r["day_empty"], r["day_archive"], r["day_ratio"]
            row(backend, "a day into an empty database", f"{e['wall_s']:.1f} s wall, {e['cpu_s']:.1f} s CPU")
            row(backend, "the same day into the archive", f"{f['wall_s']:.1f} s wall, {f['cpu_s']:.1f} s CPU")
            row(backend, "archive day / empty day", f"{q['wall']:.2f}× wall, {q['cpu']:.2f}× CPU")
        for key, label in (("commands_archive", "archive"), ("commands_day", "day-only database")):
            for name, c in r.get(key, {}).items():
                if c["error"]:
                    figure = f"error: {c['error']}"
                else:
                    best, n, ratio = c["best_s"], len(c["runs_s"]), c["over_import_click"]
                    figure = f"{best:.2f} s (best of {n}, {ratio:.1f}× import click)"
                row(backend, f"`{name}` on the {label}", figure)
        for size, m in r.get("rss", {}).items():
            row(
                backend,
                f"`tracker ingest` of {size} articles",
                f"peak RSS {m['peak_rss_mb']:.0f} MB, {m['wall_s']:.0f} s wall, exit {m['exit']}",
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=int, default=200_000, help="articles in the archive")
    parser.add_argument("--day", type=int, default=500, help="new articles in the measured day")
    parser.add_argument("--ingest", type=int, default=500, help="articles in the ingest feed file")
    parser.add_argument("--sizes", default="10000", help="comma-separated ingest sizes for peak RSS ('' for none)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each whole-process command (best kept)")
    parser.add_argument("--budget", type=float, default=30.0, help="stop repeating a command slower than this (s)")
    parser.add_argument("--timeout", type=float, default=600.0, help="give up on one command after this (s)")
    parser.add_argument("--backends", default="sqlite", help="sqlite, postgresql or both (comma-separated)")
    parser.add_argument("--postgres-url", "--database-url", dest="postgres_url", help="a PostgreSQL server URL")
    parser.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL server for the run")
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated parts to leave out: ingest, ingest-process, day, commands, commands-day, rss",
    )
    parser.add_argument("--workdir", type=Path, help="where SQLite files and feeds go (default: a temporary folder)")
    parser.add_argument("--json", dest="json_path", type=Path, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    opts = Options(
        archive=args.archive,
        day=args.day,
        ingest=args.ingest,
        sizes=[int(s) for s in args.sizes.split(",") if s.strip()],
        repeat=args.repeat,
        budget=args.budget,
        timeout=args.timeout,
        skip={s.strip() for s in args.skip.split(",") if s.strip()},
    )
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(backends) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown backend: {', '.join(sorted(unknown))}")

    def say(message: str) -> None:
        print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)

    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "options": asdict(opts) | {"skip": sorted(opts.skip)},
        "backends": {},
    }
    with contextlib.ExitStack() as stack:
        work = args.workdir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-archive-")))
        work.mkdir(parents=True, exist_ok=True)
        pg_url = args.postgres_url
        if "postgresql" in backends and pg_url is None:
            if not args.postgres:
                parser.error("postgresql needs --postgres-url or --postgres")
            pg_url = stack.enter_context(throwaway_postgres())
        warm_up()
        for backend in backends:
            dbs = Databases(backend, work / backend, pg_url)
            (work / backend).mkdir(parents=True, exist_ok=True)
            stack.callback(dbs.drop_all)
            say(f"backend {backend}")
            results["backends"][backend] = bench_backend(dbs, work / backend, opts, say)
    print(table(results))
    if args.json_path:
        args.json_path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""News since the last digest is reported even when the day ends where it began; only late
articles that rewrite what was already reported stay quiet. Real files, real databases."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from tracker.config import Config
from tracker.pipeline import Context, RunReport, run_cycle

ARTICLES = {
    "flown.txt": (
        "2025-10-26",
        "First flight lands",
        "The first direct flight between India and China in five years landed in Guangzhou on Sunday.",
    ),
    "halted.txt": (
        "2025-11-10",
        "Flights halted",
        "Direct flights between India and China were suspended on Monday, the civil aviation ministry said.",
    ),
    "back.txt": (
        "2025-11-13",
        "Flights back",
        "Direct flights between India and China resumed on Thursday after a three-day suspension, "
        "the civil aviation ministry said.",
    ),
}


def add_articles(folder: Path, names: list[str]) -> None:
    folder.mkdir(exist_ok=True)
    manifest = folder / "manifest.toml"
    entries = manifest.read_text(encoding="utf-8") if manifest.exists() else ""
    for name in names:
        day, title, text = ARTICLES[name]
        (folder / name).write_text(f"{title}\n\n{text}\n", encoding="utf-8")
        entries += (
            f'[[article]]\nfile = "{name}"\ndate = {day}\nsource = "Wire"\nurl = "https://wire.example.org/{name}"\n'
        )
    manifest.write_text(entries, encoding="utf-8")


def cycle(config: Config, as_of: date) -> RunReport:
    ctx = Context.open(config)
    try:
        return run_cycle(ctx, as_of)
    finally:
        ctx.close()


def test_a_setback_and_a_recovery_between_two_runs_are_alerted(database_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    config = Config(
        database_url=database_url, reports_dir=tmp_path / "reports", use_seeds=False, folders=(folder,), full_text=False
    )
    add_articles(folder, ["flown.txt"])
    first = cycle(config, date(2025, 11, 1))
    assert first.digest_id is not None
    assert [(c.commitment_id, c.to_status) for c in first.alerts] == [("air-services", "implemented")]

    add_articles(folder, ["halted.txt", "back.txt"])
    second = cycle(config, date(2025, 11, 15))

    assert second.new_changes == 2
    assert second.digest_id is not None, "the suspension and the resumption are news"
    assert [(c.date, c.from_status, c.to_status) for c in second.alerts] == [
        (date(2025, 11, 10), "implemented", "suspended"),
        (date(2025, 11, 13), "suspended", "implemented"),
    ]
    (json_file,) = [p for p in second.digest_files if p.suffix == ".json"]
    reported = json.loads(json_file.read_text(encoding="utf-8"))
    assert [c["to_status"] for c in reported["changes"]] == ["suspended", "implemented"]

    # Told once.
    assert cycle(config, date(2025, 11, 16)).digest_id is None


def test_a_digest_for_a_past_day_states_the_statuses_of_that_day(database_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    config = Config(
        database_url=database_url, reports_dir=tmp_path / "reports", use_seeds=False, folders=(folder,), full_text=False
    )
    add_articles(folder, ["flown.txt", "halted.txt"])
    cycle(config, date(2025, 11, 15))
    past = date(2025, 11, 1)
    ctx = Context.open(config)
    try:
        report = run_cycle(ctx, past, always=True)
    finally:
        ctx.close()
    (json_file,) = [p for p in report.digest_files if p.suffix == ".json"]
    statuses = json.loads(json_file.read_text(encoding="utf-8"))["statuses"]
    flights = next(s for s in statuses if s["status"] is not None and s["since"] is not None and "air" in json.dumps(s))
    assert flights["status"] == "implemented" and flights["since"] == "2025-10-26"
    assert all(s["since"] is None or s["since"] <= past.isoformat() for s in statuses)

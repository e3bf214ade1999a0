"""One database following two relationships: India–China and Australia–China side by side.

The folder mixes India–China articles written for this test with articles of the
Australia–China corpus (`tests/australia-china/`); one run reads each against both
catalogues and keeps each relationship's statements and changes apart, though both
catalogues track a commitment named `visas`.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from tracker.cli import main
from tracker.resources import data_path
from tracker.schema import Change, Statement
from tracker.store import Store

CORPUS = Path(__file__).resolve().parent / "australia-china" / "articles"
# Australia–China articles of the corpus, each naming one of its commitments.
AUSTRALIA_CHINA = [
    "herald-20240328-wine-duties-end.txt",
    "wire-20240617-leaders-meeting-visas.txt",
    "embassy-20240625-visa-free-from-july.txt",
    "pmo-20241220-lobster-resumes.txt",
]
# Written for this test: India–China news in the manner of the seeds.
INDIA_CHINA = {
    "ic-20250127-flights.txt": (
        "2025-01-27",
        "India and China agree to resume direct flights\n\n"
        "India and China agreed on Monday to resume direct air services between the two countries,"
        " the Ministry of External Affairs said after the Foreign Secretary met China's Vice Foreign"
        " Minister in Beijing.\n\nOfficials on both sides will meet to settle the details of the flights.\n",
    ),
    "ic-20250428-yatra.txt": (
        "2025-04-28",
        "Kailash Mansarovar Yatra to resume this summer\n\n"
        "India and China have agreed that the Kailash Mansarovar Yatra will resume this summer,"
        " the Ministry of External Affairs announced on Monday.\n\n"
        "Pilgrims will travel through the Lipulekh and Nathu La passes between June and August.\n",
    ),
}


def _manifest_entry(name: str, day: str, source: str) -> str:
    return f'[[article]]\nfile = "{name}"\ndate = {day}\nsource = "{source}"\nurl = "https://example.org/{name}"\n\n'


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A desk of both catalogues after one run over the mixed folder."""
    root = tmp_path_factory.mktemp("desk")
    folder = root / "incoming"
    folder.mkdir()
    labels = {item["id"]: item for item in _labels()}
    manifest = ""
    for name in AUSTRALIA_CHINA:
        shutil.copyfile(CORPUS / name, folder / name)
        manifest += _manifest_entry(name, labels[name.removesuffix(".txt")]["date"], "Australia desk")
    for name, (day, text) in INDIA_CHINA.items():
        (folder / name).write_text(text, encoding="utf-8")
        manifest += _manifest_entry(name, day, "India desk")
    (folder / "manifest.toml").write_text(manifest, encoding="utf-8")
    catalogues = ", ".join(f'"{data_path(n)}"' for n in ("india-china.toml", "australia-china.toml"))
    (root / "tracker.toml").write_text(
        f'database_url = "sqlite:///tracker.db"\nseeds_dir = ""\nreports_dir = "reports"\n'
        f'folders = ["incoming"]\ncatalogues = [{catalogues}]\n',
        encoding="utf-8",
    )
    env = {name: None for name in os.environ if name.startswith("TRACKER_")}
    result = CliRunner().invoke(main, ["--config", str(root / "tracker.toml"), "run", "--as-of", "2025-06-30"], env=env)
    assert result.exit_code == 0, result.output
    yield root


def _labels() -> list[dict]:

    return json.loads((CORPUS.parent / "labels.json").read_text(encoding="utf-8"))


def _rows(desk: Path, table: type) -> list:
    store = Store(f"sqlite:///{desk / 'tracker.db'}")
    try:
        with store.sessions() as session:
            return [(r.relationship_id, r.commitment_id) for r in session.scalars(select(table))]
    finally:
        store.close()


def test_each_relationship_has_its_own_statements(desk: Path) -> None:
    stated = _rows(desk, Statement)
    assert {rid for rid, _ in stated} == {"IN-CN", "AU-CN"}
    assert ("IN-CN", "air-services") in stated
    assert ("AU-CN", "rock-lobster") in stated
    # Both catalogues track `visas`: the Australia–China articles' visa statements stay theirs.
    assert ("AU-CN", "visas") in stated and ("IN-CN", "visas") not in stated
    # An Australia–China article names no India–China commitment, and the other way round.
    au_only = {cid for rid, cid in stated if rid == "AU-CN"}
    assert "air-services" not in au_only and "kailash-yatra" not in au_only


def test_each_relationship_has_its_own_changes(desk: Path) -> None:
    changed = _rows(desk, Change)
    assert {rid for rid, _ in changed} == {"IN-CN", "AU-CN"}
    assert ("IN-CN", "air-services") in changed and ("AU-CN", "rock-lobster") in changed


def test_the_digest_files_tell_both_relationships(desk: Path) -> None:
    digests = sorted((desk / "reports").glob("*.md"))
    assert digests, sorted(p.name for p in (desk / "reports").iterdir())
    text = digests[-1].read_text(encoding="utf-8")
    assert "air services" in text.lower() or "air-services" in text
    assert "lobster" in text.lower()


def _cli(desk: Path, *args: str) -> tuple[int, str]:
    env = {name: None for name in os.environ if name.startswith("TRACKER_")}
    result = CliRunner().invoke(main, ["--config", str(desk / "tracker.toml"), *args], env=env)
    return result.exit_code, result.output


def test_status_gives_each_relationship_its_heading(desk: Path) -> None:
    code, out = _cli(desk, "status")
    assert code == 0, out
    assert out.index("(IN-CN)") < out.index("air-services") < out.index("(AU-CN)") < out.index("rock-lobster")
    code, out = _cli(desk, "status", "--relationship", "AU-CN")
    assert code == 0, out
    assert "rock-lobster" in out and "air-services" not in out and "(AU-CN)" not in out
    code, out = _cli(desk, "status", "--json")
    assert code == 0 and set(json.loads(out)) == {"IN-CN", "AU-CN"}
    assert json.loads(out)["AU-CN"]["rock-lobster"]["status"] == "implemented"


def test_an_unknown_relationship_is_one_line_naming_those_followed(desk: Path) -> None:
    code, out = _cli(desk, "status", "--relationship", "JP-CN")
    assert code != 0
    assert out.strip() == "Error: unknown relationship 'JP-CN'; followed: IN-CN, AU-CN"


def test_a_bare_id_two_relationships_track_is_refused_and_a_qualified_one_is_read(desk: Path) -> None:
    code, out = _cli(desk, "history", "visas")
    assert code != 0
    assert out.strip() == "Error: commitment 'visas' is tracked by IN-CN and AU-CN: name one, as IN-CN/visas"
    code, out = _cli(desk, "history", "AU-CN/visas", "--json")
    assert code == 0, out
    assert json.loads(out)["statements"]
    code, out = _cli(desk, "history", "IN-CN/visas", "--json")
    assert code == 0 and json.loads(out)["statements"] == []


def test_changes_and_export_keep_to_one_relationship_and_name_it(desk: Path) -> None:
    code, out = _cli(desk, "changes", "--relationship", "IN-CN", "--json")
    assert code == 0, out
    assert {c["commitment"] for c in json.loads(out)} <= {"air-services", "kailash-yatra"}
    code, out = _cli(desk, "export", "--what", "changes", "--format", "csv")
    assert code == 0, out
    header, *rows = out.splitlines()
    assert header.endswith(",relationship")
    assert {row.rsplit(",", 1)[1] for row in rows} == {"IN-CN", "AU-CN"}
    code, out = _cli(desk, "export", "--what", "statements", "--relationship", "AU-CN")
    assert code == 0, out
    assert {s["relationship"] for s in json.loads(out)} == {"AU-CN"}


def test_the_digest_board_gives_no_commitment_another_relationships_status(desk: Path) -> None:
    [digest] = sorted((desk / "reports").glob("*.json"))
    sections = {s["relationship_id"]: s for s in json.loads(digest.read_text(encoding="utf-8"))["relationships"]}
    board = {row["commitment_id"]: row for row in sections["IN-CN"]["statuses"]}
    # India–China's board: its visas have no statement, though Australia–China's have.
    assert board["visas"]["status"] is None
    assert board["air-services"]["status"] == "agreed"
    assert {row["commitment_id"]: row for row in sections["AU-CN"]["statuses"]}["visas"]["status"] is not None

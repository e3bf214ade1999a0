"""A desk of two relationships, delivered: India–China and Australia–China in one database.

Two real runs over a folder mixing articles about both pairs (written for this test):
the digest files give each relationship its own section, the JSON carries them, each
relationship has its own Atom feed, the site gives each its own pages (both track a
commitment named `visas`), and `[email.relationships]` mails each relationship's section
to its own recipients through a real SMTP server on loopback. A desk of one
relationship keeps its digest as it was: the golden files of `test_site.py` hold it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from tests.support.smtp_server import Handler, start
from tracker.cli import main
from tracker.config import ConfigError, load_config
from tracker.library import Tracker
from tracker.resources import data_path

ATOM = "{http://www.w3.org/2005/Atom}"
SITE_URL = "https://desk.example.org/site"

# Written for this test, each about one commitment of one pair: (file, day, text).
FIRST_FOLDER = [
    (
        "ic-flights.txt",
        "2025-03-04",
        "Direct flights between India and China to restart\n\n"
        "India and China have agreed to resume direct air services between the two countries, the Ministry of"
        " External Affairs said on Tuesday after talks in New Delhi.\n\n"
        "Airlines of both sides are expected to announce schedules once the technical details are settled.\n",
    ),
    (
        "ic-yatra.txt",
        "2025-03-12",
        "Pilgrimage to Kailash Mansarovar will resume\n\n"
        "India and China have agreed that the Kailash Mansarovar Yatra will resume this year, the Ministry of"
        " External Affairs announced on Wednesday.\n\n"
        "Groups of pilgrims will cross by two mountain passes during the summer months.\n",
    ),
    (
        "ac-wine.txt",
        "2025-03-06",
        "Beijing removes its duties on Australian wine\n\n"
        "China has lifted the duties it imposed on Australian wine, the Ministry of Commerce said on Thursday,"
        " ending measures that had shut Australian winemakers out of the market for three years.\n\n"
        "Trade Minister Don Farrell welcomed the decision and said exporters could ship again from Friday.\n",
    ),
    (
        "ac-lobster.txt",
        "2025-03-07",
        "Live rock lobster trade with China resumes\n\n"
        "China has resumed imports of live rock lobster from Australia, the Prime Minister's office said on"
        " Friday, after the last of the trade restrictions was removed.\n\n"
        "The first shipments left Western Australian ports for Chinese buyers this week.\n",
    ),
    (
        "ac-visas.txt",
        "2025-03-10",
        "China adds Australia to its visa-free list\n\n"
        "China will allow Australian passport holders to visit without a visa for up to fifteen days, the"
        " Chinese embassy in Canberra announced on Monday.\n\n"
        "The visa-free arrangement takes effect from next month, the embassy said.\n",
    ),
]
# The second run's one article: Australia–China's alone.
SECOND_FOLDER = [
    (
        "ac-wine-suspended.txt",
        "2025-04-14",
        "China suspends Australian wine imports again\n\n"
        "China has suspended imports of Australian wine once more, the Ministry of Commerce said on Monday,"
        " citing a new review of the duties.\n\n"
        "Winemakers in South Australia said the decision came without warning.\n",
    ),
]


@dataclass(frozen=True)
class Desk:
    root: Path
    handler: Handler
    # What the second run printed.
    second_run: str

    def cli(self, *args: str) -> tuple[int, str]:
        env = {name: None for name in os.environ if name.startswith("TRACKER_")}
        result = CliRunner().invoke(main, ["--config", str(self.root / "tracker.toml"), *args], env=env)
        return result.exit_code, result.output

    def digest(self, day: str) -> dict:
        return json.loads((self.root / "reports" / f"{day}.json").read_text(encoding="utf-8"))

    def report(self, name: str) -> str:
        return (self.root / "reports" / name).read_text(encoding="utf-8")


def _add_articles(folder: Path, articles: list[tuple[str, str, str]]) -> None:
    manifest = folder / "manifest.toml"
    text = manifest.read_text(encoding="utf-8") if manifest.exists() else ""
    for name, day, body in articles:
        (folder / name).write_text(body, encoding="utf-8")
        text += (
            f'[[article]]\nfile = "{name}"\ndate = {day}\nsource = "Desk wire"\nurl = "https://example.org/{name}"\n\n'
        )
    manifest.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def desk(module_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """Two runs of a desk following both relationships, mailing the whole digest and each section."""
    root = tmp_path_factory.mktemp("desk")
    handler = Handler()
    controller = start(handler)
    try:
        folder = root / "incoming"
        folder.mkdir()
        _add_articles(folder, FIRST_FOLDER)
        catalogues = ", ".join(f'"{data_path(n)}"' for n in ("india-china.toml", "australia-china.toml"))
        (root / "tracker.toml").write_text(
            f'database_url = "{module_database_url}"\nseeds_dir = ""\nreports_dir = "reports"\n'
            f'folders = ["incoming"]\ncatalogues = [{catalogues}]\nsite_url = "{SITE_URL}"\n\n'
            f'[email]\nhost = "127.0.0.1"\nport = {controller.port}\nsecurity = "none"\n'
            'sender = "tracker@example.org"\nrecipients = ["desk@example.org"]\n\n'
            '[email.relationships]\n"IN-CN" = ["delhi@example.org"]\n"AU-CN" = ["canberra@example.org"]\n',
            encoding="utf-8",
        )
        first = Desk(root, handler, "")
        code, out = first.cli("run", "--as-of", "2025-03-31")
        assert code == 0, out
        _add_articles(folder, SECOND_FOLDER)
        code, out = first.cli("run", "--as-of", "2025-04-30")
        assert code == 0, out
        yield Desk(root, handler, out)
    finally:
        controller.stop()


def _sections(digest: dict) -> dict[str, dict]:
    return {section["relationship_id"]: section for section in digest["relationships"]}


def _commitments(items: list[dict]) -> set[str]:
    return {item["commitment"] for item in items}


# --- the digest files ------------------------------------------------------------------------------


def test_the_digest_is_titled_for_the_desk_with_a_section_per_relationship(desk: Desk) -> None:
    text = desk.report("2025-03-31.md")
    assert text.startswith("# India–China and Australia–China commitments: digest of 2025-03-31\n")
    assert "**5 changes, no setbacks.**" in text
    india, australia = text.index("\n## India–China\n"), text.index("\n## Australia–China\n")
    assert india < text.index("Direct air services") < australia < text.index("duties on Australian wine")
    # Each section has its own board, its headings a level down.
    assert text.count("### Where every commitment stands") == 2
    assert "\n## Where every commitment stands" not in text
    html = desk.report("2025-03-31.html")
    assert '<section class="relationship" id="relationship-IN-CN">' in html
    assert '<section class="relationship" id="relationship-AU-CN">' in html
    assert html.count("<h3>Where every commitment stands</h3>") == 2


def test_the_json_digest_carries_each_relationships_section(desk: Desk) -> None:
    digest = desk.digest("2025-03-31")
    assert digest["title"] == "India–China and Australia–China commitments: digest of 2025-03-31"
    sections = _sections(digest)
    assert list(sections) == ["IN-CN", "AU-CN"]
    assert _commitments(sections["IN-CN"]["changes"]) == {"air-services", "kailash-yatra"}
    assert _commitments(sections["AU-CN"]["changes"]) == {"wine-duties", "rock-lobster", "visas"}
    assert sections["AU-CN"]["sides"][0] == {"actor": "australia", "label": "Australia"}
    # Each board is its own relationship's: both track `visas`, only Australia–China's has moved.
    boards = {rid: {row["commitment_id"]: row for row in s["statuses"]} for rid, s in sections.items()}
    assert boards["IN-CN"]["visas"]["status"] is None
    assert boards["AU-CN"]["visas"]["status"] == "in_progress"
    # The top level holds every section's items, each saying whose it is.
    assert {(c["relationship_id"], c["commitment"]) for c in digest["changes"]} == {
        (rid, c["commitment"]) for rid, s in sections.items() for c in s["changes"]
    }
    # Another relationship's history links lead to its own pages.
    links = {c["commitment"]: c["history_url"] for c in sections["AU-CN"]["changes"]}
    assert links["visas"] == f"{SITE_URL}/relationships/AU-CN/commitments/visas.html"
    assert sections["IN-CN"]["changes"][0]["history_url"].startswith(f"{SITE_URL}/commitments/")


def test_a_notification_names_each_changes_relationship(desk: Desk) -> None:
    """A chat line for a desk of two relationships says whose change it is: both track visas."""
    from tracker.delivery.notify import notification_text

    lines = notification_text(desk.digest("2025-03-31")).splitlines()
    titles = {line.split(":")[0] for line in lines}
    assert any(title.startswith("Australia–China ") and title.endswith("Visas") for title in titles), lines
    assert all(line.startswith(("India–China ", "Australia–China ")) for line in lines), lines


def test_a_day_with_news_of_one_relationship_still_shows_both_boards(desk: Desk) -> None:
    sections = _sections(desk.digest("2025-04-30"))
    assert sections["IN-CN"]["changes"] == []
    assert [(c["commitment"], c["to_status"]) for c in sections["AU-CN"]["changes"]] == [("wine-duties", "suspended")]
    assert {row["commitment_id"]: row["status"] for row in sections["IN-CN"]["statuses"]}["air-services"] == "agreed"


# --- Atom feeds ----------------------------------------------------------------------------------------


def _entries(path: Path) -> list[str]:
    feed = ET.parse(path).getroot()
    return [entry.findtext(f"{ATOM}id") or "" for entry in feed.iter(f"{ATOM}entry")]


def test_each_relationship_has_its_own_feed_with_stable_ids(desk: Desk) -> None:
    reports = desk.root / "reports"
    australia = _entries(reports / "changes-AU-CN.atom")
    india = _entries(reports / "changes-IN-CN.atom")
    assert sorted(australia) == sorted(
        [
            "urn:tracker:change:AU-CN:wine-duties:2025-03-06:none:implemented",
            "urn:tracker:change:AU-CN:rock-lobster:2025-03-07:none:implemented",
            "urn:tracker:change:AU-CN:visas:2025-03-10:none:in_progress",
            "urn:tracker:change:AU-CN:wine-duties:2025-04-14:implemented:suspended",
        ]
    )
    assert sorted(india) == [
        "urn:tracker:change:IN-CN:air-services:2025-03-04:none:agreed",
        "urn:tracker:change:IN-CN:kailash-yatra:2025-03-12:none:in_progress",
    ]
    desk_feed = _entries(reports / "changes.atom")
    # The first relationship keeps the ids it had alone; the other's are qualified (both have `visas`).
    assert "urn:tracker:change:air-services:2025-03-04:none:agreed" in desk_feed
    assert "urn:tracker:change:AU-CN:visas:2025-03-10:none:in_progress" in desk_feed
    assert len(desk_feed) == len(set(desk_feed)) == 6
    # Rewritten by the second run, the first run's entries kept their ids.
    assert ET.parse(reports / "changes-AU-CN.atom").getroot().findtext(f"{ATOM}id") == "urn:tracker:changes:AU-CN"


# --- the site -----------------------------------------------------------------------------------------


def test_the_site_gives_each_relationship_its_pages_and_index_heading(desk: Desk) -> None:
    site = desk.root / "reports" / "site"
    first_visas = (site / "commitments" / "visas.html").read_text(encoding="utf-8")
    other_visas = (site / "relationships" / "AU-CN" / "commitments" / "visas.html").read_text(encoding="utf-8")
    # The Australian visa article's statement is its calendar ("takes effect from next month").
    assert "takes effect from next month" in other_visas and "takes effect" not in first_visas
    assert "<title>Visas · Australia–China commitments</title>" in other_visas
    assert 'href="../../../index.html"' in other_visas
    index = (site / "index.html").read_text(encoding="utf-8")
    assert index.index('<h2 id="relationship-IN-CN">India–China</h2>') < index.index(
        '<h2 id="relationship-AU-CN">Australia–China</h2>'
    )
    assert 'href="relationships/AU-CN/commitments/visas.html"' in index
    assert 'href="commitments/visas.html"' in index
    assert "changes-AU-CN.atom" in index
    digest_page = (site / "digests" / "1.html").read_text(encoding="utf-8")
    assert 'href="../relationships/AU-CN/commitments/wine-duties.html"' in digest_page
    assert 'href="../commitments/air-services.html"' in digest_page


# --- email ------------------------------------------------------------------------------------------


def _mail(desk: Desk) -> list[tuple[list[str], str, str]]:
    """Each message received: its envelope recipients, subject and plain text."""
    found = []
    for (_sender, recipients), message in zip(desk.handler.envelopes, desk.handler.received, strict=True):
        body = message.get_body(("plain",))
        assert body is not None
        found.append((recipients, str(message["Subject"]), body.get_content()))
    return found


def test_each_relationship_is_mailed_its_own_section(desk: Desk) -> None:
    mail = _mail(desk)
    by_recipient: dict[str, list[tuple[str, str]]] = {}
    for recipients, subject, text in mail:
        for recipient in recipients:
            by_recipient.setdefault(recipient, []).append((subject, text))
    # The desk has both digests whole; each relationship its own sections, and nothing on a day without news of it.
    assert [s for s, _ in by_recipient["desk@example.org"]] == [
        "India–China and Australia–China digest 2025-03-31: 5 changes",
        "India–China and Australia–China digest 2025-04-30: 1 setback, 1 change",
    ]
    assert [s for s, _ in by_recipient["canberra@example.org"]] == [
        "Australia–China digest 2025-03-31: 3 changes",
        "Australia–China digest 2025-04-30: 1 setback, 1 change",
    ]
    assert [s for s, _ in by_recipient["delhi@example.org"]] == ["India–China digest 2025-03-31: 2 changes"]
    canberra = by_recipient["canberra@example.org"][0][1]
    assert "Visas" in canberra and "Direct air services" not in canberra
    whole = by_recipient["desk@example.org"][0][1]
    assert whole.index("INDIA–CHINA") < whole.index("Direct air services") < whole.index("AUSTRALIA–CHINA")
    ids = [str(m["Message-ID"]) for m in desk.handler.received]
    assert len(ids) == len(set(ids))


def test_the_outbox_holds_each_relationships_delivery_and_says_when_it_had_nothing(desk: Desk) -> None:
    with Tracker.open(load_config(desk.root / "tracker.toml"), create=False) as tracker:
        rows = tracker.outbox()
    assert {row.channel for row in rows} == {"files", "email", "email:IN-CN", "email:AU-CN"}
    assert len(rows) == 8 and all(row.state == "sent" for row in rows), rows
    assert "Digest #2 email:IN-CN: nothing of IN-CN in this digest; no message to delhi@example.org" in desk.second_run


def test_a_dry_run_writes_each_message_it_would_send(desk: Desk, tmp_path: Path) -> None:
    root = tmp_path / "dry"
    (root / "incoming").mkdir(parents=True)
    _add_articles(root / "incoming", FIRST_FOLDER)
    config = (desk.root / "tracker.toml").read_text(encoding="utf-8")
    config = config.replace(config.split("\n", 1)[0], 'database_url = "sqlite:///tracker.db"')
    (root / "tracker.toml").write_text(config, encoding="utf-8")
    code, out = Desk(root, desk.handler, "").cli("run", "--as-of", "2025-03-31", "--dry-run")
    assert code == 0, out
    assert sorted(p.name for p in (root / "reports").glob("*.eml")) == [
        "2025-03-31-AU-CN.eml",
        "2025-03-31-IN-CN.eml",
        "2025-03-31.eml",
    ]


# --- configuration ----------------------------------------------------------------------------------


def _config(tmp_path: Path, email: str) -> Path:
    path = tmp_path / "tracker.toml"
    path.write_text(
        '[email]\nhost = "127.0.0.1"\nsender = "tracker@example.org"\n' + email,
        encoding="utf-8",
    )
    return path


def test_recipients_of_a_relationship_alone_are_enough(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, '[email.relationships]\n"AU-CN" = "canberra@example.org"\n'))
    assert config.email is not None
    assert config.email.recipients == ()
    assert config.email.relationship_recipients == (("AU-CN", ("canberra@example.org",)),)


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ('relationships = ["AU-CN"]\n', "email.relationships: must be a table of relationship ids"),
        ('[email.relationships]\n"AU-CN" = ["not an address"]\n', "email.relationships.AU-CN: must be a list of"),
        ('[email.relationships]\n"AU-CN" = []\n', "email.relationships.AU-CN: must be a list of email addresses"),
        ("", "email needs recipients as well as host"),
    ],
)
def test_bad_relationship_recipients_are_one_line_naming_file_and_field(
    tmp_path: Path, email: str, message: str
) -> None:
    path = _config(tmp_path, email)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(str(path)) and message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_recipients_of_a_relationship_not_followed_stop_the_command(tmp_path: Path) -> None:
    catalogue = data_path("australia-china.toml")
    path = tmp_path / "tracker.toml"
    path.write_text(
        f'database_url = "sqlite:///tracker.db"\nseeds_dir = ""\ncatalogues = ["{catalogue}"]\n\n'
        '[email]\nhost = "127.0.0.1"\nsender = "tracker@example.org"\n\n'
        '[email.relationships]\n"JP-CN" = ["tokyo@example.org"]\n',
        encoding="utf-8",
    )
    env = {name: None for name in os.environ if name.startswith("TRACKER_")}
    result = CliRunner().invoke(main, ["--config", str(path), "status"], env=env)
    assert result.exit_code != 0
    assert result.output.strip() == (
        f"Error: {path}: email.relationships.JP-CN: no followed catalogue is relationship 'JP-CN'; followed: AU-CN"
    )


# --- listing one relationship -------------------------------------------------------------------------


def test_review_lists_one_relationship_and_groups_a_shared_id_apart(desk: Desk) -> None:
    code, out = desk.cli("review", "--relationship", "AU-CN", "--json")
    assert code == 0, out
    assert _commitments(json.loads(out)) == {"wine-duties", "rock-lobster", "visas"}
    code, out = desk.cli("review", "--relationship", "IN-CN", "--json")
    assert code == 0, out
    assert _commitments(json.loads(out)) == {"air-services", "kailash-yatra"}
    code, out = desk.cli("review")
    assert code == 0, out
    assert "(AU-CN/visas)" in out and "(IN-CN/air-services)" in out


def test_history_takes_the_relationship_as_an_option(desk: Desk) -> None:
    code, out = desk.cli("history", "visas", "--relationship", "AU-CN", "--json")
    assert code == 0, out
    assert json.loads(out)["statements"]
    code, out = desk.cli("history", "visas", "--relationship", "IN-CN", "--json")
    assert code == 0, out
    assert json.loads(out)["statements"] == []


def test_digest_show_prints_one_relationships_section(desk: Desk) -> None:
    code, out = desk.cli("digest", "show", "1", "--relationship", "AU-CN", "--format", "md")
    assert code == 0, out
    assert out.startswith("# Australia–China commitments: digest of 2025-03-31\n")
    assert "Direct air services" not in out and "Live rock lobster" in out
    code, out = desk.cli("digest", "show", "1", "--relationship", "IN-CN", "--format", "eml")
    assert code == 0, out
    assert "To: delhi@example.org" in out


@pytest.mark.parametrize(
    "args",
    [
        ("review", "--relationship", "JP-CN"),
        ("history", "visas", "--relationship", "JP-CN"),
        ("digest", "show", "--relationship", "JP-CN"),
    ],
)
def test_an_unknown_relationship_is_one_line_naming_those_followed(desk: Desk, args: tuple[str, ...]) -> None:
    code, out = desk.cli(*args)
    assert code != 0
    assert out.strip() == "Error: unknown relationship 'JP-CN'; followed: IN-CN, AU-CN"


def test_a_desk_of_one_relationship_keeps_its_digest_feed_and_site_as_they_were(tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    _add_articles(folder, [a for a in FIRST_FOLDER if a[0].startswith("ac-")])
    (tmp_path / "tracker.toml").write_text(
        f'database_url = "sqlite:///tracker.db"\nseeds_dir = ""\nreports_dir = "reports"\nfolders = ["incoming"]\n'
        f'catalogues = ["{data_path("australia-china.toml")}"]\n',
        encoding="utf-8",
    )
    one = Desk(tmp_path, Handler(), "")
    code, out = one.cli("run", "--as-of", "2025-03-31")
    assert code == 0, out
    text = one.report("2025-03-31.md")
    assert text.startswith("# Australia–China commitments: digest of 2025-03-31\n")
    assert "\n## Changes\n" in text and "\n## Where every commitment stands\n" in text
    digest = one.digest("2025-03-31")
    assert [s["relationship_id"] for s in digest["relationships"]] == ["AU-CN"]
    assert all("relationship_id" not in c for c in digest["changes"])
    reports = tmp_path / "reports"
    assert sorted(p.name for p in reports.glob("*.atom")) == ["changes.atom"]
    assert "urn:tracker:change:visas:2025-03-10:none:in_progress" in _entries(reports / "changes.atom")
    assert (reports / "site" / "commitments" / "visas.html").exists()
    assert not (reports / "site" / "relationships").exists()
    assert "<h2 id=" not in (reports / "site" / "index.html").read_text(encoding="utf-8")

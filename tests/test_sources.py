"""Reading articles: the seed format, folders with and without a manifest, bad inputs, hashing and feeds."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tracker.model import content_hash
from tracker.sources import (
    SUMMARY_SEPARATOR,
    USER_AGENT,
    ArticleDraft,
    SourceError,
    fetch,
    iter_path,
    normalise,
    parse_article_text,
    parse_feed,
    split_title,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


class Warnings(list[str]):
    """Collects the warnings a reader reports."""

    def __call__(self, message: str) -> None:
        self.append(message)


@pytest.fixture
def warnings() -> Warnings:
    return Warnings()


def read(path: Path, warn: Callable[[str], None]) -> tuple[list[ArticleDraft], list[SourceError]]:
    """Everything iter_path yields under a path, split into drafts and errors."""
    drafts: list[ArticleDraft] = []
    errors: list[SourceError] = []
    for item in iter_path(path, warn):
        if isinstance(item, SourceError):
            errors.append(item)
        else:
            assert isinstance(item, ArticleDraft)
            drafts.append(item)
    return drafts, errors


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def set_mtime(path: Path, when: datetime) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()))


# The seed format ------------------------------------------------------------------------------------


def test_summary_and_article_joined_by_separator_are_one_article() -> None:
    raw = (
        "Flights to resume\n\nThe two sides agreed to resume direct flights."
        + SUMMARY_SEPARATOR
        + "Flights to resume\n\nIndia and China agreed on Thursday to expedite the resumption of direct flights.\n\n"
        "Technical teams will finalise the details."
    )

    title, summary, body = parse_article_text(raw)

    assert title == "Flights to resume"
    assert summary == "The two sides agreed to resume direct flights."
    assert body == (
        "India and China agreed on Thursday to expedite the resumption of direct flights.\n\n"
        "Technical teams will finalise the details."
    )
    assert "\u00a0|\u00a0" not in summary + body


def test_one_line_summary_is_kept_as_summary() -> None:
    raw = "China and India agreed to expedite flights." + SUMMARY_SEPARATOR + "Flights deal\n\nFull report."

    assert parse_article_text(raw) == ("Flights deal", "China and India agreed to expedite flights.", "Full report.")


def test_article_without_separator_has_no_summary() -> None:
    assert parse_article_text("Headline\n\nFirst paragraph.\n\nSecond.") == (
        "Headline",
        "",
        "First paragraph.\n\nSecond.",
    )


def test_shipped_seed_with_summary_parses_into_three_parts() -> None:
    raw = (SEEDS / "000_f3c9956e5a0c5f1b.txt").read_text(encoding="utf-8")

    title, summary, body = parse_article_text(raw)

    assert title == "India and China Strengthen Bilateral Ties Amid Recent Challenges"
    assert summary.startswith("In a recent meeting, India's Foreign Secretary Vikram Misri")
    assert summary.endswith("fostering a collaborative future.")
    assert body.startswith("Strengthening India-China Relations")
    assert "\u00a0|\u00a0" not in body


def test_shipped_seeds_folder_gives_two_articles_with_manifest_dates(warnings: Warnings) -> None:
    drafts, errors = read(SEEDS, warnings)

    assert errors == []
    assert warnings == []
    assert len(drafts) == 2
    by_url = {d.url: d for d in drafts}
    assert set(by_url) == {"seed:000_f3c9956e5a0c5f1b", "seed:003_d1265f6050ffd7cf"}
    assert by_url["seed:003_d1265f6050ffd7cf"].published == date(2025, 1, 27)
    assert by_url["seed:000_f3c9956e5a0c5f1b"].published == date(2025, 6, 13)
    # 003 has no headline of its own; the manifest gives one.
    assert by_url["seed:003_d1265f6050ffd7cf"].title == (
        "Misri meets Wang Yi in Beijing as India and China work to rebuild ties"
    )
    assert by_url["seed:003_d1265f6050ffd7cf"].summary == ""
    seed_000 = by_url["seed:000_f3c9956e5a0c5f1b"]
    assert seed_000.title == "India and China Strengthen Bilateral Ties Amid Recent Challenges"
    assert seed_000.summary.startswith("In a recent meeting")
    assert {d.source_name for d in drafts} == {"Seed documents"}


# Titles ---------------------------------------------------------------------------------------------


def test_long_first_line_is_not_a_title() -> None:
    first = "Indian Foreign Secretary Vikram Misri met Chinese Foreign Minister Wang Yi today in Beijing, " * 3
    assert len(first) > 200

    title, body = split_title(first + "\n\nSecond paragraph.")

    assert title == " ".join(first.split()[:14]) + "…"
    assert body.startswith(first.strip())
    assert body.endswith("Second paragraph.")


def test_first_line_of_200_characters_is_a_title() -> None:
    first = "x" * 200

    assert split_title(first + "\nBody.") == (first, "Body.")


def test_title_skips_leading_blank_lines_of_any_kind() -> None:
    title, _summary, body = parse_article_text("\ufeff\r\n \t\r\nHeadline\r\n\r\nBody text.\r\n")

    assert title == "Headline"
    assert body == "Body text."


# A folder without a manifest ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "The meeting took place on January 27, 2025 in Beijing.",
        "The meeting took place on 27 January 2025 in Beijing.",
        "Dateline 2025-01-27: the meeting took place in Beijing.",
    ],
)
def test_date_from_text_without_manifest(tmp_path: Path, warnings: Warnings, sentence: str) -> None:
    path = write(tmp_path / "meeting.txt", f"Misri in Beijing\n\n{sentence}\n\nLater, on 13 June 2025, more.")
    set_mtime(path, datetime(2023, 3, 3, 12, tzinfo=UTC))

    drafts, errors = read(tmp_path, warnings)

    assert errors == []
    assert [d.published for d in drafts] == [date(2025, 1, 27)]
    assert drafts[0].title == "Misri in Beijing"
    assert drafts[0].source_name == tmp_path.name
    assert drafts[0].url == path.resolve().as_uri()
    assert len(warnings) == 1
    assert str(path) in warnings[0]
    assert "dated 2025-01-27 from its text" in warnings[0]


def test_no_date_in_text_uses_modification_time(tmp_path: Path, warnings: Warnings) -> None:
    path = write(tmp_path / "undated.txt", "Talks continue\n\nThe two sides will meet again soon.")
    set_mtime(path, datetime(2024, 3, 5, 12, 0, tzinfo=UTC))

    drafts, errors = read(tmp_path, warnings)

    assert errors == []
    assert [d.published for d in drafts] == [date(2024, 3, 5)]
    assert len(warnings) == 1
    assert str(path) in warnings[0]
    assert "modification time" in warnings[0]


def test_single_file_is_read_like_a_folder_member(tmp_path: Path, warnings: Warnings) -> None:
    path = write(tmp_path / "one.txt", "Yatra resumes\n\nThe yatra resumed on 30 June 2025.")

    drafts, errors = read(path, warnings)

    assert errors == []
    assert [(d.title, d.published, d.text) for d in drafts] == [
        ("Yatra resumes", date(2025, 6, 30), "The yatra resumed on 30 June 2025.")
    ]


def test_files_with_other_suffixes_are_ignored(tmp_path: Path, warnings: Warnings) -> None:
    write(tmp_path / "article.md", "Article\n\nOn 2025-01-27 they met.")
    write(tmp_path / "notes.csv", "a,b\n1,2\n")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")

    drafts, errors = read(tmp_path, warnings)

    assert errors == []
    assert [Path(d.origin).name for d in drafts] == ["article.md"]


# A folder with a manifest ---------------------------------------------------------------------------


def test_manifest_gives_date_source_url_and_title(tmp_path: Path, warnings: Warnings) -> None:
    write(tmp_path / "a.txt", "Own headline\n\nText dated 1 March 2020 in its body.")
    write(
        tmp_path / "manifest.toml",
        '[[article]]\nfile = "a.txt"\ndate = 2025-01-27\nsource = "MEA"\nurl = "https://mea.example/a"\n'
        'title = "Manifest headline"\n',
    )

    drafts, errors = read(tmp_path, warnings)

    assert errors == []
    assert warnings == []
    assert [(d.title, d.published, d.source_name, d.url) for d in drafts] == [
        ("Manifest headline", date(2025, 1, 27), "MEA", "https://mea.example/a")
    ]


def test_manifest_date_time_counts_as_its_day(tmp_path: Path, warnings: Warnings) -> None:
    write(tmp_path / "a.txt", "Headline\n\nBody.")
    write(tmp_path / "manifest.toml", '[[article]]\nfile = "a.txt"\ndate = 2025-01-27T23:30:00\n')

    drafts, errors = read(tmp_path, warnings)

    assert errors == []
    assert [type(d.published) for d in drafts] == [date]
    assert drafts[0].published == date(2025, 1, 27)


def test_manifest_listing_a_missing_file_warns(tmp_path: Path, warnings: Warnings) -> None:
    write(tmp_path / "a.txt", "Headline\n\nBody.")
    write(
        tmp_path / "manifest.toml",
        '[[article]]\nfile = "a.txt"\ndate = 2025-01-27\n\n[[article]]\nfile = "gone.txt"\ndate = 2025-02-01\n',
    )

    drafts, errors = read(tmp_path, warnings)

    assert errors == []
    assert [d.published for d in drafts] == [date(2025, 1, 27)]
    assert len(warnings) == 1
    assert "gone.txt" in warnings[0]
    assert str(tmp_path / "manifest.toml") in warnings[0]


# Bad inputs: one error each, naming the file; the rest is still read ----------------------------------


def good_file(folder: Path) -> Path:
    return write(folder / "good.txt", "Good article\n\nThey met on 27 January 2025.")


def test_latin1_file_is_read_with_a_warning_naming_it(tmp_path: Path, warnings: Warnings) -> None:
    latin = tmp_path / "latin1.txt"
    text = "Réunion à Pékin\n\nLes deux côtés ont discuté de la reprise des vols le 27 janvier 2025, à Pékin."
    latin.write_bytes(text.encode("latin-1"))

    drafts, errors = read(latin, warnings)

    assert errors == []
    assert [(d.title, d.text) for d in drafts] == [("Réunion à Pékin", text.split("\n\n", 1)[1])]
    assert any(str(latin) in w and "not UTF-8" in w for w in warnings), warnings


def test_binary_file_is_one_error_naming_it(tmp_path: Path, warnings: Warnings) -> None:
    bad = tmp_path / "binary.txt"
    bad.write_bytes(bytes(range(256)) * 4)
    good_file(tmp_path)

    drafts, errors = read(tmp_path, warnings)

    assert len(errors) == 1
    assert str(bad) in str(errors[0])
    assert "UTF-8" in str(errors[0])
    assert "\n" not in str(errors[0])
    assert [d.title for d in drafts] == ["Good article"]


def test_empty_file_is_one_error_naming_it(tmp_path: Path, warnings: Warnings) -> None:
    bad = write(tmp_path / "empty.txt", " \n\n ")
    good_file(tmp_path)

    drafts, errors = read(tmp_path, warnings)

    assert [str(e) for e in errors] == [f"{bad}: empty file"]
    assert [d.title for d in drafts] == ["Good article"]


def test_manifest_bad_date_is_one_error_naming_the_field(tmp_path: Path, warnings: Warnings) -> None:
    write(tmp_path / "bad.txt", "Bad entry\n\nBody dated 1 May 2020.")
    write(tmp_path / "listed.txt", "Listed\n\nBody dated 1 May 2020.")
    good_file(tmp_path)
    manifest = write(
        tmp_path / "manifest.toml",
        '[[article]]\nfile = "bad.txt"\ndate = "27/01/2025"\n\n[[article]]\nfile = "listed.txt"\ndate = 2025-06-13\n',
    )

    drafts, errors = read(tmp_path, warnings)

    assert len(errors) == 1
    message = str(errors[0])
    assert str(manifest) in message
    assert "article[0].date" in message
    assert "27/01/2025" in message
    # The other entry of the manifest still counts, and the other files are still read.
    assert {d.title: d.published for d in drafts} == {
        "Listed": date(2025, 6, 13),
        "Good article": date(2025, 1, 27),
    }


def test_manifest_missing_date_names_the_field(tmp_path: Path, warnings: Warnings) -> None:
    write(tmp_path / "a.txt", "A\n\nBody.")
    manifest = write(tmp_path / "manifest.toml", '[[article]]\nfile = "a.txt"\nsource = "MEA"\n')

    drafts, errors = read(tmp_path, warnings)

    assert [str(e) for e in errors] == [
        f"{manifest}: article[0].date: missing or not a date; {tmp_path / 'a.txt'} is not read"
    ]
    assert drafts == []


def test_unreadable_manifest_is_one_error_and_files_are_still_read(tmp_path: Path, warnings: Warnings) -> None:
    manifest = write(tmp_path / "manifest.toml", "[[article]\nfile = ")
    good_file(tmp_path)

    drafts, errors = read(tmp_path, warnings)

    assert len(errors) == 1
    assert str(errors[0]).startswith(f"{manifest}: cannot read manifest")
    assert [d.published for d in drafts] == [date(2025, 1, 27)]


def test_single_file_beside_a_bad_manifest_yields_the_error(tmp_path: Path, warnings: Warnings) -> None:
    path = write(tmp_path / "a.txt", "A\n\nBody.")
    manifest = write(tmp_path / "manifest.toml", '[[article]]\nfile = "a.txt"\ndate = "soon"\n')

    drafts, errors = read(path, warnings)

    assert drafts == []
    assert [str(e) for e in errors] == [f"{manifest}: article[0].date: not a date: 'soon'; {path} is not read"]


def test_missing_path_is_one_error_naming_it(tmp_path: Path, warnings: Warnings) -> None:
    missing = tmp_path / "nowhere" / "article.txt"

    drafts, errors = read(missing, warnings)

    assert drafts == []
    assert [str(e) for e in errors] == [f"{missing}: no such file or folder"]


# normalise and content_hash -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        "India and China agreed to resume direct flights.",
        "  India  and\tChina\nagreed to resume   direct flights.  ",
        "INDIA AND CHINA AGREED TO RESUME DIRECT FLIGHTS",
        "India, and China — agreed to resume “direct” flights!",
        "India and China agreed to resume direct flights\u00a0.",
    ],
)
def test_variants_of_one_text_hash_the_same(variant: str) -> None:
    original = "India and China agreed to resume direct flights."

    assert normalise(variant) == "india and china agreed to resume direct flights"
    assert content_hash(variant) == content_hash(original)


def test_different_texts_hash_differently() -> None:
    a = content_hash("India and China agreed to resume direct flights.")
    b = content_hash("India and China agreed to resume the yatra.")
    c = content_hash("India and China agreed to resume direct flight.")

    assert len({a, b, c}) == 3
    assert len(a) == 64


def test_article_hash_is_the_hash_of_its_body() -> None:
    draft = ArticleDraft(
        title="T", text="Body  text.", published=date(2025, 1, 1), url="u", source_name="s", origin="o", summary="S"
    )

    assert draft.content_hash == content_hash("body text")
    assert draft.full_text == "S\n\nBody  text."


# Feeds ----------------------------------------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Border &amp; Beyond</title>
  <link>https://news.example/</link>
  <description>Diplomatic news</description>
  <lastBuildDate>Sat, 14 Jun 2025 08:00:00 GMT</lastBuildDate>
  <item>
    <title>India &amp; China agree to expedite flights</title>
    <link>https://news.example/flights</link>
    <pubDate>Fri, 13 Jun 2025 10:00:00 GMT</pubDate>
    <description>&lt;p&gt;The two sides agreed
      to expedite the resumption of &lt;b&gt;direct air services&lt;/b&gt;.&lt;/p&gt;&lt;p&gt;Talks on
      rivers &amp;amp; data continue.&lt;/p&gt;</description>
  </item>
  <item>
    <title>Yatra to resume</title>
    <link>https://news.example/yatra</link>
    <description>The Kailash Mansarovar Yatra will resume this summer.</description>
  </item>
</channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Ministry Updates</title>
  <id>urn:example:ministry</id>
  <updated>2025-01-28T09:00:00Z</updated>
  <entry>
    <title type="html">Misri &amp;amp; Wang Yi meet in Beijing</title>
    <id>urn:example:misri-beijing</id>
    <link rel="alternate" href="https://ministry.example/misri-beijing"/>
    <published>2025-01-27T15:30:00Z</published>
    <updated>2025-01-28T09:00:00Z</updated>
    <summary type="html">&lt;p&gt;Flights and the yatra were on the agenda.&lt;/p&gt;</summary>
    <content type="html">&lt;h2&gt;Outcome&lt;/h2&gt;&lt;p&gt;Both sides agreed in principle to resume
      direct flights.&lt;/p&gt;&lt;script&gt;track()&lt;/script&gt;&lt;ul&gt;&lt;li&gt;Yatra:
      to resume in summer 2025&lt;/li&gt;&lt;li&gt;Hydrological data: to be discussed&lt;/li&gt;&lt;/ul&gt;</content>
  </entry>
  <entry>
    <title>Visa measures</title>
    <id>urn:example:visas</id>
    <link rel="alternate" href="https://ministry.example/visas"/>
    <updated>2025-03-25T10:00:00Z</updated>
    <summary>China called for easier visas.</summary>
  </entry>
</feed>
"""


def test_rss_feed_file(tmp_path: Path, warnings: Warnings) -> None:
    path = write(tmp_path / "news.rss", RSS)

    drafts, errors = read(path, warnings)

    assert errors == []
    assert [(d.title, d.published, d.url) for d in drafts] == [
        ("India & China agree to expedite flights", date(2025, 6, 13), "https://news.example/flights"),
        ("Yatra to resume", date(2025, 6, 14), "https://news.example/yatra"),
    ]
    assert drafts[0].text == (
        "The two sides agreed to expedite the resumption of direct air services.\n\nTalks on rivers & data continue."
    )
    assert drafts[1].text == "The Kailash Mansarovar Yatra will resume this summer."
    assert {d.source_name for d in drafts} == {"Border & Beyond"}
    assert {d.origin for d in drafts} == {str(path)}
    # The second entry has no date of its own: the feed's date, with a warning naming the entry.
    assert len(warnings) == 1
    assert str(path) in warnings[0]
    assert "https://news.example/yatra" in warnings[0]
    assert "feed's date" in warnings[0]


def test_atom_feed_file(tmp_path: Path, warnings: Warnings) -> None:
    path = write(tmp_path / "ministry.atom", ATOM)

    drafts, errors = read(path, warnings)

    assert errors == []
    assert warnings == []
    assert [(d.title, d.published, d.url) for d in drafts] == [
        ("Misri & Wang Yi meet in Beijing", date(2025, 1, 27), "https://ministry.example/misri-beijing"),
        ("Visa measures", date(2025, 3, 25), "https://ministry.example/visas"),
    ]
    first = drafts[0]
    assert first.text == (
        "Outcome\n\nBoth sides agreed in principle to resume direct flights.\n\n"
        "Yatra: to resume in summer 2025\n\nHydrological data: to be discussed"
    )
    assert "track()" not in first.text
    assert "<" not in first.text
    assert first.summary == "Flights and the yatra were on the agenda."
    # An entry with only a summary: the summary is its text.
    assert (drafts[1].text, drafts[1].summary) == ("China called for easier visas.", "")
    assert {d.source_name for d in drafts} == {"Ministry Updates"}


def test_feed_entry_without_any_date_is_skipped(tmp_path: Path, warnings: Warnings) -> None:
    rss = RSS.replace("  <lastBuildDate>Sat, 14 Jun 2025 08:00:00 GMT</lastBuildDate>\n", "")
    path = write(tmp_path / "nodate.xml", rss)

    drafts, errors = read(path, warnings)

    assert errors == []
    assert [d.url for d in drafts] == ["https://news.example/flights"]
    assert len(warnings) == 1
    assert str(path) in warnings[0]
    assert "https://news.example/yatra" in warnings[0]
    assert "skipped" in warnings[0]


def test_feed_entry_without_text_is_skipped(tmp_path: Path, warnings: Warnings) -> None:
    rss = RSS.replace("    <description>The Kailash Mansarovar Yatra will resume this summer.</description>\n", "")
    path = write(tmp_path / "notext.xml", rss)

    drafts, errors = read(path, warnings)

    assert errors == []
    assert [d.url for d in drafts] == ["https://news.example/flights"]
    assert any("https://news.example/yatra" in w and "no text" in w for w in warnings)


def test_feed_files_in_a_folder_are_read_with_articles(tmp_path: Path, warnings: Warnings) -> None:
    write(tmp_path / "feed.xml", RSS)
    good_file(tmp_path)

    drafts, errors = read(tmp_path, warnings)

    assert errors == []
    assert sorted(d.url for d in drafts if d.url.startswith("https:")) == [
        "https://news.example/flights",
        "https://news.example/yatra",
    ]
    assert [d.title for d in drafts if d.url.startswith("file:")] == ["Good article"]


@pytest.mark.parametrize(
    "content",
    [
        # Cut off in the middle of an entry.
        '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>x</title><item><title>A</title>'
        "<pubDate>Fri, 13 Jun 2025 10:00:00 GMT</pubDate><description>text\n",
        # Not XML at all.
        "this is not a feed < at all &",
        # Well-formed XML that is no feed.
        "<root><a>1</a></root>\n",
        # Nothing.
        "",
    ],
    ids=["truncated", "garbage", "not-a-feed", "empty"],
)
def test_broken_feed_file_is_one_error_naming_it(tmp_path: Path, warnings: Warnings, content: str) -> None:
    bad = write(tmp_path / "broken.xml", content)
    good_file(tmp_path)

    drafts, errors = read(tmp_path, warnings)

    assert len(errors) == 1
    assert str(errors[0]).startswith(f"{bad}: not a readable RSS/Atom feed")
    assert "\n" not in str(errors[0])
    assert [d.title for d in drafts] == ["Good article"]


def test_feed_over_http(httpserver: HTTPServer, warnings: Warnings) -> None:
    httpserver.expect_request("/feeds/news.rss", headers={"User-Agent": USER_AGENT}).respond_with_data(
        RSS, content_type="application/rss+xml"
    )
    url = httpserver.url_for("/feeds/news.rss")

    data = fetch(url, timeout=5, allow=("127.0.0.1",))
    drafts = parse_feed(data, url, warnings, source_name="Border news")

    assert data == RSS.encode("utf-8")
    assert [(d.title, d.published, d.url) for d in drafts] == [
        ("India & China agree to expedite flights", date(2025, 6, 13), "https://news.example/flights"),
        ("Yatra to resume", date(2025, 6, 14), "https://news.example/yatra"),
    ]
    assert {d.source_name for d in drafts} == {"Border news"}
    assert {d.origin for d in drafts} == {url}
    assert len(warnings) == 1
    assert url in warnings[0]
    httpserver.check_assertions()


def test_feed_http_error_names_the_url(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feeds/down.rss").respond_with_data("oops", status=500)
    url = httpserver.url_for("/feeds/down.rss")

    with pytest.raises(SourceError) as caught:
        fetch(url, timeout=5, allow=("127.0.0.1",))

    assert str(caught.value).startswith(f"{url}: cannot fetch")
    assert "\n" not in str(caught.value)


def test_feed_unreachable_port_names_the_url() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/feed.xml"

    with pytest.raises(SourceError) as caught:
        fetch(url, timeout=5, allow=("127.0.0.1",))

    assert str(caught.value).startswith(f"{url}: cannot fetch")


def test_fetch_reads_local_files(tmp_path: Path) -> None:
    path = write(tmp_path / "feed.xml", RSS)

    assert fetch(str(path)) == RSS.encode("utf-8")
    assert fetch(path.as_uri()) == RSS.encode("utf-8")
    with pytest.raises(SourceError, match="cannot read") as caught:
        fetch(str(tmp_path / "missing.xml"))
    assert str(tmp_path / "missing.xml") in str(caught.value)


# Bounded work per article --------------------------------------------------------------------------


def test_a_long_run_without_a_sentence_end_is_broken_into_paragraphs() -> None:
    import re

    from tracker.sources import bound_text

    line = "India and China discussed flights " * 200  # 7,000 characters, no full stop
    text, note = bound_text(f"A first sentence. {line}. A last one.", max_sentence=1000)

    runs = [len(r) for r in re.split(r"[.!?\n]", text)]
    assert max(runs) <= 1000
    assert text.startswith("A first sentence. ") and text.endswith(". A last one.")
    # Only breaks were added: the words are all there, in order.
    assert text.split() == f"A first sentence. {line}. A last one.".split()
    assert "without a sentence end broken up" in note


def test_a_long_text_is_cut_at_a_word_and_a_short_one_is_left_alone() -> None:
    from tracker.sources import bound_text

    text, note = bound_text("word " * 1000, max_chars=2000, max_sentence=10_000)
    assert len(text) <= 2000 and text.endswith("word")
    assert note.startswith("text of 5000 characters cut to its first")
    assert bound_text("India and China met. They talked.") == ("India and China met. They talked.", "")


def test_a_file_past_the_size_limit_is_refused_unread(tmp_path: Path, warnings: Warnings) -> None:
    from tracker.sources import MAX_FILE_BYTES

    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)

    drafts, errors = read(big, warnings)

    assert drafts == []
    assert [str(e) for e in errors] == [
        f"{big}: {MAX_FILE_BYTES + 1} bytes, larger than the {MAX_FILE_BYTES} byte limit; not read"
    ]

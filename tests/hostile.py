"""Fixture articles for the output tests: hostile strings, two governments' versions of one day,
and a weak report of a setback (unconfirmed under a threshold of 0.65)."""

from __future__ import annotations

from pathlib import Path

# What an article may carry: a script, a javascript: link, a tracking image, a window
# title escape, a screen clear, rich markup and a spreadsheet formula.
SCRIPT = "<script>alert(1)</script>"
JS_LINK = "[x](javascript:alert(1))"
PIXEL = "![](http://evil.example/pixel.png)"
TITLE_ESCAPE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
MARKUP = "[link=javascript:alert(2)]click[/link]"
FORMULA = '=HYPERLINK("http://evil.example","x")'

HOSTILE_TITLE = f"Talks {SCRIPT} {JS_LINK} {PIXEL} {TITLE_ESCAPE}"
HOSTILE_SOURCE = f"Wire {JS_LINK} {PIXEL} {CLEAR}"
HOSTILE_URL = "javascript:alert(5)"


def _toml(text: str) -> str:
    """A TOML basic string holding any text."""
    escaped = "".join(ch if 0x20 <= ord(ch) < 0x7F and ch not in '"\\' else f"\\u{ord(ch):04x}" for ch in text)
    return f'"{escaped}"'


def write_fixture_articles(folder: Path) -> Path:
    """A folder of articles (with a manifest) to ingest beside the seeds."""
    folder.mkdir(parents=True, exist_ok=True)
    articles = [
        (
            "hostile.txt",
            "2025-07-01",
            HOSTILE_SOURCE,
            HOSTILE_URL,
            HOSTILE_TITLE,
            f"India and China agreed to resume direct flights {JS_LINK} and {SCRIPT} {TITLE_ESCAPE}{CLEAR} today. "
            f"{FORMULA} India and China agreed to ease visas. "
            f"India and China agreed to resume border trade {MARKUP} {PIXEL}",
        ),
        (
            "mea.txt",
            "2025-08-19",
            "Ministry of External Affairs",
            "https://www.mea.gov.in/press/2025-08-19-readout",
            "Readout of the Special Representatives' talks",
            "India and China agreed to resume data sharing on trans-border rivers, "
            "the Ministry of External Affairs said.",
        ),
        (
            "mfa.txt",
            "2025-08-19",
            "Ministry of Foreign Affairs of China",
            "https://www.fmprc.gov.cn/eng/2025-08-19-readout",
            "Wang Yi holds talks with the Indian side",
            "China and India agreed to expedite the resumption of hydrological data sharing on trans-border rivers, "
            "the Chinese foreign ministry said.",
        ),
        (
            "wire.txt",
            "2025-07-01",
            "Press Trust",
            "https://press.example/2025/07/01/flights",
            "Flights to resume",
            "India and China agreed to resume direct flights between the two countries.",
        ),
        (
            "airline.txt",
            "2025-09-10",
            "Travel Trade Weekly",
            "https://traveltrade.example/2025/09/flights",
            "Airlines wait on Delhi and Beijing",
            "India and China held talks.\n\nAn airline said the direct flights remain suspended.",
        ),
    ]
    manifest = []
    for name, day, source, url, title, body in articles:
        (folder / name).write_text(f"{title.splitlines()[0]}\n\n{body}\n", encoding="utf-8")
        manifest.append(
            f"[[article]]\nfile = {_toml(name)}\ndate = {day}\nsource = {_toml(source)}\n"
            f"url = {_toml(url)}\ntitle = {_toml(title)}\n"
        )
    (folder / "manifest.toml").write_text("\n".join(manifest), encoding="utf-8")
    # A file without a manifest entry and without a date: a warning that names it.
    (folder / f"undated{TITLE_ESCAPE}.txt").write_text("Nothing here\n\nNo commitment is named.\n", encoding="utf-8")
    return folder

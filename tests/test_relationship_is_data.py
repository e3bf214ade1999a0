"""The relationship is data: no country of the packaged pair is named in the code or the templates.

Labels, official sites, speakers and the wording of each government's version come
from the catalogue (`tracker/data/india-china.toml`), so a catalogue of another pair
reads as its own everywhere. Tests and seeds may name the packaged pair.
"""

from __future__ import annotations

import re
from pathlib import Path

from tracker.catalogue import DEFAULT_CATALOGUE

ROOT = Path(__file__).resolve().parents[1]
COUNTRY = re.compile(r"\b(?:india|indian|indians|china|chinese)\b", re.IGNORECASE)

# Where the packaged pair may still be named, and why: nowhere in code, templates or the cue lexicon.
ALLOWED: set[str] = set()


def country_words(text: str) -> list[str]:
    """The packaged pair's names in a file's text, its catalogue's file name aside (the default it loads)."""
    return COUNTRY.findall(text.replace(DEFAULT_CATALOGUE, ""))


def checked_files() -> list[Path]:
    files = [
        *ROOT.glob("tracker/**/*.py"),
        *(p for p in ROOT.glob("templates/**/*") if p.is_file()),
        # The cue lexicon reads every relationship: its words say how a status is stated, not by whom.
        ROOT / "tracker" / "data" / "cues.toml",
    ]
    return sorted(p for p in files if not str(p.relative_to(ROOT)).startswith(tuple(ALLOWED)))


def test_the_check_finds_a_country_and_spares_other_words() -> None:
    assert country_words("India's and China's versions; Chinese ministry") == ["India", "China", "Chinese"]
    assert country_words(f"Indiana, Indochina, chinaware; load {DEFAULT_CATALOGUE}") == []


def test_no_code_or_template_names_the_packaged_pair() -> None:
    files = checked_files()
    assert any(p.name == "versions.py" for p in files) and any(p.suffix == ".j2" for p in files)
    assert any(p.name == "cues.toml" for p in files)
    named = {str(p.relative_to(ROOT)): words for p in files if (words := country_words(p.read_text("utf-8")))}
    assert named == {}

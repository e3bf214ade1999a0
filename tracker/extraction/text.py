"""Text: sentences, clauses and descriptions, read from the characters.

Segmentation is syntok's; the rest are the few surface patterns that
punctuation settles better than a parse (a clause break at a semicolon, a
description set off by commas). Dates are `dates`'.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from syntok import segmenter

_CLAUSE_BREAK = re.compile(
    r";|:\s|\s[-–—]\s|,?\s(?:while|whereas|but|although|though|even as|even though)\s|;\s*however,?\s"
    # A new clause after ", and": a determiner or a proper name's possessive ("Freedonia's", "Strelsau's").
    r"|\sand that\s|,\s+and\s+(?=(?:the|a|an|its|their|it|they|this|these|those|there|we|he|she"
    r"|(?-i:[A-Z])[\w-]*(?: (?-i:[A-Z])[\w-]*)?['’]s)\s)",
    re.IGNORECASE,
)
_LEADING_SUBORDINATE = re.compile(
    # "However, while other routes have reopened, …": a connective may come first.
    r"^\s*(?:(?:However|But|And|Yet|Still|Meanwhile|Now),?\s+)?"
    r"(?:While|Although|Though|Whereas|Even as|Having|After|Before)\b[^,]*,",
    re.IGNORECASE,
)
# Descriptions that restate the past inside a sentence: ", which were suspended in 2020,",
# ", suspended since 2020,", "(halted after the 2020 clashes)".
DESCRIPTION = re.compile(
    r",\s(?:which|that|who)\s[^,;]*(?:,|$)"
    r"|,\s(?:suspended|halted|frozen|banned|stalled|disrupted|closed|imposed|introduced|agreed|announced|launched|resumed)\s(?:in|since|after|following|from|during|at|by|on|earlier|last)\b[^,;]*(?:,|$)"
    r"|\([^)]*\)"
    r"|\s(?:which|that) (?:were|was|have been|has been|had been|began|came|took|\w+ed)\s[^,;]*"
    # "the apps blocked in 2020 remain banned": a participle dated in the past.
    r"|(?<!were)(?<!was)(?<!been)(?<!is)(?<!are)(?<!had)(?<!has)(?<!have)"
    r"\s(?:suspended|halted|frozen|banned|blocked|imposed|introduced|announced|launched|agreed|signed|created|set up)"
    r"\s(?:in|since|during|after|following)\s(?:early |mid-|late )?(?:(?:19|20)\d\d|[A-Z][a-z]+)\b",
    re.IGNORECASE,
)
# "Press Trust of Ruritania: …" — a speaker's label in a transcript.
SPEAKER = re.compile(r"^\s*[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*| of| the){0,5}\s*:\s")
QUESTION = re.compile(r"^\s*(?:Q|Question)\s*[:.]", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    index: int
    paragraph: int
    start: int
    text: str


# A list item's marker at the start of a line: "- ", "• ", "* ", "1. ", "(a) ".
BULLET = re.compile(r"^\s*(?:[-–—•*·▪●◦]\s+|\(?\d{1,2}[.)]\s+|\([a-z]\)\s+)")
# A line that closes a sentence (or a label) by its last character.
_CLOSED = re.compile(r"[.!?:;…\"”’')\]]\s*$")
# A line ending in a comma, a dash or a word that cannot end a sentence goes on on the next line.
_OPEN_END = re.compile(
    r"(?:[,–—-]|\b(?i:and|or|but|nor|the|a|an|of|to|in|on|at|by|for|from|with|into|onto|over|under|as|that|"
    r"which|who|whose|its|their|his|her|our|between|among|including|such|than|said|says|is|are|was|were|"
    r"be|been|has|have|had|will|would|can|could|after|before|since|via|through|per|about))\s*$"
)
# At most this many words make a line a headline when it ends unpunctuated.
_HEADLINE_WORDS = 16
# A line that opens with a dateline ("Strelsau: …", "Fredville, Oct 9 (Agency) …") starts a story,
# so the unpunctuated line before it (a headline or a standfirst) has ended, however long.
_DATELINE = re.compile(
    r"^\s*[A-Z][\w.'-]*(?:[ /][A-Z][\w.'-]*){0,3}"
    r"(?:,\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8}))?"
    r"\s*(?:\([A-Z][A-Za-z]{1,12}\)\s*)?(?::|\s[–—-])\s"
)


def _hard_break(line: str, following: str) -> bool:
    """Whether a line break ends a sentence although the line has no closing punctuation.

    Excerpts break lines inside sentences ("agreed to" / "resume flights"):
    those stay joined. A list item ends at its line, and so does a headline
    or a label line (short, unpunctuated) before a line that starts anew.
    """
    if BULLET.match(following) or BULLET.match(line):
        return True
    if _CLOSED.search(line) or _OPEN_END.search(line):
        # Closed: the segmenter splits there if the text says so. Open: the
        # sentence goes on ("… through Lipulekh and" / "Nathu La").
        return False
    starts_anew = following.lstrip()[:1].isupper() or following.lstrip()[:1].isdigit()
    return starts_anew and (len(line.split()) <= _HEADLINE_WORDS or bool(_DATELINE.match(following)))


def _blocks(text: str) -> list[tuple[int, int, int]]:
    """(start, end, paragraph) spans of text that no line break splits inside.

    A blank line starts a paragraph; within one, a line break splits where
    `_hard_break` says so and is read as a space elsewhere.
    """
    blocks: list[tuple[int, int, int]] = []
    paragraph, start, previous = 0, None, None
    for match in re.finditer(r"[^\n]*", text):
        line = match.group(0)
        if match.start() > 0 and match.start() == match.end() and text[match.start() - 1 : match.start()] != "\n":
            continue  # the empty match after a line's last character
        if not line.strip():
            if start is not None and previous is not None:
                blocks.append((start, previous.end(), paragraph))
                paragraph += 1
            start, previous = None, None
            continue
        if start is not None and previous is not None and _hard_break(previous.group(0), line):
            blocks.append((start, previous.end(), paragraph))
            start = None
        if start is None:
            start = match.start()
        previous = match
    if start is not None and previous is not None:
        blocks.append((start, previous.end(), paragraph))
    return blocks


def split_sentences(text: str) -> list[Sentence]:
    """Sentences with their paragraph index, sliced from the original text.

    Lines are read first (`_blocks`: list items, headlines and label lines
    end where their line ends; other line breaks are spaces), then syntok
    segments each block into sentences.
    """
    sentences: list[Sentence] = []
    paragraphs: dict[int, int] = {}
    for block_start, block_end, paragraph in _blocks(text):
        block = text[block_start:block_end]
        for part in segmenter.analyze(block):
            for tokens in part:
                if not tokens:
                    continue
                start = block_start + tokens[0].offset
                end = block_start + tokens[-1].offset + len(tokens[-1].value)
                chunk = text[start:end].strip()
                if chunk:
                    number = paragraphs.setdefault(paragraph, len(paragraphs))
                    sentences.append(Sentence(len(sentences), number, start, chunk))
    return sentences


def clauses_of(text: str) -> list[tuple[int, int]]:
    """Clause spans: a cue governs only mentions in its own clause."""
    bounds = [0]
    lead = _LEADING_SUBORDINATE.match(text)
    if lead:
        bounds.append(lead.end())
    for match in _CLAUSE_BREAK.finditer(text):
        if match.start() > 0:
            bounds.append(match.start())
    bounds = [*sorted(set(bounds)), len(text)]
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    return next((s for s in spans if s[0] <= span[0] and span[1] <= s[1]), None)

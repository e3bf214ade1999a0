"""Each government's version: where India's and China's official word on one commitment differ.

Pure: statements in, divergences out. A statement is a government's version when
it comes from that government's official site (a `.gov.in` or `.gov.cn` host, or
an official domain of that country) or names that government as its speaker
("…, the Ministry of External Affairs said"). Two versions of the same days
(at most a day apart, for the time zones and a readout published next morning)
that give the commitment different statuses are a divergence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal
from urllib.parse import urlsplit

from tracker.model import Divergence, StatementView
from tracker.timeline.official import is_official

Government = Literal["india", "china"]
GOVERNMENTS: tuple[Government, ...] = ("india", "china")
LABELS = {"india": "India", "china": "China"}

_SPEAKERS: dict[Government, re.Pattern[str]] = {
    "india": re.compile(
        r"\b(?:ministry of external affairs|mea|external affairs minister|indian (?:foreign |external affairs )?"
        r"ministry|government of india|indian government|new delhi)\b",
        re.IGNORECASE,
    ),
    "china": re.compile(
        r"\b(?:chinese (?:foreign )?ministry|foreign ministry of china|china'?s foreign ministry|ministry of foreign "
        r"affairs of (?:the people's republic of )?china|chinese government|government of china|beijing|"
        r"chinese foreign ministry spokesperson)\b",
        re.IGNORECASE,
    ),
}
_HOSTS: dict[Government, tuple[str, ...]] = {"india": (".gov.in", ".nic.in"), "china": (".gov.cn",)}
WINDOW_DAYS = 1


def government_of(statement: StatementView, official_domains: Sequence[str] = ()) -> Government | None:
    """Whose official version a statement is, if either government's."""
    host = (urlsplit(statement.source_url).hostname or "").lower()
    if statement.source_url.lower().startswith(("http://", "https://")):
        for government in GOVERNMENTS:
            suffixes = _HOSTS[government]
            tld = ".in" if government == "india" else ".cn"
            official = is_official(statement.source_url, [d for d in official_domains if d.endswith(tld)])
            if official or any(host.endswith(s) or host == s.lstrip(".") for s in suffixes):
                return government
    for government in GOVERNMENTS:
        if statement.attribution and _SPEAKERS[government].search(statement.attribution):
            return government
    return None


def divergences(statements: Iterable[StatementView], official_domains: Sequence[str] = ()) -> list[Divergence]:
    """Every divergence among the statements, by commitment and date.

    On each pair of days, each government's surest statement speaks for it.
    """
    versions: dict[tuple[str, Government], list[StatementView]] = {}
    for statement in statements:
        government = government_of(statement, official_domains)
        if government is not None:
            versions.setdefault((statement.commitment_id, government), []).append(statement)
    found: list[Divergence] = []
    for (commitment_id, government), indian in sorted(versions.items()):
        if government != "india":
            continue
        chinese = versions.get((commitment_id, "china"), [])
        seen: set[tuple] = set()
        for i in indian:
            near = [c for c in chinese if abs((c.date - i.date).days) <= WINDOW_DAYS]
            if not near:
                continue
            best_i = max(
                (s for s in indian if abs((s.date - i.date).days) <= WINDOW_DAYS and s.date == i.date),
                key=lambda s: s.confidence,
            )
            best_c = max(near, key=lambda s: (s.date == i.date, s.confidence))
            key = (best_i.date, best_c.date)
            if key in seen or best_i.status == best_c.status:
                continue
            seen.add(key)
            found.append(Divergence(commitment_id, best_i, best_c))
    found.sort(key=lambda d: (d.date, d.commitment_id))
    return found

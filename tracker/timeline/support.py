"""How sure the articles of one day make a status: the one rule the fold and the digest share.

The articles of a day that state a status are grouped into stories: copies of
one syndicated story (sharing `Weights.copy_similarity` of their wording)
count once, by their surest member. The stories' confidences then combine by
noisy-OR, an official source's weighing `Weights.official`, any other's
`Weights.other`, rounded to two places. The fold asks whether that reaches
the confidence threshold before a change becomes the level later statements
are compared against; the digest prints it and calls the change confirmed or
an unconfirmed signal by the same threshold.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from tracker.model import FoldInput

T = TypeVar("T")


@dataclass(frozen=True)
class Weights:
    """What each article's confidence weighs, and when two articles are one story."""

    official: float = 1.0
    other: float = 0.9
    # Articles sharing this much of their wording are one story syndicated.
    copy_similarity: float = 0.5


def shingles(text: str, size: int = 5) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.casefold())
    return {tuple(words[i : i + size]) for i in range(max(0, len(words) - size + 1))}


def similarity(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def stories(
    members: Iterable[T],
    text: Callable[[T], str],
    confidence: Callable[[T], float],
    url: Callable[[T], str],
    weights: Weights,
) -> list[tuple[T, list[T]]]:
    """Members grouped into stories: each story's surest member (the one that counts) and its copies.

    Surest first (among equals, by URL, so that every caller finds the same
    member counting); a member joins the first story whose counting member's
    wording it shares enough of.
    """
    groups: list[tuple[set[tuple[str, ...]], T, list[T]]] = []
    for member in sorted(members, key=lambda m: (-confidence(m), url(m))):
        words = shingles(text(member))
        story = next((g for g in groups if similarity(words, g[0]) >= weights.copy_similarity), None)
        if story is not None:
            story[2].append(member)
        else:
            groups.append((words, member, []))
    return [(counted, copies) for _, counted, copies in groups]


def combined(counted: Iterable[tuple[float, bool]], weights: Weights) -> float:
    """The stories' (confidence, official) combined by noisy-OR: the day's support for a status."""
    doubt = 1.0
    for confidence, official in counted:
        weight = weights.official if official else weights.other
        doubt *= 1.0 - min(1.0, weight * confidence)
    return round(1.0 - doubt, 2)


def is_sure(support: float, threshold: float) -> bool:
    return support >= threshold


def counted_once(members: Sequence[T], key: Callable[[T], object], confidence: Callable[[T], float]) -> list[T]:
    """One member per key, the surest (the first among equals): an article's best statement."""
    best: dict[object, T] = {}
    for member in members:
        seen = best.get(key(member))
        if seen is None or confidence(member) > confidence(seen):
            best[key(member)] = member
    return list(best.values())


def _stating(item: FoldInput) -> tuple[str, object, str]:
    return (item.commitment_id, item.published, item.status)


def copy_candidates(inputs: Iterable[FoldInput]) -> list[list[int]]:
    """The articles whose wording the fold needs, as groups: those of one day stating one status of one
    commitment, where more than one article does (a lone article is a story of its own)."""
    groups: dict[tuple[str, object, str], set[int]] = defaultdict(set)
    for item in inputs:
        if item.article_id is not None:
            groups[_stating(item)].add(item.article_id)
    return [
        sorted(ids) for _, ids in sorted(groups.items(), key=lambda g: (g[0][0], str(g[0][1]), g[0][2])) if len(ids) > 1
    ]


def marked_copies(inputs: Sequence[FoldInput], texts: Mapping[int, str], weights: Weights) -> list[FoldInput]:
    """The inputs, those from a copy of a syndicated story marked with the article that counts for it.

    The stories are found as the digest finds them (`stories`), among the
    best statements of the articles of a day stating one status; a group
    whose articles' texts are not all given is left as it is.
    """
    best = counted_once(list(inputs), lambda i: (*_stating(i), i.article_order), lambda i: i.confidence)
    groups: dict[tuple[str, object, str], list[FoldInput]] = defaultdict(list)
    for item in best:
        groups[_stating(item)].append(item)
    copy_of: dict[tuple[str, object, str, str], str] = {}
    for members in groups.values():
        if len(members) < 2 or any(m.article_id not in texts for m in members):
            continue
        found = stories(
            members, lambda m: texts[m.article_id or 0], lambda m: m.confidence, lambda m: m.source_url, weights
        )
        for counted, copies in found:
            for copy in copies:
                copy_of[(*_stating(copy), copy.article_order)] = counted.article_order
    return [
        replace(i, copy_of=copy_of[key]) if (key := (*_stating(i), i.article_order)) in copy_of else i for i in inputs
    ]

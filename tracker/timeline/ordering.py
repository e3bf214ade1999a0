"""Where an article sorts among the articles of its day, which the fold reads in that order."""

from __future__ import annotations


def fold_order(previous_order: str | None, digest: str) -> str:
    """An article's place among its day's articles: its text's hash; an update sorts right after what it updates.

    (Its first version's hash, then its depth: so an update that restates the
    story on the same day does not take over the changes its first version caused.)
    """
    if previous_order is None:
        return digest
    root, _, depth = previous_order.partition("~")
    return f"{root}~{int(depth or 0) + 1:06d}"


def review_order(review_id: int) -> str:
    """An analyst's status sorts after the day's articles, and analysts' settings of one day in the order
    they were given ("~" sorts after every hash; the review's id keeps their order)."""
    return f"~review~{review_id:012d}"

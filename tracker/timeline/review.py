"""An analyst's status as the statement the fold reads."""

from __future__ import annotations

from tracker.model import REVIEW_RULE, ExtractedStatement


def analyst_statement(commitment_id: str, status: str, reviewer: str, note: str) -> ExtractedStatement:
    """The statement an analyst's status stands as: sure, from both sides, naming the analyst and its rule."""
    return ExtractedStatement(
        commitment_id=commitment_id,
        status=status,
        actor="both",
        evidence=note or f"Set to {status.replace('_', ' ')} by {reviewer}",
        sentence_index=0,
        confidence=1.0,
        rule=REVIEW_RULE,
        attribution=f"analyst {reviewer}"[:200],
    )


def analyst_title(reviewer: str) -> str:
    return f"Analyst review by {reviewer}"

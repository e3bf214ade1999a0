"""Corroboration: a change's confidence from every article of its day that supports it, as the digest shows it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tracker.model import ChangeView, Corroboration, RevisionView, StoredChange, StoredRevision, Support
from tracker.timeline.official import is_official
from tracker.timeline.support import Weights, combined, is_sure, stories


@dataclass(frozen=True)
class CorroborationPolicy:
    """How a change's confidence is built from the articles that support it."""

    official_domains: tuple[str, ...] = ()
    threshold: float = 0.6
    weights: Weights = field(default_factory=Weights)

    def is_official(self, url: str) -> bool:
        return is_official(url, self.official_domains)


def _listed(support: Support, official: bool, copy_of: str | None) -> dict:
    return {
        "url": support.url,
        "source_name": support.source_name,
        "title": support.title,
        "official": official,
        "evidence": support.evidence,
        "copy": copy_of is not None,
        "copy_of": copy_of,
    }


def corroborate(supports: Sequence[Support], policy: CorroborationPolicy) -> Corroboration:
    """A change's confidence: the day's support for its status (`timeline.support`), the rule the fold uses.

    Every article is listed among the sources, a copy right after the member
    that counts for it, flagged `copy` with `copy_of` naming that member's URL.
    """
    grouped = stories(supports, lambda s: s.text, lambda s: s.confidence, lambda s: s.url, policy.weights)
    sources = []
    for counted, copies in grouped:
        sources.append(_listed(counted, policy.is_official(counted.url), None))
        sources.extend(_listed(c, policy.is_official(c.url), counted.url) for c in copies)
    confidence = combined(((s.confidence, policy.is_official(s.url)) for s, _ in grouped), policy.weights)
    return Corroboration(confidence, is_sure(confidence, policy.threshold), tuple(sources))


def judged(change: StoredChange, policy: CorroborationPolicy) -> ChangeView:
    """A stored change as the desk sees it: confirmed or not, and by which sources.

    Without its supports (a listing that shows none) its confidence is its
    own statement's, and no source is listed.
    """
    listed: tuple[dict, ...] = ()
    if change.supports is None:
        confidence = change.statement_confidence
        confirmed = confidence >= policy.threshold
    else:
        support = corroborate(change.supports, policy)
        confidence, confirmed, listed = support.confidence, support.confirmed, support.sources
    return ChangeView(
        id=change.id,
        commitment_id=change.commitment_id,
        commitment_title=change.commitment_title,
        from_status=change.from_status,
        to_status=change.to_status,
        kind=change.kind,
        date=change.date,
        evidence=change.evidence,
        actor=change.actor,
        confidence=confidence,
        confirmed=confirmed,
        sources=listed,
        rule=change.rule,
        attribution=change.attribution,
        source_name=change.source_name,
        source_url=change.source_url,
        article_title=change.article_title,
        relationship_id=change.relationship_id,
    )


def judged_revision(revision: StoredRevision, policy: CorroborationPolicy) -> RevisionView:
    return RevisionView(
        reported=judged(revision.reported, policy),
        reported_in=revision.reported_in,
        now_status=revision.now_status,
        now_since=revision.now_since,
        because=None if revision.because is None else judged(revision.because, policy),
        rejected=revision.rejected,
    )

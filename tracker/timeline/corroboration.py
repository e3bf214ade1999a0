"""Corroboration: a change's confidence from every article of its day that supports it, as the digest shows it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tracker.model import Corroboration, Support
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

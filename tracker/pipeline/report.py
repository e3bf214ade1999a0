"""What a run reports as it goes, and the exit statuses it ends with."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from tracker.model import (
    ArticleDraft,
    ChangeView,
    CommitmentKey,
    DeliveryOutcome,
    Message,
    RevisionView,
    SourceProblem,
)

# What reads and renders (the parser, Jinja2, the delivery channels) is
# imported where it is used: `status`, `history` and `changes` load none of it.

# Exit statuses of `tracker run` and `tracker ingest` (documented in --help and README).
EXIT_OK = 0
EXIT_SOURCE_IN_ERROR = 3
EXIT_ALL_INPUTS_FAILED = 4

Progress = Callable[[Iterable[ArticleDraft]], Iterable[ArticleDraft]]


@dataclass
class RunReport:
    run_id: int
    as_of: date
    ingested: int = 0
    skipped: int = 0
    failed: int = 0
    deferred: int = 0
    new_changes: int = 0
    alerts: list[ChangeView] = field(default_factory=list)
    revisions: list[RevisionView] = field(default_factory=list)
    digest_files: list[Path] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    site_files: list[Path] = field(default_factory=list)
    # Articles read again because their feed entry changed (counted in ingested too).
    updated: int = 0
    # Feeds that answered 304 Not Modified: nothing to read.
    not_modified: int = 0
    # Inputs (paths given or configured, feeds fetched) and how many gave nothing but errors.
    inputs: int = 0
    inputs_failed: int = 0
    # Followed feeds that are failing (this run, or waiting for their next attempt).
    source_problems: list[SourceProblem] = field(default_factory=list)
    digest_id: int | None = None
    deliveries: list[DeliveryOutcome] = field(default_factory=list)
    # A dry run: the digest it would have recorded was built and left unrecorded (its email preview, if any).
    dry_run: bool = False
    preview: Path | None = None
    # Deliveries failed max_attempts times, which runs no longer retry: an error until sent.
    deliveries_given_up: int = 0
    # The commitments the run's new articles made statements about, each from the earliest day stated.
    touched: dict[CommitmentKey, date] = field(default_factory=dict)
    # Every commitment the run folded again: the site pages to write anew.
    folded: set[CommitmentKey] = field(default_factory=set)

    @property
    def folded_pages(self) -> set[str]:
        """The commitment pages the fold made stale (`relationship/id`: one page each, see `site.page_key`)."""
        return {f"{relationship_id}/{commitment_id}" for relationship_id, commitment_id in self.folded}

    @property
    def exit_status(self) -> int:
        """0 when the run did its job; a distinct status when every input failed or a source is in error."""
        if self.inputs and self.inputs_failed == self.inputs:
            return EXIT_ALL_INPUTS_FAILED
        if any(p.in_error for p in self.source_problems) or self.deliveries_given_up:
            return EXIT_SOURCE_IN_ERROR
        return EXIT_OK

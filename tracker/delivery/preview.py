"""A dry run's preview: the email a digest would be, written to a file, with nothing recorded.

A dry run must leave nothing a later run acts on, so the digest is never stored,
its changes are never marked reported and nothing is queued; the preview is
the email channel's rehearsal (what `digest send --dry-run` writes) of the
unrecorded digest.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from tracker.config import Config
from tracker.delivery.email import EmailChannel
from tracker.delivery.files import choose_files
from tracker.model import StoredDigest

# The number an unrecorded digest carries in its preview (recorded digests start at 1).
UNRECORDED = 0


def write_preview(config: Config, digest: dict, taken: list[str]) -> Path | None:
    """Write `<day>.eml` (the name the digest's files would take; `<day>-<relationship>.eml` for each
    relationship's own recipients) when email is configured; None otherwise."""
    if config.email is None:
        return None
    as_of = date.fromisoformat(digest["as_of"])
    files = choose_files(config.reports_dir, as_of, taken)
    unrecorded = StoredDigest(
        id=UNRECORDED,
        as_of=as_of,
        created_at=datetime.now(UTC),
        change_count=len(digest.get("changes") or []),
        files=tuple(str(p) for p in files),
        # As a stored digest holds it: through JSON.
        payload=json.loads(json.dumps(digest, ensure_ascii=False)),
    )
    # Each message it would send (the whole digest's, each relationship's with something to say): the first named.
    paths = [path for channel in EmailChannel.configured(config) for path in channel.rehearse(unrecorded).paths]
    return paths[0] if paths else None

"""Report files: chosen once when the digest is recorded, written atomically from it, with the Atom feed."""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.delivery.atom import atom_feed
from tracker.delivery.channel import Channel, Delivered, DeliveryError
from tracker.digest import FORMATS, named_sections, relationship_slug, template_environment
from tracker.faults import checkpoint
from tracker.model import ChannelKind, StoredDigest
from tracker.private import make_dirs, open_private
from tracker.sanitize import safe_json

if TYPE_CHECKING:
    from tracker.config import Config
    from tracker.store import Store

EXTENSIONS = ("html", "md", "json")
ATOM_FILE = "changes.atom"


def choose_files(reports_dir: Path, as_of: date, taken: Collection[str]) -> list[Path]:
    """`2025-06-13.*`, or `2025-06-13-2.*` when that day's names are on disk or held by a recorded digest."""
    taken_names = {Path(name).name for name in taken}
    number = 1
    while True:
        stem = as_of.isoformat() if number == 1 else f"{as_of.isoformat()}-{number}"
        names = [f"{stem}.{ext}" for ext in EXTENSIONS]
        if not any(name in taken_names or (reports_dir / name).exists() for name in names):
            return [reports_dir / name for name in names]
        number += 1


def atomic_write(path: Path, text: str) -> None:
    """Write beside the target, flush to disk, then rename over it: readers see old or new, never half."""
    make_dirs(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with os.fdopen(open_private(temporary), "w", encoding="utf-8") as handle:
            handle.write(text if text.endswith("\n") else text + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        checkpoint("files.renaming")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def remove_stale_temporaries(reports_dir: Path) -> None:
    """Temporary files a killed run left behind (under the run lock nobody else writes here)."""
    if reports_dir.is_dir():
        for leftover in reports_dir.glob(".*.tmp"):
            leftover.unlink(missing_ok=True)


def render_report(digest: dict, templates_dir: Path | None = None) -> dict[str, str]:
    """The report's text per extension: HTML and Markdown from the templates, and the JSON."""
    env = template_environment(templates_dir)
    rendered = {ext: env.get_template(name).render(digest=digest) for ext, name in FORMATS}
    rendered["json"] = safe_json(digest)
    return rendered


def write_report(
    digest: dict, names: Sequence[str], reports_dir: Path, templates_dir: Path | None = None
) -> list[Path]:
    """Write the stored digest to its recorded file names under the reports folder; returns the paths."""
    rendered = render_report(digest, templates_dir)
    remove_stale_temporaries(reports_dir)
    written = []
    for name in names:
        path = reports_dir / Path(name).name
        ext = path.suffix.lstrip(".")
        if ext not in rendered:
            raise DeliveryError(f"{path}: no format for .{ext}")
        checkpoint("files.before")
        try:
            atomic_write(path, rendered[ext])
        except OSError as exc:
            raise DeliveryError(f"{path}: cannot write: {exc.strerror or exc}") from exc
        checkpoint("files.after")
        written.append(path)
    return written


def relationship_feeds(digests: Sequence[StoredDigest]) -> dict[str, str]:
    """Each relationship of a digest that had several, by id, with its title (the newest digest's)."""
    feeds: dict[str, str] = {}
    for digest in digests:
        sections = named_sections(digest.payload or {})
        if len(sections) > 1:
            feeds.update({s["relationship_id"]: s.get("relationship") or s["relationship_id"] for s in sections})
    return feeds


def relationship_feed_file(relationship_id: str) -> str:
    return f"changes-{relationship_slug(relationship_id)}.atom"


def write_atom(digests: Sequence[StoredDigest], reports_dir: Path) -> list[Path]:
    """`changes.atom` from every recorded digest that kept its content, and one feed per relationship
    once several are followed (each with that relationship's changes only)."""
    kept = sorted((d for d in digests if d.payload), key=lambda d: d.id)
    relationship = kept[-1].payload["relationship"] if kept and kept[-1].payload else "Tracked"
    texts = {ATOM_FILE: atom_feed(kept, f"{relationship} commitments: status changes")}
    for rid, title in relationship_feeds(kept).items():
        feed = atom_feed(kept, f"{title} commitments: status changes", f"urn:tracker:changes:{rid}", rid)
        texts[relationship_feed_file(rid)] = feed
    written = []
    for name, text in texts.items():
        path = reports_dir / name
        try:
            atomic_write(path, text)
        except OSError as exc:
            raise DeliveryError(f"{path}: cannot write: {exc.strerror or exc}") from exc
        written.append(path)
    return written


class FilesChannel(Channel[StoredDigest]):
    """The report (HTML, Markdown, JSON) under its recorded names, and the Atom feed."""

    kind = ChannelKind.FILES
    # Written on this side, the same bytes again after a crash: nothing to hold back, nothing to test.
    far_side = False
    writes_report = True
    testable = False

    def __init__(self, config: Config, recorded: Callable[[], Sequence[StoredDigest]]) -> None:
        self.name = self.label = str(self.kind)
        self._config = config
        self._recorded = recorded

    @classmethod
    def configured(cls, config: Config, store: Store) -> list[FilesChannel]:
        return [cls(config, store.stored_digests)]

    def prepare(self, stored: StoredDigest) -> StoredDigest:
        return stored

    def hand_over(self, prepared: StoredDigest, point_of_no_return: Callable[[], None]) -> Delivered:
        assert prepared.payload is not None
        paths = write_report(prepared.payload, prepared.files, self._config.reports_dir, self._config.templates_dir)
        # The feed is part of the same delivery: a run killed in between writes both again.
        write_atom(self._recorded(), self._config.reports_dir)
        checkpoint("files.atom")
        return Delivered("written", tuple(paths))

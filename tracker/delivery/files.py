"""Report files: chosen once when the digest is recorded, written atomically from it."""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from datetime import date
from pathlib import Path

from tracker.digest import FORMATS, template_environment
from tracker.faults import checkpoint
from tracker.private import make_dirs, open_private
from tracker.sanitize import clean_line, safe_json

EXTENSIONS = ("html", "md", "json")


class DeliveryError(Exception):
    """A channel could not deliver; the message is one line, naming what failed."""

    def __init__(self, message: str) -> None:
        # It may quote the far side (an SMTP reply, a service's answer): one line, no control sequence,
        # wherever it is stored or printed.
        super().__init__(clean_line(message))


class DeliveryUncertain(DeliveryError):
    """The far side may hold the message: it was handed over and no definite answer came back.

    Never retried automatically (at most once); `tracker digest send --resend` sends it again.
    """


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

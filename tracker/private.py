"""Files and folders that only their owner may read.

The database holds full article texts and the delivery state; reports, the
site and the outbox hold what analysts are told. Everything the tracker
creates is made owner-only (files 0600, folders 0700) whatever the umask:
the mode is set on the open file or the new folder, not left to the umask.
Folders that exist already keep their mode (the user chose it).
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def make_dirs(path: Path) -> None:
    """`mkdir -p` with every folder it creates owner-only."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, DIR_MODE)
        except FileExistsError:
            continue
        os.chmod(folder, DIR_MODE)


def open_private(path: Path, flags: int = os.O_WRONLY | os.O_CREAT | os.O_TRUNC) -> int:
    """A file descriptor for `path`, the file created (or kept) readable by its owner only."""
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def write_private(path: Path, data: bytes | str) -> None:
    """Write a whole file (not atomically), owner-only; text is written as UTF-8."""
    make_dirs(path.parent)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with os.fdopen(open_private(path), "wb") as handle:
        handle.write(payload)


def touch_private(path: Path) -> None:
    """Create an empty owner-only file if there is none (a new SQLite database, a lock file)."""
    make_dirs(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)


def exposed(path: Path) -> int | None:
    """The mode of a file others may read or write (group or other bits set); None when private or absent."""
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        return None
    return mode if mode & 0o077 else None


def tighten(path: Path) -> int | None:
    """Make an existing file of ours owner-only; returns the mode it had when it was not, else None."""
    mode = exposed(path)
    if mode is None:
        return None
    try:
        if path.stat().st_uid != os.geteuid():
            return None
        os.chmod(path, FILE_MODE)
    except OSError:
        return None
    return mode

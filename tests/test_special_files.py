"""Files that are not what their names say: a FIFO given to `tracker ingest` (which would wait
for ever holding the lock) and a link swapped in after a followed folder was listed. Real files."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tracker.sources import SourceError, read_bytes

pytestmark = pytest.mark.system


def test_ingesting_a_fifo_is_one_error_not_a_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "article.txt"
    os.mkfifo(fifo)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tracker",
            "--database-url",
            f"sqlite:///{tmp_path / 'tracker.db'}",
            "ingest",
            str(fifo),
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert time.monotonic() - started < 60
    assert done.returncode == 4, (done.stdout, done.stderr)
    assert f"{fifo}: not a regular file" in done.stderr + done.stdout


def test_the_opened_file_is_checked_not_only_its_name(tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    secret = tmp_path / "outside.txt"
    secret.write_text("Not for the digest\n\nprivate text", encoding="utf-8")
    swapped = folder / "a.txt"
    swapped.symlink_to(secret)
    with pytest.raises(SourceError) as caught:
        read_bytes(swapped, inside=folder.resolve())
    assert "outside the folder" in str(caught.value)
    inner = folder / "b.txt"
    inner.write_text("Inside\n\ntext", encoding="utf-8")
    (folder / "c.txt").symlink_to(inner)
    assert read_bytes(folder / "c.txt", inside=folder.resolve()).startswith(b"Inside")

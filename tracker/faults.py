"""Named fault points, for the crash tests: a run can be made to die at a chosen step.

`checkpoint(name)` does nothing unless the process was started with one of:

- `TRACKER_KILL_AT=name:n[,other:m…]`: the process sends itself SIGKILL the
  n-th time it reaches checkpoint `name` (counting from 1), as a power cut or
  the OOM killer would stop it: no cleanup, no buffers flushed.
- `TRACKER_PAUSE_AT=name:n`: the process stops itself (SIGSTOP) the n-th
  time it reaches checkpoint `name`, so a test can change the world around
  it (stop its database server) before letting it go on with SIGCONT.
- `TRACKER_COUNT_CHECKPOINTS=FILE`: every checkpoint reached is counted and
  the counts are written to FILE as JSON when the process exits, so a test can
  choose its kill points from an uninterrupted run.

Either way the run prints nothing more. Unarmed, a checkpoint costs one lookup.
"""

from __future__ import annotations

import atexit
import json
import os
import signal

KILL_ENV = "TRACKER_KILL_AT"
PAUSE_ENV = "TRACKER_PAUSE_AT"
COUNT_ENV = "TRACKER_COUNT_CHECKPOINTS"


def parse_kill_points(value: str) -> dict[str, int]:
    """`"ingest.article:3,fold.after:1"` → `{"ingest.article": 3, "fold.after": 1}`; bad parts are ignored."""
    points: dict[str, int] = {}
    for part in value.split(","):
        name, _, count = part.strip().rpartition(":")
        if name and count.isdigit() and int(count) > 0:
            points[name] = int(count)
    return points


_kill_at = parse_kill_points(os.environ.get(KILL_ENV, ""))
_pause_at = parse_kill_points(os.environ.get(PAUSE_ENV, ""))
_count_file = os.environ.get(COUNT_ENV) or None
_hits: dict[str, int] = {}
_armed = bool(_kill_at) or bool(_pause_at) or _count_file is not None


def checkpoint(name: str) -> None:
    """Mark a step of the run; see the module's description."""
    if not _armed:
        return
    hits = _hits[name] = _hits.get(name, 0) + 1
    if _kill_at.get(name) == hits:
        os.kill(os.getpid(), signal.SIGKILL)
    if _pause_at.get(name) == hits:
        os.kill(os.getpid(), signal.SIGSTOP)


def _write_counts() -> None:
    if _count_file is not None:
        with open(_count_file, "w", encoding="utf-8") as handle:
            json.dump(_hits, handle, sort_keys=True)


if _count_file is not None:
    atexit.register(_write_counts)

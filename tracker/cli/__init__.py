"""The command line: command groups that parse options, ask the library face (`tracker.library`) and render.

`base` holds the `tracker` group and what every command shares, `errors`
the one mapping of what goes wrong to a one-line message and exit status;
each other module is a group of commands, registered on `main` as it is imported.
"""

from tracker.cli import corpora, digests, reading, review, runs, sources
from tracker.cli.base import main

__all__ = ["corpora", "digests", "main", "reading", "review", "runs", "sources"]

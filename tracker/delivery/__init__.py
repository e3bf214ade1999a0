"""Delivery: a digest, once recorded in the outbox, handed to each configured channel.

The digest is built once and stored (payload, file names, one delivery row per
channel) in the transaction that marks its changes reported; every channel then
renders from that stored payload, so a run that dies at any point is finished by
the next one with the same files and messages, and no second digest.

A channel is one class per kind (`channel.py`), registered by subclassing
`Channel`: `files` (the HTML, Markdown and JSON report and `changes.atom`,
written atomically), `email` (SMTP), and one `notify:<hash>` per Apprise URL.
Every delivery goes through one `Attempt` (`attempt.py`), which counts it,
marks its point of no return and settles it: at most once, whatever the channel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracker.delivery.outbox import channels_for, deliver, queue_digest, test_send, testable_kinds

__all__ = ["channels_for", "deliver", "queue_digest", "test_send", "testable_kinds"]


def __getattr__(name: str) -> Any:
    # The package itself imports nothing: loading it (lazily, from the command line) must not load a
    # submodule that is being imported on its own, or that module would run twice.
    if name in __all__:
        from tracker.delivery import outbox

        return getattr(outbox, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

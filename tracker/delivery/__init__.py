"""Delivery: a digest, once recorded in the outbox, handed to each configured channel.

The digest is built once and stored (payload, file names, one delivery row per
channel) in the transaction that marks its changes reported; every channel then
renders from that stored payload, so a run that dies at any point is finished by
the next one with the same files and messages, and no second digest.

Channels: `files` (the HTML, Markdown and JSON report and `changes.atom`,
written atomically), `email` (SMTP), and one `notify:<hash>` per Apprise URL.
"""

from tracker.delivery.outbox import channels_for, deliver, queue_digest, test_send

__all__ = ["channels_for", "deliver", "queue_digest", "test_send"]

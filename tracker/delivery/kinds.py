"""Which channel class serves each kind.

Defining a channel registers it (`Channel.__init_subclass__`); this module loads
every module that defines one, so the base class in `channel.py` never imports
its own subclasses.
"""

from __future__ import annotations

from typing import Any

from tracker.delivery import email, files, notify  # noqa: F401  (loading them registers their channels)
from tracker.delivery.channel import Channel
from tracker.model import ChannelKind


def channel_of_kind(kind: ChannelKind) -> type[Channel[Any]]:
    """The channel class of a kind."""
    return Channel.registered(kind)


__all__ = ["channel_of_kind"]

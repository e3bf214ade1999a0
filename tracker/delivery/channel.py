"""A delivery channel: one class per kind, registered by subclassing `Channel`.

A channel says how a stored digest goes out (`prepare` what can fail without
trying, then `hand_over`) and when the far side may hold it (the point of no
return it is handed); it records nothing itself. The attempt around it, counted,
marked and settled, belongs to `tracker.delivery.attempt.Attempt`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from tracker.model import ChannelKind, StoredDigest
from tracker.sanitize import clean_line

if TYPE_CHECKING:
    from tracker.config import Config
    from tracker.store import Store


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


@dataclass(frozen=True)
class Delivered:
    """What a channel did with a digest, in words, and the files it wrote."""

    detail: str
    paths: tuple[Path, ...] = ()


Prepared = TypeVar("Prepared")


class Channel(ABC, Generic[Prepared]):
    """One configured way out for a digest: the report files, an email, one notification URL.

    A subclass that names its `kind` is the channel of that kind. Its
    `configured` gives one instance per channel the configuration holds, each
    with the `name` the outbox records its deliveries under.
    """

    kind: ClassVar[ChannelKind]
    # The message goes to a far side that may hold it without this side knowing: `hand_over` must
    # call its point of no return before the message can arrive (the attempt checks that it did).
    far_side: ClassVar[bool] = True
    # Its deliveries are the digest's own report files (a run's summary names them).
    writes_report: ClassVar[bool] = False
    # `tracker test-send` can send it a sample.
    testable: ClassVar[bool] = True
    # Said of a queued delivery whose channel the configuration no longer has.
    no_longer_configured: ClassVar[str] = "no longer configured; left queued"
    # Said by `tracker test-send` when the configuration has none of this kind.
    not_configured: ClassVar[str] = "not configured"

    _registry: ClassVar[dict[ChannelKind, type[Channel[Any]]]] = {}

    name: str
    # What may be printed of it (a notification URL carries tokens; its name is a hash).
    label: str

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        kind = cls.__dict__.get("kind")
        if kind is None:
            return
        known = Channel._registry.get(kind)
        if known is not None:
            raise TypeError(f"two channels of kind {kind}: {known.__qualname__} and {cls.__qualname__}")
        Channel._registry[kind] = cls

    @staticmethod
    def registered(kind: ChannelKind) -> type[Channel[Any]]:
        """The class registered for a kind (`tracker.delivery.kinds` loads the modules that define them)."""
        return Channel._registry[kind]

    @classmethod
    @abstractmethod
    def configured(cls, config: Config, store: Store) -> Sequence[Channel[Any]]:
        """The channels of this kind the configuration holds (none, one, or one per URL)."""

    def message_id(self, stored: StoredDigest) -> str | None:
        """The id the far side knows the message by, the same on every attempt; recorded when one starts."""
        return None

    def rehearse(self, stored: StoredDigest) -> Delivered | None:
        """What a dry run does instead of delivering; None: nothing to hold back, it delivers as usual."""
        return None

    @abstractmethod
    def prepare(self, stored: StoredDigest) -> Prepared:
        """What can fail before anything is tried (building the message): a DeliveryError here counts no attempt."""

    @abstractmethod
    def hand_over(self, prepared: Prepared, point_of_no_return: Callable[[], None]) -> Delivered:
        """Deliver; raise DeliveryError when refused, DeliveryUncertain when the far side may have it."""

    def test(self, sample: StoredDigest) -> str:
        """Send a sample, recording nothing; says what happened, or raises DeliveryError."""
        raise DeliveryError(f"{self.kind} has nothing to test")


__all__ = ["Channel", "Delivered", "DeliveryError", "DeliveryUncertain"]

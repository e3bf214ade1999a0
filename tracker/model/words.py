"""The words the stages share: statuses, kinds and states as `StrEnum`s, and a run's `Message`."""

from __future__ import annotations

from enum import StrEnum

# --- the words the stages share ----------------------------------------------------------


class Status(StrEnum):
    """Where a commitment stands (the catalogue's ladder and its two negative states)."""

    SUSPENDED = "suspended"
    PROPOSED = "proposed"
    UNDER_DISCUSSION = "under_discussion"
    AGREED = "agreed"
    IN_PROGRESS = "in_progress"
    IMPLEMENTED = "implemented"
    STALLED = "stalled"


class ChangeKind(StrEnum):
    NEW = "new"
    PROGRESS = "progress"
    RESUMPTION = "resumption"
    SETBACK = "setback"


class ReviewKind(StrEnum):
    CONFIRM = "confirm"
    REJECT = "reject"
    # A status the analyst set, stored as a statement of its own.
    SET = "set"


class DeliveryState(StrEnum):
    QUEUED = "queued"
    # Being handed over; a later run that finds it so finds what a dead run left.
    SENDING = "sending"
    SENT = "sent"
    # Tried max_attempts times: no longer retried.
    FAILED = "failed"
    # Left mid-send, or unsure whether the far side has it: not resent unless asked.
    INTERRUPTED = "interrupted"


class ChannelKind(StrEnum):
    """What a delivery goes through. The outbox names a channel by its kind, and a notification
    by its kind and a hash of its URL (`notify:3f2a…`)."""

    FILES = "files"
    EMAIL = "email"
    NOTIFY = "notify"

    @classmethod
    def of(cls, channel: str) -> ChannelKind:
        """The kind of an outbox channel name; ValueError for a name no kind has."""
        return cls(channel.partition(":")[0])


class RunState(StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    # Stopped on an error; what it did by then is recorded.
    FAILED = "failed"
    # Stopped by a signal, or killed (found still "running" by a later run).
    INTERRUPTED = "interrupted"


class SourceKind(StrEnum):
    FEED = "feed"
    FOLDER = "folder"
    # Where articles came from that is no subscription: an outlet named in a
    # folder's manifest, a feed file given to `tracker ingest`.
    OUTLET = "outlet"


class Reason(StrEnum):
    """Why a mention of a commitment is not a statement of its current status."""

    NEGATED = "negated"
    HEDGED = "hedged"
    UNCONFIRMED = "unconfirmed"
    NOT_A_PARTY = "not-a-party"
    RETROSPECTIVE = "retrospective"
    QUESTION = "question"
    TIMELINE_ENTRY = "timeline-entry"
    OTHER_RELATIONSHIP = "not-this-relationship"
    NO_CUE = "no-cue"
    EMBEDDED_NOMINAL = "embedded-nominal"
    NOT_THE_CLEAREST = "not-the-clearest"
    AGENT = "agent-not-topic"
    IN_PASSING = "in-passing"
    # A thing a side may raise (an upstream dam), reported without anyone raising it.
    NOT_RAISED = "not-raised"
    # A count of documents issued ("have issued 80,000 visas this year") reports volume, not a change of state.
    TALLY = "tally"


class Message(str):
    """One line a run says, 'level: text' (error, warning or note), kept and printed as that line.

    A string, so that what is stored, printed and searched is the line itself.
    """

    __slots__ = ()
    LEVELS = ("error", "warning", "note")

    def __new__(cls, level: str, text: str) -> Message:
        return super().__new__(cls, f"{level}: {text}" if level else text)

    @classmethod
    def parse(cls, line: str) -> Message:
        """A line as a message: its level when it starts with one, else a line without a level."""
        level, sep, text = line.partition(": ")
        if sep and level in cls.LEVELS:
            return cls(level, text)
        return cls("", line)

    @property
    def level(self) -> str:
        level, sep, _ = self.partition(": ")
        return level if sep and level in self.LEVELS else ""

    @property
    def text(self) -> str:
        return self[len(self.level) + 2 :] if self.level else str(self)


# Marks what an analyst stated: the source of the statement a set status makes, and its rule.
REVIEW_SOURCE = "Analyst review"
REVIEW_RULE = "analyst-review"

"""The model's types: JSON in one way, enums that are the strings the database stores, messages as lines."""

from __future__ import annotations

import json
from datetime import date, datetime

from tracker.catalogue import NEGATIVE_STATUSES, POSITIVE_LADDER, STATUSES
from tracker.model import (
    ChangeKind,
    DeliveryState,
    FoldStart,
    Message,
    ReviewKind,
    ReviewView,
    RunCounts,
    Status,
    to_json,
)


def test_enums_are_the_stored_strings() -> None:
    assert ChangeKind.SETBACK == "setback" and json.dumps(ChangeKind.NEW) == '"new"'
    assert {ReviewKind.CONFIRM, ReviewKind.REJECT, ReviewKind.SET} == {"confirm", "reject", "set"}
    assert DeliveryState("interrupted") is DeliveryState.INTERRUPTED
    assert tuple(Status) == STATUSES and set(POSITIVE_LADDER) | NEGATIVE_STATUSES == set(STATUSES)


def test_to_json_uses_a_types_own_shape_else_its_fields() -> None:
    review = ReviewView(
        1,
        ReviewKind.REJECT,
        "air-services",
        4,
        None,
        None,
        date(2025, 8, 1),
        "",
        "",
        "a",
        datetime(2025, 8, 2, 9, 30, 1, 5),
    )
    assert to_json(review)["commitment"] == "air-services"
    assert to_json(review)["created_at"] == "2025-08-02T09:30:01"
    assert to_json([RunCounts(3, 1, 0)]) == [{"ingested": 3, "skipped": 1, "failed": 0}]
    assert to_json({"start": FoldStart(Status.AGREED, None), "day": date(2025, 1, 2)}) == {
        "start": {"shown": "agreed", "level": None},
        "day": "2025-01-02",
    }
    assert type(to_json(ChangeKind.PROGRESS)) is str


def test_a_message_is_its_line() -> None:
    message = Message("warning", "feed.xml: not a readable RSS/Atom feed")
    assert message == "warning: feed.xml: not a readable RSS/Atom feed"
    assert (message.level, message.text) == ("warning", "feed.xml: not a readable RSS/Atom feed")
    assert Message.parse(str(message)) == message and Message.parse(str(message)).level == "warning"
    unlevelled = Message.parse("site: could not write index.html")
    assert unlevelled == "site: could not write index.html" and unlevelled.level == ""
    assert json.loads(json.dumps([message])) == [str(message)]
